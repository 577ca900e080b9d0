"""A lesson a teacher hid on one pupil's map reads as not planned for them now, not as work
missing, on the class heatmap, its key, the class summary and the spreadsheet export, as the
pupil's progress page and report say "(hidden from the map)".

At a parents' evening a dash under a lesson the teacher deliberately took off a pupil's map
read as work missing. A level recorded before it was hidden still shows, as any other.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from classroom.assessment import services
from classroom.db import utcnow
from classroom.lessons import maps
from classroom.pupils.models import Pupil
from tests.app_settings import school_today
from tests.assessment.test_heatmap_planned import (
    _cell,
    _exported,
    _heads,
    _heatmap,
    _picture_title,
    _read,
    _seen,
)
from tests.conftest import client_for
from tests.factories import make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

LESSON = "stop-block-tell"
TITLE = "Stop, block, tell"
HIDDEN = "hidden from their map"


def _with_ben(session: Session, school: School) -> Pupil:
    """Ben, in Amira's class, whose teacher hid "Stop, block, tell" on his map."""
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Ode")
    session.commit()
    maps.set_hidden(session, school.teacher, ben, LESSON, True, all_lessons(session))
    session.commit()
    return ben


def _summary_row(app: Flask, school: School, title: str) -> str | None:
    page = client_for(app, school.teacher).get(f"/assessment/classes/{school.oak.id}/summary")
    assert page.status_code == 200
    found = re.search(rf"<tr><th scope=\"row\">\d+\. {re.escape(title)}.*?</tr>", page.text, re.S)
    return None if found is None else found.group(0)


def test_a_hidden_lesson_reads_off_on_the_heatmap_not_as_not_assessed(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ben = _with_ben(session, school)
    page = _heatmap(app, school)
    assert TITLE in _heads(page)  # still on Amira's map
    assert _cell(page, school.pupil, TITLE) == '<td class="lvl-none">&ndash;</td>'
    hidden = _cell(page, ben, TITLE)
    assert _seen(hidden) == "off"
    assert _read(hidden).startswith(HIDDEN)
    assert "not assessed" not in _read(hidden)
    assert _picture_title(page, ben, TITLE).startswith(HIDDEN)
    # The key says what "off" covers.
    colours = page.split('aria-label="Colour key"', 1)[1].split("</ul>", 1)[0]
    assert "off Not on their map, or hidden from it" in colours
    marks = page.split('aria-label="What the marks mean"', 1)[1].split("</ul>", 1)[0]
    assert "hidden" in marks


def test_a_level_recorded_before_the_lesson_was_hidden_still_shows(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Ode")
    session.commit()
    lessons = all_lessons(session)
    services.observe(
        session, school.teacher, ben, f"{LESSON}.sf",
        services.Entry(level=2, observed_on=school_today() - timedelta(days=3)),
        lessons, now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    maps.set_hidden(session, school.teacher, ben, LESSON, True, lessons)
    session.commit()
    page = _heatmap(app, school)
    assert _seen(_cell(page, ben, TITLE)) == "2"
    assert _picture_title(page, ben, TITLE).endswith(f", {HIDDEN} now")
    row = _summary_row(app, school, TITLE)
    assert row is not None
    assert "hidden from their map" not in row  # counted at level 2, not set apart


def test_the_class_summary_counts_a_hidden_lesson_apart_from_not_assessed(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    _with_ben(session, school)
    row = _summary_row(app, school, TITLE)
    assert row is not None
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    not_assessed = cells[-2]  # then "Misconception on record"
    assert not_assessed.startswith("1 ")  # Amira only
    assert "(and 1 hidden from their map)" in not_assessed


def test_a_lesson_hidden_for_every_pupil_has_no_column_and_no_summary_row(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    maps.set_hidden(session, school.teacher, school.pupil, LESSON, True, all_lessons(session))
    session.commit()
    assert TITLE not in _heads(_heatmap(app, school))
    assert _summary_row(app, school, TITLE) is None
    # Her progress page and report still list it, marked, as before.
    report = client_for(app, school.teacher).get(f"/assessment/pupils/{school.pupil.id}/report")
    assert f"{TITLE} (hidden from the map)" in report.text


def test_the_export_says_a_lesson_is_hidden_from_the_map_as_the_report_does(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ben = _with_ben(session, school)
    rows = _exported(client_for(app, school.teacher), ben)
    header, body = rows[0], rows[1:]
    lesson, on_map = header.index("lesson"), header.index("on the map now")
    said = {r[lesson]: r[on_map] for r in body}
    assert said[TITLE] == "hidden from the map"
    assert {v for k, v in said.items() if k != TITLE} == {"yes"}


def test_one_wording_for_not_assessed_yet_on_every_page_and_the_export(
    app: Flask, session: Session
) -> None:
    """The report said "Not assessed yet", the pupil's page, the export, the school page and the
    class summary "Not assessed": side by side, a parent or governor read two states."""
    school = make_school(session)  # Amira: nothing recorded
    teacher = client_for(app, school.teacher)
    pupil = f"/assessment/pupils/{school.pupil.id}"
    said = {
        "report": teacher.get(f"{pupil}/report").text,
        "pupil page": teacher.get(pupil).text,
        "class summary": teacher.get(f"/assessment/classes/{school.oak.id}/summary").text,
        "heatmap key": _heatmap(app, school),
        "school page": client_for(app, school.head).get("/assessment/school").text,
    }
    for where, page in said.items():
        assert "Not assessed yet" in page, where
        assert not re.search(r">Not assessed(<|\.)", page), where
    assert "not assessed yet" in _picture_title(said["heatmap key"], school.pupil, TITLE)
    rows = _exported(teacher, school.pupil)
    level = rows[0].index("current level")
    assert {r[level] for r in rows[1:]} == {"Not assessed yet"}
