"""A deputy DSL moves her authenticator app to a new phone and makes new recovery codes, in
Chromium: every page passes axe, and Back after finishing shows no secret and no codes again."""

from __future__ import annotations

import pyotp
import pytest
from playwright.sync_api import Error, Page, expect

from classroom.db import utcnow
from tests.browser.conftest import DEMO_PASSWORD, LiveServer, assert_accessible, sign_in


def _back_shows_no_secret_nor_codes(page: Page) -> None:
    """Back from the two-step page: the page that showed them was never kept (no-store), so
    Chromium has nothing to show but its "resubmit the form?" error."""
    with pytest.raises(Error, match="ERR_CACHE_MISS"):
        page.go_back()
    page.wait_for_load_state()
    assert page.locator(".recovery-codes li").count() == 0
    assert page.get_by_text("Key to type instead").count() == 0


def test_a_new_phone_then_new_recovery_codes(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "deputy")
    page.goto(f"{live_server.url}/account/two-step")
    expect(page.get_by_text("You have 10 recovery codes left.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Set up on a new phone").click()
    expect(page.get_by_role("heading", name="Set up on a new phone")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Show the QR code for the new phone").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page)
    key = page.locator("p", has_text="Key to type instead").locator("code")
    secret = key.inner_text().replace(" ", "")
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Use the new phone").click()
    expect(page.get_by_text("That code did not work").first).to_be_visible()
    assert_accessible(page)
    with live_server.app.app_context():
        now = utcnow()
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(now))
    page.get_by_role("button", name="Use the new phone").click()
    expect(page.get_by_role("heading", name="Your new phone is set up")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have kept them: carry on").click()
    expect(page.get_by_text("You have 10 recovery codes left.")).to_be_visible()
    _back_shows_no_secret_nor_codes(page)

    page.goto(f"{live_server.url}/account/two-step")
    page.get_by_role("link", name="Make new recovery codes").click()
    expect(page.get_by_role("heading", name="Make new recovery codes")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Make new recovery codes").click()
    expect(page.get_by_role("heading", name="Your new recovery codes")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept them: carry on").click()
    expect(page.get_by_text("You have 10 recovery codes left.")).to_be_visible()
    _back_shows_no_secret_nor_codes(page)
