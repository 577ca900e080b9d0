"""Governors read the review's month chart as words ("October 2026"), not as a key such as
"2026-10" that they would have to work out."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.worries.models import Category
from tests.conftest import Clock
from tests.factories import make_class, make_pupil
from tests.review.test_review_linked_pages import _incident


def test_the_month_chart_names_its_months_in_words(
    session: Session, client: FlaskClient, login_as: Callable[..., Account], clock: Clock
) -> None:
    clock.set(datetime(2027, 6, 15, 10, 0, tzinfo=UTC))
    pupil = make_pupil(session, make_class(session, name="Oak"))
    for day in range(3):
        _incident(session, pupil, Category.CYBERBULLYING, datetime(2026, 10, 5 + day, tzinfo=UTC))
    for day in range(3):
        _incident(session, pupil, Category.CYBERBULLYING, datetime(2026, 11, 5 + day, tzinfo=UTC))
    session.commit()
    login_as(Role.GOVERNOR)
    page = client.get("/safeguarding/review/").get_data(as_text=True)
    chart = page.split('id="month-caption"')[1].split("</figure>")[0]
    assert 'class="bar-label">October 2026</text>' in chart, chart
    assert "<tr><td>November 2026</td><td>3</td></tr>" in chart, chart
    assert not re.search(r"\b\d{4}-\d{2}\b", chart), chart
