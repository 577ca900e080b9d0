"""The switch scanning ring never lies over the words a pupil is reading: on every question of
"Report a worry", at both iPad viewports and every symbol size, the ring round the group of
answer cards (and round the controls, Read to me first) is measured against every word and
picture outside what it rings, and the screen still fits with nothing covered or to scroll.

Before, in portrait (and in landscape) the ring round the top row of cards reached 13px up over
the bottom of the question ("What happened?"), and at the larger sizes Read to me and its ring
lay over the question's last words ("Do you want to say more?").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from classroom.pupils.models import Scanning, SymbolSize
from tests.browser.conftest import WAIT_MS
from tests.browser.ipad_helpers import (
    IPAD_VIEWPORTS,
    enrol_class_ipad,
    ring_measure,
    set_scanning,
    set_symbol_size,
)
from tests.live import LiveServer

VIEWPORTS = IPAD_VIEWPORTS
STEPS = ("what", "where", "feeling", "talk_to", "words")
HERE = Path(__file__).parent
RING = ring_measure("measure_scan_ring.js")
SCREEN = (HERE / "measure_pupil_screen.js").read_text().strip()


def _measure_worry_steps(page: Page, server: LiveServer, label: str) -> dict[str, Any]:
    """Chloe (step scanning) on each worry question: the ring on its answers, then on its
    controls (one Space on), and the screen's own check."""
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name="Chloe", exact=True).click()
    expect(page.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    page.get_by_role("link", name="Report a worry", exact=True).click()
    page.wait_for_load_state("load")
    found: dict[str, Any] = {}
    for step in STEPS:
        expect(page.locator(f'[data-step="{step}"]')).to_be_visible()
        expect(page.locator("#worry-form[data-fit-level]")).to_have_count(1)
        expect(page.locator(f'[data-step="{step}"] .scan-focus').first).to_be_visible()
        found[f"{label} {step} answers"] = page.evaluate(RING)
        found[f"{label} {step} screen"] = page.evaluate(SCREEN)
        page.keyboard.press("Space")  # on to the controls: Read to me, Back, Skip, Send
        expect(page.locator(".sym-read-to-me.scan-focus")).to_have_count(1)
        found[f"{label} {step} controls"] = page.evaluate(RING)
        if step != STEPS[-1]:
            page.get_by_role("button", name="Skip").click()
    page.goto(server.url + "/pupil/")
    page.locator("#finished-form button").click()
    page.locator("[data-confirm-finish]").click()
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    return found


def test_the_scanning_ring_never_covers_a_worry_question_at_any_size(
    browser: Browser, live_server: LiveServer
) -> None:
    set_scanning(live_server, "Chloe", Scanning.STEP, 2000)
    found: dict[str, Any] = {}
    try:
        for orientation, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, has_touch=True, locale="en-GB")
            context.set_default_timeout(WAIT_MS)
            page = context.new_page()
            enrol_class_ipad(page, live_server, f"Ring iPad {orientation}")
            for size in SymbolSize:
                set_symbol_size(live_server, "Chloe", size)
                found |= _measure_worry_steps(page, live_server, f"{orientation}-{size.value}")
            context.close()
    finally:
        set_scanning(live_server, "Chloe", Scanning.OFF, 2000)
    rings = {k: v for k, v in found.items() if k.endswith(("answers", "controls"))}
    assert len(rings) == 2 * len(VIEWPORTS) * len(SymbolSize) * len(STEPS)
    covering = {k: v["covers"] for k, v in rings.items() if v["covers"]}
    assert covering == {}
    # The ring really was round the answers of each question (the last one's is its text box).
    cards = [k for k in rings if k.endswith("answers") and "words" not in k]
    assert all(len(rings[k]["ringed"]) >= 3 for k in cards)
    screens = {k: v for k, v in found.items() if k.endswith("screen") and v}
    assert screens == {}
