"""A teacher thinks someone saw her password; a deputy DSL lost her phone. In Chromium, with two
browsers signed in as each: the one that makes the change stays signed in, the other's open page
clears itself (session-watch.js) and the sign-in page replaces it. After a recovery code the
deputy lands on a page, passing axe, that says how many codes are left and leads her on."""

from __future__ import annotations

import re
from collections.abc import Callable

import pyotp
from playwright.sync_api import BrowserContext, Page, expect

from classroom.db import utcnow
from tests.browser.conftest import DEMO_PASSWORD, LiveServer, assert_accessible, sign_in

NEW_PASSWORD = "purple otters juggle lanterns"


def _other_page_clears_itself(page: Page) -> None:
    """The page left open in the other browser asks whether its session holds (as it does
    every minute, or when shown again) and gives way to the sign-in page."""
    page.bring_to_front()
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_url(re.compile(r"/sign-in"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_a_password_change_signs_out_her_other_browser(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    staff_room = new_ipad().new_page()
    sign_in(staff_room, live_server, "teacher")
    staff_room.goto(f"{live_server.url}/pupils/")
    staff_room.wait_for_load_state("load")

    laptop = new_ipad().new_page()
    sign_in(laptop, live_server, "teacher")
    laptop.goto(f"{live_server.url}/account/password")
    laptop.get_by_label("Current password").fill(DEMO_PASSWORD)
    laptop.get_by_label("New password").fill(NEW_PASSWORD)
    laptop.get_by_role("button", name="Change password").click()
    expect(laptop.get_by_text("Your password has been changed.")).to_be_visible()
    expect(laptop.get_by_role("button", name="Sign out")).to_be_visible()

    _other_page_clears_itself(staff_room)
    laptop.reload()
    expect(laptop.get_by_role("button", name="Sign out")).to_be_visible()  # still hers


def test_after_a_recovery_code_then_a_new_phone_her_other_browser_is_signed_out(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    office = new_ipad().new_page()
    office.goto(f"{live_server.url}/sign-in")
    office.get_by_label("Username").fill("deputy")
    office.get_by_label("Password").fill(DEMO_PASSWORD)
    office.get_by_role("button", name="Sign in").click()
    office.get_by_role("button", name="Set up now").click()
    secret = office.locator("code").first.inner_text().replace(" ", "")
    with live_server.app.app_context():
        now = utcnow()
    office.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(now))
    office.get_by_role("button", name="Turn on two-step sign-in").click()
    codes = office.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    office.get_by_role("link", name="I have kept them: carry on").click()
    office.goto(f"{live_server.url}/safeguarding/")
    office.wait_for_load_state("load")

    # At home, her phone lost: her password, then a recovery code.
    home = new_ipad().new_page()
    home.goto(f"{live_server.url}/sign-in")
    home.get_by_label("Username").fill("deputy")
    home.get_by_label("Password").fill(DEMO_PASSWORD)
    home.get_by_role("button", name="Sign in").click()
    home.get_by_label("Code", exact=True).fill(codes[0])
    home.get_by_role("button", name="Sign in").click()
    expect(home.get_by_text("You signed in with a recovery code")).to_be_visible()
    expect(home.get_by_text("You have 9 recovery codes left.").first).to_be_visible()
    assert_accessible(home)
    home.get_by_role("link", name="Set up on a new phone").first.click()
    home.get_by_role("button", name="Show the QR code for the new phone").click()
    new_secret = home.locator("p", has_text="Key to type instead").locator("code").inner_text()
    with live_server.app.app_context():
        now = utcnow()
    home.get_by_label("Your password").fill(DEMO_PASSWORD)
    home.get_by_label("Code from the app").fill(pyotp.TOTP(new_secret.replace(" ", "")).at(now))
    home.get_by_role("button", name="Use the new phone").click()
    expect(home.get_by_role("heading", name="Your new phone is set up")).to_be_visible()
    home.get_by_role("link", name="I have kept them: carry on").click()
    # The two-step page again, without the recovery-code notice: it was said once.
    expect(home.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    expect(home.get_by_text("You signed in with a recovery code")).to_have_count(0)

    _other_page_clears_itself(office)


def test_carrying_on_after_a_recovery_code_says_it_no_more(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """The head, on her way to the safeguarding queue, types a recovery code: the notice, then
    on to the queue, where it is not said again."""
    setup = new_ipad().new_page()
    setup.goto(f"{live_server.url}/sign-in")
    setup.get_by_label("Username").fill("head")
    setup.get_by_label("Password").fill(DEMO_PASSWORD)
    setup.get_by_role("button", name="Sign in").click()
    setup.get_by_role("button", name="Set up now").click()
    secret = setup.locator("code").first.inner_text().replace(" ", "")
    with live_server.app.app_context():
        now = utcnow()
    setup.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(now))
    setup.get_by_role("button", name="Turn on two-step sign-in").click()
    codes = setup.locator(".recovery-codes li").all_inner_texts()

    page = new_ipad().new_page()
    page.goto(f"{live_server.url}/safeguarding/")
    page.wait_for_url(re.compile(r"/sign-in"))
    page.get_by_label("Username").fill("head")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code", exact=True).fill(codes[-1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("You signed in with a recovery code")).to_be_visible()
    page.get_by_role("link", name="Not now: carry on to the page you were going to").click()
    page.wait_for_url(re.compile(r"/safeguarding/$"))
    expect(page.get_by_text("recovery code")).to_have_count(0)
