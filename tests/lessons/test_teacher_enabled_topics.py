"""A teacher-enabled lesson (topic 15, "My body, my choice", taught within RSE once the pupil's
plan and home context have been checked) is put in front of a pupil only by a teacher: a
teaching assistant can neither turn it on for the class, nor add it to a pupil's map, nor show
it again, nor follow a class map that has it. They keep every other map change, and may take
it off (the safe direction). Each refusal is a 403 that says why, never a 500."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Forbidden
from classroom.lessons import maps
from classroom.lessons.models import MapEntry
from tests.conftest import client_for
from tests.factories import make_account
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school, pupil_on_ipad

TOPIC_15 = "pressure-secrets-pictures"
OTHER = "kind-and-unkind"
SAID = 'Only a teacher can turn on "My body, my choice"'
ADDABLE = re.compile(r'<select id="add-id"[^>]*>(.*?)</select>', re.S)


@pytest.fixture
def school(session: Session) -> School:
    school = make_school(session)
    school.pupil.date_of_birth = date(utcnow().year - 15, 1, 1)  # old enough for topic 15
    session.commit()
    return school


@pytest.fixture
def ta(session: Session, school: School) -> Account:
    account = make_account(session, Role.TEACHING_ASSISTANT, classes=[school.oak])
    session.commit()
    return account


def _class_map(school: School) -> str:
    return f"/classes/{school.oak.id}/lessons"


def _pupil_map(school: School) -> str:
    return f"/pupils/{school.pupil.id}/lessons"


def _row(page: str, lesson_id: str) -> str:
    found = re.search(rf'<tr id="lesson-{lesson_id}".*?</tr>', page, re.S)
    assert found is not None, lesson_id
    return found.group(0)


def _turn(client: FlaskClient, school: School, lesson_id: str, on: bool) -> int:
    data = {"lesson_id": lesson_id, "on": "1" if on else "0"}
    return client.post(_class_map(school), data=data).status_code


def _class_lessons(session: Session, school: School) -> set[str]:
    query = select(MapEntry.lesson_id).where(MapEntry.class_id == school.oak.id)
    return set(session.scalars(query))


def _on_ipad(app: Flask, school: School) -> str:
    return pupil_on_ipad(app, school).get("/pupil/").text


def _actions(session: Session, account: Account) -> list[str]:
    query = select(AuditEvent.action).where(AuditEvent.actor_id == account.id)
    return [a for a in session.scalars(query) if a.startswith(("class_map.", "lesson_map."))]


@pytest.mark.parametrize("role", list(Role))
def test_only_teachers_the_head_and_the_safeguarding_team_may_turn_one_on(
    session: Session, role: Role
) -> None:
    allowed = {Role.TEACHER, Role.HEADTEACHER, Role.DSL, Role.DEPUTY_DSL}
    account = make_account(session, role)
    assert policy.may_enable_teacher_only_lessons(account) is (role in allowed)


def test_a_ta_cannot_turn_topic_15_on_for_the_class(
    app: Flask, session: Session, school: School, ta: Account
) -> None:
    refused = client_for(app, ta).post(
        _class_map(school), data={"lesson_id": TOPIC_15, "on": "1"}
    )
    assert refused.status_code == 403
    assert SAID in html.unescape(refused.text)
    assert TOPIC_15 not in _class_lessons(session, school)
    assert f"/pupil/lessons/{TOPIC_15}" not in _on_ipad(app, school)
    assert _actions(session, ta) == []  # nothing changed, so nothing recorded as changed


def test_a_ta_sees_a_sentence_not_a_turn_on_button_for_topic_15(
    app: Flask, school: School, ta: Account
) -> None:
    row = _row(client_for(app, ta).get(_class_map(school)).text, TOPIC_15)
    assert "A teacher turns this on for the class." in row
    assert "<form" not in row
    assert "Turn on" not in row
    teachers = _row(client_for(app, school.teacher).get(_class_map(school)).text, TOPIC_15)
    assert "Turn on" in teachers
    assert "A teacher turns this on" not in teachers


@pytest.mark.parametrize("who", ["teacher", "head"])
def test_a_teacher_or_the_head_turns_it_on_for_the_class(
    app: Flask, session: Session, school: School, who: str
) -> None:
    account = getattr(school, who)
    assert _turn(client_for(app, account), school, TOPIC_15, on=True) == 302
    assert TOPIC_15 in _class_lessons(session, school)
    assert f"/pupil/lessons/{TOPIC_15}" in _on_ipad(app, school)
    assert "class_map.lesson_on" in _actions(session, account)


def test_a_ta_cannot_add_topic_15_to_a_pupils_map_nor_is_it_offered(
    app: Flask, session: Session, school: School, ta: Account
) -> None:
    client = client_for(app, ta)
    page = client.get(_pupil_map(school)).text
    offered = ADDABLE.search(page)
    assert offered is None or f'value="{TOPIC_15}"' not in offered.group(1)
    assert "A teacher adds 15. My body, my choice" in page

    refused = client.post(f"{_pupil_map(school)}/_/add", data={"lesson_id": TOPIC_15})
    assert refused.status_code == 403
    assert SAID in html.unescape(refused.text)
    own = select(MapEntry).where(MapEntry.pupil_id == school.pupil.id)
    assert list(session.scalars(own)) == []  # not even personalised by the refusal
    assert f"/pupil/lessons/{TOPIC_15}" not in _on_ipad(app, school)


def test_the_service_refuses_a_ta_whoever_calls_it(
    session: Session, school: School, ta: Account
) -> None:
    lessons = all_lessons(session)
    with pytest.raises(Forbidden, match="Only a teacher can turn on"):
        maps.add(session, ta, school.pupil, TOPIC_15, lessons, today=utcnow().date())
    with pytest.raises(Forbidden, match="Only a teacher can turn on"):
        maps.set_class_lesson(session, ta, school.oak, TOPIC_15, True, lessons)
    session.rollback()


def test_a_teacher_adds_it_to_a_pupils_map(app: Flask, school: School) -> None:
    client = client_for(app, school.teacher)
    offered = ADDABLE.search(client.get(_pupil_map(school)).text)
    assert offered is not None
    assert f'value="{TOPIC_15}"' in offered.group(1)
    added = client.post(f"{_pupil_map(school)}/_/add", data={"lesson_id": TOPIC_15})
    assert added.status_code == 302
    assert f"/pupil/lessons/{TOPIC_15}" in _on_ipad(app, school)


def test_a_ta_keeps_every_other_map_change(
    app: Flask, session: Session, school: School, ta: Account
) -> None:
    client = client_for(app, ta)
    assert _turn(client, school, OTHER, on=False) == 302
    assert OTHER not in _class_lessons(session, school)
    assert _turn(client, school, OTHER, on=True) == 302
    assert _turn(client, school, "screen-time", on=False) == 302
    base = _pupil_map(school)
    assert client.post(f"{base}/passwords/hide").status_code == 302
    assert client.post(f"{base}/passwords/show").status_code == 302
    assert client.post(f"{base}/{OTHER}/up").status_code == 302
    assert client.post(f"{base}/{OTHER}/target").status_code == 302
    # Off the class map when Amira's own map was copied from it: the TA may add it back.
    added = client.post(f"{base}/_/add", data={"lesson_id": "screen-time"})
    assert added.status_code == 302
    assert _actions(session, ta) == [  # every change audited as before
        "class_map.lesson_off",
        "class_map.lesson_on",
        "class_map.lesson_off",
        "lesson_map.hidden",
        "lesson_map.shown",
        "lesson_map.moved",
        "lesson_map.target_set",
        "lesson_map.added",
    ]


def test_a_ta_can_take_topic_15_off_the_class_and_hide_it_but_not_show_it_again(
    app: Flask, session: Session, school: School, ta: Account
) -> None:
    assert _turn(client_for(app, school.teacher), school, TOPIC_15, on=True) == 302
    client = client_for(app, ta)
    base = _pupil_map(school)
    assert client.post(f"{base}/{TOPIC_15}/hide").status_code == 302
    row = _row(client.get(base).text, TOPIC_15)
    assert "A teacher shows this again." in row
    assert ">Show<" not in row
    refused = client.post(f"{base}/{TOPIC_15}/show")
    assert refused.status_code == 403
    assert SAID in html.unescape(refused.text)
    assert f"/pupil/lessons/{TOPIC_15}" not in _on_ipad(app, school)
    assert ">Show<" in _row(client_for(app, school.teacher).get(base).text, TOPIC_15)

    assert _turn(client, school, TOPIC_15, on=False) == 302
    assert TOPIC_15 not in _class_lessons(session, school)
    assert "class_map.lesson_off" in _actions(session, ta)
    assert "lesson_map.hidden" in _actions(session, ta)


def test_a_ta_cannot_follow_a_class_map_that_would_give_topic_15(
    app: Flask, session: Session, school: School, ta: Account
) -> None:
    """Amira's own map was made before the class had topic 15: following the class map again
    would give it to her, so that is a teacher's call too."""
    teacher = client_for(app, school.teacher)
    base = _pupil_map(school)
    assert teacher.post(f"{base}/{OTHER}/down").status_code == 302  # her own map now
    assert _turn(teacher, school, TOPIC_15, on=True) == 302

    client = client_for(app, ta)
    asked = client.post(f"{base}/reset")
    assert asked.status_code == 200
    assert "A teacher does this" in asked.text
    assert "Yes, follow the class map" not in asked.text
    refused = client.post(f"{base}/reset", data={"confirm": "yes"})
    assert refused.status_code == 403
    assert 'would give Amira "My body, my choice"' in html.unescape(refused.text)
    own = select(MapEntry.lesson_id).where(MapEntry.pupil_id == school.pupil.id)
    assert TOPIC_15 not in set(session.scalars(own))
    assert f"/pupil/lessons/{TOPIC_15}" not in _on_ipad(app, school)

    assert teacher.post(f"{base}/reset", data={"confirm": "yes"}).status_code == 302
    assert f"/pupil/lessons/{TOPIC_15}" in _on_ipad(app, school)


def test_a_ta_may_follow_the_class_map_when_it_gives_no_teacher_enabled_lesson(
    app: Flask, school: School, ta: Account
) -> None:
    client = client_for(app, ta)
    base = _pupil_map(school)
    assert client.post(f"{base}/{OTHER}/down").status_code == 302
    assert "Yes, follow the class map" in client.post(f"{base}/reset").text
    assert client.post(f"{base}/reset", data={"confirm": "yes"}).status_code == 302
