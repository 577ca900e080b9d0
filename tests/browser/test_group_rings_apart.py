"""Home's lessons and a picture password's pictures, scanned by a switch: when the ring goes
round every one at once (the screen's first stop, its content as one group), each ring stands
apart from its neighbours'.

They stood .75rem apart, and the ring reaches 14px round each: neighbouring rings lay over each
other by 14px and merged into one shape, so a switch user could not see the lessons as three
things to choose between, nor the pictures as nine. With scanning on they now stand 28px apart
(as the class tiles do, tests/browser/test_tiles_scan_room.py), and the screen still fits with
nothing to scroll. (After a wrong try, or with a note showing, a password's pictures have no
room to spare and stay as they were: tests/browser/test_picture_password_notes_scanning.py.)
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from classroom.pupils.models import Scanning, SymbolSize
from tests.browser.conftest import WAIT_MS, LiveServer
from tests.browser.ipad_helpers import (
    IPAD_VIEWPORTS,
    enrol_class_ipad,
    screen_fits,
    set_scanning,
    set_symbol_size,
)
from tests.browser.test_tiles_scan_room import RINGS_OVERLAP

pytestmark = pytest.mark.browser


def _apart(page: Page, count: int) -> list[str]:
    """The rings standing now: `count` of them, and which lie over each other."""
    expect(page.locator(".scan-focus")).to_have_count(count)
    overlaps: list[str] = page.evaluate(RINGS_OVERLAP)
    return overlaps


def _rung_together(
    browser: Browser, server: LiveServer, way_up: str, pupil: str, screen: str, count: int
) -> None:
    """`pupil`, scanned by a switch at the largest symbol size (the least room), taps their tile:
    at `screen`'s first stop the ring goes round its `count` items as one group, and no ring
    lies over another; the screen still fits. The pupil's settings are put back after."""
    set_scanning(server, pupil, Scanning.STEP, 2000)
    set_symbol_size(server, pupil, SymbolSize.EXTRA_LARGE)
    context = browser.new_context(viewport=IPAD_VIEWPORTS[way_up], has_touch=True, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        enrol_class_ipad(page, server, f"Rings apart {pupil} {way_up}")
        page.get_by_role("button", name=pupil, exact=True).click()
        expect(page.get_by_role("heading", name=screen)).to_be_visible()
        assert _apart(page, count) == []
        screen_fits(page)
    finally:
        set_scanning(server, pupil, Scanning.OFF, 2000)
        set_symbol_size(server, pupil, SymbolSize.LARGE)
        context.close()


@pytest.mark.parametrize("way_up", list(IPAD_VIEWPORTS))
def test_home_lessons_rung_together_stand_apart(
    browser: Browser, live_server: LiveServer, way_up: str
) -> None:
    _rung_together(browser, live_server, way_up, "Ben", "Hello Ben", 3)  # his lessons


@pytest.mark.parametrize("way_up", list(IPAD_VIEWPORTS))
def test_a_picture_passwords_pictures_rung_together_stand_apart(
    browser: Browser, live_server: LiveServer, way_up: str
) -> None:
    _rung_together(browser, live_server, way_up, "Dev", "Dev, tap your pictures", 9)
