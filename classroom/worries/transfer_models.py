"""Child-protection files: sent to a pupil's next school, and received from their last one."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from classroom.accounts.models import Account
from classroom.db import Base, UtcDateTime
from classroom.pupils.models import Pupil


class CpTransfer(Base):
    """One export of a pupil's file: when it was made, how it was sent, who confirmed receipt.

    Statutory guidance asks the DSL to send the file securely within five school days and to
    keep confirmation of receipt; this row is that record (the file itself is not kept).
    """

    __tablename__ = "cp_file_transfers"
    # Files sent whose receipt is awaited, oldest sent first (the list of files and the queue's
    # receipts to chase): read from this index, not from every file the school has ever sent.
    __table_args__ = (Index("ix_cp_file_transfers_awaiting", "received_on", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    exported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    exported_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    package_sha256: Mapped[str] = mapped_column(String(64))
    incidents: Mapped[int] = mapped_column(Integer)
    attachments: Mapped[int] = mapped_column(Integer)
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_to: Mapped[str | None] = mapped_column(String(200))
    sent_method: Mapped[str | None] = mapped_column(String(200))
    sent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    received_on: Mapped[date | None] = mapped_column(Date)
    received_by_name: Mapped[str | None] = mapped_column(String(200))
    receipt_method: Mapped[str | None] = mapped_column(String(200))
    receipt_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    receipt_recorded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    pupil: Mapped[Pupil] = relationship()
    exported_by: Mapped[Account] = relationship(foreign_keys=[exported_by_id])


class CpTransferCorrection(Base):
    """A correction of a file's sending or receipt record: what it said, what it says since, who
    corrected it, when and why. The record itself then says the corrected details (every list
    and reminder reads it); what it said before is kept here, for good."""

    __tablename__ = "cp_file_transfer_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("cp_file_transfers.id"), index=True)
    part: Mapped[str] = mapped_column(String(8))  # "sent" or "receipt"
    # The day, who (sent to / who confirmed) and how, before and after.
    old_on: Mapped[date] = mapped_column(Date)
    old_who: Mapped[str] = mapped_column(String(200))
    old_method: Mapped[str] = mapped_column(String(200))
    new_on: Mapped[date] = mapped_column(Date)
    new_who: Mapped[str] = mapped_column(String(200))
    new_method: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    corrected_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    corrected_at: Mapped[datetime] = mapped_column(UtcDateTime())

    corrected_by: Mapped[Account] = relationship()


class ReceivedFile(Base):
    """A file from a previous school, verified and attached to a pupil as read-only history."""

    __tablename__ = "cp_files_received"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    from_school: Mapped[str] = mapped_column(String(200))
    exported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    package_sha256: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(String(32), unique=True)
    # The record (JSON), sealed with the instance's evidence key like attachments.
    sealed_record: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    pupil: Mapped[Pupil] = relationship()
    files: Mapped[list[ReceivedAttachment]] = relationship(order_by="ReceivedAttachment.id")


class ReceivedAttachment(Base):
    """A file that came inside a received child-protection file (sealed like an attachment)."""

    __tablename__ = "cp_file_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_id: Mapped[int] = mapped_column(ForeignKey("cp_files_received.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # its number inside the package's record
    filename: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    sealed: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
