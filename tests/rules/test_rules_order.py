"""The head puts the rules in a new order without retyping them: Move up and Move down swap
a rule with its neighbour in the boxes, words, picture and "Remove" tick together, and nothing
is saved until Save (a head trying an order can still Cancel)."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.rules import services
from classroom.rules.models import SchoolRule
from tests.conftest import client_for
from tests.worry_helpers import make_school


def _fields(page: str) -> dict[str, str]:
    """The form as a browser sends it: every box and hidden field, and the ticked boxes."""
    fields = re.findall(r'<input(?![^>]*checkbox)[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    sent = {name: html.unescape(value) for name, value in fields}
    sent.update(dict.fromkeys(re.findall(r'name="(remove-\d+)" value="yes" checked', page), "yes"))
    return sent


def _texts(session: Session, school_id: int) -> list[str]:
    session.expire_all()
    return [rule.text for rule in services.shown(session, school_id)]


def _head(app: Flask, session: Session) -> tuple[FlaskClient, int]:
    school = make_school(session)
    services.seed_demo(session, school.head.school_id, now=utcnow())
    session.commit()
    return client_for(app, school.head), school.head.school_id


def test_moving_a_rule_up_twice_then_saving_keeps_the_new_order(
    app: Flask, session: Session
) -> None:
    head, school_id = _head(app, session)
    before = _texts(session, school_id)
    form = _fields(head.get("/rules/edit").data.decode())
    form["symbol-4"] = "1F6D1"
    for move in ("up-4", "up-3"):
        response = head.post("/rules/edit", data=form | {"move": move})
        assert response.status_code == 200
        page = html.unescape(response.data.decode())
        form = _fields(response.data.decode())
    assert "Rule 3 is now rule 2. Save the rules to keep this order." in page
    # The moved rule's Move up is focused again, so a keyboard user presses it once more.
    assert re.search(r'value="up-2" autofocus>', response.data.decode())
    assert form["rule-2"] == before[3]
    assert form["symbol-2"] == "1F6D1"
    assert form["rule-3"] == before[1]
    assert form["rule-4"] == before[2]
    assert _texts(session, school_id) == before  # moving saved nothing

    assert head.post("/rules/edit", data=form).status_code == 302
    after = _texts(session, school_id)
    assert after == [before[0], before[3], before[1], before[2], *before[4:]]
    second = select(SchoolRule.symbol).where(
        SchoolRule.school_id == school_id, SchoolRule.position == 1
    )
    assert session.scalar(second) == "1F6D1"  # its picture came with it


def test_a_remove_tick_moves_with_its_rule(app: Flask, session: Session) -> None:
    head, school_id = _head(app, session)
    before = _texts(session, school_id)
    form = _fields(head.get("/rules/edit").data.decode()) | {"remove-5": "yes"}
    response = head.post("/rules/edit", data=form | {"move": "down-5"})
    assert response.status_code == 200
    moved = _fields(response.data.decode())
    assert moved.get("remove-6") == "yes"
    assert "remove-5" not in moved
    assert moved["rule-6"] == before[4]
    assert head.post("/rules/edit", data=moved).status_code == 302
    assert _texts(session, school_id) == [*before[:4], before[5], *before[6:]]


def test_the_last_rule_has_no_move_down_and_the_first_no_move_up(
    app: Flask, session: Session
) -> None:
    head, _ = _head(app, session)
    page = head.get("/rules/edit").data.decode()
    assert 'value="up-1"' not in page
    assert 'value="down-1"' in page
    assert 'value="up-7"' in page
    assert 'value="down-7"' not in page
    assert 'value="up-8"' not in page  # an empty box has nothing to move
    # Enter in a box sends the form's first button: Save, never a move.
    first_button = re.search(r"<button[^>]*>", page.split('name="seen"')[1])
    assert first_button is not None
    assert 'name="move"' not in first_button.group(0)


def test_a_move_that_is_not_a_neighbour_is_refused_and_nothing_is_saved(
    app: Flask, session: Session
) -> None:
    head, school_id = _head(app, session)
    before = _texts(session, school_id)
    form = _fields(head.get("/rules/edit").data.decode())
    for move in ("up-1", "down-10", "sideways-2", "up-99", "up-"):
        assert head.post("/rules/edit", data=form | {"move": move}).status_code == 400
    assert _texts(session, school_id) == before
    updates = select(func.count()).select_from(AuditEvent)
    assert session.scalar(updates.where(AuditEvent.action == "school_rules.updated")) == 0
