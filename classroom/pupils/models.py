"""Classes, pupils, the staff who teach them and the carers linked to them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from classroom.accounts.models import Account
from classroom.db import Base, UtcDateTime, str_enum


class Pathway(StrEnum):
    """How a pupil learns: sensory and cause-and-effect, symbols and routines, or short text.

    The one Pathway of the whole app: pupils, lesson versions and assessments all use it.
    """

    PRE_FORMAL = "pre_formal"
    SEMI_FORMAL = "semi_formal"
    FORMAL = "formal"

    @property
    def label(self) -> str:
        return _PATHWAY_LABELS[self]  # a member hashes as its value: one lookup, asked per row

    @property
    def code(self) -> str:
        """The short form lesson text ids use: pf, sf or f."""
        return _PATHWAY_CODES[self]


_PATHWAY_LABELS = {"pre_formal": "Pre-formal", "semi_formal": "Semi-formal", "formal": "Formal"}
_PATHWAY_CODES = {"pre_formal": "pf", "semi_formal": "sf", "formal": "f"}


class Scanning(StrEnum):
    OFF = "off"
    AUTO = "auto"
    STEP = "step"


class CardChoosing(StrEnum):
    """How a tap on an answer card or lesson tile works (an AAC habit staff choose per pupil)."""

    STRAIGHT_AWAY = "straight_away"  # one tap chooses
    HEAR_FIRST = "hear_first"  # the first tap says the card, a second tap on it chooses

    @property
    def label(self) -> str:
        return {
            "straight_away": "Choose straight away (one tap chooses)",
            "hear_first": "Hear then choose (first tap speaks, second tap chooses)",
        }[self.value]


class SymbolSize(StrEnum):
    MEDIUM = "medium"
    LARGE = "large"
    EXTRA_LARGE = "extra_large"


class SchoolClass(Base):
    __tablename__ = "classes"
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    name: Mapped[str] = mapped_column(String(80))
    tile_symbol: Mapped[str] = mapped_column(String(40), default="1F333")
    # Switch scanning on the class iPads' tiles screen, before anyone is signed in: a switch
    # user must be able to choose their own tile (classroom/devices/tiles.py).
    tiles_scanning: Mapped[Scanning] = mapped_column(str_enum(Scanning, 8), default=Scanning.OFF)
    tiles_scan_interval_ms: Mapped[int] = mapped_column(Integer, default=2000)
    tiles_auditory_scanning: Mapped[bool] = mapped_column(Boolean, default=False)
    # A class whose pupils have all left, taken off every class list (policy's class scopes) and
    # kept for its leavers' records; None while open. Reopened by clearing it.
    closed_on: Mapped[date | None] = mapped_column(Date)

    pupils: Mapped[list[Pupil]] = relationship(
        back_populates="school_class", order_by="Pupil.first_name"
    )
    staff: Mapped[list[Account]] = relationship(
        secondary="class_staff", order_by=Account.display_name
    )


class ClassStaff(Base):
    __tablename__ = "class_staff"
    # A member of staff's classes, which every teacher's page asks for (the key leads by class).
    __table_args__ = (Index("ix_class_staff_account", "account_id", "class_id"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)


class Pupil(Base):
    __tablename__ = "pupils"
    __table_args__ = (UniqueConstraint("school_id", "upn"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    upn: Mapped[str] = mapped_column(String(13))
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    # The name the pupil answers to when it is not their first name ("Mo" for Mohammed): from
    # the MIS's preferred forename, or set by staff. Their tile and what is said to them use it.
    known_as: Mapped[str | None] = mapped_column(String(80))
    date_of_birth: Mapped[date] = mapped_column(Date)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id"), index=True)
    pathway: Mapped[Pathway] = mapped_column(str_enum(Pathway, 16), default=Pathway.SEMI_FORMAL)
    tile_symbol: Mapped[str] = mapped_column(String(40), default="1F642")
    photo_file: Mapped[str | None] = mapped_column(String(80))
    picture_password_hash: Mapped[str | None] = mapped_column(String(255))
    picture_password_length: Mapped[int] = mapped_column(Integer, default=0)
    # Accessibility settings that pupil pages honour (PRODUCT.md section 1).
    symbol_size: Mapped[SymbolSize] = mapped_column(
        str_enum(SymbolSize, 16), default=SymbolSize.LARGE
    )
    speech_rate: Mapped[int] = mapped_column(Integer, default=150)
    voice: Mapped[str] = mapped_column(String(40), default="gmw/en")
    card_choosing: Mapped[CardChoosing] = mapped_column(
        str_enum(CardChoosing, 16), default=CardChoosing.STRAIGHT_AWAY
    )
    # How many lessons home shows: None = as the pathway suggests, 0 = all of them.
    home_lessons: Mapped[int | None] = mapped_column(Integer)
    auto_read: Mapped[bool] = mapped_column(Boolean, default=False)
    high_contrast: Mapped[bool] = mapped_column(Boolean, default=False)
    reduced_motion: Mapped[bool] = mapped_column(Boolean, default=False)
    scanning: Mapped[Scanning] = mapped_column(str_enum(Scanning, 8), default=Scanning.OFF)
    scan_interval_ms: Mapped[int] = mapped_column(Integer, default=1500)
    # Auditory scanning: a cue and the item's words as the highlight reaches it (switch users
    # who cannot read cannot tell what is highlighted otherwise).
    auditory_scanning: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The school day a pupil was recorded as having left (while they have), and the day they
    # were last recorded as back: a child-protection file sent before that return went with an
    # earlier move, so it does not count for this one (worries.transfer.files_to_send).
    left_on: Mapped[date | None] = mapped_column(Date)
    back_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())

    school_class: Mapped[SchoolClass] = relationship(back_populates="pupils")
    carers: Mapped[list[Account]] = relationship(
        secondary="parent_links",
        primaryjoin="and_(Pupil.id == ParentLink.pupil_id, ParentLink.revoked_at.is_(None))",
        viewonly=True,
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def called(self) -> str:
        """The name the pupil answers to: what pupil pages show and say to them (staff pages
        keep the legal name, with "known as" beside it)."""
        return self.known_as or self.first_name

    @property
    def name_pairs(self) -> list[tuple[str, str]]:
        """(first, last) for each first name the pupil is written of by: the legal one, and the
        one they are known by. Checks that keep a pupil's name out of a text look for both."""
        pairs = [(self.first_name, self.last_name)]
        if self.known_as:
            pairs.append((self.known_as, self.last_name))
        return pairs

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def has_picture_password(self) -> bool:
        return self.picture_password_hash is not None


class ParentLink(Base):
    """A carer connected to one child; revoking keeps the row for the record."""

    __tablename__ = "parent_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    relationship_label: Mapped[str] = mapped_column(String(40), default="Parent")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
