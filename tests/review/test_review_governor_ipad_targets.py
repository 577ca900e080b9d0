"""A governor holding the school to account on the review (walked on an iPad): the median time to
acknowledge alone ("under an hour") does not say whether worries were acknowledged within the
school's own target (the minutes after which the team and the headteacher are alerted again),
nor how many waited longer; and a day and month written without a year ("on 3/12") named the
day a worry happened as surely as "3rd Dec", which the register already takes out."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.review.services import _scrubber
from classroom.worries.models import Incident, Source, Status
from tests.conftest import Clock
from tests.factories import make_class, make_pupil

PAGES = ["/safeguarding/review/?term=2026-11-01", "/safeguarding/review/termly?term=2026-11-01"]
RAISED = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def _worry(
    session: Session, school_id: int, minutes: int | None, lessons: str | None = None
) -> None:
    """A worry raised at RAISED, acknowledged `minutes` later (None: not yet)."""
    acknowledged = None if minutes is None else RAISED + timedelta(minutes=minutes)
    session.add(
        Incident(
            school_id=school_id,
            idempotency_key=str(uuid.uuid4()),
            source=Source.PUPIL,
            status=Status.CLOSED if lessons else Status.NEW if minutes is None else Status.OPEN,
            created_at=RAISED,
            acknowledged_at=acknowledged,
            closed_at=RAISED + timedelta(days=1) if lessons else None,
            lessons_learnt=lessons,
        )
    )


@pytest.mark.parametrize("page", PAGES)
def test_the_review_counts_worries_acknowledged_within_the_schools_target(
    app: Flask,
    session: Session,
    client: FlaskClient,
    login_as: Callable[..., Account],
    clock: Clock,
    page: str,
) -> None:
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    app.config["WORRY_ACK_MINUTES"] = 15
    school_id = make_pupil(session, make_class(session, name="Oak")).school_id
    for minutes in (3, 9, 15, 16, 45, 200, None):  # 3 within 15 minutes; 4 later or waiting
        _worry(session, school_id, minutes)
    session.commit()
    login_as(Role.GOVERNOR)
    text = client.get(page).text
    assert "Acknowledged within the target of 15 minutes</dt><dd>3</dd>" in text
    assert "Acknowledged later than 15 minutes, or still waiting past it</dt><dd>4</dd>" in text


def test_a_late_acknowledgement_of_one_or_two_reads_fewer_than_3(
    app: Flask,
    session: Session,
    client: FlaskClient,
    login_as: Callable[..., Account],
    clock: Clock,
) -> None:
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    app.config["WORRY_ACK_MINUTES"] = 90
    school_id = make_pupil(session, make_class(session, name="Oak")).school_id
    for minutes in (5, 10, 20, 30, 120):
        _worry(session, school_id, minutes)
    session.commit()
    login_as(Role.SENIOR_LEADER)
    text = client.get(PAGES[0]).text
    assert "Acknowledged within the target of 1 hour 30 minutes</dt><dd>4</dd>" in text
    assert (
        "Acknowledged later than 1 hour 30 minutes, or still waiting past it</dt>"
        "<dd>fewer than 3</dd>"
    ) in text


LESSON = "Jayden showed the messages on 3/12; staff to check the iPads in w/c 27/10 and 1/12."


def test_a_day_and_month_without_a_year_is_taken_out_of_the_register(
    session: Session, client: FlaskClient, login_as: Callable[..., Account], clock: Clock
) -> None:
    clock.set(datetime(2026, 12, 20, 9, 0, tzinfo=UTC))
    pupil = make_pupil(session, make_class(session, name="Oak"), first_name="Jayden")
    for _ in range(3):
        _worry(session, pupil.school_id, 5, lessons=LESSON)
    session.commit()
    login_as(Role.GOVERNOR)
    for page in PAGES:
        text = client.get(page).text
        assert "3/12" not in text
        assert "27/10" not in text
        assert "1/12" not in text
        assert (
            "[name] showed the messages on [date]; staff to check the iPads in w/c [date]"
            " and [date]."
        ) in text


@pytest.mark.parametrize(
    ("text", "scrubbed"),
    [
        ("On 3/12 at 2.15pm", "On [date] at 2.15pm"),
        ("w/c 27/10", "w/c [date]"),
        ("from 01/09", "from [date]"),
        # not dates: they stay as written
        ("support 24/7 from the team", "support 24/7 from the team"),
        ("2/3 of staff trained", "2/3 of staff trained"),
        ("before 1/2 term", "before 1/2 term"),
        ("version 3.1/2", "version 3.1/2"),
        ("14/03/2011", "[date]"),  # with its year, as before
    ],
)
def test_which_day_and_month_are_dates(
    session: Session, text: str, scrubbed: str
) -> None:
    school_id = make_pupil(session, make_class(session, name="Oak")).school_id
    assert _scrubber(session, school_id)(text) == scrubbed
