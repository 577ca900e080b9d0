"""Connecting carers to a child: one-time invite codes (and their QR), accounts, revocation.

A code is short and typeable, from an alphabet without look-alikes (no 0/O, 1/I/L or U), and
is kept only as a keyed hash. It works once, expires, and failed tries are throttled in the
database like sign-in, so guessing across every server process is slow.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts import email_change
from classroom.accounts import services as accounts
from classroom.accounts.models import Account, Role
from classroom.accounts.passwords import password_problems
from classroom.audit.models import AuditTier
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid, NotFound
from classroom.parents import delivery
from classroom.parents.models import CarerInvite
from classroom.principals import Actor
from classroom.pupils.models import ParentLink, Pupil

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10
THROTTLE_KIND = "invite"
NEW_CODE = "ask your child's class teacher for a new one."
# Said to staff and to whoever types a code while carers are held back for the child. The carer
# is not told why: the person trying to connect may be the one the worry is about.
CONNECTING_PAUSED = (
    "Connecting a new carer to this pupil is paused by the safeguarding team just now. "
    "Speak to your Designated Safeguarding Lead."
)
CODE_ON_HOLD = "This code cannot be used just now. Please contact the school."
# Said to staff: a code for a child who has left would never work (find_invite refuses it).
LEFT_NO_NEW_CARER = (
    "{name} has left the school, so no new carer can connect: a code or an account made now "
    "would not work. Codes already made no longer work either."
)


class BadCode(Invalid):
    """A code that did not work; counted, so repeated guessing is throttled."""


class CodeOnHold(Invalid):
    """A working code for a child whose carers are held back: not counted, but audited for the
    safeguarding team (the view keeps the entry through the 400), as the one trying may be the
    person the worry is about."""


class ConnectingRefused(Invalid):
    """Staff asked for a code or a carer account when no new carer may connect to the pupil.

    The request rolls back, so the view writes its audit entry afterwards (`record_refusal`)
    and keeps it: who asked, for which pupil, what and why is in the log all the same.
    """

    def __init__(self, message: str, pupil: Pupil, asked: str, why: str, held: bool) -> None:
        super().__init__(message)
        self.pupil_id, self.asked, self.why, self.held = pupil.id, asked, why, held


@dataclass(frozen=True)
class InviteSettings:
    """What invite codes go by: the key their hashes use, the join link, expiry and throttle."""

    secret_key: str = field(repr=False)
    base_url: str
    days: int
    max_failures: int
    sign_in: accounts.SignInSettings  # the address throttle's window and limit

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> InviteSettings:
        return cls(
            str(cfg["SECRET_KEY"]),
            str(cfg["BASE_URL"]),
            int(cfg["PARENT_INVITE_DAYS"]),
            int(cfg["PARENT_INVITE_MAX_FAILURES"]),
            accounts.SignInSettings.from_config(cfg),
        )


def new_code() -> str:
    """A fresh code, shown as two groups of five: 7KQ2M-XR4TB."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(typed: str) -> str:
    """What a person typed, without spaces or dashes, in capitals."""
    return re.sub(r"[\s\-]", "", typed).upper()[:40]


def code_hash(code: str, secret_key: str) -> str:
    """A keyed hash, so a copy of the database alone cannot be searched for working codes."""
    key = secret_key.encode()
    return hmac.new(
        key, b"carer-invite:" + normalise_code(code).encode(), hashlib.sha256
    ).hexdigest()


def join_url(code: str, base_url: str) -> str:
    base = base_url.rstrip("/")
    return f"{base}/family/join?code={code}"


# --- Staff: issuing and cancelling codes ------------------------------------------------------


def _manager(session: Session, actor: Actor, pupil: Pupil) -> Account:
    account = policy.holder(actor, "manage_carers")
    if account is None or not policy.can_manage_carers(session, actor, pupil):
        raise Forbidden("may not connect carers to this pupil")
    return account


def _connecting_allowed(session: Session, actor: Actor, pupil: Pupil, asked: str) -> Account:
    """The manager, if a new carer may be connected to this pupil now: not once the child has
    left (policy.in_touch_with_carers; the code would never work), nor while a worry holds back
    what carers are told (policy.may_tell_carers), as a new carer would see the child's news,
    and may be the person the worry is about. `asked` names what was asked for, for the log."""
    account = _manager(session, actor, pupil)
    if not policy.in_touch_with_carers(pupil):
        message = LEFT_NO_NEW_CARER.format(name=pupil.first_name)
        raise ConnectingRefused(message, pupil, asked, "the pupil has left the school", False)
    if not policy.may_tell_carers(session, pupil.id):
        why = "connecting is paused by the safeguarding team"
        raise ConnectingRefused(CONNECTING_PAUSED, pupil, asked, why, True)
    return account


def record_refusal(session: Session, actor: Actor, refused: ConnectingRefused) -> None:
    """The audit entry of a refused request to connect a carer, written after its rollback.

    A refusal while carers are held tells that a worry is open about the child, so only the
    safeguarding team reads it, as for the worry itself.
    """
    pupil = session.get(Pupil, refused.pupil_id)
    tier = AuditTier.SAFEGUARDING if refused.held else None
    summary = f"{refused.asked} not made: {refused.why}"
    record(session, actor, "carer.connect_refused", pupil, summary, tier=tier)


def _label(text: str) -> str:
    label = text.replace("\x00", "").strip()
    if not label or len(label) > 40:
        raise Invalid("Say who the code is for in 40 characters or fewer.", "relationship")
    return label


def issue_invite(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    relationship: str,
    settings: InviteSettings,
    *,
    now: datetime,
) -> tuple[CarerInvite, str]:
    """A one-time code for one carer of this pupil; the code itself is returned only once."""
    account = _connecting_allowed(session, actor, pupil, "invite code")
    code = new_code()
    invite = CarerInvite(
        school_id=pupil.school_id,
        pupil_id=pupil.id,
        code_hash=code_hash(code, settings.secret_key),
        relationship_label=_label(relationship),
        created_by_id=account.id,
        created_at=now,
        expires_at=now + timedelta(days=settings.days),
    )
    session.add(invite)
    session.flush()
    record(session, actor, "carer_invite.issued", pupil, f"invite #{invite.id}")
    return invite, code


def cancel_invite(session: Session, actor: Actor, invite: CarerInvite, *, now: datetime) -> None:
    pupil = session.get(Pupil, invite.pupil_id)
    if pupil is None:
        raise NotFound("no such pupil")
    _manager(session, actor, pupil)
    if invite.outstanding(now):
        invite.cancelled_at = now
        record(session, actor, "carer_invite.cancelled", pupil, f"invite #{invite.id}")


# --- Carers: using a code ---------------------------------------------------------------------


def _problem(typed: str, invite: CarerInvite | None, now: datetime) -> str | None:
    code = normalise_code(typed)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return (
            "A code has 10 letters and numbers, like 7KQ2M-XR4TB, and never uses the letters "
            "I, L, O or U or the numbers 0 and 1. Check the slip and try again."
        )
    if invite is None:
        return "We could not find that code. Check each letter and number, or " + NEW_CODE
    if invite.cancelled_at is not None:
        return "The school cancelled that code: " + NEW_CODE
    if invite.used_at is not None:
        return "That code has already been used, and each code works only once: " + NEW_CODE
    if now >= invite.expires_at:
        return "That code has expired: " + NEW_CODE
    return None


def find_invite(
    session: Session, typed: str, ip: str, who: str, settings: InviteSettings, *, now: datetime
) -> CarerInvite:
    """The outstanding invite for a typed code, or BadCode (counted) / Throttled."""
    accounts.check_throttle(
        session, THROTTLE_KIND, who, ip, settings.max_failures, now=now, settings=settings.sign_in
    )
    hashed = code_hash(typed, settings.secret_key)
    invite = session.scalar(select(CarerInvite).where(CarerInvite.code_hash == hashed))
    problem = _problem(typed, invite, now)
    pupil = session.get(Pupil, invite.pupil_id) if invite is not None else None
    if problem is None and pupil is not None and not policy.in_touch_with_carers(pupil):
        # A code issued before the child left connects nobody now; counted like any other.
        problem = "That code no longer works. Please ask the school office."
    if problem is not None or invite is None:
        accounts.note_attempt(session, THROTTLE_KIND, who, ip, False, now=now)
        record(session, None, "carer_invite.failed", summary=f"from {ip}")
        raise BadCode(problem or "", "code")
    if not policy.may_tell_carers(session, invite.pupil_id):
        summary = f"invite #{invite.id} tried by {who}, not used: connecting is paused"
        record(session, None, "carer_invite.held", pupil, summary, tier=AuditTier.SAFEGUARDING)
        raise CodeOnHold(CODE_ON_HOLD, "code")  # kept for when the hold ends; nothing is made
    return invite


def _connect(
    session: Session, carer: Account, invite: CarerInvite, ip: str, who: str, *, now: datetime
) -> ParentLink:
    already = session.scalar(
        select(ParentLink).where(
            ParentLink.parent_id == carer.id,
            ParentLink.pupil_id == invite.pupil_id,
            ParentLink.revoked_at.is_(None),
        )
    )
    if already is not None:
        raise Invalid("You are already connected to this child. Keep the code for someone else.")
    claimed = session.execute(
        update(CarerInvite)
        .where(CarerInvite.id == invite.id, CarerInvite.used_at.is_(None))
        .values(used_at=now, used_by_id=carer.id)
    )
    if getattr(claimed, "rowcount", 0) != 1:  # someone else used it a moment ago
        raise Invalid("That code has just been used: " + NEW_CODE, "code")
    link = ParentLink(
        parent_id=carer.id,
        pupil_id=invite.pupil_id,
        relationship_label=invite.relationship_label,
        created_at=now,
    )
    session.add(link)
    accounts.note_attempt(session, THROTTLE_KIND, who, ip, True, now=now)
    record(
        session,
        carer,
        "carer.connected",
        session.get(Pupil, invite.pupil_id),
        f"invite #{invite.id}",
    )
    return link


@dataclass
class SignUp:
    code: str
    display_name: str
    username: str
    email: str | None
    password: str


def _check_new_account(data: SignUp) -> None:
    """What can be said about the new account without looking anyone up."""
    name = accounts.normalise_username(data.username)
    if not name or not all(c.isalnum() or c in "._-" for c in name):
        raise Invalid("Usernames use letters, numbers, dots, dashes and underscores.", "username")
    if not data.display_name.strip():
        raise Invalid("Enter your name.", "display_name")
    problems = password_problems(data.password, name)
    if problems:
        raise Invalid(" ".join(problems), "password")


def _refuse_taken_username(
    session: Session, data: SignUp, ip: str, who: str, *, now: datetime
) -> None:
    """Say a username is taken only to someone holding a working code, and count it.

    Usernames are unique across every school, so this answer tells whether an account exists.
    Asked before the code was checked, it let anyone find out, unthrottled; now it needs a
    working one-time code and counts as a failed try, so it is throttled like code guesses.
    """
    name = accounts.normalise_username(data.username)
    if session.scalar(select(Account.id).where(Account.username == name)) is not None:
        accounts.note_attempt(session, THROTTLE_KIND, who, ip, False, now=now)
        raise BadCode("That username is already taken. Try another.", "username")


def sign_up(
    session: Session, data: SignUp, ip: str, settings: InviteSettings, *, now: datetime
) -> Account:
    """A new carer account from a code, connected to that code's child.

    The email address typed is held, not used, until the carer opens the link emailed to it
    (delivery.hold_address): a typing mistake must not send the school's emails to a stranger.
    """
    _check_new_account(data)
    who = f"ip:{ip}"[:64]
    invite = find_invite(session, data.code, ip, who, settings, now=now)
    _refuse_taken_username(session, data, ip, who, now=now)
    carer, _ = accounts.create_account(
        session,
        None,
        invite.school_id,
        data.username,
        data.display_name,
        Role.PARENT,
        None,
        data.password,
        now=now,
    )
    _connect(session, carer, invite, ip, who, now=now)
    record(session, carer, "carer.signed_up", carer)
    address = email_change.deliverable(data.email)
    if address is not None:
        session.flush()  # the account's id, which the link names
        key, base_url = settings.secret_key, settings.base_url
        delivery.hold_address(session, carer, address, secret_key=key, base_url=base_url, now=now)
    return carer


def add_child(
    session: Session,
    carer: Account,
    typed: str,
    ip: str,
    settings: InviteSettings,
    *,
    now: datetime,
) -> ParentLink:
    """A signed-in carer connects to another child with a new code."""
    if not carer.is_parent:
        raise Forbidden("only carers use invite codes")
    mine = _own_used_code(session, carer, typed, settings)
    if mine is not None:  # their own slip again: not "ask for a new code", which they need not
        child = session.get(Pupil, mine.pupil_id)
        name = child.first_name if child is not None else "this child"
        raise Invalid(f"You used this code already: you are connected to {name}.", "code")
    invite = find_invite(session, typed, ip, carer.username, settings, now=now)
    if invite.school_id != carer.school_id:
        accounts.note_attempt(session, THROTTLE_KIND, carer.username, ip, False, now=now)
        raise BadCode("We could not find that code. Check it, or " + NEW_CODE, "code")
    return _connect(session, carer, invite, ip, carer.username, now=now)


def _own_used_code(
    session: Session, carer: Account, typed: str, settings: InviteSettings
) -> ParentLink | None:
    """The carer's live connection made with this very code, if they used it themselves."""
    hashed = code_hash(typed, settings.secret_key)
    return session.scalar(
        select(ParentLink)
        .join(CarerInvite, CarerInvite.pupil_id == ParentLink.pupil_id)
        .where(
            CarerInvite.code_hash == hashed,
            CarerInvite.used_by_id == carer.id,
            ParentLink.parent_id == carer.id,
            ParentLink.revoked_at.is_(None),
        )
        .limit(1)
    )


# --- Staff: carer accounts and connections ----------------------------------------------------


def create_carer_account(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    display_name: str,
    username: str,
    email: str | None,
    relationship: str,
    settings: InviteSettings,
    *,
    now: datetime,
) -> tuple[Account, str]:
    """Staff make the carer's account (a one-time password to hand over) and connect it. The
    address staff type is held until the carer confirms it (delivery.hold_for_new_account)."""
    _connecting_allowed(session, actor, pupil, "carer account")
    if not display_name.strip():
        raise Invalid("Enter the carer's name.", "display_name")
    label = _label(relationship)
    address = email_change.deliverable(email)
    carer, temporary = accounts.create_account(
        session, actor, pupil.school_id, username, display_name, Role.PARENT, None, now=now
    )
    key, base_url = settings.secret_key, settings.base_url
    delivery.hold_for_new_account(
        session, actor, carer, address, secret_key=key, base_url=base_url, now=now
    )
    session.add(
        ParentLink(
            parent_id=carer.id, pupil_id=pupil.id, relationship_label=label, created_at=now
        )
    )
    record(session, actor, "carer.connected", pupil, f"new account {carer.username}")
    return carer, temporary


def revoke_link(session: Session, actor: Actor, link: ParentLink, *, now: datetime) -> None:
    """Disconnect a carer from a child: it takes effect on their very next request."""
    pupil = session.get(Pupil, link.pupil_id)
    if pupil is None:
        raise NotFound("no such pupil")
    _manager(session, actor, pupil)
    if link.revoked_at is not None:
        return
    link.revoked_at = now
    delivery.cancel_for_carer(session, link.parent_id, pupil.id, now=now)
    record(session, actor, "carer.disconnected", pupil, f"carer account #{link.parent_id}")
