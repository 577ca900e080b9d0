"""When carers hear about new things: the school's quiet hours, emails and daily digests.

Emails go through the outbox in the caller's transaction and say only that there is something
new, with a link to sign in: never a name, a message or a detail (the policy: depersonalise).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts import email_change
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.config import parse_holidays
from classroom.db import serialise
from classroom.errors import Forbidden, Invalid, Throttled
from classroom.localtime import local_time
from classroom.outbox.models import OutboxMessage
from classroom.outbox.services import enqueue_email
from classroom.parents.models import CarerSettings, EmailMode, FeedItem, FeedReceipt
from classroom.principals import Actor
from classroom.pupils.models import ParentLink

SUBJECT = "Something new from school"
DIGEST_SUBJECT = "Your daily update from school"


@dataclass(frozen=True)
class QuietHours:
    """When the school does not send to carers: evenings, weekends and holidays (local time)."""

    start: time
    end: time
    weekends: bool
    holidays: frozenset[date]
    zone: ZoneInfo

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> QuietHours:
        return cls(
            time.fromisoformat(cfg["PARENT_QUIET_START"]),
            time.fromisoformat(cfg["PARENT_QUIET_END"]),
            bool(int(cfg["PARENT_QUIET_WEEKENDS"])),
            parse_holidays(str(cfg["PARENT_HOLIDAYS"])),
            ZoneInfo(cfg["TIMEZONE"]),
        )

    def day_off(self, day: date) -> bool:
        return (self.weekends and day.weekday() >= 5) or day in self.holidays

    def is_quiet(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone)
        if self.day_off(local.date()):
            return True
        now = local.time()
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end  # overnight, e.g. 16:30 to 08:00

    def next_open(self, moment: datetime) -> datetime:
        """The moment itself outside quiet hours; otherwise the moment quiet hours next end."""
        if not self.is_quiet(moment):
            return moment
        today = moment.astimezone(self.zone).date()
        for n in range(400):
            for at in (time(0), self.end):
                candidate = datetime.combine(today + timedelta(days=n), at, tzinfo=self.zone)
                if candidate > moment and not self.is_quiet(candidate):
                    return candidate.astimezone(UTC)
        return moment  # a whole year of holidays: send rather than hold for ever


@dataclass(frozen=True)
class CarerEmails:
    """The settings carers' emails go by: quiet hours, the sign-in link, the digest's time."""

    hours: QuietHours
    base_url: str
    digest_time: time
    secret_key: str = field(repr=False)  # signs the links that confirm an address

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> CarerEmails:
        return cls(
            QuietHours.from_config(cfg),
            str(cfg["BASE_URL"]),
            time.fromisoformat(cfg["PARENT_DIGEST_TIME"]),
            str(cfg["SECRET_KEY"]),
        )


def school_today(now: datetime, zone: ZoneInfo) -> date:
    """Today's date at the school (consent expiry and digests go by the local day)."""
    return now.astimezone(zone).date()


def carer_settings(session: Session, carer: Account) -> CarerSettings:
    """A carer's settings; a carer who never chose gets an email for each new thing."""
    found = session.get(CarerSettings, carer.id)
    return found or CarerSettings(account_id=carer.id, email_mode=EmailMode.EACH, symbols=False)


def connected_carers(session: Session, pupil_id: int) -> list[Account]:
    """The active carers connected to a pupil now."""
    return list(
        session.scalars(
            select(Account)
            .join(ParentLink, ParentLink.parent_id == Account.id)
            .where(
                ParentLink.pupil_id == pupil_id,
                ParentLink.revoked_at.is_(None),
                Account.active.is_(True),
            )
            .order_by(Account.display_name)
        )
    )


def item_key(carer_id: int, item_id: int) -> str:
    return f"parents:{carer_id}:item:{item_id}"


def held_key(carer_id: int, release: datetime) -> str:
    """The one email a carer gets when quiet hours end at `release`, for all they held back."""
    return f"{held_prefix(carer_id)}{release.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def held_prefix(carer_id: int) -> str:
    return f"parents:{carer_id}:held:"


def settings_url(base_url: str) -> str:
    """A carer's email settings page (parents.settings), where emails are changed or stopped.

    It asks them to sign in first: an email forwarded, or read over a shoulder, cannot change
    a carer's settings, so there is no one-click link that works without signing in.
    """
    return f"{base_url.rstrip('/')}/family/settings"


def feed_url(base_url: str, carer_id: int) -> str:
    """The link in a carer's emails: their children's page, saying whose email it was.

    A family tablet is often left signed in as the other carer: opened there, the link says so
    (parents.home) rather than showing that carer's children and their messages to class staff.
    The account's number is no secret (it grants nothing) and names no one.
    """
    return f"{base_url.rstrip('/')}/family/children/?{FOR_CARER}={carer_id}"


FOR_CARER = "for"  # the query parameter `feed_url` sets


def _email_body(lines: Iterable[str], base_url: str, carer_id: int) -> str:
    return (
        "\n\n".join(
            [
                *lines,
                f"Please sign in to see it: {feed_url(base_url, carer_id)}",
                "For your child's privacy, these emails never include names or details.",
                "To get one email a day instead, or to stop these emails, change your email "
                f"settings: {settings_url(base_url)}",
            ]
        )
        + "\n"
    )


def notify(session: Session, item: FeedItem, *, now: datetime, base_url: str) -> int:
    """Queue a "something new" email for each carer who wants them: at once, or, for an item
    quiet hours hold back, one email per carer when they end, counting all it held back."""
    if item.from_carer:
        return 0  # carers' messages go to class staff, who see them in the app
    if not policy.may_tell_carers(session, item.pupil_id):
        return 0  # held while "do not contact" is in force; never emailed later either
    queued = 0
    for carer in connected_carers(session, item.pupil_id):
        wanted = carer_settings(session, carer).email_mode == EmailMode.EACH
        if not carer.email or not wanted or item.to_carer_id not in (None, carer.id):
            continue
        held = _hold(session, carer, item, now=now, base_url=base_url)
        if held is None:
            held = _each(session, carer, item, now=now, base_url=base_url)
        queued += held
    return queued


def _body(things: int, base_url: str, carer_id: int) -> str:
    return _email_body([_what_is_new(things)], base_url, carer_id)


def _what_is_new(things: int) -> str:
    said = "is something new" if things == 1 else f"are {things} new things"
    return f"There {said} for you in the school's parents' app."


def _each(
    session: Session, carer: Account, item: FeedItem, *, now: datetime, base_url: str
) -> bool:
    """An email about this item alone, sent once quiet hours allow."""
    key = item_key(carer.id, item.id)
    return _queue(session, key, carer, item, item.deliver_at, now, base_url) is not None


def _queue(
    session: Session,
    key: str,
    carer: Account,
    item: FeedItem,
    due: datetime,
    now: datetime,
    base_url: str,
) -> OutboxMessage | None:
    """A "something new" email to the carer, sent from `due` (None: one with its key exists)."""
    message = enqueue_email(
        session,
        key,
        carer.email or "",
        SUBJECT,
        _body(1, base_url, carer.id),
        school_id=item.school_id,
        now=now,
        base_url=base_url,
        unsubscribe_url=settings_url(base_url),
    )
    if message is not None:
        message.next_attempt_at = due
    return message


def _hold(
    session: Session, carer: Account, item: FeedItem, *, now: datetime, base_url: str
) -> bool | None:
    """Count an item quiet hours hold back in the carer's one email for when they end.

    None if the item is not held, or if that email is already being sent (quiet hours end as
    the item is made): the item then gets an email of its own rather than be left out.
    """
    release, key = item.deliver_at, held_key(carer.id, item.deliver_at)
    if release <= now:
        return None
    serialise(session, key)  # two requests never both write the carer's one email
    message = _held_message(session, key)
    if message is None:
        message = _queue(session, key, carer, item, release, now, base_url)
        if message is None:
            return None
    elif not _waiting(message, now):
        return None
    session.flush()
    return _recount(session, carer, message, now=now)


def _held_message(session: Session, key: str) -> OutboxMessage | None:
    # Locked (PostgreSQL): a worker claiming it as quiet hours end waits, or is waited for.
    return session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == key).with_for_update()
    )


def _waiting(message: OutboxMessage, now: datetime) -> bool:
    """Not sent, not given up and not being sent right now: its count may still change."""
    leased = message.lease_until is not None and message.lease_until >= now
    return message.sent_at is None and message.dead_at is None and not leased


def held_back(session: Session, carer: Account, release: datetime) -> int:
    """How many things quiet hours hold back from this carer until `release` (to the second, as
    `held_key` keeps it): what their feed shows from then on, as far as they may be told now."""
    start = release.replace(microsecond=0)
    end = start + timedelta(seconds=1)
    query = (
        policy.carer_feed_items(carer, end)
        .where(
            FeedItem.deliver_at >= start,
            FeedItem.deliver_at < end,
            FeedItem.created_at < FeedItem.deliver_at,
            FeedItem.author_id != carer.id,
        )
        .with_only_columns(FeedItem.id)
        .order_by(None)
    )
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _recount(
    session: Session, carer: Account | None, message: OutboxMessage, *, now: datetime
) -> bool:
    """Say how many things the held email is about; withdraw it once it is about nothing."""
    things = held_back(session, carer, _release_of(message)) if carer is not None else 0
    if not things:
        if cancel_pending(session, [message.dedupe_key], now=now):
            session.expunge(message)  # deleted by the statement: the session forgets it too
        return False
    # Only the first paragraph counts; the rest (links, privacy, settings) stays as written.
    rest = message.body.partition("\n\n")[2]
    message.body = f"{_what_is_new(things)}\n\n{rest}"
    return True


def recount_held(session: Session, keys: Iterable[str], *, now: datetime) -> int:
    """Count again the emails with these keys still waiting for quiet hours to end, after
    something in them was withdrawn (a carer disconnected, a "do not contact"): each says how
    many things are left, and one left with none goes. Returns how many went."""
    wanted = list(keys)
    if not wanted:
        return 0
    found = session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.in_(wanted)))
    withdrawn = 0
    for message in list(found):
        carer = session.get(Account, _carer_of(message.dedupe_key))
        if _waiting(message, now) and not _recount(session, carer, message, now=now):
            withdrawn += 1
    return withdrawn


def _carer_of(key: str) -> int:
    return int(key.split(":")[1])


def _release_of(message: OutboxMessage) -> datetime:
    """When the quiet hours a held email waits for end, from its key (`held_key`): its next
    attempt moves on if it fails."""
    stamp = message.dedupe_key.rsplit(":", 1)[1]
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def waiting_held_keys(session: Session, carer_id: int) -> list[str]:
    """The keys of a carer's emails for the end of quiet hours not sent yet."""
    return list(
        session.scalars(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.startswith(held_prefix(carer_id), autoescape=True),
                OutboxMessage.sent_at.is_(None),
            )
        )
    )


def cancel_pending(session: Session, keys: Iterable[str], *, now: datetime) -> int:
    """Withdraw queued emails not yet sent (and not being sent right now)."""
    wanted = list(keys)
    if not wanted:
        return 0
    result = session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.in_(wanted),
            OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def cancel_item_emails(session: Session, carer_id: int, *, now: datetime) -> int:
    """Withdraw a carer's "something new" emails still waiting (for quiet hours to end): those
    about one item and those about all that quiet hours held back."""
    result = session.execute(
        delete(OutboxMessage)
        .where(
            something_new(carer_id),
            OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def something_new(carer_id: int) -> ColumnElement[bool]:
    """SQL: an outbox message is one of this carer's "something new" emails (either kind)."""
    return or_(
        OutboxMessage.dedupe_key.startswith(item_key(carer_id, 0)[:-1], autoescape=True),
        OutboxMessage.dedupe_key.startswith(held_prefix(carer_id), autoescape=True),
    )


def cancel_for_carer(session: Session, carer_id: int, pupil_id: int, *, now: datetime) -> int:
    """A disconnected carer is not emailed about anything still waiting for quiet hours: the
    email for the end of quiet hours counts only their other children's things, if any."""
    item_ids = session.scalars(select(FeedItem.id).where(FeedItem.pupil_id == pupil_id))
    session.flush()  # the link's end, which the recount reads
    withdrawn = cancel_pending(session, (item_key(carer_id, i) for i in item_ids), now=now)
    withdrawn += recount_held(session, waiting_held_keys(session, carer_id), now=now)
    return withdrawn + _recount_digests(session, carer_id, now=now)


def digest_prefix(carer_id: int) -> str:
    return f"parents:{carer_id}:digest:"


def _recount_digests(session: Session, carer_id: int, *, now: datetime) -> int:
    """A digest queued before a carer was disconnected (the mail server was down, say) and not
    sent yet counts no more than is still theirs to see: it goes if that is nothing (a carer
    disconnected from their only child is emailed nothing after). Returns how many went."""
    carer = session.get(Account, carer_id)
    waiting = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.dedupe_key.startswith(digest_prefix(carer_id), autoescape=True),
            OutboxMessage.sent_at.is_(None),
        )
    )
    withdrawn = 0
    for message in list(waiting):
        if not _waiting(message, now):
            continue
        things = unseen_count(session, carer, now=now) if carer is not None else 0
        counted = _digest_count(message.body)
        if things and counted is not None:
            rest = message.body.partition("\n\n")[2]
            message.body = f"{_digest_line(min(things, counted))}\n\n{rest}"
        elif cancel_pending(session, [message.dedupe_key], now=now):
            session.expunge(message)
            withdrawn += 1
    return withdrawn


def _digest_line(things: int) -> str:
    said = "is 1 new thing" if things == 1 else f"are {things} new things"
    return f"There {said} for you in the school's parents' app."


def _digest_count(body: str) -> int | None:
    """How many things a digest's first paragraph (`_digest_line`) says there are."""
    words = body.partition("\n\n")[0].split()
    return int(words[2]) if len(words) > 2 and words[2].isdigit() else None


def sweep_blocked(session: Session, *, now: datetime) -> int:
    """A "do not contact" decision also stops queued emails about that incident or child."""
    items = session.scalars(
        select(FeedItem).where(
            FeedItem.deliver_at > now - timedelta(days=7),
            or_(
                and_(
                    FeedItem.incident_id.is_not(None),
                    policy.do_not_contact(FeedItem.incident_id, FeedItem.pupil_id),
                ),
                policy.carers_locked_out(FeedItem.pupil_id, FeedItem.created_at),
            ),
        )
    )
    pairs = [
        (link.parent_id, item)
        for item in items
        for link in session.scalars(select(ParentLink).where(ParentLink.pupil_id == item.pupil_id))
    ]
    held = {held_key(c, i.deliver_at) for c, i in pairs if i.deliver_at > i.created_at}
    withdrawn = cancel_pending(session, [item_key(c, i.id) for c, i in pairs], now=now)
    return withdrawn + recount_held(session, sorted(held), now=now)


def unseen_count(
    session: Session,
    carer: Account,
    since: datetime | None = None,
    pupil_id: int | None = None,
    *,
    now: datetime,
) -> int:
    """Items for this carer they have not opened yet: all, since a time, or for one child."""
    query = (
        policy.carer_feed_items(carer, now)
        .where(
            FeedItem.author_id != carer.id,
            ~exists(
                select(FeedReceipt.id).where(
                    FeedReceipt.item_id == FeedItem.id, FeedReceipt.carer_id == carer.id
                )
            ),
        )
        .with_only_columns(FeedItem.id)
        .order_by(None)
    )
    if since is not None:
        query = query.where(FeedItem.deliver_at > since)
    if pupil_id is not None:
        query = query.where(FeedItem.pupil_id == pupil_id)
    # Counted by the database: a carer who reads email and never opens the app gathers years of
    # unopened items, and each of them was read back only to be counted.
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def _digest_due(now: datetime, emails: CarerEmails) -> datetime | None:
    """The start of today (UTC) if a digest may go now, else None."""
    hours = emails.hours
    local = now.astimezone(hours.zone)
    if hours.is_quiet(now) or local.time() < emails.digest_time:
        return None
    return datetime.combine(local.date(), time(0), tzinfo=hours.zone).astimezone(UTC)


def send_digests(session: Session, emails: CarerEmails, *, now: datetime) -> int:
    """Once a day, one email to each carer on the digest who has something unseen."""
    today_start = _digest_due(now, emails)
    if today_start is None:
        return 0
    day = today_start.astimezone(emails.hours.zone).date()
    daily = select(CarerSettings).where(CarerSettings.email_mode == EmailMode.DAILY)
    sent = 0
    for prefs in session.scalars(daily):
        if prefs.digest_through is None or prefs.digest_through < today_start:
            sent += _digest(session, prefs, day, now=now, base_url=emails.base_url)
            prefs.digest_through = now
    return sent


def _digest(
    session: Session, prefs: CarerSettings, day: date, *, now: datetime, base_url: str
) -> int:
    carer = session.get(Account, prefs.account_id)
    if carer is None or not carer.active or not carer.email:
        return 0
    # A minute's overlap, so an item committed while the last digest was being made still counts.
    since = prefs.digest_through - timedelta(minutes=1) if prefs.digest_through else None
    new = unseen_count(session, carer, since, now=now)
    if not new:
        return 0
    body = _email_body([_digest_line(new)], base_url, carer.id)
    enqueue_email(
        session,
        f"{digest_prefix(carer.id)}{day}",
        carer.email,
        DIGEST_SUBJECT,
        body,
        school_id=carer.school_id,
        now=now,
        base_url=base_url,
        unsubscribe_url=settings_url(base_url),
    )
    return 1


def tick(session: Session, emails: CarerEmails, *, now: datetime) -> int:
    """The worker's round for carers: withdraw blocked emails, then send due digests."""
    return sweep_blocked(session, now=now) + send_digests(session, emails, now=now)


# --- A new address, held until the carer confirms it ------------------------------------------
#
# The school's e-safety policy asks that a recipient's address be checked before anything is
# sent to it. An address typed when joining, given later in Settings, or typed by staff making
# the account may have a typing mistake, so it is held here (not in `Account.email`, which every
# email to the carer goes to) and a link is emailed to it. Once the carer opens the link, signed
# in, the address becomes theirs through the same step as any change (email_change.set_address),
# and school emails go to it. Until then an address already in use keeps getting them, and
# their feed works all along.

CONFIRM_SUBJECT = "Please confirm your email address"
CHANGE_ASKED_SUBJECT = "A new email address for school emails is waiting to be confirmed"
LINK_DAYS = 3
LINKS_PER_HOUR = 3  # sent to one carer's held address, counting the one sent at joining
# What the settings page says after a link was sent or opened (`?email=<outcome>`).
LINK_OUTCOMES = {
    "sent": "We have sent you an email. Open it and tap the link to confirm your address.",
    "asked": "We have emailed a link to your new address. Open it and tap the link to confirm "
    "it. Until you do, school emails keep going to your address as it was.",
    "kept": "Your email address stays as it was. The new address waiting to be confirmed is "
    "dropped.",
    "confirmed": "Thank you. Your email address is confirmed. School emails will go to it.",
    "dropped": "You have no email address now, so the app sends you no emails.",
}
LINK_RUN_OUT = (
    f"This link has run out: links work for {LINK_DAYS} days. Go to Settings and tap "
    '"Send the link again".'
)
LINK_OLD = "This link is old. Please use the link in the newest email we sent you."
LINK_BROKEN = (
    "This link does not work. Check you copied all of it, or send a new one from Settings."
)
LINK_NOT_YOURS = (
    "This link is for a different account. Sign out, then sign in as the person the email was for."
)
IF_NOT_YOU = (
    "If you did not do this, please phone the school office straight away: someone else may be "
    "using your account."
)


def confirm_prefix(carer_id: int) -> str:
    return f"parents:{carer_id}:confirm:"


def waiting_address(session: Session, carer: Account) -> str | None:
    """The address given for this carer and not confirmed yet, if any (beside any in use)."""
    prefs = session.get(CarerSettings, carer.id)
    if prefs is None or prefs.unconfirmed_email == carer.email:
        return None
    return prefs.unconfirmed_email


def hold_address(
    session: Session,
    carer: Account,
    address: str,
    *,
    secret_key: str,
    base_url: str,
    now: datetime,
    actor: Actor | None = None,
) -> None:
    """Keep `address` (already checked) until the carer confirms it, and email it the link.
    `actor` is who gave it, if not the carer (staff making the account)."""
    prefs = session.get(CarerSettings, carer.id)
    if prefs is None:
        prefs = CarerSettings(account_id=carer.id, email_mode=EmailMode.EACH, symbols=False)
        session.add(prefs)
    _withdraw_links(session, carer.id, now=now)  # an earlier address's link is not sent now
    prefs.unconfirmed_email = address
    _send_link(
        session, carer, address, secret_key=secret_key, base_url=base_url, now=now, actor=actor
    )


def hold_for_new_account(
    session: Session,
    actor: Actor,
    carer: Account,
    address: str | None,
    *,
    secret_key: str,
    base_url: str,
    now: datetime,
) -> None:
    """Staff made the carer's account with this address (already checked; None for none): it is
    held until the carer signs in and confirms it, as one they typed themselves would be."""
    if address is None:
        return
    session.flush()  # the account's id, which the link names
    hold_address(
        session, carer, address, secret_key=secret_key, base_url=base_url, now=now, actor=actor
    )
    record(session, actor, "carer.email_held", carer, f"given by staff: {address}")


@dataclass(frozen=True)
class ImportedAddresses:
    """A new carer's address from the MIS import, held as staff-typed ones are
    (pupils.importer.CarerAddresses): the export may hold an old or mistyped address."""

    secret_key: str
    base_url: str

    def waiting_for(self, address: str) -> Select[int]:
        """Carer accounts whose address `address` (lower case) still waits to be confirmed,
        so that the next export finds them again instead of making them twice."""
        held = func.lower(CarerSettings.unconfirmed_email) == address
        return select(CarerSettings.account_id).where(held)

    def hold(
        self, session: Session, actor: Actor, carer: Account, address: str, *, now: datetime
    ) -> None:
        hold_for_new_account(
            session, actor, carer, address,
            secret_key=self.secret_key, base_url=self.base_url, now=now,
        )  # fmt: skip


def drop_held(session: Session, carer: Account, *, now: datetime) -> bool:
    """Forget the address waiting to be confirmed, and its links (audited). Whether one was."""
    held = waiting_address(session, carer)
    if held is None:
        return False
    _withdraw_links(session, carer.id, now=now)
    carer_settings(session, carer).unconfirmed_email = None
    record(session, carer, "carer.email_held", carer, f"dropped: {held}")
    return True


def send_link_again(session: Session, carer: Account, emails: CarerEmails, *, now: datetime) -> str:
    """Another link to the held address, a few an hour at most (Throttled). Says "sent"."""
    address = waiting_address(session, carer)
    if not carer.is_parent or address is None:
        raise Invalid("Your email address is not waiting to be confirmed.")
    check_links_per_hour(session, carer, now=now)
    _send_link(
        session, carer, address, secret_key=emails.secret_key, base_url=emails.base_url, now=now
    )
    return "sent"


def tell_change_asked(
    session: Session, carer: Account, emails: CarerEmails, *, now: datetime
) -> None:
    """Tell the address in use, at once, that another was given: no name and not the new
    address, so a change the carer did not ask for is noticed before it can be confirmed."""
    lines = [
        "A new email address was given for your account in the school's parents' app on "
        f"{local_time(now, zone=emails.hours.zone)}.",
        "Nothing changes until the new address is confirmed from the link we emailed to it. "
        "Until then, school emails keep coming to this address.",
        IF_NOT_YOU,
    ]
    enqueue_email(
        session,
        f"parents:{carer.id}:address-asked:{now:%Y%m%dT%H%M%S%f}",
        carer.email or "",
        CHANGE_ASKED_SUBJECT,
        "\n\n".join(lines) + "\n",
        school_id=carer.school_id,
        now=now,
        base_url=emails.base_url,
    )


def own_waiting(carer_id: int, now: datetime) -> ColumnElement[bool]:
    """A carer's "something new" emails (one item's, or all quiet hours held back) and digests
    not sent, failed or being sent yet: those that follow a change of their address."""
    digests = OutboxMessage.dedupe_key.startswith(digest_prefix(carer_id), autoescape=True)
    return and_(or_(something_new(carer_id), digests), email_change.unsent(now))


def confirm(
    session: Session, carer: Account, link: str, emails: CarerEmails, *, now: datetime
) -> str:
    """The carer opened the link: the held address becomes the one school emails go to
    (audited as "carer.email_confirmed"). Says "confirmed"; Invalid saying what to do if the
    link is broken, someone else's, for an address since corrected, or run out."""
    if not carer.is_parent:
        raise Forbidden("only a carer confirms their email address here")
    carer_id, sent_at, mac = _read_link(link)
    if carer_id != carer.id:
        raise Invalid(LINK_NOT_YOURS)
    address = waiting_address(session, carer)
    if address is None or not hmac.compare_digest(
        mac, _link_mac(emails.secret_key, carer_id, sent_at, address)
    ):
        if carer.email is not None and hmac.compare_digest(
            mac, _link_mac(emails.secret_key, carer_id, sent_at, carer.email)
        ):
            return "confirmed"  # opened twice: it is theirs already
        raise Invalid(LINK_OLD)
    if now > sent_at + timedelta(days=LINK_DAYS):
        raise Invalid(LINK_RUN_OUT)
    carer_settings(session, carer).unconfirmed_email = None
    email_change.set_address(
        session,
        carer,
        carer,
        address,
        waiting=own_waiting(carer.id, now),
        tell=old_address_email(carer, emails),
        now=now,
        action="carer.email_confirmed",
    )
    return "confirmed"


def old_address_email(carer: Account, emails: CarerEmails) -> email_change.OldAddressEmail:
    """What the address that was in use is told once it is changed or removed."""
    return email_change.OldAddressEmail(
        f"parents:{carer.id}",
        "your account in the school's parents' app",
        IF_NOT_YOU,
        emails.hours.zone,
        emails.base_url,
    )


def confirm_url(base_url: str, link: str) -> str:
    return f"{base_url.rstrip('/')}/family/email/confirm?link={link}"


def _send_link(
    session: Session,
    carer: Account,
    address: str,
    *,
    secret_key: str,
    base_url: str,
    now: datetime,
    actor: Actor | None = None,
) -> None:
    """The email with the link: sent at once, whatever the hour (it was just asked for)."""
    stamp = now.astimezone(UTC).replace(microsecond=0)
    link = f"{carer.id}.{int(stamp.timestamp())}.{_link_mac(secret_key, carer.id, stamp, address)}"
    meanwhile = (
        "Until you confirm, school emails keep going to the address you had before."
        if carer.email
        else "Until you confirm, the school sends you no emails."
    )
    lines = [
        "Please confirm your email address for the school's parents' app.",
        f"To confirm, open this link and sign in: {confirm_url(base_url, link)}",
        f"The link works for {LINK_DAYS} days.",
        f"{meanwhile} You can still see everything in the app.",
        "Did you not expect this? Then you do not need to do anything.",
    ]
    enqueue_email(
        session,
        f"{confirm_prefix(carer.id)}{now:%Y%m%dT%H%M%S}:{secrets.token_hex(4)}",  # each a new one
        address,
        CONFIRM_SUBJECT,
        "\n\n".join(lines) + "\n",
        school_id=carer.school_id,
        now=now,
        base_url=base_url,
    )
    record(session, actor or carer, "carer.email_link_sent", carer, address)


def _link_mac(secret_key: str, carer_id: int, sent_at: datetime, address: str) -> str:
    """Keyed: nobody can make a link, or change the address or time in one."""
    text = f"carer-email-confirm:{carer_id}:{int(sent_at.timestamp())}:{address}"
    return hmac.new(secret_key.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


def _read_link(link: str) -> tuple[int, datetime, str]:
    parts = link.strip().split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or len(parts[2]) > 64:
        raise Invalid(LINK_BROKEN)
    try:
        sent_at = datetime.fromtimestamp(int(parts[1]), UTC)
    except (OverflowError, OSError, ValueError) as problem:
        raise Invalid(LINK_BROKEN) from problem
    return int(parts[0]), sent_at, parts[2]


def check_links_per_hour(session: Session, carer: Account, *, now: datetime) -> None:
    sent = session.scalar(
        select(func.count()).where(
            OutboxMessage.dedupe_key.startswith(confirm_prefix(carer.id), autoescape=True),
            OutboxMessage.created_at > now - timedelta(hours=1),
        )
    )
    if (sent or 0) >= LINKS_PER_HOUR:
        raise Throttled(60)


def _withdraw_links(session: Session, carer_id: int, *, now: datetime) -> None:
    session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.startswith(confirm_prefix(carer_id), autoescape=True),
            email_change.unsent(now),
        )
        .execution_options(synchronize_session=False)
    )
