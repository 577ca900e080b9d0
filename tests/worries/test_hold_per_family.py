"""Letting carers be told again, and the "I have checked" tick, on a record with two families.

Found walking it as a DSL: Amira (affected) and Ben (involved) on a cyberbullying record, each
family under its own decision. Closed with carers kept held back, the record's button said only
"Let carers be told again": with both families held a DSL could not tell from it whose carers it
frees, or whether one family or both. The hold kept at closing is one for the families it held
(the closing form asks once, for all of them), so letting carers be told again frees them all:
the button now names each, with "both families", or "only" when another family on the record is
not held by it. To free one family only, reopen and make a new decision for their carers.

And the tick ("I have checked that telling carers now will not put the child at risk") was on
the decision and reopen forms whenever two pupils were linked, also when "inform now" for every
family would tell one family only (Amira's family told, reopening to tell Ben's): it asked about
families it did not concern. Now it is there while an agency has not replied, or while "inform
now" for every family would tell more than one family; never ticked at first.
"""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.db import utcnow
from classroom.worries import services as worries
from classroom.worries.models import Agency, Incident, IncidentEntry, ParentContact, Status
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, make_family
from tests.worries.test_parent_contact_per_family import _decide, amira_and_ben, parent_seen


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _closed(session: Session, family: Family, amira: ParentContact) -> Incident:
    """Amira's carers under `amira`, Ben's under "not now"; closed keeping carers held."""
    incident = amira_and_ben(session, family)
    _decide(session, family, incident, amira, family.child.id)
    _decide(session, family, incident, ParentContact.NOT_NOW, family.other.id)
    worries.close(
        session, family.dsl, incident, "Spoke to both", "Filters missed the chat",
        keep_carers_held=True, carers_reason="Police asked us to wait",
        carers_told="Phoned Amira's mum", now=utcnow(),
    )  # fmt: skip
    session.commit()
    session.refresh(incident)
    return incident


def _button(client: FlaskClient, incident: Incident) -> str:
    page = client.get(f"/safeguarding/{incident.id}").text
    found = re.findall(r"<button[^>]*>(Let carers be told again[^<]*)</button>", page)
    assert len(found) == 1
    return html.unescape(found[0])


def _released_note(session: Session, incident: Incident) -> str:
    return session.scalars(
        select(IncidentEntry.text).where(
            IncidentEntry.incident_id == incident.id, IncidentEntry.kind == "carers_released"
        )
    ).one()


def test_with_both_families_held_the_button_names_both(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _closed(session, family, ParentContact.DO_NOT_CONTACT)
    dsl = client_for(app, family.dsl)
    assert _button(dsl, incident) == (
        "Let carers be told again: both families, Amira Khan's and Ben Taylor's"
    )
    assert _release(dsl, incident) == 302
    note = _released_note(session, incident)
    assert note.startswith("Carers may be told again: Amira Khan's carers")
    assert "Ben Taylor's carers" in note
    session.expire_all()
    assert policy.may_tell_carers(session, family.child.id)
    assert policy.may_tell_carers(session, family.other.id)


def test_with_one_family_held_the_button_says_theirs_only(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _closed(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    assert _button(dsl, incident) == "Let carers be told again: Ben Taylor's only"
    assert _release(dsl, incident) == 302
    assert _released_note(session, incident).startswith(
        'Carers may be told again: Ben Taylor\'s carers, held back until now under '
        '"Not now (review later)". '
        "Not held back by this record: Amira Khan's carers"
    )


def _release(client: FlaskClient, incident: Incident) -> int:
    """Let carers be told again on the closed record; the answer's status."""
    url = f"/safeguarding/{incident.id}/carers-released"
    return client.post(url, data={"release-reason": "Police agree"}).status_code


def _reopen_telling_every_family(client: FlaskClient, incident: Incident, why: str) -> Any:
    """Reopen with "inform now" for every family, no tick given."""
    return client.post(
        f"/safeguarding/{incident.id}/reopen",
        data={"reopen-reason": why, "reopen-carers": "inform_now", "reopen-whose": "every"},
    )


def _reopen_form(client: FlaskClient, incident: Incident) -> str:
    page = client.get(f"/safeguarding/{incident.id}").text
    start = page.index('id="reopen"')
    return page[start : page.index("</form>", start)]


def test_reopening_to_tell_the_one_family_not_told_asks_for_no_tick(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _closed(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    assert 'name="reopen-checked"' not in _reopen_form(dsl, incident)
    # Nor does the families' warning above the form say there is a tick to give.
    page = _text(dsl.get(f"/safeguarding/{incident.id}").text)
    assert "Each family can have its own decision" in page
    assert "asks you to tick" not in page
    # "Every family" tells Ben's carers only: Amira's are told already. Nothing to tick.
    response = _reopen_telling_every_family(dsl, incident, "Ben's family asked")
    assert response.status_code == 302, _text(response.text)
    session.expire_all()
    assert incident.status == Status.OPEN
    assert policy.may_tell_carers(session, family.other.id)


def test_with_both_families_held_the_tick_is_asked_unticked_and_needed(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _closed(session, family, ParentContact.DO_NOT_CONTACT)
    dsl = client_for(app, family.dsl)
    form = _reopen_form(dsl, incident)
    assert 'name="reopen-checked"' in form
    assert 'name="reopen-checked" checked' not in form
    refused = _reopen_telling_every_family(dsl, incident, "Police agree")
    assert refused.status_code == 400
    assert "lets the carers of each pupil linked to this record be told again" in _text(
        refused.text
    )


def test_the_decision_form_asks_the_tick_only_while_it_would_tell_two_families(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)
    dsl = client_for(app, family.dsl)

    def form() -> str:
        page = dsl.get(f"/safeguarding/{incident.id}").text
        start = page.index('id="parent"')
        return page[start : page.index("</form>", start)]

    assert 'name="parent-checked"' in form()  # nobody decided: both families would be told
    _decide(session, family, incident, ParentContact.INFORM_NOW, family.child.id)
    assert 'name="parent-checked"' not in form()  # only Ben's would be
    response = dsl.post(
        f"/safeguarding/{incident.id}/parent-contact",
        data={"parent-decision": "inform_now", "parent-reason": "Tell Ben's family too",
              "parent-seen": parent_seen(dsl.get(f"/safeguarding/{incident.id}").text),
              "parent-whose": "every"},
    )  # fmt: skip
    assert response.status_code == 302, _text(response.text)
    assert policy.may_tell_carers(session, family.other.id)


def test_an_agency_not_replied_still_asks_the_tick_for_one_family(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)
    _decide(session, family, incident, ParentContact.INFORM_NOW, family.child.id)
    worries.add_referral(
        session, family.dsl, incident, Agency.POLICE, "", "Messages threatened",
        now=utcnow(), today=utcnow().date(),
    )  # fmt: skip
    session.commit()
    page = client_for(app, family.dsl).get(f"/safeguarding/{incident.id}").text
    start = page.index('id="parent"')
    assert 'name="parent-checked"' in page[start : page.index("</form>", start)]
