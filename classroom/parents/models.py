"""Carers' invite codes, each child's feed, read receipts, photo consent and carers' settings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from classroom.accounts.models import Account
from classroom.db import Base, UtcDateTime, str_enum
from classroom.photos import ConsentPurpose
from classroom.pupils.models import Pupil

__all__ = ["ConsentPurpose"]  # defined with the photos it is about (classroom.photos)


class FeedKind(StrEnum):
    LEARNING_MOMENT = "learning_moment"
    MESSAGE = "message"
    NOTICE = "notice"  # an incident notice the safeguarding team chose to send


class EmailMode(StrEnum):
    OFF = "off"
    EACH = "each"  # one short "something new" email per item
    DAILY = "daily"  # one digest a day at most


EMAIL_MODE_LABELS = {
    EmailMode.EACH: "Email me each time there is something new",
    EmailMode.DAILY: "Email me once a day at most (a daily digest)",
    EmailMode.OFF: "No emails: I will look in the app",
}


CONSENT_PURPOSE_LABELS = {
    ConsentPurpose.APP: "Photos shared with you in this app",
    ConsentPurpose.WEBSITE: "Photos on the school website (never with names)",
}


class CarerInvite(Base):
    """A one-time code that connects whoever types it to one pupil; only its hash is kept."""

    __tablename__ = "carer_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    relationship_label: Mapped[str] = mapped_column(String(40))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    created_by: Mapped[Account] = relationship(foreign_keys=[created_by_id])
    used_by: Mapped[Account | None] = relationship(foreign_keys=[used_by_id])

    def outstanding(self, now: datetime) -> bool:
        return self.used_at is None and self.cancelled_at is None and now < self.expires_at


class FeedItem(Base):
    """One thing in a child's feed: a learning moment, a message or an incident notice.

    Staff messages go to every connected carer (`to_carer_id` NULL) or to one carer; a carer's
    message goes to class staff only, never to the child's other carers. Nothing is shown or
    emailed before `deliver_at`, which the school's quiet hours push to the next morning.
    """

    __tablename__ = "feed_items"
    __table_args__ = (Index("ix_feed_items_pupil_deliver", "pupil_id", "deliver_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    kind: Mapped[FeedKind] = mapped_column(str_enum(FeedKind, 16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    deliver_at: Mapped[datetime] = mapped_column(UtcDateTime())
    author_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    from_carer: Mapped[bool] = mapped_column(Boolean, default=False)
    to_carer_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    objective_text: Mapped[str | None] = mapped_column(String(300))
    level_words: Mapped[str | None] = mapped_column(String(120))
    photo_file: Mapped[str | None] = mapped_column(String(80))
    # When its photo was deleted because photo consent for the app was withdrawn: the moment
    # stays, and says so, rather than silently losing its picture.
    photo_removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    # The observation a learning moment was shared from (assessment's "Share as learning
    # moment"), if any: when the school later withdraws or corrects it, the carer's feed says so
    # (read from the observation each time it is shown, so it can never say otherwise).
    observation_id: Mapped[int | None] = mapped_column(ForeignKey("observations.id"), index=True)
    key: Mapped[str | None] = mapped_column(String(64), unique=True)  # a double tap sends once

    pupil: Mapped[Pupil] = relationship()
    author: Mapped[Account] = relationship(foreign_keys=[author_id])
    to_carer: Mapped[Account | None] = relationship(foreign_keys=[to_carer_id])
    receipts: Mapped[list[FeedReceipt]] = relationship(order_by="FeedReceipt.id", viewonly=True)


class FeedReceipt(Base):
    """When a carer first saw an item: staff see "seen"; carers never see staff read times."""

    __tablename__ = "feed_receipts"
    __table_args__ = (UniqueConstraint("item_id", "carer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("feed_items.id"), index=True)
    carer_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    seen_at: Mapped[datetime] = mapped_column(UtcDateTime())

    carer: Mapped[Account] = relationship()


class PhotoConsent(Base):
    """One recorded consent decision; the latest per pupil and purpose is the one in force.

    Rows are never edited: a renewal or a withdrawal is a new row, so the history stays.
    """

    __tablename__ = "photo_consents"
    __table_args__ = (Index("ix_photo_consents_pupil_purpose", "pupil_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"))
    purpose: Mapped[ConsentPurpose] = mapped_column(str_enum(ConsentPurpose, 16))
    given: Mapped[bool] = mapped_column(Boolean)
    given_by: Mapped[str] = mapped_column(String(120))  # who gave or withdrew it, in words
    given_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())

    recorded_by: Mapped[Account] = relationship()


class CarerSettings(Base):
    """A carer's own choices: email on or off, a daily digest, symbols with school news."""

    __tablename__ = "carer_settings"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    email_mode: Mapped[EmailMode] = mapped_column(str_enum(EmailMode, 8), default=EmailMode.EACH)
    symbols: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_through: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The address typed at joining, held until the carer opens the link emailed to it: school
    # emails go only to `Account.email`, which it becomes then (parents.delivery `confirm`).
    unconfirmed_email: Mapped[str | None] = mapped_column(String(254))
