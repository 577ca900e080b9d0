"""A queue longer than one page: every open worry is on exactly one page, in the order the DSL
works them (an empty worry first until someone triages it, then the newest first), and the live
view's rows for a page are that page's rows."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Category, Incident, Risk
from classroom.worries.views import QUEUE_PAGE
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.worry_helpers import School, make_school

REFERENCE = re.compile(r"<td><a [^>]*>(W\d{5})</a>")


def _worries(session: Session, school: School, count: int, **choices: object) -> list[Incident]:
    """`count` worries from the school's pupil, one after another (the first is the oldest)."""
    what = services.WorryChoices(**choices)
    made = []
    for _ in range(count):
        key, now = str(uuid.uuid4()), utcnow()
        worry = services.raise_worry(
            session, school.pupil, school.device, key, what, now=now, base_url=base_url()
        )
        made.append(worry)
    session.commit()
    return made


def _open_rows(page: str) -> list[str]:
    """The references in the open table, top to bottom (not the recently closed ones)."""
    return REFERENCE.findall(page.split('id="closed-heading"')[0])


def _page(dsl: FlaskClient, number: int) -> str:
    response = dsl.get(f"/safeguarding/?page={number}")
    assert response.status_code == 200
    return response.data.decode()


def test_a_long_queue_shows_every_worry_once_across_its_pages_newest_first(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    worries = _worries(session, school, QUEUE_PAGE + 5, what="unkind")
    dsl = client_for(app, school.dsl)

    first, second = _page(dsl, 1), _page(dsl, 2)
    newest_first = [w.reference for w in reversed(worries)]
    assert _open_rows(first) == newest_first[:QUEUE_PAGE]
    assert _open_rows(second) == newest_first[QUEUE_PAGE:]
    total = QUEUE_PAGE + 5
    assert f"{total} new or open; showing 1–{QUEUE_PAGE}." in first
    assert f"{total} new or open; showing {QUEUE_PAGE + 1}–{total}." in second
    assert ("Newer</a>" in first, "Older</a>" in first) == (False, True)
    assert ("Newer</a>" in second, "Older</a>" in second) == (True, False)
    # The live view refreshes the page the DSL is on, not the first one.
    live = dsl.get("/safeguarding/queue/rows?page=2").data.decode()
    assert REFERENCE.findall(live) == newest_first[QUEUE_PAGE:]


def test_empty_worries_lead_the_queue_until_triaged_even_when_acknowledged(
    app: Flask, session: Session
) -> None:
    """An empty worry (the button pressed, nothing chosen) needs someone to speak to the pupil:
    it stays at the top, however old, until it is triaged; acknowledging it is not enough."""
    school = make_school(session)
    empties = _worries(session, school, 3)  # the oldest of all
    others = _worries(session, school, QUEUE_PAGE, what="sad")
    services.acknowledge(session, school.dsl, empties[0], now=utcnow())
    triage = services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to him", False, None)
    services.triage(session, school.dsl, empties[1], triage, now=utcnow())
    session.commit()
    dsl = client_for(app, school.dsl)

    first, second = _open_rows(_page(dsl, 1)), _open_rows(_page(dsl, 2))
    untriaged = [empties[2].reference, empties[0].reference]  # newest first among them
    assert first[:2] == untriaged
    assert first[2:] == [w.reference for w in reversed(others)][: QUEUE_PAGE - 2]
    # The triaged one is back in its place by age: the oldest of the open, last on page 2.
    assert second == [others[1].reference, others[0].reference, empties[1].reference]
    assert sorted(first + second) == sorted(w.reference for w in empties + others)
