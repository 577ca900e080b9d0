"""Loose ends a walk through recording found: a lesson for older pupils recorded for a younger
one, a bad "support" blamed on the level, hidden lessons not marked on the progress page, the
spreadsheet's count of observations not saying what it counts, and a form sent after the
pupil's pathway changed refused again and again."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime

import pytest
import pyzipper
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.assessment import services
from classroom.assessment.models import Level, Observation, Support
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.lessons import maps
from classroom.pupils.models import Pathway, Pupil
from tests.app_settings import school_today
from tests.conftest import Clock, client_for
from tests.factories import make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

FOR_14_TO_19 = "pressure-secrets-pictures"
NOON = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
PHRASE = "a long enough passphrase"


def _ages(session: Session, clock: Clock) -> tuple[School, Pupil]:
    """Amira is 15; Ben is 13 until tomorrow."""
    clock.set(NOON)
    school = make_school(session)
    school.pupil.date_of_birth = date(2012, 1, 1)
    ben = make_pupil(session, school.oak, first_name="Ben", date_of_birth=date(2013, 3, 11))
    session.commit()
    return school, ben


def _observations(session: Session) -> list[Observation]:
    session.expire_all()
    return list(session.scalars(select(Observation).order_by(Observation.id)))


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def _row(page: str, words: str) -> str:
    """The first table row of a page holding these words."""
    return next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S) if words in r)


def test_the_class_page_does_not_offer_a_lesson_for_14_to_19_for_a_pupil_of_13(
    app: Flask, session: Session, clock: Clock
) -> None:
    school, ben = _ages(session, clock)
    teacher = client_for(app, school.teacher)
    url = f"/assessment/classes/{school.oak.id}/record"
    page = teacher.get(f"{url}?lesson_id={FOR_14_TO_19}").data.decode()
    assert f'name="pupil_ids" value="{school.pupil.id}"' in page
    assert f'name="pupil_ids" value="{ben.id}"' not in page
    assert "Not offered: this lesson is for pupils aged 14 to 19." in page

    # A form sent anyway (an old page, or tampered) records for no one, and says why.
    both = {"lesson_id": FOR_14_TO_19, "pupil_ids": [str(school.pupil.id), str(ben.id)],
            "level": "2", "context": "lesson", "observed_on": "2027-03-10"}  # fmt: skip
    refused = teacher.post(url, data=both)
    assert refused.status_code == 400
    assert (
        "\u201cMy body, my choice\u201d is for pupils aged 14 to 19; Ben was 13 on 10 March 2027"
        in _text(refused.data.decode())
    )
    assert _observations(session) == []
    assert teacher.post(url, data=both | {"pupil_ids": [str(school.pupil.id)]}).status_code == 303
    assert [o.pupil_id for o in _observations(session)] == [school.pupil.id]


def test_no_path_records_a_lesson_for_14_to_19_for_a_pupil_of_13(
    app: Flask, session: Session, clock: Clock
) -> None:
    school, ben = _ages(session, clock)
    lessons = all_lessons(session)
    entry = services.Entry(level=Level.SECURE, observed_on=school_today())
    when = {"now": utcnow(), "today": school_today()}
    objective = f"{FOR_14_TO_19}.sf"
    with pytest.raises(Invalid, match="is for pupils aged 14 to 19; Ben was 13"):
        services.observe(session, school.teacher, ben, objective, entry, lessons, **when)
    session.rollback()

    teacher = client_for(app, school.teacher)
    page = teacher.get(f"/assessment/pupils/{ben.id}/objectives/{objective}").data.decode()
    assert "Record an observation" not in page
    assert "This lesson is for pupils aged 14 to 19, and Ben is 13" in _text(page)
    sent = teacher.post(
        f"/assessment/pupils/{ben.id}/observations",
        data={"objective_id": objective, "level": "3", "context": "lesson"},
    )
    assert sent.status_code == 400
    refusal = _text(sent.data.decode())
    assert "is for pupils aged 14 to 19; Ben was 13 on 10 March 2027" in refusal
    assert "Your observation, as you left it" not in refusal  # nothing to put right
    assert _observations(session) == []
    # Amira, 15, is recorded on it as on any other lesson.
    services.observe(session, school.teacher, school.pupil, objective, entry, lessons, **when)


def test_a_tampered_support_is_named_on_the_support_box_not_the_level(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    url = f"/assessment/pupils/{school.pupil.id}/observations"
    sent = {"objective_id": "stop-block-tell.sf", "level": "2", "context": "lesson"}
    refused = teacher.post(url, data=sent | {"support": "a lot"})
    assert refused.status_code == 400
    page = _text(refused.data.decode())
    assert "a real date" not in page
    assert (
        '<a href="#again-support">Support used: choose one from the list (Full physical '
        'support, Prompted, Modelled, Independent), or "Not recorded".</a>'
    ) in page
    assert 'aria-invalid="true" aria-describedby="again-support-error"' in page
    assert _observations(session) == []
    # None chosen is "Not recorded": the box is optional.
    assert teacher.post(url, data=sent).status_code == 302
    assert teacher.post(url, data=sent | {"support": "prompted"}).status_code == 302
    assert [o.support for o in _observations(session)] == [None, Support.PROMPTED]


def test_the_progress_page_and_summary_say_which_lessons_are_hidden_from_the_map(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    maps.set_hidden(
        session, school.teacher, school.pupil, "stop-block-tell", True, all_lessons(session)
    )
    session.commit()
    teacher = client_for(app, school.teacher)
    progress = teacher.get(f"/assessment/pupils/{school.pupil.id}").data.decode()
    assert "(hidden from the map)" in _row(progress, "Stop, block, tell")
    assert "(hidden from the map)" not in _row(progress, "Kind and unkind")
    summary = teacher.get(f"/assessment/pupils/{school.pupil.id}/report").data.decode()
    assert "(hidden from the map)" in _row(summary, "Stop, block, tell")


def test_the_spreadsheet_heading_says_it_counts_observations_in_force(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    lessons, when = all_lessons(session), {"now": utcnow(), "today": school_today()}
    first = services.observe(
        session, school.teacher, school.pupil, "stop-block-tell.sf",
        services.Entry(level=Level.EMERGING, observed_on=school_today()), lessons, **when,
    )  # fmt: skip
    services.correct(
        session, school.teacher, first,
        services.Entry(level=Level.DEVELOPING, observed_on=school_today()), lessons, **when,
    )  # fmt: skip
    session.commit()
    teacher = client_for(app, school.teacher)
    response = teacher.post(
        f"/assessment/pupils/{school.pupil.id}/export",
        data={"passphrase": PHRASE, "confirm": PHRASE},
    )
    with pyzipper.AESZipFile(io.BytesIO(response.data)) as archive:
        archive.setpassword(PHRASE.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next(r for r in rows if r["objective"] and r["current level"] != "Not assessed yet")
    # Two on record, one of them corrected: the one in force is counted, and the heading says so.
    assert row["observations in force (corrected ones not counted)"] == "1"


def test_a_form_sent_after_the_pathway_changed_comes_back_on_the_objective_taught_now(
    app: Flask, session: Session
) -> None:
    school = make_school(session)  # Amira: semi-formal
    teacher = client_for(app, school.teacher)
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}/objectives/stop-block-tell.sf")
    assert 'name="objective_id" value="stop-block-tell.sf"' in page.data.decode()
    # Meanwhile, another member of staff moves the lesson to formal for her.
    maps.set_pathway(
        session, school.teacher, school.pupil, "stop-block-tell", Pathway.FORMAL,
        all_lessons(session),
    )  # fmt: skip
    session.commit()

    url = f"/assessment/pupils/{school.pupil.id}/observations"
    typed = {"level": "3", "context": "class", "support": "prompted", "note": "Showed the card"}
    refused = teacher.post(url, data=typed | {"objective_id": "stop-block-tell.sf"})
    assert refused.status_code == 400
    again = _text(refused.data.decode())
    assert "pathway for 'Stop, block, tell' changed while this form was open." in again
    assert "The form below now records against the objective Amira is taught now (formal)" in again
    assert 'name="objective_id" value="stop-block-tell.f"' in again
    assert 'value="stop-block-tell.sf"' not in again
    assert "Showed the card</textarea>" in again  # what was typed is kept
    assert '<option value="prompted" selected>' in again
    assert '<option value="class" selected>' in again

    assert teacher.post(url, data=typed | {"objective_id": "stop-block-tell.f"}).status_code == 302
    assert [o.objective_id for o in _observations(session)] == ["stop-block-tell.f"]
