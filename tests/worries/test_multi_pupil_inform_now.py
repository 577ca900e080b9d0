"""A cyberbullying worry about three pupils: "inform now" for every family asks for the tick.

Found walking it: Amira told of unkind messages; the DSL linked Ben (alleged to have sent
them) and Chloe (saw them), and recorded "Inform parents/carers now" to tell Amira's family.
The decision is per incident, so it also lifted the hold on Ben's and Chloe's carers: the
learning moment Ben's teacher shared about sorting kind and unkind messages reached Ben's
family at once, and nothing on the form had said so. Now the form says whose carers the
decision covers, and "inform now" on a record with more than one pupil asks for the tick.
"""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Role
from classroom.db import utcnow
from classroom.worries import services as worries
from classroom.worries.models import (
    Category,
    Incident,
    IncidentEntry,
    ParentContactDecision,
    PupilRole,
    Risk,
)
from tests.conftest import Clock, client_for
from tests.factories import link_parent, make_account, make_pupil
from tests.parents_helpers import Family, incident_about, make_family, moment
from tests.worries.test_parent_contact_per_family import amira_and_ben, parent_seen


def _three_pupils(session: Session, family: Family) -> Incident:
    """Amira and Ben (tests.worries.test_parent_contact_per_family), and Chloe, who saw them."""
    chloe = make_pupil(session, family.willow, first_name="Chloe", last_name="Moss")
    link_parent(session, make_account(session, Role.PARENT, display_name="Mr Dan Moss"), chloe)
    incident = amira_and_ben(session, family)
    worries.link_pupil(session, family.dsl, incident, chloe.id, PupilRole.INVOLVED,
                       now=utcnow(), reason="Saw them")  # fmt: skip
    session.commit()
    session.refresh(incident)
    return incident


def _inform_now(client: FlaskClient, incident: Incident, **extra: str) -> tuple[int, str]:
    seen = parent_seen(client.get(f"/safeguarding/{incident.id}").text)
    response = client.post(
        f"/safeguarding/{incident.id}/parent-contact",
        data={"parent-decision": "inform_now", "parent-reason": "Tell Amira's family",
              "parent-seen": seen, "parent-whose": "every", **extra},
    )  # fmt: skip
    return response.status_code, html.unescape(response.text)


def test_the_decision_form_says_it_covers_every_linked_family_and_asks_for_the_tick(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _three_pupils(session, family)
    dsl = client_for(app, family.dsl)
    page = html.unescape(dsl.get(f"/safeguarding/{incident.id}").text)
    form = page[page.index('id="parent"') : page.index("Record decision")]
    assert "Each family can have its own decision" in form
    assert "Ben Taylor (involved)" in form
    assert "Chloe Moss (involved)" in form
    assert 'name="parent-checked"' in form  # the tick, unticked
    assert 'name="parent-checked" checked' not in form

    clock.advance(minutes=5)
    moment(session, family, note="Ben sorted messages", pupil=family.other)
    status, page = _inform_now(dsl, incident)
    assert status == 400
    assert "lets the carers of each pupil linked to this record be told again" in page
    assert session.scalar(select(ParentContactDecision.id)) is None
    assert not policy.may_tell_carers(session, family.other.id)
    ben_family = client_for(app, family.other_carer)
    assert "Ben sorted messages" not in ben_family.get(f"/family/children/{family.other.id}").text

    status, _page = _inform_now(dsl, incident, **{"parent-checked": "y"})
    assert status in (200, 302, 303)
    decided = session.scalars(
        select(IncidentEntry.text).where(IncidentEntry.kind == "parent_contact")
    ).all()
    assert any("Ben Taylor (involved)" in text for text in decided)


def test_one_pupil_on_the_record_needs_no_tick(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = incident_about(session, family, None)
    worries.triage(
        session, family.dsl, incident,
        worries.Triage(Category.CYBERBULLYING, Risk.LOW, "Unkind messages", False, None),
        now=utcnow(),
    )  # fmt: skip
    session.commit()
    dsl = client_for(app, family.dsl)
    page = html.unescape(dsl.get(f"/safeguarding/{incident.id}").text)
    assert "Each family can have its own decision" not in page
    assert 'name="parent-whose"' not in page  # one pupil: no question whose carers
    status, _page = _inform_now(dsl, incident)
    assert status in (200, 302, 303)
    assert policy.may_tell_carers(session, family.child.id)
