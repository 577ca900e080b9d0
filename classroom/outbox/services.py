"""Queueing emails in the caller's transaction and delivering them after commit."""

from __future__ import annotations

import re
import secrets
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from email.headerregistry import AddressHeader
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Select, and_, or_, select, update
from sqlalchemy.orm import Session

from classroom.outbox.models import CARER_KEY, HELD_AFTER_RESTORE, OutboxMessage

# How long a worker holds the message it is sending. It leases one message at a time, and one
# message takes a few SMTP commands, each bounded by CLASSROOM_SMTP_TIMEOUT (10 s by default).
LEASE = timedelta(minutes=2)
LONGEST_WAIT = timedelta(hours=1)

# Sends one email; calls its second argument as soon as the server has accepted the message.
Send = Callable[[EmailMessage, Callable[[], None]], None]

# The right of a Message-ID when the instance's address (BASE_URL) names no usable host.
NO_HOST = "classroom.invalid"
# A host as a Message-ID may carry it (RFC 5322 dot-atom-text, as DNS names are written).
_DOT_ATOM = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")
# What may go between the < > of a List-Unsubscribe header: a URL in printable ASCII.
_HEADER_URL = re.compile(r"https?://[!-;=?-~]+")
# Headers set whole (`set_raw`) are written as they are. The default policy would write a line
# longer than 78 characters, such as a List-Unsubscribe with a long address, as RFC 2047
# encoded words, which no mail program reads as a link. Headers set as usual fold as before.
_EMAIL_POLICY = default_policy.clone(refold_source="none")


class MalformedEmailError(ValueError):
    """The message cannot be written as an email (its address, say): no retry can mend it."""


def enqueue_email(
    session: Session,
    dedupe_key: str,
    to_address: str,
    subject: str,
    body: str,
    *,
    school_id: int | None,
    now: datetime,
    base_url: str | None = None,
    unsubscribe_url: str | None = None,
) -> OutboxMessage | None:
    """Add an email to the outbox unless one with this key is already there.

    `school_id` is the school whose staff may see the message if it fails; a message without one
    is listed to nobody on the email-problems page (it belongs to no school's staff), so every
    caller says which, and None only on purpose.

    `base_url` is the instance's address (BASE_URL): its host ends the Message-ID. An email
    that people may stop has an `unsubscribe_url`, the page where they do (List-Unsubscribe).
    """
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
    if existing is not None:
        return None
    if unsubscribe_url is not None and len(unsubscribe_url) > 500:
        unsubscribe_url = None  # cut short it would lead nowhere: left out instead
    message = OutboxMessage(
        dedupe_key=dedupe_key[:120],
        message_id=new_message_id(base_url),
        to_address=to_address,
        subject=subject[:200],
        body=body,
        unsubscribe_url=unsubscribe_url or None,
        created_at=now,
        next_attempt_at=now,
        school_id=school_id,
    )
    session.add(message)
    return message


def new_message_id(base_url: str | None) -> str:
    """A Message-ID no other email has: 128 random bits, then this instance's host.

    Chosen once, when the message is queued, and kept in its row: a retry sends the same one, so
    a receiving server can tell a copy from a new email. Nothing in it comes from the message's
    key or the database's ids, which another school's server, or a second instance restored
    from the same backup, would give a different email too (and which would say whom, and about
    what, it is to anyone reading the headers).
    """
    return f"<{secrets.token_hex(16)}@{message_id_host(base_url)}>"


def message_id_host(base_url: str | None) -> str:
    """The host of the instance's address as the right of a Message-ID, or NO_HOST."""
    try:
        host = urlsplit((base_url or "").strip()).hostname or ""
        if not host.isascii():
            host = host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        return NO_HOST
    if ":" in host and re.fullmatch(r"[0-9a-fA-F:.]+", host):
        host = f"[{host}]"  # an IPv6 address, as a domain literal
    elif not _DOT_ATOM.fullmatch(host):
        return NO_HOST
    return host if len(host) <= 150 else NO_HOST  # the column holds 200 characters


def backoff(attempts: int) -> timedelta:
    """Wait longer after each failure: 30 s, 1 min, 2 min ... capped at an hour."""
    doublings = min(max(0, attempts - 1), 16)  # 30 s * 2**7 is past the cap already
    return min(LONGEST_WAIT, timedelta(seconds=30 * 2**doublings))


def _claim(session: Session, now: datetime) -> OutboxMessage | None:
    """Lease the next due message so two workers never send the same one at the same time.

    One message at a time: a worker that dies mid-send holds only that message for the lease,
    not a whole batch. On PostgreSQL the row lock (SKIP LOCKED) keeps a second worker off it
    until the lease is committed; on SQLite the worker's write transaction (BEGIN IMMEDIATE)
    does the same.
    """
    message = session.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.dead_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
        )
        .order_by(OutboxMessage.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if message is not None:
        message.lease_until = now + LEASE
    session.commit()  # the worker's own unit of work: the lease is held before any email leaves
    return message


def _email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The email for a message; MalformedEmailError if its address cannot be one."""
    email = EmailMessage(policy=_EMAIL_POLICY)
    try:
        email["From"] = sender
        email["To"] = message.to_address
        email["Subject"] = message.subject
    except ValueError as error:  # e.g. a line break in a header
        raise MalformedEmailError(str(error)) from error
    to = email["To"]
    addresses = to.addresses if isinstance(to, AddressHeader) else ()
    if len(addresses) != 1 or not (addresses[0].username and addresses[0].domain):
        raise MalformedEmailError(f"not an email address: {message.to_address!r}")
    email["Message-ID"] = message.message_id  # the same on every retry, so copies can be merged
    # When it was written, not when a retry got through; without a Date some mail providers
    # file an email as spam. Auto-Submitted keeps out-of-office replies from answering it.
    email["Date"] = format_datetime(message.created_at)
    email["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url and _HEADER_URL.fullmatch(message.unsubscribe_url):
        # A page to sign in to and switch the emails off (RFC 2369), not a one-click link.
        email.set_raw("List-Unsubscribe", f"<{message.unsubscribe_url}>")
    email.set_content(message.body)
    return email


def smtp_sender(config: dict[str, Any]) -> Send:
    """A function that sends one email over SMTP with the app's settings."""

    def send(email: EmailMessage, accepted: Callable[[], None]) -> None:
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
            # The server's 250 after DATA: it has the message. Say so before QUIT (the `with`
            # sends it on leaving), whose answer may be slow or never come.
            accepted()

    return send


def deliver_due(
    session: Session,
    send: Send,
    sender: str,
    max_attempts: int,
    limit: int = 50,
    *,
    clock: Callable[[], datetime],
) -> tuple[int, int]:
    """Send what is due, at most `limit`; returns (sent, failed). Failures wait (backoff).

    `clock` is read at each claim, send and failure, not once: a slow mail server makes a round
    take minutes, and each message's lease, sent time and next try are stamped when they happen.
    """
    sent = failed = 0
    for _ in range(limit):
        message = _claim(session, clock())
        if message is None:
            break
        if _deliver(session, message, send, sender, max_attempts, clock):
            sent += 1
        else:
            failed += 1
    return sent, failed


def _deliver(
    session: Session,
    message: OutboxMessage,
    send: Send,
    sender: str,
    max_attempts: int,
    clock: Callable[[], datetime],
) -> bool:
    """Send one leased message; True once the mail server has accepted it."""
    accepted = False

    def record_accepted() -> None:
        nonlocal accepted
        _mark_sent(session, message, clock())
        accepted = True

    try:
        send(_email(message, sender), record_accepted)
    except (OSError, smtplib.SMTPException, MalformedEmailError) as error:
        if accepted:
            return True  # only the goodbye (QUIT) failed: the server already has the message
        _note_failure(message, error, max_attempts, clock())
        session.commit()
        return False
    if not accepted:  # a sender that returned without saying: returning means it was sent
        record_accepted()
    return True


def _mark_sent(session: Session, message: OutboxMessage, now: datetime) -> None:
    """Record the message as sent and commit at once: a crash from here on never sends it again.

    (A crash between the server's 250 and this commit still can; the stable Message-ID then lets
    mail programs merge the two copies.)
    """
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id)
        .values(sent_at=now, lease_until=None, attempts=message.attempts + 1)
    )
    session.commit()


def refused(error: Exception) -> bool:
    """Whether this message was refused for good, rather than not delivered for now.

    Refused: the server's 5xx to the message's sender, recipients or content (SMTP says not to
    repeat those as they are), or an address no email can carry. Everything else waits and is
    retried for as long as it takes: no mail server configured or reachable (refused, timed
    out, no DNS), a 4xx ("try later"), the connection dropping, our login or TLS failing (our
    settings, the same for every message), and a 530 "log in first" to the sender.
    """
    if isinstance(error, MalformedEmailError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):  # raised only when every one was
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPSenderRefused):
        return error.smtp_code >= 500 and error.smtp_code != 530
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return False


def _note_failure(
    message: OutboxMessage, error: Exception, max_attempts: int, now: datetime
) -> None:
    message.attempts += 1
    message.last_error = str(error)[:500] or type(error).__name__
    message.lease_until = None
    message.next_attempt_at = now + backoff(message.attempts)
    if isinstance(error, MalformedEmailError):
        message.dead_at = now  # the stored address never changes: retrying cannot help
    elif refused(error):
        # A 5xx is final by the SMTP rules, but a mail server being set up or restarted can
        # refuse for a while, so a refused message is given up (and listed for staff to send
        # again) only after max_attempts refusals. Tries that never reached a server do not
        # count: an alert refused once after a long outage still gets its further tries.
        message.refusals += 1
        if message.refusals >= max_attempts:
            message.dead_at = now


def failures(session: Session, scope: Select[OutboxMessage]) -> list[OutboxMessage]:
    """Messages in the scope (see `policy.visible_mail_failures`) not sent that failed, or were
    held after a restore (`hold_after_restore`)."""
    failed_or_held = or_(OutboxMessage.attempts > 0, OutboxMessage.dead_at.is_not(None))
    unsent = and_(OutboxMessage.sent_at.is_(None), OutboxMessage.left_unsent_at.is_(None))
    return list(
        session.scalars(scope.where(unsent, failed_or_held).order_by(OutboxMessage.id.desc()))
    )


def hold_after_restore(conn: Connection, now: datetime) -> int:
    """Hold, for a person to send, the emails to carers a restored backup says are waiting and
    already due: the backup cannot say whether they went out after it was made, and a family
    must not get a notice about their child twice. Those due later (quiet hours) cannot have
    gone yet, and staff alerts go as they are: a second alert is better than a worry missed.

    Only columns every schema has: a restore of an older backup runs this before its upgrade.
    Returns how many are held."""
    result = conn.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.startswith(CARER_KEY, autoescape=True),
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.dead_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
        )
        .values(dead_at=now, last_error=HELD_AFTER_RESTORE, lease_until=None)
    )
    return int(result.rowcount or 0)


def leave_unsent(message: OutboxMessage, *, now: datetime) -> None:
    """Leave an email held after a restore unsent: the person who checked says they had it."""
    message.left_unsent_at = now


def retry_now(message: OutboxMessage, *, now: datetime) -> None:
    """Put a failed or given-up message back in the queue at once, with its tries afresh."""
    message.dead_at = None
    message.refusals = 0
    message.next_attempt_at = now
