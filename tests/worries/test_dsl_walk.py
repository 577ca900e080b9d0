"""Walking the safeguarding pages as the DSL and the headteacher (deputy DSL) would.

Found on the walk: the deputy, on a page drawn before the DSL escalated a worry to high risk
and child protection, closed it as "nothing more to do", and nothing told either of them. With
more than a page of open worries, one nobody had acknowledged yet, or a high-risk one, sat on
the queue's second page, where nothing on the first said it was there. A colleague's open
queue kept showing an escalated worry as low risk: the state its live view polls did not change.
"""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Incident, Risk, Status
from classroom.worries.queue import QUEUE_PAGE
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.worry_helpers import make_school, triaged_worry


def _mark(page: str, form: str) -> str:
    """The page's mark of what its `form` was drawn on (the hidden `<form>-seen` field)."""
    found = re.search(rf'name="{form}-seen"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="{form}-seen"',
                      page)  # fmt: skip
    assert found is not None, form
    return found.group(1) or found.group(2)


def _close(client: FlaskClient, incident: Incident, seen: str) -> tuple[int, str]:
    response = client.post(
        f"/safeguarding/{incident.id}/close",
        data={
            "close-outcome": "Spoke to her; nothing more to do",
            "close-lessons_learnt": "Check the game chat settings",
            "close-carers": "release",
            "close-carers-reason": "Nothing to hold back",
            "close-seen": seen,
        },
    )
    return response.status_code, html.unescape(response.text)


def _escalate(client: FlaskClient, incident: Incident) -> None:
    page = client.get(f"/safeguarding/{incident.id}").text
    response = client.post(
        f"/safeguarding/{incident.id}/triage",
        data={
            "triage-category": "cyberbullying",
            "triage-risk": "high",
            "triage-rationale": "He said he will wait for her after school",
            "triage-child_protection": "yes",
            "triage-seen": _mark(page, "triage"),
        },
    )
    assert response.status_code == 302


def test_closing_on_a_page_drawn_before_an_escalation_is_refused_and_keeps_what_was_written(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    incident = triaged_worry(session, school)
    session.commit()
    dsl, head = client_for(app, school.dsl), client_for(app, school.head)
    stale = _mark(head.get(f"/safeguarding/{incident.id}").text, "close")

    _escalate(dsl, incident)
    status, page = _close(head, incident, stale)

    assert status == 400
    assert "Since you opened this page, Mr Bell recorded: Triage: " in page
    assert "high risk, a child-protection concern" in page
    assert "Spoke to her; nothing more to do" in page  # what the head wrote is still in the box
    session.expire_all()
    assert incident.status == Status.OPEN
    assert incident.risk == Risk.HIGH
    # Drawn again, the page shows the escalation and the close goes ahead when pressed again.
    assert _close(head, incident, _mark(page, "close"))[0] == 302
    session.expire_all()
    assert incident.status == Status.CLOSED


def _open_table(page: str) -> str:
    return page.split('id="queue-rows"')[1].split("</tbody>")[0]


def _elsewhere(page: str) -> str:
    """The words above the open table naming what needs attention first off this page."""
    part = page.split('id="queue-elsewhere">')[1].split("<table")[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part)).split())


def test_a_worry_not_yet_acknowledged_or_of_high_risk_on_a_later_page_is_named_on_the_first(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    unseen = services.raise_worry(
        session, school.pupil, school.device, "told-on-monday",
        services.WorryChoices(what="unkind"), now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    high = triaged_worry(session, school, Risk.HIGH, child_protection=True)
    newer = [triaged_worry(session, school) for _ in range(QUEUE_PAGE)]
    session.commit()
    dsl = client_for(app, school.dsl)

    first = dsl.get("/safeguarding/").text
    assert unseen.reference not in _open_table(first)
    assert high.reference not in _open_table(first)
    named = _elsewhere(first)
    assert "2 worries need attention first and are not on this page" in named
    assert f"{unseen.reference} : not acknowledged yet;" in named
    assert f"{high.reference} : high risk, child protection;" in named
    assert newer[-1].reference not in named  # low risk, and on this page anyway
    # The live view's refresh says the same, and a page that shows them names none.
    assert _elsewhere(dsl.get("/safeguarding/queue/rows").text) == named
    older = re.search(r'<a href="([^"]+)">Older</a>', first)
    assert older is not None
    second = dsl.get(html.unescape(older.group(1))).text
    assert unseen.reference in _open_table(second)
    assert high.reference in _open_table(second)
    assert "attention first" not in _elsewhere(second)


def test_a_colleagues_escalation_changes_the_state_the_open_queue_polls(
    app: Flask, session: Session
) -> None:
    """The open queue refreshes its rows only when the state it polls changes: an escalation
    to high risk and child protection must change it, or the row still reads "Low"."""
    school = make_school(session)
    incident = triaged_worry(session, school)
    session.commit()
    dsl, head = client_for(app, school.dsl), client_for(app, school.head)
    before = head.get("/safeguarding/queue/state")

    _escalate(dsl, incident)

    since = {"If-None-Match": before.headers["ETag"]}
    polled = head.get("/safeguarding/queue/state", headers=since)
    assert polled.status_code == 200
    assert polled.json != before.json
    assert "<td>High</td>" in head.get("/safeguarding/queue/rows").text


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"triage-assignee_id": "dsl"}, "Assigned"),  # the DSL takes it
        ({"triage-category": "contact_from_stranger"}, "Contact from someone unknown"),
    ],
)
def test_a_colleague_taking_or_recategorising_a_worry_changes_the_state_the_queue_polls(
    app: Flask, session: Session, change: dict[str, str], shown: str
) -> None:
    """Two DSLs share the open queue: one taking a worry (or calling it something else) must
    reach the other's rows within a poll, or both may take the same worry."""
    school = make_school(session)
    incident = triaged_worry(session, school)
    session.commit()
    dsl, head = client_for(app, school.dsl), client_for(app, school.head)
    before = head.get("/safeguarding/queue/state")
    page = dsl.get(f"/safeguarding/{incident.id}").text
    data = {
        "triage-category": "cyberbullying",
        "triage-risk": "low",
        "triage-rationale": "Spoke to her",
        "triage-child_protection": "no",
        "triage-seen": _mark(page, "triage"),
        **change,
    }
    if data.get("triage-assignee_id") == "dsl":
        data["triage-assignee_id"] = str(school.dsl.id)
    assert dsl.post(f"/safeguarding/{incident.id}/triage", data=data).status_code == 302

    since = {"If-None-Match": before.headers["ETag"]}
    polled = head.get("/safeguarding/queue/state", headers=since)
    assert polled.status_code == 200  # not 304: the rows are fetched again
    rows = html.unescape(head.get("/safeguarding/queue/rows").text)
    expected = school.dsl.display_name if shown == "Assigned" else shown
    assert expected in rows
