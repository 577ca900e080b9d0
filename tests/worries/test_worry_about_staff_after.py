"""A worry about a member of staff, after it is recorded: what still reaches them, and what
reaches the pupil's next school.

Found on a walk: Ms Lopez raised a concern herself ("I lost my temper and pulled Amira's
arm"); the DSL recorded it is about her. Her "My concerns" page still told her it was picked
up, then closed: the progress of a record closed to her.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import localtime
from classroom.audit.models import AuditEvent
from classroom.db import get_session, utcnow
from classroom.worries import services, transfer
from classroom.worries.models import Agency, Category, Incident, Risk
from tests.app_settings import base_url, school_today
from tests.conftest import client_for, sign_in
from tests.worries.test_transfer import PHRASE, export, post_import, receiving
from tests.worry_helpers import School, make_school

__all__ = ["receiving"]  # the second school's instance, a fixture

SELF = "I lost my temper with Amira in the sensory room and pulled her arm."
OUTCOME = "Referred to the LADO; Ms Lopez is not working with Amira while it is looked into."


def _concern(session: Session, school: School, summary: str = SELF) -> Incident:
    data = services.ConcernInput(school.pupil.id, summary, "speech", "She said ow", None)
    incident = services.raise_concern(
        session, school.teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
    )
    session.commit()
    return incident


def _text(page: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def _worked_and_closed(session: Session, school: School, incident: Incident) -> None:
    """The DSL records it is about Ms Lopez, gives it to the head and closes it."""
    now = utcnow()
    services.set_subject_staff(
        session, school.dsl, incident, school.teacher.id, now=now, base_url=base_url()
    )
    triage = services.Triage(Category.OTHER, Risk.HIGH, "An adult hurt her", True, school.head.id)
    services.triage(session, school.dsl, incident, triage, now=now)
    services.close(
        session, school.head, incident, OUTCOME, "Team-teach refresher for all staff",
        keep_carers_held=False, carers_reason="Told by the head", now=now,
    )  # fmt: skip
    session.commit()


def test_my_concern_about_myself_shows_only_that_it_was_passed_on(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    mine = _concern(session, school)
    other = _concern(session, school, "Amira said a man online asked for photos.")
    lopez = client_for(app, school.teacher)
    assert "Waiting to be picked up" in _text(lopez.get("/concerns/").text)

    _worked_and_closed(session, school, mine)
    page = lopez.get("/concerns/").text
    card = page.split(f'id="c-{mine.id}"')[1].split("</section>")[0]
    words = _text(card)
    assert "Status: Passed to the safeguarding team" in words
    assert f"What you wrote: {SELF}" in words
    assert "Exact words or signs: She said ow" in words
    assert mine.reference in words
    for after in ("Picked up", "Closed", "Waiting", "Mrs Shah", "LADO", OUTCOME, "Team-teach"):
        assert after not in words, after
    assert "/safeguarding/" not in card  # no way into the record
    # Her other concern, not about her, still shows its progress.
    other_card = _text(page.split(f'id="c-{other.id}"')[1].split("</section>")[0])
    assert "Status: Waiting to be picked up" in other_card

    session.expire_all()
    viewed = session.scalars(
        select(AuditEvent.summary)
        .where(AuditEvent.action == "concern.list_viewed")
        .order_by(AuditEvent.id)
    ).all()
    assert viewed == ["page 1: 2 shown", "page 1: 2 shown"]  # audited as any other view


PHOTOS = "Ms Ruth Evans (deputy DSL) took photos of Amira on her personal phone."


def _worry_about_evans(app: Flask, session: Session, school: School) -> Incident:
    """Ms Lopez's concern about Ms Evans, worked by Ms Evans until the DSL records it is about
    her, then by the DSL and the head to closing, with a LADO referral."""
    school.deputy.display_name = "Ms Ruth Evans"
    incident = _concern(session, school, PHOTOS)
    now, today = utcnow(), school_today()
    triage = services.Triage(Category.OTHER, Risk.HIGH, "Photos of a child", True, None)
    services.triage(session, school.deputy, incident, triage, now=now)
    action = services.add_action(
        session, school.deputy, incident, "Ruth to check the sensory room", school.deputy.id,
        today, now=now, today=today,
    )  # fmt: skip
    services.complete_action(session, school.deputy, action, now=now)
    services.set_subject_staff(
        session, school.dsl, incident, school.deputy.id, now=now, base_url=base_url()
    )
    services.add_note(
        session, school.dsl, incident, "Spoke to Amira with Ms Lopez; EVANS's phone checked",
        "Mrs Evans denies it", now=now,
    )  # fmt: skip
    referral = services.add_referral(
        session, school.dsl, incident, Agency.LADO, "LADO-2026-77", "Photos of a pupil",
        now=now, today=today,
    )  # fmt: skip
    zone = localtime.school_zone(app.config)
    reply = services.ReferralReply(today, "Ruth Evans suspended pending investigation")
    services.record_referral_reply(session, school.dsl, referral, reply, now=now, zone=zone)
    services.close(
        session, school.head, incident, "Amira safe; Evans no longer works with her",
        "Personal phones stay in lockers", keep_carers_held=False,
        carers_reason="Told by the head", now=now,
    )  # fmt: skip
    session.commit()
    return incident


def test_the_file_to_the_next_school_never_names_the_member_of_staff(
    app: Flask, session: Session
) -> None:
    """The record of the allegation stays with the school that employs her (the head, with
    the LADO): Amira's file keeps that there was a concern about an adult and what was done
    for her, with Ms Evans "a member of staff" wherever she was named, even in staff's words."""
    app.config["TRANSFER_SCRYPT_LOG2_N"] = 14
    school = make_school(session)
    _worry_about_evans(app, session, school)
    plain, count, _files = transfer.build_record(
        session, school.dsl, school.pupil, utcnow(), Path(app.instance_path)
    )
    assert count == 1
    record = json.loads(json.loads(plain)["record"])
    sent = json.dumps(record, ensure_ascii=False)
    for name in ("Ruth", "Evans", "EVANS", "RUTH"):
        assert name not in sent, name
    incident = record["incidents"][0]
    assert incident["about_staff"] == (
        "A concern about an adult in school: a member of staff at Test School. The record of "
        "the allegation is held by the headteacher of Test School, with the LADO, "
        "and is not in this file. This file keeps what was done for the child."
    )
    assert incident["summary"] == (
        "A member of staff (deputy DSL) took photos of Amira on her personal phone."
    )
    lines = [(e["by"], e["text"], e["reason"]) for e in incident["chronology"]]
    assert ("Mr Bell", transfer.STAFF_LINE, None) in lines
    assert ("Mr Bell", "Spoke to Amira with Ms Lopez; a member of staff's phone checked",
            "A member of staff denies it") in lines  # fmt: skip
    assert any(by == "A member of staff" and text.startswith("Triage") for by, text, _ in lines)
    assert incident["actions"][0]["description"] == "A member of staff to check the sensory room"
    assert incident["actions"][0]["owner"] == "A member of staff"
    assert incident["outcome"] == "Amira safe; a member of staff no longer works with her"
    assert incident["referrals"][0]["outcome"] == (
        "A member of staff suspended pending investigation"
    )
    assert record["pupil"]["first_name"] == "Amira"


def test_the_next_school_reads_that_the_head_holds_the_record_of_the_allegation(
    app: Flask, client: FlaskClient, session: Session, receiving: Flask
) -> None:
    app.config["TRANSFER_SCRYPT_LOG2_N"] = 14
    school = make_school(session)
    _worry_about_evans(app, session, school)
    package = export(client, school)
    with receiving.app_context():
        there = make_school(get_session())
        get_session().commit()
        browser = receiving.test_client()
        sign_in(browser, there.dsl.username)
        response = post_import(browser, package, PHRASE, there.pupil.id)
        assert response.status_code == 302, response.get_data(as_text=True)
        page = _text(browser.get(response.location).get_data(as_text=True))
    assert (
        "A concern about an adult in school: a member of staff at Test School. The record of "
        "the allegation is held by the headteacher of Test School"
    ) in page
    assert "Evans" not in page
    assert "Ruth" not in page
