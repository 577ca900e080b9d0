"""Staff choices of symbol for a word, for the whole school, one class or one pupil."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from classroom.db import Base, UtcDateTime


class SymbolOverride(Base):
    """One word or phrase shown with a chosen symbol, or with none (`symbol` is NULL).

    The layer is the school (no class, no pupil), a class, or a pupil; never both a class and
    a pupil. The most specific layer wins when a pupil's text is symbolised.
    """

    __tablename__ = "symbol_overrides"
    __table_args__ = (CheckConstraint("class_id IS NULL OR pupil_id IS NULL", name="one_layer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"), index=True)
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupils.id"), index=True)
    phrase: Mapped[str] = mapped_column(String(80))
    symbol: Mapped[str | None] = mapped_column(String(80))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    @property
    def layer(self) -> str:
        """Which layer this row belongs to: pupil, class or school."""
        if self.pupil_id is not None:
            return "pupil"
        return "class" if self.class_id is not None else "school"
