"""Correcting the latest observation starts from that observation, not from today's blank form.

Before, the correction form's date was today: a teacher fixing last Tuesday's level saved the
observation as today's, which moved "Last assessed" and could make a lesson "maintained" by the
correction alone; a pre-formal observation's Engagement Model notes were dropped.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.assessment import services
from classroom.assessment.models import Context, Observation, Support
from classroom.db import utcnow
from classroom.pupils.models import Pathway
from tests.app_settings import school_today
from tests.conftest import sign_in
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

SF = "stop-block-tell.sf"
PF = "stop-block-tell.pf"


def _record(
    session: Session, school: School, objective: str, entry: services.Entry
) -> Observation:
    made = services.observe(
        session,
        school.teacher,
        school.pupil,
        objective,
        entry,
        all_lessons(session),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    return made


def _correction_form(client: FlaskClient, pupil_id: int, objective: str) -> str:
    page = client.get(f"/assessment/pupils/{pupil_id}/objectives/{objective}").text
    found = re.search(r"<h2>Correct the latest observation</h2>(.*?)</form>", page, re.S)
    assert found is not None, "no correction form"
    return found.group(1)


def _chosen(form: str, name: str) -> str | None:
    box = re.search(rf'name="{name}">(.*?)</select>', form, re.S)
    assert box is not None
    picked = re.search(r'<option value="([^"]*)" selected>', box.group(1))
    return picked.group(1) if picked else None


def _sent(form: str) -> dict[str, str | list[str]]:
    """What the correction form sends as it stands, unchanged."""
    date_box = re.search(r'name="observed_on" type="date" value="([^"]+)"', form)
    note = re.search(r'name="note"[^>]*>(.*?)</textarea>', form, re.S)
    assert date_box is not None
    assert note is not None
    sent: dict[str, str | list[str]] = {
        "level": _chosen(form, "level") or "",
        "support": _chosen(form, "support") or "",
        "context": _chosen(form, "context") or "",
        "observed_on": date_box.group(1),
        "note": note.group(1),
        "engagement": re.findall(r'name="engagement" type="checkbox" value="(\w+)" checked', form),
    }
    if re.search(r'name="misconception" type="checkbox" value="y" checked', form):
        sent["misconception"] = "y"
    return sent


def test_the_correction_form_holds_the_observation_it_corrects(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    tuesday = school_today() - timedelta(days=9)
    last = _record(
        session,
        school,
        SF,
        services.Entry(
            level=2,
            observed_on=tuesday,
            context=Context.CLASS,
            support=Support.PROMPTED,
            misconception=True,
            note="Said it is fine if they are nice",
        ),
    )
    sign_in(client, school.teacher.username)
    form = _correction_form(client, school.pupil.id, SF)
    sent = _sent(form)
    assert sent["observed_on"] == tuesday.isoformat()  # not today
    assert (sent["level"], sent["support"], sent["context"]) == ("2", "prompted", "class")
    assert sent["misconception"] == "y"
    assert sent["note"] == "Said it is fine if they are nice"

    # Only the level was wrong: the correction keeps the observation's own date.
    sent["level"] = "3"
    response = client.post(f"/assessment/observations/{last.id}/correct", data=sent)
    assert response.status_code in (302, 303)
    fixed = session.scalar(select(Observation).where(Observation.supersedes_id == last.id))
    assert fixed is not None
    assert (fixed.level, fixed.observed_on) == (3, tuesday)
    assert fixed.note == "Said it is fine if they are nice"


def test_a_correction_that_changes_nothing_is_refused(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    last = _record(
        session, school, SF, services.Entry(level=2, observed_on=school_today(), note="Pointed")
    )
    sign_in(client, school.teacher.username)
    sent = _sent(_correction_form(client, school.pupil.id, SF))
    response = client.post(f"/assessment/observations/{last.id}/correct", data=sent)
    assert response.status_code == 400
    assert "Nothing was changed" in response.text
    assert session.scalar(select(Observation).where(Observation.supersedes_id == last.id)) is None


def test_a_pre_formal_correction_keeps_its_engagement_notes(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    school.pupil.pathway = Pathway.PRE_FORMAL
    day: date = school_today() - timedelta(days=3)
    last = _record(
        session,
        school,
        PF,
        services.Entry(level=1, observed_on=day, engagement=["anticipation", "persistence"]),
    )
    sign_in(client, school.teacher.username)
    sent = _sent(_correction_form(client, school.pupil.id, PF))
    assert sent["engagement"] == ["anticipation", "persistence"]
    sent["level"] = "2"
    client.post(f"/assessment/observations/{last.id}/correct", data=sent)
    fixed = session.scalar(select(Observation).where(Observation.supersedes_id == last.id))
    assert fixed is not None
    assert fixed.engagement.split(",") == ["anticipation", "persistence"]
    assert fixed.observed_on == day
