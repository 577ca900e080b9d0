"""Lesson screens with word-by-word answer cards still fit a class iPad (issue 11 items 1 and 3):
semi-formal and formal lessons (choose, sort, yes/no, who can I tell, and the gentle hint after
a wrong answer) at both iPad viewports and every symbol size show every card and the main action
at scroll 0, uncovered and uncut, with every target at least 64 px; each card is one Tab stop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from classroom.pupils.models import SymbolSize
from tests.browser.conftest import (
    WAIT_MS,
    LiveServer,
    assert_accessible,
    sign_in,
    sign_out,
    tap_to_next_screen,
)
from tests.browser.ipad_helpers import set_symbol_size

VIEWPORTS = {
    "landscape": {"width": 1024, "height": 768},
    "portrait": {"width": 810, "height": 1080},
}
# (pupil, lesson): a semi-formal lesson with choose, sort and yes/no; a formal one with long
# three-card questions and the pupil's trusted adults.
LESSONS = [("Amira", "feelings-online"), ("Chloe", "block-screenshot-report")]
SHOTS = os.environ.get("CLASSROOM_SCREENSHOTS")
MEASURE = (Path(__file__).parent / "measure_pupil_screen.js").read_text().strip()


def _enrol(page: Page, server: LiveServer) -> None:
    sign_in(page, server, "teacher")
    page.goto(server.url + "/class-ipads/")
    form = page.locator("form", has=page.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill("Cards iPad")
    form.get_by_role("button", name="Make this a class iPad").click()
    sign_out(page)


def _check(page: Page, label: str, screens: dict[str, list[str]]) -> None:
    page.wait_for_load_state()
    page.evaluate("() => window.scrollTo(0, 0)")
    found: list[str] = page.evaluate(MEASURE)
    label = f"{label} {len(screens):02d}"
    screens[label] = found
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{label.replace(' ', '-')}.png")


def _walk(page: Page, server: LiveServer, label: str, lesson: str) -> dict[str, list[str]]:
    """Every step of one lesson, a wrong answer first wherever there is one."""
    problems: dict[str, list[str]] = {}
    screens: dict[str, list[str]] = {}  # every screen walked, problems or not
    page.goto(f"{server.url}/pupil/lessons/{lesson}")
    _check(page, f"{label} intro", screens)
    tap_to_next_screen(page, page.get_by_role("button", name="Start"))
    for _ in range(40):
        if page.locator(".lesson-done").count():
            break
        _check(page, f"{label} step", screens)
        nexts = page.locator(".step-nav .big-next")
        hinted = page.locator("form.answers .choice-card.hint")
        if nexts.count():
            target = nexts.first
        elif hinted.count():
            target = hinted  # the gentle hint shows the right card
        else:
            # Often wrong first, so the hint screen is measured too.
            target = page.locator("form.answers .choice-card").last
        tap_to_next_screen(page, target)
    expect(page.locator(".lesson-done")).to_have_count(1)
    _check(page, f"{label} done", screens)
    problems.update({k: v for k, v in screens.items() if v})
    assert len(screens) > 6
    return problems


@pytest.fixture(scope="module")
def problems(browser: Browser, live_server: LiveServer) -> dict[str, list[str]]:
    """Walk the lessons at both viewports and every symbol size (once for the module)."""
    found: dict[str, list[str]] = {}
    for orientation, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, has_touch=True, locale="en-GB")
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        _enrol(page, live_server)
        for pupil, lesson in LESSONS:
            for size in SymbolSize:
                set_symbol_size(live_server, pupil, size)
                page.goto(live_server.url + "/class-ipad")
                page.get_by_role("button", name=pupil, exact=True).click()
                expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
                label = f"{orientation}-{size.value} {lesson}"
                found.update(_walk(page, live_server, label, lesson))
                page.goto(live_server.url + "/pupil/")
                page.locator("#finished-form button").click()
                page.locator("[data-confirm-finish]").click()
                expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
        context.close()
    return found


def test_lesson_screens_with_word_cards_fit_every_ipad_and_size(
    problems: dict[str, list[str]],
) -> None:
    report = "\n".join(f"{screen}: {'; '.join(p)}" for screen, p in sorted(problems.items()))
    assert problems == {}, f"{len(problems)} screens:\n{report}"


def test_an_answer_card_with_word_pictures_is_one_tab_stop(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(viewport=VIEWPORTS["landscape"], locale="en-GB")
    page = context.new_page()
    _enrol(page, live_server)
    set_symbol_size(live_server, "Amira", SymbolSize.LARGE)
    page.goto(live_server.url + "/class-ipad")
    page.get_by_role("button", name="Amira", exact=True).click()
    page.goto(f"{live_server.url}/pupil/lessons/stop-block-tell")
    page.get_by_role("button", name="Start").click()
    page.locator(".step-nav .big-next").click()  # a story, then "Is one enough to tell?"
    yes = page.get_by_role("button", name="Yes, tell a trusted adult", exact=True)
    expect(yes).to_be_visible()
    expect(page.get_by_role("button", name="Hear Yes, tell a trusted adult")).to_be_visible()
    # The words carry their own pictures ("a" none, "tell" is the card's own speaking head), yet
    # none of them is a control of its own.
    assert yes.locator(".card-words .sym-img").count() == 2
    assert yes.locator("button, a, [tabindex]").count() == 0
    assert_accessible(page)
    cards = page.locator("form.answers .choice-card")
    first, second = cards.nth(0), cards.nth(1)
    first.focus()
    page.keyboard.press("Tab")  # past the card's words and its speaker, straight to the next card
    expect(second).to_be_focused()
    names = {first.get_attribute("aria-label"), second.get_attribute("aria-label")}
    assert names == {"Yes, tell a trusted adult", "No, wait for more"}
    context.close()
