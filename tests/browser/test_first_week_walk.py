"""A new teacher's first week, by keyboard on a laptop: a lesson half written is not lost
without the browser asking first (Back, a link in the menu), a lesson given back with a problem
is not either, and saving never asks."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Dialog, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in

LAPTOP = {"width": 1024, "height": 768}


def _asked(page: Page) -> list[str]:
    """The dialogs the page opened, each kept open by saying "Stay" (dismiss)."""
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    return asked


def _wait_asked(page: Page, asked: list[str], count: int) -> None:
    """Wait (up to 5 s) for the `count`th dialog: the browser opens it as the page leaves."""
    for _ in range(100):
        if len(asked) >= count:
            break
        page.wait_for_timeout(50)
    assert asked == ["beforeunload"] * count


def test_half_a_lesson_is_not_lost_without_asking(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, "teacher")
    page.get_by_role("link", name="Write lessons").click()
    page.goto(f"{live_server.url}/authoring/new")
    asked = _asked(page)
    # Nothing typed yet: leaving asks nothing.
    page.get_by_role("link", name="Write lessons").click()
    expect(page).to_have_url(re.compile(r"/authoring/$"))
    assert asked == []
    page.go_back()
    expect(page).to_have_url(re.compile(r"/authoring/new$"))
    title = page.locator("#f-title")
    title.focus()
    page.keyboard.type("My turn on the iPad")
    # A link in the menu: the browser asks; "Stay" keeps her on what she typed.
    page.get_by_role("link", name="Home").click()
    _wait_asked(page, asked, 1)
    expect(page).to_have_url(re.compile(r"/authoring/new$"))
    expect(title).to_have_value("My turn on the iPad")

    # Saved with a problem: all she typed comes back, and it is still not saved.
    page.locator("#f-notes").fill("Notes typed with care")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.locator("#problems")).to_contain_text("This lesson was not saved")
    assert asked == ["beforeunload"]  # saving did not ask
    expect(title).to_have_value("My turn on the iPad")
    expect(page.locator("#f-notes")).to_have_value("Notes typed with care")
    assert_accessible(page)
    # Nothing typed since, but the lesson given back is not saved: Back asks too ("Stay":
    # no navigation for go_back to wait for).
    page.evaluate("() => window.history.back()")
    _wait_asked(page, asked, 2)
    expect(page.locator("#problems")).to_be_visible()
    expect(title).to_have_value("My turn on the iPad")
