"""A TA recording pupil after pupil on the class page, mid-lesson: a level or a pupil tapped by
mistake is put right from the message that says it was saved, and she is back at the lesson
as she left it (where and the day kept, what was put right said); each pupil already recorded
that day says so, so the next one is the one that does not."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.assessment.models import Observation
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.factories import make_account, make_pupil
from tests.worry_helpers import School, make_school

LESSON = "stop-block-tell"


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _card(page: str, name: str) -> str:
    """The words of one pupil's box on the class page."""
    for label in re.findall(r'<label class="pick">.*?</label>', page, re.S):
        if name in label:
            return _text(label).strip()
    raise AssertionError(f"no box for {name}")


def _ta(app: Flask, session: Session, school: School) -> FlaskClient:
    ta = make_account(session, Role.TEACHING_ASSISTANT, classes=[school.oak])
    session.commit()
    return client_for(app, ta)


def _record(client: FlaskClient, school: School, pupil_id: int, level: str, **more: str) -> str:
    sent = {"lesson_id": LESSON, "pupil_ids": [str(pupil_id)], "level": level,
            "context": "class", "observed_on": school_today().isoformat()} | more  # fmt: skip
    saved = client.post(f"/assessment/classes/{school.oak.id}/record", data=sent)
    assert saved.status_code == 303, saved.text
    return str(saved.location)


def test_a_level_tapped_by_mistake_is_put_right_from_the_message_and_back_to_the_lesson(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ta = _ta(app, session, school)
    page = ta.get(_record(ta, school, school.pupil.id, "1")).text
    wrong = session.scalars(select(Observation)).one()
    # The message offers to put it right, there and then.
    put_right = f"/assessment/observations/{wrong.id}/correct?back=record#put-right"
    note = page.split('id="saved"', 1)[1].split("<fieldset", 1)[0]
    assert f'href="{put_right}"' in note
    assert "Put right Amira&rsquo;s" in note
    # The correction opens there, the way back to the lesson and to withdraw it instead beside.
    form = ta.get(put_right.split("#")[0]).text
    assert 'id="put-right" tabindex="-1"' in form
    assert '<input type="hidden" name="back" value="record">' in form
    assert "Back to recording" in form
    assert f"/assessment/observations/{wrong.id}/withdraw?back=record" in form
    sent = {"level": "3", "context": "class", "observed_on": school_today().isoformat(),
            "back": "record"}  # fmt: skip
    done = ta.post(f"/assessment/observations/{wrong.id}/correct", data=sent)
    assert done.status_code == 302
    fixed = session.scalars(select(Observation).where(Observation.supersedes_id == wrong.id)).one()
    assert fixed.level == 3
    # Back at the lesson, where kept, the correction said (and it can be put right again).
    assert done.location.startswith(f"/assessment/classes/{school.oak.id}/record?")
    assert f"lesson_id={LESSON}" in done.location
    assert "context=class" in done.location
    assert done.location.endswith(f"recorded={fixed.id}#saved")
    back = ta.get(done.location).text
    assert "Corrected to Secure (independent) for Amira (it was Emerging (full support))." in (
        _text(back)
    )
    assert f"/assessment/observations/{fixed.id}/correct?back=record" in back
    assert f"/assessment/observations/{wrong.id}/correct" not in back  # corrected: not offered
    assert '<option value="class" selected>' in back
    assert _card(back, "Amira").startswith("Amira Khan Recorded today: 3 Secure")


def test_a_pupil_ticked_by_mistake_is_withdrawn_and_back_to_the_lesson(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Taylor")
    session.commit()
    ta = _ta(app, session, school)
    _record(ta, school, ben.id, "2")
    wrong = session.scalars(select(Observation)).one()
    page = ta.get(f"/assessment/observations/{wrong.id}/withdraw?back=record").text
    assert '<input type="hidden" name="back" value="record">' in page
    # A reason left out: refused, still on its way back to the lesson.
    refused = ta.post(f"/assessment/observations/{wrong.id}/withdraw", data={"back": "record"})
    assert refused.status_code == 400
    assert '<input type="hidden" name="back" value="record">' in refused.text
    sent = {"reason": "Ticked Ben instead of Dev", "back": "record"}
    done = ta.post(f"/assessment/observations/{wrong.id}/withdraw", data=sent)
    assert done.status_code == 302
    assert done.location.endswith(f"withdrawn={wrong.id}#saved")
    session.expire_all()
    assert session.get(Observation, wrong.id).withdrawn  # type: ignore[union-attr]
    back = _text(ta.get(done.location).text)
    assert "Withdrawn as recorded in error: Developing (prompted or modelled) for Ben" in back
    assert "Recorded today" not in back  # it no longer counts
    # The address names no one: another class's pupil is not read back on this page.
    other = make_pupil(session, first_name="Zara")
    session.add(
        Observation(
            pupil_id=other.id, lesson_id=LESSON, objective_id=wrong.objective_id,
            pathway=wrong.pathway, level=2, observed_on=school_today(),
            recorded_by_id=wrong.recorded_by_id, recorded_at=wrong.recorded_at,
        )
    )  # fmt: skip
    session.commit()
    theirs = session.scalars(select(Observation).where(Observation.pupil_id == other.id)).one()
    path = f"/assessment/classes/{school.oak.id}/record?lesson_id={LESSON}"
    assert "Zara" not in ta.get(f"{path}&recorded={theirs.id}").text


def test_a_correction_refused_keeps_its_way_back_to_the_lesson(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ta = _ta(app, session, school)
    _record(ta, school, school.pupil.id, "1")
    wrong = session.scalars(select(Observation)).one()
    # A date in the future: refused, the form given back as it was, still going back.
    sent = {"level": "3", "context": "class", "back": "record", "note": "Typed on the iPad",
            "observed_on": (school_today() + timedelta(days=1)).isoformat()}  # fmt: skip
    refused = ta.post(f"/assessment/observations/{wrong.id}/correct", data=sent)
    assert refused.status_code == 400
    assert "is in the future" in refused.text
    assert '<input type="hidden" name="back" value="record">' in refused.text
    assert "Typed on the iPad</textarea>" in refused.text
    done = ta.post(
        f"/assessment/observations/{wrong.id}/correct",
        data=sent | {"observed_on": school_today().isoformat()},
    )
    assert done.location.startswith(f"/assessment/classes/{school.oak.id}/record?")


def test_each_pupil_recorded_that_day_says_so_on_the_class_page(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Taylor")
    chloe = make_pupil(session, school.oak, first_name="Chloe", last_name="Wright")
    session.commit()
    ta = _ta(app, session, school)
    earlier = (school_today() - timedelta(days=3)).isoformat()
    _record(ta, school, school.pupil.id, "2")
    _record(ta, school, school.pupil.id, "3")
    today = school_today().isoformat()
    _record(ta, school, chloe.id, "1", observed_on=earlier, opened_on=today)  # another day
    _record(ta, school, ben.id, "4", lesson_id="passwords")  # another lesson
    page = ta.get(f"/assessment/classes/{school.oak.id}/record?lesson_id={LESSON}").text
    assert _card(page, "Amira").startswith("Amira Khan Recorded today: 2 Developing, 3 Secure ")
    assert "Recorded" not in _card(page, "Ben")
    assert "Recorded" not in _card(page, "Chloe")
    # The page kept at that other day says who was recorded on it.
    kept = ta.get(
        f"/assessment/classes/{school.oak.id}/record?lesson_id={LESSON}&observed_on={earlier}"
    ).text
    day = school_today() - timedelta(days=3)
    assert _card(kept, "Chloe").startswith(f"Chloe Wright Recorded for {day:%d %b}: 1 Emerging ")
    assert "Recorded" not in _card(kept, "Amira")
