"""The class record page refusing what was sent: every problem at once, each on its own box and
linked to it, with everything typed and ticked kept; and Enter in a box records nothing."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.assessment.models import Observation
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.factories import make_pupil
from tests.worry_helpers import make_school

LESSON = "stop-block-tell"
NO_PUPIL = "Choose at least one pupil."
NO_WHERE = "Choose where it was seen: in a lesson, in class, at home or in the community."


def _summary(page: str) -> str:
    found = re.search(r"<div class=\"alert error error-summary\".*?</div>", page, re.S)
    assert found is not None, "no error summary"
    return found.group(0)


def _observations(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Observation)) or 0


def test_no_pupil_and_no_where_are_said_together_each_on_its_box(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    session.commit()
    teacher = client_for(app, school.teacher)
    url = f"/assessment/classes/{school.oak.id}/record"
    sent = {"lesson_id": LESSON, "observed_on": school_today().isoformat(), "level": "3",
            "opened_on": school_today().isoformat(), "misconception": "y"}  # fmt: skip
    refused = teacher.post(url, data=sent)
    assert refused.status_code == 400
    page = refused.text
    summary = _summary(page)
    # Both, in the page's order, each a link to its box: one submit puts both right.
    assert summary.index(NO_PUPIL) < summary.index(NO_WHERE)
    assert f'<a href="#pupil_ids">{NO_PUPIL}</a>' in summary
    assert f'<a href="#context">{NO_WHERE}</a>' in summary
    # The pupils' problem is on their group, which a screen reader reads with it.
    assert '<fieldset class="has-error" aria-describedby="pupil_ids-error">' in page
    assert f'<p class="error" id="pupil_ids-error">{NO_PUPIL}</p>' in page
    assert f'id="pupil_ids" name="pupil_ids" value="{school.pupil.id}"' in page
    assert 'id="context" name="context" required aria-invalid="true"' in page
    # The date typed is kept.
    assert f'value="{school_today().isoformat()}"' in page
    assert _observations(session) == 0


def test_a_pupil_ticked_is_kept_when_only_the_where_is_missing(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Taylor")
    session.commit()
    teacher = client_for(app, school.teacher)
    url = f"/assessment/classes/{school.oak.id}/record"
    sent = {"lesson_id": LESSON, "observed_on": school_today().isoformat(), "level": "2",
            "opened_on": school_today().isoformat(), "pupil_ids": [str(ben.id)]}  # fmt: skip
    page = teacher.post(url, data=sent).text
    assert NO_PUPIL not in page
    assert f'name="pupil_ids" value="{ben.id}" checked>' in page
    assert NO_WHERE in _summary(page)


def test_enter_in_a_box_records_no_level_unchosen(app: Flask, session: Session) -> None:
    """Enter (Go on the iPad keyboard) sends the form with its default button: that must not be
    the "0 Not yet" button, recording a level nobody tapped for every pupil ticked."""
    school = make_school(session)
    session.commit()
    teacher = client_for(app, school.teacher)
    url = f"/assessment/classes/{school.oak.id}/record"
    page = teacher.get(url, query_string={"lesson_id": LESSON}).text
    form = page[page.index('<form method="post" class="fast-record"'):]
    first = re.search(r"<button[^>]*>", form)
    assert first is not None
    assert 'name="level" value=""' in first.group(0)  # the default button sends no level
    # What it sends is refused, with what to do, and everything kept.
    sent = {"lesson_id": LESSON, "observed_on": school_today().isoformat(), "level": "",
            "opened_on": school_today().isoformat(), "pupil_ids": [str(school.pupil.id)],
            "context": "class"}  # fmt: skip
    refused = teacher.post(url, data=sent)
    assert refused.status_code == 400
    assert '<a href="#level">Level: tap a level' in _summary(refused.text)
    assert '<fieldset class="has-error" aria-describedby="level-error">' in refused.text
    assert f'name="pupil_ids" value="{school.pupil.id}" checked>' in refused.text
    assert _observations(session) == 0
