"""The README's steps on the installed app: a teacher makes the iPad in their hands a class iPad
and signs out, and the class tiles appear, the app's service worker in control of them. Nothing
of the teacher's is left: Back never shows a staff page, and a pupil taps straight in. Staff sign
in tapped by mistake on the tiles offers the way back to them."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.ipad_helpers import make_class_ipad

CONTROLLED = "() => navigator.serviceWorker.controller !== null"


def _back(page: Page) -> None:
    """The browser's Back button; the page may replace itself at once, so let it settle."""
    page.go_back(wait_until="commit")
    page.wait_for_load_state()
    page.wait_for_timeout(300)
    page.wait_for_load_state()


def _no_staff_page(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/(sign-in(\?.*)?|class-ipad)$"))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(page.get_by_text("Make this iPad a class iPad")).to_have_count(0)
    expect(page.get_by_role("heading", name="Class iPads")).to_have_count(0)


def test_teacher_signs_out_of_the_installed_app_and_the_tiles_appear(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad(service_workers="allow").new_page()
    make_class_ipad(page, live_server, "Oak installed iPad")
    expect(page.get_by_role("heading", name="Class iPads")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server.url + "/class-ipad")
    expect(page.get_by_role("button", name="Amira")).to_be_visible()
    page.wait_for_function(CONTROLLED)

    for _ in range(3):  # Back as far as the teacher's pages went
        _back(page)
        _no_staff_page(page)

    page.goto(live_server.url + "/class-ipad")
    page.wait_for_function(CONTROLLED)
    page.get_by_role("button", name="Ben").tap()
    expect(page.get_by_role("heading", name="Hello Ben")).to_be_visible()
    assert page.evaluate(CONTROLLED)


def test_staff_sign_in_tapped_by_mistake_has_the_way_back_to_the_tiles(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    make_class_ipad(page, live_server, "Oak front")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(live_server.url + "/class-ipad")
    page.get_by_role("link", name="Staff sign in").tap()
    page.wait_for_url("**/sign-in")
    back = page.get_by_role("link", name="Back to the class tiles")
    box = back.bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert_accessible(page)
    back.tap()
    expect(page).to_have_url(live_server.url + "/class-ipad")
    expect(page.get_by_role("button", name="Amira")).to_be_visible()
