"""Shared set-up for the child-protection file tests: Amira, with a child-protection worry, who
leaves the school; her file made, recorded as sent and as received; and the list of files to send
as the team reads it."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account
from classroom.db import utcnow
from classroom.pupils.models import Pupil
from classroom.worries import services, transfer
from classroom.worries.models import Agency, Category, Incident, Referral, Risk
from classroom.worries.transfer_models import CpTransfer
from tests.app_settings import base_url, zone
from tests.conftest import Clock, client_for
from tests.factories import make_pupil
from tests.history import page_steps
from tests.worry_helpers import School, make_school, triaged_worry

MONDAY = datetime(2027, 3, 8, 10, 0, tzinfo=UTC)  # GMT: the school's day is the UTC day
PHRASE = "harbour violin pepper seventeen"
TO_SEND = "/safeguarding/cp-files/to-send"
ELM = "Elm School, Ms Green"
ELM_DSL = "Elm School, Ms Green (DSL)"
LIST_AND_QUEUE = (TO_SEND, "/safeguarding/")


def school_with_cp_worry(
    session: Session, clock: Clock, *, on: datetime = MONDAY, referred: bool = False
) -> School:
    """Amira, with a child-protection worry (referred to the police if `referred`), on `on`."""
    clock.set(on)
    school = make_school(session)
    worry = triaged_worry(session, school, child_protection=True)
    if referred:
        services.add_referral(
            session, school.dsl, worry, Agency.POLICE, "CR-1", "Threats", now=utcnow(),
            today=on.date(),
        )  # fmt: skip
    session.commit()
    return school


def amira_has_left(
    app: Flask,
    session: Session,
    clock: Clock,
    *,
    referred: bool = False,
    concern: bool = False,
    sent_on: date | None = None,
) -> School:
    """Amira, with a child-protection worry, left on Monday 8 March: with a concern raised
    before she went if `concern`, and her file sent on `sent_on` if given."""
    school = school_with_cp_worry(session, clock, referred=referred)
    if concern:
        raise_concern(session, school, school.pupil.id)
    leaves(app, school.head, school.pupil)
    if sent_on is not None:
        send_file(app, session, school, sent_on)
    return school


def words(text: str, between: str = " ") -> str:
    """The text a person reads; `between` is put where each tag was."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", between, text))).strip()


def leaves(app: Flask, who: Account, pupil: Pupil, answer: str = "left") -> None:
    """`who` records on the leaving page that the pupil has left (or is `answer`)."""
    office = client_for(app, who)
    assert office.post(f"/pupils/{pupil.id}/leaving", data={"answer": answer}).status_code == 302


def to_send_items(browser: FlaskClient, heading: str, item: str) -> list[str]:
    """What the to-send page lists under the heading with id `heading` (each a match of the
    pattern `item`), as a person reads it."""
    page = browser.get(TO_SEND)
    assert page.status_code == 200
    section = page.get_data(as_text=True).split(f'id="{heading}"')[1].split("</section>")[0]
    return [words(found) for found in re.findall(item, section, re.DOTALL)]


def still_to_send(browser: FlaskClient) -> list[str]:
    """The rows of the list of files to send, as a person reads them."""
    return to_send_items(browser, "due-h", r"<tr id=.*?</tr>")


def list_and_queue_steps(app: Flask, browser: FlaskClient) -> dict[str, int]:
    """The SQLite steps the list of files to send and the team's queue each take."""
    return {path: page_steps(app, browser, path) for path in LIST_AND_QUEUE}


def make_file(app: Flask, session: Session, school: School) -> CpTransfer:
    """The DSL makes Amira's file now."""
    made = transfer.export_file(
        session, school.dsl, school.pupil, PHRASE, utcnow(), Path(app.instance_path), 10
    )
    session.commit()
    return made.transfer


def record_sent(
    session: Session, school: School, made: CpTransfer, on: date, to: str = ELM
) -> None:
    """The DSL records, on the day, that the file went by hand on `on` to `to`."""
    transfer.record_sent(session, school.dsl, made, on, to, "By hand", today=on, zone=zone())
    session.commit()


def send_file(app: Flask, session: Session, school: School, on: date, to: str = ELM) -> CpTransfer:
    """A file made now, recorded as sent on `on` to `to`."""
    made = make_file(app, session, school)
    record_sent(session, school, made, on, to)
    return made


def record_police_reply(session: Session, school: School) -> None:
    """The police reply, on 10 March, to the referral of a school made with `referred`."""
    referral = session.scalars(select(Referral)).one()
    reply = services.ReferralReply(date(2027, 3, 10), "Words of advice given to the sender")
    services.record_referral_reply(session, school.dsl, referral, reply, now=utcnow(), zone=zone())


def record_receipt(session: Session, school: School, made: CpTransfer, on: date) -> None:
    """The DSL records that Ms Green confirmed receipt by email on `on`."""
    transfer.record_receipt(
        session, school.dsl, made, on, "Ms Green", "Email from her", utcnow(), today=on
    )
    session.commit()


def raise_concern(session: Session, school: School, pupil_id: int) -> Incident:
    """The teacher raises a concern about the pupil."""
    data = services.ConcernInput(pupil_id, "Upset at the gate", "speech", None, None)
    concern = services.raise_concern(
        session, school.teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
    )
    session.commit()
    return concern


def worry_of_another_pupil(session: Session, school: School) -> Incident:
    """A worry Grace, in Amira's class, sends from the class iPad."""
    grace = make_pupil(session, school.oak, first_name="Grace", last_name="Adeyemi")
    worry = services.raise_worry(
        session, grace, school.device, str(uuid.uuid4()), services.WorryChoices("unkind"),
        now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    session.commit()
    return worry


def triage_and_close(session: Session, school: School, worry: Incident) -> None:
    """The DSL triages the worry as low risk and closes it."""
    triage = services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to her", False, None)
    services.triage(session, school.dsl, worry, triage, now=utcnow())
    services.close(
        session, school.dsl, worry, "Resolved", "Check settings", keep_carers_held=False,
        carers_reason="Decided with the head", now=utcnow(),
    )  # fmt: skip
    session.commit()


def on_record(session: Session, made: CpTransfer) -> tuple[object, ...]:
    """What the file's record says now: when, to whom and how it went; when, by whom and how
    receipt was confirmed."""
    session.expire_all()
    row = session.get(CpTransfer, made.id)
    assert row is not None
    return (
        row.sent_on, row.sent_to, row.sent_method,
        row.received_on, row.received_by_name, row.receipt_method,
    )  # fmt: skip
