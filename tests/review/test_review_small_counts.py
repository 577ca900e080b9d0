"""Governors' review: a count of 1 or 2 can identify a pupil in a small school (issue 14 item 15).

Every count of 1 or 2 reads "fewer than 3", draws no bar, is not ordered by size, and cannot be
worked out from the total and the other counts.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.pupils.models import Pathway, Pupil
from classroom.worries.models import (
    Category,
    Incident,
    IncidentAction,
    IncidentPupil,
    PupilRole,
    Risk,
    Source,
    Status,
)
from tests.conftest import Clock
from tests.factories import make_account, make_class, make_pupil


def _incidents(
    session: Session,
    how_many: int,
    category: Category,
    pupil: Pupil,
    *,
    source: Source = Source.PUPIL,
    child_protection: bool = False,
) -> None:
    now = utcnow()
    for _ in range(how_many):
        incident = Incident(
            school_id=pupil.school_id,
            idempotency_key=str(uuid.uuid4()),
            source=source,
            status=Status.OPEN,
            created_at=now,
            acknowledged_at=now,
            category=category,
            risk=Risk.LOW,  # triaged: the review counts its category
            child_protection=child_protection,
        )
        session.add(incident)
        session.flush()
        session.add(
            IncidentPupil(incident_id=incident.id, pupil_id=pupil.id, role=PupilRole.AFFECTED)
        )
    session.commit()


def _pupils(session: Session, on_each: int = 3) -> dict[Pathway, Pupil]:
    """`on_each` pupils on every pathway (3: enough for the pathway chart to count them);
    returns the first on each, whom the incidents are about."""
    oak = make_class(session, name="Oak")
    on = {p: [make_pupil(session, oak, pathway=p) for _ in range(on_each)] for p in Pathway}
    return {p: pupils[0] for p, pupils in on.items()}


def _cell(page: str, label: str) -> str:
    """The number the chart's table gives beside a label."""
    found = re.search(rf"<tr><td>{re.escape(label)}</td><td>([^<]*)</td></tr>", page)
    assert found, label
    return found.group(1)


@pytest.fixture
def small_school(session: Session) -> None:
    pupils = _pupils(session)
    _incidents(session, 6, Category.CYBERBULLYING, pupils[Pathway.SEMI_FORMAL])
    _incidents(
        session,
        1,
        Category.IMAGES_OR_SECRETS,
        pupils[Pathway.PRE_FORMAL],
        source=Source.STAFF,
        child_protection=True,
    )
    _incidents(session, 2, Category.WELLBEING, pupils[Pathway.FORMAL], source=Source.STAFF)


@pytest.mark.parametrize("page_path", ["/safeguarding/review/", "/safeguarding/review/termly"])
@pytest.mark.usefixtures("small_school")
def test_counts_of_one_or_two_read_fewer_than_3_with_no_bar(
    client: FlaskClient,
    login_as: Callable[..., Account],
    page_path: str,
) -> None:
    login_as(Role.GOVERNOR)
    page = client.get(page_path).data.decode()
    assert "Worries and concerns</dt><dd>9</dd>" in page
    assert "Child-protection concerns</dt><dd>fewer than 3</dd>" in page
    assert "Open actions overdue</dt><dd>0</dd>" in page  # 0 identifies nobody
    assert _cell(page, "Cyberbullying") == "6"
    assert _cell(page, "Asked for images or secrets") == "fewer than 3"
    assert _cell(page, "Feeling sad or worried") == "fewer than 3"
    assert _cell(page, "Staff concern") == "3"
    assert _cell(page, "Pre-formal") == "fewer than 3"
    assert _cell(page, "Formal") == "fewer than 3"
    assert _cell(page, "Semi-formal") == "6"
    assert not re.search(r">\s*[12]\s*<", page), "a 1 or a 2 printed somewhere"
    # Bars only for counts shown: Cyberbullying; both sources; the month; Semi-formal.
    assert page.count("<rect ") == 5
    # The hidden 1 (images) and 2 (wellbeing) keep label order, not size order.
    assert page.index("Asked for images or secrets") < page.index("Feeling sad or worried")


def test_a_small_count_cannot_be_worked_out_from_the_total(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    pupils = _pupils(session)
    _incidents(session, 6, Category.CYBERBULLYING, pupils[Pathway.FORMAL])
    _incidents(session, 1, Category.IMAGES_OR_SECRETS, pupils[Pathway.FORMAL])
    login_as(Role.GOVERNOR)
    page = client.get("/safeguarding/review/").data.decode()
    assert "Worries and concerns</dt><dd>7</dd>" in page
    # 7 - 6 would give the 1 away: the 6 is hidden too.
    assert _cell(page, "Cyberbullying") == "not shown"
    assert _cell(page, "Asked for images or secrets") == "fewer than 3"
    assert _cell(page, "Formal") == "7"  # one pathway holds them all: nothing small to find


def test_a_period_with_fewer_than_3_is_not_broken_down(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    pupils = _pupils(session)
    _incidents(session, 1, Category.IMAGES_OR_SECRETS, pupils[Pathway.FORMAL])
    _incidents(session, 1, Category.CYBERBULLYING, pupils[Pathway.PRE_FORMAL])
    login_as(Role.GOVERNOR)
    page = client.get("/safeguarding/review/").data.decode()
    assert "Worries and concerns</dt><dd>fewer than 3</dd>" in page
    assert "Asked for images or secrets" not in page
    assert page.count("Too few in this period to break down") == 4
    # A median of two times is all but one incident's own time.
    assert "Median time to acknowledge</dt><dd>not shown (fewer than 3)</dd>" in page


def test_lessons_learnt_carry_no_date_and_a_category_only_where_its_count_is_shown(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """The one incident about images, closed on a day a governor may remember, must not be
    told apart by its row in the register: no dates, and its category is not shown."""
    pupils = _pupils(session)
    _incidents(session, 4, Category.CYBERBULLYING, pupils[Pathway.FORMAL])
    _incidents(session, 1, Category.IMAGES_OR_SECRETS, pupils[Pathway.FORMAL])
    _incidents(session, 2, Category.WELLBEING, pupils[Pathway.FORMAL])
    for incident in session.query(Incident):
        incident.status, incident.closed_at = Status.CLOSED, utcnow()
        incident.lessons_learnt = f"Check the filter ({incident.category})"
    session.commit()
    login_as(Role.GOVERNOR)
    page = client.get("/safeguarding/review/").data.decode()
    register = page[page.index("<h2>Lessons learnt</h2>") :]
    assert register.count("<td>Cyberbullying</td>") == 4
    assert register.count("<td>Not shown</td>") == 3
    assert "Asked for images or secrets" not in register
    assert "Feeling sad or worried" not in register
    assert not re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}", register), "a date in the register"


def _timed(
    session: Session, pupil: Pupil, raised: datetime, acknowledged: datetime | None
) -> None:
    session.add(
        Incident(
            school_id=pupil.school_id,
            idempotency_key=str(uuid.uuid4()),
            source=Source.PUPIL,
            status=Status.OPEN if acknowledged else Status.NEW,
            created_at=raised,
            acknowledged_at=acknowledged,
        )
    )


def test_worries_still_waiting_count_in_the_median_time_to_acknowledge(
    session: Session, client: FlaskClient, login_as: Callable[..., Account], clock: Clock
) -> None:
    """Two worries acknowledged within the hour and three nobody has acknowledged for two days:
    governors must not read "1 hour"; leaving the waiting out made neglect look quick."""
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    pupil = _pupils(session)[Pathway.FORMAL]
    raised = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    within_the_hour = raised + timedelta(hours=1)
    for acknowledged in (within_the_hour, within_the_hour, None, None, None):
        _timed(session, pupil, raised, acknowledged)
    session.commit()
    login_as(Role.GOVERNOR)
    page = client.get("/safeguarding/review/?term=2026-11-01").text
    assert "Median time to acknowledge</dt><dd>at least 48.0 hours</dd>" in page
    assert "Median time to close</dt><dd>at least 2.0 days</dd>" in page


def test_a_median_no_waiting_worry_can_change_is_shown_as_it_is(
    session: Session, client: FlaskClient, login_as: Callable[..., Account], clock: Clock
) -> None:
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    pupil = _pupils(session)[Pathway.FORMAL]
    raised = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    for hours in (1, 2, 3):
        _timed(session, pupil, raised, raised + timedelta(hours=hours))
    _timed(session, pupil, raised, None)  # waiting 48 hours: above the middle however long
    session.commit()
    login_as(Role.GOVERNOR)
    page = client.get("/safeguarding/review/?term=2026-11-01").text
    assert "Median time to acknowledge</dt><dd>2.5 hours</dd>" in page


def test_a_pathway_one_or_two_pupils_are_on_is_left_out_of_the_pathway_chart(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """Chloe is the only pupil on Formal: "Formal: 7" would be her seven worries."""
    pupils = _pupils(session, on_each=1)
    oak = pupils[Pathway.SEMI_FORMAL].school_class
    for _ in range(2):
        make_pupil(session, oak, pathway=Pathway.SEMI_FORMAL)  # 3 on semi-formal
    _incidents(session, 7, Category.CYBERBULLYING, pupils[Pathway.FORMAL])
    _incidents(session, 4, Category.WELLBEING, pupils[Pathway.SEMI_FORMAL])
    login_as(Role.GOVERNOR)
    for path in ("/safeguarding/review/", "/safeguarding/review/termly"):
        page = client.get(path).data.decode()
        assert "Worries and concerns</dt><dd>11</dd>" in page
        assert _cell(page, "Semi-formal") == "4"
        assert "<tr><td>Formal</td>" not in page
        assert "<tr><td>Pre-formal</td>" not in page
        assert "Not in the pathway chart: Pre-formal, Formal. Fewer than 3 pupils are on each" in (
            " ".join(page.split())
        )


def test_cases_from_last_year_still_open_stay_on_this_years_page(
    session: Session, client: FlaskClient, login_as: Callable[..., Account], clock: Clock
) -> None:
    """Three cases raised last June are still open, each with an action overdue since July: on
    1 September they must not drop off the page the governors read."""
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    pupil = _pupils(session)[Pathway.FORMAL]
    dsl = make_account(session, Role.DSL)
    for _ in range(3):
        _timed(session, pupil, datetime(2026, 6, 10, 9, 0, tzinfo=UTC), None)
    _timed(session, pupil, datetime(2026, 11, 18, 9, 0, tzinfo=UTC), None)  # this term's
    session.flush()
    for incident in session.scalars(select(Incident)):
        if incident.created_at.month == 6:
            session.add(
                IncidentAction(
                    incident_id=incident.id, description="Call the family", owner_id=dsl.id,
                    due_on=date(2026, 7, 1), created_at=incident.created_at,
                    created_by_id=dsl.id,
                )
            )  # fmt: skip
    session.commit()
    login_as(Role.GOVERNOR)
    year = " ".join(client.get("/safeguarding/review/").text.split())
    assert "Still open (raised in this period)</dt><dd>fewer than 3</dd>" in year
    assert "Raised before this period and still open</dt><dd>3</dd>" in year
    assert "Their open actions overdue</dt><dd>3</dd>" in year
    # Last year's summer term page counts them itself, and has no "before" rows of its own.
    summer = " ".join(client.get("/safeguarding/review/?term=2026-06-01").text.split())
    assert "Still open (raised in this period)</dt><dd>3</dd>" in summer
    assert "Open actions overdue</dt><dd>3</dd>" in summer
    assert "Raised before this period" not in summer
