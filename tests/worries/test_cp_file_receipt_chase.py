"""A leaver's child-protection file has gone, and the next school has not confirmed receipt: after
five school days the team's queue says to ask them, and the list of files marks it (KCSIE: the
sending school gets confirmation of receipt)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Table
from sqlalchemy.orm import Session

from classroom import policy
from classroom.db import utcnow
from classroom.worries.models import Incident
from classroom.worries.queue import RECENTLY_CLOSED
from classroom.worries.queue import follow_ups_due as queue_follow_ups
from classroom.worries.transfer_models import CpTransfer
from tests.conftest import Clock, client_for
from tests.history import copies, sqlite_only
from tests.worries.cp_file_helpers import (
    ELM_DSL,
    TO_SEND,
    amira_has_left,
    list_and_queue_steps,
    make_file,
    record_receipt,
    send_file,
    to_send_items,
    triage_and_close,
    worry_of_another_pupil,
)
from tests.worry_helpers import School, follow_ups_due

CHASE = (
    "Receipt to chase: Amira Khan's child-protection file went to Elm School, Ms Green (DSL) on "
    "9 Mar 2027, 6 school days ago: no receipt yet - ask them to confirm"
)
INCIDENTS: Table = Incident.__table__  # type: ignore[assignment]
MARK = "Chase: no receipt after 5 school days"


@pytest.fixture
def school(app: Flask, session: Session, clock: Clock) -> School:
    """Amira, with a child-protection worry, left on Monday 8 March; her file went on Tuesday."""
    return amira_has_left(app, session, clock)


@pytest.fixture
def sent(app: Flask, session: Session, school: School) -> CpTransfer:
    return send_file(app, session, school, date(2027, 3, 9), ELM_DSL)


def _awaiting(browser: FlaskClient) -> list[str]:
    """The to-send page's files waiting for receipt, as a person reads them."""
    return to_send_items(browser, "receipt-h", r"<li.*?</li>")


def test_no_chase_until_more_than_five_school_days_have_passed(
    app: Flask, clock: Clock, school: School, sent: CpTransfer
) -> None:
    clock.advance(days=8)  # Tuesday 16 March: 10, 11, 12, 15 and 16 March, five school days
    assert follow_ups_due(app, school) == []
    [row] = _awaiting(client_for(app, school.dsl))
    assert MARK not in row

    clock.advance(days=1)  # Wednesday 17 March: the sixth
    assert follow_ups_due(app, school) == [CHASE]
    [row] = _awaiting(client_for(app, school.dsl))
    assert row.endswith(f"Record their confirmation when it comes. {MARK}")
    queue = client_for(app, school.dsl).get("/safeguarding/").text
    assert f'href="{TO_SEND}#t{sent.id}">Receipt to chase</a>' in queue


@pytest.mark.usefixtures("sent")
def test_school_holidays_are_not_counted(app: Flask, clock: Clock, school: School) -> None:
    app.config["PARENT_HOLIDAYS"] = "2027-03-15..2027-03-16"  # Monday and Tuesday
    clock.advance(days=10)  # Thursday 18 March: eight weekdays, two of them the holiday
    assert follow_ups_due(app, school) == []
    assert MARK not in _awaiting(client_for(app, school.dsl))[0]

    clock.advance(days=1)  # Friday 19 March: the sixth school day
    assert follow_ups_due(app, school) == [CHASE]
    assert MARK in _awaiting(client_for(app, school.dsl))[0]


def test_the_chase_goes_once_receipt_is_recorded(
    app: Flask, session: Session, clock: Clock, school: School, sent: CpTransfer
) -> None:
    clock.advance(days=9)
    assert follow_ups_due(app, school) == [CHASE]
    record_receipt(session, school, sent, date(2027, 3, 17))
    assert follow_ups_due(app, school) == []
    assert _awaiting(client_for(app, school.dsl)) == []  # "None."


@pytest.mark.usefixtures("sent")
def test_only_the_team_is_told(app: Flask, session: Session, clock: Clock, school: School) -> None:
    clock.advance(days=9)
    today, holidays = utcnow().date(), frozenset[date]()
    deputy = policy.visible_incidents(school.deputy)
    team = queue_follow_ups(session, deputy, today, holidays, receipts=True)
    assert [f.what for f in team] == [CHASE.removeprefix("Receipt to chase: ")]
    teacher = policy.visible_incidents(school.teacher)
    assert queue_follow_ups(session, teacher, today, holidays, receipts=True) == []
    # The head works the queue but neither sends files nor records their receipt: the chase
    # would lead her to a page with nothing on it to do.
    head = client_for(app, school.head).get("/safeguarding/").get_data(as_text=True)
    assert "Receipt to chase" not in head
    assert "ask them to confirm" not in head
    ms_lopez = client_for(app, school.teacher)
    assert ms_lopez.get("/safeguarding/").status_code in (403, 404)
    assert ms_lopez.get(TO_SEND).status_code in (403, 404)


@sqlite_only
@pytest.mark.usefixtures("sent")
def test_years_of_history_cost_the_chase_nothing_more(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    """The chase is read from the files awaiting receipt and Amira's own links: thousands of
    other pupils' closed incidents are never read to say so."""
    other = worry_of_another_pupil(session, school)
    triage_and_close(session, school, other)
    clock.advance(days=9)
    copies(session, INCIDENTS, other.id, RECENTLY_CLOSED)  # the queue's "Recently closed" full
    dsl = client_for(app, school.dsl)
    before = list_and_queue_steps(app, dsl)
    copies(session, INCIDENTS, other.id, 3_000)
    assert list_and_queue_steps(app, dsl) == before
    assert follow_ups_due(app, school) == [CHASE]


def test_a_sent_files_receipt_can_still_be_recorded_after_a_new_file_is_made(
    app: Flask, session: Session, clock: Clock, school: School, sent: CpTransfer
) -> None:
    """News came before the receipt: the DSL made a new file, and then the next school
    confirmed the first. The list sends her to that file, which still takes its receipt."""
    make_file(app, session, school)
    clock.advance(days=9)
    dsl = client_for(app, school.dsl)
    page = dsl.get(f"/safeguarding/pupils/{school.pupil.id}/cp-file").get_data(as_text=True)
    first = page.split(f'id="t{sent.id}"')[1].split("</article>")[0]
    assert "Record their confirmation of receipt" in first
    assert len(re.findall(r' id="received_on', page)) == 1  # every id once (axe)
    receipt = {"received_on": "2027-03-17", "name": "Ms Green", "method": "Email from her"}
    answer = dsl.post(f"/safeguarding/cp-transfers/{sent.id}/receipt", data=receipt)
    assert answer.status_code == 302
    assert follow_ups_due(app, school) == []
    assert _awaiting(dsl) == []


def test_an_empty_receipt_for_an_older_file_is_shown_on_that_file_with_what_was_typed(
    app: Flask, session: Session, school: School, sent: CpTransfer
) -> None:
    newer = send_file(app, session, school, date(2027, 3, 10), "Oak School")
    dsl = client_for(app, school.dsl)
    answer = dsl.post(f"/safeguarding/cp-transfers/{sent.id}/receipt", data={"name": "Ms Green"})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    older = page.split(f'id="t{sent.id}"')[1].split("</article>")[0]
    newest = page.split(f'id="t{newer.id}"')[1].split("</article>")[0]
    assert "Give the date." in older
    assert 'value="Ms Green"' in older
    assert "Give the date." not in newest
    assert "Ms Green" not in newest
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
