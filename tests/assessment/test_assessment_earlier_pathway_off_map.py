"""A lesson taken off a pupil's map and assessed only on an earlier pathway shows as one row:
what was recorded, marked as the earlier pathway's and as no longer on the map. No empty row
"Not assessed on this pathway yet" for a pathway it is no longer taught on sits above it, on
the progress page, the printed summary or the spreadsheet.

Amira was recorded Secure on stop-block-tell while semi-formal, moved to formal, and the lesson
was taken off her class's map: her progress page showed the lesson twice, once empty."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pyzipper
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.assessment import services
from classroom.assessment.models import Level
from classroom.db import utcnow
from classroom.lessons.content import ChooseStep
from classroom.lessons.content import Pathway as ContentPathway
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school, pupil_on_ipad

LESSON = "stop-block-tell"
SETTINGS = {
    "tile_symbol": "1F98A",
    "symbol_size": "large",
    "speech_rate": "150",
    "scanning": "off",
    "scan_interval_ms": "1500",
}
PHRASE = "a long enough passphrase"


def _moved_to_formal(app: Flask, session: Session) -> tuple[School, FlaskClient]:
    """Amira (semi-formal) recorded Secure on the lesson, then moved to formal."""
    school = make_school(session)
    services.observe(
        session, school.teacher, school.pupil, f"{LESSON}.sf",
        services.Entry(level=Level.SECURE, observed_on=school_today() - timedelta(days=3)),
        all_lessons(session), now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    teacher = client_for(app, school.teacher)
    moved = teacher.post(
        f"/pupils/{school.pupil.id}/settings", data={**SETTINGS, "pathway": "formal"}
    )
    assert moved.status_code == 302
    return school, teacher


def _take_off_the_map(teacher: FlaskClient, school: School) -> None:
    off = teacher.post(f"/classes/{school.oak.id}/lessons", data={"lesson_id": LESSON, "on": "0"})
    assert off.status_code == 302
    # Her lesson map offers it to add again: it is off.
    assert f'<option value="{LESSON}">' in teacher.get(f"/pupils/{school.pupil.id}/lessons").text


def _rows(page: str, title: str) -> list[str]:
    """The table rows of a page that name the lesson."""
    body = page.split("<tbody>", 1)[1]
    return [row for row in re.findall(r"<tr[^>]*>.*?</tr>", body, re.S) if title in row]


def test_the_progress_page_shows_one_row_with_the_earlier_evidence(
    app: Flask, session: Session
) -> None:
    school, teacher = _moved_to_formal(app, session)
    _take_off_the_map(teacher, school)
    lesson = all_lessons(session).get(LESSON)
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}").text
    rows = _rows(page, lesson.title.text)
    assert len(rows) == 1
    (row,) = rows
    assert row.startswith('<tr class="earlier-row">')
    assert (
        f"{lesson.number}. {lesson.title.text} <strong>(earlier pathway)</strong> "
        '<span class="hint">(not on the map now)</span>'
    ) in row
    assert f'href="/assessment/pupils/{school.pupil.id}/objectives/{LESSON}.sf"' in row
    assert "(semi-formal, the pathway it was taught on before)" in row
    assert "<td>Secure (independent)</td>" in row
    # No row, link or form for the formal objective it is no longer taught on.
    assert "Not assessed on this pathway yet" not in page
    assert f"/objectives/{LESSON}.f" not in page
    # The picture of the map still shows the level, in brackets.
    assert ">(3)</text>" in page


def test_the_printed_summary_and_the_spreadsheet_have_one_row_for_it_too(
    app: Flask, session: Session
) -> None:
    school, teacher = _moved_to_formal(app, session)
    _take_off_the_map(teacher, school)
    lesson = all_lessons(session).get(LESSON)
    report = teacher.get(f"/assessment/pupils/{school.pupil.id}/report").text
    rows = _rows(report, lesson.title.text)
    assert len(rows) == 1
    assert "<strong>(earlier pathway)</strong> (not on the map now)" in rows[0]
    assert "Secure (independent)" in rows[0]
    assert "Not assessed on this pathway yet" not in report

    response = teacher.post(
        f"/assessment/pupils/{school.pupil.id}/export",
        data={"passphrase": PHRASE, "confirm": PHRASE},
    )
    with pyzipper.AESZipFile(io.BytesIO(response.data)) as archive:
        archive.setpassword(PHRASE.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    sheet = [r for r in csv.DictReader(io.StringIO(text)) if r["lesson"] == lesson.title.text]
    assert [(r["pathway"], r["current level"], r["earlier pathway"]) for r in sheet] == [
        ("semi_formal", "Secure (independent)", "yes")
    ]


def test_answers_on_the_pathway_it_was_last_taught_on_keep_its_row_to_confirm(
    app: Flask, session: Session
) -> None:
    """Answered on formal before it came off the map, and not yet recorded: that row is not
    empty, it holds the answers to confirm, so it stays above the earlier evidence."""
    school, teacher = _moved_to_formal(app, session)
    version = app.extensions["lessons"].get(LESSON).version(ContentPathway.FORMAL)
    ipad = pupil_on_ipad(app, school)
    url = ipad.post(f"/pupil/lessons/{LESSON}/start").location
    n, step = next((n, s) for n, s in enumerate(version.steps, 1) if isinstance(s, ChooseStep))
    right = next(i for i, option in enumerate(step.options, 1) if option.correct)
    answer = {"answer": f"o{right}", "tries": "1", "key": "k"}
    answered = ipad.post(url.replace("/steps/1", f"/steps/{n}"), data=answer)
    assert answered.status_code < 400
    _take_off_the_map(teacher, school)
    lesson = all_lessons(session).get(LESSON)
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}").text
    first, earlier = _rows(page, lesson.title.text)
    assert "Not assessed on this pathway yet" in first
    assert "The answers suggest" in first
    assert '<span class="hint">(not on the map now)</span>' in first
    assert earlier.startswith('<tr class="earlier-row">')
