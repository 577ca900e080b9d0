"""A form on the incident page changes the record once, however often the same copy of it is
sent: the DSL whose Wi-Fi dropped before the answer came, and who pressed Save again, finds one
note, one action, one closing in the chronology, and is told why nothing new appeared."""

from __future__ import annotations

import re
import threading

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.worries.models import Incident, IncidentAction, IncidentEntry, Status
from tests.conftest import client_for
from tests.worry_helpers import School, make_school, triaged_worry

TWICE = "This form was sent twice (perhaps the connection dropped), so it was recorded once."


def _key(page: str, form: str) -> str:
    found = re.search(rf'name="{form}-once" type="hidden" value="([0-9a-f]+)"', page)
    assert found, f"no key on the {form} form"
    return found.group(1)


def _notes(session: Session, incident: Incident, text: str) -> int:
    session.expire_all()
    entries = select(func.count()).where(
        IncidentEntry.incident_id == incident.id, IncidentEntry.text == text
    )
    return int(session.scalar(entries) or 0)


def _opened(app: Flask, session: Session) -> tuple[School, Incident, FlaskClient, str]:
    school = make_school(session)
    incident = triaged_worry(session, school)
    session.commit()
    dsl = client_for(app, school.dsl)
    page = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    return school, incident, dsl, page


def test_a_note_sent_twice_is_recorded_once_and_the_dsl_is_told(
    app: Flask, session: Session
) -> None:
    _school, incident, dsl, page = _opened(app, session)
    note = {"note-once": _key(page, "note"), "note-text": "Spoke to Amira at lunch"}
    first = dsl.post(f"/safeguarding/{incident.id}/notes", data=note)
    again = dsl.post(f"/safeguarding/{incident.id}/notes", data=note)
    assert first.status_code == again.status_code == 302
    assert "notice=twice" not in first.location
    assert "notice=twice" in again.location
    assert _notes(session, incident, "Spoke to Amira at lunch") == 1
    shown = dsl.get(again.location).data.decode()
    assert TWICE in shown
    assert shown.count("Spoke to Amira at lunch") == 1


def test_two_copies_arriving_at_once_are_recorded_once(app: Flask, session: Session) -> None:
    """Two threads, as two workers would, send the same note at the same moment."""
    school, incident, _dsl, page = _opened(app, session)
    note = {"note-once": _key(page, "note"), "note-text": "Both at once"}
    laptops = [client_for(app, school.dsl) for _ in range(2)]
    url = f"/safeguarding/{incident.id}/notes"
    session.close()  # the test holds no transaction while the threads work
    start = threading.Barrier(2)
    answers: list[int] = []

    def send(laptop: FlaskClient) -> None:
        start.wait()
        answers.append(laptop.post(url, data=note).status_code)

    threads = [threading.Thread(target=send, args=(laptop,)) for laptop in laptops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [302, 302]
    assert _notes(session, incident, "Both at once") == 1


def test_each_drawing_of_the_page_makes_a_new_form(app: Flask, session: Session) -> None:
    """The same words saved again from the page drawn afresh are a second note, on purpose."""
    _school, incident, dsl, page = _opened(app, session)
    url = f"/safeguarding/{incident.id}/notes"
    dsl.post(url, data={"note-once": _key(page, "note"), "note-text": "Checked in"})
    again = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert _key(again, "note") != _key(page, "note")
    dsl.post(url, data={"note-once": _key(again, "note"), "note-text": "Checked in"})
    assert _notes(session, incident, "Checked in") == 2


def test_a_refused_form_keeps_its_key_free_for_the_corrected_one(
    app: Flask, session: Session
) -> None:
    school, incident, dsl, page = _opened(app, session)
    key = _key(page, "action")
    url = f"/safeguarding/{incident.id}/actions"
    refused = dsl.post(url, data={"action-once": key, "action-description": "Phone mum"})
    assert refused.status_code == 400
    assert _key(refused.data.decode(), "action") == key  # shown again as the same form
    complete = {
        "action-once": key,
        "action-description": "Phone mum",
        "action-reason": "She asked us to",
        "action-owner_id": str(school.deputy.id),
        "action-due_on": "2026-12-20",
    }
    made = dsl.post(url, data=complete)
    assert made.status_code == 302
    assert "notice=twice" not in made.location
    assert dsl.post(url, data=complete).location == made.location.replace(
        "#action", "?notice=twice#action"
    )
    session.expire_all()
    actions = select(func.count()).where(IncidentAction.incident_id == incident.id)
    assert session.scalar(actions) == 1


def test_closing_sent_twice_is_not_refused_as_a_change_to_a_closed_record(
    app: Flask, session: Session
) -> None:
    _school, incident, dsl, page = _opened(app, session)
    closing = {
        "close-once": _key(page, "close"),
        "close-outcome": "Resolved",
        "close-lessons_learnt": "Check chat settings each term",
        "close-carers": "release",
        "close-carers-reason": "Nothing was held back from them",
    }
    assert dsl.post(f"/safeguarding/{incident.id}/close", data=closing).status_code == 302
    again = dsl.post(f"/safeguarding/{incident.id}/close", data=closing)
    assert again.status_code == 302  # not "is closed, so it cannot be changed"
    session.expire_all()
    assert incident.status == Status.CLOSED
    assert _notes(session, incident, "Closed. Outcome: Resolved") == 1


def test_a_damaged_key_is_refused_and_records_nothing(app: Flask, session: Session) -> None:
    _school, incident, dsl, _page = _opened(app, session)
    note = {"note-once": "<script>", "note-text": "A note"}
    refused = dsl.post(f"/safeguarding/{incident.id}/notes", data=note)
    assert refused.status_code == 400
    assert "This form is damaged" in refused.data.decode()
    assert _notes(session, incident, "A note") == 0
