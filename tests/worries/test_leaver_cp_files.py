"""A pupil with a safeguarding record leaves: the team is told, and their child-protection file
is listed to send until it is recorded as sent (KCSIE: within five school days of the move)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent, AuditTier
from classroom.outbox.models import OutboxMessage
from classroom.pupils.models import Pupil
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_pupil
from tests.worries.cp_file_helpers import (
    ELM_DSL,
    TO_SEND,
    leaves,
    make_file,
    record_receipt,
    record_sent,
    school_with_cp_worry,
    send_file,
    still_to_send,
    words,
)
from tests.worry_helpers import School, follow_ups_due


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    """Amira, with a child-protection worry; Ben, in her class, with no record at all."""
    school = school_with_cp_worry(session, clock)
    make_pupil(session, school.oak, first_name="Ben", last_name="Taylor", home_lessons=0)
    session.commit()
    return school


def _ben(session: Session) -> Pupil:
    return session.scalars(select(Pupil).where(Pupil.first_name == "Ben")).one()


# --- The team is told, and sees the file is due ------------------------------------------------


def test_a_leaver_with_a_worry_is_listed_with_the_day_they_left_and_how_long_ago(
    app: Flask, clock: Clock, school: School
) -> None:
    dsl = client_for(app, school.dsl)
    assert still_to_send(dsl) == []
    assert "No child-protection file is waiting to be sent." in words(dsl.get(TO_SEND).text)
    leaves(app, school.head, school.pupil)
    [row] = still_to_send(client_for(app, school.dsl))
    assert row == "Amira Khan 8 Mar 2027 today 1 incident Not made yet"
    assert follow_ups_due(app, school) == [
        "Child-protection file to send: Amira Khan left the school on 8 Mar 2027, today"
    ]
    clock.advance(days=8)  # the Tuesday after next: six school days later
    [row] = still_to_send(client_for(app, school.dsl))
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
    leaves(app, school.head, school.pupil)
    clock.advance(days=8)  # Tuesday 16 March: six weekdays, but four of them are the holiday
    [row] = still_to_send(client_for(app, school.dsl))
    assert row == "Amira Khan 8 Mar 2027 8 days ago (2 school days) 1 incident Not made yet"
    assert follow_ups_due(app, school) == [
        "Child-protection file to send: Amira Khan left the school on 8 Mar 2027, "
        "8 days ago (2 school days)"
    ]
    clock.advance(days=13)  # Monday 29 March: 9 and 10 March, then 22 to 29 March
    [row] = still_to_send(client_for(app, school.dsl))
    assert "21 days ago (8 school days) Late: more than 5 school days" in row


def test_the_dsl_and_deputies_are_emailed_about_every_leaver_naming_nobody(
    app: Flask, session: Session, school: School
) -> None:
    leaves(app, school.head, school.pupil)
    leaves(app, school.head, _ben(session))
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
    leaves(app, school.head, _ben(session))
    assert still_to_send(client_for(app, school.dsl)) == []
    assert follow_ups_due(app, school) == []


# --- Until the file is sent ------------------------------------------------------------------


def test_the_file_stays_listed_until_it_is_recorded_as_sent_then_waits_for_receipt(
    app: Flask, session: Session, school: School
) -> None:
    leaves(app, school.head, school.pupil)
    made = make_file(app, session, school)
    [row] = still_to_send(client_for(app, school.dsl))
    assert row.endswith("Made 8 Mar 2027; how it was sent is not recorded yet")
    record_sent(session, school, made, date(2027, 3, 9), ELM_DSL)
    dsl = client_for(app, school.dsl)
    assert still_to_send(dsl) == []
    assert follow_ups_due(app, school) == []
    page = words(dsl.get(TO_SEND).text, "")
    assert (
        "Sent, waiting for the next school to confirm receipt Amira Khan: sent 9 Mar 2027 to "
        "Elm School, Ms Green (DSL). Record their confirmation when it comes." in page
    )
    record_receipt(session, school, made, date(2027, 3, 10))
    page = words(client_for(app, school.dsl).get(TO_SEND).text, "")
    assert "Sent, waiting for the next school to confirm receipt None." in page


def test_a_file_sent_before_the_leaving_was_recorded_counts(
    app: Flask, session: Session, school: School
) -> None:
    send_file(app, session, school, date(2027, 3, 8), ELM_DSL)
    leaves(app, school.head, school.pupil)
    assert still_to_send(client_for(app, school.dsl)) == []


def test_a_file_sent_before_the_pupil_came_back_does_not_count_for_the_next_move(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    leaves(app, school.head, school.pupil)
    send_file(app, session, school, date(2027, 3, 8), ELM_DSL)
    clock.advance(days=1)
    leaves(app, school.head, school.pupil, "back")
    clock.advance(days=30)
    leaves(app, school.head, school.pupil)
    [row] = still_to_send(client_for(app, school.dsl))
    assert row.startswith("Amira Khan 8 Apr 2027 today")


# --- Only the safeguarding team ------------------------------------------------------------------


def test_only_the_safeguarding_team_sees_the_list_and_only_the_dsl_and_deputies_send(
    app: Flask, session: Session, school: School
) -> None:
    leaves(app, school.head, school.pupil)
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
    assert "The DSL or a deputy DSL sends the files." in words(head)


def test_every_look_at_the_list_is_audited_for_the_team_only(
    app: Flask, session: Session, school: School
) -> None:
    leaves(app, school.head, school.pupil)
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
    assert "The designated safeguarding lead is told, as for every pupil who leaves." in words(
        asked
    )
    ben_asked, ben_status, ben_after, _ = pages[ben.id]
    assert _as_if_ben(asked, amira, ben) == _as_if_ben(ben_asked, amira, ben)
    assert status == ben_status
    assert _as_if_ben(after, amira, ben) == _as_if_ben(ben_after, amira, ben)
    assert written == pages[ben.id][3]
    assert not any(action.startswith(("cp_file.", "incident")) for action in written)
