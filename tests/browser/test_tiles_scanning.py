"""A switch user chooses their own tile on the class iPad, with no adult's hand.

Before this, scanning started only once the pupil was known (their own screens, their picture
password): on the tiles screen a switch did nothing, so an adult always chose for them. The
class now says how its tiles screen is scanned; the screen keeps still and quiet until a
switch is pressed, so the pupils who tap see it as always.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from classroom.db import get_session
from classroom.pupils.models import Scanning, SchoolClass
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.ipad_helpers import class_ipad

pytestmark = pytest.mark.browser

RINGED = """() => Array.from(document.querySelectorAll(".scan-focus"))
  .map(el => el.textContent.replace(/\\s+/g, " ").trim())"""


def _tiles_scanning(server: LiveServer, mode: Scanning, interval: int, auditory: bool) -> None:
    """Oak's tiles screen as staff set it on its Class iPads page."""
    with server.app.app_context():
        db = get_session()
        oak = db.scalar(select(SchoolClass).where(SchoolClass.name == "Oak"))
        assert oak is not None
        oak.tiles_scanning = mode
        oak.tiles_scan_interval_ms = interval
        oak.tiles_auditory_scanning = auditory
        db.commit()


# What scan.js gives the screen's speech to say (the words, whichever voice then says them).
HEAR = """() => { window.__heard = [];
  const speech = window.classroomSpeech, speak = speech.speak;
  speech.speak = function (text) {
    window.__heard.push(text);
    return speak.apply(speech, arguments);
  };
}"""


def _heard(page: Page) -> list[str]:
    return list(page.evaluate("window.__heard"))


def _ringed(page: Page) -> list[str]:
    return list(page.evaluate(RINGED))


def _tiles(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/class-ipad")
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    page.wait_for_load_state("load")


def _wait_for_ring_on(page: Page, name: str) -> None:
    page.wait_for_function(
        """name => { const r = Array.from(document.querySelectorAll(".scan-focus"));
          return r.length === 1 && r[0].textContent.trim() === name; }""",
        arg=name,
        timeout=20_000,
    )


def test_one_switch_wakes_the_tiles_hears_the_names_and_chooses_dev(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _tiles_scanning(live_server, Scanning.AUTO, 1500, auditory=True)
    page = class_ipad(new_ipad, live_server, "Oak one-switch iPad")
    _tiles(page, live_server)
    page.evaluate(HEAR)
    page.wait_for_timeout(2500)  # nearly three intervals: nothing moves, nothing is said
    assert _ringed(page) == []
    assert _heard(page) == []
    page.keyboard.press("Space")  # the first press only wakes the screen: every tile ringed
    ringed = _ringed(page)
    assert [name for name in ringed if name][:4] == ["Amira", "Ben", "Chloe", "Dev"]
    page.wait_for_function("() => window.__heard.length > 0")  # the group said before going in
    page.keyboard.press("Space")  # into the tiles, one name at a time
    _wait_for_ring_on(page, "Dev")
    page.wait_for_function("() => window.__heard.includes('Dev')")
    heard = _heard(page)
    page.keyboard.press("Space")
    # Dev's picture password comes next (the demo gives him one), scanned as his settings say.
    expect(page.get_by_role("heading", name="Dev, tap your pictures")).to_be_visible()
    assert heard[0] == "Who are you?"  # the tiles, as one group, by the screen's question
    assert heard.index("Amira") < heard.index("Ben") < heard.index("Dev")


def test_two_switches_move_and_choose_on_the_tiles(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _tiles_scanning(live_server, Scanning.STEP, 2000, auditory=False)
    page = class_ipad(new_ipad, live_server, "Oak two-switch iPad")
    _tiles(page, live_server)
    assert _ringed(page) == []
    page.keyboard.press("Space")  # wakes: the tiles as one group
    assert len(_ringed(page)) == 6
    page.keyboard.press("Enter")  # into the group: the first tile
    assert _ringed(page) == ["Amira"]
    for _ in range(2):
        page.keyboard.press("Space")
    assert _ringed(page) == ["Chloe"]
    assert_accessible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello Chloe")).to_be_visible()


def test_the_tiles_go_still_after_three_rounds_and_a_press_wakes_them_again(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _tiles_scanning(live_server, Scanning.AUTO, 500, auditory=False)
    page = class_ipad(new_ipad, live_server, "Oak quiet iPad")
    _tiles(page, live_server)
    page.keyboard.press("Space")
    assert len(_ringed(page)) == 6
    # Tiles, then Read to me, three times round (about 3 s): then nothing is ringed or focused.
    page.wait_for_function(
        "() => document.querySelectorAll('.scan-focus').length === 0", timeout=10_000
    )
    page.wait_for_timeout(1500)
    assert _ringed(page) == []
    assert page.evaluate("document.activeElement === document.body")
    page.keyboard.press("Enter")
    assert len(_ringed(page)) == 6


def test_a_tap_still_signs_in_and_staff_sign_in_is_never_a_stop(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _tiles_scanning(live_server, Scanning.STEP, 2000, auditory=False)
    page = class_ipad(new_ipad, live_server, "Oak tap iPad")
    _tiles(page, live_server)
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    stops = []
    for _ in range(8):  # every tile, Read to me and round again: never Staff sign in
        page.keyboard.press("Space")
        stops += _ringed(page)
    assert "Staff sign in" not in " ".join(stops)
    page.get_by_role("button", name="Ben", exact=True).click()
    expect(page.get_by_role("heading", name="Hello Ben")).to_be_visible()
