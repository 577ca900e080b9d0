"""The school's rules for responsible internet use: written by the head, seen, heard and printed."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import demo
from classroom.accounts.models import Account, Role, School
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.rules import services
from classroom.rules.models import SchoolRule
from tests.app_settings import invite_settings
from tests.authoring_helpers import assert_harmless, xss_lines
from tests.conftest import client_for
from tests.worry_helpers import make_school, pupil_on_ipad


def _form(*rules: tuple[str, str]) -> dict[str, str]:
    data = {}
    for n, (text, symbol) in enumerate(rules, 1):
        data[f"rule-{n}"], data[f"symbol-{n}"] = text, symbol
    return data


def test_the_headteacher_writes_the_rules_and_it_is_audited(app: Flask, session: Session) -> None:
    school = make_school(session)
    head = client_for(app, school.head)
    assert head.get("/rules/edit").status_code == 200
    response = head.post(
        "/rules/edit", data=_form(("I am kind online.", ""), ("I ask an adult.", "1F9D1"))
    )
    assert response.status_code == 302
    rows = list(session.scalars(select(SchoolRule).order_by(SchoolRule.position)))
    assert [(r.text, r.symbol) for r in rows] == [
        ("I am kind online.", None),
        ("I ask an adult.", "1F9D1"),
    ]
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "school_rules.updated"))


def test_only_the_headteacher_may_change_the_rules(app: Flask, session: Session) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    assert teacher.get("/rules/edit").status_code == 403
    assert teacher.post("/rules/edit", data=_form(("Hi.", ""))).status_code == 403
    assert teacher.get("/rules/").status_code == 200  # every member of staff can see and print


def test_bad_rules_are_refused_with_a_clear_message_and_nothing_changes(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    services.seed_demo(session, school.head.school_id, now=utcnow())
    session.commit()
    head = client_for(app, school.head)
    long_rule = " ".join(["word"] * 13)
    for form, message in (
        (_form((long_rule, "")), "Rule 1 is too long"),
        (_form(("I am kind.", "NOPE")), "there is no symbol"),
        (_form(("", "1F9D1")), "has a symbol but no words"),
        ({}, "Write between 1 and 10 rules"),
    ):
        response = head.post("/rules/edit", data=form)
        assert response.status_code == 400
        assert message in html.unescape(response.data.decode())
    assert len(services.rules(session, school.head.school_id)) == len(services.DEMO_RULES)


def test_pupils_see_the_rules_symbolised_and_can_hear_them(app: Flask, session: Session) -> None:
    school = make_school(session)
    services.seed_demo(session, school.head.school_id, now=utcnow())
    session.commit()
    ipad = pupil_on_ipad(app, school)
    home = ipad.get("/pupil/").data.decode()
    assert 'href="/pupil/rules"' in home
    page = ipad.get("/pupil/rules").data.decode()
    assert "I am kind to people online." in html.unescape(page)
    assert 'class="sym-word"' in page  # every word is a button that says itself
    assert 'data-read-to-me="say-rules"' in page
    said = html.unescape(page.split('id="say-rules" data-say="')[1].split('"')[0])
    assert said == "Our rules."  # then the rule on screen says itself (one rule a screen)
    first = '<li class="rule" data-say-with="say-rules" data-say="I ask a trusted adult'
    assert first in page
    assert "/symbols/1F512.svg" in page  # the chosen picture for the privacy rule


def test_staff_cannot_open_the_pupil_page_and_pupils_cannot_open_staff_pages(
    app: Flask, session: Session, login_as: Callable[..., Account], client: FlaskClient
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    assert ipad.get("/rules/").status_code == 302
    assert ipad.get("/rules/poster/a4").status_code == 302
    login_as(Role.TEACHER)
    assert client.get("/pupil/rules").status_code == 403


def test_the_poster_prints_on_a4_or_a3_with_large_symbols(app: Flask, session: Session) -> None:
    school = make_school(session)
    services.seed_demo(session, school.head.school_id, now=utcnow())
    session.commit()
    teacher = client_for(app, school.teacher)
    for size in ("a4", "a3"):
        page = teacher.get(f"/rules/poster/{size}").data.decode()
        assert f"poster-{size}" in page
        assert "data-print" in page
        assert "css/rules.css" in page
        assert page.count('class="poster-symbol"') == len(services.DEMO_RULES)
    assert teacher.get("/rules/poster/a0").status_code == 404
    css = (app.static_folder or "") + "/css/rules.css"
    with open(css, encoding="utf-8") as sheet:
        text = sheet.read()
    assert "@media print" in text
    assert "size: A3" in text
    assert "size: A4" in text


def test_the_demo_school_has_rules(app: Flask, session: Session) -> None:
    instance = Path(app.instance_path)
    demo.seed(
        session,
        "demo-password-for-tests",
        now=utcnow(),
        instance=instance,
        secret_key=invite_settings().secret_key,
    )
    session.commit()
    school_id = session.scalar(select(School.id))
    assert school_id is not None
    rules = services.shown(session, school_id)
    assert len(rules) == len(services.DEMO_RULES)
    assert all(len(rule.text.split()) <= services.MAX_WORDS for rule in rules)


def test_attack_text_in_rules_is_shown_as_text(app: Flask, session: Session) -> None:
    school = make_school(session)
    head = client_for(app, school.head)
    ipad = pupil_on_ipad(app, school)
    lines = [line for line in xss_lines() if len(line) <= 120 and len(line.split()) <= 12]
    for start in range(0, len(lines), 10):
        batch = lines[start : start + 10]
        response = head.post("/rules/edit", data=_form(*((line, "") for line in batch)))
        assert response.status_code == 302, batch
        for page in (head.get("/rules/"), head.get("/rules/poster/a4"), ipad.get("/pupil/rules")):
            assert page.status_code == 200
            assert_harmless(page.data.decode())
