"""Governors' review counts a category only once the safeguarding team has triaged it.

A pupil's worry arrives with a category the app guessed from the first picture tapped, and a
staff concern with the one its author chose; both sit in the column triage later sets. Until a
person triages them, the review counts them "Not triaged", never under the guess.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pyzipper
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.review.services import academic_year_of, build_all, term_of
from classroom.worries import services
from classroom.worries.models import Category, Incident, Risk
from tests.app_settings import base_url
from tests.conftest import sign_in
from tests.worry_helpers import School, make_school


def _worries(session: Session, school: School, what: str, how_many: int) -> list[Incident]:
    """Worries from the school's pupil, each with the category the app suggests for `what`."""
    return [
        services.raise_worry(
            session,
            school.pupil,
            school.device,
            str(uuid.uuid4()),
            services.WorryChoices(what=what),
            now=utcnow(),
            base_url=base_url(),
        )
        for _ in range(how_many)
    ]


def _concerns(session: Session, school: School, how_many: int) -> list[Incident]:
    """Staff concerns whose author chose "Feeling sad or worried"."""
    data = services.ConcernInput(
        school.pupil.id, "Crying after the tablet session", "speech", None, Category.WELLBEING
    )
    return [
        services.raise_concern(
            session, school.teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
        )
        for _ in range(how_many)
    ]


def _triage(
    session: Session, school: School, incidents: list[Incident], category: Category
) -> None:
    for incident in incidents:
        decision = services.Triage(category, Risk.LOW, "Spoke to her", False, None)
        services.triage(session, school.dsl, incident, decision, now=utcnow())
    session.commit()


def _by_category(client: FlaskClient) -> dict[str, str]:
    """The "By category" chart's table, label to number, as a governor reads it."""
    page = client.get("/safeguarding/review/").data.decode()
    start = page.index("<h3>By category</h3>")
    section = page[start : page.index("</figure>", start)]
    return dict(re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", section))


def test_pupil_worries_count_under_a_category_only_once_triaged(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    school = make_school(session)
    unkind = _worries(session, school, "unkind", 5)  # suggested: Cyberbullying
    _worries(session, school, "sad", 3)  # suggested: Feeling sad or worried
    _triage(session, school, unkind[:3], Category.CYBERBULLYING)
    login_as(Role.GOVERNOR)
    assert _by_category(client) == {"Cyberbullying": "3", "Not triaged": "5"}


def test_few_triaged_read_fewer_than_3_and_not_triaged_cannot_give_them_back(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """6 worries the app guessed were cyberbullying, 2 triaged so: not "Cyberbullying 6"."""
    school = make_school(session)
    unkind = _worries(session, school, "unkind", 6)
    _triage(session, school, unkind[:2], Category.CYBERBULLYING)
    login_as(Role.GOVERNOR)
    # 6 less a "Not triaged 4" would give the 2 back: that is hidden too.
    assert _by_category(client) == {"Cyberbullying": "fewer than 3", "Not triaged": "not shown"}


def test_a_staff_concern_category_counts_once_the_team_triages_it(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """The author's choice is a guess too ("Not sure" is allowed): the team decides."""
    school = make_school(session)
    concerns = _concerns(session, school, 6)
    _triage(session, school, concerns[:3], Category.WELLBEING)
    login_as(Role.GOVERNOR)
    assert _by_category(client) == {"Feeling sad or worried": "3", "Not triaged": "3"}


def test_export_gives_the_category_as_triaged_and_the_guess_apart(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    guessed, decided = _worries(session, school, "unkind", 2)
    _triage(session, school, [decided], Category.INAPPROPRIATE_MATERIAL)
    client = app.test_client()
    sign_in(client, school.dsl.username)
    passphrase = "long enough passphrase"
    response = client.post(
        "/safeguarding/review/export", data={"passphrase": passphrase, "confirm": passphrase}
    )
    archive = pyzipper.AESZipFile(io.BytesIO(response.data))
    archive.setpassword(passphrase.encode())
    text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(text))}
    assert rows[guessed.reference]["category"] == ""
    assert rows[guessed.reference]["suggested_category"] == Category.CYBERBULLYING
    assert rows[decided.reference]["category"] == Category.INAPPROPRIATE_MATERIAL
    assert rows[decided.reference]["suggested_category"] == ""


def test_an_incident_counts_in_the_term_of_the_school_s_own_date(
    session: Session,
) -> None:
    """00:05-00:40 on 1 September in London is still 31 August in UTC: the new school year."""
    school = make_school(session)
    for minute in (5, 20, 40):
        services.raise_worry(
            session, school.pupil, school.device, str(uuid.uuid4()),
            services.WorryChoices(what="unkind"),
            now=datetime(2026, 8, 31, 23, minute, tzinfo=UTC), base_url=base_url(),
        )  # fmt: skip
    session.flush()
    london, now = ZoneInfo("Europe/London"), datetime(2026, 9, 2, 9, tzinfo=UTC)
    autumn, summer = term_of(date(2026, 9, 1)), term_of(date(2026, 8, 1))
    year = academic_year_of(date(2026, 9, 1))
    periods = [year, autumn, summer]
    found = build_all(
        session, school.teacher.school_id, periods, now=now, zone=london, carers=[]
    )
    assert [review.total for review in found] == [3, 3, 0]
    assert dict(found[0].by_month) == {"2026-09": 3}
