"""A teacher reading back a pupil's record can put right any observation in force, not only the
latest, and is told where new observations of a lesson go once its pathway has changed.

Before, only the latest observation had a correction form. A level mistyped weeks ago (Emerging
for Secure) kept a lesson from being "maintained" on the progress page, the heatmap and the
report, and the withdrawal page for it said "to change a level, date or note, correct it
instead" where there was nothing to correct it with. And the page of an objective on a lesson's
earlier pathway offered no form to record, without saying why or where to record instead.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.assessment import services
from classroom.assessment.models import Context, Level, Observation
from classroom.db import utcnow
from tests.app_settings import school_today
from tests.conftest import client_for, sign_in
from tests.factories import make_account
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

SF = "stop-block-tell.sf"


def _record(session: Session, school: School, level: int, days_ago: int) -> Observation:
    entry = services.Entry(
        level=level,
        observed_on=school_today() - timedelta(days=days_ago),
        context=Context.LESSON,
        note="seen with the stop card" if level == Level.EMERGING else "",
    )
    made = services.observe(
        session, school.teacher, school.pupil, SF, entry, all_lessons(session),
        now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    return made


def _progress_row(client: FlaskClient, school: School) -> str:
    page = client.get(f"/assessment/pupils/{school.pupil.id}").text
    row = re.search(r"<tr>(?:(?!</tr>).)*objectives/stop-block-tell\.sf.*?</tr>", page, re.S)
    assert row is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(0)))


def test_an_earlier_mistyped_level_is_corrected_and_every_view_then_agrees(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    _record(session, school, Level.SECURE, 21)
    mistyped = _record(session, school, Level.EMERGING, 14)  # meant Secure
    _record(session, school, Level.SECURE, 7)
    sign_in(client, school.teacher.username)
    assert " Secure (independent) No " in _progress_row(client, school)

    page = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    correct = f"/assessment/observations/{mistyped.id}/correct"
    day = mistyped.observed_on.strftime("%d %b %Y")
    link = f'href="{correct}">Correct<span class="visually-hidden"> the observation of {day}'
    assert link in page
    # The withdrawal page's "correct it instead" leads there.
    withdraw = client.get(f"/assessment/observations/{mistyped.id}/withdraw").text
    assert f'<a href="{correct}">correct it instead</a>' in withdraw

    form = client.get(correct)
    assert form.status_code == 200
    assert f'action="{correct}"' in form.text
    assert '<option value="1" selected>' in form.text  # starts as the observation it corrects
    assert f'value="{mistyped.observed_on.isoformat()}"' in form.text
    assert "seen with the stop card</textarea>" in form.text
    sent = client.post(
        correct,
        data={
            "level": "3",
            "context": "lesson",
            "observed_on": mistyped.observed_on.isoformat(),
            "note": "seen with the stop card",
        },
    )
    assert sent.status_code == 302
    fixed = session.scalars(select(Observation).where(Observation.supersedes_id == mistyped.id))
    assert [o.level for o in fixed] == [Level.SECURE]

    # Secure in 3 sessions over 2 weeks now, on every page that says so.
    assert " Secure (independent) Yes " in _progress_row(client, school)
    heatmap = client.get(f"/assessment/classes/{school.oak.id}").text
    assert '<td class="lvl-3">3*<span class="visually-hidden">, maintained</span></td>' in heatmap
    report = client.get(f"/assessment/pupils/{school.pupil.id}/report").text
    assert re.search(r"Stop, block, tell.*?Secure \(independent\)\s*</td>\s*<td>Yes", report, re.S)
    # The corrected one stays in the history, marked, and offers no correction itself.
    page = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    assert "Corrected" in page
    assert f'href="{correct}">Correct<' not in page
    again = client.get(correct).text
    assert "This observation was corrected: the correction is the one in force." in again
    assert "Save correction" not in again


def test_the_correction_page_writes_nothing_and_is_only_for_those_who_record(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    first = _record(session, school, Level.SECURE, 14)
    _record(session, school, Level.SECURE, 7)
    page = f"/assessment/observations/{first.id}/correct"
    count = session.scalar(select(func.count(Observation.id)))
    assert client_for(app, school.teacher).get(page).status_code == 200
    assert session.scalar(select(func.count(Observation.id))) == count
    for role in (Role.GOVERNOR, Role.TEACHER):  # a governor; a teacher of another class
        other = make_account(session, role)
        session.commit()
        assert client_for(app, other).get(page).status_code in (403, 404), role


def test_an_earlier_pathways_objective_says_where_new_observations_go(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    _record(session, school, Level.SECURE, 7)
    sign_in(client, school.teacher.username)
    moved = client.post(
        f"/pupils/{school.pupil.id}/lessons/stop-block-tell/pathway", data={"pathway": "formal"}
    )
    assert moved.status_code == 302
    page = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    assert "Record an observation" not in page
    said = re.search(r'<p class="hint" id="taught-now">(.*?)</p>', page, re.S)
    assert said is not None
    assert "is taught this lesson on the formal pathway now" in said.group(1)
    now_page = f"/assessment/pupils/{school.pupil.id}/objectives/stop-block-tell.f"
    assert f'href="{now_page}"' in said.group(1)
    now = client.get(now_page).text
    assert 'id="taught-now"' not in now
    assert "Record an observation" in now
