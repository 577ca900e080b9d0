"""How much new speech each account or pupil had the server make, one row per day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from classroom.db import Base


class SpeechUsage(Base):
    """New clips and characters synthesised for one person on one day (cache hits are free)."""

    __tablename__ = "speech_usage"
    __table_args__ = (UniqueConstraint("who", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    who: Mapped[str] = mapped_column(String(40))  # "account:12" or "pupil:7"
    day: Mapped[date] = mapped_column(Date, index=True)
    clips: Mapped[int] = mapped_column(Integer, default=0)
    characters: Mapped[int] = mapped_column(Integer, default=0)
