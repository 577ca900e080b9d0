"""Every pupil screen fits a class iPad: answers and the main action in view at scroll 0, the
worry button in a place of its own covering nothing, every target at least 64 px; and every
visible word on it can be heard."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from classroom.pupils.models import SymbolSize
from tests.browser.conftest import (
    WAIT_MS,
    LiveServer,
    assert_accessible,
    tap_to_next_screen,
)
from tests.browser.ipad_helpers import enrol_class_ipad, set_symbol_size

VIEWPORTS = {
    "landscape": {"width": 1024, "height": 768},
    "portrait": {"width": 810, "height": 1080},
}
SHOTS = os.environ.get("CLASSROOM_SCREENSHOTS")  # a folder: save a PNG of every screen walked

# A function run in the page: what a pupil would find covered, cut off or too small at scroll 0.
MEASURE = (Path(__file__).parent / "measure_pupil_screen.js").read_text().strip()
# Another: the visible words on the screen that neither Read to me nor the word itself says.
HEAR = (Path(__file__).parent / "hear_pupil_screen.js").read_text().strip()


class Walk:
    """One iPad at one viewport; records the problems found on each screen it is shown."""

    def __init__(self, page: Page, label: str) -> None:
        self.page = page
        self.label = label
        self.problems: dict[str, list[str]] = {}
        self.unheard: dict[str, list[str]] = {}
        self.screens = 0

    def check(self, screen: str, axe: bool = False) -> None:
        self.page.wait_for_load_state()
        self.page.evaluate("() => window.scrollTo(0, 0)")
        self.screens += 1
        found: list[str] = self.page.evaluate(MEASURE)
        if found:
            self.problems[f"{self.label} {self.screens:02d} {screen}"] = found
        unheard: list[str] = self.page.evaluate(HEAR)
        if unheard:
            self.unheard[f"{self.label} {self.screens:02d} {screen}"] = unheard
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=f"{SHOTS}/{self.label}-{self.screens:02d}-{screen}.png")
        if axe:
            assert_accessible(self.page)


def _walk_lesson(walk: Walk) -> None:
    page = walk.page
    page.locator(".lesson-tile").first.click()
    walk.check("lesson-intro")
    tap_to_next_screen(page, page.locator(".big-next:visible").first)
    for _ in range(60):
        if page.locator(".lesson-done").count():
            break
        walk.check("step")
        # Only what is on screen: "Are you finished?" keeps its own hidden Yes button.
        cards = page.locator(
            "form.answers .choice-card, form.answers .ce-target,"
            " .until-button, .anticipate-go, .me-tap"
        )
        nexts = page.locator(".big-next:visible")
        if nexts.count():
            tap_to_next_screen(page, nexts.first)
        elif cards.count():
            tap_to_next_screen(page, cards.last)  # often wrong first: the hint screen too
        else:
            pytest.fail(f"a step with nothing to press: {page.url}")
    walk.check("lesson-done", axe=True)


def _walk_worry(walk: Walk) -> None:
    page = walk.page
    page.locator(".worry-button").click()
    for step in ("what", "where", "feeling", "talk_to"):
        walk.check(f"worry-{step}", axe=step == "what")
        page.locator(f'[data-step="{step}"] .choice-card').first.click()
    walk.check("worry-words", axe=True)
    page.locator("[data-send]").click()
    expect(page.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
    walk.check("worry-thanks")


@pytest.fixture(scope="module")
def walks(browser: Browser, live_server: LiveServer) -> dict[str, Any]:
    """Walk every pupil screen type at both viewports and every symbol size (once per module)."""
    found: dict[str, Any] = {"problems": {}, "unheard": {}, "screens": 0}
    for label, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, has_touch=True, locale="en-GB")
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        enrol_class_ipad(page, live_server, f"Layout iPad {label}")
        for size in SymbolSize:
            set_symbol_size(live_server, "Ben", size)
            walk = Walk(page, f"{label}-{size.value}")
            page.goto(live_server.url + "/class-ipad")
            walk.check("start", axe=size is SymbolSize.LARGE)
            page.get_by_role("button", name="Dev").click()
            walk.check("picture-password")
            page.goto(live_server.url + "/class-ipad")
            page.get_by_role("button", name="Ben", exact=True).click()
            walk.check("home", axe=size is SymbolSize.LARGE)
            page.goto(live_server.url + "/pupil/lessons/a-lesson-taken-off-the-map")
            walk.check("error")  # "Something went wrong." and Home, both heard
            page.goto(live_server.url + "/pupil/")
            page.locator(".rules-tile").click()
            walk.check("rules")
            page.goto(live_server.url + "/pupil/")
            _walk_lesson(walk)
            page.goto(live_server.url + "/pupil/")
            _walk_worry(walk)
            page.goto(live_server.url + "/pupil/")
            page.locator("#finished-form button").click()
            walk.check("are-you-finished", axe=size is SymbolSize.LARGE)
            yes = page.locator("[data-confirm-finish]").bounding_box()
            no = page.locator("[data-cancel-finish]").bounding_box()
            assert yes is not None
            assert no is not None
            assert (yes["width"], yes["height"]) == (no["width"], no["height"])  # neither leads
            page.locator("[data-confirm-finish]").click()
            expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
            # A pre-formal pupil's home with one lesson: one tile, its speaker beside "next".
            set_symbol_size(live_server, "Ella", size)
            page.get_by_role("button", name="Ella", exact=True).click()
            walk.check("home-one-lesson")
            page.locator("#finished-form button").click()
            page.locator("[data-confirm-finish]").click()
            expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
            found["problems"].update(walk.problems)
            found["unheard"].update(walk.unheard)
            found["screens"] += walk.screens
        context.close()
    return found


def test_every_pupil_screen_fits_without_scrolling_or_covering(walks: dict[str, Any]) -> None:
    problems = walks["problems"]
    report = "\n".join(f"{screen}: {'; '.join(p)}" for screen, p in sorted(problems.items()))
    assert walks["screens"] > 60
    assert problems == {}, f"{len(problems)} of {walks['screens']} screens:\n{report}"


def test_every_visible_word_on_a_pupil_screen_can_be_heard(walks: dict[str, Any]) -> None:
    unheard = walks["unheard"]
    report = "\n".join(f"{screen}: {' '.join(words)}" for screen, words in sorted(unheard.items()))
    assert walks["screens"] > 60
    assert unheard == {}, f"words that cannot be heard on {len(unheard)} screens:\n{report}"
