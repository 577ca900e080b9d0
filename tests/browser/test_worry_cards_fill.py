"""The worry flow's answer cards use the room the iPad has: on "What happened?" and "Where?" the
cards reach down to Back, Skip and Send (no empty band under them), every card is a bigger target
than it was, and still nothing scrolls, nothing is covered, and "Not now" keeps its place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, ViewportSize, expect

from classroom.pupils.models import SymbolSize
from tests.browser.conftest import WAIT_MS
from tests.browser.ipad_helpers import enrol_class_ipad, set_symbol_size
from tests.live import LiveServer

VIEWPORTS: dict[str, ViewportSize] = {
    "landscape": {"width": 1024, "height": 768},
    "portrait": {"width": 810, "height": 1080},
}
# The shortest card a pupil gets to press on each screen, in px, at medium and extra large.
# Before, the cards kept their content's height under an empty band: on "Where?" the shortest was
# 148 px at both viewports (with 175 px empty above Back in landscape, 252 px in portrait), on
# "What happened?" 211 px (landscape) and 233 px (portrait, extra large). Now 234 to 300 px.
SHORTEST_CARD = {
    ("landscape", "what"): 225,
    ("landscape", "where"): 210,
    ("portrait", "what"): 265,
    ("portrait", "where"): 250,
}
BAND = 24  # at most this much room between the cards and Back, Skip and Send (the scan ring: 13)
MEASURE = (Path(__file__).parent / "measure_pupil_screen.js").read_text().strip()
SCREEN = """() => {
  const step = document.querySelector('.worry-step:not([hidden])');
  const grid = step.querySelector('.choice-grid').getBoundingClientRect();
  const cards = [...step.querySelectorAll('.choice-card')];
  const row = [...document.querySelectorAll('.worry-send button')]
    .filter(b => b.getClientRects().length);
  const main = document.querySelector('.pupil-main');
  // Under something else: a corner or the middle of it shows another element.
  const covered = el => {
    const r = el.getBoundingClientRect();
    return [[r.left + 6, r.top + 6], [r.right - 6, r.top + 6], [r.left + 6, r.bottom - 6],
      [r.right - 6, r.bottom - 6], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]]
      .some(([x, y]) => {
        const hit = document.elementFromPoint(x, y);
        return !hit || !el.contains(hit);
      });
  };
  const mustShow = [...row, document.querySelector('.worry-rail .not-now'),
    document.querySelector('#finished-form button')];
  return {
    band: Math.min(...row.map(b => b.getBoundingClientRect().top)) - grid.bottom,
    heights: cards.map(c => Math.round(c.getBoundingClientRect().height)),
    // A card's picture and words inside its own border, never spilling over it.
    spilling: cards.filter(c => c.scrollHeight > c.clientHeight + 1).length,
    pictures: Math.max(...cards.map(c => c.querySelector('img').getBoundingClientRect().width)),
    scrolls: main.scrollHeight > main.clientHeight
      || document.scrollingElement.scrollHeight > innerHeight,
    covered: mustShow.filter(covered).map(el => el.textContent.trim().replace(/\\s+/g, ' ')),
  };
}"""


def _worry_screens(page: Page, server: LiveServer) -> dict[str, dict[str, Any]]:
    """Ben's "What happened?" and "Where?" screens, measured as he sees them."""
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name="Ben", exact=True).click()
    expect(page.get_by_role("heading", name="Hello Ben")).to_be_visible()
    page.get_by_role("link", name="Report a worry", exact=True).click()
    page.wait_for_load_state("load")
    found = {}
    for step in ("what", "where"):
        expect(page.locator(f'[data-step="{step}"]')).to_be_visible()
        # fit-screen.js has fitted this screen (and its cards) once it says so.
        expect(page.locator("#worry-form[data-fit-level]")).to_have_count(1)
        found[step] = page.evaluate(SCREEN) | {"problems": page.evaluate(MEASURE)}
        page.get_by_role("button", name="Skip").click()
    page.goto(server.url + "/pupil/")
    page.locator("#finished-form button").click()
    page.locator("[data-confirm-finish]").click()
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    return found


def test_worry_cards_fill_the_screen_down_to_back_skip_and_send(
    browser: Browser, live_server: LiveServer
) -> None:
    seen = {}
    for label, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport, has_touch=True, locale="en-GB")
        context.set_default_timeout(WAIT_MS)
        page = context.new_page()
        enrol_class_ipad(page, live_server, f"Worry cards iPad {label}")
        for size in (SymbolSize.MEDIUM, SymbolSize.EXTRA_LARGE):
            set_symbol_size(live_server, "Ben", size)
            for step, screen in _worry_screens(page, live_server).items():
                seen[(label, size.value, step)] = screen
        context.close()
    for (label, size_name, step), screen in seen.items():
        where = f"{label} {size_name} {step}: {screen}"
        assert screen["band"] <= BAND, where  # no empty band above Back, Skip and Send
        assert screen["band"] >= 13, where  # room for the scan ring of the cards' last row
        assert min(screen["heights"]) >= SHORTEST_CARD[(label, step)], where
        assert screen["spilling"] == 0, where
        assert screen["pictures"] <= 96, where  # a card's picture stops at 96 px, as before
        assert not screen["scrolls"], where
        assert screen["covered"] == [], where
        assert screen["problems"] == [], where
    # Rows of equal height wherever the cards' content allows: "Where?" at medium.
    for label in VIEWPORTS:
        heights = seen[(label, "medium", "where")]["heights"]
        assert max(heights) - min(heights) <= 1, heights
