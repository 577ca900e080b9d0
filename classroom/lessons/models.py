"""Lesson maps (a class default, personalised per pupil) and what pupils did in each lesson."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from classroom.db import Base, UtcDateTime, str_enum
from classroom.pupils.models import Pathway


class MapEntry(Base):
    """One lesson on a class's map or on one pupil's personalised map, in order.

    A pupil with no entries of their own follows their class's map. `pathway` NULL means
    "the pupil's own pathway", so a class map suits every pupil in the class.
    """

    __tablename__ = "map_entries"
    __table_args__ = (
        CheckConstraint("(class_id IS NULL) <> (pupil_id IS NULL)", name="one_owner"),
        Index("ix_map_entries_class", "class_id", "position"),
        Index("ix_map_entries_pupil", "pupil_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupils.id"))
    lesson_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    pathway: Mapped[Pathway | None] = mapped_column(str_enum(Pathway, 16))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)


class PupilTarget(Base):
    """The lesson a teacher has set as the pupil's current target (shown first)."""

    __tablename__ = "pupil_targets"

    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(64))
    set_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())


class LessonAttempt(Base):
    """One go at a lesson on a class iPad."""

    __tablename__ = "lesson_attempts"
    __table_args__ = (Index("ix_lesson_attempts_pupil", "pupil_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    lesson_id: Mapped[str] = mapped_column(String(64))
    pathway: Mapped[Pathway] = mapped_column(str_enum(Pathway, 16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    # Carrying on a go left part way (player.go_to_carry_on): the content it began with (a
    # go is never carried on into a changed lesson), the screen to carry on from and when the
    # pupil last answered. Set by answers only, so a screen shown (a GET) writes nothing.
    version_digest: Mapped[str | None] = mapped_column(String(16))
    carry_on_at: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class StepResponse(Base):
    """What a pupil did on one step: the evidence assessment uses. Never edited."""

    __tablename__ = "step_responses"
    __table_args__ = (Index("ix_step_responses_pupil", "pupil_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # a double tap records once
    attempt_id: Mapped[int] = mapped_column(ForeignKey("lesson_attempts.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    lesson_id: Mapped[str] = mapped_column(String(64))
    step_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(String(64))
    correct: Mapped[bool | None] = mapped_column(Boolean)
    tries: Mapped[int] = mapped_column(Integer, default=1)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    seconds: Mapped[int | None] = mapped_column(Integer)
