"""Pupil screens at the edges of a pupil's settings: the largest symbol size, high contrast,
reduced motion and switch scanning (two switches: Space moves, Enter chooses), for a pupil on
each pathway, at both iPad viewports.

On each screen (home, Our rules, every step of lessons that between them use every step kind,
every question of Report a worry, and the error page): nothing to scroll or covered, every target
at least 64 px (measure_pupil_screen.js); the scanning ring is the high-contrast one (black) and,
at every place it stands on the way to Report a worry, lies over no words or pictures and is cut
off by nothing (measure_scan_ring.js); and Report a worry is reached within the scan order's
three stops. Landscape screens also get axe (of the lessons, the first one's).

Before, in portrait at this size with scanning on, a pre-formal "Finished" step (until I act)
had its big Finished button under My lessons (the screen had to scroll), and a pre-formal
pupil's first worry question (six cards of words) did not fit: Skip and Send lay over the last
row of cards, and the ring round the cards over Skip's and Send's pictures. In both viewports
the ring round Our rules' Read to me lay over the heading's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from classroom.pupils.models import Scanning, SymbolSize
from tests.browser.conftest import WAIT_MS, assert_accessible
from tests.browser.ipad_helpers import (
    IPAD_VIEWPORTS,
    MEASURE_SCREEN,
    make_class_ipad,
    ring_measure,
    set_pupil,
)
from tests.live import LiveServer

RING = ring_measure("measure_scan_ring.js")
RING_COLOUR = """() => { const el = document.querySelector(".scan-focus");
  return el ? getComputedStyle(el).outlineColor : null; }"""
# A pupil on each pathway, and lessons that between them show every step kind of the pathway.
PUPILS = {
    "pre_formal": ("Ben", ("stop-and-finish", "screen-time", "passwords", "photos-and-permission")),
    "semi_formal": ("Amira", ("feelings-online", "photos-and-permission")),
    "formal": ("Chloe", ("trusted-adults",)),
}
WORRY_STEPS = ("what", "where", "feeling", "talk_to", "words")


@pytest.fixture(scope="module")
def ipads(browser: Browser, live_server: LiveServer) -> Iterator[dict[str, Page]]:
    """One class iPad each way up, and every pupil walked at the edges of their settings."""
    for name, _lessons in PUPILS.values():
        set_pupil(
            live_server,
            name,
            symbol_size=SymbolSize.EXTRA_LARGE,
            high_contrast=True,
            reduced_motion=True,
            scanning=Scanning.STEP,
            scan_interval_ms=2000,
        )
    contexts, pages = [], {}
    for way_up in IPAD_VIEWPORTS:
        context = browser.new_context(
            viewport=IPAD_VIEWPORTS[way_up], has_touch=True, locale="en-GB"
        )
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        make_class_ipad(page, live_server, f"Extremes {way_up}")
        with page.expect_navigation():  # to sign-in, or straight to the class's tiles
            page.get_by_role("button", name="Sign out").click()
        contexts.append(context)
        pages[way_up] = page
    yield pages
    for context in contexts:
        context.close()


def _screen(page: Page, label: str, axe: bool) -> list[str]:
    """What is wrong on the screen showing now, from its first scan stop to Report a worry."""
    page.wait_for_load_state()
    expect(page.locator(".scan-focus").first).to_be_visible()
    page.evaluate("() => window.scrollTo(0, 0)")
    found = [f"{label}: {p}" for p in page.evaluate(MEASURE_SCREEN)]
    if page.evaluate("() => document.scrollingElement.scrollHeight > innerHeight + 1"):
        found.append(f"{label}: the page scrolls")
    if page.evaluate(RING_COLOUR) != "rgb(0, 0, 0)":
        found.append(f"{label}: not the high-contrast ring")
    worry = page.locator(".worry-button, .not-now")
    for stop in range(4):
        ring = page.evaluate(RING)
        found += [f"{label} stop {stop}: ring over {c}" for c in ring["covers"]]
        found += [f"{label} stop {stop}: ring cut off round {c}" for c in ring["clipped"]]
        if worry.and_(page.locator(".scan-focus")).count():
            break
        page.keyboard.press("Space")
    else:
        found.append(f"{label}: Report a worry not reached in three moves")
    if axe:
        assert_accessible(page)
    return found


def _walk_lesson(page: Page, url: str, lesson: str, label: str, axe: bool) -> list[str]:
    page.goto(f"{url}/pupil/lessons/{lesson}")
    found = _screen(page, f"{label} {lesson} intro", axe)
    with page.expect_navigation():
        page.locator("form[action$='/start'] button").last.click()
    match = re.search(r"/attempts/(\d+)/steps/", page.url)
    assert match, page.url
    for number in range(1, 40):
        response = page.goto(f"{url}/pupil/lessons/attempts/{match[1]}/steps/{number}")
        if response is None or response.status != 200 or "/steps/" not in page.url:
            return found
        kind = page.locator("section.step").get_attribute("class") or ""
        found += _screen(page, f"{label} {lesson} {number} {kind.split()[1]}", axe)
    return found


@pytest.mark.parametrize("pathway", list(PUPILS))
@pytest.mark.parametrize("way_up", list(IPAD_VIEWPORTS))
def test_pupil_screens_at_the_largest_size_high_contrast_and_scanning(
    ipads: dict[str, Page], live_server: LiveServer, way_up: str, pathway: str
) -> None:
    page, url = ipads[way_up], live_server.url
    name, lessons = PUPILS[pathway]
    axe = way_up == "landscape"
    label = f"{way_up} {pathway}"
    page.goto(url + "/class-ipad")
    page.get_by_role("button", name=name, exact=True).click()
    found = _screen(page, f"{label} home", axe)
    page.goto(url + "/pupil/")
    page.locator(".rules-tile").click()
    found += _screen(page, f"{label} rules", axe)
    for index, lesson in enumerate(lessons):  # axe on the first lesson's steps: time
        found += _walk_lesson(page, url, lesson, label, axe and index == 0)
    page.goto(url + "/pupil/lessons/a-lesson-taken-off-the-map")
    found += _screen(page, f"{label} error", axe)
    # Report a worry by switch, from a lesson's intro: three stops on, then Enter.
    page.goto(f"{url}/pupil/lessons/{lessons[0]}")
    expect(page.locator(".scan-focus").first).to_be_visible()
    for _ in range(2):
        page.keyboard.press("Space")
    expect(page.locator(".worry-button.scan-focus")).to_be_visible()
    page.keyboard.press("Enter")
    for step in WORRY_STEPS:
        expect(page.locator(f'[data-step="{step}"]')).to_be_visible()
        found += _screen(page, f"{label} worry {step}", axe and step in ("what", "words"))
        if step != WORRY_STEPS[-1]:
            page.get_by_role("button", name="Skip").click()
    page.goto(url + "/pupil/")
    page.locator("#finished-form button").click()
    page.locator("[data-confirm-finish]").click()
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    assert found == [], "\n".join(found)
