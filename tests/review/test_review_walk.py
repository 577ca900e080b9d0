"""Walking the governors' and senior leaders' review pages as they would (issue: review walk).

Each test is something a governor reading the page, or the DSL checking what governors see,
would notice: a page that breaks, or a lesson learnt that still points at someone.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.pupils.models import Pupil
from classroom.symbols.models import Place, TrustedPerson
from classroom.worries.models import (
    Agency,
    Category,
    Incident,
    IncidentPupil,
    PupilRole,
    Referral,
    Risk,
    Source,
    Status,
)
from tests.conftest import Clock
from tests.factories import make_account, make_class, make_pupil


def _closed(session: Session, pupil: Pupil, lessons: str) -> Incident:
    """A closed, triaged incident about the pupil whose lessons learnt governors will read."""
    now = utcnow()
    incident = Incident(
        school_id=pupil.school_id,
        idempotency_key=str(uuid.uuid4()),
        source=Source.STAFF,
        status=Status.CLOSED,
        created_at=now,
        acknowledged_at=now,
        closed_at=now,
        category=Category.WELLBEING,
        risk=Risk.LOW,
        outcome="Resolved",
        lessons_learnt=lessons,
    )
    session.add(incident)
    session.flush()
    session.add(IncidentPupil(incident_id=incident.id, pupil_id=pupil.id, role=PupilRole.AFFECTED))
    return incident


def _register(client: FlaskClient) -> str:
    """The lessons-learnt register as a governor reads it on the year's page."""
    page = client.get("/safeguarding/review/").data.decode()
    return page[page.index("<h2>Lessons learnt</h2>") :]


def test_a_term_in_year_one_is_a_clear_400_not_a_server_error(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """A mistyped or edited address (?term=0001-01-01) answers 400 like any bad term."""
    login_as(Role.GOVERNOR)
    for path in ("/safeguarding/review/", "/safeguarding/review/termly"):
        assert client.get(f"{path}?term=0001-01-01").status_code == 400


def test_lessons_learnt_show_no_incident_or_agency_reference(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """A reference is matched in the DSL's records, a police or social-care letter, or a
    minute: it identifies the case (and so the child) as surely as a name."""
    oak = make_class(session, name="Oak")
    pupil = make_pupil(session, oak, first_name="Amira", last_name="Khan")
    dsl = make_account(session, Role.DSL)
    earlier = _closed(session, pupil, "First time: nothing to add")
    session.add(
        Referral(
            incident_id=earlier.id,
            agency=Agency.POLICE,
            reference="CR/4471/26",
            made_at=utcnow(),
            made_by_id=dsl.id,
            follow_up_on=date(2026, 12, 7),
        )
    )
    lessons = (
        f"Same pattern as {earlier.reference} (w{earlier.id:05d} in the old log); police ref "
        "CR/4471/26 and case cr/4471/26 were chased. Check the class chat weekly."
    )
    _closed(session, pupil, lessons)
    session.commit()
    login_as(Role.GOVERNOR)
    register = _register(client)
    for leak in (earlier.reference, f"w{earlier.id:05d}", "4471"):
        assert leak not in register, leak
    assert "Same pattern as [reference] ([reference] in the old log); police ref [reference]" in (
        register
    )
    assert "Check the class chat weekly." in register


def test_a_two_letter_staff_surname_is_scrubbed_and_the_word_it_stays(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """A two-letter surname ("Mr Li", "Ms Ng") names a member of staff as surely as "Ms Lopez"
    does; the school's "IT" and the word "it" stay."""
    oak = make_class(session, name="Oak")
    pupil = make_pupil(session, oak, first_name="Amira", last_name="Khan")
    make_account(session, Role.TEACHER, display_name="Mr Jun Li")
    make_account(session, Role.TEACHING_ASSISTANT, display_name="Ms Mei Ng")
    make_account(session, Role.ADMIN, display_name="Sam Okafor (IT technician)")
    _closed(session, pupil, "Mr Li and Ms Ng saw it first; IT checked it and it is fixed.")
    session.commit()
    login_as(Role.GOVERNOR)
    register = _register(client)
    assert "Mr [name] and Ms [name] saw it first; IT checked it and it is fixed." in register


def test_a_pupils_trusted_adult_at_home_is_not_named(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """A trusted adult at home on a pupil's "my people" page ("Uncle Desmond") names the family,
    and so the child."""
    oak = make_class(session, name="Oak")
    pupil = make_pupil(session, oak, first_name="Amira", last_name="Khan")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    session.add(
        TrustedPerson(
            school_id=pupil.school_id,
            pupil_id=pupil.id,
            place=Place.HOME,
            name="Uncle Desmond",
            added_by_id=teacher.id,
            added_at=utcnow(),
        )
    )
    _closed(session, pupil, "Desmond had shared the photo; her uncle now knows the rules.")
    session.commit()
    login_as(Role.GOVERNOR)
    register = _register(client)
    assert "Desmond" not in register
    assert "[name] had shared the photo; her uncle now knows the rules." in register


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.SENIOR_LEADER])
def test_the_period_being_read_is_marked_for_screen_readers(
    client: FlaskClient, login_as: Callable[..., Account], role: Role
) -> None:
    """The period links look alike: the one on screen is announced as the current page."""
    login_as(role)
    year = client.get("/safeguarding/review/").data.decode()
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', year)
    assert current == ["This school year"]
    term = client.get("/safeguarding/review/?term=2027-01-20").data.decode()
    current = re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]*)</a>', term)
    assert current == ["Spring term 2027"]


def test_staff_initials_are_scrubbed_as_pupils_are(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """Records often name staff by initials ("TB spoke to her"): in a staff of thirty, that is
    the member of staff, and with them often the class."""
    oak = make_class(session, name="Oak")
    pupil = make_pupil(session, oak, first_name="Amira", last_name="Khan")
    make_account(session, Role.DSL, display_name="Mr Tom Bell")
    make_account(session, Role.ADMIN, display_name="Sam Okafor (IT technician)")
    _closed(session, pupil, "TB (T.B.) spoke to her and SO checked the filter; the TA sat in.")
    session.commit()
    login_as(Role.GOVERNOR)
    register = _register(client)
    assert "[initials] ([initials]) spoke to her and [initials] checked the filter; the TA" in (
        register
    )


def test_in_september_governors_can_reach_last_summer_term(
    session: Session, client: FlaskClient, login_as: Callable[..., Account], clock: Clock
) -> None:
    """The autumn governors' meeting reviews the summer term just ended: the page links to it,
    not only to the terms of the new school year (which have next to nothing in them yet)."""
    oak = make_class(session, name="Oak")
    pupil = make_pupil(session, oak)
    for day in (10, 11, 12):
        _closed(session, pupil, "Check the class chat weekly").created_at = datetime(
            2026, 6, day, 10, tzinfo=UTC
        )
    session.commit()
    clock.set(datetime(2026, 9, 15, 9, tzinfo=UTC))
    login_as(Role.GOVERNOR)
    page = client.get("/safeguarding/review/").data.decode()
    assert "Incident review: 2026/27" in page
    link = re.search(r'Before 2026/27:</span>\s*<a[^>]*href="([^"]+)"[^>]*>Summer term 2026<', page)
    assert link, "no link to last summer's term"
    summer = client.get(html.unescape(link.group(1))).data.decode()
    assert "Incident review: Summer term 2026" in summer
    assert "Worries and concerns</dt><dd>3</dd>" in summer
