"""The class tiles screen keeps room for switch scanning's ring, as every other scanned screen
does (14px round it, pupil-layout.css).

When a class scans its tiles screen, the first press rings every tile at once (the content
group). The tiles stood .75rem apart, flush under the heading: in landscape the ring round each
tile lay over its neighbours' rings, and at both sizes the top row's rings lay over the words
"Who are you?". Now the rings stand apart and clear of the heading, the screen still has nothing
to scroll, and the room is there from the first paint, so no tile moves under a finger when the
switch wakes the screen (or when a slow scan.js arrives).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from classroom.pupils.models import Scanning
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible
from tests.browser.ipad_helpers import (
    IPAD_VIEWPORTS,
    enrol_class_ipad,
    ring_measure,
    screen_fits,
    with_ring_reach,
)
from tests.browser.test_tiles_scanning import _tiles_scanning

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("CLASSROOM_SCREENSHOTS")  # a folder: save a PNG of each ring measured
RING = ring_measure("measure_scan_ring.js")
# Pairs of ringed items whose rings (each its item's box and the ring's reach) lie over each
# other by more than a pixel.
RINGS_OVERLAP = with_ring_reach("""() => {
  const rings = [...document.querySelectorAll(".scan-focus")].map(el => {
    const b = el.getBoundingClientRect(), d = ringReach(el);
    return { name: ringLabel(el), left: b.left - d, top: b.top - d, right: b.right + d,
      bottom: b.bottom + d };
  });
  const over = [];
  rings.forEach((a, i) => rings.slice(i + 1).forEach(b => {
    const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    if (x > 1 && y > 1) { over.push(a.name + " / " + b.name + ": " + Math.round(Math.min(x, y))); }
  }));
  return over;
}""")
TILES = """() => [...document.querySelectorAll(".tile")].map(t => {
  const b = t.getBoundingClientRect();
  return [t.textContent.trim(), Math.round(b.left), Math.round(b.top), Math.round(b.width)];
})"""
RINGED = """() => [...document.querySelectorAll(".scan-focus")]
  .map(el => el.textContent.replace(/\\s+/g, " ").trim())"""


def _ring_faults(page: Page, name: str) -> dict[str, Any]:
    """What the ring standing now lies over, is cut off by, or overlaps; a PNG if asked."""
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/tiles-ring-{name}.png")
    measured = page.evaluate(RING)
    faults = {"covers": measured["covers"], "clipped": measured["clipped"]}
    faults["overlap"] = page.evaluate(RINGS_OVERLAP)
    return {key: value for key, value in faults.items() if value}


def _loaded(page: Page) -> None:
    """The tiles screen loaded again, its pictures in."""
    page.reload()
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    page.wait_for_load_state("load")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")


@pytest.mark.parametrize("way_up", list(IPAD_VIEWPORTS))
@pytest.mark.parametrize("mode", [Scanning.STEP, Scanning.AUTO])
def test_the_ring_round_the_tiles_has_room_from_the_first_paint(
    browser: Browser, live_server: LiveServer, way_up: str, mode: Scanning
) -> None:
    # A long interval: one switch's ring stays where the press put it while it is measured.
    _tiles_scanning(live_server, mode, 10_000, auditory=False)
    # No service worker: it would hand the page scan.js from its own store, past page.route.
    context = browser.new_context(
        viewport=IPAD_VIEWPORTS[way_up], has_touch=True, locale="en-GB", service_workers="block"
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    enrol_class_ipad(page, live_server, f"Room {way_up} {mode}")
    # The screen as first painted, before scan.js has come (here it never does).
    page.route("**/js/scan.js*", lambda route: route.abort())
    _loaded(page)
    first_paint = page.evaluate(TILES)
    assert len(first_paint) == 6, first_paint
    assert page.evaluate("() => !document.body.classList.contains('scanning')")
    page.unroute("**/js/scan.js*")
    _loaded(page)
    assert page.evaluate(TILES) == first_paint  # scan.js came: nothing moved
    faults = {}

    page.keyboard.press("Space")  # wakes: every tile ringed, as one group
    assert len(page.evaluate(RINGED)) == 6
    assert page.evaluate(TILES) == first_paint  # nor when the press woke the scan
    faults["tiles"] = _ring_faults(page, f"{way_up}-{mode.value}-tiles")
    screen_fits(page)
    assert_accessible(page)

    page.keyboard.press("Enter" if mode == Scanning.STEP else "Space")  # into the group
    assert page.evaluate(RINGED) == ["Amira"]
    faults["Amira"] = _ring_faults(page, f"{way_up}-{mode.value}-amira")
    if mode == Scanning.STEP:
        for _ in range(6):  # past Finn, the last tile: on to Read to me
            page.keyboard.press("Space")
        assert page.evaluate(RINGED) == ["Read to me"]
        faults["Read to me"] = _ring_faults(page, f"{way_up}-{mode.value}-read")
    screen_fits(page)
    faults = {name: fault for name, fault in faults.items() if fault}
    assert faults == {}, faults
    context.close()
