"""A teacher preparing a pupil's annual review and a parents' evening (PRODUCT.md section 3).

Found walking it:
- a pre-formal pupil's printed summary left out the Engagement Model notes the observation
  pages show (and so did the spreadsheet);
- an objective's page showed the history but not the level it adds up to, nor "maintained";
- two observations of one day: "current" was whichever was typed last, so the same two
  observations typed in the other order gave another level on the report and heatmap;
- printed on A4, pages after the first did not say whose summary they were.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pyzipper
from flask import Flask
from sqlalchemy.orm import Session

from classroom.assessment import derive, services
from classroom.assessment.models import Level, Observation
from classroom.db import utcnow
from classroom.pupils.models import Pathway
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

SF = "stop-and-finish.sf"
PF = "feelings-online.pf"
PHRASE = "a long enough passphrase"


def _observe(
    session: Session,
    school: School,
    objective_id: str,
    level: int,
    ago: int,
    *,
    misconception: bool = False,
    engagement: tuple[str, ...] = (),
) -> Observation:
    day = school_today() - timedelta(days=ago)
    row = services.observe(
        session,
        school.teacher,
        school.pupil,
        objective_id,
        services.Entry(
            level=level, observed_on=day, misconception=misconception, engagement=list(engagement)
        ),
        all_lessons(session),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    return row


# --- "Current" within one day ----------------------------------------------------------------


def _obs(oid: int, level: int, day: date) -> Observation:
    return Observation(
        id=oid, pupil_id=1, objective_id=SF, level=level, observed_on=day, supersedes_id=None,
        misconception=False,
    )  # fmt: skip


def test_two_observations_of_one_day_give_the_same_current_level_in_either_order() -> None:
    day = date(2026, 12, 1)
    earlier = _obs(1, Level.SECURE, date(2026, 11, 17))
    secure_typed_last = [earlier, _obs(2, Level.DEVELOPING, day), _obs(3, Level.SECURE, day)]
    secure_typed_first = [earlier, _obs(2, Level.SECURE, day), _obs(3, Level.DEVELOPING, day)]
    found = [
        derive.states(rows, day, 6)[(1, SF)].current
        for rows in (secure_typed_last, secure_typed_first)
    ]
    assert found == [Level.DEVELOPING, Level.DEVELOPING]  # the session's lowest
    # A later day on its own is the current level again.
    later = [*secure_typed_last, _obs(4, Level.SECURE, date(2026, 12, 3))]
    assert derive.states(later, day, 6)[(1, SF)].current == Level.SECURE


def test_the_report_and_objective_page_agree_whatever_order_one_day_was_typed_in(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    _observe(session, school, SF, Level.SECURE, 20)
    _observe(session, school, SF, Level.DEVELOPING, 5)
    _observe(session, school, SF, Level.SECURE, 5)  # typed last, same day
    client = client_for(app, school.teacher)
    base = f"/assessment/pupils/{school.pupil.id}"
    report = client.get(f"{base}/report").text
    row = report.split("Stop and finish", 1)[1].split("</tr>", 1)[0]
    assert "Developing" in row
    assert "Secure" not in row
    page = client.get(f"{base}/objectives/{SF}").text
    assert "<strong>Current level:</strong> Developing (prompted or modelled)" in page
    assert "The 2 observations of" in page
    assert "are one session" in page


# --- An objective's page says where the pupil is ---------------------------------------------


def test_an_objectives_page_says_the_current_level_and_whether_it_is_maintained(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher)
    url = f"/assessment/pupils/{school.pupil.id}/objectives/{SF}"
    assert "<strong>Current level:</strong> Not assessed yet." in client.get(url).text
    for ago in (20, 13, 6):
        _observe(session, school, SF, Level.SECURE, ago)
    page = client.get(url).text
    assert "<strong>Current level:</strong> Secure (independent)" in page
    assert "<strong>Maintained:</strong> Yes" in page
    _observe(session, school, SF, Level.EMERGING, 0, misconception=True)
    page = client.get(url).text
    assert "<strong>Current level:</strong> Emerging (full support)" in page
    assert "(misconception on record)" in page
    assert "<strong>Maintained:</strong> No" in page


# --- A pre-formal pupil's Engagement Model notes ----------------------------------------------


def _pre_formal(session: Session) -> School:
    school = make_school(session)
    school.pupil.pathway = Pathway.PRE_FORMAL
    session.commit()
    return school


def test_a_pre_formal_pupils_report_and_spreadsheet_show_the_engagement_model_notes(
    app: Flask, session: Session
) -> None:
    school = _pre_formal(session)
    _observe(session, school, PF, Level.EMERGING, 30, engagement=("exploration",))
    _observe(session, school, PF, Level.DEVELOPING, 9, engagement=("exploration", "anticipation"))
    wrong = _observe(session, school, PF, Level.DEVELOPING, 2, engagement=("persistence",))
    services.withdraw(session, school.teacher, wrong, "The wrong pupil", now=utcnow())
    session.commit()
    client = client_for(app, school.teacher)
    base = f"/assessment/pupils/{school.pupil.id}"
    report = client.get(f"{base}/report").text
    assert "Engagement Model notes" in report
    notes = report.split('id="engagement"', 1)[1]
    first, second = (school_today() - timedelta(days=d) for d in (30, 9))
    assert f"{first:%d %b %Y}: exploration</li>" in notes
    assert f"{second:%d %b %Y}: exploration, anticipation</li>" in notes
    assert ": persistence" not in notes  # withdrawn as recorded in error: not counted
    response = client.post(f"{base}/export", data={"passphrase": PHRASE, "confirm": PHRASE})
    with pyzipper.AESZipFile(io.BytesIO(response.data)) as archive:
        archive.setpassword(PHRASE.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    header, *rows = csv.reader(io.StringIO(text))
    row = next(r for r in rows if r[header.index("current level")] != "Not assessed yet")
    assert row[header.index("engagement model notes")] == (
        f"{first:%d %b %Y}: exploration; {second:%d %b %Y}: exploration, anticipation"
    )


def test_a_report_without_engagement_notes_has_no_such_section(
    app: Flask, session: Session
) -> None:
    school = make_school(session)  # semi-formal
    _observe(session, school, SF, Level.SECURE, 3)
    report = client_for(app, school.teacher).get(
        f"/assessment/pupils/{school.pupil.id}/report"
    ).text
    assert "Engagement Model notes" not in report


# --- Printed on A4 -----------------------------------------------------------------------------


def test_every_printed_page_of_the_report_says_whose_it_is(app: Flask, session: Session) -> None:
    """A table's head repeats on every printed page: the pupil's name is in it (print only)."""
    school = make_school(session)
    report = client_for(app, school.teacher).get(
        f"/assessment/pupils/{school.pupil.id}/report"
    ).text
    head = report.split("<thead>", 1)[1].split("</thead>", 1)[0]
    assert '<tr class="print-name">' in head
    assert school.pupil.full_name in head
