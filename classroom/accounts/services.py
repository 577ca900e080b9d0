"""Sign-in, sessions, password changes and account administration."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from classroom.accounts.models import (
    Account,
    LoginAttempt,
    RecoveryCode,
    RememberedDevice,
    Role,
    TwoFactor,
    UserSession,
)
from classroom.accounts.passwords import (
    burn_time,
    hash_password,
    password_problems,
    verify_password,
)
from classroom.audit.services import record
from classroom.db import Base, entity_columns, loaded, plain_rows, serialise
from classroom.errors import Invalid, Throttled
from classroom.principals import Actor


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Whom a session signs in: its account, or its pupil and their iPad (relationships of UserSession).
_WHOM = ("account", "pupil", "device")


@dataclass(frozen=True)
class _WithWhom:
    statement: Select[Any]
    parts: tuple[tuple[str, type[Base], slice], ...]  # (relationship, model, its columns)
    own: slice  # the session's own columns


@cache  # built on first use: the mappers it joins are configured once every model is loaded
def _with_whom() -> _WithWhom:
    """A session by its token hash, with whom it signs in: one statement of plain columns.

    Every request runs it, so the row is read without the ORM and made into entities by
    `db.loaded` (a whole ORM load of four entities cost a third of a millisecond).
    """
    columns = list(entity_columns(UserSession))
    own = slice(0, len(columns))
    joined = UserSession.__table__
    parts = []
    for name in _WHOM:
        relation = getattr(UserSession, name)
        model = relation.property.mapper.class_
        start = len(columns)
        columns.extend(entity_columns(model))
        parts.append((name, model, slice(start, len(columns))))
        joined = joined.outerjoin(model.__table__, relation.property.primaryjoin)
    statement = (
        select(*columns)
        .select_from(joined)
        .where(UserSession.token_hash == bindparam("token_hash"))
    )
    return _WithWhom(statement, tuple(parts), own)


def _session_with_whom(session: Session, values: Sequence[Any]) -> UserSession:
    shape = _with_whom()
    row = cast(UserSession, loaded(session, UserSession, values[shape.own]))
    for name, model, columns in shape.parts:
        set_committed_value(row, name, loaded(session, model, values[columns]))
    return row


def normalise_username(username: str) -> str:
    return username.strip().lower()[:64]


@dataclass(frozen=True)
class SignInSettings:
    """The sign-in settings, read from the app's config by the request layer and handed over."""

    window_minutes: int
    max_failures_per_account: int
    max_failures_per_address: int
    staff_session_hours: int
    staff_idle_minutes: int
    pupil_idle_minutes: int
    password_max_age_days: int
    picture_max_failures: int  # a pupil's picture password, per pupil
    zone: ZoneInfo  # the school's clock, on which ...
    school_day_end: time  # ... pupils' sessions end
    secret_key: str = field(repr=False)  # keys the hashes of two-step recovery codes
    instance: Path = field(repr=False)  # holds the key two-step secrets are sealed with

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SignInSettings:
        return cls(
            window_minutes=int(config["LOGIN_WINDOW_MINUTES"]),
            max_failures_per_account=int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]),
            max_failures_per_address=int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
            staff_session_hours=int(config["STAFF_SESSION_HOURS"]),
            staff_idle_minutes=int(config["STAFF_IDLE_MINUTES"]),
            pupil_idle_minutes=int(config["PUPIL_IDLE_MINUTES"]),
            password_max_age_days=int(config["PASSWORD_MAX_AGE_DAYS"]),
            picture_max_failures=int(config["PICTURE_MAX_FAILURES"]),
            zone=ZoneInfo(config["TIMEZONE"]),
            school_day_end=time.fromisoformat(config["SCHOOL_DAY_END"]),  # "HH:MM", validated
            secret_key=str(config["SECRET_KEY"]),
            instance=Path(config["INSTANCE_PATH"]),
        )


@dataclass
class NewSession:
    row: UserSession
    token: str


# --- Throttling -----------------------------------------------------------------------------


# What an account signs in with, each counted against its username: its password and its
# two-step codes (two_factor.THROTTLE_KIND). Not a pupil's pictures, nor a carer's invite code.
ACCOUNT_SIGN_IN_KINDS = ("password", "totp")


def _cleared(kind: str) -> str:
    """The kind of the row that marks an admin clearing an account's count of `kind` failures."""
    return f"{kind}:cleared"


def _account_count_start(session: Session, username: str, kind: str, since: datetime) -> datetime:
    """Where an account's count of failures starts: the window's start, or later if the owner
    got in since, or an admin cleared the count (`clear_sign_in_lock`)."""
    last_reset = session.scalar(
        select(func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username,
            LoginAttempt.kind.in_((kind, _cleared(kind))),
            LoginAttempt.success.is_(True),
        )
    )
    return max(since, last_reset) if last_reset else since


def _recent_failures(session: Session, by: str, value: str, kind: str, since: datetime) -> int:
    column = LoginAttempt.username if by == "username" else LoginAttempt.ip
    start = since
    if by == "username":
        # The account's owner getting in clears the account's count. An address's count is
        # never cleared by a success: anyone with some account (a carer's) could otherwise
        # sign in now and then and guess at other accounts from that address unthrottled.
        start = _account_count_start(session, value, kind, since)
    count = session.scalar(
        select(func.count()).where(
            column == value,
            LoginAttempt.kind == kind,
            LoginAttempt.success.is_(False),
            LoginAttempt.at > start,
        )
    )
    return int(count or 0)


def check_throttle(
    session: Session,
    kind: str,
    username: str,
    ip: str,
    limit: int,
    *,
    now: datetime,
    settings: SignInSettings,
) -> None:
    """Refuse an attempt when this account or address has failed too often lately."""
    # Parallel guesses on several server processes must not all read the same count.
    serialise(session, f"throttle:{kind}:name:{username}", f"throttle:{kind}:ip:{ip}")
    window = timedelta(minutes=settings.window_minutes)
    since = now - window
    by_account = _recent_failures(session, "username", username, kind, since)
    by_address = _recent_failures(session, "ip", ip, kind, since)
    if by_account >= limit or by_address >= settings.max_failures_per_address:
        raise Throttled(int(window.total_seconds() // 60))


def note_attempt(
    session: Session, kind: str, username: str, ip: str, success: bool, *, now: datetime
) -> None:
    session.add(LoginAttempt(at=now, kind=kind, username=username, ip=ip, success=success))


def sign_in_locked_until(
    session: Session, account: Account, *, now: datetime, settings: SignInSettings
) -> datetime | None:
    """When this account may try to sign in again, while too many failures under its username
    lock it; else None. (An address's own lock, from many accounts' failures, is not this.)"""
    window = timedelta(minutes=settings.window_minutes)
    limit = settings.max_failures_per_account
    ends = []
    for kind in ACCOUNT_SIGN_IN_KINDS:
        start = _account_count_start(session, account.username, kind, now - window)
        failures = list(
            session.scalars(
                select(LoginAttempt.at)
                .where(
                    LoginAttempt.username == account.username,
                    LoginAttempt.kind == kind,
                    LoginAttempt.success.is_(False),
                    LoginAttempt.at > start,
                )
                .order_by(LoginAttempt.at)
            )
        )
        if len(failures) >= limit:  # open again once all but limit - 1 are out of the window
            ends.append(failures[len(failures) - limit] + window)
    return max(ends, default=None)


def clear_sign_in_lock(
    session: Session, actor: Actor, account: Account, *, now: datetime, settings: SignInSettings
) -> datetime | None:
    """Let an account locked by failed sign-ins try again now; returns when the lock would have
    ended, or None if it was not locked (nothing changes). Only the account's own count is
    cleared: an address's count stays, so a computer that guessed at many accounts stays
    throttled. The failures themselves are kept, for the record."""
    until = sign_in_locked_until(session, account, now=now, settings=settings)
    if until is None:
        return None
    for kind in ACCOUNT_SIGN_IN_KINDS:  # as the owner getting in would, the count starts again
        name = account.username
        session.add(LoginAttempt(at=now, kind=_cleared(kind), username=name, ip="", success=True))
    session.flush()
    record(session, actor, "account.sign_in_unlocked", account, f"locked until {until:%H:%M} UTC")
    return until


# --- Sign-in and sessions -------------------------------------------------------------------


def authenticate(
    session: Session,
    username: str,
    password: str,
    ip: str,
    *,
    now: datetime,
    settings: SignInSettings,
) -> Account:
    """The account for these credentials, or Invalid (the message never says which was wrong)."""
    name = normalise_username(username)
    limit = settings.max_failures_per_account
    check_throttle(session, "password", name, ip, limit, now=now, settings=settings)
    account = session.scalar(select(Account).where(Account.username == name))
    if account is None:
        burn_time(password)
    ok = account is not None and account.active and verify_password(account.password_hash, password)
    note_attempt(session, "password", name, ip, ok, now=now)
    if not ok or account is None:
        record(session, account, "sign_in.failed", account, f"username={name[:64]}")
        raise Invalid("That username and password do not match an active account.")
    record(session, account, "sign_in.succeeded", account)
    return account


def start_session(
    session: Session,
    expires_at: datetime,
    ip: str,
    account: Account | None = None,
    pupil_id: int | None = None,
    device_id: int | None = None,
    *,
    now: datetime,
) -> NewSession:
    """A new server-side session; its random token goes in the cookie, its hash in the table."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=token_hash(token),
        account_id=account.id if account else None,
        pupil_id=pupil_id,
        device_id=device_id,
        created_at=now,
        last_seen_at=now,
        expires_at=expires_at,
        ip=ip[:64],
    )
    session.add(row)
    session.flush()
    return NewSession(row, token)


def staff_session_expiry(*, now: datetime, settings: SignInSettings) -> datetime:
    return now + timedelta(hours=settings.staff_session_hours)


def live_session(
    session: Session, token: str, *, now: datetime, settings: SignInSettings
) -> UserSession | None:
    """The session for a cookie token if it has not ended, idled out or expired."""
    found = plain_rows(session, _with_whom().statement, {"token_hash": token_hash(token)}).first()
    if found is None:
        return None
    row = _session_with_whom(session, found)
    if row.ended_at is not None:
        return None
    idle_minutes = settings.pupil_idle_minutes if row.pupil_id else settings.staff_idle_minutes
    if now >= row.expires_at or now - row.last_seen_at > timedelta(minutes=idle_minutes):
        end_session(row, "expired", now=now)
        return None
    return row


def account_of_token(session: Session, token: str) -> int | None:
    """The account a session token was for, live or ended (a time-out leaves the token in the
    browser's cookie): who last used this browser."""
    query = select(UserSession.account_id).where(UserSession.token_hash == token_hash(token))
    return session.scalar(query)


def touch(row: UserSession, *, now: datetime) -> None:
    """Note activity, at most once a minute, so idle time counts from the last request."""
    if now - row.last_seen_at > timedelta(seconds=60):
        row.last_seen_at = now


def end_session(row: UserSession, reason: str, *, now: datetime) -> None:
    if row.ended_at is None:
        row.ended_at = now
        row.end_reason = reason


def end_all_sessions(session: Session, account: Account, reason: str, *, now: datetime) -> None:
    """End every session of an account at once (an admin's reset, deactivation)."""
    session.execute(
        update(UserSession)
        .where(UserSession.account_id == account.id, UserSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )


def end_other_sessions(
    session: Session, account: Account, keep_session_id: int, reason: str, *, now: datetime
) -> None:
    """End every session of an account but the one that asked (her own password change, her
    two-step sign-in moved to a new phone): the browser she made the change in stays signed
    in, any other (the staff-room PC, a phone someone picked up) is signed out at its next
    request, and its open pages clear themselves (static/js/session-watch.js)."""
    session.execute(
        update(UserSession)
        .where(
            UserSession.account_id == account.id,
            UserSession.ended_at.is_(None),
            UserSession.id != keep_session_id,
        )
        .values(ended_at=now, end_reason=reason)
    )


def changed_since(session: Session, account: Account, since: datetime) -> str | None:
    """What of how this account signs in changed after `since` (when someone typed its password
    and was sent on to the code step): "password" (changed, or reset by an admin), "two_step"
    (moved to a new phone, or new recovery codes made), else None. Each of these ends the
    account's other sessions (`end_other_sessions`, `end_all_sessions`); a sign-in half done
    before it is another of those sessions, and is refused too. The stamps are the changes' own:
    the password's changed time, the app's confirmed time, the newest recovery codes' made time."""
    if account.password_changed_at > since:
        return "password"
    two_step = session.scalar(
        select(func.max(TwoFactor.confirmed_at)).where(TwoFactor.account_id == account.id)
    )
    codes = session.scalar(
        select(func.max(RecoveryCode.created_at)).where(RecoveryCode.account_id == account.id)
    )
    if any(stamp is not None and stamp > since for stamp in (two_step, codes)):
        return "two_step"
    return None


def forget_remembered_ipads(session: Session, account: Account, *, now: datetime) -> int:
    """Revoke every class iPad that skips this account's two-step code (its password changed,
    or its two-step sign-in was reset): whoever learnt the password must not sign in on one
    with it alone. Returns how many were forgotten."""
    forgotten = session.execute(
        update(RememberedDevice)
        .where(RememberedDevice.account_id == account.id, RememberedDevice.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(forgotten, "rowcount", 0) or 0)


def _forgotten(count: int) -> str:
    """The audit summary's note of remembered iPads forgotten, if any."""
    if not count:
        return ""
    return f"{count} remembered iPad{'' if count == 1 else 's'} forgotten"


# --- Passwords ------------------------------------------------------------------------------


def password_expired(account: Account, *, now: datetime, settings: SignInSettings) -> bool:
    max_age = timedelta(days=settings.password_max_age_days)
    return account.must_change_password or now - account.password_changed_at > max_age


NOT_RIGHT = "Your password is not right. Type the one you sign in with."
CURRENT_NOT_RIGHT = "Your current password is not right. Type the one you sign in with."


class WrongPassword(Invalid):
    """One's own password, asked for again before a change, was not right (counted, as at
    sign-in). The view keeps the failure through its 4xx (db.keep): it is what throttling counts."""


def check_own_password(
    session: Session,
    account: Account,
    password: str,
    *,
    ip: str,
    now: datetime,
    sign_in: SignInSettings,
    refused: str,
    field: str = "password",
    message: str = NOT_RIGHT,
) -> None:
    """The signed-in person's own password, asked for before they change their password or
    email address, guessed under the sign-in limits and counted with sign-in's failures: so
    someone at their unlocked computer or phone guesses no faster here than at sign-in.
    Throttled when this account or address has failed too often lately; WrongPassword (on
    `field`, audited as `refused`) when it is not right."""
    limit = sign_in.max_failures_per_account
    check_throttle(session, "password", account.username, ip, limit, now=now, settings=sign_in)
    right = verify_password(account.password_hash, password or "")
    note_attempt(session, "password", account.username, ip, right, now=now)
    if not right:
        record(session, account, refused, account, "password not right")
        raise WrongPassword(message, field)


def change_password(
    session: Session,
    account: Account,
    current: str,
    new: str,
    keep_session_id: int,
    *,
    ip: str,
    now: datetime,
    sign_in: SignInSettings,
) -> None:
    """Change one's own password, the current one first (`check_own_password`); every other
    session of the account ends."""
    check_own_password(
        session,
        account,
        current,
        ip=ip,
        now=now,
        sign_in=sign_in,
        refused="password.change_refused",
        field="current_password",
        message=CURRENT_NOT_RIGHT,
    )
    problems = password_problems(new, account.username)
    if verify_password(account.password_hash, new):
        problems.append("Choose a password different from your current one.")
    if problems:
        raise Invalid(" ".join(problems), field="new_password")
    account.password_hash = hash_password(new)
    account.password_changed_at = now
    account.must_change_password = False
    end_other_sessions(session, account, keep_session_id, "password_changed", now=now)
    forgotten = forget_remembered_ipads(session, account, now=now)
    record(session, account, "password.changed", account, _forgotten(forgotten))


def reset_password(session: Session, actor: Actor, account: Account, *, now: datetime) -> str:
    """Give an account a one-time password that must be changed at next sign-in: every session
    of the account ends, and no class iPad skips its two-step code any more."""
    temporary = "-".join(secrets.token_hex(3) for _ in range(4))
    account.password_hash = hash_password(temporary)
    account.password_changed_at = now
    account.must_change_password = True
    end_all_sessions(session, account, "password_reset", now=now)
    forgotten = _forgotten(forget_remembered_ipads(session, account, now=now))
    summary = f"for {account.username}" + (f"; {forgotten}" if forgotten else "")
    record(session, actor, "password.reset", account, summary)
    return temporary


# --- Account administration -----------------------------------------------------------------


def create_account(
    session: Session,
    actor: Actor | None,
    school_id: int,
    username: str,
    display_name: str,
    role: Role,
    email: str | None = None,
    password: str | None = None,
    *,
    now: datetime,
) -> tuple[Account, str]:
    """A new account with a one-time password (returned) unless one is given."""
    name = normalise_username(username)
    if not name or not all(c.isalnum() or c in "._-" for c in name):
        raise Invalid("Usernames use letters, numbers, dots, dashes and underscores.", "username")
    if session.scalar(select(Account.id).where(Account.username == name)) is not None:
        raise Invalid("That username is already taken.", field="username")
    initial = password or "-".join(secrets.token_hex(3) for _ in range(4))
    account = Account(
        school_id=school_id,
        username=name,
        display_name=display_name.strip()[:120] or name,
        email=(email or "").strip()[:254] or None,
        role=role,
        password_hash=hash_password(initial),
        password_changed_at=now,
        must_change_password=password is None,
        active=True,
        created_at=now,
    )
    session.add(account)
    session.flush()
    record(session, actor, "account.created", account, f"{name} as {role.label}")
    return account, initial


def change_role(
    session: Session, actor: Actor, account: Account, role: Role, *, now: datetime
) -> None:
    if account.role == role:
        return
    old = account.role
    account.role = role
    end_all_sessions(session, account, "role_changed", now=now)
    record(session, actor, "account.role_changed", account, f"{Role(old).label} -> {role.label}")


def set_active(
    session: Session,
    actor: Actor,
    account: Account,
    active: bool,
    *,
    now: datetime,
    summary: str = "",
) -> None:
    """Deactivate (ending every session at once) or reactivate an account; `summary` is noted
    on its audit entry (what a deactivated member of the safeguarding team left open)."""
    if isinstance(actor, Account) and actor.id == account.id and not active:
        raise Invalid("You cannot deactivate your own account; ask another admin.")
    account.active = active
    account.deactivated_at = None if active else now
    if not active:
        end_all_sessions(session, account, "deactivated", now=now)
    action = "account.activated" if active else "account.deactivated"
    record(session, actor, action, account, summary)
