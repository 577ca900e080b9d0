"""A worry told on a Friday evening and acknowledged on Monday morning: the review counts it as
later than the school's target (the target runs around the clock, as the re-alerts do). The
governors were shown the count with nothing saying so, and read it as the team being slow."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.worries.models import Incident, Source, Status
from tests.conftest import Clock
from tests.factories import make_class, make_pupil

PAGES = ["/safeguarding/review/?term=2026-11-01", "/safeguarding/review/termly?term=2026-11-01"]


@pytest.mark.parametrize("page", PAGES)
def test_a_friday_evening_worry_acknowledged_on_monday_is_late_and_governors_are_told_why(
    app: Flask,
    session: Session,
    client: FlaskClient,
    login_as: Callable[..., Account],
    clock: Clock,
    page: str,
) -> None:
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    app.config["WORRY_ACK_MINUTES"] = 15
    school_id = make_pupil(session, make_class(session, name="Oak")).school_id
    session.add(
        Incident(
            school_id=school_id,
            idempotency_key=str(uuid.uuid4()),
            source=Source.PUPIL,
            status=Status.OPEN,
            created_at=datetime(2026, 11, 20, 18, 0, tzinfo=UTC),  # Friday evening
            acknowledged_at=datetime(2026, 11, 23, 8, 5, tzinfo=UTC),  # Monday morning
        )
    )
    session.commit()
    login_as(Role.GOVERNOR)
    text = client.get(page).text
    assert "Acknowledged within the target of 15 minutes</dt><dd>0</dd>" in text
    assert "Acknowledged later than 15 minutes, or still waiting past it</dt><dd>" in text
    assert (
        "counts every minute from when it was told, nights, weekends and holidays too" in text
    )
