"""The school's rules for responsible internet use, in the order they are shown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from classroom.db import Base, UtcDateTime


class SchoolRule(Base):
    """One short rule; `symbol` overrides the picture chosen from its words."""

    __tablename__ = "school_rules"
    __table_args__ = (Index("ix_school_rules_school", "school_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(120))
    symbol: Mapped[str | None] = mapped_column(String(80))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
