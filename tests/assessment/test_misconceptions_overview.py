"""A misconception shows on the class's overview, not only on the pupil's own page: a level
recorded with "Shows a misconception" ticked is marked M on the class heatmap (with words for a
screen reader, and in the key), and the class summary names who has one on record per lesson.

It is a safety skill ("says it's fine to meet them if they're nice"): a plain green 4 on the
heatmap, counted only under Generalised in the summary, was never followed up.

On record means the latest session (a day) recorded showed it; a later session recorded
without it clears it, and so does correcting it away."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.assessment import derive, services
from classroom.assessment.models import Level, Observation
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from tests.app_settings import school_today
from tests.conftest import sign_in
from tests.factories import make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

SF = "people-online.sf"


def _observe(
    session: Session, school: School, level: int, ago: int, *, misconception: bool = False,
    objective: str = SF,
) -> Observation:  # fmt: skip
    row = services.observe(
        session, school.teacher, school.pupil, objective,
        services.Entry(
            level=level, observed_on=school_today() - timedelta(days=ago),
            misconception=misconception, context=services.Context.HOME,
            note="Says it's fine to meet them if they're nice" if misconception else "",
        ),
        all_lessons(session), now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    return row


def _cell(client: FlaskClient, school: School, lesson_id: str) -> str:
    """Amira's cell for a lesson in the heatmap's table."""
    page = client.get(f"/assessment/classes/{school.oak.id}").text
    heads = re.findall(r'<th scope="col"><abbr title="[^"]*">(\d+)</abbr></th>', page)
    table = page.split('<table class="heatmap-table">', 1)[1]
    row = table.split(f"/assessment/pupils/{school.pupil.id}", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td[^>]*>.*?</td>", row)
    return cells[heads.index(lesson_id)]


def _summary_row(client: FlaskClient, school: School, session: Session) -> str:
    lesson = all_lessons(session).objective(SF)[0]
    page = client.get(f"/assessment/classes/{school.oak.id}/summary").text
    return page.split(f"{lesson.number}. {lesson.title.text}</th>", 1)[1].split("</tr>", 1)[0]


def _number(session: Session) -> str:
    return str(all_lessons(session).objective(SF)[0].number)


def test_the_heatmap_marks_a_misconception_in_the_cell_and_explains_it(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    _observe(session, school, Level.GENERALISED, 0, misconception=True)
    sign_in(client, school.teacher.username)
    page = client.get(f"/assessment/classes/{school.oak.id}").text
    table = page.split('<table class="heatmap-table">', 1)[1]
    assert (
        '<td class="lvl-4">4M<span class="visually-hidden">, misconception</span></td>' in table
    )
    picture = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "Generalised (other person, place or device), misconception</title>" in picture
    assert 'class="hm-value hm-misconception">4M</text>' in picture
    assert "<strong>M</strong> misconception: the latest session recorded showed" in page
    assert "It\n    stays until a later session is recorded without one" in page


def test_the_class_summary_names_who_has_a_misconception_on_record(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    _observe(session, school, Level.GENERALISED, 2, misconception=True)
    other = make_pupil(session, school.oak, first_name="Ben", last_name="Ola")
    services.observe(
        session, school.teacher, other, SF,
        services.Entry(level=Level.GENERALISED, observed_on=school_today()),
        all_lessons(session), now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    sign_in(client, school.teacher.username)
    row = _summary_row(client, school, session)
    counts = re.findall(r"<td>(\d+)</td>", row)
    assert counts[:5] == ["0", "0", "0", "0", "2"]  # both are at Generalised
    objective = f"/assessment/pupils/{school.pupil.id}/objectives/{SF}"
    link = f'<a class="tap-link" href="{objective}">Amira Khan</a>'
    assert f"<strong>1</strong>:\n      {link}" in row
    assert "Ben" not in row  # no misconception recorded for him
    # The page names pupils now: reading it is in the audit log.
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "assessment.class_summary_viewed")
    ).one()
    assert (event.actor_id, event.object_id) == (school.teacher.id, school.oak.id)


def test_a_later_session_without_the_misconception_clears_it_everywhere(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    _observe(session, school, Level.SECURE, 7, misconception=True)
    lesson = all_lessons(session).objective(SF)[0]
    assert _cell(client, school, _number(session)).startswith('<td class="lvl-3">3M')
    # The same day, another observation without the box ticked: still on record (the order a
    # day's observations were typed in is not the order they happened in).
    _observe(session, school, Level.SECURE, 7)
    assert _cell(client, school, _number(session)).startswith('<td class="lvl-3">3M')
    assert "<strong>1</strong>" in _summary_row(client, school, session)
    # A later session recorded without it: cleared, on the heatmap, the summary and her page.
    _observe(session, school, Level.SECURE, 0)
    assert _cell(client, school, _number(session)) == '<td class="lvl-3">3</td>'
    assert _summary_row(client, school, session).endswith("<td>0</td>")
    page = client.get(f"/assessment/pupils/{school.pupil.id}").text
    row = page.split(f"{lesson.number}. {lesson.title.text}</td>", 1)[1].split("</tr>", 1)[0]
    assert "(misconception)" not in row


def test_correcting_the_misconception_away_clears_it(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    wrong = _observe(session, school, Level.SECURE, 0, misconception=True)
    services.correct(
        session, school.teacher, wrong,
        services.Entry(
            level=Level.SECURE, observed_on=school_today(), context=services.Context.HOME
        ),
        all_lessons(session), now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    assert _cell(client, school, _number(session)) == '<td class="lvl-3">3</td>'


def test_on_record_is_the_latest_day_whichever_order_it_was_typed_in() -> None:
    def obs(oid: int, day: int, misconception: bool) -> Observation:
        return Observation(
            id=oid, pupil_id=1, objective_id=SF, level=3, supersedes_id=None,
            observed_on=date(2026, 11, day), misconception=misconception,
        )  # fmt: skip

    assert derive.misconception_on_record([obs(1, 2, True), obs(2, 2, False)])
    assert derive.misconception_on_record([obs(2, 2, False), obs(1, 2, True)])
    assert not derive.misconception_on_record([obs(1, 2, True), obs(2, 3, False)])
    assert derive.misconception_on_record([obs(1, 2, False), obs(2, 3, True)])
