"""Walking a worry as the DSL: telling carers while the police have not replied to a referral.

Found on the walk: the DSL triaged a pupil's worry as physical abuse, high risk, a
child-protection concern ("she says her stepdad hits her"), referred it to the Police, and then
chose "Inform parents/carers now": the page said nothing about the open referral, and the
decision was recorded and the notice offered as for any worry. Telling carers before the police
reply can warn whoever harmed the child. The same went for "New decision: Inform parents/carers
now" when reopening such a record.
"""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import (
    Agency,
    Category,
    Incident,
    ParentContact,
    ParentContactDecision,
    Risk,
)
from tests.app_settings import school_today, zone
from tests.conftest import client_for
from tests.worry_helpers import School, make_school

ABUSE = "She says her stepdad hits her when she plays online"


def _referred(session: Session, school: School, agency: Agency = Agency.POLICE) -> Incident:
    incident = services.raise_concern(
        session, school.teacher, "k-walk",
        services.ConcernInput(school.pupil.id, ABUSE, "speech", None, None),
        now=utcnow(), base_url="http://localhost",
    )  # fmt: skip
    triage = services.Triage(Category.PHYSICAL_DANGER_ABUSE, Risk.HIGH, ABUSE, True, None)
    services.triage(session, school.dsl, incident, triage, now=utcnow())
    services.add_referral(
        session, school.dsl, incident, agency, "", "Physical abuse disclosed",
        now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    return incident


def _seen(page: str) -> str:
    found = re.search(r'name="parent-seen"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="parent-seen"',
                      page)  # fmt: skip
    assert found is not None
    return found.group(1) or found.group(2)


def _inform_now(client: FlaskClient, incident: Incident, **more: str) -> tuple[int, str]:
    page = client.get(f"/safeguarding/{incident.id}").text
    data = {
        "parent-decision": "inform_now",
        "parent-reason": "Mum should know",
        "parent-seen": _seen(page),
    } | more
    response = client.post(f"/safeguarding/{incident.id}/parent-contact", data=data)
    return response.status_code, html.unescape(response.text)


def _decisions(session: Session) -> list[ParentContact]:
    session.expire_all()
    return list(session.scalars(select(ParentContactDecision.decision)))


def test_the_page_warns_before_telling_carers_while_the_police_have_not_replied(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    incident = _referred(session, school)

    page = html.unescape(client_for(app, school.dsl).get(f"/safeguarding/{incident.id}").text)

    caution = page.split('id="parent-caution"')[1].split("</p>")[0]
    assert "it is recorded as a child-protection concern" in caution
    assert "the referral to Police has no reply yet" in caution
    assert "about a parent or carer" in caution
    checkbox = re.search(r'<input[^>]*name="parent-checked"[^>]*>', page)
    assert checkbox is not None
    assert re.search(r"\schecked[\s>=]", checkbox.group(0)) is None  # nobody ticked it yet


def test_inform_now_is_refused_until_the_dsl_says_they_checked_with_the_agency(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    incident = _referred(session, school)
    dsl = client_for(app, school.dsl)

    status, page = _inform_now(dsl, incident)

    assert status == 400
    assert "The referral to Police has no reply yet" in page
    assert _decisions(session) == []

    status, _page = _inform_now(dsl, incident, **{"parent-checked": "y"})

    assert status == 302
    assert _decisions(session) == [ParentContact.INFORM_NOW]
    entry = incident.entries[-1].text
    assert "checked first: the referral to Police had no reply" in entry


def test_other_decisions_and_a_replied_referral_need_no_tick(app: Flask, session: Session) -> None:
    school = make_school(session)
    incident = _referred(session, school, Agency.CHILDRENS_SERVICES)
    dsl = client_for(app, school.dsl)
    page = dsl.get(f"/safeguarding/{incident.id}").text
    response = dsl.post(
        f"/safeguarding/{incident.id}/parent-contact",
        data={"parent-decision": "do_not_contact", "parent-reason": "Await them",
              "parent-seen": _seen(page)},
    )  # fmt: skip
    assert response.status_code == 302

    referral = incident.referrals[0]
    services.record_referral_reply(
        session, school.dsl, referral,
        services.ReferralReply(school_today(), "They will not act; tell mum"), now=utcnow(),
        zone=zone(),
    )  # fmt: skip
    session.commit()
    page = html.unescape(dsl.get(f"/safeguarding/{incident.id}").text)
    assert 'name="parent-checked"' not in page
    assert "has no reply yet" not in page

    assert _inform_now(dsl, incident)[0] == 302
    assert _decisions(session) == [ParentContact.DO_NOT_CONTACT, ParentContact.INFORM_NOW]


def test_reopening_with_inform_now_asks_the_same(app: Flask, session: Session) -> None:
    school = make_school(session)
    incident = _referred(session, school)
    services.close(
        session, school.dsl, incident, "Police are visiting", "Refer the same day",
        keep_carers_held=False, carers_reason="Police will tell us", now=utcnow(),
    )  # fmt: skip
    session.commit()
    dsl = client_for(app, school.dsl)
    page = html.unescape(dsl.get(f"/safeguarding/{incident.id}").text)
    assert "the referral to Police has no reply yet" in page.split('id="reopen-caution"')[1]
    data = {"reopen-reason": "Mum rang", "reopen-carers": "inform_now"}

    refused = dsl.post(f"/safeguarding/{incident.id}/reopen", data=data)

    assert refused.status_code == 400
    assert "The referral to Police has no reply yet" in html.unescape(refused.text)
    assert _decisions(session) == []
    reopened = dsl.post(f"/safeguarding/{incident.id}/reopen", data=data | {"reopen-checked": "y"})
    assert reopened.status_code == 302
    assert _decisions(session) == [ParentContact.INFORM_NOW]
