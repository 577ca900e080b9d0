"""Evidence on an incident: attached files (encrypted at rest) and body-map marks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from classroom.accounts.models import Account
from classroom.db import Base, UtcDateTime, str_enum


class AttachmentKind(StrEnum):
    IMAGE = "image"  # decoded and re-encoded by the server: safe to show in the page
    FILE = "file"  # kept exactly as given: only ever downloaded, never shown


class Attachment(Base):
    """A screenshot, letter or other agency's file on an incident; the bytes are AES-GCM sealed."""

    __tablename__ = "incident_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    # Random; bound into the ciphertext so sealed bytes cannot be moved to another row.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[AttachmentKind] = mapped_column(str_enum(AttachmentKind, 8))
    filename: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)  # of the stored (plain) bytes
    sha256: Mapped[str] = mapped_column(String(64))  # of the stored (plain) bytes
    description: Mapped[str] = mapped_column(Text)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Loaded only when the file itself is asked for, never with a list.
    sealed: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    uploaded_by: Mapped[Account] = relationship()


class MarkType(StrEnum):
    BRUISE = "bruise"
    CUT = "cut"
    BURN = "burn"
    MARK = "mark"
    OTHER = "other"


MARK_LABELS = {
    MarkType.BRUISE: "Bruise",
    MarkType.CUT: "Cut or graze",
    MarkType.BURN: "Burn",
    MarkType.MARK: "Mark",
    MarkType.OTHER: "Other",
}


class Side(StrEnum):
    FRONT = "front"
    BACK = "back"


class BodyMark(Base):
    """One mark on an incident's body map: where (0-1 on the outline), what, how big, notes."""

    __tablename__ = "body_map_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    side: Mapped[Side] = mapped_column(str_enum(Side, 8))
    x: Mapped[float] = mapped_column(Float)
    y: Mapped[float] = mapped_column(Float)
    region: Mapped[str] = mapped_column(String(40))
    mark_type: Mapped[MarkType] = mapped_column(str_enum(MarkType, 8))
    size: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())

    recorded_by: Mapped[Account] = relationship()
