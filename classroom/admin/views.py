"""Admin pages: accounts and roles, classes, the pupil import, access rights and the audit log."""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, NamedTuple

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, func, or_, select
from werkzeug.exceptions import RequestEntityTooLarge

from classroom import policy
from classroom.accounts import addresses, two_factor
from classroom.accounts import services as accounts
from classroom.accounts.forms import deliverable_email
from classroom.accounts.models import Account, Role
from classroom.admin import services as admin_services
from classroom.admin.models import AccountChangeRequest, ChangeStatus
from classroom.audit.models import AuditEvent, AuditTier
from classroom.audit.services import record
from classroom.db import get_session, keep, utcnow
from classroom.errors import Invalid, within
from classroom.localtime import local_day_bounds
from classroom.outbox import services as outbox
from classroom.outbox.models import OutboxMessage
from classroom.parents import delivery
from classroom.policy import allow
from classroom.pupils import importer
from classroom.pupils import services as pupil_services
from classroom.pupils.models import ClassStaff, ParentLink, Pupil, SchoolClass
from classroom.web import (
    csrf,
    requested_page,
    school_today,
    school_zone,
    sign_in_settings,
    whole_number,
)
from classroom.worries import services as worries
from classroom.worries.queue import OpenWork, open_work_of

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 50
MAX_UPLOAD = 1024 * 1024
# The new-account form's boxes: (name, label, input type, limit). Each limit is its column's,
# said under the box and checked here: longer text is refused whole, never cut short.
ACCOUNT_BOXES = (
    ("username", "Username", "text", 64),
    ("display_name", "Full name", "text", 120),
    ("email", "Email (optional)", "email", 254),
)
CLASS_NAME_LENGTH = admin_services.CLASS_NAME_LENGTH  # the name box's limit


def _actor() -> Account:
    actor = current_user._get_current_object()  # noqa: SLF001
    if not isinstance(actor, Account):
        abort(403)
    return actor


def _school_account(account_id: int) -> Account:
    account = get_session().get(Account, account_id)
    if account is None or account.school_id != _actor().school_id:
        abort(404)
    return account


# --- Accounts -------------------------------------------------------------------------------


@bp.get("/accounts")
@allow("manage_accounts")
def accounts_list() -> ResponseReturnValue:
    """Every staff and carer account, filterable by role and status."""
    role = request.args.get("role", "")
    query = (
        select(Account).where(Account.school_id == _actor().school_id).order_by(Account.username)
    )
    if role in {r.value for r in Role}:
        query = query.where(Account.role == role)
    if request.args.get("status") == "inactive":
        query = query.where(Account.active.is_(False))
    db = get_session()
    found = list(db.scalars(query))
    record(db, _actor(), "accounts.list_viewed", summary=f"role={role[:20]}")
    return render_template("admin/accounts.html", accounts=found, roles=list(Role), role=role)


@bp.route("/accounts/new", methods=["GET", "POST"])
@allow("manage_accounts")
def account_new() -> ResponseReturnValue:
    """Create an account; its one-time password is shown once to hand over in person."""
    if request.method == "GET":
        return _account_page({})
    db = get_session()
    # Kept whole, to give back as typed if refused.
    values = {k: request.form.get(k, "") for k in ("username", "display_name", "email", "role")}
    try:
        for name, label, _kind, limit in ACCOUNT_BOXES:
            within(values[name], limit, label.removesuffix(" (optional)"), name)
        if values["role"] not in {r.value for r in Role}:
            raise Invalid("Choose a role.", "role")
        if policy.grants_safeguarding(Role(values["role"])):
            # Otherwise an admin could make a team account for themselves without approval.
            raise Invalid(
                "Create the account with another role, then change it to a safeguarding role: "
                "that needs the headteacher's or another team member's approval.",
                "role",
            )
        email = _email_address(request.form.get("email", ""))
        account, initial = admin_services.create_account(
            db,
            _actor(),
            values["username"],
            values["display_name"],
            Role(values["role"]),
            email,
            secret_key=str(current_app.config["SECRET_KEY"]),
            base_url=_base_url(),
            now=utcnow(),
        )
    except Invalid as problem:
        return _account_page(values, problem), 400
    waiting = delivery.waiting_address(db, account)
    page = {"account": account, "password": initial, "waiting": waiting}
    return render_template("admin/one_time_password.html", **page), 201


def _account_page(values: dict[str, str], error: Invalid | None = None) -> str:
    return render_template(
        "admin/account_new.html", roles=list(Role), boxes=ACCOUNT_BOXES, values=values, error=error
    )


def _email_address(typed: str) -> str | None:
    """The address as emails are sent to it, or None if left empty (it is optional).

    The one check every address passes (accounts.forms.deliverable_email): a domain in other
    alphabets is kept in IDNA so the emails really go; what no email can reach is refused.
    """
    if not typed.strip():
        return None
    try:
        return deliverable_email(typed)
    except ValueError as problem:
        raise Invalid(str(problem), "email") from problem


@bp.get("/accounts/<int:account_id>")
@allow("manage_accounts")
def account_detail(account_id: int) -> ResponseReturnValue:
    """One account: role, status, linked children or classes, and admin actions."""
    account = _school_account(account_id)
    record(get_session(), _actor(), "account.viewed", account)
    return _detail_page(account)


def _children(account: Account) -> list[Pupil | None]:
    """A carer's connected children (none for staff)."""
    db = get_session()
    links = db.scalars(
        select(ParentLink).where(
            ParentLink.parent_id == account.id, ParentLink.revoked_at.is_(None)
        )
    )
    return [db.get(Pupil, link.pupil_id) for link in links]


def _classes_of(account: Account) -> list[str]:
    """The names of the classes a member of staff is listed on (a deactivated one stays listed,
    for the record, until an admin removes them on the Classes page)."""
    query = (
        select(SchoolClass.name)
        .join(ClassStaff, ClassStaff.class_id == SchoolClass.id)
        .where(ClassStaff.account_id == account.id, SchoolClass.school_id == account.school_id)
        .order_by(SchoolClass.name)
    )
    return list(get_session().scalars(query))


@bp.post("/accounts/<int:account_id>/role")
@allow("manage_accounts")
def account_role(account_id: int) -> ResponseReturnValue:
    """Change a role; one touching the safeguarding team waits for approval."""
    account = _school_account(account_id)
    role = request.form.get("role", "")
    if role not in {r.value for r in Role}:
        abort(400)
    db = get_session()
    try:
        pending = admin_services.change_role(
            db, _actor(), account, Role(role), now=utcnow(), base_url=_base_url()
        )
    except Invalid as problem:
        return _detail_with_error(account, problem)
    if pending is not None:
        return redirect(url_for("admin.account_detail", account_id=account.id, approval=1))
    return redirect(url_for("admin.account_detail", account_id=account.id, saved=1))


def _base_url() -> str:
    """The school's own address (never the request's Host), for links in emails."""
    return str(current_app.config["BASE_URL"])


def _detail_with_error(account: Account, problem: Invalid) -> ResponseReturnValue:
    _audit_refused_change(account, problem)
    return _detail_page(account, problem), 400


def _audit_refused_change(account: Account, problem: Invalid) -> None:
    """A second change refused while one of its kind waits for approval is an action too: its
    audit entry (who tried what, for whom) outlives the 400, which undoes everything else."""
    if not isinstance(problem, admin_services.ChangeWaiting):
        return
    db = get_session()
    db.rollback()  # keep() below commits: nothing of the refused change may be in it
    record(db, _actor(), "account_change.refused", account, problem.summary)
    keep(db)


def _detail_page(
    account: Account, error: Invalid | None = None, email: EmailBox | None = None
) -> str:
    """The account page; a refused form's `error` is summarised at the top, linked to its box."""
    return render_template(
        "admin/account_detail.html",
        account=account,
        own=account.id == _actor().id,  # nobody deactivates themselves or changes their role
        roles=list(Role),
        children=_children(account),
        classes=_classes_of(account),
        two_step=two_factor.is_enrolled(get_session(), account),
        two_step_required=two_factor.is_required(account),
        waiting=delivery.waiting_address(get_session(), account),  # a carer's, not confirmed
        # Role changes, resets and address changes waiting for approval, by kind: said beside
        # each control, which a second of its kind would only be refused by.
        asked=admin_services.waiting_changes(get_session(), account),
        reactivate_needs_approval=not account.active and policy.needs_approval(account),
        locked_until=accounts.sign_in_locked_until(
            get_session(), account, now=utcnow(), settings=sign_in_settings()
        ),
        error=error,
        email=email or _email_box(account),
        left=_work_left(account) if account.active or request.args.get("left") else None,
    )


class WorkLeft(NamedTuple):
    """What deactivating a member of the safeguarding team leaves with nobody: how many open
    worries and actions are theirs (counts only: the admin may not read the records), and
    whether they are the school's last DSL or deputy DSL, the only people a new worry alerts at
    once (worries.services._alert_team)."""

    work: OpenWork
    last_lead: bool

    @property
    def words(self) -> str:
        """As "2 open worries assigned to them and 1 open action they own"."""
        assigned = worries.plural(self.work.worries, "open worry", "open worries")
        owned = worries.plural(self.work.actions, "open action", "open actions")
        return f"{assigned} assigned to them and {owned} they own"


def _work_left(account: Account) -> WorkLeft | None:
    """None for an account off the safeguarding team: it can hold no incident work."""
    if not policy.grants_safeguarding(account.role):
        return None
    db = get_session()
    others = policy.safeguarding_team(account.school_id, "alerted").where(Account.id != account.id)
    last_lead = account.role in policy.team_roles("alerted") and not db.scalar(
        others.with_only_columns(func.count(Account.id)).order_by(None)
    )
    return WorkLeft(open_work_of(db, account.school_id, account.id), last_lead)


@bp.post("/accounts/<int:account_id>/reset-password")
@allow("manage_accounts")
def account_reset(account_id: int) -> ResponseReturnValue:
    """Give a one-time password (after approval for the safeguarding team's accounts); refused
    (400, nothing saved) while a reset of theirs waits for approval."""
    account = _school_account(account_id)
    db = get_session()
    try:
        initial, pending = admin_services.reset_password(
            db, _actor(), account, now=utcnow(), base_url=_base_url()
        )
    except Invalid as problem:
        return _detail_with_error(account, problem)
    if pending is not None:
        return redirect(url_for("admin.account_detail", account_id=account.id, approval=1))
    return render_template("admin/one_time_password.html", account=account, password=initial)


@bp.post("/accounts/<int:account_id>/reset-two-step")
@allow("manage_accounts")
def account_reset_two_step(account_id: int) -> ResponseReturnValue:
    """Take away a lost authenticator (after approval for the safeguarding team's accounts)."""
    account = _school_account(account_id)
    db = get_session()
    try:
        pending = admin_services.reset_two_step(
            db, _actor(), account, now=utcnow(), base_url=_base_url()
        )
    except Invalid as problem:
        return _detail_with_error(account, problem)
    if pending is not None:
        return redirect(url_for("admin.account_detail", account_id=account.id, approval=1))
    return redirect(url_for("admin.account_detail", account_id=account.id, two_step_reset=1))


@bp.post("/accounts/<int:account_id>/sign-in-lock")
@allow("manage_accounts")
def account_unlock(account_id: int) -> ResponseReturnValue:
    """Let someone locked out by too many failed sign-ins try again now, rather than wait."""
    account = _school_account(account_id)
    until = admin_services.clear_sign_in_lock(
        get_session(), _actor(), account, now=utcnow(), settings=sign_in_settings()
    )
    outcome = "done" if until else "already"  # the lock may have ended while the page was open
    return redirect(url_for("admin.account_detail", account_id=account.id, unlocked=outcome))


# What the account page says after an admin's change of a member of staff's address.
EMAIL_CHANGES = {
    "added": "Email address saved. Their emails will go to it.",
    "changed": "Email address changed. We have emailed their old address to say so.",
    "removed": "Email address removed, so the app sends them no emails. We have emailed their "
    "old address to say so.",
    "unchanged": "That is already their email address: nothing has changed.",
}


class EmailBox(NamedTuple):
    """The account page's email address part: whether this admin may change it (the policy),
    whether a change waits for approval, and a refused try. (Changes already waiting are the
    page's `asked`, with the other kinds'.)"""

    may_change: bool
    needs_approval: bool
    own: bool
    typed: str
    error: str | None
    done: str | None


def _email_box(account: Account, typed: str | None = None, error: str | None = None) -> EmailBox:
    return EmailBox(
        may_change=policy.can_change_account_email(_actor(), account),
        needs_approval=policy.needs_approval(account),
        own=account.id == _actor().id,
        typed=(account.email or "") if typed is None else typed,
        error=error,
        done=EMAIL_CHANGES.get(request.args.get("email", "")),
    )


@bp.post("/accounts/<int:account_id>/email")
@allow("manage_accounts")
def account_email(account_id: int) -> ResponseReturnValue:
    """Change a member of staff's email address (empty removes it): at once, or, for the
    safeguarding team, once the headteacher or another team member approves. A carer's address
    is theirs to change, and an admin's own is changed with their password: both 404 here."""
    account = _school_account(account_id)
    if not policy.can_change_account_email(_actor(), account):
        abort(404)
    typed = request.form.get("email", "")
    db = get_session()
    try:
        outcome, pending = admin_services.change_email(
            db,
            _actor(),
            account,
            typed,
            was=request.form.get("was"),  # the address the page showed: changed since?
            now=utcnow(),
            zone=school_zone(),
            base_url=_base_url(),
        )
    except Invalid as problem:
        db.rollback()
        _audit_refused_change(account, problem)
        box = _email_box(account, typed, problem.message)
        return _detail_page(account, problem, box), 400
    if pending is not None:
        return redirect(url_for("admin.account_detail", account_id=account.id, approval=1))
    return redirect(url_for("admin.account_detail", account_id=account.id, email=outcome))


# --- Approvals --------------------------------------------------------------------------------


@bp.get("/approvals")
@allow("approve_account_changes")
def approvals() -> ResponseReturnValue:
    """Role changes and password resets of the safeguarding team waiting for a second person."""
    return _approvals_page()


def _approvals_page(error: str | None = None) -> str:
    db = get_session()
    changes = list(db.scalars(policy.visible_account_changes(_actor())))
    people = {
        a.id: a for a in db.scalars(select(Account).where(Account.school_id == _actor().school_id))
    }
    # A role change to the role the account already has: shown as nothing to approve, with
    # only Decline to clear it (never closed here: a GET writes nothing).
    in_force = {
        c.id for c in changes if admin_services.already_in_force(c, people.get(c.account_id))
    }
    return render_template(
        "admin/approvals.html",
        changes=changes,
        people=people,
        error=error,
        decided=_decided(),
        in_force=in_force,
    )


def _decided() -> AccountChangeRequest | None:
    """The change just approved or declined (`?decided=<id>`), said back by whose and what:
    "Decision recorded." alone left the head unsure which row her press had settled."""
    change_id = request.args.get("decided", type=whole_number)
    change = get_session().get(AccountChangeRequest, change_id) if change_id else None
    if change is None or change.school_id != _actor().school_id:
        return None
    return change if change.status in {ChangeStatus.APPROVED, ChangeStatus.DECLINED} else None


@bp.post("/approvals/<int:change_id>")
@allow("approve_account_changes")
def approval_decide(change_id: int) -> ResponseReturnValue:
    db = get_session()
    change = db.get(AccountChangeRequest, change_id)
    if change is None or not policy.can_approve_account_change(db, _actor(), change):
        abort(404)
    decision = request.form.get("decision")
    if decision not in {"approve", "decline"}:
        abort(400)
    try:
        initial = admin_services.decide(
            db,
            _actor(),
            change,
            decision == "approve",
            now=utcnow(),
            zone=school_zone(),
            base_url=_base_url(),
        )
    except admin_services.ChangedSinceAsked as problem:
        keep(db)  # the request stays void, and its audit kept, through the 409
        return _approvals_page(problem.message), 409
    account = db.get(Account, change.account_id)
    if initial is not None and account is not None:
        page = {"account": account, "password": initial, "from_approvals": True}
        return render_template("admin/one_time_password.html", **page)
    return redirect(url_for("admin.approvals", decided=change.id))


@bp.post("/accounts/<int:account_id>/active")
@allow("manage_accounts")
def account_active(account_id: int) -> ResponseReturnValue:
    """Deactivate (sessions end at once) or reactivate an account (a safeguarding-team one
    once approved)."""
    account = _school_account(account_id)
    db = get_session()
    now = utcnow()
    active = request.form.get("active") == "1"
    # Never refused for open work: a team member who has left must lose access at once. What
    # they leave is noted, and the rest of the team told, so it does not wait for nobody.
    left = None if active or not account.active else _work_left(account)
    summary = f"left {worries.work_left_words(left.work)}" if left and left.work.total else ""
    if left and left.last_lead:
        summary = "; ".join(filter(None, [summary, "was the last DSL or deputy DSL"]))
    try:
        pending = admin_services.set_active(
            db, _actor(), account, active, now=now, base_url=_base_url(), summary=summary
        )
    except Invalid as problem:
        return _detail_with_error(account, problem)
    if pending is not None:
        return redirect(url_for("admin.account_detail", account_id=account.id, approval=1))
    if left and left.work.total:
        told = worries.tell_team_of_work_left(db, account, left.work, now=now, base_url=_base_url())
        outcome = "emailed" if told.emailed else "alerted" if told.alerted else "untold"
        return redirect(url_for("admin.account_detail", account_id=account.id, left=outcome))
    if not active:  # said as done, with what it means: never a bare "Saved."
        return redirect(url_for("admin.account_detail", account_id=account.id, left="none"))
    return redirect(url_for("admin.account_detail", account_id=account.id, saved=1))


# --- Classes --------------------------------------------------------------------------------


@bp.route("/classes", methods=["GET", "POST"])
@allow("manage_classes")
def classes() -> ResponseReturnValue:
    """Classes with their staff; create a class."""
    db = get_session()
    if request.method == "GET":
        return _classes_page()
    typed = request.form.get("name", "")
    try:
        name = admin_services.class_name(db, _actor().school_id, typed)
    except Invalid as problem:
        return _classes_page(problem.message, "class-name", typed), 400
    new_class = SchoolClass(school_id=_actor().school_id, name=name)
    db.add(new_class)
    db.flush()
    record(db, _actor(), "class.created", new_class, name)
    return redirect(url_for("admin.classes", saved=1))


def _classes_page(error: str | None = None, field: str | None = None, typed: str = "") -> str:
    """The classes page; `field` is the box a refused form's `error` belongs to."""
    db = get_session()
    all_classes = list(
        db.scalars(
            select(SchoolClass)
            .where(SchoolClass.school_id == _actor().school_id)
            .order_by(SchoolClass.name)
        )
    )
    closed = [c for c in all_classes if c.closed_on is not None]
    staff = list(
        db.scalars(
            select(Account)
            .where(
                Account.school_id == _actor().school_id,
                Account.role != Role.PARENT,
                Account.active.is_(True),
            )
            .order_by(Account.display_name)
        )
    )
    return render_template(
        "admin/classes.html",
        classes=[c for c in all_classes if c.closed_on is None],
        closed=closed,
        staff=staff,
        error=error,
        error_field=field,
        name_max=CLASS_NAME_LENGTH,
        typed=typed,
    )


@bp.post("/classes/<int:class_id>/staff")
@allow("manage_classes")
def class_staff(class_id: int) -> ResponseReturnValue:
    """Assign or remove a staff member from a class."""
    db = get_session()
    school_class = db.get(SchoolClass, class_id)
    if school_class is None or school_class.school_id != _actor().school_id:
        abort(404)
    chosen = request.form.get("account_id", type=whole_number)
    if chosen is None:  # the menu starts on no one: who works in a class is never a default
        problem = f"Choose who to add to {school_class.name}."
        return _classes_page(problem, f"add-{class_id}"), 400
    account = _school_account(chosen)
    if not account.is_staff:
        abort(404)
    link = db.get(ClassStaff, (class_id, account.id))
    if request.form.get("action") == "remove" and link is not None:
        db.delete(link)
        record(db, _actor(), "class.staff_removed", school_class, account.username)
    elif request.form.get("action") == "add" and school_class.closed_on is not None:
        problem = f"{school_class.name} is closed: reopen it before adding staff to it."
        return _classes_page(problem, f"reopen-{class_id}"), 400
    elif request.form.get("action") == "add" and link is None:
        db.add(ClassStaff(class_id=class_id, account_id=account.id))
        record(db, _actor(), "class.staff_added", school_class, account.username)
    return redirect(url_for("admin.classes", saved=1))


def _school_class(class_id: int) -> SchoolClass:
    school_class = get_session().get(SchoolClass, class_id)
    if school_class is None or school_class.school_id != _actor().school_id:
        abort(404)
    return school_class


@bp.post("/classes/<int:class_id>/rename")
@allow("manage_classes")
def class_rename(class_id: int) -> ResponseReturnValue:
    """Give a class a new name: its pupils, staff, iPads and records stay with it."""
    school_class = _school_class(class_id)
    typed = request.form.get("name", "")
    try:
        admin_services.rename_class(get_session(), _actor(), school_class, typed)
    except Invalid as problem:
        return _classes_page(problem.message, f"rename-{class_id}", typed), 400
    return redirect(url_for("admin.classes", saved=1))


@bp.post("/classes/<int:class_id>/remove")
@allow("manage_classes")
def class_remove(class_id: int) -> ResponseReturnValue:
    """Remove an empty class (last year's); a class with anything in it is kept, saying why."""
    school_class = _school_class(class_id)
    return _refusable(
        lambda: admin_services.remove_class(get_session(), _actor(), school_class),
        f"remove-{class_id}",
        "removed",
    )


@bp.post("/classes/<int:class_id>/close")
@allow("manage_classes")
def class_close(class_id: int) -> ResponseReturnValue:
    """Close a class whose pupils have all left: off every class list, its records kept."""
    school_class = _school_class(class_id)
    return _refusable(
        lambda: admin_services.close_class(
            get_session(), _actor(), school_class, now=utcnow(), today=school_today()
        ),
        f"close-{class_id}",
        "closed",
    )


def _refusable(change: Callable[[], None], field: str, done: str) -> ResponseReturnValue:
    """Make a class change the service may refuse, saying why: the classes page with the refusal
    at `field` (400), or back to it saying `done`."""
    try:
        change()
    except Invalid as problem:
        keep(get_session())  # the refusal's audit entry outlives the 400
        return _classes_page(problem.message, field), 400
    done_flag: dict[str, Any] = {done: 1}  # the page then says what was done
    return redirect(url_for("admin.classes", **done_flag))


@bp.post("/classes/<int:class_id>/reopen")
@allow("manage_classes")
def class_reopen(class_id: int) -> ResponseReturnValue:
    """Put a closed class back on the class lists."""
    admin_services.reopen_class(get_session(), _actor(), _school_class(class_id))
    return redirect(url_for("admin.classes", reopened=1))


LEFT_ON = "left_on"


@bp.route("/classes/<int:class_id>/leavers", methods=["GET", "POST"])
@allow("manage_classes")
def class_leavers(class_id: int) -> ResponseReturnValue:
    """Record that several of a class's pupils left the school on one day: choose them (none
    ticked beforehand), then confirm a list that names them; the GET changes nothing."""
    school_class = _school_class(class_id)
    db = get_session()
    pupils = [
        p
        for p in school_class.pupils
        if p.active and pupil_services.may_record_leaving(db, _actor(), p)
    ]
    typed_day = request.form.get(LEFT_ON, school_today().isoformat())
    if request.method == "GET":
        return _leavers_page(school_class, pupils, typed_day)
    ids = set(request.form.getlist("pupil_id", type=whole_number))
    chosen = [p for p in pupils if p.id in ids]
    if len(chosen) != len(ids):  # a pupil not (or no longer) in the list: the page is old
        problem = "Some of the pupils chosen are no longer in this class's list. Choose again."
        return _leavers_page(school_class, pupils, typed_day, set(), problem, "pupils"), 409
    if request.form.get("step") == "change":  # back from the names, the ticks kept
        return _leavers_page(school_class, pupils, typed_day, ids)
    try:
        left_on = _day(typed_day)
        if request.form.get("step") != "confirm":
            pupil_services.check_leavers(chosen, left_on=left_on, today=school_today())
            return render_template(
                "admin/leavers_confirm.html",
                school_class=school_class,
                chosen=chosen,
                left_on=left_on,
            )
        pupil_services.record_leavers(
            db,
            _actor(),
            chosen,
            left_on=left_on,
            today=school_today(),
            now=utcnow(),
            base_url=str(current_app.config["BASE_URL"]),
        )
    except Invalid as problem:
        field = problem.field or "pupils"
        return _leavers_page(school_class, pupils, typed_day, ids, problem.message, field), 400
    return redirect(url_for("admin.classes", leavers=len(chosen)))


def _day(typed: str) -> date:
    try:
        return date.fromisoformat(typed.strip())
    except ValueError:
        raise Invalid("Give the day they left as a date, such as 2026-07-22.", LEFT_ON) from None


def _leavers_page(
    school_class: SchoolClass,
    pupils: list[Pupil],
    typed_day: str,
    ticked: set[int] | None = None,
    error: str | None = None,
    field: str | None = None,
) -> str:
    return render_template(
        "admin/leavers.html",
        school_class=school_class,
        pupils=pupils,
        typed_day=typed_day,
        ticked=ticked or set(),
        error=error,
        error_field=field,
    )


# --- Import ---------------------------------------------------------------------------------


TOO_BIG = "The file is larger than 1 MB; split it into smaller files."
NOT_TEXT = "The file is not UTF-8 text. Export it as CSV (UTF-8)."
WORKBOOK = (
    "This is an Excel workbook, not a CSV file. In Excel, choose File > Save As > "
    "CSV UTF-8 (Comma delimited), then choose that file."
)


class _Refusal(NamedTuple):
    """A chosen file the import cannot read: what the admin is told, and what the audit says."""

    message: str
    why: str  # for the audit: never a name or anything else from the file
    status: int = 400


def _upload_text() -> str | _Refusal:
    """The chosen file's text, or why it cannot be read.

    Excel's plain "CSV (Comma delimited)" is Windows-1252, its "CSV UTF-8" UTF-8 with a BOM:
    UTF-8 is tried first, as Windows-1252 reads nearly any bytes and would misread it. Bytes
    no text file holds (a NUL, a workbook's ZIP) are refused rather than read as Windows text.
    """
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:  # over the app-wide limit: the body was never read
        return _Refusal(TOO_BIG, "larger than 1 MB", 413)
    if current_app.config["WTF_CSRF_ENABLED"]:  # as the app-wide hook, skipped for this view
        csrf.protect()
    if upload is None or not upload.filename:
        return _Refusal("Choose a CSV file.", "no file chosen")
    raw: bytes = upload.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        return _Refusal(TOO_BIG, "larger than 1 MB", 413)
    if raw.startswith(b"PK\x03\x04"):  # an .xlsx is a ZIP of XML
        return _Refusal(WORKBOOK, "an Excel workbook, not a CSV file")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _utf16(raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw:
        return _Refusal(NOT_TEXT, "not text")
    # Excel for Mac's "CSV (Macintosh)" ends its lines with CR alone, and is Mac Roman: read as
    # Windows-1252 its "Zoë" would come in as "ZoŠ".
    codec = "mac_roman" if re.search(rb"\r(?!\n)", raw) else "cp1252"
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:  # the five bytes Windows-1252 leaves unused
        return _Refusal(NOT_TEXT, "not text")


def _utf16(raw: bytes) -> str | _Refusal:
    """Excel's "Unicode Text" (tab-separated, UTF-16 with its byte-order mark): a NUL or a
    broken pair read from it means the bytes were never that text."""
    try:
        text = raw.decode("utf-16")
    except UnicodeDecodeError:
        return _Refusal(NOT_TEXT, "not text")
    return _Refusal(NOT_TEXT, "not text") if "\x00" in text else text


def _import_refused(
    why: str, status: int, report: importer.ImportReport | None = None, error: str | None = None
) -> ResponseReturnValue:
    """The import page again with what was wrong; the refusal is audited and its entry kept
    through the 4xx, which undoes everything else (nothing of the file is imported)."""
    db = get_session()
    db.rollback()  # keep() below commits: nothing of the file may be in it
    record(db, _actor(), "pupils.import_refused", summary=f"nothing imported: {why}")
    keep(db)
    return render_template("admin/import.html", report=report, error=error), status


# Exempt from the app-wide CSRF hook only because that hook reads the body first, and a file
# over the app-wide limit would then get the bare "too big" page instead of this one's advice;
# _upload_text checks the token itself once the body is read.
@csrf.exempt  # type: ignore[untyped-decorator]
@bp.route("/import", methods=["GET", "POST"])
@allow("import_pupils")
def import_pupils() -> ResponseReturnValue:
    """Upload the MIS export; every problem is listed by line and nothing half-imports."""
    if request.method == "GET":
        return render_template("admin/import.html", report=None)
    text = _upload_text()
    if isinstance(text, _Refusal):
        return _import_refused(text.why, text.status, error=text.message)
    db = get_session()
    addresses = delivery.ImportedAddresses(str(current_app.config["SECRET_KEY"]), _base_url())
    report = importer.import_csv(
        db, _actor(), _actor().school_id, text, now=utcnow(), zone=school_zone(),
        addresses=addresses,
    )  # fmt: skip
    if not report.ok:  # nothing of a file with errors is imported, only its refusal
        found = len(report.errors)
        why = f"{found} problem{'s' if found != 1 else ''} in the file"
        return _import_refused(why, 422, report=report)
    return render_template("admin/import.html", report=report)


# --- Access rights and audit log ------------------------------------------------------------


@bp.get("/access-rights")
@allow("view_access_rights")
def access_rights() -> ResponseReturnValue:
    """The school's record of what each role may do (the policy asks that it be recorded)."""
    return render_template(
        "admin/access_rights.html",
        rights=policy.RIGHTS,
        roles=list(Role),
        pupil_text=policy.PUPIL_RIGHTS_TEXT,
    )


def _audit_query() -> Select[AuditEvent]:
    """The entries the actor may read (the policy's scope), narrowed by the page's filters."""
    args = request.args
    query = policy.visible_audit_entries(_actor())
    if action := args.get("action", "").strip()[:64]:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    if who := args.get("who", "").strip()[:120]:
        query = query.where(AuditEvent.actor_name.icontains(who, autoescape=True))
    if kind := args.get("object_type", "").strip()[:40]:
        query = query.where(AuditEvent.object_type == kind)
    if object_id := args.get("object_id", type=whole_number):
        query = query.where(AuditEvent.object_id == object_id)
    if about := args.get("about", "").strip()[:120]:
        query = query.where(_about(about))
    for name, op in (("from", "ge"), ("to", "le")):
        if value := args.get(name, ""):
            try:
                day = datetime.fromisoformat(value[:10]).date()
            except ValueError as bad:
                label = "From" if name == "from" else "To"
                raise Invalid(f"{label} must be a date like 2026-09-01.", f"f-{name}") from bad
            # A day on the school's clock, as staff mean it (BST days start at 23:00 UTC).
            first, last = local_day_bounds(day, school_zone())
            bound = first if op == "ge" else last
            query = query.where(AuditEvent.at >= bound if op == "ge" else AuditEvent.at <= bound)
    return query


def _about(typed: str) -> ColumnElement[bool]:
    """Entries whose record is a person of the school (staff or carer) or a pupil the actor may
    see, whose name or username holds `typed`: the head looks up what was done to someone, who
    is not always who did it (the Who box)."""
    people = select(Account.id).where(
        Account.school_id == _actor().school_id,
        or_(
            Account.display_name.icontains(typed, autoescape=True),
            Account.username.icontains(typed, autoescape=True),
        ),
    )
    pupils = (
        policy.visible_pupils(_actor())
        .with_only_columns(Pupil.id)
        .where(
            or_(
                (Pupil.first_name + " " + Pupil.last_name).icontains(typed, autoescape=True),
                Pupil.last_name.icontains(typed, autoescape=True),
                Pupil.known_as.icontains(typed, autoescape=True),
            )
        )
    )
    return or_(
        (AuditEvent.object_type == "Account") & AuditEvent.object_id.in_(people),
        (AuditEvent.object_type == "Pupil") & AuditEvent.object_id.in_(pupils),
    )


def _record_names(events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """The name of each entry's person or pupil, so "Account #5" says who: the school's accounts,
    and only pupils the actor may see (never another school's, nor a name they may not read)."""
    db = get_session()
    wanted = {
        kind: {e.object_id for e in events if e.object_type == kind and e.object_id}
        for kind in ("Account", "Pupil")
    }
    names: dict[tuple[str, int], str] = {}
    if wanted["Account"]:
        rows = db.execute(
            select(Account.id, Account.display_name).where(
                Account.school_id == _actor().school_id, Account.id.in_(wanted["Account"])
            )
        )
        names |= {("Account", row.id): row.display_name for row in rows}
    if wanted["Pupil"]:
        pupils = policy.visible_pupils(_actor()).where(Pupil.id.in_(wanted["Pupil"]))
        names |= {("Pupil", p.id): p.full_name for p in db.scalars(pupils)}
    return names


@bp.get("/audit")
@allow("view_audit_log")
def audit() -> ResponseReturnValue:
    """Browse and filter the audit log, newest first (read-only)."""
    db = get_session()
    page = requested_page()
    try:
        query = _audit_query()
    except Invalid as problem:
        return render_template(
            "admin/audit.html",
            events=[],
            error=problem,
            page=1,
            pages=1,
            total=0,
            object_types=[],
            names={},
        ), 400
    total = db.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = list(
        db.scalars(
            query.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        )
    )
    # The filter's choices come from the same scope, so they never hint at hidden entries.
    object_types = list(
        db.scalars(
            policy.visible_audit_entries(_actor())
            .with_only_columns(AuditEvent.object_type)
            .distinct()
            .where(AuditEvent.object_type.is_not(None))
        )
    )
    record(db, _actor(), "audit.viewed", summary=request.query_string.decode()[:200])
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "admin/audit.html",
        events=events,
        names=_record_names(events),
        page=page,
        pages=pages,
        total=total,
        object_types=sorted(t for t in object_types if t),
    )


# --- Email that could not be sent --------------------------------------------------------------


@bp.get("/mail")
@allow("see_mail_failures")
def mail_failures() -> ResponseReturnValue:
    """Emails that failed at least once: retrying, or given up and waiting for a person; and
    the accounts whose stored address no email can reach, for someone to change."""
    db = get_session()
    messages = outbox.failures(db, policy.visible_mail_failures(_actor()))
    unreachable = addresses.unreachable_addresses(db, _actor().school_id)
    # The page shows people's email addresses: who looked is on record, as for the accounts list.
    record(db, _actor(), "mail_problems.viewed", summary=f"unreachable={len(unreachable)}")
    return render_template("admin/mail.html", messages=messages, unreachable=unreachable)


@bp.post("/mail/<int:message_id>/retry")
@allow("see_mail_failures")
def mail_retry(message_id: int) -> ResponseReturnValue:
    db = get_session()
    message = _unsent_message(message_id)
    outbox.retry_now(message, now=utcnow())
    tier = AuditTier.SAFEGUARDING if message.is_safeguarding else None
    record(db, _actor(), "mail.retried", message, message.subject, tier=tier)
    return redirect(url_for("admin.mail_failures", retried=1))


@bp.post("/mail/<int:message_id>/leave")
@allow("see_mail_failures")
def mail_leave_unsent(message_id: int) -> ResponseReturnValue:
    """An email held after a restore that the family had had: left unsent, no longer listed."""
    message = _unsent_message(message_id)
    if not message.is_held:  # only a held one: anything else is still to be sent
        abort(404)
    outbox.leave_unsent(message, now=utcnow())
    tier = AuditTier.SAFEGUARDING if message.is_safeguarding else None
    record(get_session(), _actor(), "mail.left_unsent", message, message.subject, tier=tier)
    return redirect(url_for("admin.mail_failures", left=1))


def _unsent_message(message_id: int) -> OutboxMessage:
    """An email not sent that the actor may see; another school's answers 404, as if it did
    not exist."""
    db = get_session()
    message = db.get(OutboxMessage, message_id)
    if (
        message is None
        or message.sent_at is not None
        or message.left_unsent_at is not None
        or not policy.can_retry_mail(db, _actor(), message)
    ):
        abort(404)
    return message
