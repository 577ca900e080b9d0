"""The record of when a child-protection file was sent, and when its receipt was confirmed, is a
statutory record: a day before the file was made, before it was sent, or still to come is
refused with the reason on the box; and a second post (a double tap, a retry, an old page) never
changes what is on record or audits it twice."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom.audit.models import AuditEvent
from classroom.worries.transfer_models import CpTransfer
from tests.conftest import Clock, client_for
from tests.worries.cp_file_helpers import ELM_DSL, make_file, on_record, school_with_cp_worry
from tests.worry_helpers import School

TUESDAY = datetime(2027, 3, 9, 10, 0, tzinfo=UTC)  # GMT: the school's day is the UTC day
SENT = {"sent_on": "2027-03-09", "sent_to": ELM_DSL, "method": "By hand"}
RECEIPT = {"received_on": "2027-03-09", "name": "Ms Green", "method": "Signed slip"}


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    return school_with_cp_worry(session, clock, on=TUESDAY)


@pytest.fixture
def made(app: Flask, session: Session, school: School) -> CpTransfer:
    """The file, made on Tuesday 9 March 2027."""
    return make_file(app, session, school)


@pytest.fixture
def dsl(app: Flask, school: School) -> FlaskClient:
    return client_for(app, school.dsl)


def _post(dsl: FlaskClient, made: CpTransfer, what: str, data: dict[str, str]) -> TestResponse:
    return dsl.post(f"/safeguarding/cp-transfers/{made.id}/{what}", data=data)


def _recorded(answer: TestResponse, made: CpTransfer) -> None:
    """Back to the file's page, at the file: recorded (not, say, sent to sign in again)."""
    assert answer.status_code == 302
    assert answer.location.endswith(f"/cp-file#t{made.id}")


def _error_on(page: str, box: str) -> str:
    found = re.search(rf'<p class="error" id="{re.escape(box)}-error">(.*?)</p>', page)
    assert found, f"no error on {box}"
    return found.group(1)


def _audited(session: Session, action: str) -> int:
    return session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def test_a_file_cannot_be_recorded_as_sent_before_it_was_made(
    session: Session, dsl: FlaskClient, made: CpTransfer
) -> None:
    answer = _post(dsl, made, "sent", SENT | {"sent_on": "2027-03-08"})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert _error_on(page, "sent_on") == (
        "The file was made on 9 Mar 2027: it cannot have been sent before then."
    )
    assert 'value="2027-03-08"' in page  # what was typed is kept
    assert f'value="{ELM_DSL}"' in page
    assert on_record(session, made) == (None,) * 6


def test_the_day_made_is_the_school_day_not_the_utc_day(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    clock.set(datetime(2027, 6, 1, 23, 30, tzinfo=UTC))  # 00:30 BST on Wednesday 2 June
    made = make_file(app, session, school)
    dsl = client_for(app, school.dsl)
    answer = _post(dsl, made, "sent", SENT | {"sent_on": "2027-06-01"})
    assert answer.status_code == 400
    assert "The file was made on 2 Jun 2027" in _error_on(answer.get_data(as_text=True), "sent_on")
    _recorded(_post(dsl, made, "sent", SENT | {"sent_on": "2027-06-02"}), made)


def test_a_file_cannot_be_recorded_as_sent_on_a_day_to_come(
    session: Session, dsl: FlaskClient, made: CpTransfer
) -> None:
    answer = _post(dsl, made, "sent", SENT | {"sent_on": "2027-03-10"})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert _error_on(page, "sent_on") == "That date has not come yet."
    assert 'value="2027-03-10"' in page
    assert on_record(session, made) == (None,) * 6


def test_receipt_cannot_be_before_the_file_was_sent_nor_on_a_day_to_come(
    app: Flask, session: Session, clock: Clock, school: School, made: CpTransfer
) -> None:
    clock.set(datetime(2027, 3, 12, 10, 0, tzinfo=UTC))  # Friday
    dsl = client_for(app, school.dsl)
    _recorded(_post(dsl, made, "sent", SENT | {"sent_on": "2027-03-10"}), made)
    box = f"received_on-t{made.id}"
    early = _post(dsl, made, "receipt", RECEIPT)  # 9 March: the day before it went
    assert early.status_code == 400
    page = early.get_data(as_text=True)
    assert _error_on(page, box) == "It was sent on 10 Mar 2027: receipt cannot be before then."
    assert 'value="2027-03-09"' in page
    assert 'value="Ms Green"' in page
    later = _post(dsl, made, "receipt", RECEIPT | {"received_on": "2027-03-13"})
    assert later.status_code == 400
    assert _error_on(later.get_data(as_text=True), box) == "That date has not come yet."
    assert on_record(session, made)[3:] == (None, None, None)


def test_sending_posted_again_changes_nothing_and_other_details_are_refused(
    session: Session, dsl: FlaskClient, made: CpTransfer
) -> None:
    _recorded(_post(dsl, made, "sent", SENT), made)
    recorded = on_record(session, made)
    assert recorded[:3] == (date(2027, 3, 9), ELM_DSL, "By hand")

    _recorded(_post(dsl, made, "sent", SENT), made)  # a double tap, or a retry
    assert on_record(session, made) == recorded
    assert _audited(session, "cp_file.sent_recorded") == 1

    other = _post(dsl, made, "sent", SENT | {"sent_to": "Oak School", "method": "Email"})
    assert other.status_code == 409
    assert (
        f"This was already recorded as sent on 9 Mar 2027 to {ELM_DSL}: nothing was changed."
        in other.get_data(as_text=True)
    )
    assert on_record(session, made) == recorded
    assert _audited(session, "cp_file.sent_recorded") == 1
    assert _audited(session, "cp_file.sent_refused") == 1  # kept through the 409


def test_receipt_posted_again_changes_nothing_and_other_details_are_refused(
    session: Session, dsl: FlaskClient, made: CpTransfer
) -> None:
    _recorded(_post(dsl, made, "sent", SENT), made)
    _recorded(_post(dsl, made, "receipt", RECEIPT), made)
    recorded = on_record(session, made)
    assert recorded[3:] == (date(2027, 3, 9), "Ms Green", "Signed slip")

    _recorded(_post(dsl, made, "receipt", RECEIPT), made)
    assert on_record(session, made) == recorded
    assert _audited(session, "cp_file.receipt_recorded") == 1

    other = _post(dsl, made, "receipt", RECEIPT | {"name": "Mr Brown"})
    assert other.status_code == 409
    assert (
        "Receipt was already recorded as confirmed on 9 Mar 2027 by Ms Green: nothing was "
        "changed." in other.get_data(as_text=True)
    )
    assert on_record(session, made) == recorded
    assert _audited(session, "cp_file.receipt_recorded") == 1
    assert _audited(session, "cp_file.receipt_refused") == 1
