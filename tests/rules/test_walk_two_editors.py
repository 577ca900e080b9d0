"""Two edits of the school's rules at once: the second to save is told, and loses nothing."""

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
from tests.conftest import client_for
from tests.worry_helpers import make_school


def _fields(page: str) -> dict[str, str]:
    """A form as a browser sends it: every box and hidden field, no box ticked."""
    fields = re.findall(r'<input(?![^>]*checkbox)[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    return {name: html.unescape(value) for name, value in fields}


def _opened(head: FlaskClient) -> dict[str, str]:
    return _fields(head.get("/rules/edit").data.decode())


def test_a_save_over_rules_changed_since_the_page_opened_is_refused_and_kept(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    services.seed_demo(session, school.head.school_id, now=utcnow())
    session.commit()
    laptop, ipad = client_for(app, school.head), client_for(app, school.head)
    first, second = _opened(laptop), _opened(ipad)

    first["rule-3"] = "I am kind to everyone online."
    assert laptop.post("/rules/edit", data=first).status_code == 302

    second["rule-7"] = "I take a break when my eyes feel tired."
    response = ipad.post("/rules/edit", data=second)
    page = html.unescape(response.data.decode())
    assert response.status_code == 409  # not saved over the laptop's change without a word
    assert "Someone else saved the rules" in page
    assert "I am kind to everyone online." in page  # the rules saved now, to compare
    assert 'value="I take a break when my eyes feel tired."' in page  # nothing typed is lost
    texts = [rule.text for rule in services.shown(session, school.head.school_id)]
    assert texts[2] == "I am kind to everyone online."
    assert texts[6] == "I take breaks from the screen."

    again = _fields(response.data.decode())
    assert ipad.post("/rules/edit", data=again).status_code == 302  # saved again, knowingly
    session.expire_all()
    texts = [rule.text for rule in services.shown(session, school.head.school_id)]
    assert texts[6] == "I take a break when my eyes feel tired."
    assert texts[2] == "I am kind to people online."  # the saved page, as its writer chose
    updates = select(func.count()).select_from(AuditEvent)
    assert session.scalar(updates.where(AuditEvent.action == "school_rules.updated")) == 2


def test_a_save_from_an_up_to_date_page_goes_through(app: Flask, session: Session) -> None:
    school = make_school(session)
    services.seed_demo(session, school.head.school_id, now=utcnow())
    session.commit()
    head = client_for(app, school.head)
    form = _opened(head)
    form["rule-1"] = "I ask an adult before I go online."
    assert head.post("/rules/edit", data=form).status_code == 302
    assert len(services.rules(session, school.head.school_id)) == len(services.DEMO_RULES)


def test_a_rule_with_a_picture_is_removed_by_ticking_remove(app: Flask, session: Session) -> None:
    """Every demo rule has a chosen picture: clearing its words alone was refused ("has a
    symbol but no words") with no way on the page to remove the rule but to find and clear
    the picture's code too."""
    school = make_school(session)
    services.seed_demo(session, school.head.school_id, now=utcnow())
    session.commit()
    head = client_for(app, school.head)
    page = head.get("/rules/edit").data.decode()
    assert 'name="remove-2"' in page
    assert "Remove this rule when I save" in page
    form = _opened(head)
    form["rule-2"] = ""  # cleared, picture left: told how to remove it, and given a 400
    response = head.post("/rules/edit", data=form)
    assert response.status_code == 400
    assert "Remove this rule when I save" in html.unescape(response.data.decode())
    form = _opened(head)
    form["remove-2"] = "yes"
    assert head.post("/rules/edit", data=form).status_code == 302
    texts = [rule.text for rule in services.shown(session, school.head.school_id)]
    assert len(texts) == len(services.DEMO_RULES) - 1
    assert "I keep my name, address and passwords private." not in texts


def test_a_ticked_removal_stays_ticked_when_another_box_is_wrong(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    services.seed_demo(session, school.head.school_id, now=utcnow())
    session.commit()
    head = client_for(app, school.head)
    form = _opened(head)
    form["remove-2"] = "yes"
    form["symbol-1"] = "NOPE"
    response = head.post("/rules/edit", data=form)
    page = response.data.decode()
    assert response.status_code == 400
    assert re.search(r'id="remove-2"[^>]*checked', page)
    assert 'value="I keep my name, address and passwords private."' in page  # kept as typed
    assert len(services.rules(session, school.head.school_id)) == len(services.DEMO_RULES)
