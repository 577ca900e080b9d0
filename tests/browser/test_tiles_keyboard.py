"""A keyboard user on a class's scanned tiles screen: Tab to a tile, one press, signed in.

The tiles screen waits still for a switch's first press, which only wakes the scan. A pupil (or
an adult) with a keyboard who had Tabbed to their own tile and pressed Enter or Space got the
scan woken instead, the ring round every tile and the focus taken back to the first one: two
presses or more, and the second one went into the group, not to the tile they had chosen. What
the person focused themselves now acts at once; a switch's press, with nothing focused by the
person, still only wakes the scan (tests/browser/test_tiles_scanning.py).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from classroom.pupils.models import Scanning
from tests.browser.conftest import LiveServer
from tests.browser.ipad_helpers import class_ipad, enrol_class_ipad
from tests.browser.test_tiles_scanning import _ringed, _tiles, _tiles_scanning

pytestmark = pytest.mark.browser

FOCUSED = """() => (document.activeElement.textContent || "").replace(/\\s+/g, " ").trim()"""


def _tab_to(page: Page, name: str) -> None:
    """Tab, as a keyboard user does, until `name` has the focus."""
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED) == name:
            return
    raise AssertionError(f"Tab never reached {name}")


@pytest.mark.parametrize(
    ("mode", "key", "pupil"),
    [(Scanning.AUTO, "Enter", "Ben"), (Scanning.STEP, "Space", "Chloe")],
    ids=["one-switch-enter", "two-switch-space"],
)
def test_one_press_on_a_tile_reached_by_tab_signs_in(
    new_ipad: Callable[[], BrowserContext],
    live_server: LiveServer,
    mode: Scanning,
    key: str,
    pupil: str,
) -> None:
    _tiles_scanning(live_server, mode, 2000, auditory=False)
    page = class_ipad(new_ipad, live_server, f"Oak keyboard {key} iPad")
    _tiles(page, live_server)
    _tab_to(page, pupil)
    assert _ringed(page) == []  # Tab is the keyboard's own: the scan still waits for a switch
    page.keyboard.press(key)
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()


def test_tab_within_the_woken_tiles_then_enter_chooses_that_tile(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """Awake, the ring round every tile: Tab on to Dev and Enter is Dev, not the group's first."""
    _tiles_scanning(live_server, Scanning.STEP, 2000, auditory=False)
    page = class_ipad(new_ipad, live_server, "Oak keyboard awake iPad")
    _tiles(page, live_server)
    page.keyboard.press("Space")  # a switch: wakes the scan, every tile ringed
    assert len(_ringed(page)) == 6
    _tab_to(page, "Dev")
    page.keyboard.press("Enter")
    # Dev's picture password comes next (the demo gives him one).
    expect(page.get_by_role("heading", name="Dev, tap your pictures")).to_be_visible()


def test_staff_sign_in_opens_from_the_keyboard_and_a_switch_press_still_only_wakes(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _tiles_scanning(live_server, Scanning.AUTO, 2000, auditory=False)
    page = class_ipad(new_ipad, live_server, "Oak keyboard staff iPad")
    _tiles(page, live_server)
    page.keyboard.press("Enter")  # nothing focused: a switch's press only wakes the scan
    assert len(_ringed(page)) == 6
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    _tab_to(page, "Staff sign in")  # never a stop for the scan, but the keyboard's to follow
    page.keyboard.press("Enter")
    page.wait_for_url("**/sign-in**")


def test_a_tile_left_focused_by_tab_is_let_go_before_the_next_childs_switch(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """An adult Tabs to Ben's tile and walks away. Half a minute on, a child's switch press
    only wakes the scan: it used to sign Ben in, and what the child then did was Ben's."""
    _tiles_scanning(live_server, Scanning.AUTO, 2000, auditory=False)
    ipad = new_ipad().new_page()
    ipad.clock.install()  # time runs as usual, and the test can move it on
    enrol_class_ipad(ipad, live_server, "Oak keyboard left iPad")
    _tiles(ipad, live_server)
    _tab_to(ipad, "Ben")
    ipad.clock.fast_forward(29_000)
    assert ipad.evaluate(FOCUSED) == "Ben"  # still theirs, for a keyboard user thinking
    ipad.clock.fast_forward(2_000)
    let_go = "() => document.activeElement === document.body"
    assert ipad.evaluate(let_go)  # no tile looks chosen
    ipad.keyboard.press("Enter")  # the next child's switch
    assert len(_ringed(ipad)) == 6  # wakes the scan, every tile ringed
    expect(ipad.get_by_role("heading", name="Who are you?")).to_be_visible()
