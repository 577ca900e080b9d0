"""Two-factor sign-in for staff: an authenticator app (TOTP), one-time recovery codes, and
remembered class-staff iPads.

Required for everyone who can read child-protection records or change who can (the
safeguarding team, the head and admins: OWASP ASVS asks for it for access to sensitive
records); optional for other staff. Codes are throttled like passwords, each works once, and
every step is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from pathlib import Path

import pyotp
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from classroom import sealing
from classroom.accounts.models import (
    Account,
    RecoveryCode,
    RememberedDevice,
    Role,
    TwoFactor,
)
from classroom.accounts.services import (
    SignInSettings,
    check_own_password,
    check_throttle,
    end_all_sessions,
    end_other_sessions,
    forget_remembered_ipads,
    note_attempt,
)
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid
from classroom.principals import Actor

REQUIRED_ROLES = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.ADMIN})
# Only class staff may skip the code on a remembered iPad; the safeguarding team never does.
REMEMBER_ROLES = frozenset({Role.TEACHER, Role.TEACHING_ASSISTANT})
REMEMBER_DAYS = 30
RECOVERY_CODES = 10
# The two-step page warns when this few recovery codes (or fewer) are left unused.
FEW_RECOVERY_CODES = 2
THROTTLE_KIND = "totp"
STEP_SECONDS = 30
ISSUER = "classroom"
SEAL_CONTEXT = b"classroom-two-step-v1:"
# A new phone's secret, kept sealed in the browser's session until its first code is typed.
NEW_PHONE_CONTEXT = b"classroom-two-step-new-phone-v1:"
ALREADY_MADE = (
    "New recovery codes were made already, and shown once then. If you did not keep them, "
    "make new ones again."
)
# The audit note of a change that ended the account's other sessions (the one that made it stays).
OTHERS_ENDED = "other sessions ended"
NOT_ON = "Two-step sign-in is not on for this account."
START_AGAIN = "Start setting up your new phone again: press Set up on a new phone."
UNREADABLE = (
    "This server cannot read your authenticator app's set-up. Type one of your recovery codes, "
    "or ask an admin to reset your two-step sign-in."
)
# Said to whoever types a recovery code that is used (or mistyped): most likely her phone is
# lost, so "the 6 numbers your app shows" would be no help.
RECOVERY_REFUSED = (
    "That recovery code did not work: each one works only once. Type another of yours; if "
    "none is left, ask an admin to reset your two-step sign-in."
)


def is_required(account: Account) -> bool:
    return account.role in REQUIRED_ROLES


def may_remember(account: Account) -> bool:
    return account.role in REMEMBER_ROLES


def enrolment(session: Session, account: Account) -> TwoFactor | None:
    return session.scalar(select(TwoFactor).where(TwoFactor.account_id == account.id))


def is_enrolled(session: Session, account: Account) -> bool:
    row = enrolment(session, account)
    return row is not None and row.confirmed_at is not None


def start_enrolment(session: Session, account: Account, *, now: datetime, instance: Path) -> str:
    """A new secret for the authenticator app, returned to show once (as a QR code); it is kept
    sealed, and counts only once a code from it is typed."""
    row = enrolment(session, account)
    if row is not None and row.confirmed_at is not None:
        raise Invalid("Two-step sign-in is already set up for this account.")
    secret = _new_secret()
    sealed = seal_secret(instance, account.id, secret)
    if row is None:
        row = TwoFactor(account_id=account.id, sealed_secret=sealed, created_at=now)
        session.add(row)
    row.sealed_secret = sealed
    row.created_at = now
    session.flush()
    record(session, account, "two_factor.enrolment_started", account)
    return secret


def _new_secret() -> str:
    return pyotp.random_base32()


def seal_secret(instance: Path, account_id: int, secret: str) -> bytes:
    """The secret as kept: sealed under the instance's key and bound to its account, so a copy
    of the database alone cannot make anyone's codes, nor a row moved to another account."""
    return sealing.seal(instance, _context(account_id), secret.encode())


def open_secret(instance: Path, row: TwoFactor) -> str | None:
    """The authenticator's secret; None if it does not open with this instance's key (a
    restore without the key file, or a row copied from another account)."""
    try:
        opened = sealing.unseal(
            instance, _context(row.account_id), row.sealed_secret, what="The two-step secret"
        )
    except sealing.SealBrokenError:
        return None
    return opened.decode()


def _context(account_id: int) -> bytes:
    return SEAL_CONTEXT + str(account_id).encode()


def provisioning_uri(account: Account, secret: str, issuer: str) -> str:
    """What the QR code holds: the otpauth:// link authenticator apps read."""
    return pyotp.TOTP(secret).provisioning_uri(name=account.username, issuer_name=issuer)


def confirm_enrolment(
    session: Session,
    account: Account,
    code: str,
    ip: str,
    *,
    now: datetime,
    settings: SignInSettings,
) -> list[str]:
    """Turn two-step sign-in on once a code from the app works; returns new recovery codes."""
    row = enrolment(session, account)
    if row is None or row.confirmed_at is not None or open_secret(settings.instance, row) is None:
        raise Invalid("Start setting up two-step sign-in again.", "code")
    _check_code(session, account, row, code, ip, now=now, settings=settings)
    row.confirmed_at = now
    record(session, account, "two_factor.enrolled", account)
    return new_recovery_codes(session, account, now=now, secret_key=settings.secret_key)


def confirm_own_enrolment(
    session: Session,
    account: Account,
    password: str,
    code: str,
    ip: str,
    *,
    now: datetime,
    settings: SignInSettings,
) -> list[str]:
    """`confirm_enrolment` from one's own account page, the password first: otherwise someone
    at an unlocked computer could tie the account to their own phone and lock its owner out
    until an admin resets it. (At sign-in the password was typed a moment before.)"""
    check_own_password(
        session,
        account,
        password,
        ip=ip,
        now=now,
        sign_in=settings,
        refused="two_factor.enrolment_refused",
    )
    return confirm_enrolment(session, account, code, ip, now=now, settings=settings)


def verify(
    session: Session,
    account: Account,
    typed: str,
    ip: str,
    *,
    now: datetime,
    settings: SignInSettings,
) -> bool:
    """Accept a code from the app or an unused recovery code; otherwise Invalid or Throttled.
    True when it was a recovery code (her phone is likely lost or replaced)."""
    row = enrolment(session, account)
    if row is None or row.confirmed_at is None:
        raise Invalid("Two-step sign-in is not set up for this account.", "code")
    code = "".join(typed.split()).replace("-", "").upper()
    if len(code) == 6 and code.isdigit():
        _check_code(session, account, row, code, ip, now=now, settings=settings)
        record(session, account, "two_factor.code_accepted", account)
        return False
    _use_recovery_code(session, account, code, ip, now=now, settings=settings)
    return True


def _check_code(
    session: Session,
    account: Account,
    row: TwoFactor,
    code: str,
    ip: str,
    *,
    now: datetime,
    settings: SignInSettings,
    new_secret: str | None = None,
) -> None:
    """The code against the account's secret, or against `new_secret` (a new phone's, whose
    codes were never used: the old phone's last step does not bar its first)."""
    _throttle(session, account, ip, now=now, settings=settings)
    secret = new_secret or open_secret(settings.instance, row)
    if secret is None:
        record(session, account, "two_factor.secret_unreadable", account)
        raise Invalid(UNREADABLE, "code")
    step = _matching_step(secret, "".join(code.split()), now)
    last = None if new_secret else row.last_step
    ok = step is not None and (last is None or step > last)
    note_attempt(session, THROTTLE_KIND, account.username, ip, ok, now=now)
    if not ok or step is None:
        record(session, account, "two_factor.code_refused", account)
        raise Invalid("That code did not work. Type the 6 numbers your app shows now.", "code")
    row.last_step = step


def _throttle(
    session: Session, account: Account, ip: str, *, now: datetime, settings: SignInSettings
) -> None:
    """Codes and recovery codes are guessed under the same limits as passwords (Throttled)."""
    limit = settings.max_failures_per_account
    check_throttle(session, THROTTLE_KIND, account.username, ip, limit, now=now, settings=settings)


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step this code belongs to (now, or one either side for clock drift)."""
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


# --- Recovery codes ---------------------------------------------------------------------------


def _code_hash(code: str, secret_key: str) -> str:
    key = secret_key.encode()
    return hmac.new(key, b"recovery:" + code.encode(), hashlib.sha256).hexdigest()


def new_recovery_codes(
    session: Session, account: Account, *, now: datetime, secret_key: str, note: str = ""
) -> list[str]:
    """Ten fresh one-time codes (the old ones stop working); shown once, kept only as hashes.
    `note` goes on the audit entry."""
    session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    )
    codes = [secrets.token_hex(5).upper() for _ in range(RECOVERY_CODES)]
    for code in codes:
        hashed = _code_hash(code, secret_key)
        session.add(RecoveryCode(account_id=account.id, code_hash=hashed, created_at=now))
    session.flush()
    record(session, account, "two_factor.recovery_codes_made", account, note)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _use_recovery_code(
    session: Session,
    account: Account,
    code: str,
    ip: str,
    *,
    now: datetime,
    settings: SignInSettings,
) -> None:
    _throttle(session, account, ip, now=now, settings=settings)
    claimed = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.account_id == account.id,
            RecoveryCode.code_hash == _code_hash(code, settings.secret_key),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    ok = getattr(claimed, "rowcount", 0) == 1
    note_attempt(session, THROTTLE_KIND, account.username, ip, ok, now=now)
    if not ok:
        record(session, account, "two_factor.code_refused", account, "recovery code")
        raise Invalid(RECOVERY_REFUSED, "code")
    record(session, account, "two_factor.recovery_code_used", account)


def unused_recovery_codes(session: Session, account: Account) -> int:
    """How many of the account's recovery codes still work (never which: they are shown once)."""
    found = session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))
    )
    return int(found or 0)


def recovery_codes_mark(session: Session, account: Account) -> str:
    """Which set of recovery codes is the newest (a page asking for new ones carries it)."""
    newest = session.scalar(
        select(func.max(RecoveryCode.id)).where(RecoveryCode.account_id == account.id)
    )
    return str(newest or 0)


def remake_recovery_codes(
    session: Session,
    account: Account,
    password: str,
    ip: str,
    *,
    mark: str,
    keep_session_id: int,
    now: datetime,
    settings: SignInSettings,
) -> list[str]:
    """Ten new recovery codes for an account whose two-step sign-in is on, its password first
    (someone at an unlocked computer must not learn codes that get past the phone); the old
    ones stop working. `mark` is `recovery_codes_mark` as the asking page was drawn: a form
    sent again after new codes were made is refused (Invalid on "made_after"), not obeyed.
    Her other sessions end, as after a password change: she makes new codes because the old
    sheet may have been seen, so whoever signed in with one of its codes is signed out too;
    the session that made them, `keep_session_id`, stays."""
    if not is_enrolled(session, account):
        raise Invalid(NOT_ON)
    if mark != recovery_codes_mark(session, account):
        raise Invalid(ALREADY_MADE, "made_after")
    check_own_password(
        session,
        account,
        password,
        ip=ip,
        now=now,
        sign_in=settings,
        refused="two_factor.recovery_codes_refused",
    )
    end_other_sessions(session, account, keep_session_id, "recovery_codes_made", now=now)
    return new_recovery_codes(
        session, account, now=now, secret_key=settings.secret_key, note=OTHERS_ENDED
    )


# --- A new phone ----------------------------------------------------------------------------


def start_new_phone(session: Session, account: Account, *, instance: Path) -> tuple[str, bytes]:
    """A secret for her new phone, to show once (as at enrolment), and the same sealed for the
    browser's session to hold until the new phone's first code is typed: the old phone keeps
    working until then, so a set-up left half-way locks no one out."""
    if not is_enrolled(session, account):
        raise Invalid(NOT_ON)
    secret = _new_secret()
    record(session, account, "two_factor.new_phone_started", account)
    return secret, seal_new_phone(instance, account.id, secret)


def seal_new_phone(instance: Path, account_id: int, secret: str) -> bytes:
    return sealing.seal(instance, NEW_PHONE_CONTEXT + str(account_id).encode(), secret.encode())


def open_new_phone(instance: Path, account_id: int, sealed: bytes) -> str | None:
    """A new phone's secret from the session; None if it does not open (another account's,
    another instance's, or tampered with)."""
    context = NEW_PHONE_CONTEXT + str(account_id).encode()
    try:
        opened = sealing.unseal(instance, context, sealed, what="A new phone's two-step secret")
    except sealing.SealBrokenError:
        return None
    return opened.decode()


def confirm_new_phone(
    session: Session,
    account: Account,
    sealed: bytes,
    password: str,
    code: str,
    ip: str,
    *,
    keep_session_id: int,
    now: datetime,
    settings: SignInSettings,
) -> list[str]:
    """Move two-step sign-in to the new phone once her password and the new phone's first code
    are right: the old phone's codes and the old recovery codes stop working now, and new
    recovery codes are returned to show once. Her other sessions end (whoever has her lost
    phone may be signed in as her somewhere); the one that moved it, `keep_session_id`, stays."""
    row = enrolment(session, account)
    if row is None or row.confirmed_at is None:
        raise Invalid(NOT_ON, "code")
    check_own_password(
        session,
        account,
        password,
        ip=ip,
        now=now,
        sign_in=settings,
        refused="two_factor.new_phone_refused",
    )
    secret = open_new_phone(settings.instance, account.id, sealed)
    if secret is None:
        raise Invalid(START_AGAIN, "code")
    _check_code(session, account, row, code, ip, now=now, settings=settings, new_secret=secret)
    row.sealed_secret = seal_secret(settings.instance, account.id, secret)
    row.confirmed_at = now
    end_other_sessions(session, account, keep_session_id, "two_step_moved", now=now)
    record(session, account, "two_factor.moved_to_new_phone", account, "the old phone stopped")
    return new_recovery_codes(session, account, now=now, secret_key=settings.secret_key)


# --- Remembered class-staff iPads -------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def remember_device(session: Session, account: Account, label: str, *, now: datetime) -> str:
    """A token for this browser's cookie; the server keeps its hash, expiry and revocation."""
    if not may_remember(account):
        raise Forbidden("only class staff may skip the code on a remembered iPad")
    token = secrets.token_urlsafe(32)
    session.add(
        RememberedDevice(
            account_id=account.id,
            token_hash=_token_hash(token),
            label=label.strip()[:120] or "This iPad",
            created_at=now,
            expires_at=now + timedelta(days=REMEMBER_DAYS),
        )
    )
    session.flush()
    record(session, account, "two_factor.device_remembered", account, label[:120])
    return token


def remembered(session: Session, account: Account, token: str | None, *, now: datetime) -> bool:
    """Whether this browser's token is a live remembered device of this account."""
    if not token or not may_remember(account):
        return False
    row = session.scalar(
        select(RememberedDevice).where(RememberedDevice.token_hash == _token_hash(token))
    )
    return (
        row is not None
        and row.account_id == account.id
        and row.revoked_at is None
        and now < row.expires_at
    )


def remembered_devices(
    session: Session, account: Account, *, now: datetime
) -> list[RememberedDevice]:
    return list(
        session.scalars(
            select(RememberedDevice)
            .where(
                RememberedDevice.account_id == account.id,
                RememberedDevice.revoked_at.is_(None),
                RememberedDevice.expires_at > now,
            )
            .order_by(RememberedDevice.created_at)
        )
    )


def forget_device(session: Session, account: Account, device_id: int, *, now: datetime) -> None:
    """Revoke one remembered iPad: it asks for a code at the next sign-in."""
    row = session.get(RememberedDevice, device_id)
    if row is None or row.account_id != account.id:
        raise LookupError("no such remembered device")
    if row.revoked_at is None:
        row.revoked_at = now
        record(session, account, "two_factor.device_forgotten", account, row.label)


# --- Starting again -----------------------------------------------------------------------------


def reset(session: Session, actor: Actor, account: Account, *, now: datetime) -> None:
    """Take an account's two-step sign-in away, for a lost phone whose recovery codes are lost
    too: its authenticator, recovery codes and remembered iPads stop working and its sessions
    end. Whoever must use two-step sign-in sets it up again at their next sign-in; the caller
    has checked who may ask (admin.services.reset_two_step)."""
    session.execute(delete(TwoFactor).where(TwoFactor.account_id == account.id))
    session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.account_id == account.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    )
    forget_remembered_ipads(session, account, now=now)
    end_all_sessions(session, account, "two_step_reset", now=now)
    record(session, actor, "two_factor.reset", account, f"for {account.username}")
