"""Closing a record with several pupils says whose carers stay held back, family by family.

A cyberbullying record: Amira's carers are under "Inform parents/carers now" (and told), Ben's
under "Not now". The closing form said "Keep holding back: carers are told nothing new" and the
closed record's note "Carers stay held back after closing": a DSL reading either later could
take Amira's family for held back too, or think letting "carers" be told again reaches Ben's
and Amira's alike. Now the form names the carers the choice is for and says the other families
are not held back by it; the note, and letting carers be told again, name each family with the
decision in force for it.
"""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.worries.models import Incident, IncidentEntry, ParentContact
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, make_family, send_notice
from tests.worries.test_parent_contact_per_family import NOTICE, _decide, amira_and_ben

CLOSING = {"close-outcome": "Resolved with both families", "close-lessons_learnt": "Talk early"}
BEN_HELD = 'Ben Taylor\'s carers "Not now (review later)"'
AMIRA_TOLD = 'Amira Khan\'s carers "Inform parents/carers now"'
# Freed, the decision that held them is said as past: "Not now" must not read as still standing.
BEN_FREED = 'Ben Taylor\'s carers, held back until now under "Not now (review later)"'


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _amira_told_ben_held(session: Session, family: Family) -> Incident:
    incident = amira_and_ben(session, family)
    _decide(session, family, incident, ParentContact.INFORM_NOW, family.child.id)
    _decide(session, family, incident, ParentContact.NOT_NOW, family.other.id)
    send_notice(session, family.dsl, incident, family.child, NOTICE)
    session.commit()
    return incident


def _note(session: Session, incident: Incident, kind: str) -> str:
    entry = session.scalars(
        select(IncidentEntry).where(
            IncidentEntry.incident_id == incident.id, IncidentEntry.kind == kind
        )
    ).one()
    return entry.text


def _closing_form(dsl: FlaskClient, incident: Incident) -> str:
    page = dsl.get(f"/safeguarding/{incident.id}").text
    return _text(page[page.index('id="carers"') :])


def test_the_closing_form_says_the_choice_is_for_bens_carers_only(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _amira_told_ben_held(session, family)
    form = _closing_form(client_for(app, family.dsl), incident)
    assert "Keep holding back the carers of Ben Taylor:" in form
    assert "Let the carers of Ben Taylor be told again:" in form
    assert "This choice is only for the carers of Ben Taylor. The other families" in form
    assert "Amira" not in form.split("Close incident")[0]


def test_kept_held_at_closing_the_note_names_each_family(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _amira_told_ben_held(session, family)
    dsl = client_for(app, family.dsl)
    refused = dsl.post(f"/safeguarding/{incident.id}/close", data=CLOSING)
    assert refused.status_code == 400
    assert "told nothing new about Ben Taylor because of this incident" in _text(refused.text)

    closed = dsl.post(
        f"/safeguarding/{incident.id}/close",
        data=CLOSING | {"close-carers": "keep", "close-carers-reason": "Risk to Amira"},
    )
    assert closed.status_code == 302
    note = _note(session, incident, "carers_after_closing")
    assert note == (
        "Carers stay held back after closing, until someone lets them be told again: "
        f"{BEN_HELD}. Not held back by this record: {AMIRA_TOLD}"
    )
    assert note in _text(dsl.get(f"/safeguarding/{incident.id}").text)

    released = dsl.post(
        f"/safeguarding/{incident.id}/carers-released", data={"release-reason": "Police agree"}
    )
    assert released.status_code == 302
    assert _note(session, incident, "carers_released") == (
        f"Carers may be told again: {BEN_FREED}. Not held back by this record: {AMIRA_TOLD}"
    )


def test_let_go_at_closing_the_note_names_whose_carers_may_be_told(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _amira_told_ben_held(session, family)
    dsl = client_for(app, family.dsl)
    closed = dsl.post(
        f"/safeguarding/{incident.id}/close",
        data=CLOSING | {"close-carers": "release", "close-carers-reason": "Ben's family met us"},
    )
    assert closed.status_code == 302
    assert _note(session, incident, "carers_after_closing") == (
        "Carers may be told again from closing, including what was held back: "
        f"{BEN_FREED}. Not held back by this record: {AMIRA_TOLD}"
    )


def test_every_family_held_the_form_names_them_all(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)
    _decide(session, family, incident, ParentContact.NOT_NOW, None)
    dsl = client_for(app, family.dsl)
    both = _closing_form(dsl, incident)
    assert "Keep holding back the carers of Amira Khan, Ben Taylor:" in both
    assert "This choice is only for" not in both
