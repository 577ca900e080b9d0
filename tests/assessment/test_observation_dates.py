"""The date an observation is given, on every form that records or corrects one.

A teacher mistyping a year (1900, or next year) is told on the date box what the limit is, the
page comes back with a 400 and its error summary linked to that box, and nothing is saved. No
pupil has a joining date on record (Pupil has none), so the earliest day allowed is the one
already used: two years before today on the school's clock (`services.OLDEST`); the latest is
today. A correction keeps the date of the observation it corrects, however old: correcting the
level of an observation from over two years ago was refused for the date no one had changed.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.assessment.models import Observation
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.pupils.models import Pathway
from tests.conftest import Clock, client_for
from tests.worry_helpers import make_school

SF = "stop-block-tell.sf"
LESSON = SF.rsplit(".", 1)[0]
NOON = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)  # Wednesday 10 March 2027
EARLIEST = date(2025, 3, 10)  # two years (730 days) before 10 March 2027
TOO_OLD = (
    "Date: 01 January 1900 is more than two years ago. Choose a day from 10 March 2025 to today."
)
FUTURE = (
    "Date: 10 March 2028 is in the future (today is 10 March 2027). Choose today or an "
    "earlier day."
)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def _observations(session: Session) -> list[Observation]:
    session.expire_all()
    return list(session.scalars(select(Observation).order_by(Observation.id)))


def _recorded_audits(session: Session) -> int:
    actions = ("observation.recorded", "observation.corrected")
    return len(list(session.scalars(select(AuditEvent.id).where(AuditEvent.action.in_(actions)))))


def test_a_mistyped_year_on_the_pupil_form_names_the_limit_and_saves_nothing(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    url = f"/assessment/pupils/{school.pupil.id}/observations"
    sent = {"objective_id": SF, "level": "3", "context": "lesson"}
    for typed, message in (("1900-01-01", TOO_OLD), ("01/01/1900", TOO_OLD),
                           ("2028-03-10", FUTURE)):  # fmt: skip
        refused = teacher.post(url, data=sent | {"observed_on": typed})
        assert refused.status_code == 400, typed
        page = _text(refused.text)
        assert f'<a href="#again-observed_on">{message}</a>' in page
        assert f'<p class="error" id="again-observed_on-error">{message}</p>' in page
        assert f'value="{typed}"' in refused.text  # the date comes back as typed, to put right
    assert _observations(session) == []
    assert _recorded_audits(session) == 0


def test_the_earliest_day_allowed_is_accepted_and_the_day_before_is_not(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    url = f"/assessment/pupils/{school.pupil.id}/observations"
    sent = {"objective_id": SF, "level": "2", "context": "lesson"}
    before = teacher.post(url, data=sent | {"observed_on": "2025-03-09"})
    assert before.status_code == 400
    assert "Choose a day from 10 March 2025 to today." in _text(before.text)
    assert _observations(session) == []
    assert teacher.post(url, data=sent | {"observed_on": "2025-03-10"}).status_code == 302
    assert teacher.post(url, data=sent | {"observed_on": "10/03/2027"}).status_code == 302
    assert [o.observed_on for o in _observations(session)] == [EARLIEST, date(2027, 3, 10)]


def test_the_class_quick_record_refuses_a_mistyped_year_on_its_date_box(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    url = f"/assessment/classes/{school.oak.id}/record"
    sent = {"lesson_id": LESSON, "pupil_ids": str(school.pupil.id), "context": "lesson",
            "level": "3", "opened_on": "2027-03-10"}  # fmt: skip
    for typed, message in (("1900-01-01", TOO_OLD), ("2028-03-10", FUTURE)):
        refused = teacher.post(url, data=sent | {"observed_on": typed})
        assert refused.status_code == 400, typed
        page = _text(refused.text)
        assert f'<a href="#observed_on">{message}</a>' in page
        assert f'<p class="error" id="observed_on-error">{message}</p>' in page
        assert 'aria-invalid="true" aria-describedby="observed_on-error"' in page
    assert _observations(session) == []
    assert _recorded_audits(session) == 0
    accepted = teacher.post(url, data=sent | {"observed_on": "2025-03-10"})
    assert accepted.status_code == 303
    assert [o.observed_on for o in _observations(session)] == [EARLIEST]


def _stored(session: Session, recorded_by: int, pupil_id: int, day: date) -> Observation:
    row = Observation(
        pupil_id=pupil_id, lesson_id=LESSON, objective_id=SF, pathway=Pathway.SEMI_FORMAL,
        level=2, observed_on=day, recorded_by_id=recorded_by, recorded_at=utcnow(),
    )  # fmt: skip
    session.add(row)
    session.commit()
    return row


def test_a_correction_with_a_mistyped_year_is_refused_on_its_date_box(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    old = _stored(session, school.teacher.id, school.pupil.id, date(2027, 3, 1))
    teacher = client_for(app, school.teacher)
    sent = {"level": "3", "context": "lesson", "observed_on": "1900-01-01"}
    refused = teacher.post(f"/assessment/observations/{old.id}/correct", data=sent)
    assert refused.status_code == 400
    assert f'<a href="#again-observed_on">{TOO_OLD}</a>' in _text(refused.text)
    assert [o.id for o in _observations(session)] == [old.id]
    assert _recorded_audits(session) == 0


def test_correcting_the_level_of_an_observation_over_two_years_old_keeps_its_date(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    day = date(2024, 11, 4)  # recorded then, now more than two years ago
    old = _stored(session, school.teacher.id, school.pupil.id, day)
    teacher = client_for(app, school.teacher)
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    assert 'id="fix-observed_on" name="observed_on" type="date" value="2024-11-04"' in page
    url = f"/assessment/observations/{old.id}/correct"
    sent = {"level": "3", "context": "lesson", "observed_on": "2024-11-04"}
    assert teacher.post(url, data=sent).status_code == 302
    rows = _observations(session)
    assert [(o.level, o.observed_on, o.supersedes_id) for o in rows] == [
        (2, day, None), (3, day, old.id)
    ]
    # Moving it to another day that old is still refused, with the limit named.
    again = teacher.post(f"/assessment/observations/{rows[-1].id}/correct",
                         data=sent | {"observed_on": "2024-11-03"})  # fmt: skip
    assert again.status_code == 400
    assert "Choose a day from 10 March 2025 to today." in _text(again.text)
    assert len(_observations(session)) == 2
