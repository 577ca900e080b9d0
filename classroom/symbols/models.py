"""Staff choices of symbol for a word, for the whole school, one class or one pupil."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from classroom.accounts.models import Account
from classroom.db import Base, UtcDateTime, str_enum
from classroom.pupils.models import Pupil

_SCHOOL_LAYER = "class_id IS NULL AND pupil_id IS NULL"


class SymbolOverride(Base):
    """One word or phrase shown with a chosen symbol, or with none (`symbol` is NULL).

    The layer is the school (no class, no pupil), a class, or a pupil; never both a class and
    a pupil. The most specific layer wins when a pupil's text is symbolised.
    """

    __tablename__ = "symbol_overrides"
    __table_args__ = (
        CheckConstraint("class_id IS NULL OR pupil_id IS NULL", name="one_layer"),
        # One choice per word on each layer, whatever two staff (or a double tap) save at once
        # (migration symbol_overrides_one_per_layer; services.set_override keeps to it).
        Index(
            "uq_symbol_overrides_school_phrase",
            "school_id",
            "phrase",
            unique=True,
            sqlite_where=text(_SCHOOL_LAYER),
            postgresql_where=text(_SCHOOL_LAYER),
        ),
        Index(
            "uq_symbol_overrides_class_phrase",
            "class_id",
            "phrase",
            unique=True,
            sqlite_where=text("class_id IS NOT NULL"),
            postgresql_where=text("class_id IS NOT NULL"),
        ),
        Index(
            "uq_symbol_overrides_pupil_phrase",
            "pupil_id",
            "phrase",
            unique=True,
            sqlite_where=text("pupil_id IS NOT NULL"),
            postgresql_where=text("pupil_id IS NOT NULL"),
        ),
    )

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


class Place(StrEnum):
    """Where a trusted adult is found: at school or at home."""

    SCHOOL = "school"
    HOME = "home"


class TrustedPerson(Base):
    """One of a pupil's trusted adults ("my people"), with a name and maybe a photo.

    A school adult is a member of staff (`account_id`); a home adult is a name and a photo set
    by staff or a connected carer. Home adults are shown to the pupil only: nothing a pupil
    reports is ever sent to them.
    """

    __tablename__ = "trusted_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    place: Mapped[Place] = mapped_column(str_enum(Place, 16))
    name: Mapped[str] = mapped_column(String(60))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    photo_file: Mapped[str | None] = mapped_column(String(40))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())

    pupil: Mapped[Pupil] = relationship(lazy="joined")
    account: Mapped[Account | None] = relationship(foreign_keys=[account_id])


class StaffPhoto(Base):
    """A member of staff's photo, shown to pupils only in the classes they work in."""

    __tablename__ = "staff_photos"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    photo_file: Mapped[str] = mapped_column(String(40))
    set_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SchoolPicture(Base):
    """A picture the school uploaded (or imported) for words; its code is "pic-<name>"."""

    __tablename__ = "school_pictures"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    label: Mapped[str] = mapped_column(String(80))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SymbolFlag(Base):
    """A member of staff's "this picture is wrong for this word", for the admin's list."""

    __tablename__ = "symbol_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    phrase: Mapped[str] = mapped_column(String(80))
    symbol: Mapped[str] = mapped_column(String(80))
    note: Mapped[str] = mapped_column(String(300), default="")
    flagged_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    flagged_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class VoiceRecording(Base):
    """A member of staff's own voice saying a key phrase or a name, used instead of synthesis
    for one pupil, a class or the whole school. `consent_at` records that the speaker agreed."""

    __tablename__ = "voice_recordings"
    __table_args__ = (CheckConstraint("class_id IS NULL OR pupil_id IS NULL", name="one_layer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"), index=True)
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupils.id"), index=True)
    phrase: Mapped[str] = mapped_column(String(200))
    audio_file: Mapped[str] = mapped_column(String(48))
    mimetype: Mapped[str] = mapped_column(String(40))
    duration_ms: Mapped[int] = mapped_column(Integer)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    consent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
