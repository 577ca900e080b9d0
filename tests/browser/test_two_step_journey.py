"""Two-step sign-in in Chromium: a DSL sets up an app at first sign-in; every page passes axe."""

from __future__ import annotations

import pyotp
from playwright.sync_api import Page, expect

from classroom.db import get_session
from tests import two_step
from tests.browser.conftest import DEMO_PASSWORD, LiveServer, assert_accessible, sign_out


def _password(page: Page, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_deputy_sets_up_an_app_then_signs_in_with_a_code(
    page: Page, live_server: LiveServer
) -> None:
    _password(page, live_server, "deputy")
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Set up now").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page)
    secret = page.locator("code").first.inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill("000000")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_text("That code did not work")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    assert page.locator(".recovery-codes li").count() == 10
    assert_accessible(page)
    page.get_by_role("link", name="I have kept them: carry on").click()
    sign_out(page)

    _password(page, live_server, "deputy")
    expect(page.get_by_role("heading", name="Type your code")).to_be_visible()
    expect(page.get_by_label("Do not ask again on this iPad for 30 days")).to_have_count(0)
    assert_accessible(page)
    with live_server.app.app_context():
        code = two_step.current_code(get_session(), "deputy")
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_text("Two-step sign-in is on")).to_be_visible()
    assert_accessible(page)
