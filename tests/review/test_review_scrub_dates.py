"""Governors' review: a birth date or an age, however written, names a child in a small school.

A month name counts as a date only beside a day or a year; alone it is a word ("may", "march").
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.worries.models import Category, Incident, Risk, Source, Status
from tests.factories import make_class, make_pupil


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("born March 14, 2011.", "born [date]."),
        ("born Mar 14 2011.", "born [date]."),
        ("born Mar. 14, 2011.", "born [date]."),
        ("her birthday is March 14th.", "her birthday is [date]."),
        ("born on the 14th of March 2011.", "born on the [date]."),
        ("born 3rd of May.", "born [date]."),
        ("born March 2011.", "born [date]."),
        ("moved here in March 2011.", "moved here in [date]."),
        ("born 14 Sept 2011.", "born [date]."),
        ("born in 2011.", "born in [date]."),
        ("born 2011.", "born [date]."),
    ],
)
def test_dates_however_written_read_date(
    scrub: Callable[[str], str], text: str, expected: str
) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("she turned 15 last week.", "she turned [age] last week."),
        ("she turns fifteen in June.", "she turns [age] in June."),
        ("she will turn 16.", "she will turn [age]."),
        ("she is 15 now.", "she is [age] now."),
        ("she's 15 now.", "she's [age] now."),
        ("she is now 15.", "she is now [age]."),
        ("aged fifteen.", "[age]."),
        ("a 15-year-old.", "a [age]."),
        ("a 15 year old.", "a [age]."),
        ("the fifteen year olds.", "the [age]."),
    ],
)
def test_ages_however_written_read_age(
    scrub: Callable[[str], str], text: str, expected: str
) -> None:
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Staff may call home in March.",
        "We will march to the hall; staff may call.",
        "May we meet in May?",
        "The policy changed in 2011.",  # a bare year is not a date of birth
        "Split into 2 separate groups; we decided 4 marked books were enough.",
        "Turn 90 degrees; she turned 3 times; it is 15 minutes now.",
        "Meet May 10:30 in Room 14.",
    ],
)
def test_ordinary_prose_survives(scrub: Callable[[str], str], text: str) -> None:
    assert scrub(text) == text


def test_the_governors_page_shows_no_birth_date_or_age(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session, name="Oak")
    pupil = make_pupil(session, oak, first_name="Amira", last_name="Khan")
    now = utcnow()
    session.add(
        Incident(
            school_id=pupil.school_id,
            idempotency_key=str(uuid.uuid4()),
            source=Source.STAFF,
            status=Status.CLOSED,
            created_at=now,
            acknowledged_at=now,
            closed_at=now,
            category=Category.WELLBEING,
            risk=Risk.LOW,
            lessons_learnt=(
                "The girl born March 14, 2011 (Mar 14 2011, the 14th of March 2011, "
                "born March 2011) turned 15 and she is 15 now; staff may call home in March."
            ),
        )
    )
    session.commit()
    login_as(Role.GOVERNOR)
    page = client.get("/safeguarding/review/").data.decode()
    register = page[page.index("<h2>Lessons learnt</h2>") :]
    # What a governor reads: the words, not the markup (a form's random token may hold "15").
    words = re.sub(r"<[^>]+>", " ", register)
    for leak in ("2011", "14", "15", "Amira"):
        assert leak not in words, leak
    assert (
        "The girl born [date] ([date], the [date], born [date]) turned [age] and she is [age] "
        "now; staff may call home in March."
    ) in register
