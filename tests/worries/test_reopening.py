"""Reopening a record asks again what carers are told, and closing it again keeps what was learnt.

Found acting as the team: a record closed under "Inform parents/carers now" was reopened because
new information pointed at home, and "Inform now" stayed in force with nothing on the page
asking about it; the DSL had to remember to change it. And closing it again replaced the first
closing's lessons learnt, so governors lost them.
"""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Role
from classroom.db import utcnow
from classroom.worries import services as worries
from classroom.worries.models import (
    Category,
    Incident,
    IncidentEntry,
    ParentContact,
    ParentContactDecision,
    Risk,
    Status,
)
from tests.conftest import Clock, client_for
from tests.factories import make_account
from tests.parents_helpers import Family, incident_about, make_family

TOLD = "Phoned mum on Monday"


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    return make_family(session, clock)


def _closed(session: Session, family: Family, decision: ParentContact | None) -> Incident:
    incident = incident_about(session, family, decision)
    worries.triage(
        session,
        family.dsl,
        incident,
        worries.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to her", False, None),
        now=utcnow(),
    )
    held = decision != ParentContact.INFORM_NOW
    worries.close(
        session, family.dsl, incident, "Resolved with a talk", "Filters missed the game chat",
        keep_carers_held=False if held else None, carers_reason="Done" if held else None,
        carers_told=None if held else TOLD, now=utcnow(),
    )  # fmt: skip
    session.commit()
    return incident


def _reopen(dsl: FlaskClient, incident: Incident, **fields: str) -> tuple[int, str]:
    data = {"reopen-reason": "Her brother says the messages came from home"} | {
        f"reopen-{name}": value for name, value in fields.items()
    }
    response = dsl.post(f"/safeguarding/{incident.id}/reopen", data=data)
    return response.status_code, response.text


def _decisions(session: Session, incident: Incident) -> list[ParentContact]:
    query = select(ParentContactDecision.decision).where(
        ParentContactDecision.incident_id == incident.id
    )
    return list(session.scalars(query.order_by(ParentContactDecision.id)))


def test_reopening_asks_about_carers_and_chooses_nothing_for_the_dsl(
    app: Flask, session: Session, family: Family
) -> None:
    incident = _closed(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    page = dsl.get(f"/safeguarding/{incident.id}").text
    form = page[page.index('id="reopen"') :]
    select_box = re.search(r'<select[^>]*name="reopen-carers".*?</select>', form, re.S)
    assert select_box is not None
    options = html.unescape(select_box.group(0))
    assert "selected" not in options  # the first, "Choose...", until the DSL chooses
    assert 'Keep "Inform parents/carers now" (decided' in options
    assert family.dsl.display_name in options
    assert "New decision: Do not contact parents/carers" in options

    status, refused = _reopen(dsl, incident)
    assert status == 400
    assert "Choose what parents and carers are told while it is open." in refused
    session.expire_all()
    assert incident.status == Status.CLOSED


def test_reopening_with_a_new_decision_holds_carers_back_at_once(
    app: Flask, session: Session, family: Family
) -> None:
    incident = _closed(session, family, ParentContact.INFORM_NOW)
    assert not policy.holds_carers(session, incident)
    status, _page = _reopen(client_for(app, family.dsl), incident, carers="do_not_contact")
    assert status == 302
    session.expire_all()
    assert incident.status == Status.OPEN
    assert _decisions(session, incident)[-1] == ParentContact.DO_NOT_CONTACT
    assert policy.holds_carers(session, incident)
    reopened, decided = incident.entries[-2:]
    assert (reopened.kind, decided.kind) == ("reopened", "parent_contact")
    assert decided.reason == "Her brother says the messages came from home"
    assert decided.author_id == family.dsl.id


def test_keeping_the_decision_names_it_as_kept_in_the_chronology(
    app: Flask, session: Session, family: Family
) -> None:
    incident = _closed(session, family, ParentContact.INFORM_NOW)
    assert _reopen(client_for(app, family.dsl), incident, carers="keep")[0] == 302
    session.expire_all()
    assert _decisions(session, incident) == [ParentContact.INFORM_NOW]
    entry = incident.entries[-1]
    assert entry.kind == "reopened"
    assert entry.text == 'Reopened; parents and carers: kept "Inform parents/carers now"'


def test_a_record_never_decided_can_stay_undecided_and_so_holds_carers(
    app: Flask, session: Session, family: Family
) -> None:
    incident = _closed(session, family, None)
    page = client_for(app, family.dsl).get(f"/safeguarding/{incident.id}").text
    assert "Leave it undecided for now" in page
    assert _reopen(client_for(app, family.dsl), incident, carers="keep")[0] == 302
    session.expire_all()
    assert incident.entries[-1].text == "Reopened; parents and carers: still not decided"
    assert policy.holds_carers(session, incident)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"carers": "not_now"}, 'Choose the day to review "not now"'),
        ({"carers": "keep", "review_on": "2030-01-01"}, "A review day goes with a new"),
        ({"carers": "tell_everyone"}, "Not a valid choice"),
    ],
)
def test_a_refused_reopening_changes_nothing(
    app: Flask, session: Session, family: Family, fields: dict[str, str], message: str
) -> None:
    incident = _closed(session, family, ParentContact.INFORM_NOW)
    entries = session.scalar(select(func.count()).select_from(IncidentEntry))
    status, page = _reopen(client_for(app, family.dsl), incident, **fields)
    assert status == 400
    assert message in html.unescape(page)
    session.expire_all()
    assert incident.status == Status.CLOSED
    assert _decisions(session, incident) == [ParentContact.INFORM_NOW]
    assert session.scalar(select(func.count()).select_from(IncidentEntry)) == entries


def test_closing_again_keeps_the_first_lessons_learnt_for_governors(
    app: Flask, session: Session, family: Family
) -> None:
    incident = _closed(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    assert _reopen(dsl, incident, carers="keep")[0] == 302
    page = dsl.get(f"/safeguarding/{incident.id}").text
    assert "Lessons learnt when it was closed before" in page
    assert "Filters missed the game chat" in page

    second = {
        "close-outcome": "Account blocked",
        "close-lessons_learnt": "Reporting route worked within the hour",
        "close-carers_told": TOLD,
    }
    assert dsl.post(f"/safeguarding/{incident.id}/close", data=second).status_code == 302
    session.expire_all()
    assert incident.lessons_learnt is not None
    assert "Filters missed the game chat" in incident.lessons_learnt
    assert "Reporting route worked within the hour" in incident.lessons_learnt
    closings = [e.reason for e in incident.entries if e.kind == "closed"]
    assert closings == [
        "Lessons learnt: Filters missed the game chat",
        "Lessons learnt: Reporting route worked within the hour",
    ]
    governor = make_account(session, Role.GOVERNOR)
    session.commit()
    register = client_for(app, governor).get("/safeguarding/review/").text
    assert "Filters missed the game chat" in register
    assert "Reporting route worked within the hour" in register


def test_lessons_written_again_in_full_are_not_doubled(
    app: Flask, session: Session, family: Family
) -> None:
    incident = _closed(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    assert _reopen(dsl, incident, carers="keep")[0] == 302
    again = {
        "close-outcome": "Account blocked",
        "close-lessons_learnt": "Filters missed the game chat. And the route worked.",
        "close-carers_told": TOLD,
    }
    assert dsl.post(f"/safeguarding/{incident.id}/close", data=again).status_code == 302
    session.expire_all()
    assert incident.lessons_learnt == "Filters missed the game chat. And the route worked."


def test_a_reason_to_reopen_beaten_by_a_colleague_s_reopening_is_shown_back(
    app: Flask, session: Session, family: Family
) -> None:
    """The head and the DSL both hear news the same morning: the head reopens first, and the
    DSL's long account of the police call comes back on the page to add as a note."""
    incident = _closed(session, family, ParentContact.INFORM_NOW)
    assert _reopen(client_for(app, family.head), incident, carers="keep")[0] == 302
    account = "Police called: the suspect is a relative. PC Smith, ref 4411."
    status, page = _reopen(client_for(app, family.dsl), incident, reason=account, carers="keep")
    assert status == 400
    assert "already open: a colleague reopened it while you wrote" in page
    assert "What you wrote was not added" in page
    assert "add it as a note" in page
    assert html.escape(account) in page
    session.expire_all()
    assert [e.kind for e in incident.entries].count("reopened") == 1
