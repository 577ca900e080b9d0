"""The switch scanning ring on a lesson never lies over the words a pupil is reading, and is never
cut off at the screen's edges: on every kind of lesson step (pre-formal cause and effect, wait
for it, stop it, my photo, yes-only-if-yes; choose, sort, yes/no and who can I tell, the gentle
hint after a wrong answer, a story), at both iPad viewports, the ring round each of the four
scan stops (the answers, the controls, Report a worry, Finished) is measured against every word
and picture outside what it rings, and the screen still fits with nothing to scroll.

Before, in landscape the ring round a step's answers reached 13px up over the words just above
them (Ben's "Tap!" over "iPad time! Tap to play.", Yes/No over "Photo... yes or no", Amira's
Happy/Worried over the thing to sort); the ring round Read to me lay over the question's
pictures below it, and the one round Finished over the pupil's own picture; and the ring's black
band was cut off by the screen's edge round Read to me, Next, My lessons, Finished and Report a
worry.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from classroom.pupils.models import Scanning, SymbolSize
from tests.browser.conftest import WAIT_MS, tap_to_next_screen
from tests.browser.ipad_helpers import (
    IPAD_VIEWPORTS,
    enrol_class_ipad,
    ring_measure,
    set_scanning,
    set_symbol_size,
)
from tests.live import LiveServer

VIEWPORTS = IPAD_VIEWPORTS
# Each kind of step at least once: Ben's pre-formal lessons at his own size (medium); Amira's
# semi-formal one at the largest size, where the pictures leave the least room; Chloe's formal
# one (long questions, three cards of words) at large.
WALKS = [
    ("Ben", SymbolSize.MEDIUM, ("screen-time", "passwords", "photos-and-permission")),
    ("Amira", SymbolSize.EXTRA_LARGE, ("feelings-online",)),
    ("Chloe", SymbolSize.LARGE, ("block-screenshot-report",)),
]
KINDS = {
    "story",
    "cause_effect",
    "anticipate",
    "until_i_act",
    "me",
    "only_if_yes",
    "choose",
    "sort",
    "yes_no",
    "who_can_i_tell",
}
GROUPS = ("content", "controls", "worry", "finish")  # scan.js's four stops, in scan order
PRESS = "form.answers .choice-card, form.answers .ce-target"
HERE = Path(__file__).parent
RING = ring_measure("measure_scan_ring.js")
SCREEN = (HERE / "measure_pupil_screen.js").read_text().strip()
SCROLLS = """() => [...document.querySelectorAll(".pupil-main")].some(box =>
  box.scrollHeight > box.clientHeight || box.scrollWidth > box.clientWidth)"""
SHOTS = os.environ.get("CLASSROOM_SCREENSHOTS")


def _measure(page: Page, label: str, found: dict[str, Any]) -> None:
    """The ring round each scan stop in turn (a Space moves it on), and the screen's own check."""
    page.wait_for_load_state("load")
    expect(page.locator(".scan-focus").first).to_be_visible()
    screen: list[str] = page.evaluate(SCREEN)
    if page.evaluate(SCROLLS):
        screen.append("something to scroll")
    found[f"{label} screen"] = screen
    for group in GROUPS:
        found[f"{label} {group}"] = page.evaluate(RING)
        if SHOTS and group in ("content", "controls"):
            page.screenshot(path=f"{SHOTS}/lesson-ring-{label.replace(' ', '-')}-{group}.png")
        page.keyboard.press("Space")


def _walk(page: Page, server: LiveServer, label: str, lesson: str) -> dict[str, Any]:
    """Every step of one lesson; the last card first, often wrong, so the hint is seen too."""
    found: dict[str, Any] = {}
    page.goto(f"{server.url}/pupil/lessons/{lesson}")
    _measure(page, f"{label} 00-intro", found)
    tap_to_next_screen(page, page.get_by_role("button", name="Start"))
    for number in range(1, 40):
        if page.locator(".lesson-done").count():
            break
        kind = page.locator("section.step").get_attribute("class") or ""
        hint = "-hint" if "has-hint" in kind else ""
        kind = next(k for k in kind.split() if k.startswith("step-"))[5:]
        _measure(page, f"{label} {number:02d}-{kind}{hint}", found)
        nexts = page.locator(".step-nav .big-next")
        hinted = page.locator("form.answers .choice-card.hint")
        if nexts.count():
            target = nexts.first
        elif hinted.count():
            target = hinted
        else:
            target = page.locator(PRESS).last  # on the anticipate step, waits for Go!
        tap_to_next_screen(page, target)
    expect(page.locator(".lesson-done")).to_have_count(1)
    return found


def _walk_at(browser: Browser, server: LiveServer, orientation: str) -> dict[str, Any]:
    context = browser.new_context(viewport=VIEWPORTS[orientation], has_touch=True, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    enrol_class_ipad(page, server, f"Lesson ring iPad {orientation}")
    found: dict[str, Any] = {}
    for pupil, size, lessons in WALKS:
        set_symbol_size(server, pupil, size)
        page.get_by_role("button", name=pupil, exact=True).click()
        expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
        label = f"{orientation}-{size.value} {pupil}"
        _measure(page, f"{label} home", found)
        for lesson in lessons:
            found |= _walk(page, server, f"{label} {lesson}", lesson)
        page.goto(server.url + "/pupil/")
        page.locator("#finished-form button").click()
        page.locator("[data-confirm-finish]").click()
        expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    context.close()
    return found


def test_the_scanning_ring_never_covers_or_is_cut_off_on_a_lesson_step(
    browser: Browser, live_server: LiveServer
) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
    for pupil, _size, _lessons in WALKS:
        set_scanning(live_server, pupil, Scanning.STEP, 2000)
    found: dict[str, Any] = {}
    try:
        for orientation in VIEWPORTS:
            found |= _walk_at(browser, live_server, orientation)
    finally:
        for pupil, _size, _lessons in WALKS:
            set_scanning(live_server, pupil, Scanning.OFF, 2000)
    rings = {k: v for k, v in found.items() if not k.endswith(" screen")}
    # Every kind of step was walked, and a hint after a wrong answer, at both viewports.
    for orientation in VIEWPORTS:
        steps = [k.split()[3] for k in rings if k.startswith(orientation) and len(k.split()) == 5]
        assert not KINDS - {step.split("-")[1] for step in steps}, steps
        assert any(step.endswith("-hint") for step in steps), steps
    assert all(v["ringed"] for v in rings.values())
    covering = {k: v["covers"] for k, v in rings.items() if v["covers"]}
    assert covering == {}
    clipped = {k: v["clipped"] for k, v in rings.items() if v["clipped"]}
    assert clipped == {}
    screens = {k: v for k, v in found.items() if k.endswith(" screen") and v}
    assert screens == {}
