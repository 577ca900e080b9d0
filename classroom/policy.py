"""Every authorization rule in one place.

Each route names one access rule (see `allow`); object rules are `can_<verb>_<noun>` functions
with a matching `visible_<nouns>` query scope, so a list and a detail page never disagree.
The table RIGHTS is also what admins see as the school's record of access rights.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    cast,
    exists,
    false,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from classroom.accounts.models import Account, Role
from classroom.admin.models import AccountChangeRequest, ChangeStatus
from classroom.audit.models import AuditEvent, AuditTier
from classroom.db import entity_columns, load_one, plain_rows
from classroom.lessons.authored_models import AuthoredLesson, LessonStatus
from classroom.outbox.models import SAFEGUARDING_KEY, OutboxMessage
from classroom.parents.models import ConsentPurpose, FeedItem, FeedKind, PhotoConsent
from classroom.principals import Actor, PupilPrincipal
from classroom.pupils.models import ClassStaff, ParentLink, Pupil, SchoolClass
from classroom.symbols.models import TrustedPerson
from classroom.worries.evidence_models import Attachment, BodyMark
from classroom.worries.models import (
    Incident,
    IncidentPupil,
    ParentContact,
    ParentContactDecision,
    Status,
)
from classroom.worries.transfer_models import CpTransfer, ReceivedFile

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
        "Create staff and parent accounts, change roles, reset passwords, change staff email "
        "addresses (never a carer's), deactivate accounts",
        frozenset({Role.ADMIN}),
    ),
    "approve_account_changes": Right(
        "Approve or decline a role change, password reset or email address change that touches "
        "the safeguarding team (never one they asked for or about their own account)",
        SAFEGUARDING_ROLES,
    ),
    "import_pupils": Right(
        "Import pupils and their parents/carers from the MIS export (CSV)", frozenset({Role.ADMIN})
    ),
    "manage_classes": Right(
        "Create classes and assign staff to them; record that a pupil has left the school, or "
        "is back at it",
        frozenset({Role.ADMIN, Role.HEADTEACHER}),
    ),
    "view_audit_log": Right(
        "Browse and filter the school's audit log (nobody can edit or delete it); entries about "
        "worries, incidents, referrals and parent-contact decisions only for the safeguarding team",
        frozenset({Role.ADMIN}) | SAFEGUARDING_ROLES,
        "the safeguarding team: every entry; admins: accounts, sign-ins, devices, mail and "
        "pupils' learning records, never safeguarding entries",
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
    "record_assessment": Right(
        "Record observations against e-safety objectives and share learning moments",
        frozenset({Role.HEADTEACHER}) | CLASS_ROLES,
        "teachers and TAs: their own classes only",
    ),
    "view_coverage": Right(
        "See the whole-school e-safety coverage summary (names only for those who may see pupils)",
        SAFEGUARDING_ROLES | {Role.SENIOR_LEADER, Role.GOVERNOR},
    ),
    "work_incidents": Right(
        "See and work the incident queue: every worry and concern, including child-protection "
        "records; triage, actions, referrals, parent-contact decisions, closing",
        SAFEGUARDING_ROLES,
    ),
    "raise_concern": Right(
        "Log a concern about a pupil and see the concerns they raised (not the rest of the file)",
        STAFF_ROLES,
        "any pupil of their school; their own concerns only",
    ),
    "review_incidents": Right(
        "See the anonymised incident log, trends and lessons learnt (no names)",
        SAFEGUARDING_ROLES | {Role.SENIOR_LEADER, Role.GOVERNOR},
    ),
    "export_incident_log": Right(
        "Download the incident log as an AES-encrypted file",
        frozenset({Role.DSL, Role.DEPUTY_DSL}),
    ),
    "transfer_cp_files": Right(
        "Send a pupil's child-protection file to their next school as an encrypted file, record "
        "how it was sent and the confirmation of receipt, and import a file from a previous school",
        frozenset({Role.DSL, Role.DEPUTY_DSL}),
    ),
    "see_mail_failures": Right(
        "See emails that could not be sent and send them again",
        frozenset({Role.ADMIN, Role.DSL, Role.DEPUTY_DSL}),
    ),
    "view_own_children": Right(
        "See their own linked children only", frozenset({Role.PARENT}), "own children"
    ),
    "manage_carers": Right(
        "Connect parents/carers to a pupil (one-time invite codes, carer accounts), see and "
        "revoke those connections, and record photo consent",
        frozenset({Role.HEADTEACHER, Role.ADMIN}) | CLASS_ROLES,
        "teachers and TAs: their own classes' pupils only",
    ),
    "share_with_carers": Right(
        "Share learning moments with a pupil's own carers and exchange messages with them",
        CLASS_ROLES | SAFEGUARDING_ROLES,
        "teachers and TAs: their own classes' pupils only",
    ),
    "send_parent_notices": Right(
        "Write, approve and send a depersonalised incident notice to a pupil's carers, only when "
        "the parent-contact decision in force is to inform them",
        SAFEGUARDING_ROLES,
    ),
    "export_parent_messages": Right(
        "Download the log of messages with parents/carers as an AES-encrypted file",
        frozenset({Role.DSL, Role.DEPUTY_DSL}),
    ),
    "author_lessons": Right(
        "Write their own lessons, preview any lesson as a pupil sees it, and share their lessons "
        "with the school",
        frozenset({Role.TEACHER, Role.HEADTEACHER}),
        "teachers: change their own lessons only; the headteacher any of the school's",
    ),
    "edit_school_rules": Right(
        "Write the school's rules for responsible internet use (shown to pupils and printed)",
        frozenset({Role.HEADTEACHER}),
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
    "public": lambda _actor: True,
    "signed_in": lambda actor: bool(actor.is_authenticated),
    "account": lambda actor: isinstance(actor, Account),
    "staff": lambda actor: isinstance(actor, Account) and actor.is_staff,
    "parent": lambda actor: isinstance(actor, Account) and actor.is_parent,
    "pupil": lambda actor: isinstance(actor, PupilPrincipal),
    # The admin or head setting other staff members' photos for pupils.
    "set_staff_photos": lambda actor: (
        isinstance(actor, Account) and _sets_school_staff_photos(actor)
    ),
    # The class-iPad start screen: nobody signed in; the device cookie is checked by the view.
    "class_ipad": lambda actor: not actor.is_authenticated,
    # A class iPad sending what it saved (nobody or a pupil signed in); the view checks the device.
    "class_ipad_any": lambda actor: not isinstance(actor, Account),
    # Anyone signed in, or a class iPad with nobody signed in (speech for its tiles and picture
    # passwords): the view checks the device, and refuses anyone else.
    "signed_in_or_class_ipad": lambda actor: (
        bool(actor.is_authenticated) or ROUTE_RULES["class_ipad"](actor)
    ),
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


# The scopes below are built once per person and kept, not built on every request: a Select
# never changes once built, and one built once keeps its SQL cache key (building a scope and
# working out its key was a tenth of a staff page). Each is keyed by the plain values the rule
# reads from the actor, never by the actor's row, which belongs to one request.
SCOPES_REMEMBERED = 4096


def _staff_class_ids(account_id: int) -> Select[int]:
    return select(ClassStaff.class_id).where(ClassStaff.account_id == account_id)


@lru_cache(maxsize=SCOPES_REMEMBERED)
def _school_classes(
    school_id: int | None, staff_id: int | None, closed: bool = False
) -> Select[SchoolClass]:
    """A school's open classes (None: no school, so none), or only those a member of staff works
    in; `closed`: its closed ones instead. A closed class (every pupil left) is in no class list
    and no class right: only its leavers' records are reached, through the pupil scopes."""
    query = select(SchoolClass).order_by(SchoolClass.name)
    if school_id is None:
        return query.where(false())
    shut = SchoolClass.closed_on.is_not(None) if closed else SchoolClass.closed_on.is_(None)
    query = query.where(SchoolClass.school_id == school_id, shut)
    if staff_id is None:
        return query
    return query.where(SchoolClass.id.in_(_staff_class_ids(staff_id)))


@lru_cache(maxsize=SCOPES_REMEMBERED)
def _school_pupils(school_id: int | None, staff_id: int | None) -> Select[Pupil]:
    """A school's pupils (None: no school, so none), or only those in a staff member's classes."""
    query = select(Pupil).order_by(Pupil.first_name, Pupil.last_name)
    if school_id is None:
        return query.where(false())
    query = query.where(Pupil.school_id == school_id)
    if staff_id is None:
        return query
    return query.where(Pupil.class_id.in_(_staff_class_ids(staff_id)))


@lru_cache(maxsize=SCOPES_REMEMBERED)
def _carers_children(parent_id: int) -> Select[Pupil]:
    linked = select(ParentLink.pupil_id).where(
        ParentLink.parent_id == parent_id, ParentLink.revoked_at.is_(None)
    )
    return select(Pupil).order_by(Pupil.first_name, Pupil.last_name).where(Pupil.id.in_(linked))


def _scope_key(
    account: Account | None, own_classes_only: frozenset[Role]
) -> tuple[int | None, int | None]:
    """(school, member of staff) for the scopes above: nobody, the whole school, or the staff
    member's own classes when their role is one of `own_classes_only`."""
    if account is None:
        return None, None
    return account.school_id, account.id if account.role in own_classes_only else None


_NOT_WHOLE_SCHOOL = frozenset(Role) - WHOLE_SCHOOL_PUPIL_ROLES


def visible_classes(actor: Actor) -> Select[SchoolClass]:
    """Open classes whose pupils the actor may see."""
    return _school_classes(*_scope_key(holder(actor, "view_pupils"), _NOT_WHOLE_SCHOOL))


def visible_closed_classes(actor: Actor) -> Select[SchoolClass]:
    """Closed classes whose pupils (all leavers) the actor may see: those who see the school."""
    return _school_classes(*_scope_key(holder(actor, "view_pupils"), _NOT_WHOLE_SCHOOL), True)


def visible_pupils(actor: Actor) -> Select[Pupil]:
    """Pupils the actor may see: class staff their classes, leaders the school, carers their own."""
    if isinstance(actor, Account) and actor.active and actor.is_parent:
        return _carers_children(actor.id)
    return _school_pupils(*_scope_key(holder(actor, "view_pupils"), _NOT_WHOLE_SCHOOL))


def concern_pupils(actor: Actor) -> Select[Pupil]:
    """Pupils a member of staff may raise a concern about: every pupil of their school, not
    only their own classes, as the policy asks all staff to report any concern (a TA on lunch
    duty sees children of every class). Raising one shows nothing of the pupil's records.
    Governors, who work with no pupil, see the pupils they may see otherwise: none."""
    account = holder(actor, "raise_concern")
    if account is not None and account.role is Role.GOVERNOR:
        return visible_pupils(actor)
    return _school_pupils(*_scope_key(account, frozenset()))


def visible_pupil(session: Session, actor: Actor, pupil_id: int) -> Pupil | None:
    """One pupil the actor may see (`visible_pupils`), or None: not there, or not theirs."""
    return load_one(session, Pupil, _one_pupil(visible_pupils(actor)), {"one_id": pupil_id})


def visible_class(session: Session, actor: Actor, class_id: int) -> SchoolClass | None:
    """One class whose pupils the actor may see (`visible_classes`), or None."""
    return load_one(session, SchoolClass, _one_class(visible_classes(actor)), {"one_id": class_id})


# One record of a kept scope, by its id as a parameter: built once per scope, like the scope,
# so a page opening a pupil neither builds a statement nor works out its cache key again.
# Its columns are read as a plain row and made into the entity (db.load_one): the ORM's own
# load of one entity cost a tenth of a millisecond more on every page that opens a pupil.
@lru_cache(maxsize=SCOPES_REMEMBERED)
def _one_pupil(scope: Select[Pupil]) -> Select[Any]:
    return scope.where(Pupil.id == bindparam("one_id")).with_only_columns(*entity_columns(Pupil))


@lru_cache(maxsize=SCOPES_REMEMBERED)
def _one_class(scope: Select[SchoolClass]) -> Select[Any]:
    one = scope.where(SchoolClass.id == bindparam("one_id"))
    return one.with_only_columns(*entity_columns(SchoolClass))


def _teaches(session: Session, actor: Account, class_id: int) -> bool:
    found = session.scalar(
        select(ClassStaff).where(ClassStaff.account_id == actor.id, ClassStaff.class_id == class_id)
    )
    return found is not None


def can_view_pupil(session: Session, actor: Actor, pupil: Pupil) -> bool:
    one = _one_pupil(visible_pupils(actor))
    return plain_rows(session, one, {"one_id": pupil.id}).first() is not None


def _classes_with_right(actor: Actor, right: str) -> Select[SchoolClass]:
    """Classes where the actor holds a class right: class staff their own classes, others the
    school (the one rule behind every class-staff check below)."""
    return _school_classes(*_scope_key(holder(actor, right), CLASS_ROLES))


def _in_classes(session: Session, scope: Select[SchoolClass], class_id: int) -> bool:
    return plain_rows(session, _class_in(scope), {"class_id": class_id}).first() is not None


@lru_cache(maxsize=SCOPES_REMEMBERED)
def _class_in(scope: Select[SchoolClass]) -> Select[int]:
    """Whether one class is in a scope, as its id alone: a check, not a class to show. Built
    once per scope (the scopes are kept too), since every lesson-map page asks."""
    return scope.with_only_columns(SchoolClass.id).where(SchoolClass.id == bindparam("class_id"))


def visible_settings_classes(actor: Actor) -> Select[SchoolClass]:
    """Classes whose pupils' settings, symbols and lesson map the actor may change."""
    return _classes_with_right(actor, "edit_pupil_settings")


def can_edit_pupil_settings(session: Session, actor: Actor, pupil: Pupil) -> bool:
    return _in_classes(session, visible_settings_classes(actor), pupil.class_id)


def visible_ipad_classes(actor: Actor) -> Select[SchoolClass]:
    """Classes whose iPads the actor may enrol and revoke."""
    return _classes_with_right(actor, "manage_class_ipads")


def can_manage_class_ipads(session: Session, actor: Actor, school_class: SchoolClass) -> bool:
    return _in_classes(session, visible_ipad_classes(actor), school_class.id)


def can_edit_class_symbols(session: Session, actor: Actor, school_class: SchoolClass) -> bool:
    """Symbol choices for a class: whoever may change its pupils' settings."""
    return _in_classes(session, visible_settings_classes(actor), school_class.id)


def can_edit_class_map(session: Session, actor: Actor, school_class: SchoolClass) -> bool:
    """A class's default lesson map: the same people who may change its symbols."""
    return can_edit_class_symbols(session, actor, school_class)


def may_enable_teacher_only_lessons(actor: Actor) -> bool:
    """Who may put a teacher-enabled lesson (RSE, Prevent) in front of a pupil: turn it on for a
    class, add it to a pupil's map, show it again, follow a class map that has it.

    Such a lesson is taught once the pupil's plan and home context have been checked: a
    teacher's call (the teachers who write lessons, and the headteacher), or the safeguarding
    team's when they follow up a worry with it. Not a teaching assistant's, nor the
    technician/admin's; anyone who may change the map may still take one off.
    """
    return has_right(actor, "author_lessons") or is_safeguarding_team(actor)


def can_edit_school_symbols(actor: Actor) -> bool:
    """A school-wide symbol changes every class's pages, so class staff cannot set one."""
    account = holder(actor, "edit_pupil_settings")
    return account is not None and account.role not in CLASS_ROLES


def visible_assessment_classes(actor: Actor) -> Select[SchoolClass]:
    """Classes whose pupils the actor may assess: class staff their own, the headteacher any."""
    return _classes_with_right(actor, "record_assessment")


def can_record_assessment(session: Session, actor: Actor, pupil: Pupil) -> bool:
    """Class staff assess their own classes' pupils; the headteacher any pupil."""
    return _in_classes(session, visible_assessment_classes(actor), pupil.class_id)


def can_pupil_sign_in_on(pupil: Pupil, device_class_id: int) -> bool:
    """A pupil signs in only on an iPad enrolled to their own class."""
    return pupil.active and pupil.class_id == device_class_id


def visible_incidents(actor: Actor) -> Select[Incident]:
    """Incidents the actor may open: the safeguarding team all of their school's, nobody else any,
    and no team member one whose record names them the subject of the worry (`is_subject_of`).

    Staff who raised a concern see what they raised through `raised_concerns`, never the file.
    """
    account = holder(actor, "work_incidents")
    if account is None:
        return _school_incidents(None, None)
    return _school_incidents(account.school_id, account.id)


@lru_cache(maxsize=SCOPES_REMEMBERED)
def _school_incidents(school_id: int | None, account_id: int | None) -> Select[Incident]:
    """A school's incidents (None: no school, so none) but those about `account_id`, kept as
    the scopes above are."""
    query = select(Incident).order_by(Incident.id.desc())
    if school_id is None:
        return query.where(false())
    return query.where(
        Incident.school_id == school_id,
        or_(
            Incident.talk_to_set_aside.is_(None),
            Incident.talk_to_set_aside != SUBJECT,
            Incident.talk_to_id != account_id,
        ),
        or_(Incident.subject_staff_id.is_(None), Incident.subject_staff_id != account_id),
    )


# Why a pupil's chosen adult was set aside (worries.services.SET_ASIDE): they are who the worry is
# about. From then on the record is closed to them, as an allegation against staff goes to others.
SUBJECT = "subject"


def subjects_of(incident: Incident) -> set[int]:
    """The accounts a record is about, so closed to: the pupil's chosen adult set aside as the
    subject of the worry, and the member of staff the team recorded it is about."""
    about = {incident.subject_staff_id} if incident.subject_staff_id is not None else set()
    if incident.talk_to_set_aside == SUBJECT and incident.talk_to_id is not None:
        about.add(incident.talk_to_id)
    return about


def is_subject_of(account: Account, incident: Incident) -> bool:
    return account.id in subjects_of(incident)


def can_work_incident(actor: Actor, incident: Incident) -> bool:
    account = holder(actor, "work_incidents")
    return (
        account is not None
        and account.school_id == incident.school_id
        and not is_subject_of(account, incident)
    )


def is_safeguarding_team(actor: Actor) -> bool:
    """Whether the actor is on the school's safeguarding team (may work child-protection files)."""
    return holder(actor, "work_incidents") is not None


# How far into a school's safeguarding team a worry reaches. "lead": the DSL, who always hears
# (a pupil is always offered them as a trusted adult). "alerted": the leads told of every new worry
# at once. "team": everyone who may work incidents (the head too), re-alerted when a worry is left
# unacknowledged, and the only people who may be assigned one or own its actions.
TEAM_REACH: dict[str, frozenset[Role]] = {
    "lead": frozenset({Role.DSL}),
    "alerted": frozenset({Role.DSL, Role.DEPUTY_DSL}),
    "team": RIGHTS["work_incidents"].roles,
}


def team_roles(reach: str) -> frozenset[Role]:
    """The roles of a school's safeguarding team as far as `reach` (see TEAM_REACH)."""
    return TEAM_REACH[reach] & RIGHTS["work_incidents"].roles


def safeguarding_team(school_id: int, reach: str = "team") -> Select[Account]:
    """Active members of a school's safeguarding team, as far as `reach` (see TEAM_REACH).

    Every role in it holds "work_incidents", so it agrees with `can_work_incident`: nobody is
    alerted to, offered or assigned a record they would get a 404 for.
    """
    roles = team_roles(reach)
    return (
        select(Account)
        .where(
            Account.school_id == school_id,
            Account.active.is_(True),
            Account.role.in_(roles),
        )
        .order_by(Account.display_name)
    )


def raised_concerns(actor: Actor) -> Select[Incident]:
    """The concerns this member of staff raised themselves."""
    query = select(Incident).order_by(Incident.id.desc())
    account = holder(actor, "raise_concern")
    if account is None:
        return query.where(false())
    return query.where(Incident.raised_by_id == account.id)


# --- Evidence on an incident: attachments and body maps (the safeguarding team only) ---------


def visible_attachments(actor: Actor) -> Select[Attachment]:
    """Attached evidence: the team of the incident's school; nobody else, whoever uploaded it."""
    query = select(Attachment).order_by(Attachment.id)
    account = holder(actor, "work_incidents")
    if account is None:
        return query.where(false())
    return query.join(Incident, Incident.id == Attachment.incident_id).where(
        Incident.school_id == account.school_id
    )


def can_view_attachment(session: Session, actor: Actor, attachment: Attachment) -> bool:
    scope = visible_attachments(actor).where(Attachment.id == attachment.id)
    return session.scalar(scope) is not None


def visible_body_marks(actor: Actor) -> Select[BodyMark]:
    """Body-map marks: the same people as the incident's attachments."""
    query = select(BodyMark).order_by(BodyMark.id)
    account = holder(actor, "work_incidents")
    if account is None:
        return query.where(false())
    return query.join(Incident, Incident.id == BodyMark.incident_id).where(
        Incident.school_id == account.school_id
    )


def can_view_body_mark(session: Session, actor: Actor, mark: BodyMark) -> bool:
    return session.scalar(visible_body_marks(actor).where(BodyMark.id == mark.id)) is not None


def can_add_evidence(actor: Actor, incident: Incident) -> bool:
    """Evidence is added while the incident is worked; a closed one is read-only."""
    return can_work_incident(actor, incident) and incident.status != Status.CLOSED


# --- Child-protection files: sent to the next school, received from the last -----------------


def can_transfer_cp_file(actor: Actor, pupil: Pupil) -> bool:
    account = holder(actor, "transfer_cp_files")
    return account is not None and account.school_id == pupil.school_id


def visible_cp_transfers(actor: Actor) -> Select[CpTransfer]:
    """The record of files sent: the DSL and deputies of the sending school."""
    query = select(CpTransfer).order_by(CpTransfer.id.desc())
    account = holder(actor, "transfer_cp_files")
    if account is None:
        return query.where(false())
    return query.where(CpTransfer.school_id == account.school_id)


def visible_received_files(actor: Actor) -> Select[ReceivedFile]:
    """Histories received from previous schools: the safeguarding team, like the incidents."""
    query = select(ReceivedFile).order_by(ReceivedFile.id.desc())
    account = holder(actor, "work_incidents")
    if account is None:
        return query.where(false())
    return query.where(ReceivedFile.school_id == account.school_id)


def can_view_received_file(session: Session, actor: Actor, received: ReceivedFile) -> bool:
    scope = visible_received_files(actor).where(ReceivedFile.id == received.id)
    return session.scalar(scope) is not None


# --- Parents and carers -----------------------------------------------------------------------


def _class_scoped_pupils(actor: Actor, right: str) -> Select[Pupil]:
    return _school_pupils(*_scope_key(holder(actor, right), CLASS_ROLES))


def carer_managed_pupils(actor: Actor) -> Select[Pupil]:
    """Pupils whose carers the actor may connect and disconnect: class staff their own classes."""
    return _class_scoped_pupils(actor, "manage_carers")


def can_manage_carers(session: Session, actor: Actor, pupil: Pupil) -> bool:
    return session.scalar(carer_managed_pupils(actor).where(Pupil.id == pupil.id)) is not None


def shareable_pupils(actor: Actor) -> Select[Pupil]:
    """Pupils whose carers the actor may write to: class staff their classes, the team all."""
    return _class_scoped_pupils(actor, "share_with_carers")


def can_share_with_carers(session: Session, actor: Actor, pupil: Pupil) -> bool:
    return session.scalar(shareable_pupils(actor).where(Pupil.id == pupil.id)) is not None


def in_touch_with_carers(pupil: Pupil) -> bool:
    """The one rule for whether the app still carries anything new between school and a
    pupil's carers: not once the child has left the school (`Pupil.active` off). Then staff
    send no learning moment, message or notice, carers write to no class staff, and no new
    carer connects; what was shared before stays the carers' to read (their child's record)."""
    return pupil.active


def can_send_parent_notice(actor: Actor, incident: Incident) -> bool:
    account = holder(actor, "send_parent_notices")
    return account is not None and account.school_id == incident.school_id


# Decisions under which carers are not to be told about a worry now.
HOLDING_DECISIONS = (ParentContact.DO_NOT_CONTACT, ParentContact.NOT_NOW)


@cache
def _later_decision() -> Any:
    """Made once (on first use, once every model is mapped): aliasing a mapped class copies
    every column, too slow to do per request."""
    return aliased(ParentContactDecision)


PupilRef = InstrumentedAttribute[int] | InstrumentedAttribute[int | None] | int | None


def speaks_for(decision: Any, pupil_id: PupilRef) -> ColumnElement[bool]:
    """SQL: `decision` is about pupil `pupil_id`'s carers: made for every family on the record
    (no pupil), or for theirs. With no pupil (a record with nobody linked), the record's own."""
    whole: ColumnElement[bool] = decision.pupil_id.is_(None)
    return whole if pupil_id is None else or_(whole, decision.pupil_id == pupil_id)


def _in_force_id(
    incident_id: InstrumentedAttribute[int | None] | InstrumentedAttribute[int] | int,
    pupil_id: PupilRef,
) -> Any:
    """The one definition of the parent-contact decision in force for a pupil's carers on an
    incident: the latest (by id) of the incident's decisions made for every family or for
    theirs. A decision made only for another pupil never speaks for them, also once that pupil
    is no longer linked to the record."""
    later = _later_decision()
    return (
        select(func.max(later.id))
        .where(later.incident_id == incident_id, speaks_for(later, pupil_id))
        .correlate_except(later)
        .scalar_subquery()
    )


def _decision_in_force_is(
    incident_id: InstrumentedAttribute[int | None] | InstrumentedAttribute[int] | int,
    pupil_id: PupilRef,
    decisions: tuple[ParentContact, ...],
) -> ColumnElement[bool]:
    return exists(
        select(ParentContactDecision.id).where(
            ParentContactDecision.id == _in_force_id(incident_id, pupil_id),
            ParentContactDecision.decision.in_(decisions),
        )
    )


def decision_in_force(
    session: Session, incident_id: int, pupil_id: int | None
) -> ParentContactDecision | None:
    """The parent-contact decision in force for one pupil's carers (`_in_force_id`); with
    `pupil_id` None, the latest made for every family."""
    return session.scalar(
        select(ParentContactDecision).where(
            ParentContactDecision.id == _in_force_id(incident_id, pupil_id)
        )
    )


def in_force_for_a_family() -> ColumnElement[bool]:
    """SQL, for a `ParentContactDecision` row: it is the decision in force for the carers of at
    least one pupil linked to its incident (on a record with nobody linked, the latest made for
    every family). A decision only for a pupil no longer linked is in force for nobody."""
    decision = ParentContactDecision
    linked = select(IncidentPupil.id).where(
        IncidentPupil.incident_id == decision.incident_id,
        decision.id == _in_force_id(decision.incident_id, IncidentPupil.pupil_id),
    )
    anyone = select(IncidentPupil.id).where(IncidentPupil.incident_id == decision.incident_id)
    nobody = and_(~exists(anyone), decision.id == _in_force_id(decision.incident_id, None))
    return or_(exists(linked), nobody)


def do_not_contact(
    incident_id: InstrumentedAttribute[int | None] | InstrumentedAttribute[int],
    pupil_id: InstrumentedAttribute[int] | InstrumentedAttribute[int | None],
) -> ColumnElement[bool]:
    """Whether the parent-contact decision in force for the pupil's carers on an incident is a
    lock (a feed item's: its incident and the pupil it is about)."""
    return _decision_in_force_is(incident_id, pupil_id, (ParentContact.DO_NOT_CONTACT,))


def _holds_carers(pupil_id: PupilRef) -> ColumnElement[bool]:
    """SQL, for an incident row: carers of the pupil are told nothing new because of it.

    While it is open, unless the decision in force for that pupil's carers is "inform now":
    under "do not contact" or "not now", and also before anyone has decided for them, as
    parents are told only when staff decide (the follow-up lesson a DSL picks at triage would
    otherwise reach carers in the weekly tip). Once closed, only if the person closing chose to
    keep carers held back.
    """
    decided = exists(
        select(ParentContactDecision.id).where(
            ParentContactDecision.incident_id == Incident.id,
            speaks_for(ParentContactDecision, pupil_id),
        )
    )
    holding = or_(~decided, _decision_in_force_is(Incident.id, pupil_id, HOLDING_DECISIONS))
    return and_(or_(Incident.status != Status.CLOSED, Incident.carers_held_after_closing), holding)


def held_pupils(session: Session, incident: Incident) -> list[int]:
    """The linked pupils whose carers this incident holds back (see above), in link order."""
    held = (
        select(IncidentPupil.pupil_id)
        .join(Incident, Incident.id == IncidentPupil.incident_id)
        .where(IncidentPupil.incident_id == incident.id, _holds_carers(IncidentPupil.pupil_id))
        .order_by(IncidentPupil.id)
    )
    return list(session.scalars(held))


def holds_carers(session: Session, incident: Incident) -> bool:
    """Whether this incident holds back what any linked pupil's carers are told (see above)."""
    if incident.pupils:
        return bool(held_pupils(session, incident))
    held = select(Incident.id).where(Incident.id == incident.id, _holds_carers(None))
    return session.scalar(held) is not None


def holding_incidents(session: Session, pupil_id: int, made_at: datetime) -> list[int]:
    """The incidents about a pupil that hold back from carers what was made at `made_at`: the
    team sees which, so a notice approved under "inform now" is never taken for delivered while
    another incident about the child holds it back."""
    holding = (
        select(Incident.id)
        .join(IncidentPupil, IncidentPupil.incident_id == Incident.id)
        .where(
            IncidentPupil.pupil_id == pupil_id,
            Incident.created_at <= made_at,
            _holds_carers(IncidentPupil.pupil_id),
        )
        .order_by(Incident.id)
    )
    return list(session.scalars(holding))


def carers_reached(session: Session, incident_id: int, since: datetime) -> set[int]:
    """The pupils whose carers have something from the team about this incident made since
    `since` (a notice, or a message about it) that no incident about the child holds back."""
    sent = session.execute(
        select(FeedItem.pupil_id, FeedItem.created_at).where(
            FeedItem.incident_id == incident_id,
            FeedItem.kind.in_((FeedKind.NOTICE, FeedKind.MESSAGE)),
            FeedItem.from_carer.is_(False),
            FeedItem.created_at >= since,
        )
    )
    return {
        pupil_id
        for pupil_id, made_at in sent.all()
        if not holding_incidents(session, pupil_id, made_at)
    }


def carers_locked_out(
    pupil_id: InstrumentedAttribute[int] | int,
    created_at: InstrumentedAttribute[datetime] | None = None,
) -> ColumnElement[bool]:
    """SQL: an incident about the pupil holds back what carers are told (`_holds_carers`).

    With `created_at`, only incidents raised by then count: a learning moment, message or tip
    made after a worry may be about it (the follow-up lesson names what the worry was about),
    while what carers were told before the worry stays theirs.
    """
    locked = (
        select(Incident.id)
        .join(IncidentPupil, IncidentPupil.incident_id == Incident.id)
        .where(IncidentPupil.pupil_id == pupil_id, _holds_carers(IncidentPupil.pupil_id))
    )
    if created_at is not None:
        locked = locked.where(Incident.created_at <= created_at)
    return exists(locked)


def notice_pupils(session: Session, incident: Incident) -> list[int]:
    """The linked pupils whose carers may be sent a notice about this incident now: those for
    whom the parent-contact decision in force is "inform now" (a notice goes to one pupil's
    carers, under that family's decision or the one for every family)."""
    informed = (
        select(IncidentPupil.pupil_id)
        .where(
            IncidentPupil.incident_id == incident.id,
            _decision_in_force_is(
                IncidentPupil.incident_id, IncidentPupil.pupil_id, (ParentContact.INFORM_NOW,)
            ),
        )
        .order_by(IncidentPupil.id)
    )
    return list(session.scalars(informed))


def may_send_notice(session: Session, incident: Incident, pupil_id: int | None = None) -> bool:
    """The one rule for whether a notice about this incident may go to a pupil's carers now:
    only while the parent-contact decision in force for them is "inform now". With no pupil,
    whether it may go to any linked pupil's carers (the incident's "Send a notice" link).
    Service, pages and that link all ask this."""
    allowed = notice_pupils(session, incident)
    return pupil_id in allowed if pupil_id is not None else bool(allowed)


def may_tell_carers(session: Session, pupil_id: int) -> bool:
    """The one rule for whether carers may be told anything new about a pupil now.

    No, while an incident about the pupil holds carers back (`_holds_carers`: open and not
    decided "inform now", or closed with carers kept held): telling carers could put the child
    at risk, and a tip or learning moment about the follow-up lesson would tell them what the
    worry was about.
    Every carer-facing page, tip, email and digest goes through this rule or its query form
    `carers_locked_out`.
    """
    return not session.scalar(select(carers_locked_out(pupil_id)))


def carer_feed_items(actor: Actor, now: datetime) -> Select[FeedItem]:
    """A carer's feed: their connected children's items addressed to them and delivered by now.

    Messages and notices sent before a carer was connected stay with the carers they were for;
    another carer's messages are never shown (no carer-to-carer chat); a "do not contact"
    decision in force for the child's carers hides everything about that incident at once, and
    holds back everything staff made about the child since the worry (`carers_locked_out`).
    """
    query = select(FeedItem).order_by(FeedItem.deliver_at.desc(), FeedItem.id.desc())
    carer = holder(actor, "view_own_children")
    if carer is None:
        return query.where(false())
    connected = select(ParentLink.id).where(
        ParentLink.parent_id == carer.id,
        ParentLink.pupil_id == FeedItem.pupil_id,
        ParentLink.revoked_at.is_(None),
        or_(
            FeedItem.kind == FeedKind.LEARNING_MOMENT,
            FeedItem.created_at >= ParentLink.created_at,
        ),
    )
    to_me = and_(
        FeedItem.from_carer.is_(False),
        FeedItem.deliver_at <= now,
        or_(FeedItem.to_carer_id.is_(None), FeedItem.to_carer_id == carer.id),
    )
    # Held while "do not contact" is in force: anything made after the worry about this child.
    held = carers_locked_out(FeedItem.pupil_id, FeedItem.created_at)
    return query.where(
        exists(connected),
        or_(FeedItem.author_id == carer.id, and_(to_me, ~held)),
        ~do_not_contact(FeedItem.incident_id, FeedItem.pupil_id),
    )


def school_texts_for_carer(actor: Actor, now: datetime) -> Select[str | None, str | None, str]:
    """What school wrote to a carer, as they may see it now (`carer_feed_items`): each item's
    objective, level and note, message or notice, as three text columns. Never a carer's own
    message: the server reads these aloud to carers (classroom/speech/limits.py), and text a
    carer wrote would let them have anything at all spoken."""
    return (
        carer_feed_items(actor, now)
        .where(FeedItem.from_carer.is_(False))
        .with_only_columns(FeedItem.objective_text, FeedItem.level_words, FeedItem.body)
        .order_by(None)
    )


def staff_feed_items(actor: Actor) -> Select[FeedItem]:
    """Items staff may read: pupils they may write to; incident ones only for the team."""
    query = select(FeedItem).order_by(FeedItem.created_at.desc(), FeedItem.id.desc())
    account = holder(actor, "share_with_carers")
    if account is None:
        return query.where(false())
    pupil_ids = shareable_pupils(account).with_only_columns(Pupil.id).order_by(None)
    query = query.where(FeedItem.pupil_id.in_(pupil_ids))
    if not has_right(account, "send_parent_notices"):
        query = query.where(FeedItem.incident_id.is_(None), FeedItem.kind != FeedKind.NOTICE)
    return query


def can_view_feed_item(session: Session, actor: Actor, item: FeedItem, now: datetime) -> bool:
    carer = has_right(actor, "view_own_children")
    scope = carer_feed_items(actor, now) if carer else staff_feed_items(actor)
    return session.scalar(scope.where(FeedItem.id == item.id)) is not None


def photo_consent_in_force(
    session: Session, pupil_id: int, purpose: ConsentPurpose, today: date
) -> PhotoConsent | None:
    """The consent record in force (the latest), if it gives consent and is still in date."""
    latest = session.scalar(
        select(PhotoConsent)
        .where(PhotoConsent.pupil_id == pupil_id, PhotoConsent.purpose == purpose)
        .order_by(PhotoConsent.id.desc())
        .limit(1)
    )
    if latest is None or not latest.given or latest.expires_on is None:
        return None
    return latest if today < latest.expires_on else None


def can_view_photo(
    session: Session, actor: Actor, item: FeedItem, now: datetime, today: date
) -> bool:
    """A shared photo: whoever may see the item, and only while app photo consent is in force."""
    if item.photo_file is None or not can_view_feed_item(session, actor, item, now):
        return False
    return photo_consent_in_force(session, item.pupil_id, ConsentPurpose.APP, today) is not None


# --- Teacher-written lessons ----------------------------------------------------------------


def visible_authored_lessons(actor: Actor) -> Select[AuthoredLesson]:
    """Teacher lessons the actor may open: their own, the school's shared ones (withdrawn ones
    too: a teacher may read one and copy it into a draft of their own; it stays on no map and
    no pupil gets it); the head all."""
    query = select(AuthoredLesson).order_by(AuthoredLesson.title, AuthoredLesson.id)
    account = holder(actor, "author_lessons")
    if account is None:
        return query.where(false())
    query = query.where(AuthoredLesson.school_id == account.school_id)
    if account.role == Role.HEADTEACHER:
        return query
    return query.where(
        or_(
            AuthoredLesson.author_id == account.id,
            AuthoredLesson.status.in_((LessonStatus.SHARED, LessonStatus.WITHDRAWN)),
        )
    )


def editable_authored_lessons(actor: Actor) -> Select[AuthoredLesson]:
    """Teacher lessons the actor may change: their own; the headteacher any of the school's."""
    query = select(AuthoredLesson).order_by(AuthoredLesson.title, AuthoredLesson.id)
    account = holder(actor, "author_lessons")
    if account is None:
        return query.where(false())
    query = query.where(AuthoredLesson.school_id == account.school_id)
    if account.role == Role.HEADTEACHER:
        return query
    return query.where(AuthoredLesson.author_id == account.id)


def can_view_authored_lesson(session: Session, actor: Actor, lesson: AuthoredLesson) -> bool:
    scope = visible_authored_lessons(actor).where(AuthoredLesson.id == lesson.id)
    return session.scalar(scope) is not None


def can_edit_authored_lesson(session: Session, actor: Actor, lesson: AuthoredLesson) -> bool:
    scope = editable_authored_lessons(actor).where(AuthoredLesson.id == lesson.id)
    return session.scalar(scope) is not None


def can_edit_school_rules(actor: Actor, school_id: int) -> bool:
    """The rules are the school's policy on display, so only the headteacher writes them."""
    account = holder(actor, "edit_school_rules")
    return account is not None and account.school_id == school_id


# --- The audit log ----------------------------------------------------------------------------


def visible_audit_entries(actor: Actor) -> Select[AuditEvent]:
    """Audit entries the actor may read: their own school's, tiered like the records they describe.

    An entry about a worry, triage, referral or parent-contact decision is itself a safeguarding
    record, so only the safeguarding team reads it. Server-wide entries that belong to no school
    (a backup, a failed sign-in with an unknown username) are for admins, who run the server.
    """
    query = select(AuditEvent)
    account = holder(actor, "view_audit_log")
    if account is None:
        return query.where(false())
    own_school = AuditEvent.school_id == account.school_id
    if has_right(account, "manage_accounts"):
        own_school = or_(own_school, AuditEvent.school_id.is_(None))
    query = query.where(own_school)
    if not is_safeguarding_team(account):
        return query.where(AuditEvent.tier != AuditTier.SAFEGUARDING)
    # Not the entries of a record closed to them: the person a worry is about would learn
    # from the log that there is one, and who opened it when (`is_subject_of`).
    closed = select(Incident.id).where(
        Incident.school_id == account.school_id,
        or_(
            Incident.subject_staff_id == account.id,
            and_(Incident.talk_to_set_aside == SUBJECT, Incident.talk_to_id == account.id),
        ),
    )
    return query.where(
        or_(
            AuditEvent.object_type.is_distinct_from(Incident.__name__),
            AuditEvent.object_id.is_(None),
            AuditEvent.object_id.not_in(closed),
        )
    )


def can_view_audit_entry(session: Session, actor: Actor, entry: AuditEvent) -> bool:
    scope = visible_audit_entries(actor).where(AuditEvent.id == entry.id)
    return session.scalar(scope) is not None


# --- Email that could not be sent -------------------------------------------------------------


def visible_mail_failures(actor: Actor) -> Select[OutboxMessage]:
    """Outbox messages the actor may see and send again: their own school's only, and alerts
    about worries only for the safeguarding team (an admin would learn when worries came)."""
    query = select(OutboxMessage)
    account = holder(actor, "see_mail_failures")
    if account is None:
        return query.where(false())
    query = query.where(OutboxMessage.school_id == account.school_id)
    if not is_safeguarding_team(actor):
        return query.where(~OutboxMessage.dedupe_key.startswith(SAFEGUARDING_KEY, autoescape=True))
    # Nor, to the team, emails about a record closed to them (is_subject_of): the head's alert
    # of a worry about the DSL, failed, would tell the DSL there is one, and its reference.
    return query.where(~exists(_closed_records_mail(account.school_id, account.id)))


def _closed_records_mail(school_id: int, account_id: int) -> Select[Any]:
    """The incidents closed to the account whose emails (keyed "incident:<id>:...") are the
    outbox row's."""
    about_them = or_(
        Incident.subject_staff_id == account_id,
        and_(Incident.talk_to_set_aside == SUBJECT, Incident.talk_to_id == account_id),
    )
    key = literal(SAFEGUARDING_KEY) + cast(Incident.id, String) + literal(":")
    return select(Incident.id).where(
        Incident.school_id == school_id, about_them, OutboxMessage.dedupe_key.startswith(key)
    )


def can_retry_mail(session: Session, actor: Actor, message: OutboxMessage) -> bool:
    scope = visible_mail_failures(actor).where(OutboxMessage.id == message.id)
    return session.scalar(scope) is not None


# --- My people: a pupil's trusted adults, and staff photos ------------------------------------


def can_set_school_people(session: Session, actor: Actor, pupil: Pupil) -> bool:
    """Who a pupil's school trusted adults are: whoever may change the pupil's settings."""
    return can_edit_pupil_settings(session, actor, pupil)


def can_set_home_people(session: Session, actor: Actor, pupil: Pupil) -> bool:
    """Home trusted adults: the pupil's class staff (and leaders), or a connected carer."""
    if can_edit_pupil_settings(session, actor, pupil):
        return True
    return isinstance(actor, Account) and actor.is_parent and can_view_pupil(session, actor, pupil)


def visible_trusted_people(actor: Actor) -> Select[TrustedPerson]:
    """Trusted adults the actor may see: a pupil their own, staff and carers a visible pupil's."""
    query = select(TrustedPerson).order_by(TrustedPerson.place, TrustedPerson.id)
    if isinstance(actor, PupilPrincipal):
        return query.where(TrustedPerson.pupil_id == actor.pupil.id)
    pupils = visible_pupils(actor).with_only_columns(Pupil.id).order_by(None)
    return query.where(TrustedPerson.pupil_id.in_(pupils))


def can_view_trusted_person(session: Session, actor: Actor, person: TrustedPerson) -> bool:
    scope = visible_trusted_people(actor).where(TrustedPerson.id == person.id)
    return session.scalar(scope) is not None


def can_set_staff_photo(actor: Actor, account: Account) -> bool:
    """A member of staff sets their own photo; an admin or the head anyone's in the school."""
    if not isinstance(actor, Account) or not actor.active or not account.is_staff:
        return False
    if actor.id == account.id:
        return True
    # A left member of staff shows on no pupil's screen: their photo is not set, as photo_staff.
    same_school = actor.school_id == account.school_id
    return account.active and same_school and _sets_school_staff_photos(actor)


def photo_staff(actor: Actor) -> Select[Account]:
    """The staff accounts whose photo this person may set: the visible scope of
    `can_set_staff_photo` (the whole school's active staff for an admin or head, else none)."""
    if not isinstance(actor, Account) or not _sets_school_staff_photos(actor):
        return select(Account).where(false())
    return select(Account).where(
        Account.school_id == actor.school_id, Account.active, Account.role != Role.PARENT
    )


def _sets_school_staff_photos(actor: Account) -> bool:
    # The people who run the school's staff list (admin: accounts; head: classes and staff).
    return actor.active and (
        holder(actor, "manage_accounts") is not None or holder(actor, "manage_classes") is not None
    )


def can_see_staff_photo(session: Session, actor: Actor, account: Account) -> bool:
    """Pupils see a staff photo only in a class that person works in; staff of the school too."""
    if isinstance(actor, PupilPrincipal):
        return _teaches(session, account, actor.pupil.class_id)
    return isinstance(actor, Account) and actor.is_staff and actor.school_id == account.school_id


def can_review_symbol_flags(actor: Actor) -> bool:
    """Flagged pictures land on the admin's list."""
    return holder(actor, "manage_accounts") is not None


# --- Account changes that need a second person ------------------------------------------------


def grants_safeguarding(role: Role) -> bool:
    """Whether a role is on the safeguarding team (holds the right to work incidents)."""
    return role in RIGHTS["work_incidents"].roles


def needs_approval(account: Account, new_role: Role | None = None) -> bool:
    """A change to a team member's account, or one that would put someone on the team."""
    return grants_safeguarding(account.role) or (
        new_role is not None and grants_safeguarding(new_role)
    )


def email_accounts(actor: Actor) -> Select[Account]:
    """Accounts whose email address the actor may change for them: for an admin, the school's
    staff. Never a carer's (a carer changes their own, with their password, in the family area)
    nor the admin's own (changed with their password under "Your email address", as everyone's
    is). A safeguarding-team account's change waits for approval (`needs_approval`)."""
    account = holder(actor, "manage_accounts")
    if account is None:
        return select(Account).where(false())
    return select(Account).where(
        Account.school_id == account.school_id,
        Account.role != Role.PARENT,
        Account.id != account.id,
    )


def can_change_account_email(actor: Actor, account: Account) -> bool:
    """Whether the actor may change this account's email address for them (`email_accounts`)."""
    admin = holder(actor, "manage_accounts")
    return (
        admin is not None
        and account.school_id == admin.school_id
        and account.is_staff
        and account.id != admin.id
    )


def visible_account_changes(actor: Actor) -> Select[AccountChangeRequest]:
    """Pending account changes the actor may approve: their school's, not asked by or about them."""
    query = select(AccountChangeRequest).order_by(AccountChangeRequest.id)
    account = holder(actor, "approve_account_changes")
    if account is None:
        return query.where(false())
    return query.where(
        AccountChangeRequest.school_id == account.school_id,
        AccountChangeRequest.status == ChangeStatus.PENDING,
        AccountChangeRequest.requested_by_id != account.id,
        AccountChangeRequest.account_id != account.id,
    )


def can_approve_account_change(
    session: Session, actor: Actor, change: AccountChangeRequest
) -> bool:
    scope = visible_account_changes(actor).where(AccountChangeRequest.id == change.id)
    return session.scalar(scope) is not None
