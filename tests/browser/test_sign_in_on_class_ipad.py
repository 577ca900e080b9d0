"""A teacher enrols the class iPad in their hands and signs out, as the README's steps say: the
sign-in page then offers the way back to the class tiles, for the pupil who picks the iPad up
next, and that page is axe-clean."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in, sign_out


def test_signed_out_on_a_class_ipad_the_tiles_are_one_tap_away(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + "/class-ipads/")
    form = page.locator("form", has=page.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill("Oak front")
    form.get_by_role("button", name="Make this a class iPad").click()
    sign_out(page)
    back = page.get_by_role("link", name="Back to the class tiles")
    box = back.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert_accessible(page)
    back.tap()
    expect(page).to_have_url(live_server.url + "/class-ipad")
    expect(page.get_by_role("button", name="Amira")).to_be_visible()
