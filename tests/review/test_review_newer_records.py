"""Governors' review and the records added since it was written: a leaver whose child-protection
file went to their next school, a referral reply, and a notice to named carers.

With a leaver or two a year, "the file to Oakwood" is the child who moved there as surely as
their name: the receiving school, its DSL, who confirmed receipt, and the school a file came from
never reach the governors' page. Nor do the leaver's day, a referral's reply, or the carers told.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.pupils.models import Pupil
from classroom.review.services import _scrubber
from classroom.worries.models import (
    Agency,
    Category,
    Incident,
    IncidentEntry,
    IncidentPupil,
    PupilRole,
    Referral,
    Risk,
    Source,
    Status,
)
from classroom.worries.transfer import Corrected, correct_sent
from classroom.worries.transfer_models import CpTransfer, ReceivedFile
from tests import corpora
from tests.conftest import client_for
from tests.factories import link_parent, make_account, make_class, make_pupil

LESSON = (
    "The file to Oakwood Academy went late: Mrs Patel at Oakwood's office and Jane chased it. "
    "Dev confirmed, Raman signed. Sandra Okafor was told by notice. "
    "St Bede's sent theirs on time. "
    "Amira left on 3 Dec; new staff check the park and Green Lane rules."
)
SCRUBBED = (
    "The file to [name] Academy went late: Mrs [name] at [name]'s office and [name] chased it. "
    "[name] confirmed, [name] signed. [name] [name] was told by notice. "
    "St [name]'s sent theirs on time. "
    "[name] left on [date]; new staff check the park and Green Lane rules."
)
# Whatever the review shows, none of these may be in it.
IDENTIFYING = (
    "Oakwood", "Patel", "Jane", "Raman", "Okafor", "Sandra", "Bede", "Amira", "Khan", "3 Dec",
    "Ms Lopez", "Hollins", "Social worker", "CS-2026",
)  # fmt: skip


@dataclass
class Leaver:
    pupil: Pupil
    incident: Incident
    dsl: Account
    transfer: CpTransfer
    received: ReceivedFile


def _records(session: Session) -> Leaver:
    """A leaver whose file went to Oakwood Academy, one who came from St Bede's, a referral
    reply naming the social worker, and a notice delivered to named carers."""
    oak = make_class(session, name="Oak")
    now = utcnow()
    today = now.date()
    amira = make_pupil(
        session, oak, first_name="Amira", last_name="Khan", active=False, left_on=today
    )
    newcomer = make_pupil(session, oak, first_name="Tariq", last_name="Mensah")
    dsl = make_account(session, Role.DSL, display_name="Ms Lopez")
    mum = make_account(session, Role.PARENT, display_name="Sandra Okafor")
    link_parent(session, mum, amira)
    incident = Incident(
        school_id=amira.school_id,
        idempotency_key=str(uuid.uuid4()),
        source=Source.STAFF,
        status=Status.CLOSED,
        created_at=now - timedelta(hours=2),
        acknowledged_at=now - timedelta(hours=1),
        closed_at=now,
        category=Category.WELLBEING,
        risk=Risk.MEDIUM,
        child_protection=True,
        outcome="Social worker Ms Hollins took it on; file went to Oakwood.",
        lessons_learnt=LESSON,
    )
    session.add(incident)
    session.flush()
    session.add_all(
        [
            IncidentPupil(incident_id=incident.id, pupil_id=amira.id, role=PupilRole.AFFECTED),
            IncidentEntry(
                incident_id=incident.id,
                at=now,
                kind="parents_delivered",
                text="Notice seen by Sandra Okafor",
                reason="Mum asked to be told",
                author_id=dsl.id,
            ),
            Referral(
                incident_id=incident.id,
                agency=Agency.CHILDRENS_SERVICES,
                reference="CS-2026-0417",
                made_at=now,
                made_by_id=dsl.id,
                follow_up_on=today,
                replied_on=today,
                acknowledged_at=now,
                outcome="Social worker Ms Hollins visits Amira at home",
            ),
        ]
    )
    transfer = CpTransfer(
        school_id=amira.school_id,
        pupil_id=amira.id,
        exported_at=now,
        exported_by_id=dsl.id,
        package_sha256="0" * 64,
        incidents=1,
        attachments=0,
        sent_on=today,
        sent_to="Oakwood Academy, Mrs Jane Patel (DSL)",
        sent_method="secure email to their DSL",
        sent_recorded_by_id=dsl.id,
        received_on=today,
        received_by_name="Dev Raman",
        receipt_method="signed receipt slip",
        receipt_recorded_by_id=dsl.id,
        receipt_recorded_at=now,
    )
    received = ReceivedFile(
        school_id=amira.school_id,
        pupil_id=newcomer.id,
        from_school="St Bede's Catholic Primary School",
        exported_at=now,
        imported_at=now,
        imported_by_id=dsl.id,
        package_sha256="1" * 64,
        token=uuid.uuid4().hex,
        sealed_record=b"sealed",
    )
    session.add_all([transfer, received])
    session.flush()
    return Leaver(amira, incident, dsl, transfer, received)


def test_the_next_school_its_staff_and_the_last_school_are_scrubbed(session: Session) -> None:
    leaver = _records(session)
    scrub = _scrubber(session, leaver.pupil.school_id)
    assert scrub(LESSON) == SCRUBBED
    # Words of a school's name that name no school, and English words, stay for governors.
    assert scrub("The school and the academy; a green lane by the park.") == (
        "The school and the academy; a green lane by the park."
    )


def test_a_school_named_in_english_words_is_found_but_the_words_stay(session: Session) -> None:
    leaver = _records(session)
    leaver.transfer.sent_to = "Green Lane School (Ms Li, DSL)"
    leaver.received.from_school = "Park Academy"
    session.flush()
    scrub = _scrubber(session, leaver.pupil.school_id)
    assert scrub("Green Lane and GREEN LANE had the file; Ms Li took it; Park said thanks.") == (
        "[name] and [name] had the file; Ms [name] took it; [name] said thanks."
    )
    assert scrub("A green lane by the park; new staff read it in the lane.") == (
        "A green lane by the park; new staff read it in the lane."
    )


def test_a_school_recorded_first_and_corrected_later_is_still_scrubbed(session: Session) -> None:
    leaver = _records(session)
    wrong = "Birchwood High School, Mr Tom Okafor (DSL)"
    correct_sent(
        session,
        leaver.dsl,
        leaver.transfer,
        Corrected(None, wrong, None, "Typed the wrong school."),
        utcnow(),
        today=leaver.transfer.sent_on,
        zone=ZoneInfo("Europe/London"),
    )
    correct_sent(
        session,
        leaver.dsl,
        leaver.transfer,
        Corrected(None, "Oakwood Academy, Mrs Jane Patel (DSL)", None, "Put it back."),
        utcnow(),
        today=leaver.transfer.sent_on,
        zone=ZoneInfo("Europe/London"),
    )
    session.flush()
    scrub = _scrubber(session, leaver.pupil.school_id)
    assert scrub("Birchwood were sent it first; Tom Okafor rang.") == (
        "[name] were sent it first; [name] rang."
    )


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.SENIOR_LEADER])
@pytest.mark.parametrize("page", ["/safeguarding/review/", "/safeguarding/review/termly"])
def test_the_review_of_a_leaver_with_a_sent_file_names_nobody_and_no_school(
    app: Flask, session: Session, role: Role, page: str
) -> None:
    _records(session)
    reader = make_account(session, role)
    session.commit()
    response = client_for(app, reader).get(page)
    assert response.status_code == 200
    words = re.sub(r"<[^>]+>", " ", response.data.decode())
    for leak in IDENTIFYING:
        assert leak not in words, leak
    assert SCRUBBED.replace("'", "&#39;") in response.data.decode()


def _paths(app: Flask, leaver: Leaver) -> list[str]:
    """Every GET page of the safeguarding records, the files sent and received, evidence and
    carers, with the ids of real records filled in."""
    ids = {
        "incident_id": leaver.incident.id,
        "pupil_id": leaver.pupil.id,
        "transfer_id": leaver.transfer.id,
        "received_id": leaver.received.id,
        "file_id": 1,
        "attachment_id": 1,
        "account_id": leaver.dsl.id,  # a colleague's work to reassign (work_held)
    }
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.rule.startswith("/safeguarding/review/"):
            continue
        if rule.rule.startswith(("/safeguarding", "/parents/")) and rule.rule != "/parents/":
            paths.append(re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids[m.group(1)]), rule.rule))
    return sorted(paths)


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.SENIOR_LEADER])
def test_governors_and_leaders_cannot_open_the_identifying_pages_by_url(
    app: Flask, session: Session, role: Role
) -> None:
    leaver = _records(session)
    reader = make_account(session, role)
    session.commit()
    client = client_for(app, reader)
    paths = _paths(app, leaver)
    assert f"/safeguarding/pupils/{leaver.pupil.id}/cp-file" in paths
    assert f"/parents/incidents/{leaver.incident.id}/notice" in paths
    assert f"/safeguarding/{leaver.incident.id}/evidence" in paths
    for path in paths:
        assert client.get(path).status_code in (403, 404), path
    # The carers' overview lists no pupil or carer for them.
    overview = client.get("/parents/").data.decode()
    for leak in ("Amira", "Okafor", "Tariq"):
        assert leak not in overview, leak


def test_attack_strings_recorded_as_a_next_school_neither_break_nor_pass_the_review(
    app: Flask, session: Session
) -> None:
    """Whatever was typed as the receiving school (it is free text) becomes a name to find, so
    each must be taken as text, never as a pattern: the page still opens, and a lesson that
    repeats it shows none of it."""
    leaver = _records(session)
    typed = [line[:200] for line in corpora.lines("xss.txt") + corpora.lines("sqli.txt")]
    for text in typed:
        session.add(
            CpTransfer(
                school_id=leaver.pupil.school_id,
                pupil_id=leaver.pupil.id,
                exported_at=utcnow(),
                exported_by_id=leaver.dsl.id,
                package_sha256="2" * 64,
                incidents=1,
                attachments=0,
                sent_to=text,
            )
        )
    leaver.incident.lessons_learnt = "Sent to " + typed[0] + "; " + typed[-1]
    reader = make_account(session, Role.GOVERNOR)
    session.commit()
    response = client_for(app, reader).get("/safeguarding/review/")
    assert response.status_code == 200
    page = response.data.decode()
    register = page[page.index("<h2>Lessons learnt</h2>") :]
    assert "<script" not in register.lower()
    assert "Sent to [name]" in register
