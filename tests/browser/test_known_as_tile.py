"""A pupil known by another name ("Amira" known as "Mira") finds that name on their tile on the
class iPad held landscape (1024x768), and hears it in their greeting; both screens pass axe."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.ipad_helpers import enrolled_ipad_at, set_pupil


def test_the_tile_and_the_greeting_use_the_name_the_pupil_answers_to(
    browser: Browser, live_server: LiveServer
) -> None:
    set_pupil(live_server, "Amira", known_as="Mira")
    context, page = enrolled_ipad_at(browser, live_server, "landscape", "Known-as iPad")
    try:
        page.goto(live_server.url + "/class-ipad")
        tile = page.get_by_role("button", name="Mira", exact=True)
        expect(tile).to_be_visible()
        expect(page.get_by_role("button", name="Amira", exact=True)).to_have_count(0)
        box = tile.bounding_box()
        assert box is not None
        assert box["width"] >= 64  # a pupil's target
        assert box["height"] >= 64
        assert "Who are you?" in (page.locator("#say-start").get_attribute("data-say") or "")
        assert "Mira" in (page.locator("#say-start").get_attribute("data-say") or "")
        assert_accessible(page)

        tile.click()
        expect(page.get_by_role("heading", name="Hello Mira")).to_be_visible()
        assert "Hello Mira" in (page.locator("#say-home").get_attribute("data-say") or "")
        assert_accessible(page)
    finally:
        context.close()
