"""The outbox: messages written in the same transaction as the change, sent after commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from classroom.db import Base, UtcDateTime

# Alerts about a worry are keyed by their incident ("incident:<id>:..."): that they exist, whom
# they went to and when, are for the safeguarding team's eyes only.
SAFEGUARDING_KEY = "incident:"
# Emails to carers are keyed by the carer ("parents:<account id>:..."), whatever they are about.
CARER_KEY = "parents:"
# Why an email to carers is not sent after a restore (outbox.services.hold_after_restore): it
# was waiting when the backup was made, and may have gone out after it, before the restore.
HELD_AFTER_RESTORE = (
    "Held after a restore from a backup: it may have been sent after the backup was made. "
    "Send it only if they have not had it."
)


class OutboxMessage(Base):
    """One email to send. `dedupe_key` makes writing it twice a no-op; Message-ID is stable.

    `message_id` is chosen once, when the message is written: every retry sends the same one (so
    a receiving server can merge copies), and no other email anywhere has it (see enqueue_email).
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_due", "sent_at", "dead_at", "next_attempt_at"),
        # A school's unsent messages (the email-problems page), not every message it ever sent.
        Index("ix_outbox_messages_school_sent", "school_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # Where the recipient changes or stops these emails (their List-Unsubscribe header): carers'
    # emails have one; safeguarding and other staff alerts, which nobody may opt out of, do not.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Tries the mail server answered with a refusal of the message itself (a 5xx), apart from
    # tries that never reached a server: only these count toward giving a message up.
    refusals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    dead_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Held after a restore, then left unsent by a person: the family had had it (see
    # outbox.services.leave_unsent). No longer listed as a problem.
    left_unsent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The school whose staff may see this message if it fails (the email-problems page).
    school_id: Mapped[int | None] = mapped_column(Integer)

    @property
    def is_held(self) -> bool:
        """Held after a restore for a person to send, or leave if it was sent before."""
        return (
            self.dead_at is not None
            and self.last_error == HELD_AFTER_RESTORE
            and self.left_unsent_at is None
        )

    @property
    def is_safeguarding(self) -> bool:
        return self.dedupe_key.startswith(SAFEGUARDING_KEY)
