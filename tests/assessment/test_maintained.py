"""'Maintained' is about the pupil now (PRODUCT.md section 3): secure in at least 3 sessions over
at least 2 weeks, counted from the last time they fell back. A pupil who has lost a safety skill
is never shown as having maintained it: not on the report, the pupil's page, the class heatmap
or the spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pyzipper
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.assessment import derive, services
from classroom.assessment.models import Level, Observation
from classroom.db import utcnow
from tests.app_settings import school_today
from tests.conftest import sign_in
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

SF = "stop-block-tell.sf"
START = date(2026, 9, 7)  # a Monday
PHRASE = "a long enough passphrase"


def _obs(level: int, days: int, oid: int, *, misconception: bool = False) -> Observation:
    return Observation(
        id=oid,
        pupil_id=1,
        objective_id=SF,
        level=level,
        observed_on=START + timedelta(days=days),
        supersedes_id=None,
        misconception=misconception,
    )


def _maintained(*rows: Observation) -> bool:
    return derive.maintained(derive.in_force(rows))


SECURE_FOR_TWO_WEEKS = (_obs(3, 0, 1), _obs(3, 7, 2), _obs(3, 14, 3))


def test_secure_three_sessions_over_exactly_two_weeks_is_maintained() -> None:
    assert _maintained(*SECURE_FOR_TWO_WEEKS)
    # A day short of two weeks (Monday to the second Sunday after) is not yet.
    assert not _maintained(_obs(3, 0, 1), _obs(3, 7, 2), _obs(3, 13, 3))
    # Two observations on one day are one session.
    assert not _maintained(_obs(3, 0, 1), _obs(3, 14, 2), _obs(4, 14, 3))


def test_falling_back_to_emerging_is_no_longer_maintained() -> None:
    fell_back = _obs(1, 21, 4, misconception=True)
    assert not _maintained(*SECURE_FOR_TWO_WEEKS, fell_back)
    # The secure sessions before the fall back do not count towards the new run.
    assert not _maintained(*SECURE_FOR_TWO_WEEKS, fell_back, _obs(3, 28, 5), _obs(3, 35, 6))


def test_secure_again_for_three_sessions_over_two_weeks_is_maintained_again() -> None:
    again = (_obs(3, 28, 5), _obs(3, 35, 6), _obs(3, 41, 7))
    assert not _maintained(*SECURE_FOR_TWO_WEEKS, _obs(1, 21, 4), *again)  # 13 days
    assert _maintained(*SECURE_FOR_TWO_WEEKS, _obs(1, 21, 4), *again, _obs(4, 42, 8))  # 14 days


def test_any_level_below_secure_is_falling_back() -> None:
    for level in (Level.NOT_YET, Level.EMERGING, Level.DEVELOPING):
        assert not _maintained(*SECURE_FOR_TWO_WEEKS, _obs(level, 15, 4))
    assert _maintained(*SECURE_FOR_TWO_WEEKS, _obs(Level.GENERALISED, 15, 4))


def test_a_misconception_is_falling_back_even_at_secure() -> None:
    """Doing the step alone while believing something unsafe is not a secure safety skill."""
    assert not _maintained(*SECURE_FOR_TWO_WEEKS, _obs(3, 15, 4, misconception=True))
    assert not derive.falls_short(_obs(4, 0, 1))
    assert derive.falls_short(_obs(4, 0, 1, misconception=True))


def test_a_day_with_a_lower_observation_is_not_a_secure_session() -> None:
    """The order two observations of one day were typed in says nothing of which came first."""
    same_day = _obs(3, 14, 4)
    lower_first = (_obs(3, 0, 1), _obs(3, 7, 2), _obs(2, 14, 3), same_day)
    assert not _maintained(*lower_first)
    assert not _maintained(*SECURE_FOR_TWO_WEEKS, _obs(2, 14, 4))


def test_correcting_the_fall_back_away_restores_maintained() -> None:
    """A correction replaces a mistyped observation; the one it replaces no longer counts."""
    mistyped = _obs(1, 15, 4)
    corrected = Observation(
        id=5, pupil_id=1, objective_id=SF, level=3, observed_on=mistyped.observed_on,
        supersedes_id=4, misconception=False,
    )  # fmt: skip
    assert not _maintained(*SECURE_FOR_TWO_WEEKS, mistyped)
    assert _maintained(*SECURE_FOR_TWO_WEEKS, mistyped, corrected)
    state = derive.states([*SECURE_FOR_TWO_WEEKS, mistyped, corrected], START, 6)[(1, SF)]
    assert state.maintained
    assert state.current == Level.SECURE


# --- What a teacher sees -------------------------------------------------------------------


def _observe(session: Session, school: School, level: int, ago: int, **extra: bool) -> None:
    services.observe(
        session,
        school.teacher,
        school.pupil,
        SF,
        services.Entry(level=level, observed_on=school_today() - timedelta(days=ago), **extra),
        all_lessons(session),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()


def _seen(client: FlaskClient, school: School) -> dict[str, object]:
    """What the report, the pupil's page, the heatmap and the spreadsheet say of the objective."""
    pupil_url = f"/assessment/pupils/{school.pupil.id}"
    report = client.get(f"{pupil_url}/report").data.decode()
    page = client.get(pupil_url).data.decode()
    heatmap = client.get(f"/assessment/classes/{school.oak.id}").data.decode()
    response = client.post(f"{pupil_url}/export", data={"passphrase": PHRASE, "confirm": PHRASE})
    with pyzipper.AESZipFile(io.BytesIO(response.data)) as archive:
        archive.setpassword(PHRASE.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text))
    row = next(r for r in rows if r[header.index("current level")] != "Not assessed yet")
    cells = [
        c for c in heatmap.split("<td") if c.startswith(' class="lvl-') and "lvl-none" not in c
    ]
    assert len(cells) == 1  # the one objective observed
    return {
        "report": "<td>Yes</td>" in report,
        "page": "<td>Yes</td>" in page,
        "heatmap": cells[0].split(">", 1)[1].split("<", 1)[0],
        "spreadsheet": (row[header.index("current level")], row[header.index("maintained")]),
    }


def test_a_teacher_sees_maintained_lost_and_won_back(client: FlaskClient, session: Session) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    for ago in (41, 34, 27):  # three Mondays: exactly two weeks from first to last
        _observe(session, school, Level.SECURE, ago)
    assert _seen(client, school) == {
        "report": True,
        "page": True,
        "heatmap": "3*",
        "spreadsheet": ("Secure (independent)", "yes"),
    }

    _observe(session, school, Level.EMERGING, 20, misconception=True)  # she would meet alone
    assert _seen(client, school) == {
        "report": False,
        "page": False,
        "heatmap": "1M",  # the misconception shows on the class's overview too
        "spreadsheet": ("Emerging (full support)", "no"),
    }

    for ago in (14, 7, 1):  # secure again three times, but over thirteen days
        _observe(session, school, Level.SECURE, ago)
    assert _seen(client, school)["heatmap"] == "3"
    _observe(session, school, Level.SECURE, 0)  # fourteen days
    assert _seen(client, school) == {
        "report": True,
        "page": True,
        "heatmap": "3*",
        "spreadsheet": ("Secure (independent)", "yes"),
    }
