"""A leaver's child-protection file has gone, then something new comes: the DSL opens the pupil's
file page to send it again, and it says when the last file went, to whom, and which records are
new or updated since (and by what kinds of entry, never what they say), so she tells the next
school's DSL the right thing. The list of files to send and this page share one definition."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Incident, IncidentEntry
from tests.conftest import Clock, client_for
from tests.history import copies, page_steps, sqlite_only
from tests.worries.cp_file_helpers import (
    amira_has_left,
    raise_concern,
    record_police_reply,
    send_file,
    still_to_send,
    triage_and_close,
    words,
    worry_of_another_pupil,
)
from tests.worry_helpers import School

ENTRIES: Table = IncidentEntry.__table__  # type: ignore[assignment]
INCIDENTS: Table = Incident.__table__  # type: ignore[assignment]


@pytest.fixture
def school(app: Flask, session: Session, clock: Clock) -> School:
    """Amira, who has left: a child-protection worry referred to the police, and a concern."""
    return amira_has_left(app, session, clock, referred=True, concern=True)


def _records(session: Session) -> list[Incident]:
    return list(session.scalars(select(Incident).order_by(Incident.id)))


def _page(browser: FlaskClient, school: School) -> str:
    page = browser.get(f"/safeguarding/pupils/{school.pupil.id}/cp-file")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _in_it(browser: FlaskClient, school: School) -> dict[str, str]:
    """Each record listed under "What is in it", as a person reads its line, by reference."""
    section = _page(browser, school).split('id="in-h"')[1].split("</section>")[0]
    lines = [words(li) for li in re.findall(r"<li>.*?</li>", section, re.DOTALL)]
    return {line.split(" ")[0]: line for line in lines}


def _marks(browser: FlaskClient, school: School) -> dict[str, str]:
    """What each record's line says after the day it was received: "" for nothing."""
    return {
        ref: re.sub(r"^\S+ . received \d+ \w+ \d{4} ?", "", line)
        for ref, line in _in_it(browser, school).items()
    }


def _since(browser: FlaskClient, school: School) -> str | None:
    found = re.search(r'<p id="since-sent">.*?</p>', _page(browser, school), re.DOTALL)
    return words(found.group(0)) if found else None


def _news_after_the_file_went(session: Session, school: School, clock: Clock) -> Incident:
    """A note on the worry and the police's reply to its referral; a new concern."""
    clock.advance(days=2)
    worry = _records(session)[0]
    services.add_note(session, school.dsl, worry, "Her aunt rang", "Worried", now=utcnow())
    session.flush()
    clock.advance(hours=1)
    record_police_reply(session, school)
    session.commit()
    return raise_concern(session, school, school.pupil.id)


def test_the_first_file_is_marked_nothing_and_once_it_went_the_page_says_when(
    app: Flask, session: Session, school: School
) -> None:
    dsl = client_for(app, school.dsl)
    assert _since(dsl, school) is None
    assert set(_marks(dsl, school).values()) == {""}
    assert "since the file" not in words(_page(dsl, school))
    send_file(app, session, school, date(2027, 3, 9))
    assert _since(dsl, school) == (
        "The last file was sent on 9 Mar 2027 to Elm School, Ms Green. Nothing is new or "
        "updated since it was made."
    )
    assert set(_marks(dsl, school).values()) == {""}


def test_what_came_after_the_file_went_is_marked_on_its_own_record(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    worry, concern = _records(session)
    send_file(app, session, school, date(2027, 3, 9))
    new = _news_after_the_file_went(session, school, clock)
    dsl = client_for(app, school.dsl)  # signed in again, days later
    assert _marks(dsl, school) == {
        worry.reference: "Updated since the file was sent on 9 Mar 2027: 2 entries: a note, "
        "the referral's reply",
        concern.reference: "",  # in the file, and nothing added to it since
        new.reference: "New since the file was sent on 9 Mar 2027",
    }
    assert _since(dsl, school).startswith(  # type: ignore[union-attr]
        "The last file was sent on 9 Mar 2027 to Elm School, Ms Green. What is new or updated"
    )
    page = _page(dsl, school)
    assert "Her aunt rang" not in page  # the kinds of entry, never what they say
    assert "Words of advice" not in page
    # The list of files to send counts the same records.
    [row] = still_to_send(dsl)
    assert "1 concern, and updates to 1 worry already in the file" in row


def test_sending_a_new_file_clears_the_marks(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    send_file(app, session, school, date(2027, 3, 9))
    _news_after_the_file_went(session, school, clock)
    clock.advance(hours=1)
    send_file(app, session, school, date(2027, 3, 11))
    dsl = client_for(app, school.dsl)
    assert set(_marks(dsl, school).values()) == {""}
    assert _since(dsl, school) == (
        "The last file was sent on 11 Mar 2027 to Elm School, Ms Green. Nothing is new or "
        "updated since it was made."
    )
    assert still_to_send(dsl) == []


@sqlite_only
def test_years_of_other_records_cost_the_file_page_nothing_more(
    app: Flask, session: Session, clock: Clock, school: School
) -> None:
    """Marking what is new reads Amira's own records, never the school's history."""
    send_file(app, session, school, date(2027, 3, 9))
    _news_after_the_file_went(session, school, clock)
    other = worry_of_another_pupil(session, school)  # Grace's, noted and closed long ago
    services.add_note(session, school.dsl, other, "Spoke to Grace", None, now=utcnow())
    triage_and_close(session, school, other)
    entry = session.scalars(
        select(IncidentEntry.id).where(IncidentEntry.incident_id == other.id)
    ).first()
    assert entry is not None
    dsl = client_for(app, school.dsl)
    path = f"/safeguarding/pupils/{school.pupil.id}/cp-file"
    before = page_steps(app, dsl, path)
    copies(session, ENTRIES, entry, 3_000)
    copies(session, INCIDENTS, other.id, 3_000)
    assert page_steps(app, dsl, path) == before
    assert "Updated since the file was sent on 9 Mar 2027" in words(_page(dsl, school))
