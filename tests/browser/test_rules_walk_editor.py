"""The headteacher on an iPad changes the rules while the rules were saved from elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.rules import services
from tests.browser.conftest import LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import IPAD_VIEWPORTS


def test_the_head_is_told_of_a_newer_save_and_removes_a_rule_by_ticking(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    page.set_viewport_size(IPAD_VIEWPORTS["landscape"])
    sign_in(page, live_server, "head")
    page.goto(live_server.url + "/rules/edit")
    assert_accessible(page)  # the Remove ticks included
    with live_server.app.app_context():  # saved from the head's laptop meanwhile
        db = get_session()
        head = db.scalars(select(Account).where(Account.username == "head")).one()
        entries = [(r.text, r.symbol or "") for r in services.rules(db, head.school_id)]
        entries[0] = ("I ask a grown-up before I go online.", entries[0][1])
        services.replace(db, head, entries, now=utcnow())
        db.commit()
    page.get_by_label("Words").nth(6).fill("I take a break when my eyes are tired.")
    page.get_by_role("button", name="Save the rules").last.click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_text("I ask a grown-up before I go online.")).to_be_visible()
    typed = page.get_by_label("Words").nth(6)
    expect(typed).to_have_value("I take a break when my eyes are tired.")  # nothing typed lost
    assert_accessible(page)
    page.get_by_label("Remove this rule when I save").nth(1).check()
    page.get_by_role("button", name="Save the rules").last.click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    expect(page.get_by_text("I take a break when my eyes are tired.")).to_be_visible()
    expect(page.get_by_text("I keep my name, address and passwords private.")).to_have_count(0)


def test_the_head_reorders_the_rules_by_keyboard_and_enter_in_a_box_saves(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    page.set_viewport_size(IPAD_VIEWPORTS["portrait"])
    sign_in(page, live_server, "head")
    page.goto(live_server.url + "/rules/edit")
    words = page.get_by_label("Words")
    fourth = words.nth(3).input_value()
    page.get_by_role("button", name="Move up (rule 4)").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text(
        "Rule 4 is now rule 3. Save the rules to keep this order."
    )
    # The moved rule's button has the focus again: Space moves it once more.
    expect(page.get_by_role("button", name="Move up (rule 3)")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_role("button", name="Move up (rule 2)")).to_be_focused()
    expect(words.nth(1)).to_have_value(fourth)
    assert_accessible(page)
    page.screenshot(path="/tmp/shots/rules-moved.png", full_page=True)
    words.nth(0).press("Enter")  # the form's first button is Save: Enter never moves a rule
    expect(page.get_by_role("status")).to_contain_text("Saved")
    with live_server.app.app_context():
        db = get_session()
        head = db.scalars(select(Account).where(Account.username == "head")).one()
        assert services.rules(db, head.school_id)[1].text == fourth
