"""The class heatmap and the export read right for what is planned.

A teacher-enabled lesson (lesson 15, for 14 to 19) is on a pupil's map only if a teacher put it
there. Shown on the heatmap with a dash for every pupil, it read at a parents' evening or a
governors' visit as work missing that was never planned; the pupil's progress page leaves it
out. Now a lesson on no pupil's map, with nothing recorded, has no column, and where someone
has it on their map (or a level recorded in it) the others' cells say "off": not on their map,
in the picture, the table (to the ear too) and the key. "n/a" (not for their age) is as before.

The encrypted spreadsheet export said "no" under "maintained" and "misconception" for a lesson
not assessed yet, where the report and progress page show a dash: those cells are now empty.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

import pyzipper
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.assessment import services
from classroom.db import utcnow
from classroom.lessons import maps
from classroom.pupils.models import Pupil
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.factories import make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

LESSON_15 = "pressure-secrets-pictures"
TITLE_15 = "My body, my choice"
AT_18 = "At 18: pictures and help"  # lesson 27, for 18 and 19: "n/a" for a 15-year-old
OFF = "not on their map"


def _heads(page: str) -> list[str]:
    head = page.split('<table class="heatmap-table">', 1)[1].split("</thead>", 1)[0]
    return [html.unescape(t) for t in re.findall(r'<abbr title="([^"]*)">', head)]


def _cell(page: str, pupil: Pupil, title: str) -> str:
    table = page.split('<table class="heatmap-table">', 1)[1]
    row = table.split(f"/assessment/pupils/{pupil.id}?", 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td[^>]*>.*?</td>", row)[_heads(page).index(title)]


def _read(cell: str) -> str:
    """A cell as a screen reader says it: its text, less what is hidden from it."""
    said = re.sub(r'<span aria-hidden="true">.*?</span>', "", cell)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", said))).strip()


def _seen(cell: str) -> str:
    """A cell as the eye reads it: its text, less what only a screen reader hears."""
    shown = re.sub(r'<span class="visually-hidden">.*?</span>', "", cell)
    return html.unescape(re.sub(r"<[^>]+>", "", shown)).strip()


def _picture_title(page: str, pupil: Pupil, title: str) -> str:
    found = re.search(rf"<title>{pupil.first_name}, {re.escape(title)}: ([^<]*)</title>", page)
    assert found is not None
    return html.unescape(found.group(1))


def _heatmap(app: Flask, school: School) -> str:
    return client_for(app, school.teacher).get(f"/assessment/classes/{school.oak.id}").text


def _with_ben(session: Session, school: School) -> Pupil:
    """Ben, 15 as Amira is, whose teacher put lesson 15 on his map (his own map)."""
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Ode")
    session.commit()
    maps.add(session, school.teacher, ben, LESSON_15, all_lessons(session), today=school_today())
    session.commit()
    return ben


def test_a_lesson_on_no_pupils_map_has_no_column_as_on_their_progress_page(
    app: Flask, session: Session
) -> None:
    school = make_school(session)  # Amira, 15, on Oak's map: lesson 15 is not on it
    page = _heatmap(app, school)
    assert TITLE_15 not in _heads(page)
    progress = client_for(app, school.teacher).get(f"/assessment/pupils/{school.pupil.id}").text
    assert TITLE_15 not in progress  # her progress page leaves it out too
    # Lesson 27, for 18 and 19, is said "n/a" as before; the first lesson is a dash.
    assert _seen(_cell(page, school.pupil, AT_18)) == "n/a"
    assert _cell(page, school.pupil, _heads(page)[0]) == '<td class="lvl-none">&ndash;</td>'


def test_a_lesson_off_their_map_reads_off_not_as_not_assessed(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ben = _with_ben(session, school)
    page = _heatmap(app, school)
    assert TITLE_15 in _heads(page)  # on Ben's map
    # Ben has it planned, with nothing recorded: work not assessed yet, a dash.
    assert _cell(page, ben, TITLE_15) == '<td class="lvl-none">&ndash;</td>'
    assert _picture_title(page, ben, TITLE_15) == "not assessed yet"
    # Amira has not: not a dash, but "off", to the eye and the ear, in the table and picture.
    amira = _cell(page, school.pupil, TITLE_15)
    assert "&ndash;" not in amira
    assert _seen(amira) == "off"
    assert _read(amira).startswith(OFF)
    assert "not assessed" not in _read(amira)
    assert _picture_title(page, school.pupil, TITLE_15).startswith(OFF)
    # The key and the marks say what "off" means.
    marks = page.split('aria-label="What the marks mean"', 1)[1].split("</ul>", 1)[0]
    assert "<strong>off</strong> Not on their map" in marks
    colours = page.split('aria-label="Colour key"', 1)[1].split("</ul>", 1)[0]
    assert "off Not on their map" in colours
    # The picture and the table have the same columns.
    picture = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert picture.count('class="hm-head"') == len(_heads(page))


def test_a_level_recorded_off_their_map_still_shows(app: Flask, session: Session) -> None:
    school = make_school(session)  # nobody has lesson 15 on their map
    services.observe(
        session, school.teacher, school.pupil, f"{LESSON_15}.sf",
        services.Entry(level=2, observed_on=school_today() - timedelta(days=3)),
        all_lessons(session), now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    page = _heatmap(app, school)
    assert _cell(page, school.pupil, TITLE_15) == '<td class="lvl-2">2</td>'


PHRASE = "a long passphrase for the export"


def _exported(client: FlaskClient, pupil: Pupil) -> list[list[str]]:
    response = client.post(
        f"/assessment/pupils/{pupil.id}/export", data={"passphrase": PHRASE, "confirm": PHRASE}
    )
    assert response.status_code == 200
    archive = pyzipper.AESZipFile(io.BytesIO(response.data))
    archive.setpassword(PHRASE.encode())
    (name,) = archive.namelist()
    return list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def test_the_export_leaves_maintained_and_misconception_empty_when_not_assessed(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    lessons = all_lessons(session)
    first = next(iter(lessons))
    services.observe(
        session, school.teacher, school.pupil, f"{first.id}.sf",
        services.Entry(level=2, observed_on=school_today() - timedelta(days=3)),
        lessons, now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    rows = _exported(client_for(app, school.teacher), school.pupil)
    header, body = rows[0], rows[1:]
    level, maintained = header.index("current level"), header.index("maintained")
    misconception = header.index("misconception")
    assessed = [r for r in body if r[level] != "Not assessed yet"]
    not_yet = [r for r in body if r[level] == "Not assessed yet"]
    assert len(assessed) == 1
    assert not_yet
    # Assessed: "no" is an answer. Not assessed: no answer yet, so nothing (the report's dash).
    assert assessed[0][maintained] == "no"
    assert assessed[0][misconception] == "no"
    assert {r[maintained] for r in not_yet} == {""}
    assert {r[misconception] for r in not_yet} == {""}


def _summary_row(page: str, title: str) -> str:
    return page.split(f"{title}</th>", 1)[1].split("</tr>", 1)[0]


def test_the_class_summary_counts_a_pupil_without_the_lesson_apart_as_the_heatmap_does(
    app: Flask, session: Session
) -> None:
    """The summary agrees with the heatmap: Ben has lesson 15 planned and not assessed yet;
    Amira has it off her map, so she is not counted as work missing."""
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    summary = f"/assessment/classes/{school.oak.id}/summary"
    assert TITLE_15 not in teacher.get(summary).text  # on nobody's map: no row
    _with_ben(session, school)
    row = _summary_row(teacher.get(summary).text, TITLE_15)
    cells = re.findall(r"<td>(\d+)", row)
    assert cells[6] == "1"  # Ben: not assessed
    assert '1 <span class="hint">(and 1 not on their map)</span>' in row  # Amira
