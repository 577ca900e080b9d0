"""A governor reads the anonymised review on an iPad (1024x768): every link to another period
is a 44px tall target, and the month chart is in words. The headteacher, on the staff laptop
(1366x768), approves a change to the DSL's email address: the button says whose change it
is; after signing out, Back shows the sign-in page, not the approvals."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in, sign_out
from tests.browser.test_safeguard_journeys import _triaged_concern

LAPTOP = {"width": 1366, "height": 768}
IPAD_LANDSCAPE = {"width": 1024, "height": 768}


def test_a_governor_reads_the_review_on_an_ipad(browser: Browser, live_server: LiveServer) -> None:
    for _ in range(3):  # enough for the charts to be drawn
        _triaged_concern(live_server)
    context = browser.new_context(viewport=IPAD_LANDSCAPE, has_touch=True, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, live_server, "governor")
    page.goto(live_server.url + "/safeguarding/review/")
    periods = page.get_by_role("navigation", name="Periods").get_by_role("link")
    assert periods.count() >= 4
    for link in periods.all():
        box = link.bounding_box()
        assert box is not None
        assert box["height"] >= 44, f"{link.inner_text()}: {box}"
    month = page.locator("#month-caption").locator("..").locator("text.bar-label").first
    expect(month).to_have_text(
        re.compile(
            r"^(January|February|March|April|May|June|July|August"
            r"|September|October|November|December) \d{4}$"
        )
    )
    assert_accessible(page)
    context.close()


def test_the_head_approves_a_dsl_email_change_on_the_laptop(
    browser: Browser, live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        dsl = get_session().scalar(select(Account.id).where(Account.username == "dsl"))
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    admin = context.new_page()
    sign_in(admin, live_server, "admin")
    admin.goto(f"{live_server.url}/admin/accounts/{dsl}")
    admin.get_by_role("textbox", name="Email address").fill("tom.bell@new.invalid")
    admin.get_by_role("button", name="Ask to change email address").click()
    sign_out(admin)

    page = admin
    sign_in(page, live_server, "head")
    page.goto(live_server.url + "/admin/approvals")
    approve = page.get_by_role("button", name="Approve").filter(has_text="Mr Tom Bell")
    expect(approve).to_have_accessible_name(
        re.compile(r"^Approve change #\d+: Mr Tom Bell, email address$")
    )
    assert_accessible(page)
    approve.click()
    expect(page.get_by_role("status")).to_contain_text("Approved: Mr Tom Bell, email address.")
    sign_out(page)
    page.go_back()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_text("tom.bell@new.invalid")).to_have_count(0)
    context.close()


IPAD_PORTRAIT = {"width": 810, "height": 1080}


def test_approve_and_decline_are_apart_and_44px_on_an_ipad_in_portrait(
    browser: Browser, live_server: LiveServer
) -> None:
    """On an iPad held upright the two buttons stacked touching: a head could press Decline
    for Approve. Each is 44px tall, with at least 8px between them however they wrap."""
    with live_server.app.app_context():
        dsl = get_session().scalar(select(Account.id).where(Account.username == "dsl"))
    context = browser.new_context(viewport=IPAD_PORTRAIT, has_touch=True, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/accounts/{dsl}")
    page.get_by_role("textbox", name="Email address").fill("tom.bell@portrait.invalid")
    page.get_by_role("button", name="Ask to change email address").click()
    sign_out(page)
    sign_in(page, live_server, "head")
    page.goto(live_server.url + "/admin/approvals")
    approve = page.get_by_role("button", name="Approve").filter(has_text="Mr Tom Bell")
    decline = page.get_by_role("button", name="Decline").filter(has_text="Mr Tom Bell")
    first, second = approve.bounding_box(), decline.bounding_box()
    assert first is not None
    assert second is not None
    assert first["height"] >= 44, first
    assert second["height"] >= 44, second
    side_by_side = second["y"] < first["y"] + first["height"]
    if side_by_side:
        gap = second["x"] - (first["x"] + first["width"])
    else:
        gap = second["y"] - (first["y"] + first["height"])
    assert gap >= 8, (first, second)
    assert_accessible(page)
    context.close()
