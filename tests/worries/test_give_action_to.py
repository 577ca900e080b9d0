"""An open action on a safeguarding record can be given to another member of the team (say its
owner's account was deactivated), with why: the chronology and the audit keep it. The held-by
page of a leaver links to each of their actions' "Give to someone else" box on its record."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.worries.models import (
    Incident,
    IncidentAction,
    IncidentEntry,
    Source,
    Status,
)
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_school

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
WHY = "Mr Bell has left the school"


@dataclass
class School:
    dsl: Account
    deputy: Account
    head: Account
    teacher: Account
    incident: Incident
    action: IncidentAction


def _action(session: Session, incident: Incident, owner: Account, done: bool) -> IncidentAction:
    action = IncidentAction(
        incident_id=incident.id,
        description="Ring the social worker back",
        owner_id=owner.id,
        due_on=date(2027, 1, 14),
        created_at=SCHOOL_HOURS,
        created_by_id=owner.id,
        done_at=SCHOOL_HOURS if done else None,
    )
    session.add(action)
    session.flush()
    return action


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    """Mr Bell (the DSL) owns an open action on an open worry."""
    clock.set(SCHOOL_HOURS)
    dsl = make_account(session, Role.DSL, display_name="Mr Bell")
    deputy = make_account(session, Role.DEPUTY_DSL, display_name="Mrs Okafor")
    head = make_account(session, Role.HEADTEACHER, display_name="Mrs Shah")
    teacher = make_account(session, Role.TEACHER, display_name="Ms Lopez")
    incident = Incident(
        school_id=dsl.school_id,
        idempotency_key=str(uuid.uuid4()),
        source=Source.STAFF,
        status=Status.OPEN,
        created_at=SCHOOL_HOURS,
        summary="A worry",
        assignee_id=deputy.id,
    )
    session.add(incident)
    session.flush()
    action = _action(session, incident, dsl, done=False)
    session.commit()
    return School(dsl, deputy, head, teacher, incident, action)


def _url(school: School, action: IncidentAction | None = None) -> str:
    found = action or school.action
    return f"/safeguarding/{school.incident.id}/actions/{found.id}/owner"


def _give(client: FlaskClient, school: School, owner: object, why: str = WHY) -> object:
    prefix = f"give-{school.action.id}"
    data = {f"{prefix}-owner_id": str(owner), f"{prefix}-reason": why}
    return client.post(_url(school), data=data)


def _text(response: object) -> str:
    return html.unescape(" ".join(response.text.split()))  # type: ignore[attr-defined]


def _owner(session: Session, school: School) -> int:
    session.expire_all()
    return session.get(IncidentAction, school.action.id).owner_id  # type: ignore[union-attr]


def _given_entries(session: Session) -> list[IncidentEntry]:
    return list(session.scalars(select(IncidentEntry).where(IncidentEntry.kind == "action_given")))


def _audits(session: Session) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "incident.action_reassigned")
    return list(session.scalars(query))


def test_an_action_is_given_to_another_team_member_with_why(
    app: Flask, session: Session, school: School
) -> None:
    deputy = client_for(app, school.deputy)
    response = _give(deputy, school, school.head.id)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.location.endswith("#action")  # type: ignore[attr-defined]
    assert _owner(session, school) == school.head.id
    (entry,) = _given_entries(session)
    assert entry.text == "Action given to Mrs Shah (was Mr Bell): Ring the social worker back"
    assert entry.reason == WHY
    assert entry.author_id == school.deputy.id
    (audit,) = _audits(session)
    assert audit.actor_id == school.deputy.id
    assert audit.object_id == school.incident.id
    page = _text(deputy.get(f"/safeguarding/{school.incident.id}"))
    assert "Action given to Mrs Shah (was Mr Bell)" in page


@pytest.mark.parametrize("who", ["nobody", "same", "teacher", "other school"])
def test_a_wrong_choice_is_refused_by_its_box_and_nothing_changes(
    app: Flask, session: Session, school: School, who: str
) -> None:
    other = make_account(session, Role.DSL, school=make_school(session, name="Other"))
    session.commit()
    owner = {"nobody": "", "same": school.dsl.id, "teacher": school.teacher.id}.get(who, other.id)
    response = _give(client_for(app, school.deputy), school, owner)
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    box = f"give-{school.action.id}-owner_id"
    assert f'id="{box}-error"' in page  # the message is by its box...
    assert f'<details class="give" id="give-{school.action.id}" open>' in page  # ...shown open
    assert _owner(session, school) == school.dsl.id
    assert _given_entries(session) == []
    assert _audits(session) == []


def test_why_is_needed(app: Flask, session: Session, school: School) -> None:
    response = _give(client_for(app, school.deputy), school, school.head.id, why=" ")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert f'id="give-{school.action.id}-reason-error"' in response.text  # type: ignore[attr-defined]
    assert _owner(session, school) == school.dsl.id


def test_a_done_action_is_refused(app: Flask, session: Session, school: School) -> None:
    school.action.done_at = SCHOOL_HOURS
    session.commit()
    response = _give(client_for(app, school.deputy), school, school.head.id)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "already done" in _text(response)
    assert _owner(session, school) == school.dsl.id
    assert _given_entries(session) == []


def test_a_teacher_cannot_give_an_action(app: Flask, session: Session, school: School) -> None:
    response = _give(client_for(app, school.teacher), school, school.head.id)
    assert response.status_code in (403, 404)  # type: ignore[attr-defined]
    assert _owner(session, school) == school.dsl.id
    answer = _give(client_for(app, school.deputy), school, school.head.id)
    assert answer.status_code == 302  # type: ignore[attr-defined]  # the team may, though


def test_the_form_needs_its_csrf_token(app: Flask, session: Session, school: School) -> None:
    deputy = client_for(app, school.deputy)
    app.config["WTF_CSRF_ENABLED"] = True
    response = _give(deputy, school, school.head.id)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert _owner(session, school) == school.dsl.id


def test_the_folded_form_starts_on_nobody_and_leaves_out_the_owner(
    app: Flask, school: School
) -> None:
    page = client_for(app, school.deputy).get(f"/safeguarding/{school.incident.id}").text
    found = rf'<details class="give" id="give-{school.action.id}">.*?</details>'
    folded = re.search(found, page, re.S)
    assert folded is not None  # folded: not open
    assert "Give this action to someone else" in folded.group()
    select_box = re.search(r"<select[^>]*owner_id.*?</select>", folded.group(), re.S)
    assert select_box is not None
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select_box.group())
    assert options[0] == (' value=""', "Choose who takes it on\u2026")
    assert all("selected" not in attrs for attrs, _ in options)
    names = " ".join(label for _, label in options)
    assert "Mrs Shah" in names
    assert "Mrs Okafor" in names
    assert "Mr Bell" not in names  # its owner now
    assert "Ms Lopez" not in names  # not on the team


def test_the_held_by_page_links_to_the_actions_box_which_opens(
    app: Flask, school: School
) -> None:
    deputy = client_for(app, school.deputy)
    page = _text(deputy.get(f"/safeguarding/held-by/{school.dsl.id}"))
    link = (
        f'href="/safeguarding/{school.incident.id}?give={school.action.id}'
        f'#give-{school.action.id}-owner_id"'
    )
    assert link in page
    assert "Give to someone else" in page
    opened = deputy.get(f"/safeguarding/{school.incident.id}?give={school.action.id}").text
    assert f'<details class="give" id="give-{school.action.id}" open>' in opened
    assert f'id="give-{school.action.id}-owner_id"' in opened


@pytest.mark.parametrize("who", ["same", "teacher", "other school", "forged"])
def test_a_wrong_choice_is_said_in_plain_words(
    app: Flask, session: Session, school: School, who: str
) -> None:
    """Not WTForms' "Not a valid choice": the DSL is told whom to choose."""
    other = make_account(session, Role.DSL, school=make_school(session, name="Other"))
    session.commit()
    chosen = {"same": school.dsl.id, "teacher": school.teacher.id, "forged": "x'1"}
    response = _give(client_for(app, school.deputy), school, chosen.get(who, other.id))
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = _text(response)
    assert "Choose someone on this school's safeguarding team." in page
    assert "Not a valid choice" not in page
    assert _owner(session, school) == school.dsl.id
