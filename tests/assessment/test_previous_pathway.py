"""Changing a pupil's pathway (Change settings) or one lesson's (the lesson map) hides nothing
already recorded: the progress page, the printed summary, the spreadsheet, the class heatmap
and the class summary all still show the earlier evidence, marked as the earlier pathway's.

An auditor recorded Secure on three semi-formal objectives, set the pupil to formal, and every
one of them read "Not assessed yet" with nothing linking to the observations."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pyzipper
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.assessment import services
from classroom.assessment.models import Level
from classroom.db import utcnow
from tests.app_settings import school_today
from tests.conftest import sign_in
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

LESSONS = ("stop-block-tell", "kind-and-unkind", "trusted-adults")
SETTINGS = {
    "tile_symbol": "1F98A",
    "symbol_size": "large",
    "speech_rate": "150",
    "scanning": "off",
    "scan_interval_ms": "1500",
}
PHRASE = "a long enough passphrase"


def _observe(session: Session, school: School, objective: str, level: int, ago: int = 3) -> None:
    services.observe(
        session, school.teacher, school.pupil, objective,
        services.Entry(level=level, observed_on=school_today() - timedelta(days=ago)),
        all_lessons(session), now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()


def _secure_on_semi_formal_then_formal(client: FlaskClient, session: Session) -> School:
    """The auditor's steps: Secure on three semi-formal objectives, then Change settings."""
    school = make_school(session)  # Amira: semi-formal
    for lesson_id in LESSONS:
        _observe(session, school, f"{lesson_id}.sf", Level.SECURE)
    sign_in(client, school.teacher.username)
    changed = client.post(
        f"/pupils/{school.pupil.id}/settings", data={**SETTINGS, "pathway": "formal"}
    )
    assert changed.status_code == 302
    session.expire_all()
    assert school.pupil.pathway.value == "formal"
    return school


def _spreadsheet(client: FlaskClient, school: School) -> list[dict[str, str]]:
    response = client.post(
        f"/assessment/pupils/{school.pupil.id}/export",
        data={"passphrase": PHRASE, "confirm": PHRASE},
    )
    with pyzipper.AESZipFile(io.BytesIO(response.data)) as archive:
        archive.setpassword(PHRASE.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _heatmap_cells(client: FlaskClient, school: School) -> list[str]:
    """The pupil's cells in the heatmap's table, as the page gives them."""
    page = client.get(f"/assessment/classes/{school.oak.id}").text
    table = page.split('<table class="heatmap-table">', 1)[1]
    row = table.split(f"/assessment/pupils/{school.pupil.id}", 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td[^>]*>.*?</td>", row)


def test_the_progress_page_still_shows_what_was_recorded_on_the_earlier_pathway(
    client: FlaskClient, session: Session
) -> None:
    school = _secure_on_semi_formal_then_formal(client, session)
    page = client.get(f"/assessment/pupils/{school.pupil.id}").text
    lessons = all_lessons(session)
    for lesson_id in LESSONS:
        lesson = lessons.get(lesson_id)
        earlier = f"/assessment/pupils/{school.pupil.id}/objectives/{lesson_id}.sf"
        assert f'href="{earlier}"' in page, lesson_id  # a link to the old observations
        row = page.split(f'href="{earlier}"', 1)[0].rsplit("<tr", 1)[1]
        assert f"{lesson.number}. {lesson.title.text} <strong>(earlier pathway)</strong>" in row
        after = page.split(f'href="{earlier}"', 1)[1].split("</tr>", 1)[0]
        assert "(semi-formal, the pathway it was taught on before)" in after
        assert "<td>Secure (independent)</td>" in after
        # Its row on the pathway now planned says nothing is recorded there yet.
        current = f"/assessment/pupils/{school.pupil.id}/objectives/{lesson_id}.f"
        now_row = page.split(f'href="{current}"', 1)[1].split("</tr>", 1)[0]
        assert "Not assessed on this pathway yet" in now_row
    assert page.count("(earlier pathway)") == 3
    # The picture of the map shows the level, in brackets as the key says.
    assert page.count(">(3)</text>") == 3
    assert "A level in brackets is from an earlier pathway" in page


def test_the_printed_summary_and_the_spreadsheet_show_the_earlier_evidence_alike(
    client: FlaskClient, session: Session
) -> None:
    school = _secure_on_semi_formal_then_formal(client, session)
    lessons = all_lessons(session)
    report = client.get(f"/assessment/pupils/{school.pupil.id}/report").text
    assert report.count("<strong>(earlier pathway)</strong>") == 3
    assert 'A row marked "earlier pathway" shows what was recorded' in report
    for lesson_id in LESSONS:
        objective = lessons.objective(f"{lesson_id}.sf")[1].objective.text
        row = report.split(f"<td>{objective} (semi-formal)</td>", 1)[1].split("</tr>", 1)[0]
        assert row.startswith("<td>Secure (independent)</td>")

    rows = _spreadsheet(client, school)
    earlier = [r for r in rows if r["earlier pathway"] == "yes"]
    assert sorted(r["objective"] for r in earlier) == sorted(
        lessons.objective(f"{i}.sf")[1].objective.text for i in LESSONS
    )
    assert {(r["pathway"], r["current level"]) for r in earlier} == {
        ("semi_formal", "Secure (independent)")
    }
    # One row per row of the printed summary, in the same order of lessons.
    assert len(rows) == report.count("<tr><td>") + report.count('<tr class="earlier-row"><td>')
    now = [r for r in rows if r["earlier pathway"] == "no"]
    assert all(r["pathway"] == "formal" for r in now)


def test_the_heatmap_shows_the_earlier_level_in_brackets_until_the_new_pathway_is_assessed(
    client: FlaskClient, session: Session
) -> None:
    school = _secure_on_semi_formal_then_formal(client, session)
    cells = _heatmap_cells(client, school)
    earlier = [c for c in cells if "earlier-cell" in c]
    assert len(earlier) == 3
    assert all(
        c == '<td class="lvl-3 earlier-cell">(3)'
        '<span class="visually-hidden">, from an earlier pathway</span></td>'
        for c in earlier
    )
    page = client.get(f"/assessment/classes/{school.oak.id}").text
    assert "<strong>(3)</strong> a level in brackets: nothing recorded yet on the pathway" in page
    assert page.count("from an earlier pathway</title>") == 3  # the picture's words

    # Assessed on the formal pathway now: its own level shows, without brackets.
    _observe(session, school, "stop-block-tell.f", Level.DEVELOPING, ago=0)
    cells = _heatmap_cells(client, school)
    assert len([c for c in cells if "earlier-cell" in c]) == 2
    assert '<td class="lvl-2">2</td>' in cells
    # ...and the progress page still links to the semi-formal observations.
    page = client.get(f"/assessment/pupils/{school.pupil.id}").text
    assert "/objectives/stop-block-tell.sf" in page


def test_one_lesson_moved_to_another_pathway_on_the_map_keeps_its_evidence(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    _observe(session, school, "stop-block-tell.sf", Level.GENERALISED)
    sign_in(client, school.teacher.username)
    moved = client.post(
        f"/pupils/{school.pupil.id}/lessons/stop-block-tell/pathway", data={"pathway": "formal"}
    )
    assert moved.status_code == 302
    page = client.get(f"/assessment/pupils/{school.pupil.id}").text
    assert page.count("(earlier pathway)") == 1
    assert f"/assessment/pupils/{school.pupil.id}/objectives/stop-block-tell.sf" in page
    assert "Generalised" in page
    assert '<td class="lvl-4 earlier-cell">(4)' in "".join(_heatmap_cells(client, school))
    # The class summary counts her apart: no level yet on the pathway now planned.
    lesson = all_lessons(session).get("stop-block-tell")
    summary = client.get(f"/assessment/classes/{school.oak.id}/summary").text
    heads = re.findall(r'<th scope="col">([^<]*)</th>', summary)
    assert heads[1:] == [
        "0", "1", "2", "3", "4", "Earlier pathway only", "Not assessed yet",
        "Misconception on record",
    ]  # fmt: skip
    row = summary.split(f"{lesson.number}. {lesson.title.text}</th>", 1)[1].split("</tr>", 1)[0]
    assert re.findall(r"<td>(\d+)", row) == ["0", "0", "0", "0", "0", "1", "0", "0"]


def test_the_earlier_objective_s_page_shows_its_observations_and_offers_no_form(
    client: FlaskClient, session: Session
) -> None:
    """Recording against an objective the pupil is no longer taught is refused, so the page
    for it offers no form that would be."""
    school = _secure_on_semi_formal_then_formal(client, session)
    earlier = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/stop-block-tell.sf")
    assert earlier.status_code == 200
    assert "Secure (independent)" in earlier.text
    assert "Record an observation" not in earlier.text
    now = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/stop-block-tell.f")
    assert "Record an observation" in now.text
