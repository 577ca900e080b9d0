"""The class heatmap tells a lesson not for a pupil's age (lesson 27 is for 18 and 19) apart from
work not assessed: a teacher or the head reading it must not think work is missing. A level
recorded on such a lesson (when they were of its ages) still shows. An age changes with the
date, and the heatmap is kept per worker for what it shows: the cell changes on their birthday.
"""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.assessment import services, views
from classroom.db import utcnow
from classroom.lessons import maps
from classroom.lessons.models import MapEntry
from classroom.pupils.models import Pupil
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.factories import make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

AT_18 = "At 18: pictures and help"  # lesson 27, for pupils aged 18 and 19
AT_18_ID = "pictures-and-the-law-at-18"
NOT_FOR_AGE = "not for their age"


def _years_ago(years: int, days: int = 0) -> date:
    """A birthday `years` years (and `days` days) before today (28 February for 29th)."""
    today = school_today()
    day = 28 if (today.month, today.day) == (2, 29) else today.day
    return today.replace(year=today.year - years, day=day) - timedelta(days=days)


def _column(page: str) -> int:
    """The lesson's column in the heatmap table (0 for the first lesson)."""
    head = page.split('<table class="heatmap-table">', 1)[1].split("</thead>", 1)[0]
    titles = [html.unescape(t) for t in re.findall(r'<abbr title="([^"]*)">', head)]
    return titles.index(AT_18)


def _table_cell(page: str, pupil: Pupil) -> str:
    """A pupil's cell for lesson 27 in the heatmap's table, as the page gives it."""
    table = page.split('<table class="heatmap-table">', 1)[1]
    row = table.split(f"/assessment/pupils/{pupil.id}?", 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td[^>]*>.*?</td>", row)[_column(page)]


def _read(cell: str) -> str:
    """A cell as a screen reader says it: its text, less what is hidden from it."""
    said = re.sub(r'<span aria-hidden="true">.*?</span>', "", cell)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", said))).strip()


def _picture_title(page: str, pupil: Pupil) -> str:
    found = re.search(rf"<title>{pupil.first_name}, {re.escape(AT_18)}: ([^<]*)</title>", page)
    assert found is not None
    return html.unescape(found.group(1))


def _on_oaks_map(session: Session, school: School) -> None:
    """Lesson 27 (teacher-enabled) put on Oak's map: planned for those of its ages."""
    entries = maps.ensure_class_map(session, school.oak, all_lessons(session))
    session.add(MapEntry(class_id=school.oak.id, lesson_id=AT_18_ID, position=len(entries)))
    session.commit()


def _heatmap(client: FlaskClient, school: School) -> str:
    return client.get(f"/assessment/classes/{school.oak.id}").text


def test_a_lesson_for_older_pupils_reads_not_for_their_age_not_as_not_assessed(
    app: Flask, session: Session
) -> None:
    school = make_school(session)  # Amira is 15
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Taylor",
                     date_of_birth=_years_ago(18))  # fmt: skip
    session.commit()
    _on_oaks_map(session, school)
    page = _heatmap(client_for(app, school.teacher), school)
    amira = _table_cell(page, school.pupil)
    # Amira's cell is not the dash of work not assessed: it says, to the eye and the ear,
    # that the lesson is not for her age.
    assert "&ndash;" not in amira
    assert 'class="not-for-age"' in amira
    assert NOT_FOR_AGE in _read(amira)
    assert "not assessed" not in _read(amira)
    assert _picture_title(page, school.pupil).startswith(NOT_FOR_AGE)
    # Ben, 18, has nothing recorded in it: that is work not assessed, a dash as before.
    benny = _table_cell(page, ben)
    assert benny == '<td class="lvl-none">&ndash;</td>'
    assert _picture_title(page, ben) == "not assessed yet"
    # The key says what the new mark means.
    marks = page.split('aria-label="What the marks mean"', 1)[1].split("</ul>", 1)[0]
    assert "Not for their age" in marks
    colours = page.split('aria-label="Colour key"', 1)[1].split("</ul>", 1)[0]
    assert '<span class="swatch not-for-age" aria-hidden="true"></span>n/a Not for their age' in (
        colours
    )


def test_a_level_recorded_when_they_were_of_its_ages_still_shows(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    # Cara turned 20 ten days ago: Secure in lesson 27 three weeks ago, at 19.
    cara = make_pupil(session, school.oak, first_name="Cara", last_name="Jones",
                      date_of_birth=_years_ago(20, days=10))  # fmt: skip
    session.commit()
    services.observe(
        session, school.teacher, cara, "pictures-and-the-law-at-18.sf",
        services.Entry(level=3, observed_on=school_today() - timedelta(days=21)),
        all_lessons(session), now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    page = _heatmap(client_for(app, school.teacher), school)
    assert _table_cell(page, cara) == '<td class="lvl-3">3</td>'
    assert _picture_title(page, cara).startswith("Secure")
    assert 'class="not-for-age"' in _table_cell(page, school.pupil)  # Amira, 15, as before


def test_on_their_18th_birthday_the_kept_heatmap_shows_the_lesson_as_not_assessed(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = make_school(session)
    # Dev is 18 tomorrow: nothing recorded in lesson 27, which is for him from then on.
    dev = make_pupil(session, school.oak, first_name="Dev", last_name="Patel",
                     date_of_birth=_years_ago(18) + timedelta(days=1))  # fmt: skip
    session.commit()
    _on_oaks_map(session, school)  # planned for him: "not assessed" from tomorrow
    teacher = client_for(app, school.teacher)
    assert not app.debug  # the heatmap is kept per worker (classroom/symbols/fragments_web.py)
    assert NOT_FOR_AGE in _read(_table_cell(_heatmap(teacher, school), dev))
    # Tomorrow, with nothing recorded since, the page kept yesterday is not shown again.
    tomorrow = school_today() + timedelta(days=1)
    monkeypatch.setattr(views, "local_today", lambda: tomorrow)
    page = _heatmap(teacher, school)
    assert _table_cell(page, dev) == '<td class="lvl-none">&ndash;</td>'
    assert _picture_title(page, dev) == "not assessed yet"
    assert 'class="not-for-age"' in _table_cell(page, school.pupil)  # Amira is still 15
