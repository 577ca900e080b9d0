"""Start reached the server but its answer was lost (the Wi-Fi dropped on the way back), so the
class iPad, or the pupil, taps Start again once the network is back: that made a second go,
and the teacher saw an empty go given up beside the real one ("2 goes, none finished").

A Start with nothing answered since the pupil's last Start takes up that go (at screen 1, as a
new go would begin) instead of leaving it empty. Not a go with an answer in it (Start again
after a go left part way is a new go, as ever: Go on is the pupil's choice), not a finished go
(a pupil who wants another go gets one), not a go in a changed lesson or on another pathway,
and not an empty go begun more than `player.CARRY_ON_DAYS` ago on the school's calendar: the
same rule as carrying on a go left part way.

Driven as a pupil does it: the lesson's first screen's Start form, posted again."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from classroom.lessons import player
from classroom.lessons.models import LessonAttempt
from classroom.localtime import school_zone
from tests.conftest import Clock, client_for
from tests.lessons.test_lesson_resume import INTRO, LESSON, _answer, _attempts, _half_way
from tests.worry_helpers import make_school, pupil_on_ipad

FRIDAY = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)


def _start(ipad: FlaskClient, go: str | None = None) -> str:
    """Start (or Start again, `go="again"`) on the lesson's first screen: where it leads."""
    response = ipad.post(f"{INTRO}/start", data={"go": go} if go else {})
    assert response.status_code == 302
    return str(response.location)


def test_start_sent_again_after_its_answer_was_lost_goes_on_in_the_same_go(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    first = _start(ipad)  # the server made the go; the iPad never heard
    assert first.endswith("/steps/1")
    assert _start(ipad) == first  # sent again when the network came back: the same go
    assert len(_attempts(session)) == 1

    _answer(app, ipad, first, 2, right=True)
    progress = player.progress(session, school.pupil, zone=school_zone(app.config))[LESSON]
    assert (progress.attempts, progress.finished) == (1, 0)  # no empty go beside it
    teacher = client_for(app, school.teacher)
    assert teacher.get(f"/pupils/{school.pupil.id}/lessons").status_code == 200
    # Both taps are on the record, and say which go the second one went on in.
    session.expire_all()
    started = session.scalars(
        select(AuditEvent.summary)
        .where(AuditEvent.action == "lesson.started")
        .order_by(AuditEvent.id)
    ).all()
    attempt = _attempts(session)[0]
    assert len(started) == 2
    assert f"go {attempt.id}" in started[1]


def test_start_again_sent_twice_makes_one_new_go(app: Flask, session: Session) -> None:
    school = make_school(session)
    half_done = _half_way(app, school)  # answers given: Start again is a new go, as ever
    ipad = pupil_on_ipad(app, school)
    again = _start(ipad, "again")
    assert again != half_done
    assert again.endswith("/steps/1")
    assert _start(ipad, "again") == again
    assert len(_attempts(session)) == 2


def test_after_an_answer_or_a_finished_go_start_makes_a_new_go(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    first = _start(ipad)
    _answer(app, ipad, first, 2, right=True)
    second = _start(ipad)  # an answer given since: a new go at screen 1
    assert second != first
    assert ipad.post(second.replace("/steps/1", "/finish")).status_code == 200
    third = _start(ipad)  # finished (with nothing answered): another go is another go
    assert third not in {first, second}
    assert len(_attempts(session)) == 3


def test_an_empty_go_is_taken_up_over_a_weekend_but_not_after_three_days(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(FRIDAY)
    school = make_school(session)
    friday = _start(pupil_on_ipad(app, school))  # the bell rang before she answered

    monday = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    clock.set(monday)
    ipad = pupil_on_ipad(app, school)
    assert _start(ipad) == friday
    go = _attempts(session)[0]
    # Nothing in it was done on Friday: the go begins when it is given to her again.
    assert go.started_at == monday
    progress = player.progress(session, school.pupil, zone=school_zone(app.config))[LESSON]
    assert (progress.attempts, progress.last) == (1, "7 Dec 2026")

    clock.set(datetime(2026, 12, 11, 9, 0, tzinfo=UTC))  # Friday after, no answer all week
    assert _start(pupil_on_ipad(app, school)) != friday
    assert len(_attempts(session)) == 2


def test_a_new_pathway_since_the_empty_go_starts_a_new_go(app: Flask, session: Session) -> None:
    school = make_school(session)
    first = _start(pupil_on_ipad(app, school))
    teacher = client_for(app, school.teacher)
    changed = teacher.post(
        f"/pupils/{school.pupil.id}/lessons/{LESSON}/pathway", data={"pathway": "formal"}
    )
    assert changed.status_code == 302
    assert _start(pupil_on_ipad(app, school)) != first
    assert len(_attempts(session)) == 2


def test_go_on_with_nothing_to_carry_on_sent_twice_makes_one_go(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    first = _start(ipad, "on")  # an old "Go on" page: a new go at screen 1
    assert first.endswith("/steps/1")
    assert _start(ipad, "on") == first
    assert len(session.scalars(select(LessonAttempt.id)).all()) == 1
