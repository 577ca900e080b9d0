"""A referral's follow-up clock: until the agency's reply is recorded, chasing it comes back to
the team on the queue when due, each chase moves the clock on, and the reply (the day it came,
their reference, what they decided) stops it, after the incident has closed too."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.worries.models import Incident, Referral, Risk
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_class, make_pupil
from tests.factories import make_school as make_other_school
from tests.worry_helpers import School, follow_ups_due, make_school, triaged_worry

MONDAY = datetime(2027, 3, 8, 10, 0, tzinfo=UTC)
REPLY = "/safeguarding/{}/referrals/reply"
CHASE = "/safeguarding/{}/referrals/chase"


def _triaged_cp(session: Session, school: School) -> Incident:
    incident = triaged_worry(session, school, Risk.HIGH, child_protection=True)
    session.commit()
    return incident


def _refer(dsl: FlaskClient, incident: Incident, reference: str = "") -> Referral:
    data = {
        "referral-agency": "childrens_services",
        "referral-reference": reference,
        "referral-reason": "Older pupil asking her for photos",
    }
    assert dsl.post(f"/safeguarding/{incident.id}/referrals", data=data).status_code == 302
    referral = incident.referrals[-1] if incident.referrals else None
    assert referral is not None
    return referral


def _text(response_data: bytes) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response_data.decode())))


def test_a_referral_is_chased_when_due_until_its_reply_is_recorded_after_closing(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(MONDAY)
    school = make_school(session)
    incident = _triaged_cp(session, school)
    dsl = client_for(app, school.dsl)
    referral = _refer(dsl, incident)
    record = _text(dsl.get(f"/safeguarding/{incident.id}").data)
    assert "Awaiting a reply : follow up by 9 Mar 2027" in record
    assert follow_ups_due(app, school) == []

    clock.advance(days=1)  # Tuesday: the next working day, when children's services must answer
    chase_due = "Chase the referral to Children's Services: no reply yet (Mr Bell), due 9 Mar 2027"
    assert follow_ups_due(app, school) == [f"{incident.reference}: {chase_due}"]
    dsl = client_for(app, school.dsl)
    chased = dsl.post(
        CHASE.format(incident.id),
        data={
            "chase-referral_id": str(referral.id),
            "chase-what": "Phoned the front door; they will call back",
            "chase-reference": "MASH-88",
            "chase-again_on": "2027-03-11",
        },
    )
    assert chased.status_code == 302
    assert chased.location.endswith("#referral")
    assert follow_ups_due(app, school) == []  # chased today: next due on Thursday
    session.expire_all()
    entry = incident.entries[-1]
    assert entry.text == (
        "Chased Children's Services (ref MASH-88): no reply yet; follow up again by 11 Mar 2027"
    )
    assert entry.reason == "Phoned the front door; they will call back"

    # Closed while the reply is still awaited: the close form says the clock runs on, and it does.
    clock.advance(days=2)
    dsl = client_for(app, school.dsl)
    close_form = _text(dsl.get(f"/safeguarding/{incident.id}").data)
    assert (
        "Still awaiting a reply from Children's Services (follow up by 11 Mar 2027)" in close_form
    )
    closed = dsl.post(
        f"/safeguarding/{incident.id}/close",
        data={"close-outcome": "Safe plan in place", "close-lessons_learnt": "None",
              "close-carers": "release", "close-carers-reason": "Plan shared with them"},
    )  # fmt: skip
    assert closed.status_code == 302
    chased_due = "Chase the referral to Children's Services (ref MASH-88): no reply yet (Mr Bell)"
    assert follow_ups_due(app, school) == [f"{incident.reference}: {chased_due}, due 11 Mar 2027"]

    replied = dsl.post(
        REPLY.format(incident.id),
        data={
            "reply-referral_id": str(referral.id),
            "reply-replied_on": "2027-03-11",
            "reply-reference": "CS-4471",
            "reply-outcome": "Child and family assessment under section 17",
        },
    )
    assert replied.status_code == 302
    assert follow_ups_due(app, school) == []
    record = _text(dsl.get(f"/safeguarding/{incident.id}").data)
    assert "CS-4471" in record
    assert "Received 11 Mar 2027: Child and family assessment under section 17" in record
    assert "Record their reply" not in record  # nothing left to reply to
    session.expire_all()
    assert incident.entries[-1].text == (
        "Reply from Children's Services (ref CS-4471), received 11 Mar 2027"
    )
    assert incident.entries[-1].reason == "Child and family assessment under section 17"
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("incident.refer%"))
    ).all()
    assert sorted(actions) == [
        "incident.referral_chased", "incident.referral_reply", "incident.referred"
    ]  # fmt: skip

    # The reply is recorded once; and a closed incident still takes no new referral.
    again = dsl.post(
        REPLY.format(incident.id),
        data={"reply-referral_id": str(referral.id), "reply-replied_on": "2027-03-11",
              "reply-outcome": "Something else"},
    )  # fmt: skip
    assert again.status_code == 400
    assert dsl.post(
        f"/safeguarding/{incident.id}/referrals",
        data={"referral-agency": "police", "referral-reason": "x"},
    ).status_code == 400  # fmt: skip
    session.expire_all()
    assert referral.outcome == "Child and family assessment under section 17"
    assert len(incident.referrals) == 1


def test_a_reply_or_chase_that_cannot_be_right_is_refused_with_the_reason(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(MONDAY)
    school = make_school(session)
    incident = _triaged_cp(session, school)
    dsl = client_for(app, school.dsl)
    referral = _refer(dsl, incident, reference="MASH-1")
    before = len(incident.entries)
    reply = {
        "reply-referral_id": str(referral.id),
        "reply-replied_on": "2027-03-08",
        "reply-outcome": "No further action",
    }
    refusals = {
        "reply-replied_on=2027-03-09": "The reply cannot have come on a day still to come.",
        "reply-replied_on=2027-03-05": (
            "The reply cannot have come before the referral was made (08 Mar 2027)."
        ),
        "reply-outcome=": "Record what they decided.",
        "reply-referral_id=": "Choose the referral they replied to.",
    }
    for change, message in refusals.items():
        name, value = change.split("=")
        answer = dsl.post(REPLY.format(incident.id), data={**reply, name: value})
        assert answer.status_code == 400, change
        assert message in _text(answer.data), change
    no_agency = dsl.post(
        f"/safeguarding/{incident.id}/referrals", data={"referral-reason": "Photos asked for"}
    )
    assert no_agency.status_code == 400  # the agency is chosen, never assumed
    assert "Choose the agency you referred to." in _text(no_agency.data)
    chase = {"chase-referral_id": str(referral.id), "chase-what": "Phoned"}
    for day, message in {
        "2027-03-05": "The day to follow up again cannot be in the past.",
        "": "Give the day to follow up again.",
    }.items():
        answer = dsl.post(CHASE.format(incident.id), data={**chase, "chase-again_on": day})
        assert answer.status_code == 400, day
        assert message in _text(answer.data), day
    session.expire_all()
    assert referral.replied_on is None
    assert referral.outcome is None
    assert referral.follow_up_on == date(2027, 3, 9)
    assert len(incident.entries) == before


def test_only_the_incidents_team_records_a_reply_and_only_to_its_own_referrals(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(MONDAY)
    school = make_school(session)
    incident, other_incident = _triaged_cp(session, school), _triaged_cp(session, school)
    dsl = client_for(app, school.dsl)
    referral = _refer(dsl, incident)
    other = make_other_school(session, name="Other")
    make_pupil(session, make_class(session, school=other))
    other_dsl = make_account(session, Role.DSL, school=other)
    session.commit()
    data = {
        "reply-referral_id": str(referral.id),
        "reply-replied_on": "2027-03-08",
        "reply-outcome": "No further action",
    }
    assert (
        client_for(app, school.teacher).post(REPLY.format(incident.id), data=data).status_code
        == 403
    )
    assert client_for(app, other_dsl).post(REPLY.format(incident.id), data=data).status_code == 404
    # Named on another incident's page, it is not one of that incident's choices.
    assert dsl.post(REPLY.format(other_incident.id), data=data).status_code == 400
    session.expire_all()
    assert referral.replied_on is None
    # Another school's DSL has no follow-up of it on her queue.
    clock.advance(days=1)
    page = client_for(app, other_dsl).get("/safeguarding/").data.decode()
    assert "Chase the referral" not in page
    assert "Chase the referral" in client_for(app, school.dsl).get("/safeguarding/").data.decode()
