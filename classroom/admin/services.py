"""Role changes, resets of passwords and two-step sign-in, and staff email addresses, with a
second person's approval for the safeguarding team."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, aliased

from classroom import policy
from classroom.accounts import email_change, two_factor
from classroom.accounts import services as accounts
from classroom.accounts.models import Account, Role
from classroom.admin.models import AccountChangeRequest, ChangeKind, ChangeStatus
from classroom.audit.services import record
from classroom.devices.models import Device, DeviceEnrolment
from classroom.errors import Invalid, NotFound, too_long
from classroom.lessons.models import MapEntry
from classroom.outbox.services import enqueue_email
from classroom.parents import delivery
from classroom.principals import Actor
from classroom.pupils.models import SchoolClass
from classroom.symbols.models import SymbolOverride, VoiceRecording

CHANGE_NAMES = {
    ChangeKind.PASSWORD_RESET: "password reset",
    ChangeKind.TWO_STEP_RESET: "two-step sign-in reset",
    ChangeKind.EMAIL: "email address change",
    ChangeKind.REACTIVATE: "reactivation",
}


# Said when the address an admin saw or asked to change from is no longer the account's: the
# member changed it themselves (or another change was made) in the meantime.
CHANGED_SINCE_SHOWN = (
    "Their email address changed while you had this page open: it is now {now}. Check with "
    "them before you change it."
)
CHANGED_SINCE_ASKED = (
    "Not changed: the email address of {name} has changed since this change was asked for (it "
    "was {then}, it is now {now}), so approving it would overwrite the address they have now. "
    "The request is void. If their address should still change, ask an admin to check with "
    "them and ask again."
)


# Said to an admin who asks for (or makes) a change while one of the same kind waits for
# approval for that account: a second role change would be a no-op, or a change from a role
# nobody saw, once the first was approved; a second reset would undo the first's one-time
# password or fresh set-up; a second address change would be void once the first was made.
CHANGE_WAITING = (
    "A {what} for {name}{detail} is already waiting for approval. Ask the headteacher or "
    "another member of the safeguarding team to approve or decline it first; then {then}."
)
# What waits, and what the admin may do once it is decided, by kind.
WAITING_WORDS = {
    ChangeKind.ROLE: ("change of role", "change their role if it still needs changing"),
    ChangeKind.EMAIL: (
        "change of email address",
        "change their address if it still needs changing",
    ),
    ChangeKind.PASSWORD_RESET: (
        "password reset",
        "reset it only if that one was declined: another reset would stop the one-time "
        "password it gives from working",
    ),
    ChangeKind.TWO_STEP_RESET: (
        "two-step sign-in reset",
        "reset it only if that one was declined",
    ),
    ChangeKind.REACTIVATE: (
        "reactivation",
        "reactivate the account only if that one was declined",
    ),
}
NOTHING_TO_APPROVE = (
    "Nothing to approve: the role of {name} is already {role}, so this change would change "
    "nothing. The request is closed."
)


class ChangedSinceAsked(Invalid):
    """An email change can no longer be approved: the account's address is not the one it was
    asked to change from. The request is void (kept through the 4xx, db.keep, with its audit).
    Also a role change already in force: approving it would change nothing."""


class ChangeWaiting(Invalid):
    """A second change of a kind refused while one waits for approval (_refuse_if_waiting):
    nothing asked or made, but the refused try is audited (account_change.refused)."""

    def __init__(self, message: str, field: str, summary: str) -> None:
        super().__init__(message, field)
        self.summary = summary  # for the audit: what waits, never a password or code


def _shown(address: str | None) -> str:
    return address or "none"


def _admin(actor: Actor, account: Account) -> Account:
    admin = policy.holder(actor, "manage_accounts")
    if admin is None or admin.school_id != account.school_id:
        raise Invalid("You cannot change this account.")
    return admin


def create_account(
    session: Session,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role,
    email: str | None,
    *,
    secret_key: str,
    base_url: str,
    now: datetime,
) -> tuple[Account, str]:
    """A new account in the admin's school, with a one-time password to hand over. A carer's
    address (already checked) is held until they sign in and confirm it, as one a carer types
    is (the policy checks a recipient first); a member of staff's is theirs at once."""
    admin = policy.holder(actor, "manage_accounts")
    if admin is None:
        raise Invalid("You cannot make accounts.")
    given = None if role == Role.PARENT else email
    account, initial = accounts.create_account(
        session, actor, admin.school_id, username, display_name, role, given, now=now
    )
    if role == Role.PARENT:
        delivery.hold_for_new_account(
            session, actor, account, email, secret_key=secret_key, base_url=base_url, now=now
        )
    return account, initial


def change_role(
    session: Session, actor: Actor, account: Account, role: Role, *, now: datetime, base_url: str
) -> AccountChangeRequest | None:
    """Change a role now, or ask for approval if it touches the safeguarding team.

    Returns the pending request when one was made. Nobody may change their own role.
    """
    admin = _admin(actor, account)
    if admin.id == account.id:
        raise Invalid("You cannot change your own role. Ask another admin.")
    if account.role == role:
        return None
    _refuse_if_waiting(session, account, ChangeKind.ROLE, "role")
    if not policy.needs_approval(account, role):
        accounts.change_role(session, admin, account, role, now=now)
        return None
    return _request(session, admin, account, ChangeKind.ROLE, role, now=now, base_url=base_url)


def reset_password(
    session: Session, actor: Actor, account: Account, *, now: datetime, base_url: str
) -> tuple[str | None, AccountChangeRequest | None]:
    """A one-time password now, or a request for approval for a safeguarding-team account."""
    admin = _admin(actor, account)
    _refuse_if_waiting(session, account, ChangeKind.PASSWORD_RESET, "reset-password")
    if admin.id != account.id and policy.needs_approval(account):
        kind = ChangeKind.PASSWORD_RESET
        return None, _request(session, admin, account, kind, None, now=now, base_url=base_url)
    return accounts.reset_password(session, admin, account, now=now), None


def reset_two_step(
    session: Session, actor: Actor, account: Account, *, now: datetime, base_url: str
) -> AccountChangeRequest | None:
    """Take away a lost authenticator now, or ask for approval for a safeguarding-team account:
    whoever knows a team member's password could otherwise set up their own."""
    admin = _admin(actor, account)
    if not two_factor.is_enrolled(session, account):
        raise Invalid("This account has no two-step sign-in to reset.")
    _refuse_if_waiting(session, account, ChangeKind.TWO_STEP_RESET, "reset-two-step")
    if admin.id != account.id and policy.needs_approval(account):
        kind = ChangeKind.TWO_STEP_RESET
        return _request(session, admin, account, kind, None, now=now, base_url=base_url)
    two_factor.reset(session, admin, account, now=now)
    return None


def set_active(
    session: Session,
    actor: Actor,
    account: Account,
    active: bool,
    *,
    now: datetime,
    base_url: str,
    summary: str = "",
) -> AccountChangeRequest | None:
    """Deactivate an account at once (a leaver loses access now), or reactivate one: at once,
    or, for the safeguarding team, once the headteacher or another team member approves, as
    for a role that puts someone on it: one admin alone must never give a leaver back their
    access to child-protection records. Returns the pending request when one was made."""
    admin = _admin(actor, account)
    if active and not account.active and policy.needs_approval(account):
        _refuse_if_waiting(session, account, ChangeKind.REACTIVATE, "active")
        kind = ChangeKind.REACTIVATE
        return _request(session, admin, account, kind, None, now=now, base_url=base_url)
    accounts.set_active(session, admin, account, active, now=now, summary=summary)
    return None


def clear_sign_in_lock(
    session: Session,
    actor: Actor,
    account: Account,
    *,
    now: datetime,
    settings: accounts.SignInSettings,
) -> datetime | None:
    """Let someone locked out by failed sign-ins try again now, rather than wait (when the lock
    would have ended, or None if it had ended already). No approval, even for the safeguarding
    team: it gives nobody a way in, only more tries, each still counted and audited."""
    admin = _admin(actor, account)
    return accounts.clear_sign_in_lock(session, admin, account, now=now, settings=settings)


def change_email(
    session: Session,
    actor: Actor,
    account: Account,
    typed: str | None,
    *,
    was: str | None = None,
    now: datetime,
    zone: ZoneInfo,
    base_url: str,
) -> tuple[str, AccountChangeRequest | None]:
    """Change a member of staff's email address for them (empty removes it): at once, or, for
    the safeguarding team, once the headteacher or another team member approves (their alerts
    go to it, so one admin alone must not send them elsewhere).

    `was` is the address the admin's page showed ("" for none; None when not known): if the
    member has changed it since, nothing is changed and the admin is told (Invalid), so their
    own choice is never overwritten unseen. Returns what happened ("added", "changed",
    "removed", "unchanged", or "asked" with the request). Only staff of the admin's school,
    never a carer's address nor the admin's own (`policy.can_change_account_email`): NotFound
    otherwise.
    """
    admin = _admin(actor, account)
    if not policy.can_change_account_email(admin, account):
        raise NotFound("not an address an admin changes")
    address = email_change.deliverable(typed)
    if address == account.email:
        return "unchanged", None
    if was is not None and (was.strip() or None) != account.email:
        raise Invalid(CHANGED_SINCE_SHOWN.format(now=_shown(account.email)), "email")
    _refuse_if_waiting(session, account, ChangeKind.EMAIL, "email")
    if policy.needs_approval(account):
        kind = ChangeKind.EMAIL
        change = _request(
            session, admin, account, kind, None, now=now, base_url=base_url, email=address
        )
        return "asked", change
    outcome = _set_email(session, admin, account, address, now=now, zone=zone, base_url=base_url)
    return outcome, None


class Waiting(NamedTuple):
    """A change waiting for approval, with who asked for it (None if nobody of the account's
    school: never another school's name)."""

    change: AccountChangeRequest
    asked_by: Account | None


def waiting_changes(session: Session, account: Account) -> dict[ChangeKind, list[Waiting]]:
    """Every change of the account's still waiting for approval, by kind (each kind present,
    most often empty), oldest first, with who asked: the account page says what waits beside
    each control before an admin presses it (a second of a kind is refused, _refuse_if_waiting).
    Reads only; only the account's own school's requests."""
    asker = aliased(Account)
    rows = session.execute(
        _pending(account)
        .add_columns(asker)
        .outerjoin(
            asker,
            (asker.id == AccountChangeRequest.requested_by_id)
            & (asker.school_id == account.school_id),
        )
        .order_by(AccountChangeRequest.id)
    )
    found: dict[ChangeKind, list[Waiting]] = {kind: [] for kind in ChangeKind}
    for change, asked_by in rows:
        found[ChangeKind(change.kind)].append(Waiting(change, asked_by))
    return found


def _pending(account: Account) -> Select[AccountChangeRequest]:
    """The account's changes waiting for approval, of its own school only."""
    return select(AccountChangeRequest).where(
        AccountChangeRequest.school_id == account.school_id,
        AccountChangeRequest.account_id == account.id,
        AccountChangeRequest.status == ChangeStatus.PENDING,
    )


def _waiting(session: Session, account: Account, kind: ChangeKind) -> list[AccountChangeRequest]:
    """The account's changes of this kind still waiting for approval, oldest first."""
    query = _pending(account).where(AccountChangeRequest.kind == kind)
    return list(session.scalars(query.order_by(AccountChangeRequest.id)))


def _refuse_if_waiting(session: Session, account: Account, kind: ChangeKind, field: str) -> None:
    """ChangeWaiting (a 400 linked to `field`, nothing asked or made) while a change of this kind
    waits for approval for the account: the head must never be offered two, one of which would
    undo or empty the other. Made at once or asked, a second waits until the first is decided."""
    waiting = _waiting(session, account, kind)
    if not waiting:
        return
    first = waiting[0]
    detail = ""
    if kind == ChangeKind.ROLE and first.new_role is not None:
        detail = f" (to {Role(first.new_role).label})"
    elif kind == ChangeKind.EMAIL:
        detail = f" (to {first.new_email})" if first.new_email else " (removing the address)"
    what, then = WAITING_WORDS[kind]
    name = account.display_name
    message = CHANGE_WAITING.format(what=what, name=name, detail=detail, then=then)
    raise ChangeWaiting(message, field, f"{what}{detail}: #{first.id} still waits")


def already_in_force(change: AccountChangeRequest, account: Account | None) -> bool:
    """A role change to the role the account has now: approving it would change nothing (two
    were asked before this check, and the other was approved). Only Decline clears it."""
    return (
        change.kind == ChangeKind.ROLE
        and account is not None
        and change.new_role is not None
        and Role(change.new_role) == account.role
    )


def _set_email(
    session: Session,
    actor: Account,
    account: Account,
    address: str | None,
    *,
    now: datetime,
    zone: ZoneInfo,
    base_url: str,
) -> str:
    """The change itself, as when staff make their own (accounts/email_change.py): the old
    address told, the account's waiting emails follow it, audited as done by `actor`."""
    return email_change.set_address(
        session,
        actor,
        account,
        address,
        waiting=email_change.staff_waiting(account.id, now),
        tell=email_change.staff_email(account, zone=zone, base_url=base_url),
        now=now,
        action="account.email_changed",
    )


def _request(
    session: Session,
    admin: Account,
    account: Account,
    kind: ChangeKind,
    role: Role | None,
    *,
    now: datetime,
    base_url: str,
    email: str | None = None,
) -> AccountChangeRequest:
    change = AccountChangeRequest(
        school_id=account.school_id,
        account_id=account.id,
        kind=kind,
        new_role=role,
        new_email=email,
        old_email=account.email if kind == ChangeKind.EMAIL else None,
        requested_by_id=admin.id,
        requested_at=now,
    )
    session.add(change)
    session.flush()
    what = f"role -> {role.label}" if role else CHANGE_NAMES[kind]
    if kind == ChangeKind.EMAIL:
        what = f"email -> {email or '- (removed)'}"
    record(session, admin, "account_change.requested", account, f"#{change.id}: {what}")
    _alert_team(session, change, base_url)
    return change


def _alert_team(session: Session, change: AccountChangeRequest, base_url: str) -> None:
    """Every team member hears of it (one of them may be the account being taken over)."""
    team = session.scalars(
        select(Account).where(
            Account.school_id == change.school_id,
            Account.active.is_(True),
            Account.role.in_(policy.RIGHTS["work_incidents"].roles),
        )
    )
    for member in team:
        if member.email:
            enqueue_email(
                session,
                f"{email_change.ACCOUNT_CHANGE_KEY}{change.id}:{member.id}",
                member.email,
                "An account change needs approval",
                "Someone asked to change the role or email address, reset the password or "
                "two-step sign-in, or reactivate the account, of someone on, or joining, the "
                "safeguarding team. It has "
                "no effect until the headteacher or another member of the team approves it.\n\n"
                f"Please sign in to check it: {base_url}/admin/approvals\n",
                school_id=change.school_id,
                base_url=base_url,
                now=change.requested_at,
            )


def decide(
    session: Session,
    actor: Actor,
    change: AccountChangeRequest,
    approve: bool,
    *,
    now: datetime,
    zone: ZoneInfo,
    base_url: str,
) -> str | None:
    """Approve (the change takes effect now) or decline; returns a one-time password if any.

    An email change whose account no longer has the address it was asked from is not made:
    ChangedSinceAsked, the request void. `zone` and `base_url` are for the email an approved
    address change sends the old address."""
    if not policy.can_approve_account_change(session, actor, change):
        raise Invalid("You cannot decide this change.")
    approver = policy.holder(actor, "approve_account_changes")
    account = session.get(Account, change.account_id)
    if approver is None or account is None:
        raise Invalid("You cannot decide this change.")
    if approve and _changed_since_asked(change, account):
        raise _void(session, approver, account, change, now=now)
    if approve and already_in_force(change, account):
        raise _void_in_force(session, approver, account, change, now=now)
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.DECLINED
    change.decided_by_id, change.decided_at = approver.id, now
    record(
        session,
        approver,
        "account_change.approved" if approve else "account_change.declined",
        account,
        f"#{change.id}",
    )
    if not approve:
        return None
    initial = _make(session, approver, account, change, now=now, zone=zone, base_url=base_url)
    _close_others(session, approver, account, change, now=now)
    return initial


def _make(
    session: Session,
    approver: Account,
    account: Account,
    change: AccountChangeRequest,
    *,
    now: datetime,
    zone: ZoneInfo,
    base_url: str,
) -> str | None:
    """The approved change itself; a password reset's one-time password."""
    if change.kind == ChangeKind.ROLE:  # never falls through to a password reset
        if change.new_role is not None:
            accounts.change_role(session, approver, account, Role(change.new_role), now=now)
        return None
    if change.kind == ChangeKind.TWO_STEP_RESET:
        two_factor.reset(session, approver, account, now=now)
        return None
    if change.kind == ChangeKind.EMAIL:
        address = change.new_email
        _set_email(session, approver, account, address, now=now, zone=zone, base_url=base_url)
        return None
    if change.kind == ChangeKind.REACTIVATE:
        if not account.active:
            accounts.set_active(session, approver, account, True, now=now)
        return None
    return accounts.reset_password(session, approver, account, now=now)


def _changed_since_asked(change: AccountChangeRequest, account: Account) -> bool:
    """An email change whose account's address is no longer the one it was asked to change
    from: the member changed it themselves, or another change was approved first."""
    return change.kind == ChangeKind.EMAIL and change.old_email != account.email


def _void(
    session: Session,
    approver: Account,
    account: Account,
    change: AccountChangeRequest,
    *,
    now: datetime,
) -> ChangedSinceAsked:
    """Make the request void, audited; returns the refusal that says why: the address the
    member has now is theirs, and whoever asked must check with them and ask again."""
    change.status = ChangeStatus.VOID
    change.decided_by_id, change.decided_at = approver.id, now
    change.note = "their address changed since it was asked"
    then, current = _shown(change.old_email), _shown(account.email)
    summary = f"#{change.id}: address changed since asked ({then} to {current}), not made"
    record(session, approver, "account_change.void", account, summary)
    name = account.display_name
    return ChangedSinceAsked(CHANGED_SINCE_ASKED.format(name=name, then=then, now=current))


def _void_in_force(
    session: Session,
    approver: Account,
    account: Account,
    change: AccountChangeRequest,
    *,
    now: datetime,
) -> ChangedSinceAsked:
    """Close a role change that would change nothing (the role is already in force), audited;
    returns the refusal that says so."""
    label = account.role.label
    change.status = ChangeStatus.VOID
    change.decided_by_id, change.decided_at = approver.id, now
    change.note = "already in force: nothing to approve"
    summary = f"#{change.id}: role already {label}, nothing to approve"
    record(session, approver, "account_change.void", account, summary)
    return ChangedSinceAsked(NOTHING_TO_APPROVE.format(name=account.display_name, role=label))


def _close_others(
    session: Session,
    approver: Account,
    account: Account,
    approved: AccountChangeRequest,
    *,
    now: datetime,
) -> None:
    """Once one change is approved, any other of its kind still waiting for the same account
    (asked before a second was refused) is closed with it, in the same commit, each audited, so
    the head is never offered a stale or empty change: a role change from a role they no longer
    have, an address change from an address they no longer have, or a second reset that would
    undo the first's one-time password or fresh set-up."""
    for other in _waiting(session, account, approved.kind):
        if other.id == approved.id:
            continue
        other.status = ChangeStatus.VOID
        other.decided_by_id, other.decided_at = approver.id, now
        what = "role change" if approved.kind == ChangeKind.ROLE else CHANGE_NAMES[approved.kind]
        other.note = f"closed: {what} #{approved.id} was approved first"
        summary = f"#{other.id}: closed, #{approved.id} approved first"
        if approved.kind == ChangeKind.ROLE:
            summary += f" (role now {account.role.label})"
        record(session, approver, "account_change.void", account, summary)


# --- Classes --------------------------------------------------------------------------------

CLASS_NAME_LENGTH = 80  # a class's name: its box's limit and the check


def class_name(session: Session, school_id: int, typed: str, keep_id: int | None = None) -> str:
    """A class's name as typed (spaces tidied), or why it cannot be one (`keep_id`: the class
    being renamed, which may keep its own name)."""
    name = " ".join(typed.split())
    if not name:
        raise Invalid("Give the class a name.", "name")
    if len(typed) > CLASS_NAME_LENGTH:
        raise Invalid(too_long("Class name", CLASS_NAME_LENGTH, typed), "name")
    same = session.scalar(
        select(SchoolClass.id).where(SchoolClass.school_id == school_id, SchoolClass.name == name)
    )
    if same is not None and same != keep_id:
        if session.get_one(SchoolClass, same).closed_on is not None:
            raise Invalid(
                "There is already a class with that name, closed: reopen it under Closed "
                "classes, or choose another name.",
                "name",
            )
        raise Invalid("There is already a class with that name.", "name")
    return name


def rename_class(session: Session, actor: Actor, school_class: SchoolClass, typed: str) -> bool:
    """Give a class a new name (its pupils, staff, iPads and records stay with it); whether
    the name changed."""
    name = class_name(session, school_class.school_id, typed, keep_id=school_class.id)
    if name == school_class.name:
        return False
    old, school_class.name = school_class.name, name
    session.flush()
    record(session, actor, "class.renamed", school_class, f"{old} -> {name}")
    return True


def _count(session: Session, column: Any, class_id: int) -> int:
    return session.scalar(select(func.count()).where(column == class_id)) or 0


def what_keeps_class(session: Session, school_class: SchoolClass) -> list[str]:
    """What a class still has, each said in words; a class with none of it may be removed.

    Pupils who have left stay on their class for the record (their assessments, incidents and
    the audit log point at the pupil, and the pupil at the class), so a class that ever had a
    pupil is kept; once nobody is in it now, it may be closed instead (`close_class`)."""
    pupils = list(school_class.pupils)
    here = sum(1 for p in pupils if p.active)
    gone = len(pupils) - here
    reasons = []
    if here:
        reasons.append(_some(here, "pupil", "pupils") + " in it now")
    if gone:
        reasons.append(
            _some(gone, "pupil who has left", "pupils who have left")
            + ", whose records are kept with the class"
        )
    if school_class.staff:
        reasons.append(_some(len(school_class.staff), "member of staff", "members of staff"))
    ipads = _count(session, Device.class_id, school_class.id)
    ipads += _count(session, DeviceEnrolment.class_id, school_class.id)
    if ipads:
        reasons.append("class iPads or iPad enrolment links, now or in the past")
    kept = sum(
        _count(session, column, school_class.id)
        for column in (MapEntry.class_id, SymbolOverride.class_id, VoiceRecording.class_id)
    )
    if kept:
        reasons.append("its own lesson map, symbols or recorded voices")
    return reasons


def _some(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def remove_class(session: Session, actor: Actor, school_class: SchoolClass) -> None:
    """Remove a class that has nothing in it (last year's empty class), or say what keeps it;
    both are audited."""
    reasons = what_keeps_class(session, school_class)
    if reasons:
        why = "; ".join(reasons)
        record(session, actor, "class.remove_refused", school_class, f"{school_class.name}: {why}")
        raise Invalid(f"{school_class.name} cannot be removed: it has {why}.", "remove")
    record(session, actor, "class.removed", school_class, school_class.name)
    session.delete(school_class)
    session.flush()


def what_keeps_class_open(session: Session, school_class: SchoolClass, now: datetime) -> list[str]:
    """Who or what is still in a class now, each said in words; a class with none of it may be
    closed. Closing takes it off every class list, so a pupil, a member of staff or a class iPad
    still in it would be lost from view: each is moved, taken off or retired first, by a person."""
    reasons = []
    here = sum(1 for p in school_class.pupils if p.active)
    if here:
        reasons.append(_some(here, "pupil", "pupils") + " in it now")
    if school_class.staff:
        names = ", ".join(s.display_name for s in school_class.staff)
        reasons.append(f"staff working in it ({names}): take them off it first")
    ipads = session.scalar(
        select(func.count()).where(
            Device.class_id == school_class.id, Device.revoked_at.is_(None)
        )
    )
    links = session.scalar(
        select(func.count()).where(
            DeviceEnrolment.class_id == school_class.id,
            DeviceEnrolment.used_at.is_(None),
            DeviceEnrolment.expires_at > now,
        )
    )
    if ipads or links:
        reasons.append("class iPads or iPad enrolment links in use: retire them on Class iPads")
    return reasons


def close_class(
    session: Session, actor: Actor, school_class: SchoolClass, *, now: datetime, today: date
) -> None:
    """Close a class that nobody is in now (its pupils have all left), or say what keeps it
    open; both are audited. Its leavers' records stay with it, reached from staff home."""
    reasons = what_keeps_class_open(session, school_class, now)
    if reasons:
        why = "; ".join(reasons)
        record(session, actor, "class.close_refused", school_class, f"{school_class.name}: {why}")
        raise Invalid(f"{school_class.name} cannot be closed: it has {why}.", "close")
    if school_class.closed_on is None:
        school_class.closed_on = today
        session.flush()
        record(session, actor, "class.closed", school_class, school_class.name)


def reopen_class(session: Session, actor: Actor, school_class: SchoolClass) -> None:
    """Put a closed class back on the class lists, to take pupils, staff and iPads again."""
    if school_class.closed_on is not None:
        school_class.closed_on = None
        session.flush()
        record(session, actor, "class.reopened", school_class, school_class.name)
