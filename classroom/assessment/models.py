"""Observations of pupils against lesson objectives: append-only, corrected by superseding."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    SQLColumnExpression,
    String,
    Text,
    UniqueConstraint,
    and_,
    exists,
)
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
    # Its withdrawal standing (as recorded in error, not put back since): kept on record, and
    # while it stands the observation does not count. None when it counts.
    withdrawal: Mapped[ObservationWithdrawal | None] = relationship(
        primaryjoin=lambda: and_(
            ObservationWithdrawal.observation_id == Observation.id, standing_withdrawal()
        ),
        viewonly=True,
        lazy="selectin",
    )
    # Every withdrawal, put back or standing, oldest first: the history shows them all.
    withdrawals: Mapped[list[ObservationWithdrawal]] = relationship(
        viewonly=True, order_by=lambda: ObservationWithdrawal.number
    )

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
    # One withdrawal per round: an observation put back may be withdrawn again (number 2, and
    # so on), but two people withdrawing it at once make one withdrawal, not two.
    __table_args__ = (UniqueConstraint("observation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"))
    number: Mapped[int] = mapped_column(Integer)  # 1 for its first withdrawal
    withdrawn_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    withdrawn_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text)

    withdrawn_by: Mapped[Account] = relationship()
    # Set once the withdrawal was put back (made by mistake): the observation counts again.
    reinstatement: Mapped[ObservationReinstatement | None] = relationship(
        viewonly=True, lazy="selectin"
    )


class ObservationReinstatement(Base):
    """A withdrawal put back as itself made by mistake (the wrong row tapped): the observation
    counts again. Append-only: the withdrawal stays in the history with this note on it."""

    __tablename__ = "observation_reinstatements"

    id: Mapped[int] = mapped_column(primary_key=True)
    withdrawal_id: Mapped[int] = mapped_column(
        ForeignKey("observation_withdrawals.id"), unique=True
    )
    put_back_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    put_back_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(Text)

    put_back_by: Mapped[Account] = relationship()


def standing_withdrawal() -> ColumnElement[bool]:
    """Whether an ObservationWithdrawal row still stands (was not put back). The one place
    "withdrawn" is decided: the `withdrawal` relationship and the queries that count
    observations (queries.observations_for, the proposals check) all go through it."""
    put_back = exists().where(ObservationReinstatement.withdrawal_id == ObservationWithdrawal.id)
    return ~put_back


def withdrawn(observation_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """Whether the observation of this id has a withdrawal standing, for a query's columns."""
    return exists().where(
        ObservationWithdrawal.observation_id == observation_id, standing_withdrawal()
    )


class ObservationShare(Base):
    """An observation a teacher shared home as a learning moment."""

    __tablename__ = "observation_shares"

    observation_id: Mapped[int] = mapped_column(ForeignKey("observations.id"), primary_key=True)
    shared_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    shared_at: Mapped[datetime] = mapped_column(UtcDateTime())
