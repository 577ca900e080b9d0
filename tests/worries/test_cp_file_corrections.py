"""A DSL who recorded a file's sending or receipt with the wrong day, school or name corrects it
on the file's page as a deliberate act with a reason: the record then says the corrected
details, and what it said before, who corrected it, when and why stay on the page for good."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.db import make_engine
from classroom.migrate import upgrade
from classroom.worries.transfer_models import CpTransfer, CpTransferCorrection
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_class, make_pupil
from tests.factories import make_school as make_other_school
from tests.worries.cp_file_helpers import make_file, on_record, school_with_cp_worry
from tests.worry_helpers import School

TUESDAY = datetime(2027, 3, 9, 10, 0, tzinfo=UTC)  # GMT: the school's day is the UTC day
FRIDAY = datetime(2027, 3, 12, 10, 0, tzinfo=UTC)
TO = "Elm School, Ms Green (DSL)"
SENT = {"sent_on": "2027-03-10", "sent_to": TO, "method": "By hand"}
RECEIPT = {"received_on": "2027-03-11", "name": "Ms Green", "method": "Signed slip"}
WHY = "I typed the school she was first going to"


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    return school_with_cp_worry(session, clock, on=TUESDAY)


@pytest.fixture
def made(app: Flask, session: Session, clock: Clock, school: School) -> CpTransfer:
    """The file, made on Tuesday 9 March 2027; it is now Friday 12 March."""
    made = make_file(app, session, school)
    clock.set(FRIDAY)
    return made


@pytest.fixture
def dsl(app: Flask, school: School, made: CpTransfer) -> FlaskClient:  # noqa: ARG001 - signed in on Friday
    return client_for(app, school.dsl)


def _post(dsl: FlaskClient, made: CpTransfer, what: str, data: dict[str, str]) -> TestResponse:
    return dsl.post(f"/safeguarding/cp-transfers/{made.id}/{what}", data=data)


def _sent(dsl: FlaskClient, made: CpTransfer, receipt: bool = False) -> None:
    assert _post(dsl, made, "sent", SENT).location.endswith(f"/cp-file#t{made.id}")
    if receipt:
        assert _post(dsl, made, "receipt", RECEIPT).location.endswith(f"/cp-file#t{made.id}")


def _page(dsl: FlaskClient, school: School) -> str:
    return dsl.get(f"/safeguarding/pupils/{school.pupil.id}/cp-file").get_data(as_text=True)


def _corrections(session: Session) -> list[CpTransferCorrection]:
    session.expire_all()
    return list(session.scalars(select(CpTransferCorrection).order_by(CpTransferCorrection.id)))


def _audited(session: Session, action: str) -> int:
    return session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0


def _error_on(page: str, box: str) -> str:
    found = re.search(rf'<p class="error" id="{re.escape(box)}-error">(.*?)</p>', page)
    assert found, f"no error on {box}"
    return found.group(1)


def _fix_form(page: str, made: CpTransfer, part: str) -> str:
    start = page.index(f'id="t{made.id}-fix-{part}"')
    return page[start : page.index("</details>", start)]


def test_a_sending_to_the_wrong_school_is_corrected_and_what_it_said_stays_on_the_page(
    session: Session, dsl: FlaskClient, school: School, made: CpTransfer
) -> None:
    _sent(dsl, made)
    form = _fix_form(_page(dsl, school), made, "sent")
    assert "Correct this sending" in form
    assert f"On record now: date 10 Mar 2027; to {TO}; how: By hand." in form
    boxes = re.findall(r'<(?:input|textarea)[^>]*name="(?!csrf_token)[^>]*>[^<]*', form)
    assert len(boxes) == 4
    assert all(re.search(r'value="[^"]|>\S', box) is None for box in boxes)  # all empty
    answer = _post(
        dsl, made, "sent/correction", {"who": "Birch School, Mr Ash (DSL)", "reason": WHY}
    )
    assert answer.status_code == 302
    assert answer.location.endswith(f"/cp-file#t{made.id}")
    assert on_record(session, made)[:3] == (
        date(2027, 3, 10),
        "Birch School, Mr Ash (DSL)",
        "By hand",
    )
    page = _page(dsl, school)
    assert "Sent</strong> 10 Mar 2027 to Birch School, Mr Ash (DSL) &ndash; By hand" in page
    said = f"sent 10 Mar 2027 to {TO} &ndash; By hand"
    assert f"by Mr Bell. Before, it said: {said}. Reason: {WHY}</li>" in page
    assert "Corrected Fri 12 Mar 2027, 10:00 GMT by Mr Bell." in page
    [kept] = _corrections(session)
    assert (kept.part, kept.old_who, kept.new_who, kept.reason) == (
        "sent",
        TO,
        "Birch School, Mr Ash (DSL)",
        WHY,
    )
    assert (kept.corrected_by_id, kept.corrected_at) == (school.dsl.id, FRIDAY)
    assert _audited(session, "cp_file.sent_corrected") == 1


def test_a_receipt_is_corrected_twice_and_each_correction_is_kept(
    session: Session, dsl: FlaskClient, school: School, made: CpTransfer
) -> None:
    _sent(dsl, made, receipt=True)
    first = {"on": "2027-03-12", "reason": "The slip is dated Friday"}
    assert _post(dsl, made, "receipt/correction", first).status_code == 302
    second = {"who": "Mr Ash", "method": "Email from their deputy DSL", "reason": "Wrong slip"}
    assert _post(dsl, made, "receipt/correction", second).status_code == 302
    assert on_record(session, made)[3:] == (
        date(2027, 3, 12),
        "Mr Ash",
        "Email from their deputy DSL",
    )
    page = _page(dsl, school)
    before = "Before, it said: confirmed {} Mar 2027 by Ms Green &ndash; Signed slip. Reason: "
    assert before.format(11) + "The slip is dated" in page
    assert before.format(12) + "Wrong slip" in page
    olds = [(c.part, c.old_on, c.new_on) for c in _corrections(session)]
    assert olds == [
        ("receipt", date(2027, 3, 11), date(2027, 3, 12)),
        ("receipt", date(2027, 3, 12), date(2027, 3, 12)),
    ]
    assert _audited(session, "cp_file.receipt_corrected") == 2


@pytest.mark.parametrize(
    ("part", "day", "message"),
    [
        ("sent", "2027-03-08", "The file was made on 9 Mar 2027: it cannot have been sent before"),
        ("sent", "2027-03-13", "That date has not come yet."),
        ("sent", "2027-03-12", "Receipt was confirmed on 11 Mar 2027: it cannot have been sent"),
        ("receipt", "2027-03-09", "It was sent on 10 Mar 2027: receipt cannot be before then."),
        ("receipt", "2027-03-13", "That date has not come yet."),
    ],
)
def test_a_corrected_day_follows_the_rules_of_recording_it(
    session: Session,
    dsl: FlaskClient,
    made: CpTransfer,
    part: str,
    day: str,
    message: str,
) -> None:
    _sent(dsl, made, receipt=True)
    before = on_record(session, made)
    answer = _post(dsl, made, f"{part}/correction", {"on": day, "reason": WHY})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert message in _error_on(page, f"fix-{part}-on-t{made.id}")
    assert f'value="{day}"' in _fix_form(page, made, part)  # kept, and the form left open
    assert f'id="t{made.id}-fix-{part}" open' in page
    assert on_record(session, made) == before
    assert _corrections(session) == []
    assert _audited(session, f"cp_file.{part}_corrected") == 0


def test_the_school_day_decides_whether_a_corrected_day_has_come(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    clock.set(datetime(2027, 6, 1, 22, 50, tzinfo=UTC))  # 23:50 BST on Tuesday 1 June
    made = make_file(app, session, school)
    dsl = client_for(app, school.dsl)
    assert _post(dsl, made, "sent", SENT | {"sent_on": "2027-06-01"}).status_code == 302
    clock.set(datetime(2027, 6, 1, 23, 10, tzinfo=UTC))  # 00:10 BST on Wednesday 2 June
    fixed = _post(dsl, made, "sent/correction", {"on": "2027-06-02", "reason": WHY})
    assert fixed.location.endswith(f"/cp-file#t{made.id}")
    assert on_record(session, made)[0] == date(2027, 6, 2)


def test_a_correction_needs_a_reason_and_must_change_something(
    session: Session, dsl: FlaskClient, made: CpTransfer
) -> None:
    _sent(dsl, made)
    unexplained = _post(dsl, made, "sent/correction", {"on": "2027-03-11"})
    assert unexplained.status_code == 400
    box = f"fix-sent-reason-t{made.id}"
    page = unexplained.get_data(as_text=True)
    assert _error_on(page, box) == "Say why it is being corrected."
    # Said at the top too, where the page opens, linked to the box far down the page.
    summary = page.split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert f'<a href="#{box}">Why it is being corrected: Say why it is being corrected.</a>' in (
        summary
    )
    for same in ({}, {"on": "2027-03-10", "who": TO, "method": "By hand"}):
        answer = _post(dsl, made, "sent/correction", same | {"reason": WHY})
        assert answer.status_code == 400
        assert "That is what the record says already: nothing was changed." in (
            answer.get_data(as_text=True)
        )
    assert on_record(session, made)[:3] == (date(2027, 3, 10), TO, "By hand")
    assert _corrections(session) == []


def test_nothing_on_record_yet_cannot_be_corrected(
    session: Session, dsl: FlaskClient, made: CpTransfer
) -> None:
    assert (
        _post(dsl, made, "sent/correction", {"on": "2027-03-10", "reason": WHY}).status_code == 400
    )
    _sent(dsl, made)
    answer = _post(dsl, made, "receipt/correction", {"on": "2027-03-11", "reason": WHY})
    assert answer.status_code == 400
    assert "No receipt is recorded yet: record the receipt instead." in answer.get_data(
        as_text=True
    )
    assert _corrections(session) == []


def test_only_those_who_may_record_the_sending_may_correct_it(
    app: Flask, session: Session, dsl: FlaskClient, school: School, made: CpTransfer
) -> None:
    _sent(dsl, made, receipt=True)
    other = make_other_school(session, name="Another school of the trust")
    make_pupil(session, make_class(session, school=other))
    other_dsl = make_account(session, Role.DSL, school=other)
    session.commit()
    fix = {"who": "Someone else", "reason": WHY}
    for who, status in ((school.teacher, 403), (school.head, 403), (other_dsl, 404)):
        client = client_for(app, who)
        assert _post(client, made, "sent/correction", fix).status_code == status
        assert _post(client, made, "receipt/correction", fix).status_code == status
    assert _corrections(session) == []
    deputy = client_for(app, school.deputy)
    assert _post(deputy, made, "receipt/correction", fix).status_code == 302
    assert _corrections(session)[0].corrected_by_id == school.deputy.id


def test_the_corrections_table_is_added_to_a_database_already_in_use(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "cp_file_transfers_awaiting_index")
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        columns = [
            row[1] for row in conn.execute(text("PRAGMA table_info(cp_file_transfer_corrections)"))
        ]
    engine.dispose()
    assert columns[:4] == ["id", "transfer_id", "part", "old_on"]
    assert "reason" in columns
