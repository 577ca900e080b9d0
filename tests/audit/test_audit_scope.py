"""The audit log is per school and tiered like the records it describes (issue 14, items 3-4)."""

from __future__ import annotations

import ast
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

import classroom.worries
from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent, AuditTier
from classroom.audit.services import record, tier_of
from classroom.db import utcnow
from classroom.pupils.models import Pupil
from classroom.worries import services as worries
from classroom.worries.models import Category, ParentContact, Risk
from tests.app_settings import base_url
from tests.conftest import client_for, sign_in
from tests.factories import make_account, make_class, make_pupil, make_school
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import make_school as make_worry_school


def _worked_incident(session: Session) -> tuple[worries.Incident, Account]:
    school = make_worry_school(session)
    incident = worries.raise_worry(
        session,
        school.pupil,
        school.device,
        str(uuid.uuid4()),
        worries.WorryChoices(what="photo_or_secret"),
        now=utcnow(),
        base_url=base_url(),
    )
    worries.triage(
        session,
        school.dsl,
        incident,
        worries.Triage(Category.IMAGES_OR_SECRETS, Risk.HIGH, "asked for pictures", True, None),
        now=utcnow(),
    )
    worries.decide_parent_contact(
        session,
        school.dsl,
        incident,
        ParentContact.DO_NOT_CONTACT,
        "parent is the risk",
        None,
        now=utcnow(),
    )
    worries.add_follow_up_lesson(
        session,
        school.dsl,
        incident,
        school.pupil.id,
        "pressure-secrets-pictures",
        all_lessons(session),
        "Talk about keeping safe",
        now=utcnow(),
    )
    session.commit()
    return incident, school.dsl


def test_admin_sees_no_safeguarding_entries_in_the_audit_log(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    _worked_incident(session)
    login_as(Role.ADMIN)
    page = client.get("/admin/audit?action=incident").data.decode()
    assert "0 entries" in page
    assert "incident.triaged" not in page
    everything = client.get("/admin/audit").data.decode()
    for hidden in ("incident.", "worry.reported", "child protection", "do_not_contact"):
        assert hidden not in everything
    assert "after a worry" not in everything
    assert "pressure-secrets-pictures" not in everything
    # The record-type filter offers no hint of the hidden entries either.
    assert ">Incident<" not in everything


def test_admin_cannot_read_which_pupils_have_a_child_protection_file(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """A CP file's entries are about a Pupil; they still say this pupil has one."""
    _incident, dsl = _worked_incident(session)
    pupil = session.scalars(select(Pupil)).one()
    team = client_for(app, dsl)
    assert team.get(f"/safeguarding/pupils/{pupil.id}/cp-file").status_code == 200
    login_as(Role.ADMIN)
    everything = client.get("/admin/audit").data.decode()
    assert "cp_file." not in everything
    by_pupil = client.get("/admin/audit?object_type=Pupil").data.decode()
    assert "cp_file." not in by_pupil
    assert "cp_file.page_viewed" in team.get("/admin/audit?action=cp_file").data.decode()


def test_every_action_the_safeguarding_records_write_is_safeguarding_by_its_name() -> None:
    """Whatever record an entry is about (a CP file is about a Pupil), its name alone keeps it
    from staff outside the team: each action written under classroom/worries, read from the
    source, is safeguarding-tier without the record."""
    actions = list(_actions_recorded_under(Path(classroom.worries.__file__).parent))
    assert len(actions) > 30
    assert "cp_file.exported" in actions
    for action in actions:
        assert tier_of(action) == AuditTier.SAFEGUARDING, action


def _actions_recorded_under(folder: Path) -> Iterator[str]:
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or ast.unparse(node.func) != "record":
                continue
            name = node.args[2]
            if isinstance(name, ast.JoinedStr):  # f"evidence.{how}": its fixed start
                name = name.values[0]
            assert isinstance(name, ast.Constant), f"{path.name}: {ast.unparse(node)}"
            yield str(name.value)


def test_safeguarding_team_sees_safeguarding_entries(client: FlaskClient, session: Session) -> None:
    _incident, dsl = _worked_incident(session)
    sign_in(client, dsl.username)  # the DSL's password, then their authenticator code
    page = client.get("/admin/audit?action=incident").data.decode()
    assert "incident.triaged" in page
    assert "incident.parent_contact_decided" in page
    target = client.get("/admin/audit?action=lesson_map.target_set").data.decode()
    assert "after a worry" in target


def test_admin_still_sees_account_events(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    _worked_incident(session)
    admin = login_as(Role.ADMIN)
    page = client.get("/admin/audit?action=sign_in").data.decode()
    assert "sign_in.succeeded" in page
    assert admin.display_name in page


def test_another_schools_staff_see_none_of_the_first_schools_audit_rows(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    _worked_incident(session)
    first_rows = session.scalar(select(AuditEvent.id).limit(1))
    assert first_rows is not None
    other = make_school(session, name="Other School")
    session.commit()
    for role in (Role.ADMIN, Role.HEADTEACHER, Role.DSL):
        account = login_as(role, school=other)
        page = client.get("/admin/audit").data.decode()
        assert "Mr Bell" not in page
        assert "Amira" not in page
        assert "incident." not in page
        assert "Pupil #" not in page
        visible = session.scalars(policy.visible_audit_entries(account)).all()
        assert {e.school_id for e in visible} <= {other.id, None}
        client.post("/sign-out")


def test_visible_audit_entries_agrees_with_can_view_audit_entry(session: Session) -> None:
    _incident, dsl = _worked_incident(session)
    admin = make_account(session, Role.ADMIN)
    other_admin = make_account(session, Role.ADMIN, school=make_school(session, name="Elsewhere"))
    teacher = make_account(session, Role.TEACHER)
    for actor in (dsl, admin, other_admin, teacher):
        visible = {e.id for e in session.scalars(policy.visible_audit_entries(actor))}
        for entry in session.scalars(select(AuditEvent)):
            assert policy.can_view_audit_entry(session, actor, entry) == (entry.id in visible)
    assert not session.scalars(policy.visible_audit_entries(teacher)).all()


def test_entries_carry_their_school_and_tier(session: Session) -> None:
    pupil = make_pupil(session, make_class(session))
    record(session, None, "pupil.signed_in", pupil)
    record(session, None, "sign_in.failed")
    entries = session.execute(
        select(AuditEvent.action, AuditEvent.school_id, AuditEvent.tier).where(
            AuditEvent.action.in_(("pupil.signed_in", "sign_in.failed"))
        )
    ).all()
    assert sorted(entries) == [
        ("pupil.signed_in", pupil.school_id, AuditTier.RECORD),
        ("sign_in.failed", None, AuditTier.ACCOUNT),
    ]


def test_a_pupils_own_worry_is_audited_as_that_pupil_not_the_system(session: Session) -> None:
    school = make_worry_school(session)
    choices = worries.WorryChoices(what="photo_or_secret")
    incident = worries.raise_worry(
        session, school.pupil, school.device, "k1", choices, now=utcnow(), base_url=base_url()
    )
    entry = session.scalars(select(AuditEvent).where(AuditEvent.action == "worry.reported")).one()
    assert (entry.actor_kind, entry.actor_id) == ("pupil", school.pupil.id)
    assert entry.actor_name == school.pupil.full_name
    assert entry.school_id == incident.school_id
