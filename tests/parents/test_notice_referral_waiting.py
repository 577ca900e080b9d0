"""Sending a notice to carers while a referral to the police has no reply.

Found on a walk as the DSL: "Inform parents/carers now" was decided (no referral yet); later the
DSL referred the worry to the police, who had not replied; "Send a notice to parents and carers"
then said nothing about it, and "Approve and send" sent the notice to carers. Since 2c9333b the
decision itself asks for a tick while a referral waits; the notice page now asks again.
"""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.parents.models import FeedItem
from classroom.worries import services as worries
from classroom.worries.models import Agency, Incident, IncidentEntry, ParentContact
from tests.app_settings import school_today, zone
from tests.conftest import client_for
from tests.parents_helpers import Family, incident_about

TEXT = "Amira is safe and well. Please ring the office."


def _refer(session: Session, family: Family, incident: Incident, agency: Agency) -> None:
    worries.add_referral(
        session, family.dsl, incident, agency, "", "Disclosure about home",
        now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()


def _send(dsl: FlaskClient, incident: Incident, pupil_id: int, **more: str) -> tuple[int, str]:
    data = {f"p{pupil_id}-text": TEXT, f"p{pupil_id}-key": "k-notice"} | more
    response = dsl.post(f"/parents/incidents/{incident.id}/notice/{pupil_id}", data=data)
    return response.status_code, html.unescape(response.text)


def _nothing_sent(session: Session) -> bool:
    session.expire_all()
    items = session.scalar(select(func.count()).select_from(FeedItem))
    emails = session.scalar(
        select(func.count()).where(OutboxMessage.dedupe_key.startswith("parents:"))
    )
    return items == 0 and emails == 0


def _parents_entries(session: Session) -> list[str]:
    session.expire_all()
    query = select(IncidentEntry.text).where(IncidentEntry.kind == "parents")
    return list(session.scalars(query))


def _checkbox(page: str, pupil_id: int) -> str | None:
    found = re.search(rf'<input[^>]*name="p{pupil_id}-checked"[^>]*>', page)
    return found.group(0) if found else None


def test_the_notice_page_warns_and_asks_for_an_unticked_box_while_the_police_wait(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW, family.other)
    _refer(session, family, incident, Agency.POLICE)

    page = html.unescape(client_for(app, family.dsl).get(
        f"/parents/incidents/{incident.id}/notice").text)  # fmt: skip

    caution = page.split('id="notice-caution"')[1].split("</p>")[0]
    assert "the referral to Police has no reply yet" in caution
    assert "telling carers could put the child at risk" in caution
    for pupil in (family.child, family.other):  # each pupil's form asks, nobody ticked it
        box = _checkbox(page, pupil.id)
        assert box is not None
        assert re.search(r"\schecked[\s>=]", box) is None
    assert "I have checked that telling carers now will not put the child at risk" in page


def test_sending_without_the_tick_is_refused_and_nothing_reaches_carers(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    _refer(session, family, incident, Agency.POLICE)
    dsl = client_for(app, family.dsl)

    status, page = _send(dsl, incident, family.child.id)

    assert status == 400
    assert "The referral to Police has no reply yet" in page
    box = _checkbox(page, family.child.id)
    assert box is not None
    assert 'aria-invalid="true"' in box  # the box is marked
    assert re.search(r"\schecked[\s>=]", box) is None
    assert f'href="#p{family.child.id}-checked"' in page  # the summary leads to the box
    assert TEXT in page  # what was typed is kept
    assert _nothing_sent(session)
    assert _parents_entries(session) == []


def test_sending_with_the_tick_says_so_in_the_chronology(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    _refer(session, family, incident, Agency.POLICE)
    _refer(session, family, incident, Agency.CEOP)
    dsl = client_for(app, family.dsl)

    status, _page = _send(dsl, incident, family.child.id, **{f"p{family.child.id}-checked": "y"})

    assert status == 302
    assert not _nothing_sent(session)
    [entry] = _parents_entries(session)
    assert "checked first: the referral to Police and to CEOP had no reply" in entry


def test_no_referral_waiting_asks_nothing(app: Flask, session: Session, family: Family) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    _refer(session, family, incident, Agency.CHILDRENS_SERVICES)
    worries.record_referral_reply(
        session, family.dsl, incident.referrals[0],
        worries.ReferralReply(school_today(), "No further action; tell mum"), now=utcnow(),
        zone=zone(),
    )  # fmt: skip
    _refer(session, family, incident, Agency.OTHER)  # not one that may ask the school to wait
    dsl = client_for(app, family.dsl)

    page = html.unescape(dsl.get(f"/parents/incidents/{incident.id}/notice").text)

    assert 'id="notice-caution"' not in page
    assert _checkbox(page, family.child.id) is None
    status, _page = _send(dsl, incident, family.child.id)
    assert status == 302
    [entry] = _parents_entries(session)
    assert "checked first" not in entry
