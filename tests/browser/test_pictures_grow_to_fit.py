"""A pupil who needs big pictures gets them wherever the screen has room (fit-screen.js).

The stylesheet caps a lesson step's pictures so the densest screen fits at the largest symbol
size; on a screen with room to spare the caps are raised, never past the pupil's own size, and
the screen still fits with nothing to scroll, covered or cut, as the iPad turns too.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from classroom.pupils.models import SymbolSize
from tests.browser.conftest import LiveServer, tap_to_next_screen
from tests.browser.ipad_helpers import set_symbol_size
from tests.browser.test_answer_cards_fit import VIEWPORTS, _enrol

MEASURE = (Path(__file__).parent / "measure_pupil_screen.js").read_text().strip()
SIZES = """() => {
  const width = selector => {
    const found = document.querySelector(selector);
    return found ? Math.round(found.getBoundingClientRect().width) : 0;
  };
  const main = document.querySelector(".pupil-main");
  return {question: width(".step-head .sym-text .sym-img"), word: width(".card-words .sym-img"),
    card: width(".choice-card .card-picture"), scrolls: main.scrollHeight > main.clientHeight};
}"""


def _first_screen_with_worded_cards(page: Page, server: LiveServer, pupil: str) -> None:
    """Amira's "Feelings online", up to its first question whose cards carry word pictures."""
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name=pupil, exact=True).click()
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    page.goto(f"{server.url}/pupil/lessons/feelings-online")
    tap_to_next_screen(page, page.get_by_role("button", name="Start"))
    for _ in range(20):
        if page.locator("form.answers .card-words .sym-img").count():
            return
        nexts = page.locator(".step-nav .big-next")
        hinted = page.locator("form.answers .choice-card.hint")
        if nexts.count():
            tap_to_next_screen(page, nexts.first)
        elif hinted.count():
            tap_to_next_screen(page, hinted)
        else:
            tap_to_next_screen(page, page.locator("form.answers .choice-card").first)
    raise AssertionError("no question with worded cards in the lesson")


def _sizes(page: Page) -> dict[str, int]:
    page.wait_for_load_state()
    # The script has fitted the screen once it says which level it kept.
    expect(page.locator("[data-fit][data-fit-level]")).to_have_count(1)
    sizes: dict[str, int] = page.evaluate(SIZES)
    return sizes


def test_extra_large_pictures_grow_into_the_room_a_screen_has(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(viewport=VIEWPORTS["landscape"], has_touch=True, locale="en-GB")
    page = context.new_page()
    _enrol(page, live_server)
    seen = {}
    for size in (SymbolSize.MEDIUM, SymbolSize.EXTRA_LARGE):
        set_symbol_size(live_server, "Amira", size)
        _first_screen_with_worded_cards(page, live_server, "Amira")
        seen[size] = _sizes(page)
        assert page.evaluate(MEASURE) == []
        page.goto(live_server.url + "/pupil/")
        page.locator("#finished-form button").click()
        page.locator("[data-confirm-finish]").click()
        expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    medium, extra = seen[SymbolSize.MEDIUM], seen[SymbolSize.EXTRA_LARGE]
    # Medium stays medium: the pupil's own size is the limit, room or not.
    assert (medium["question"], medium["word"]) == (64, 36)
    # Extra large fills the room: before, the screen's caps held every size to the same small
    # pictures (about 58 px for the question and 25 px over each card word on a 768 px screen).
    assert extra["question"] > 80
    assert extra["word"] >= 44
    assert extra["card"] > medium["card"] * 0.9
    assert not extra["scrolls"]
    context.close()


def test_a_screen_fits_again_when_the_ipad_turns(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(viewport=VIEWPORTS["portrait"], has_touch=True, locale="en-GB")
    page = context.new_page()
    _enrol(page, live_server)
    set_symbol_size(live_server, "Amira", SymbolSize.EXTRA_LARGE)
    _first_screen_with_worded_cards(page, live_server, "Amira")
    portrait = _sizes(page)
    page.set_viewport_size(VIEWPORTS["landscape"])
    # Landscape is shorter: the pictures give back what the new screen has not got, once the
    # script has fitted the screen to its new size.
    page.wait_for_function(
        "() => { const m = document.querySelector('.pupil-main');"
        " return document.querySelector('[data-fit]').getAttribute('data-fit-box')"
        " === m.clientWidth + 'x' + m.clientHeight; }"
    )
    assert page.evaluate(MEASURE) == []
    landscape = _sizes(page)
    assert not landscape["scrolls"]
    assert landscape["question"] <= portrait["question"]
    context.close()


def test_each_worry_step_is_fitted_as_it_is_shown(
    browser: Browser, live_server: LiveServer
) -> None:
    """The worry flow shows its steps one at a time in one page: each is fitted when shown."""
    context = browser.new_context(viewport=VIEWPORTS["portrait"], has_touch=True, locale="en-GB")
    page = context.new_page()
    _enrol(page, live_server)
    set_symbol_size(live_server, "Amira", SymbolSize.EXTRA_LARGE)
    page.goto(live_server.url + "/class-ipad")
    page.get_by_role("button", name="Amira", exact=True).click()
    page.locator(".worry-button").click()
    # The flow's scripts (worry.js hides the radios inside the cards) and the fit have run.
    page.wait_for_load_state()
    expect(page.locator("#worry-form[data-fit-level]")).to_have_count(1)
    questions = {}
    for step in ("what", "where", "feeling", "talk_to"):
        shown = page.locator(f'[data-step="{step}"]')
        expect(shown).to_be_visible()
        assert page.evaluate(MEASURE) == [], step
        box = shown.locator(".step-question .sym-img").first.bounding_box()
        assert box is not None
        questions[step] = box["width"]
        shown.locator(".choice-card").first.click()
    expect(page.locator("#worry-words")).to_be_visible()
    assert page.evaluate(MEASURE) == []
    # "How do you feel?" has five short cards: its question's pictures grow past the 60 px the
    # portrait cap held them to, as they would not on a step with no room.
    assert questions["feeling"] > 80
    assert all(width <= 128 for width in questions.values())
    context.close()
