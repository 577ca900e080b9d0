"""Lesson 15 ("My body, my choice", for pupils aged 14 to 19, teacher-enabled) turned on for a
class reaches each pupil on the day they are 14, with nobody acting. The teacher sees it coming:
the pupil's lesson map says the day, with "Keep it off <name>'s map"; the class map lists who is
too young and when each gets it. The pupil's own pages say nothing of it until then.

Found on a walk: a teacher turned lesson 15 on for Oak, Dev (14 on 1 June 2027) was 13, his
lesson map said nothing about it and the teacher could not keep it off him in advance; on his
birthday it appeared on his iPad."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.lessons import maps
from classroom.lessons.models import MapEntry
from tests import databases
from tests.conftest import Clock, client_for
from tests.factories import make_account
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school, pupil_on_ipad

LESSON_15 = "pressure-secrets-pictures"
OTHER = "kind-and-unkind"
NOON = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
BIRTHDAY = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
COMING = (
    "\u201cMy body, my choice\u201d is on Oak's class map for pupils aged 14 to 19: "
    "Dev gets it on 1 June 2027, the day Dev is 14."
)
KEPT = (
    "Kept off Dev's map: \u201cMy body, my choice\u201d (for pupils aged 14 to 19) will not "
    "reach Dev on 1 June 2027, the day Dev is 14."
)
KEEP_BUTTON = "Keep it off Dev's map"
LET_BUTTON = "Let it reach Dev on 1 June 2027"


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    """Oak, with lesson 15 turned on by its teacher, and Dev, 13 until 1 June 2027."""
    clock.set(NOON)
    school = make_school(session)
    school.pupil.first_name, school.pupil.last_name = "Dev", "Shah"
    school.pupil.date_of_birth = date(2013, 6, 1)
    session.commit()
    lessons = all_lessons(session)
    maps.set_class_lesson(session, school.teacher, school.oak, LESSON_15, True, lessons)
    session.commit()
    return school


@pytest.fixture
def ta(session: Session, school: School) -> Account:
    account = make_account(session, Role.TEACHING_ASSISTANT, classes=[school.oak])
    session.commit()
    return account


def _text(page: str) -> str:
    """The page's words as read: tags dropped, spaces run together."""
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.sub(r" ([,.:;])", r"\1", words)


def _map_page(app: Flask, school: School, who: Account | None = None) -> str:
    return client_for(app, who or school.teacher).get(f"/pupils/{school.pupil.id}/lessons").text


def _change(app: Flask, school: School, action: str, who: Account | None = None) -> Any:
    client = client_for(app, who or school.teacher)
    return client.post(f"/pupils/{school.pupil.id}/lessons/{LESSON_15}/{action}")


def _reaches_dev(session: Session, school: School) -> bool:
    shown = maps.pupil_map(session, school.pupil, all_lessons(session), today=utcnow().date())
    return any(p.lesson.id == LESSON_15 for p in shown)


def _on_ipad(app: Flask, school: School) -> str:
    return pupil_on_ipad(app, school).get("/pupil/").text


def test_a_pupil_too_young_has_a_note_saying_the_day_it_reaches_him(
    app: Flask, session: Session, school: School
) -> None:
    page = _map_page(app, school)
    words = _text(page)
    assert COMING in words
    assert KEEP_BUTTON in words
    assert LET_BUTTON not in words  # no decision made for the teacher
    note = re.search(rf'<div class="alert warning" id="lesson-{LESSON_15}".*?</div>', page, re.S)
    assert note is not None
    assert 'name="csrf_token"' in note.group(0)
    assert f'action="/pupils/{school.pupil.id}/lessons/{LESSON_15}/hide"' in note.group(0)
    # Nothing shows to Dev himself: not on his iPad, not among his lessons.
    assert f"/pupil/lessons/{LESSON_15}" not in _on_ipad(app, school)
    assert not _reaches_dev(session, school)


def test_keeping_it_off_stops_it_reaching_him_on_his_birthday(
    app: Flask, session: Session, school: School, clock: Clock
) -> None:
    kept = _change(app, school, "hide")
    assert kept.status_code == 302
    assert kept.location.endswith(f"#lesson-{LESSON_15}")
    after = client_for(app, school.teacher).get(kept.location).text
    assert KEPT in _text(after)
    assert LET_BUTTON in _text(after)
    assert "Saved." in _text(after)
    assert "Dev sees this next time" not in _text(after)  # he sees nothing of it
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == school.teacher.id)
    )
    assert "lesson_map.hidden" in list(actions)
    assert "This map is personalised." in _text(after)  # as any first change does

    clock.set(BIRTHDAY)
    session.expire_all()
    assert not _reaches_dev(session, school)
    assert f"/pupil/lessons/{LESSON_15}" not in _on_ipad(app, school)


def test_a_teacher_lets_it_reach_him_again_and_it_does_on_his_birthday(
    app: Flask, session: Session, school: School, clock: Clock
) -> None:
    assert _change(app, school, "hide").status_code == 302
    assert _change(app, school, "show").status_code == 302
    page = _text(_map_page(app, school))
    assert "\u201cMy body, my choice\u201d is on Dev's own map for pupils aged 14 to 19" in page
    assert KEEP_BUTTON in page

    clock.set(BIRTHDAY)
    session.expire_all()
    assert _reaches_dev(session, school)  # deliberate: the class teacher turned it on


def test_a_ta_may_keep_it_off_but_not_let_it_reach_him(
    app: Flask, session: Session, school: School, ta: Account
) -> None:
    assert KEEP_BUTTON in _text(_map_page(app, school, ta))  # the safe direction
    assert _change(app, school, "hide", ta).status_code == 302
    page = _text(_map_page(app, school, ta))
    assert KEPT in page
    assert LET_BUTTON not in page
    assert "A teacher decides whether it reaches Dev." in page
    refused = _change(app, school, "show", ta)
    assert refused.status_code == 403
    # Nor by following the class map again, which would give it back on his birthday.
    confirm = client_for(app, ta).post(f"/pupils/{school.pupil.id}/lessons/reset")
    assert "A teacher does this" in _text(confirm.text)
    again = client_for(app, ta).post(
        f"/pupils/{school.pupil.id}/lessons/reset", data={"confirm": "yes"}
    )
    assert again.status_code == 403
    session.expire_all()
    hidden = session.scalar(
        select(MapEntry.hidden).where(
            MapEntry.pupil_id == school.pupil.id, MapEntry.lesson_id == LESSON_15
        )
    )
    assert hidden is True


def test_the_class_map_lists_who_is_too_young_and_when_each_gets_it(
    app: Flask, school: School
) -> None:
    def row() -> str:
        page = client_for(app, school.teacher).get(f"/classes/{school.oak.id}/lessons").text
        found = re.search(rf'<tr id="lesson-{LESSON_15}".*?</tr>', page, re.S)
        assert found is not None
        return _text(found.group(0))

    assert "Too young for it today: Dev Shah gets it on 1 June 2027" in row()
    assert _change(app, school, "hide").status_code == 302
    assert "Dev Shah: kept off" in row()
    assert "gets it on" not in row()


def test_no_note_for_a_pupil_old_enough_or_once_he_is(
    app: Flask, school: School, clock: Clock
) -> None:
    clock.set(BIRTHDAY)
    page = _text(_map_page(app, school))
    assert KEEP_BUTTON not in page
    assert "My body, my choice" in page  # a row of his map now, like any lesson


def test_a_pupil_born_on_29_february_gets_it_on_1_march() -> None:
    class Born:
        date_of_birth = date(2012, 2, 29)

    assert maps.birthday(Born(), 14) == date(2026, 3, 1)  # type: ignore[arg-type]
    assert maps.birthday(Born(), 16) == date(2028, 2, 29)  # type: ignore[arg-type]


# --- Two teachers making the first change at once (PostgreSQL) --------------------------------

on_postgres_only = pytest.mark.skipif(
    not databases.POSTGRES, reason="SQLite's writers take turns at BEGIN IMMEDIATE already"
)
WAIT = 30  # seconds before a stuck thread fails the test instead of hanging the run


class _Request:
    """One request sent from its own thread, as a second server worker would serve it."""

    def __init__(self, send: Callable[[], Any]) -> None:
        self.send, self.answer, self.failure = send, None, None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.answer = self.send()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            self.failure = error
        finally:
            self.done.set()


def _waiting_for_a_lock(engine: Engine, second: _Request) -> bool:
    for _ in range(WAIT * 20):
        with engine.connect() as conn:
            waiting = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return True
        if second.done.wait(0.05):
            return False
    return False


@on_postgres_only
def test_two_teachers_making_the_first_change_at_once_copy_the_class_map_once(
    app: Flask, session: Session, school: School, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = make_account(session, Role.TEACHER, classes=[school.oak], display_name="Mr Ode")
    session.commit()
    pupil_id = school.pupil.id
    one_client, two_client = client_for(app, school.teacher), client_for(app, other)
    base = f"/pupils/{pupil_id}/lessons"
    session.close()  # the test holds no transaction while the requests work

    one = _Request(lambda: one_client.post(f"{base}/{LESSON_15}/hide"))
    two = _Request(lambda: two_client.post(f"{base}/{OTHER}/hide"))
    inside, go = threading.Event(), threading.Event()
    copy_from = maps.class_entries

    def held(*args: Any, **kwargs: Any) -> Any:
        """The first request, about to copy the class map, waits here."""
        if threading.current_thread() is one.thread:
            inside.set()
            if not go.wait(WAIT):
                raise RuntimeError("the held request was never let go")
        return copy_from(*args, **kwargs)

    monkeypatch.setattr(maps, "class_entries", held)
    try:
        one.thread.start()
        assert inside.wait(WAIT), one.failure
        two.thread.start()
        waited = _waiting_for_a_lock(app.extensions["db_engine"], two)
        assert not two.done.is_set(), "the second teacher's change went ahead while the first held"
        assert waited
    finally:
        go.set()
        one.thread.join(WAIT)
        two.thread.join(WAIT)
    assert one.failure is None, one.failure
    assert two.failure is None, two.failure
    assert one.answer.status_code == two.answer.status_code == 302

    session.expire_all()
    copies = session.execute(
        select(MapEntry.lesson_id, func.count(), func.bool_or(MapEntry.hidden))
        .where(MapEntry.pupil_id == pupil_id)
        .group_by(MapEntry.lesson_id)
    ).all()
    assert copies, "no map was made"
    assert {lesson_id: n for lesson_id, n, _ in copies if n > 1} == {}  # each lesson once
    hidden = {lesson_id for lesson_id, _, is_hidden in copies if is_hidden}
    assert hidden == {LESSON_15, OTHER}  # both teachers' changes kept
