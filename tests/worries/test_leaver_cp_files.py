"""A pupil with a safeguarding record leaves: the team is told, and their child-protection file
is listed to send until it is recorded as sent (KCSIE: within five school days of the move)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent, AuditTier
from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.pupils.models import Pupil
from classroom.worries import transfer
from classroom.worries.transfer_models import CpTransfer
from tests.app_settings import zone
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_pupil
from tests.worry_helpers import School, follow_ups_due, make_school, triaged_worry

MONDAY = datetime(2027, 3, 8, 10, 0, tzinfo=UTC)  # GMT: the school's day is the UTC day
PHRASE = "harbour violin pepper seventeen"
TO_SEND = "/safeguarding/cp-files/to-send"


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    """Amira, with a child-protection worry; Ben, in her class, with no record at all."""
    clock.set(MONDAY)
    school = make_school(session)
    triaged_worry(session, school, child_protection=True)
    make_pupil(session, school.oak, first_name="Ben", last_name="Taylor", home_lessons=0)
    session.commit()
    return school


def _ben(session: Session) -> Pupil:
    return session.scalars(select(Pupil).where(Pupil.first_name == "Ben")).one()


def _words(text: str, between: str = " ") -> str:
    """The text a person reads; `between` is put where each tag was."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", between, text))).strip()


def _leaves(app: Flask, who: Account, pupil: Pupil, answer: str = "left") -> None:
    office = client_for(app, who)
    assert office.post(f"/pupils/{pupil.id}/leaving", data={"answer": answer}).status_code == 302


def _still_to_send(browser: FlaskClient) -> list[str]:
    """The rows of the list, as a person reads them."""
    page = browser.get(TO_SEND)
    assert page.status_code == 200
    section = page.get_data(as_text=True).split('id="due-h"')[1].split("</section>")[0]
    return [_words(row) for row in re.findall(r"<tr id=.*?</tr>", section, re.DOTALL)]


def _export(app: Flask, session: Session, school: School) -> CpTransfer:
    made = transfer.export_file(
        session, school.dsl, school.pupil, PHRASE, utcnow(), Path(app.instance_path), 10
    )
    session.commit()
    return made.transfer


def _sent(session: Session, school: School, made: CpTransfer, on: date) -> None:
    transfer.record_sent(
        session, school.dsl, made, on, "Elm School, Ms Green (DSL)", "By hand",
        today=on, zone=zone(),
    )  # fmt: skip
    session.commit()


# --- The team is told, and sees the file is due ------------------------------------------------


def test_a_leaver_with_a_worry_is_listed_with_the_day_they_left_and_how_long_ago(
    app: Flask, clock: Clock, school: School
) -> None:
    dsl = client_for(app, school.dsl)
    assert _still_to_send(dsl) == []
    assert "No child-protection file is waiting to be sent." in _words(dsl.get(TO_SEND).text)
    _leaves(app, school.head, school.pupil)
    [row] = _still_to_send(client_for(app, school.dsl))
    assert row == "Amira Khan 8 Mar 2027 today 1 incident Not made yet"
    assert follow_ups_due(app, school) == [
        "Child-protection file to send: Amira Khan left the school on 8 Mar 2027, today"
    ]
    clock.advance(days=8)  # the Tuesday after next: six school days later
    [row] = _still_to_send(client_for(app, school.dsl))
    assert row == (
        "Amira Khan 8 Mar 2027 8 days ago (6 school days) Late: more than 5 school days "
        "1 incident Not made yet"
    )
    assert follow_ups_due(app, school) == [
        "Child-protection file to send: Amira Khan left the school on 8 Mar 2027, "
        "8 days ago (6 school days) - late"
    ]


def test_school_holidays_are_not_counted_as_school_days(
    app: Flask, clock: Clock, school: School
) -> None:
    """KCSIE's five school days: a leaving just before a holiday is not late during it."""
    app.config["PARENT_HOLIDAYS"] = "2027-03-11..2027-03-19"  # Thursday to the next Friday
    _leaves(app, school.head, school.pupil)
    clock.advance(days=8)  # Tuesday 16 March: six weekdays, but four of them are the holiday
    [row] = _still_to_send(client_for(app, school.dsl))
    assert row == "Amira Khan 8 Mar 2027 8 days ago (2 school days) 1 incident Not made yet"
    assert follow_ups_due(app, school) == [
        "Child-protection file to send: Amira Khan left the school on 8 Mar 2027, "
        "8 days ago (2 school days)"
    ]
    clock.advance(days=13)  # Monday 29 March: 9 and 10 March, then 22 to 29 March
    [row] = _still_to_send(client_for(app, school.dsl))
    assert "21 days ago (8 school days) Late: more than 5 school days" in row


def test_the_dsl_and_deputies_are_emailed_about_every_leaver_naming_nobody(
    app: Flask, session: Session, school: School
) -> None:
    _leaves(app, school.head, school.pupil)
    _leaves(app, school.head, _ben(session))
    emails = session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("pupil-left:"))
    ).all()
    assert sorted(e.to_address for e in emails) == sorted(
        2 * [school.dsl.email, school.deputy.email]
    )
    assert {(e.subject, e.body) for e in emails} == {
        (
            "A pupil has left the school",
            "A pupil has been recorded as having left the school. The designated safeguarding "
            "lead is told of every pupil who leaves.\n\nIf they have a safeguarding record, their "
            "child-protection file must go to their next school's DSL within five school days. "
            f"Please sign in to see the files to send: {app.config['BASE_URL']}{TO_SEND}\n",
        )
    }


def test_a_leaver_with_no_safeguarding_record_is_not_listed(
    app: Flask, session: Session, school: School
) -> None:
    _leaves(app, school.head, _ben(session))
    assert _still_to_send(client_for(app, school.dsl)) == []
    assert follow_ups_due(app, school) == []


# --- Until the file is sent ------------------------------------------------------------------


def test_the_file_stays_listed_until_it_is_recorded_as_sent_then_waits_for_receipt(
    app: Flask, session: Session, school: School
) -> None:
    _leaves(app, school.head, school.pupil)
    made = _export(app, session, school)
    [row] = _still_to_send(client_for(app, school.dsl))
    assert row.endswith("Made 8 Mar 2027; how it was sent is not recorded yet")
    _sent(session, school, made, date(2027, 3, 9))
    dsl = client_for(app, school.dsl)
    assert _still_to_send(dsl) == []
    assert follow_ups_due(app, school) == []
    page = _words(dsl.get(TO_SEND).text, "")
    assert (
        "Sent, waiting for the next school to confirm receipt Amira Khan: sent 9 Mar 2027 to "
        "Elm School, Ms Green (DSL). Record their confirmation when it comes." in page
    )
    transfer.record_receipt(
        session, school.dsl, made, date(2027, 3, 10), "Ms Green", "Email from her", utcnow(),
        today=date(2027, 3, 10),
    )  # fmt: skip
    session.commit()
    page = _words(client_for(app, school.dsl).get(TO_SEND).text, "")
    assert "Sent, waiting for the next school to confirm receipt None." in page


def test_a_file_sent_before_the_leaving_was_recorded_counts(
    app: Flask, session: Session, school: School
) -> None:
    _sent(session, school, _export(app, session, school), date(2027, 3, 8))
    _leaves(app, school.head, school.pupil)
    assert _still_to_send(client_for(app, school.dsl)) == []


def test_a_file_sent_before_the_pupil_came_back_does_not_count_for_the_next_move(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    _leaves(app, school.head, school.pupil)
    _sent(session, school, _export(app, session, school), date(2027, 3, 8))
    clock.advance(days=1)
    _leaves(app, school.head, school.pupil, "back")
    clock.advance(days=30)
    _leaves(app, school.head, school.pupil)
    [row] = _still_to_send(client_for(app, school.dsl))
    assert row.startswith("Amira Khan 8 Apr 2027 today")


# --- Only the safeguarding team ------------------------------------------------------------------


def test_only_the_safeguarding_team_sees_the_list_and_only_the_dsl_and_deputies_send(
    app: Flask, session: Session, school: School
) -> None:
    _leaves(app, school.head, school.pupil)
    admin = make_account(session, Role.ADMIN)
    governor = make_account(session, Role.GOVERNOR)
    session.commit()
    for outsider in (admin, governor, school.teacher):
        assert client_for(app, outsider).get(TO_SEND).status_code in (403, 404)
    link = f'href="/safeguarding/pupils/{school.pupil.id}/cp-file"'
    for sender in (school.dsl, school.deputy):
        assert link in client_for(app, sender).get(TO_SEND).text
    head = client_for(app, school.head).get(TO_SEND).text
    assert "Amira Khan" in head
    assert link not in head
    assert "The DSL or a deputy DSL sends the files." in _words(head)


def test_every_look_at_the_list_is_audited_for_the_team_only(
    app: Flask, session: Session, school: School
) -> None:
    _leaves(app, school.head, school.pupil)
    client_for(app, school.dsl).get(TO_SEND)
    [entry] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "cp_file.to_send_viewed")
    ).all()
    assert (entry.actor_id, entry.summary) == (school.dsl.id, "1 to send, 0 awaiting receipt")
    assert entry.tier == AuditTier.SAFEGUARDING


# --- The leaving page tells nobody else which pupils have a record ------------------------------


def _as_if_ben(text: str, amira: Pupil, ben: Pupil) -> str:
    """A page about Amira with her name and id read as Ben's (and no form token, which
    changes with the moment it is made)."""
    text = re.sub(r'(name="csrf-token" content|name="csrf_token" value)="[^"]*"', r"\1", text)
    for mine, his in (("Amira Khan", "Ben Taylor"), ("Amira", "Ben"), ("Khan", "Taylor")):
        text = text.replace(mine, his)
    text = re.sub(rf"(/pupils/|pupil-){amira.id}\b", rf"\g<1>{ben.id}", text)
    return text.replace(amira.upn, ben.upn)


def test_an_admin_recording_a_leaving_learns_nothing_of_a_safeguarding_record(
    app: Flask, session: Session, school: School
) -> None:
    admin = make_account(session, Role.ADMIN)
    session.commit()
    office = client_for(app, admin)
    amira, ben = school.pupil, _ben(session)
    pages = {}
    for pupil in (amira, ben):
        before = session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
        asked = office.get(f"/pupils/{pupil.id}/leaving").text
        answer = office.post(f"/pupils/{pupil.id}/leaving", data={"answer": "left"})
        after = office.get(answer.headers["Location"]).text
        written = session.scalars(
            select(AuditEvent.action).where(AuditEvent.id > before).order_by(AuditEvent.id)
        ).all()
        pages[pupil.id] = (asked, answer.status_code, after, written)
    asked, status, after, written = pages[amira.id]
    assert "The designated safeguarding lead is told, as for every pupil who leaves." in _words(
        asked
    )
    ben_asked, ben_status, ben_after, _ = pages[ben.id]
    assert _as_if_ben(asked, amira, ben) == _as_if_ben(ben_asked, amira, ben)
    assert status == ben_status
    assert _as_if_ben(after, amira, ben) == _as_if_ben(ben_after, amira, ben)
    assert written == pages[ben.id][3]
    assert not any(action.startswith(("cp_file.", "incident")) for action in written)
