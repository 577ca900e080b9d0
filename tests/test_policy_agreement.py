"""Every `can_*` rule in policy.py agrees with a query scope, so a list and a detail page never
disagree (the Kolibri pair: an object check and a query filter).

The rules are found by introspection: a new `can_*` fails here until it is derived from a scope,
paired with one (and checked below), or shown to be a right with no row to scope.
"""

from __future__ import annotations

import ast
import inspect
import uuid

import pytest
from sqlalchemy import Select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.worries import services as worries
from tests.app_settings import base_url
from tests.factories import make_account, make_class, make_pupil, make_school

# The check calls this scope, or a check that is itself derived from one.
DERIVED = {
    "can_view_pupil": "visible_pupils",
    "can_edit_pupil_settings": "visible_settings_classes",
    "can_manage_class_ipads": "visible_ipad_classes",
    "can_edit_class_symbols": "visible_settings_classes",
    "can_edit_class_map": "can_edit_class_symbols",
    "can_record_assessment": "visible_assessment_classes",
    "can_view_attachment": "visible_attachments",
    "can_view_body_mark": "visible_body_marks",
    "can_add_evidence": "can_work_incident",
    "can_view_received_file": "visible_received_files",
    "can_manage_carers": "carer_managed_pupils",
    "can_share_with_carers": "shareable_pupils",
    "can_view_feed_item": "carer_feed_items",
    "can_view_photo": "can_view_feed_item",
    "can_view_authored_lesson": "visible_authored_lessons",
    "can_edit_authored_lesson": "editable_authored_lessons",
    "can_view_audit_entry": "visible_audit_entries",
    "can_retry_mail": "visible_mail_failures",
    "can_set_school_people": "can_edit_pupil_settings",
    "can_set_home_people": "can_edit_pupil_settings",
    "can_view_trusted_person": "visible_trusted_people",
    "can_approve_account_change": "visible_account_changes",
}

# Checks without a session (templates ask them per row), written beside their scope; agreement
# is checked by behaviour below.
PAIRED = {
    "can_work_incident": "visible_incidents",
    "can_set_staff_photo": "photo_staff",
    "can_change_account_email": "email_accounts",
}

# A right held school-wide: no row of anyone's is looked up, so there is no list to disagree
# with. Each must ask `holder` (the RIGHTS table) and take no session.
SCHOOL_RIGHTS = {
    "can_edit_school_symbols",
    "can_edit_school_rules",
    "can_review_symbol_flags",
    "can_transfer_cp_file",
    "can_send_parent_notice",
}

# Checks about what a pupil's own iPad shows, not a list anyone pages through.
PUPIL_SCREEN = {"can_pupil_sign_in_on", "can_see_staff_photo"}

CHECKS = sorted(
    name for name, value in vars(policy).items() if name.startswith("can_") and callable(value)
)


def _calls(name: str) -> set[str]:
    """Names of the functions a policy function calls."""
    tree = ast.parse(inspect.getsource(getattr(policy, name)))
    return {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }


def _is_scope(name: str) -> bool:
    hints = inspect.signature(getattr(policy, name)).return_annotation
    return isinstance(hints, str) and hints.startswith("Select[")


def _reaches_a_scope(name: str) -> bool:
    while name in DERIVED:
        name = DERIVED[name]
    return _is_scope(name) or name in PAIRED


@pytest.mark.parametrize("check", CHECKS)
def test_every_check_agrees_with_a_scope(check: str) -> None:
    kinds = [check in DERIVED, check in PAIRED, check in SCHOOL_RIGHTS, check in PUPIL_SCREEN]
    assert kinds.count(True) == 1, f"{check}: derive it from a visible_* scope"
    if check in DERIVED:
        assert DERIVED[check] in _calls(check)
        assert _reaches_a_scope(check)
    elif check in PAIRED:
        assert _is_scope(PAIRED[check])
    elif check in SCHOOL_RIGHTS:
        assert "holder" in _calls(check)
        assert "session" not in inspect.signature(getattr(policy, check)).parameters


def test_the_tables_name_only_checks_that_exist() -> None:
    named = set(DERIVED) | set(PAIRED) | SCHOOL_RIGHTS | PUPIL_SCREEN
    assert named - set(CHECKS) == set()


@pytest.mark.parametrize("role", list(Role))
def test_visible_incidents_agrees_with_can_work_incident(session: Session, role: Role) -> None:
    ours, theirs = make_school(session), make_school(session)
    incidents = [
        worries.raise_worry(
            session,
            make_pupil(session, make_class(session, school)),
            None,
            str(uuid.uuid4()),
            worries.WorryChoices(),
            now=utcnow(),
            base_url=base_url(),
        )
        for school in (ours, theirs)
    ]
    actor = make_account(session, role, school=ours)
    scope: Select[worries.Incident] = policy.visible_incidents(actor)
    visible = set(session.scalars(scope))
    assert visible == {i for i in incidents if policy.can_work_incident(actor, i)}


@pytest.mark.parametrize("role", list(Role))
def test_photo_staff_agrees_with_can_set_staff_photo(session: Session, role: Role) -> None:
    ours, theirs = make_school(session), make_school(session)
    roles = (Role.TEACHING_ASSISTANT, Role.HEADTEACHER, Role.PARENT)
    staff = [make_account(session, r, school=s) for s in (ours, theirs) for r in roles]
    staff.append(make_account(session, Role.TEACHER, school=ours, active=False))
    actor = make_account(session, role, school=ours)
    scope: Select[Account] = policy.photo_staff(actor)
    visible = set(session.scalars(scope)) - {actor}  # one's own photo is everyone's to set
    assert visible == {a for a in staff if policy.can_set_staff_photo(actor, a)}


@pytest.mark.parametrize("role", list(Role))
def test_email_accounts_agrees_with_can_change_account_email(session: Session, role: Role) -> None:
    ours, theirs = make_school(session), make_school(session)
    roles = (Role.TEACHER, Role.DSL, Role.ADMIN, Role.PARENT)
    people = [make_account(session, r, school=s) for s in (ours, theirs) for r in roles]
    people.append(make_account(session, Role.TEACHER, school=ours, active=False))
    actor = make_account(session, role, school=ours)
    people.append(actor)
    scope: Select[Account] = policy.email_accounts(actor)
    visible = set(session.scalars(scope))
    assert visible == {a for a in people if policy.can_change_account_email(actor, a)}
    if role == Role.ADMIN:  # staff of the school but the admin: never a carer, never their own
        assert visible == {a for a in people if a.school_id == ours.id and a.is_staff} - {actor}
    else:
        assert visible == set()
