"""Staff and carers see the school's clock (Europe/London: BST in summer), never raw UTC."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pyzipper
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.assessment.models import Observation
from classroom.db import utcnow
from classroom.localtime import local_time, local_today, zone_name
from classroom.parents import services
from classroom.worries import services as worries
from tests.app_settings import base_url, carer_emails
from tests.conftest import Clock, client_for, sign_in
from tests.factories import make_class, make_device, make_pupil
from tests.parents_helpers import make_family
from tests.worry_helpers import make_school

SUMMER_MORNING = datetime(2026, 7, 1, 8, 30, tzinfo=UTC)  # 09:30 in London (BST)
JUST_AFTER_MIDNIGHT = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 BST on 2 July
# The family is made on 12 Jan 2027 (tests.parents_helpers); carers see what came after joining.
FAMILY_SUMMER = datetime(2027, 7, 1, 8, 30, tzinfo=UTC)  # Thursday, 09:30 BST
SF = "stop-block-tell.sf"


def test_audit_log_shows_bst_and_filters_by_the_local_day(
    client: FlaskClient, login_as: Callable[..., Account], session: Session, clock: Clock
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    login_as(Role.HEADTEACHER)
    clock.set(SUMMER_MORNING)
    client.get(f"/pupils/{pupil.id}")
    page = client.get("/admin/audit?action=pupil.viewed").data.decode()
    assert "1 Jul 2026 09:30:00 BST" in page
    assert "When (UTC)" not in page
    clock.set(JUST_AFTER_MIDNIGHT)
    client.get(f"/pupils/{pupil.id}")
    # 00:30 BST on 2 July is still 1 July in UTC; staff asking for 2 July mean their own day.
    on_the_2nd = client.get("/admin/audit?action=pupil.viewed&from=2026-07-02").data.decode()
    assert "2 Jul 2026 00:30:00 BST" in on_the_2nd
    assert "09:30:00 BST" not in on_the_2nd


def test_observation_page_shows_when_it_was_recorded_in_bst(
    client: FlaskClient, session: Session, clock: Clock
) -> None:
    school = make_school(session)
    clock.set(SUMMER_MORNING)
    sign_in(client, school.teacher.username)
    client.post(
        f"/assessment/pupils/{school.pupil.id}/observations",
        data={"objective_id": SF, "level": "2", "context": "lesson"},
    )
    page = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").data.decode()
    assert "recorded Wed 1 Jul 2026, 09:30 BST" in page


def test_observation_just_after_midnight_bst_is_dated_today_not_yesterday(
    client: FlaskClient, session: Session, clock: Clock
) -> None:
    school = make_school(session)
    clock.set(JUST_AFTER_MIDNIGHT)
    sign_in(client, school.teacher.username)
    form = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").data.decode()
    assert 'value="2026-07-02"' in form  # the school's date, not UTC's 1 July
    response = client.post(
        f"/assessment/pupils/{school.pupil.id}/observations",
        data={"objective_id": SF, "level": "2", "context": "lesson", "observed_on": "2026-07-02"},
    )
    assert response.status_code == 302  # not refused as "in the future"
    row = session.scalar(select(Observation))
    assert row is not None
    assert row.observed_on.isoformat() == "2026-07-02"


def test_class_ipads_page_shows_enrolment_in_bst(
    client: FlaskClient, login_as: Callable[..., Account], session: Session, clock: Clock
) -> None:
    clock.set(SUMMER_MORNING)
    oak = make_class(session)
    make_device(session, oak, "Oak iPad 1")
    session.commit()
    login_as(Role.HEADTEACHER)
    page = client.get("/class-ipads/").data.decode()
    assert "Oak iPad 1" in page
    assert "Wed 1 Jul 2026, 09:30 BST" in page


def test_message_log_export_gives_bst_times_with_the_zone_named(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    clock.set(FAMILY_SUMMER)
    services.send_staff_message(
        session, family.teacher, family.child, "Summer trip", now=utcnow(), emails=carer_emails()
    )
    session.commit()
    dsl = client_for(app, family.dsl)
    phrase = "a long passphrase 42"
    response = dsl.post("/parents/export", data={"passphrase": phrase, "confirm": phrase})
    assert response.status_code == 200
    with pyzipper.AESZipFile(io.BytesIO(response.data)) as archive:
        archive.setpassword(phrase.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    assert "2027-07-01 09:30 BST" in text
    assert "2027-07-01 08:30" not in text


def test_parents_page_still_shows_local_time_with_the_one_formatter(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    clock.set(FAMILY_SUMMER)
    services.send_staff_message(
        session, family.teacher, family.child, "Summer trip", now=utcnow(), emails=carer_emails()
    )
    session.commit()
    staff = client_for(app, family.teacher).get(f"/parents/pupils/{family.child.id}")
    assert "Thu 1 Jul 2027, 09:30 BST" in staff.data.decode()
    carer = client_for(app, family.carer).get(f"/family/children/{family.child.id}")
    assert "Thu 1 Jul 2027, 09:30 BST" in carer.data.decode()
    assert "local_when" not in app.jinja_env.filters  # one formatter, not two


def test_a_received_cp_files_iso_times_show_on_the_schools_clock() -> None:
    """The previous school's file carries ISO texts; the DSL reads them in BST, not "UTC"."""
    zone = ZoneInfo("Europe/London")
    assert local_time("2026-07-01T08:30:00+00:00", zone=zone) == "Wed 1 Jul 2026, 09:30 BST"
    assert local_time("2026-07-01T08:30:00", zone=zone) == "Wed 1 Jul 2026, 09:30 BST"  # UTC
    assert local_time("2026-07-01", "date", zone=zone) == "1 Jul 2026"


def test_the_schools_date_and_zone_name_come_from_the_moment_and_zone_given() -> None:
    """No app and no clock: the caller hands the moment and the school's zone."""
    london = ZoneInfo("Europe/London")
    assert local_today(JUST_AFTER_MIDNIGHT, london) == date(2026, 7, 2)  # UTC says 1 July
    assert local_today(JUST_AFTER_MIDNIGHT, ZoneInfo("America/New_York")) == date(2026, 7, 1)
    assert zone_name(SUMMER_MORNING, london) == "BST"
    assert zone_name(datetime(2026, 12, 1, 9, tzinfo=UTC), london) == "GMT"


def test_a_worry_from_the_summer_reads_bst_in_the_winter_queue(
    client: FlaskClient, session: Session, clock: Clock
) -> None:
    """The queue's header named the zone of now (GMT in December) over rows shown in the zone
    of their own day: a worry still open from 20 October read an hour out."""
    clock.set(datetime(2026, 10, 20, 13, 0, tzinfo=UTC))  # 14:00 BST
    school = make_school(session)
    choices = worries.WorryChoices(what="unkind")
    worries.raise_worry(
        session, school.pupil, school.device, "k1", choices, now=utcnow(), base_url=base_url()
    )
    session.commit()
    clock.set(datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    sign_in(client, school.dsl.username)
    page = client.get("/safeguarding/").data.decode()
    assert "20 Oct 14:00 BST" in page
    assert "(GMT)" not in page
