"""Reopening a record with several pupils: a new decision about carers says whose carers.

Found walking it: Amira (affected) and Ben (involved, alleged to have sent the messages) on a
closed record where Amira's family was told and Ben's carers held back ("not now"). The DSL
reopened it and chose what carers are told while it is open: the reopen form made one decision
for every family, so "inform now" to tell Amira's family let Ben's carers be told as well, and
"not now" held Amira's back again. Now the reopen form asks "Whose carers is this for?" as the
decision form does (the same question, the same code), with nothing chosen; the other families
keep their decisions, and the chronology and audit say whose carers. A record with one pupil is
asked nothing new.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.worries import services as worries
from classroom.worries.models import (
    Category,
    Incident,
    ParentContact,
    ParentContactDecision,
    Risk,
    Status,
)
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, incident_about, make_family
from tests.worries.test_parent_contact_per_family import amira_and_ben

REASON = "Ben's brother says the messages went on at home"


def _decide(session: Session, family: Family, incident: Incident, decision: ParentContact,
            pupil_id: int) -> None:  # fmt: skip
    review_on = utcnow().date() + timedelta(days=7) if decision == ParentContact.NOT_NOW else None
    worries.decide_parent_contact(
        session, family.dsl, incident, decision, "Decided for them", review_on, now=utcnow(),
        checked=True, pupil_id=pupil_id,
    )  # fmt: skip


def _closed_amira_told_ben_held(session: Session, family: Family) -> Incident:
    incident = amira_and_ben(session, family)
    _decide(session, family, incident, ParentContact.INFORM_NOW, family.child.id)
    _decide(session, family, incident, ParentContact.NOT_NOW, family.other.id)
    session.flush()
    worries.close(
        session, family.dsl, incident, "Spoke to both", "Filters missed the chat",
        keep_carers_held=True, carers_reason="Ben's family not yet",
        carers_told="Phoned Amira's mum", now=utcnow(),
    )  # fmt: skip
    session.commit()
    session.refresh(incident)
    return incident


def _reopen(client: FlaskClient, incident: Incident, **fields: str) -> tuple[int, str]:
    data = {"reopen-reason": REASON} | {f"reopen-{k}": v for k, v in fields.items()}
    response = client.post(f"/safeguarding/{incident.id}/reopen", data=data)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def _in_force(session: Session, incident: Incident, pupil_id: int) -> ParentContact | None:
    decision = policy.decision_in_force(session, incident.id, pupil_id)
    return decision.decision if decision else None


def _reopen_form(client: FlaskClient, incident: Incident) -> str:
    page = html.unescape(client.get(f"/safeguarding/{incident.id}").get_data(as_text=True))
    start = page.index('id="reopen"')
    return page[start : page.index("</form>", start)]


def test_bens_hold_survives_a_reopen_that_informs_amiras_family(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _closed_amira_told_ben_held(session, family)
    dsl = client_for(app, family.dsl)
    # The tick too, as a DSL might give it: before, that let Ben's carers be told as well.
    status, _page = _reopen(dsl, incident, carers="inform_now", whose=str(family.child.id),
                            checked="y")  # fmt: skip
    assert status == 302
    session.expire_all()
    assert incident.status == Status.OPEN
    assert _in_force(session, incident, family.child.id) == ParentContact.INFORM_NOW
    assert _in_force(session, incident, family.other.id) == ParentContact.NOT_NOW
    assert policy.may_tell_carers(session, family.child.id)
    assert not policy.may_tell_carers(session, family.other.id)
    latest = session.scalars(
        select(ParentContactDecision).order_by(ParentContactDecision.id.desc())
    ).first()
    assert latest is not None
    assert latest.pupil_id == family.child.id

    # The chronology says whose carers the new decision is for, and names Ben's as kept.
    reopened, decided = incident.entries[-2:]
    assert reopened.text == (
        "Reopened; parents and carers: kept Ben Taylor's carers \"Not now (review later)\""
    )
    assert decided.text == "Parent contact for Amira Khan's carers: Inform parents/carers now"
    assert decided.reason == REASON
    # So does the audit (the latest row of each).
    actions = ["incident.reopened", "incident.parent_contact_decided"]
    rows = session.execute(
        select(AuditEvent.action, AuditEvent.summary)
        .where(AuditEvent.action.in_(actions))
        .order_by(AuditEvent.id)
    )
    summaries: dict[str, str] = {row.action: row.summary for row in rows}
    assert summaries["incident.reopened"] == f"carers: inform_now for pupil #{family.child.id}"
    assert summaries["incident.parent_contact_decided"] == (
        f"inform_now for pupil #{family.child.id}"
    )


def test_holding_bens_carers_on_reopening_leaves_amiras_family_told(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _closed_amira_told_ben_held(session, family)
    status, _page = _reopen(client_for(app, family.dsl), incident, carers="do_not_contact",
                            whose=str(family.other.id))  # fmt: skip
    assert status == 302
    session.expire_all()
    assert _in_force(session, incident, family.child.id) == ParentContact.INFORM_NOW
    assert _in_force(session, incident, family.other.id) == ParentContact.DO_NOT_CONTACT
    assert policy.may_tell_carers(session, family.child.id)


def test_the_reopen_form_asks_whose_carers_with_nothing_chosen_in_the_decision_forms_words(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _closed_amira_told_ben_held(session, family)
    dsl = client_for(app, family.dsl)
    form = _reopen_form(dsl, incident)
    group = form[form.index('id="reopen-whose"') : form.index("</fieldset>")]
    assert "<legend>Whose carers is this for?</legend>" in group
    radios = re.findall(r'<input type="radio" name="reopen-whose"[^>]*>', group)
    assert len(radios) == 3
    assert not [r for r in radios if "checked" in r]
    assert "Every family on this record (Amira Khan, affected; Ben Taylor, involved)" in group
    assert "Only Amira Khan's carers (affected)" in group
    assert "Only Ben Taylor's carers (involved)" in group
    assert "the other families keep the decision in force for them" in form
    assert "One decision for every family" not in form

    # A new decision with nobody's carers chosen is refused, and changes nothing.
    status, page = _reopen(dsl, incident, carers="not_now",
                           review_on=(utcnow().date() + timedelta(days=7)).isoformat())
    assert status == 400
    assert "Choose whose carers this decision is for" in page
    assert 'aria-describedby="reopen-whose-hint reopen-whose-error"' in page
    session.expire_all()
    assert incident.status == Status.CLOSED
    assert _in_force(session, incident, family.child.id) == ParentContact.INFORM_NOW

    # Amira's carers told already, "inform now" for every family tells Ben's only: it asks no
    # tick (it would ask about nothing; test_hold_per_family has both families held).
    status, page = _reopen(dsl, incident, carers="inform_now", whose="every")
    assert status == 302
    session.expire_all()
    assert incident.status == Status.OPEN
    assert _in_force(session, incident, family.other.id) == ParentContact.INFORM_NOW


def test_keeping_each_familys_decision_is_not_asked_whose(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _closed_amira_told_ben_held(session, family)
    assert _reopen(client_for(app, family.dsl), incident, carers="keep")[0] == 302
    session.expire_all()
    assert incident.status == Status.OPEN
    assert _in_force(session, incident, family.child.id) == ParentContact.INFORM_NOW
    assert _in_force(session, incident, family.other.id) == ParentContact.NOT_NOW
    assert incident.entries[-1].text.startswith(
        "Reopened; parents and carers: kept Amira Khan's carers \"Inform parents/carers now\"; "
        "Ben Taylor's carers \"Not now (review later)\""
    )


def test_a_single_pupil_record_is_asked_nothing_new_on_reopening(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    worries.triage(
        session, family.dsl, incident,
        worries.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to her", False, None),
        now=utcnow(),
    )  # fmt: skip
    worries.close(session, family.dsl, incident, "Resolved", "Filters missed it",
                  carers_told="Phoned mum", now=utcnow())  # fmt: skip
    session.commit()
    dsl = client_for(app, family.dsl)
    form = _reopen_form(dsl, incident)
    assert "reopen-whose" not in form
    assert "Whose carers" not in form
    assert "Each family can have its own decision" not in form
    status, _page = _reopen(dsl, incident, carers="do_not_contact")
    assert status == 302
    session.expire_all()
    decision = policy.decision_in_force(session, incident.id, family.child.id)
    assert decision is not None
    assert decision.decision == ParentContact.DO_NOT_CONTACT
    assert decision.pupil_id is None
    assert incident.entries[-2].text == "Reopened"
