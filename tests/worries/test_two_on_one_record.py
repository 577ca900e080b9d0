"""Two of the team on one record: a decision made on an older page never overrides a newer one.

Found acting as the team: the deputy's page, drawn before the DSL recorded "Do not contact
parents/carers", recorded "Inform parents/carers now" over it a few seconds later, lifting the
hold on carers, and nobody was told. Re-assigning the record on a stale page took the DSL's
escalation from High back to Medium.
"""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import (
    Category,
    Incident,
    IncidentEntry,
    ParentContact,
    ParentContactDecision,
    Risk,
)
from tests.conftest import client_for
from tests.worry_helpers import School, make_school


def _triaged(session: Session, school: School) -> Incident:
    incident = services.raise_concern(
        session, school.teacher, "k-1",
        services.ConcernInput(school.pupil.id, "A man on a game chat asked for pictures",
                              "speech", None, None),
        now=utcnow(), base_url="http://localhost",
    )  # fmt: skip
    services.triage(
        session, school.dsl, incident,
        services.Triage(Category.IMAGES_OR_SECRETS, Risk.MEDIUM, "Asked once", True, None),
        now=utcnow(),
    )  # fmt: skip
    session.commit()
    return incident


def _seen(page: str, form: str) -> str:
    found = re.search(rf'name="{form}-seen"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="{form}-seen"',
                      page)  # fmt: skip
    assert found is not None, form
    return found.group(1) or found.group(2)


def _decide(client: FlaskClient, incident: Incident, seen: str, decision: str) -> tuple[int, str]:
    response = client.post(
        f"/safeguarding/{incident.id}/parent-contact",
        data={
            "parent-decision": decision,
            "parent-reason": f"Reason for {decision}",
            "parent-seen": seen,
        },
    )
    return response.status_code, html.unescape(response.text)


def _decisions(session: Session) -> list[ParentContact]:
    return list(session.scalars(select(ParentContactDecision.decision)))


def test_a_parent_contact_decision_on_an_older_page_is_refused_and_shows_the_newer(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    incident = _triaged(session, school)
    deputy = client_for(app, school.deputy)
    stale = _seen(deputy.get(f"/safeguarding/{incident.id}").text, "parent")
    assert stale == "0"

    dsl = client_for(app, school.dsl)
    fresh = _seen(dsl.get(f"/safeguarding/{incident.id}").text, "parent")
    assert _decide(dsl, incident, fresh, "do_not_contact")[0] == 302

    status, page = _decide(deputy, incident, stale, "inform_now")
    assert status == 400
    assert f"Since you opened this page, {school.dsl.display_name} recorded" in page
    assert "Do not contact parents/carers" in page
    assert "Reason for inform_now" in page  # what the deputy wrote is kept to send again
    session.expire_all()
    assert _decisions(session) == [ParentContact.DO_NOT_CONTACT]
    assert policy.holds_carers(session, incident)

    # Having seen it, the deputy may still decide: the page shown again carries the newer one.
    status, _page = _decide(deputy, incident, _seen(page, "parent"), "inform_now")
    assert status == 302
    session.expire_all()
    assert _decisions(session) == [ParentContact.DO_NOT_CONTACT, ParentContact.INFORM_NOW]


def test_re_assigning_on_an_older_page_does_not_undo_an_escalation(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    incident = _triaged(session, school)
    deputy = client_for(app, school.deputy)
    stale = _seen(deputy.get(f"/safeguarding/{incident.id}").text, "triage")
    services.triage(
        session, school.dsl, incident,
        services.Triage(Category.IMAGES_OR_SECRETS, Risk.HIGH, "He named a meeting place", True,
                        None),
        now=utcnow(),
    )  # fmt: skip
    session.commit()
    entries = session.scalar(select(func.count()).select_from(IncidentEntry))
    response = deputy.post(
        f"/safeguarding/{incident.id}/triage",
        data={
            "triage-category": Category.IMAGES_OR_SECRETS.value,
            "triage-risk": "medium",
            "triage-rationale": "Taking this on",
            "triage-child_protection": "yes",
            "triage-assignee_id": str(school.deputy.id),
            "triage-seen": stale,
        },
    )
    assert response.status_code == 400
    assert "Since you opened this page" in html.unescape(response.text)
    session.expire_all()
    assert incident.risk == Risk.HIGH
    assert session.scalar(select(func.count()).select_from(IncidentEntry)) == entries


def test_a_form_without_the_pages_mark_cannot_lay_itself_over_a_decision(
    app: Flask, session: Session
) -> None:
    """Without the page's mark nothing tells what the sender saw: it counts as "none yet"."""
    school = make_school(session)
    incident = _triaged(session, school)
    dsl = client_for(app, school.dsl)
    for seen in ("abc", "999999999999999999", "-1", "1"):
        assert _decide(dsl, incident, seen, "do_not_contact")[0] == 400, seen
    assert _decide(dsl, incident, "0", "do_not_contact")[0] == 302  # none yet, as its page showed
    missing = dsl.post(
        f"/safeguarding/{incident.id}/parent-contact",
        data={"parent-decision": "inform_now", "parent-reason": "No mark"},
    )
    assert missing.status_code == 400
    session.expire_all()
    assert _decisions(session) == [ParentContact.DO_NOT_CONTACT]
