"""Governors' review in words a governor reads without a guide: a median under an hour is
"under an hour", not "0.0 hours" (which reads as no time at all, or a fault), and the link to
the printable page names the period it prints."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.review.disclosure import median
from classroom.review.services import Median
from classroom.worries.models import Incident, Source, Status
from tests.conftest import Clock
from tests.factories import make_class, make_pupil

PAGES = ["/safeguarding/review/?term=2026-11-01", "/safeguarding/review/termly?term=2026-11-01"]


@pytest.mark.parametrize(
    ("found", "unit", "words"),
    [
        (Median(0.0, 5, False), "hours", "under an hour"),
        (Median(0.9, 5, False), "hours", "under an hour"),
        (Median(0.2, 5, False), "days", "under a day"),
        (Median(0.0, 5, True), "hours", "not known yet: some are still waiting"),
        (Median(1.0, 5, False), "hours", "1.0 hours"),  # an hour and more: as it was
        (Median(2.5, 5, False), "hours", "2.5 hours"),
        (Median(2.0, 5, True), "days", "at least 2.0 days"),
        (Median(0.0, 2, False), "hours", "not shown (fewer than 3)"),
    ],
)
def test_a_median_reads_in_words(found: Median, unit: str, words: str) -> None:
    assert median(found, unit) == words


@pytest.mark.parametrize("page", PAGES)
def test_worries_acknowledged_and_closed_within_minutes_read_under_an_hour_and_a_day(
    session: Session,
    client: FlaskClient,
    login_as: Callable[..., Account],
    clock: Clock,
    page: str,
) -> None:
    """The screen and the printable summary say the same, in words."""
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    pupil = make_pupil(session, make_class(session, name="Oak"))
    raised = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    for minutes in (4, 6, 9):
        session.add(
            Incident(
                school_id=pupil.school_id,
                idempotency_key=str(uuid.uuid4()),
                source=Source.PUPIL,
                status=Status.CLOSED,
                created_at=raised,
                acknowledged_at=raised + timedelta(minutes=minutes),
                closed_at=raised + timedelta(minutes=3 * minutes),
            )
        )
    session.commit()
    login_as(Role.GOVERNOR)
    text = client.get(page).text
    assert "Median time to acknowledge</dt><dd>under an hour</dd>" in text
    assert "Median time to close</dt><dd>under a day</dd>" in text
    assert "0.0 hours" not in text
    assert "0.0 days" not in text


def _printable_link(page: str) -> tuple[str, str]:
    found = re.search(r'<a class="tap-link" href="([^"]*termly[^"]*)">([^<]*)</a>', page)
    assert found is not None, "no link to the printable summary"
    return found.group(1).replace("&amp;", "&"), found.group(2)


def test_the_year_view_links_to_a_printable_summary_of_the_year(
    client: FlaskClient, login_as: Callable[..., Account], clock: Clock
) -> None:
    """It printed the autumn term under a link that said nothing of which period."""
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    login_as(Role.GOVERNOR)
    year = client.get("/safeguarding/review/").text
    assert "<h1>Incident review: 2026/27</h1>" in year
    href, words = _printable_link(year)
    assert words == "Printable summary of 2026/27"
    printed = client.get(href)
    assert printed.status_code == 200
    assert "e-safety incidents, 2026/27</h1>" in printed.text
    assert "01 September 2026 to 31 August 2027" in printed.text


def test_a_term_view_links_to_a_printable_summary_of_that_term(
    client: FlaskClient, login_as: Callable[..., Account], clock: Clock
) -> None:
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    login_as(Role.GOVERNOR)
    term = client.get("/safeguarding/review/?term=2027-02-10").text
    href, words = _printable_link(term)
    assert words == "Printable summary: Spring term 2027"
    printed = client.get(href).text
    assert "e-safety incidents, Spring term 2027</h1>" in printed
    assert "<title>Safeguarding summary: Spring term 2027" in printed
