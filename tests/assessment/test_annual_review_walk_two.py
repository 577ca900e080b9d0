"""A class teacher printing a pupil's progress summary for an annual review, to show a parent.

Found walking it (a pupil moved from semi-formal to formal mid-year):
- beside every objective not assessed yet the summary said "Maintained: No", which a parent
  reads as failed; the progress page said the same. Both now show a dash, as under "Last
  assessed"; an objective assessed (the earlier pathway's too) still says Yes or No;
- the summary had no Print button and no way back to the pupil's page (print.js and
  [data-print] are used elsewhere); both are for the screen only.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from classroom.assessment import services
from classroom.assessment.models import Level
from classroom.db import utcnow
from classroom.pupils.models import Pathway
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.factories import make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

SF = "feelings-online.sf"


def _moved_mid_year(session: Session) -> School:
    """Secure three times on a semi-formal objective, then moved to the formal pathway."""
    school = make_school(session)
    for ago in (40, 30, 20):
        services.observe(
            session, school.teacher, school.pupil, SF,
            services.Entry(level=Level.SECURE, observed_on=school_today() - timedelta(days=ago)),
            all_lessons(session), now=utcnow(), today=school_today(),
        )  # fmt: skip
    school.pupil.pathway = Pathway.FORMAL
    session.commit()
    return school


def _rows(page: str, lesson: str) -> list[list[str]]:
    """The table rows of a lesson, each as its cells' text."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>|\s+", " ", c)).strip() for c in re.findall(
            r"<td[^>]*>(.*?)</td>", row, re.S)]  # fmt: skip
        if cells and lesson in cells[0]:
            found.append(cells)
    return found


def test_maintained_is_a_dash_where_nothing_is_assessed_yet(app: Flask, session: Session) -> None:
    school = _moved_mid_year(session)
    client = client_for(app, school.teacher)
    base = f"/assessment/pupils/{school.pupil.id}"
    report = client.get(f"{base}/report").text
    now, earlier = _rows(report, "Feelings online")
    assert now[2] == "Not assessed on this pathway yet"
    assert now[3] == "\u2014"  # not "No": a parent reads that as failed
    assert "(earlier pathway)" in earlier[0]
    assert earlier[2:4] == ["Secure (independent)", "Yes"]
    (untouched,) = _rows(report, "Stop and finish")
    assert untouched[2:5] == ["Not assessed yet", "\u2014", "\u2014"]
    # The progress page says the same.
    page = client.get(base).text
    now, earlier = _rows(page, "Feelings online")
    assert now[3] == "\u2014"
    assert earlier[3] == "Yes"


def test_the_summary_has_print_and_a_way_back_and_no_other_pupil(
    app: Flask, session: Session
) -> None:
    school = _moved_mid_year(session)
    make_pupil(session, school.oak, first_name="Zara", last_name="Quinn")
    session.commit()
    report = (
        client_for(app, school.teacher).get(f"/assessment/pupils/{school.pupil.id}/report").text
    )
    actions = report.split('<p class="report-actions">', 1)[1].split("</p>", 1)[0]
    assert re.search(r"<button [^>]*data-print[^>]*>Print</button>", actions)
    assert f'href="/assessment/pupils/{school.pupil.id}"' in actions
    assert "Back to Amira's progress" in actions
    assert re.search(r'<script src="[^"]*/js/print\.js[^"]*" defer>', report)
    assert "Zara" not in report
    assert "Quinn" not in report
