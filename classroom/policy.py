"""Every authorization rule in one place.

Each route names one access rule (see `allow`); object rules are `can_<verb>_<noun>` functions
with a matching `visible_<nouns>` query scope, so a list and a detail page never disagree.
The table RIGHTS is also what admins see as the school's record of access rights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.principals import Actor, PupilPrincipal
from classroom.pupils.models import ClassStaff, ParentLink, Pupil, SchoolClass
from classroom.worries.models import Incident

STAFF_ROLES = frozenset(r for r in Role if r != Role.PARENT)
CLASS_ROLES = frozenset({Role.TEACHER, Role.TEACHING_ASSISTANT})
SAFEGUARDING_ROLES = frozenset({Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER})
WHOLE_SCHOOL_PUPIL_ROLES = frozenset(
    {Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER, Role.SENIOR_LEADER, Role.ADMIN}
)


@dataclass(frozen=True)
class Right:
    """A named permission, the roles that hold it, and what it covers in plain words."""

    description: str
    roles: frozenset[Role]
    scope: str = "whole school"


RIGHTS: dict[str, Right] = {
    "manage_accounts": Right(
        "Create staff and parent accounts, change roles, reset passwords, deactivate accounts",
        frozenset({Role.ADMIN}),
    ),
    "import_pupils": Right(
        "Import pupils and their parents/carers from the MIS export (CSV)", frozenset({Role.ADMIN})
    ),
    "manage_classes": Right(
        "Create classes and assign staff to them", frozenset({Role.ADMIN, Role.HEADTEACHER})
    ),
    "view_audit_log": Right(
        "Browse and filter the audit log (nobody can edit or delete it)",
        frozenset({Role.ADMIN, Role.HEADTEACHER}),
    ),
    "view_access_rights": Right(
        "See this record of access rights", frozenset({Role.ADMIN, Role.HEADTEACHER})
    ),
    "view_pupils": Right(
        "See pupils' names, dates of birth, classes and settings",
        WHOLE_SCHOOL_PUPIL_ROLES | CLASS_ROLES,
        "teachers and TAs: their own classes only",
    ),
    "edit_pupil_settings": Right(
        "Change a pupil's pathway, sign-in tile, picture password and accessibility settings",
        frozenset({Role.HEADTEACHER, Role.ADMIN}) | CLASS_ROLES,
        "teachers and TAs: their own classes only",
    ),
    "manage_class_ipads": Right(
        "Turn iPads into class iPads, see them and revoke them",
        frozenset({Role.HEADTEACHER, Role.ADMIN}) | CLASS_ROLES,
        "teachers and TAs: their own classes only",
    ),
    "work_incidents": Right(
        "See and work the incident queue: every worry and concern, including child-protection "
        "records; triage, actions, referrals, parent-contact decisions, closing",
        SAFEGUARDING_ROLES,
    ),
    "raise_concern": Right(
        "Log a concern about a pupil and see the concerns they raised (not the rest of the file)",
        STAFF_ROLES,
        "pupils they can see; their own concerns only",
    ),
    "review_incidents": Right(
        "See the anonymised incident log, trends and lessons learnt (no names)",
        SAFEGUARDING_ROLES | {Role.SENIOR_LEADER, Role.GOVERNOR},
    ),
    "export_incident_log": Right(
        "Download the incident log as an AES-encrypted file",
        frozenset({Role.DSL, Role.DEPUTY_DSL}),
    ),
    "see_mail_failures": Right(
        "See emails that could not be sent and send them again",
        frozenset({Role.ADMIN, Role.DSL, Role.DEPUTY_DSL}),
    ),
    "view_own_children": Right(
        "See their own linked children only", frozenset({Role.PARENT}), "own children"
    ),
}

PUPIL_RIGHTS_TEXT = (
    "Pupils sign in only on a class iPad by tapping their own tile. They can do their lessons "
    "and report a worry. They can never read back anyone's data, including their own reports."
)


def has_right(actor: Actor, right: str) -> bool:
    """Whether the actor's role holds a named right (before any ownership check)."""
    return holder(actor, right) is not None


def holder(actor: Actor, right: str) -> Account | None:
    """The actor as an active account holding the right, or None."""
    if isinstance(actor, Account) and actor.active and actor.role in RIGHTS[right].roles:
        return actor
    return None


# --- Route access rules -------------------------------------------------------------------

ROUTE_RULES: dict[str, Callable[[Actor], bool]] = {
    "public": lambda actor: True,
    "signed_in": lambda actor: bool(actor.is_authenticated),
    "account": lambda actor: isinstance(actor, Account),
    "staff": lambda actor: isinstance(actor, Account) and actor.is_staff,
    "parent": lambda actor: isinstance(actor, Account) and actor.is_parent,
    "pupil": lambda actor: isinstance(actor, PupilPrincipal),
    # The class-iPad start screen: nobody signed in; the device cookie is checked by the view.
    "class_ipad": lambda actor: not actor.is_authenticated,
    # A class iPad sending what it saved (nobody or a pupil signed in); the view checks the device.
    "class_ipad_any": lambda actor: not isinstance(actor, Account),
}


def _right_rule(name: str) -> Callable[[Actor], bool]:
    return lambda actor: has_right(actor, name)


ROUTE_RULES.update({name: _right_rule(name) for name in RIGHTS})

F = TypeVar("F", bound=Callable[..., object])


def allow(rule: str) -> Callable[[F], F]:
    """Name the access rule a view needs; `enforce_route_rule` checks it before every request."""
    if rule not in ROUTE_RULES:
        raise KeyError(f"unknown access rule {rule!r}")

    def mark(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return mark


def route_rule(view: Callable[..., object]) -> str | None:
    """The access rule a view declared, or None (which the app treats as forbidden)."""
    return getattr(view, "access_rule", None)


def route_allows(rule: str, actor: Actor) -> bool:
    return ROUTE_RULES[rule](actor)


# --- Object rules and their query scopes ------------------------------------------------------


def _staff_class_ids(actor: Account) -> Select[int]:
    return select(ClassStaff.class_id).where(ClassStaff.account_id == actor.id)


def visible_classes(actor: Actor) -> Select[SchoolClass]:
    """Classes whose pupils the actor may see."""
    query = select(SchoolClass).order_by(SchoolClass.name)
    account = holder(actor, "view_pupils")
    if account is None:
        return query.where(false())
    query = query.where(SchoolClass.school_id == account.school_id)
    if account.role in WHOLE_SCHOOL_PUPIL_ROLES:
        return query
    return query.where(SchoolClass.id.in_(_staff_class_ids(account)))


def visible_pupils(actor: Actor) -> Select[Pupil]:
    """Pupils the actor may see: class staff their classes, leaders the school, carers their own."""
    query = select(Pupil).order_by(Pupil.first_name, Pupil.last_name)
    if isinstance(actor, Account) and actor.active and actor.is_parent:
        linked = select(ParentLink.pupil_id).where(
            ParentLink.parent_id == actor.id, ParentLink.revoked_at.is_(None)
        )
        return query.where(Pupil.id.in_(linked))
    account = holder(actor, "view_pupils")
    if account is None:
        return query.where(false())
    query = query.where(Pupil.school_id == account.school_id)
    if account.role in WHOLE_SCHOOL_PUPIL_ROLES:
        return query
    return query.where(Pupil.class_id.in_(_staff_class_ids(account)))


def _teaches(session: Session, actor: Account, class_id: int) -> bool:
    found = session.scalar(
        select(ClassStaff).where(ClassStaff.account_id == actor.id, ClassStaff.class_id == class_id)
    )
    return found is not None


def can_view_pupil(session: Session, actor: Actor, pupil: Pupil) -> bool:
    scope = visible_pupils(actor).where(Pupil.id == pupil.id)
    return session.scalar(scope) is not None


def can_edit_pupil_settings(session: Session, actor: Actor, pupil: Pupil) -> bool:
    account = holder(actor, "edit_pupil_settings")
    if account is None or account.school_id != pupil.school_id:
        return False
    return account.role not in CLASS_ROLES or _teaches(session, account, pupil.class_id)


def can_manage_class_ipads(session: Session, actor: Actor, school_class: SchoolClass) -> bool:
    account = holder(actor, "manage_class_ipads")
    if account is None or account.school_id != school_class.school_id:
        return False
    return account.role not in CLASS_ROLES or _teaches(session, account, school_class.id)


def visible_ipad_classes(actor: Actor) -> Select[SchoolClass]:
    """Classes whose iPads the actor may enrol and revoke."""
    query = select(SchoolClass).order_by(SchoolClass.name)
    account = holder(actor, "manage_class_ipads")
    if account is None:
        return query.where(false())
    query = query.where(SchoolClass.school_id == account.school_id)
    if account.role in CLASS_ROLES:
        return query.where(SchoolClass.id.in_(_staff_class_ids(account)))
    return query


def can_edit_class_symbols(session: Session, actor: Actor, school_class: SchoolClass) -> bool:
    """Symbol choices for a class: whoever may change its pupils' settings."""
    account = holder(actor, "edit_pupil_settings")
    if account is None or account.school_id != school_class.school_id:
        return False
    return account.role not in CLASS_ROLES or _teaches(session, account, school_class.id)


def can_edit_class_map(session: Session, actor: Actor, school_class: SchoolClass) -> bool:
    """A class's default lesson map: the same people who may change its symbols."""
    return can_edit_class_symbols(session, actor, school_class)


def can_edit_school_symbols(actor: Actor) -> bool:
    """A school-wide symbol changes every class's pages, so class staff cannot set one."""
    account = holder(actor, "edit_pupil_settings")
    return account is not None and account.role not in CLASS_ROLES


def can_pupil_sign_in_on(pupil: Pupil, device_class_id: int) -> bool:
    """A pupil signs in only on an iPad enrolled to their own class."""
    return pupil.active and pupil.class_id == device_class_id


def visible_incidents(actor: Actor) -> Select[Incident]:
    """Incidents the actor may open: the safeguarding team all of their school's, nobody else any.

    Staff who raised a concern see what they raised through `raised_concerns`, never the file.
    """
    query = select(Incident).order_by(Incident.id.desc())
    account = holder(actor, "work_incidents")
    if account is None:
        return query.where(false())
    return query.where(Incident.school_id == account.school_id)


def can_work_incident(actor: Actor, incident: Incident) -> bool:
    account = holder(actor, "work_incidents")
    return account is not None and account.school_id == incident.school_id


def raised_concerns(actor: Actor) -> Select[Incident]:
    """The concerns this member of staff raised themselves."""
    query = select(Incident).order_by(Incident.id.desc())
    account = holder(actor, "raise_concern")
    if account is None:
        return query.where(false())
    return query.where(Incident.raised_by_id == account.id)
