"""A teacher enrols the class iPad in their hands and signs out, as the README's steps say: the
sign-in page then offers the way back to the class tiles, for the pupil who picks the iPad up
next, and that page is axe-clean."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_out
from tests.browser.ipad_helpers import make_class_ipad


def test_signed_out_on_a_class_ipad_the_tiles_are_one_tap_away(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    make_class_ipad(page, live_server, "Oak front")
    sign_out(page)
    back = page.get_by_role("link", name="Back to the class tiles")
    box = back.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert_accessible(page)
    back.tap()
    expect(page).to_have_url(live_server.url + "/class-ipad")
    expect(page.get_by_role("button", name="Amira")).to_be_visible()
