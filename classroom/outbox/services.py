"""Queueing emails in the caller's transaction and delivering them after commit."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.orm import Session

from classroom.outbox.models import OutboxMessage

LEASE = timedelta(minutes=2)


def enqueue_email(
    session: Session,
    dedupe_key: str,
    to_address: str,
    subject: str,
    body: str,
    *,
    school_id: int | None,
    now: datetime,
) -> OutboxMessage | None:
    """Add an email to the outbox unless one with this key is already there.

    `school_id` is the school whose staff may see the message if it fails; a message without one
    is listed to nobody on the email-problems page (it belongs to no school's staff), so every
    caller says which, and None only on purpose.
    """
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
    if existing is not None:
        return None
    message = OutboxMessage(
        dedupe_key=dedupe_key[:120],
        message_id=f"<{dedupe_key.replace(':', '.')[:150]}@classroom.invalid>",
        to_address=to_address,
        subject=subject[:200],
        body=body,
        created_at=now,
        next_attempt_at=now,
        school_id=school_id,
    )
    session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """Wait longer after each failure: 30 s, 1 min, 2 min ... capped at an hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _claim(session: Session, now: datetime, limit: int) -> list[OutboxMessage]:
    """Lease due messages so two workers never send the same one at the same time."""
    due = list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.dead_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for message in due:
        message.lease_until = now + LEASE
    session.commit()  # the worker's own unit of work: the lease is held before any email leaves
    return due


def _email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id  # the same on every retry, so copies can be merged
    email.set_content(message.body)
    return email


def smtp_sender(config: dict[str, Any]) -> Callable[[EmailMessage], None]:
    """A function that sends one email over SMTP with the app's settings."""

    def send(email: EmailMessage) -> None:
        if not config["SMTP_HOST"]:
            raise ConnectionError("no mail server is configured (CLASSROOM_SMTP_HOST)")
        with smtplib.SMTP(
            config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=int(config["SMTP_TIMEOUT"])
        ) as smtp:
            if int(config["SMTP_STARTTLS"]):
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(email)

    return send


def deliver_due(
    session: Session,
    send: Callable[[EmailMessage], None],
    sender: str,
    max_attempts: int,
    limit: int = 50,
    *,
    clock: Callable[[], datetime],
) -> tuple[int, int]:
    """Send what is due; returns (sent, failed). Failures are retried later with backoff.

    `clock` is read after each send (and failure), not once: a slow mail server makes a round
    take minutes, and each message's sent time and next try are stamped when they happen.
    """
    sent = failed = 0
    for message in _claim(session, clock(), limit):
        try:
            send(_email(message, sender))
        except (TimeoutError, OSError, smtplib.SMTPException) as error:
            _note_failure(message, str(error), max_attempts, clock())
            failed += 1
        else:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(sent_at=clock(), lease_until=None, attempts=message.attempts + 1)
            )
            sent += 1
        session.commit()  # one message at a time: a crash after sending never sends it again
    return sent, failed


def _note_failure(message: OutboxMessage, error: str, max_attempts: int, now: datetime) -> None:
    message.attempts += 1
    message.last_error = error[:500]
    message.lease_until = None
    message.next_attempt_at = now + backoff(message.attempts)
    if message.attempts >= max_attempts:
        message.dead_at = now  # listed for staff; a person has to look at it


def failures(session: Session, scope: Select[OutboxMessage]) -> list[OutboxMessage]:
    """Messages in the scope (see `policy.visible_mail_failures`) that failed and are not sent."""
    return list(
        session.scalars(
            scope.where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts > 0).order_by(
                OutboxMessage.id.desc()
            )
        )
    )


def retry_now(message: OutboxMessage, *, now: datetime) -> None:
    """Put a failed or given-up message back in the queue at once."""
    message.dead_at = None
    message.next_attempt_at = now
