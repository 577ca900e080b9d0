"""A level suggested by a pupil's iPad answers is the staff's to choose, is dated from the
answers, and is confirmed once.

An auditor saw "From answers" offer Secure already selected; the teacher confirmed it, and again
on the next two Mondays: each made an observation dated that day, and after three the lesson
read "Maintained: Yes" though the pupil had done nothing on those dates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.assessment import services
from classroom.assessment.models import Level, Observation
from classroom.db import utcnow
from classroom.lessons.content import ChooseStep
from classroom.lessons.content import Pathway as ContentPathway
from tests.app_settings import school_today
from tests.conftest import Clock, sign_in
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school, pupil_on_ipad

LESSON = "stop-block-tell"
SF = "stop-block-tell.sf"
MONDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _answer_all_right(app: Flask, school: School, day: int) -> None:
    """One semi-formal attempt at the lesson on the class iPad, every question right first time."""
    version = app.extensions["lessons"].get(LESSON).version(ContentPathway.SEMI_FORMAL)
    ipad = pupil_on_ipad(app, school)
    url = ipad.post(f"/pupil/lessons/{LESSON}/start").location
    for n, step in enumerate(version.steps, 1):
        if isinstance(step, ChooseStep):
            right = next(i for i, o in enumerate(step.options, 1) if o.correct)
            ipad.post(
                url.replace("/steps/1", f"/steps/{n}"),
                data={"answer": f"o{right}", "tries": "1", "key": f"{day}-{n}"},
            )
    ipad.post("/pupil/finished")


def _row(client: FlaskClient, school: School) -> str:
    """The lesson's row on the pupil's progress page."""
    page = client.get(f"/assessment/pupils/{school.pupil.id}").text
    link = f'href="/assessment/pupils/{school.pupil.id}/objectives/{SF}"'
    return page.split(link, 1)[0].rsplit("<tr", 1)[1] + page.split(link, 1)[1].split("</tr>")[0]


def _confirm(client: FlaskClient, school: School, **extra: str) -> object:
    return client.post(
        f"/assessment/pupils/{school.pupil.id}/observations",
        data={"objective_id": SF, "level": "3", "from_proposal": "y", **extra},
    )


def _observations(session: Session) -> list[Observation]:
    session.expire_all()
    return list(session.scalars(select(Observation).order_by(Observation.id)))


def test_the_suggestion_is_words_and_no_level_is_chosen_for_staff(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    clock.set(MONDAY)
    school = make_school(session)
    _answer_all_right(app, school, 1)
    clock.advance(days=1)
    _answer_all_right(app, school, 2)
    clock.advance(days=1)
    sign_in(client, school.teacher.username)
    row = _row(client, school)
    assert "The answers suggest Secure (independent)" in row
    assert "100% right first time over 2 session(s), last on 01 Dec 2026" in row
    box = row.split(f'<select id="p-{LESSON}" name="level" required', 1)[1].split("</select>")[0]
    assert '<option value="">Choose&hellip;</option>' in box
    assert "selected" not in box
    assert "Recorded as seen in a lesson on 01 Dec 2026, the day of the last answers." in row


def test_a_confirmed_proposal_is_dated_from_the_answers_and_is_not_offered_again(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    clock.set(MONDAY)
    school = make_school(session)
    _answer_all_right(app, school, 1)
    clock.advance(days=1)
    _answer_all_right(app, school, 2)  # Tuesday 1 December: the last answers
    clock.advance(days=1)
    sign_in(client, school.teacher.username)
    # Whatever the form says of when and where, the answers say it.
    sent = _confirm(client, school, observed_on="2026-12-02", context="home")
    assert sent.status_code == 302  # type: ignore[attr-defined]
    (row,) = _observations(session)
    assert row.observed_on == date(2026, 12, 1)
    assert row.context == "lesson"
    assert row.from_proposal
    assert row.level == Level.SECURE
    shown = _row(client, school)
    assert "<strong>Confirmed</strong> (recorded, dated 01 Dec 2026)" in shown
    assert "Nothing new to confirm until Amira answers again." in shown
    assert "<form" not in shown

    # The next two Mondays, "confirmed" again with no new answers: refused, nothing recorded.
    for _monday in range(2):
        clock.advance(days=6)
        sign_in(client, school.teacher.username)  # a new day's sign-in
        again = _confirm(client, school)
        assert again.status_code == 400  # type: ignore[attr-defined]
        text = again.text  # type: ignore[attr-defined]
        assert "Those answers have already been recorded." in text
        assert "Your observation, as you left it" not in text  # nothing to put right
    assert len(_observations(session)) == 1
    assert "<td>No</td>" in _row(client, school)  # not "Maintained" on no new evidence


def test_new_answers_are_offered_again_and_dated_their_own_day(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    clock.set(MONDAY)
    school = make_school(session)
    for day in range(2):
        _answer_all_right(app, school, day)
        clock.advance(days=1)
    sign_in(client, school.teacher.username)
    _confirm(client, school)
    clock.advance(days=12)  # Monday 14 December: she does the lesson again
    _answer_all_right(app, school, 14)
    sign_in(client, school.teacher.username)
    row = _row(client, school)
    assert "Confirmed" not in row
    assert "last on 14 Dec 2026" in row
    assert f'id="p-{LESSON}"' in row
    clock.advance(days=1)
    sign_in(client, school.teacher.username)
    assert _confirm(client, school).status_code == 302  # type: ignore[attr-defined]
    days = [o.observed_on for o in _observations(session)]
    assert days == [date(2026, 12, 1), date(2026, 12, 14)]


def test_an_observation_recorded_since_the_answers_covers_them_a_backdated_one_does_not(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    clock.set(MONDAY)
    school = make_school(session)
    _answer_all_right(app, school, 1)
    clock.advance(days=1)
    _answer_all_right(app, school, 2)
    clock.advance(minutes=20)
    sign_in(client, school.teacher.username)

    def observe(day: date) -> None:
        services.observe(
            session, school.teacher, school.pupil, SF,
            services.Entry(level=Level.DEVELOPING, observed_on=day),
            all_lessons(session), now=utcnow(), today=school_today(),
        )  # fmt: skip
        session.commit()

    observe(date(2026, 11, 20))  # typed in today, about a lesson before the answers
    assert f'id="p-{LESSON}"' in _row(client, school)
    observe(date(2026, 12, 1))  # the teacher recorded the lesson herself, after the answers
    row = _row(client, school)
    assert "<strong>Confirmed</strong> (recorded, dated 01 Dec 2026)" in row
    assert f'id="p-{LESSON}"' not in row
    assert _confirm(client, school).status_code == 400  # type: ignore[attr-defined]
    assert session.scalar(select(func.count(Observation.id))) == 2


def test_a_proposal_with_no_answers_is_refused(client: FlaskClient, session: Session) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    refused = _confirm(client, school)
    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert "nothing new to confirm" in refused.text  # type: ignore[attr-defined]
    assert _observations(session) == []
    assert re.search(r"From answers</th>", client.get(f"/assessment/pupils/{school.pupil.id}").text)


def test_a_level_not_chosen_from_answers_is_refused_and_chosen_on_the_progress_page(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    clock.set(MONDAY)
    school = make_school(session)
    _answer_all_right(app, school, 1)
    sign_in(client, school.teacher.username)
    refused = _confirm(client, school, level="")
    assert refused.status_code == 400  # type: ignore[attr-defined]
    text = refused.text  # type: ignore[attr-defined]
    assert "Level: choose one from the list, from 0 (Not yet) to 4 (Generalised)." in text
    # Not a form asking when and where: the answers say that. Back to choose the level there.
    assert "Your observation, as you left it" not in text
    assert f'href="/assessment/pupils/{school.pupil.id}">Back to Amira' in text
    assert _observations(session) == []
