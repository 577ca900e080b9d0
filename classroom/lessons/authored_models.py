"""Lessons teachers write in the browser: a draft only its author sees, then shared."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from classroom.db import Base, UtcDateTime, str_enum


class LessonStatus(StrEnum):
    """A draft is its author's; a shared lesson can go on any class or pupil map; a withdrawn
    one was shared and then taken back: it is on no map and can be put on none, but it stays in
    the school's catalogue so what pupils answered and staff recorded on it still shows. (The
    column is a plain string, no database enum or CHECK: a new status needs no migration.)"""

    DRAFT = "draft"
    SHARED = "shared"
    WITHDRAWN = "withdrawn"


class AuthoredLesson(Base):
    """One teacher-written lesson, kept as the same document a lesson file holds.

    `document` is JSON with the teacher's content only (title, topic, strands, risks and the
    three pathways); the app adds `key` (the lesson id pupils' records use), the number and
    the objective ids, so a teacher can never make them clash with a file lesson.
    """

    __tablename__ = "authored_lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[LessonStatus] = mapped_column(str_enum(LessonStatus, 16))
    document: Mapped[str] = mapped_column(Text)
    notes_html: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    shared_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
