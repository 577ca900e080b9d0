"""Two of the team acting on one record at the same instant take turns: the second sees the record
as the first left it.

Found on PostgreSQL (READ COMMITTED): two DSLs pressing Acknowledge on a new worry from the live
queue each read it as new before the other saved, so the chronology said "Acknowledged by" twice,
the audit log had two acknowledgements and the last one silently became the acknowledger; a
triage sent while a colleague closed the record was laid over the closed record. SQLite's writers
already take turns (BEGIN IMMEDIATE), so there it never happened.

The threaded tests hold the first request inside its transaction, just after it loaded the record,
and only let it go once PostgreSQL says the second request is waiting for a lock.
"""

from __future__ import annotations

import html
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.parents.models import FeedItem
from classroom.worries import services
from classroom.worries.evidence_models import BodyMark
from classroom.worries.models import (
    Category,
    Incident,
    IncidentEntry,
    ParentContact,
    Risk,
    Status,
)
from tests import databases
from tests.app_settings import base_url
from tests.conftest import Clock, client_for
from tests.factories import make_account
from tests.parents_helpers import incident_about, make_family
from tests.worry_helpers import School, make_school, triaged_worry

on_postgres_only = pytest.mark.skipif(
    not databases.POSTGRES, reason="SQLite's writers take turns at BEGIN IMMEDIATE already"
)

WAIT = 30  # seconds before a stuck thread fails the test instead of hanging the run

CLOSING = {
    "close-outcome": "Resolved",
    "close-lessons_learnt": "Check chat settings each term",
    "close-carers": "release",
    "close-carers-reason": "Nothing was held back from them",
}


def _new_worry(session: Session, school: School) -> Incident:
    incident = services.raise_worry(
        session, school.pupil, school.device, str(uuid.uuid4()),
        services.WorryChoices(what="unkind"), now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    session.commit()
    return incident


def _count(session: Session, query: Any) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _acknowledged(session: Session, incident_id: int) -> tuple[int, int]:
    """The "Acknowledged by" entries in the chronology, and the audit events saying so."""
    entries = select(IncidentEntry.id).where(
        IncidentEntry.incident_id == incident_id, IncidentEntry.kind == "acknowledged"
    )
    events = select(AuditEvent.id).where(
        AuditEvent.action == "incident.acknowledged", AuditEvent.object_id == incident_id
    )
    return _count(session, entries), _count(session, events)


@dataclass
class Request:
    """One request sent from its own thread, as a second server worker would serve it."""

    send: Callable[[], Any]
    done: threading.Event = field(default_factory=threading.Event)
    answer: Any = None
    failure: BaseException | None = None

    def __post_init__(self) -> None:
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.answer = self.send()
        except BaseException as error:  # noqa: BLE001 - reported by the test, not lost in a thread
            self.failure = error
        finally:
            self.done.set()


class Hold:
    """Holds `thread` inside the worries service `name` (its record loaded, its transaction
    open) until `go` is set; other threads pass straight through."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, name: str, thread: threading.Thread):
        self.inside = threading.Event()
        self.go = threading.Event()
        original = getattr(services, name)

        def held(*args: Any, **kwargs: Any) -> Any:
            if threading.current_thread() is thread:
                self.inside.set()
                if not self.go.wait(WAIT):
                    raise RuntimeError("the held request was never let go")
            return original(*args, **kwargs)

        monkeypatch.setattr(services, name, held)


def _waiting_for_a_lock(engine: Engine, second: Request) -> bool:
    """Whether PostgreSQL shows a request waiting for a row lock before the second answers."""
    for _ in range(WAIT * 20):
        with engine.connect() as conn:  # a new transaction each time: pg_stat_activity is fresh
            waiting = conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            )
        if waiting:
            return True
        if second.done.wait(0.05):
            return False
    return False


def _first_of(*events: threading.Event) -> threading.Event | None:
    """Whichever event is set first (None: none within WAIT)."""
    for _ in range(WAIT * 20):
        for event in events:
            if event.is_set():
                return event
        events[-1].wait(0.05)
    return None


def _at_once(app: Flask, monkeypatch: pytest.MonkeyPatch, name: str,
             first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:  # fmt: skip
    """`first` loads the record and is held inside `services.<name>`; `second` is sent then.
    The second must wait for the first's commit. Returns both answers."""
    one, two = Request(first), Request(second)
    hold = Hold(monkeypatch, name, one.thread)  # before it starts, so its first call is held
    threads = [one.thread]
    try:
        one.thread.start()
        reached = _first_of(hold.inside, one.done)
        assert reached is hold.inside, f"the first request ended first: {one.failure or one.answer}"
        threads.append(two.thread)
        two.thread.start()
        waited = _waiting_for_a_lock(app.extensions["db_engine"], two)
        assert not two.done.is_set(), "the second request went ahead while the first held"
        assert waited, "the second request never waited for the first"
    finally:
        hold.go.set()
        for thread in threads:
            thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert one.failure is None, one.failure
    assert two.failure is None, two.failure
    return one.answer, two.answer


@on_postgres_only
def test_two_of_the_team_acknowledging_at_once_make_one_acknowledgement(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = make_school(session)
    incident = _new_worry(session, school)
    incident_id, dsl_id = incident.id, school.dsl.id
    dsl, deputy = client_for(app, school.dsl), client_for(app, school.deputy)
    url = f"/safeguarding/{incident_id}/acknowledge"
    session.close()  # the test holds no transaction while the requests work

    first, second = _at_once(
        app, monkeypatch, "acknowledge", lambda: dsl.post(url), lambda: deputy.post(url)
    )

    assert first.status_code == second.status_code == 302
    assert _acknowledged(session, incident_id) == (1, 1)
    incident = session.get_one(Incident, incident_id)
    assert incident.status == Status.OPEN
    assert incident.acknowledged_by_id == dsl_id  # the first to press it, not the last


def _seen(page: str, form: str) -> str:
    found = re.search(rf'name="{form}-seen"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="{form}-seen"',
                      page)  # fmt: skip
    assert found is not None, form
    return found.group(1) or found.group(2)


@on_postgres_only
def test_a_triage_sent_while_a_colleague_closes_is_told_the_record_is_closed(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = make_school(session)
    incident = triaged_worry(session, school)
    session.commit()
    incident_id, reference = incident.id, incident.reference
    dsl, deputy = client_for(app, school.dsl), client_for(app, school.deputy)
    page = deputy.get(f"/safeguarding/{incident_id}").text
    escalation = {
        "triage-category": "cyberbullying",
        "triage-risk": "high",
        "triage-rationale": "He named a meeting place",
        "triage-child_protection": "yes",
        "triage-assignee_id": "",
        "triage-seen": _seen(page, "triage"),
    }
    base = f"/safeguarding/{incident_id}"
    session.close()

    closed, triaged = _at_once(
        app,
        monkeypatch,
        "close",
        lambda: dsl.post(f"{base}/close", data=CLOSING),
        lambda: deputy.post(f"{base}/triage", data=escalation),
    )

    assert closed.status_code == 302
    assert triaged.status_code == 400  # as when the triage comes after the closing
    answer = html.unescape(triaged.text)
    assert f"{reference} is closed, so it cannot be changed" in answer
    assert "He named a meeting place" in answer  # what the deputy wrote, shown back to copy
    session.expire_all()
    incident = session.get_one(Incident, incident_id)
    assert incident.status == Status.CLOSED
    assert incident.risk == Risk.LOW
    triages = select(IncidentEntry.id).where(
        IncidentEntry.incident_id == incident_id, IncidentEntry.kind == "triage"
    )
    assert _count(session, triages) == 1  # the DSL's first triage only


@on_postgres_only
def test_a_body_map_mark_sent_while_a_colleague_closes_is_refused(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = make_school(session)
    incident = triaged_worry(session, school)
    session.commit()
    incident_id = incident.id
    dsl, deputy = client_for(app, school.dsl), client_for(app, school.deputy)
    mark = {"region": "front:neck", "mark_type": "cut", "size": "1 cm"}
    base = f"/safeguarding/{incident_id}"
    session.close()

    closed, marked = _at_once(
        app,
        monkeypatch,
        "close",
        lambda: dsl.post(f"{base}/close", data=CLOSING),
        lambda: deputy.post(f"{base}/evidence/marks", data=mark),
    )

    assert closed.status_code == 302
    assert marked.status_code == 400
    assert "This incident is closed. Reopen it to add to the body map." in marked.text
    assert _count(session, select(BodyMark.id)) == 0


@on_postgres_only
def test_a_carers_notice_sent_while_a_colleague_closes_is_refused(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    triage = services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to her", False, None)
    services.triage(session, family.dsl, incident, triage, now=utcnow())
    session.commit()
    incident_id, child_id = incident.id, family.child.id
    deputy_dsl = make_account(session, Role.DEPUTY_DSL, display_name="Ms Evans")
    session.commit()
    dsl, deputy = client_for(app, family.dsl), client_for(app, deputy_dsl)
    closing = CLOSING | {"close-carers_told": "Mum phoned by the DSL on Tuesday"}
    notice = {f"p{child_id}-text": "Amira is safe and well.", f"p{child_id}-key": "page-1"}
    session.close()

    closed, sent = _at_once(
        app,
        monkeypatch,
        "close",
        lambda: dsl.post(f"/safeguarding/{incident_id}/close", data=closing),
        lambda: deputy.post(f"/parents/incidents/{incident_id}/notice/{child_id}", data=notice),
    )

    assert closed.status_code == 302
    assert sent.status_code == 400  # refused as closed, as when sent after the closing
    assert _count(session, select(FeedItem.id)) == 0  # nothing went to the carers
    assert session.get_one(Incident, incident_id).status == Status.CLOSED


def test_acknowledging_one_after_the_other_makes_one_acknowledgement(
    app: Flask, session: Session
) -> None:
    """The same two presses in turn (SQLite's way, and PostgreSQL's once they take turns)."""
    school = make_school(session)
    incident = _new_worry(session, school)
    url = f"/safeguarding/{incident.id}/acknowledge"
    assert client_for(app, school.dsl).post(url).status_code == 302
    assert client_for(app, school.deputy).post(url).status_code == 302
    assert _acknowledged(session, incident.id) == (1, 1)
    session.expire_all()
    assert incident.acknowledged_by_id == school.dsl.id
