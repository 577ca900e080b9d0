"""The audit log: one append-only row per sign-in, view of personal data and change."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from classroom.db import Base, UtcDateTime, str_enum, utcnow


class AuditTier(StrEnum):
    """How sensitive the record an entry describes is; it decides who may read the entry.

    An entry about a safeguarding record (a worry, triage, a referral, a parent-contact decision)
    is itself a safeguarding record, so it is tiered like the record it describes.
    """

    SAFEGUARDING = "safeguarding"  # the safeguarding team only
    ACCOUNT = "account"  # accounts, sign-ins, devices, mail and other system events
    RECORD = "record"  # pupils' learning records, settings and carers' feeds


class AuditEvent(Base):
    """Append-only: the app never updates or deletes these, and database triggers refuse to."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_object", "object_type", "object_id"),
        Index("ix_audit_events_school_tier", "school_id", "tier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)  # stamped when written
    actor_kind: Mapped[str] = mapped_column(String(16))  # staff | parent | pupil | system
    actor_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str | None] = mapped_column(String(64))
    # The school the entry belongs to; None only for server-wide events (a backup, a failed
    # sign-in with a username nobody has) that belong to no school. No foreign key: the log
    # outlives whatever it mentions.
    school_id: Mapped[int | None]
    tier: Mapped[AuditTier] = mapped_column(
        str_enum(AuditTier, 16), default=AuditTier.RECORD, server_default=AuditTier.RECORD.value
    )
