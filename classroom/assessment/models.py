"""Observations of pupils against lesson objectives: append-only, corrected by superseding."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from classroom.accounts.models import Account
from classroom.db import Base, UtcDateTime, str_enum
from classroom.pupils.models import Pathway
from classroom.scale import LEVEL_WORDS, Level

__all__ = ["LEVEL_WORDS", "Level"]  # the scale lives in classroom.scale; models re-export it


class Context(StrEnum):
    LESSON = "lesson"
    CLASS = "class"
    HOME = "home"
    COMMUNITY = "community"


class Support(StrEnum):
    FULL_PHYSICAL = "full_physical"
    PROMPTED = "prompted"
    MODELLED = "modelled"
    INDEPENDENT = "independent"


SUPPORT_WORDS = {
    Support.FULL_PHYSICAL: "Full physical support",
    Support.PROMPTED: "Prompted",
    Support.MODELLED: "Modelled",
    Support.INDEPENDENT: "Independent",
}

CONTEXT_WORDS = {
    Context.LESSON: "In a lesson",
    Context.CLASS: "In class",
    Context.HOME: "At home",
    Context.COMMUNITY: "In the community",
}

ENGAGEMENT_AREAS = ("exploration", "realisation", "anticipation", "persistence", "initiation")


class Observation(Base):
    """One observation. Never edited: a correction is a new row that supersedes this one."""

    __tablename__ = "observations"
    __table_args__ = (Index("ix_observations_pupil_objective", "pupil_id", "objective_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    lesson_id: Mapped[str] = mapped_column(String(64))
    objective_id: Mapped[str] = mapped_column(String(80))
    pathway: Mapped[Pathway] = mapped_column(str_enum(Pathway, 16))
    level: Mapped[int] = mapped_column(Integer)
    misconception: Mapped[bool] = mapped_column(Boolean, default=False)
    support: Mapped[Support | None] = mapped_column(str_enum(Support, 16))
    context: Mapped[Context] = mapped_column(str_enum(Context, 12), default=Context.LESSON)
    note: Mapped[str] = mapped_column(Text, default="")
    engagement: Mapped[str] = mapped_column(String(120), default="")  # comma-separated areas
    observed_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id"), unique=True)
    from_proposal: Mapped[bool] = mapped_column(Boolean, default=False)

    recorded_by: Mapped[Account] = relationship()
    # Set once it is withdrawn as recorded in error (kept on record, no longer counted).
    withdrawal: Mapped[ObservationWithdrawal | None] = relationship(viewonly=True, lazy="selectin")

    @property
    def level_words(self) -> str:
        return Level(self.level).words

    @property
    def withdrawn(self) -> bool:
        return self.withdrawal is not None


class ObservationWithdrawal(Base):
    """An observation withdrawn as recorded in error: it stays in the history, marked, and no
    longer counts. Append-only like observations: a withdrawal is a row, never an edit. It is
    how a record that no correction can put right (a lesson for other ages on the day) stops
    standing, without a new level being recorded."""

    __tablename__ = "observation_withdrawals"

    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), primary_key=True)
    withdrawn_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    withdrawn_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text)

    withdrawn_by: Mapped[Account] = relationship()


class ObservationShare(Base):
    """An observation a teacher shared home as a learning moment."""

    __tablename__ = "observation_shares"

    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), primary_key=True)
    shared_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    shared_at: Mapped[datetime] = mapped_column(UtcDateTime())
