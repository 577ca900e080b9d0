"""Changing the address an account's emails go to: one way for carers, staff and admins.

Whoever changes it, the change is made here: the new address passes the one check
(`forms.deliverable_email`), the address that was in use is told at once (naming nobody and not
the new address), emails still waiting to go follow the new address or are withdrawn with it,
and the change is audited. A person changing their own address gives their password first,
guessed under the sign-in limits, so someone at their unlocked phone or computer cannot send
their emails (a carer's notices, a safeguarding lead's alerts) somewhere else.

What differs between carers and staff is handed in: which of the outbox's emails are the
account's own (`waiting`), and the words of the email to the old address (`OldAddressEmail`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, delete, or_, update
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts import services as accounts
from classroom.accounts.forms import deliverable_email
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid
from classroom.localtime import local_time
from classroom.outbox.models import SAFEGUARDING_KEY, OutboxMessage
from classroom.outbox.services import enqueue_email
from classroom.principals import Actor

SUBJECTS = {
    "changed": "Your email address for school emails was changed",
    "removed": "Your email address for school emails was removed",
}
# What the person is told once their own change is made (`?email=<outcome>` on the next page).
OUTCOMES = {
    "added": "Your email address is saved. School emails will go to it.",
    "changed": "Your email address is changed. We have emailed your old address to say so.",
    "removed": "Your email address is removed, so the app sends you no emails. We have emailed "
    "your old address to say so.",
    "unchanged": "That is already your email address: nothing has changed.",
}
# A member of the safeguarding team removing their address: said on the page, and again if
# they remove it without ticking the box that says they understand.
NO_ALERT_EMAILS = (
    "Without an email address you will get no safeguarding alerts by email: they will reach you "
    "only in the app, while you are signed in."
)
UNDERSTOOD = "Tick the box to say you understand, or type an email address."

# The outbox keys of emails to a member of staff, each ending in their account's id:
# alerts about a worry (worries: "incident:<id>:...:<account id>") and account changes waiting
# for approval (admin: "account-change:<change id>:<account id>").
ACCOUNT_CHANGE_KEY = "account-change:"
STAFF_EMAIL_KEYS = (SAFEGUARDING_KEY, ACCOUNT_CHANGE_KEY)


@dataclass(frozen=True)
class OldAddressEmail:
    """The email to the address that was in use: whose account it was, what to do if the
    change was not theirs, and the school's clock and address (for its time and Message-ID)."""

    key: str  # starts the email's outbox key, naming the account: "parents:12", "account:7"
    account: str  # "your account in the school's parents' app"
    if_not_you: str
    zone: ZoneInfo
    base_url: str


def staff_email(account: Account, *, zone: ZoneInfo, base_url: str) -> OldAddressEmail:
    """What a member of staff's old address is told, whether they or an admin made the change."""
    return OldAddressEmail(
        f"account:{account.id}",
        "your staff account in the school's classroom app",
        "If you did not do this or ask for it, please tell the school office straight away: "
        "someone else may be using your account.",
        zone,
        base_url,
    )


def deliverable(typed: str | None) -> str | None:
    """The address as our emails reach it (forms.deliverable_email), None for none (Invalid,
    on the "email" box, saying what to type instead)."""
    text = (typed or "").strip()
    if not text:
        return None
    try:
        return deliverable_email(text)
    except ValueError as problem:
        raise Invalid(str(problem), "email") from problem


# The one check of one's own password before a change, and its refusal: named here too for the
# carers' email change (parents.services asks, parents.views catches).
WrongPassword = accounts.WrongPassword
check_password = accounts.check_own_password


def unsent(now: datetime) -> ColumnElement[bool]:
    """Emails still waiting to go: not sent, not given up, and not being sent this moment (one
    that failed for good stays as it was, a record of where it failed)."""
    return and_(
        OutboxMessage.sent_at.is_(None),
        OutboxMessage.dead_at.is_(None),
        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
    )


def staff_waiting(account_id: int, now: datetime) -> ColumnElement[bool]:
    """A member of staff's own emails still waiting to go (alerts, approval requests)."""
    mine = [
        and_(
            OutboxMessage.dedupe_key.startswith(prefix, autoescape=True),
            OutboxMessage.dedupe_key.endswith(f":{account_id}", autoescape=True),
        )
        for prefix in STAFF_EMAIL_KEYS
    ]
    return and_(or_(*mine), unsent(now))


def set_address(
    session: Session,
    actor: Actor,
    account: Account,
    address: str | None,
    *,
    waiting: ColumnElement[bool],
    tell: OldAddressEmail,
    now: datetime,
    action: str,
) -> str:
    """Make `address` (already checked; None for none) the account's, and say what happened:
    "added", "changed", "removed" or "unchanged".

    The emails `waiting` selects go to the new address, or, once it is removed, not at all. The
    old address is told at once (never held for quiet hours), so a change its owner did not make
    is noticed. Audited as `action`, by `actor`, with both addresses.
    """
    old = account.email
    if address == old:
        return "unchanged"
    account.email = address
    if address is None:
        _execute(session, delete(OutboxMessage).where(waiting))
    else:
        _execute(session, update(OutboxMessage).where(waiting).values(to_address=address))
    outcome = "added" if old is None else "removed" if address is None else "changed"
    if old is not None:
        _tell_old_address(session, account, old, outcome, tell, now=now)
    record(session, actor, action, account, f"{outcome}: {old or '-'} to {address or '-'}")
    return outcome


def _execute(session: Session, statement: Any) -> None:
    session.execute(statement.execution_options(synchronize_session=False))


def _tell_old_address(
    session: Session,
    account: Account,
    old: str,
    outcome: str,
    tell: OldAddressEmail,
    *,
    now: datetime,
) -> None:
    """It changed, and what to do if that was not them. No name and no new address (emails
    from the app never carry details)."""
    lines = [
        f"The email address of {tell.account} was {outcome} on "
        f"{local_time(now, zone=tell.zone)}. School emails will no longer come to this address.",
        tell.if_not_you,
    ]
    enqueue_email(
        session,
        f"{tell.key}:address-{outcome}:{now:%Y%m%dT%H%M%S%f}",
        old,
        SUBJECTS[outcome],
        "\n\n".join(lines) + "\n",
        school_id=account.school_id,
        now=now,
        base_url=tell.base_url,
    )


# --- A member of staff changes their own --------------------------------------------------------


def on_the_team(account: Account) -> bool:
    """Whether safeguarding alerts are emailed to this account's address."""
    return policy.grants_safeguarding(account.role)


def change_own_staff_email(
    session: Session,
    account: Account,
    password: str,
    new_address: str | None,
    *,
    understood: bool,
    ip: str,
    now: datetime,
    sign_in: accounts.SignInSettings,
    zone: ZoneInfo,
    base_url: str,
) -> str:
    """A member of staff changes the address their emails go to, or removes it (empty).

    Their password first, as a carer's (`check_password`). A member of the safeguarding team
    may remove theirs, once they have ticked that they understand they will get no safeguarding
    alerts by email (`understood`): the alerts still reach them in the app, and a team member
    with no working address is better than one who types a made-up one to get past a refusal.
    Says what happened, as `set_address`.
    """
    if not account.is_staff or not account.active:
        raise Forbidden("only a member of staff changes their own email address here")
    address = deliverable(new_address)
    if address is None and account.email is not None and on_the_team(account) and not understood:
        raise Invalid(UNDERSTOOD, "understood")
    check_password(
        session,
        account,
        password,
        ip=ip,
        now=now,
        sign_in=sign_in,
        refused="account.email_change_refused",
    )
    return set_address(
        session,
        account,
        account,
        address,
        waiting=staff_waiting(account.id, now),
        tell=staff_email(account, zone=zone, base_url=base_url),
        now=now,
        action="account.email_changed",
    )
