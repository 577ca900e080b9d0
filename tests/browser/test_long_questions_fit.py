"""A long question still fits a portrait class iPad at the largest symbol sizes: on a choose
step whose question runs to three lines, every answer card with its words is in view at scroll 0,
above the pinned row (My lessons) and uncovered; and on the worry flow's last question, "... will
read your worry." sits above Back and Send, never under them. Nothing scrolls."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from classroom.lessons import content
from classroom.pupils.models import SymbolSize
from tests.browser.conftest import WAIT_MS, LiveServer, tap_to_next_screen
from tests.browser.ipad_helpers import enrol_class_ipad, set_symbol_size

PORTRAIT = {"width": 810, "height": 1080}
SIZES = [SymbolSize.LARGE, SymbolSize.EXTRA_LARGE]
# (pupil, lesson, step): the choose steps with the longest questions, for a formal pupil and a
# semi-formal one (whose four cards take two rows).
LONG_QUESTIONS = [
    ("Chloe", "unkind-in-many-ways", 4),
    ("Chloe", "emails-and-links", 3),
    ("Chloe", "bystanders", 3),
    ("Amira", "i-like-me", 2),
]
PATHWAYS = {"Chloe": "formal", "Amira": "semi_formal"}
LANDSCAPE = {"width": 1024, "height": 768}
MEASURE = (Path(__file__).parent / "measure_pupil_screen.js").read_text().strip()
# The content box, and every card (its words included) against the pinned row under it.
STEP = """() => {
  const main = document.querySelector('.pupil-main');
  const nav = document.querySelector('.step-nav').getBoundingClientRect();
  const cards = [...document.querySelectorAll('form.answers .choice-card')];
  return {scroll: main.scrollHeight, visible: main.clientHeight, pinned: nav.top,
    cards: cards.length,
    bottoms: cards.flatMap(c => [c, ...c.querySelectorAll('.sym-label')])
      .map(e => e.getBoundingClientRect().bottom)};
}"""
# The worry's last step: the words of "... will read your worry." against Back and Send.
WORRY = """() => {
  const main = document.querySelector('.pupil-main');
  const send = document.querySelector('.worry-send').getBoundingClientRect();
  const words = [...document.querySelectorAll('.who-sees .sym-word')];
  return {scroll: main.scrollHeight, visible: main.clientHeight, pinned: send.top,
    cards: words.length,
    bottoms: words.map(w => w.getBoundingClientRect().bottom)};
}"""


def _sign_in_pupil(page: Page, server: LiveServer, name: str, size: SymbolSize) -> None:
    set_symbol_size(server, name, size)
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name=name, exact=True).click()
    expect(page.get_by_role("heading", name=f"Hello {name}")).to_be_visible()


def _finish(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/pupil/")
    page.locator("#finished-form button").click()
    page.locator("[data-confirm-finish]").click()
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()


def _wrong_answer(server: LiveServer, lesson: str, pathway: str, number: int) -> str | None:
    """A card that is not right, if the step has one (some questions have no wrong answer)."""
    lessons: content.Catalogue = server.app.extensions["lessons"]
    step = lessons.get(lesson).version(content.Pathway(pathway)).steps[number - 1]
    assert isinstance(step, content.ChooseStep)
    return next((o.text.text for o in step.options if not o.correct), None)


def _problems(page: Page, metrics: str, what: str) -> list[str]:
    page.wait_for_load_state()
    page.evaluate("() => window.scrollTo(0, 0)")
    found: list[str] = page.evaluate(MEASURE)
    m = page.evaluate(metrics)
    assert m["cards"] > 0
    if m["scroll"] > m["visible"]:
        found.append(f"scrolls: {m['scroll']} px of content in {m['visible']} px")
    lowest = max(m["bottoms"])
    if lowest > m["pinned"] + 0.5:
        found.append(f"{what} reach {lowest:.0f} px, under the pinned row at {m['pinned']:.0f} px")
    return found


@pytest.fixture(scope="module")
def problems(browser: Browser, live_server: LiveServer) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    context = browser.new_context(
        viewport=PORTRAIT, has_touch=True, device_scale_factor=2, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    enrol_class_ipad(page, live_server, "Long questions iPad")
    for size in SIZES:
        for name, lesson, number in LONG_QUESTIONS:
            _sign_in_pupil(page, live_server, name, size)
            page.goto(f"{live_server.url}/pupil/lessons/{lesson}")
            tap_to_next_screen(page, page.get_by_role("button", name="Start"))
            page.goto(re.sub(r"/steps/\d+$", f"/steps/{number}", page.url))
            expect(page.locator("section.step-choose")).to_have_count(1)
            label = f"{size.value} {name} {lesson} step {number}"
            found[label] = _problems(page, STEP, "cards and their words")
            # A wrong answer: "Let's look again. This one." takes a line of its own.
            wrong = _wrong_answer(live_server, lesson, PATHWAYS[name], number)
            if wrong is not None:
                answers = page.locator("form.answers")
                tap_to_next_screen(page, answers.get_by_role("button", name=wrong, exact=True))
                expect(page.locator(".pupil-message.gentle")).to_have_count(1)
                found[f"{label} hint"] = _problems(page, STEP, "cards and their words")
                page.set_viewport_size(LANDSCAPE)
                found[f"{label} hint landscape"] = _problems(page, STEP, "cards and their words")
                page.set_viewport_size(PORTRAIT)
            _finish(page, live_server)
        # The worry flow, to its last question: "Do you want to say more?"
        _sign_in_pupil(page, live_server, "Chloe", size)
        page.locator(".worry-button").click()
        page.wait_for_load_state()
        for step in ("what", "where", "feeling", "talk_to"):
            page.locator(f'[data-step="{step}"] .choice-card').first.click()
        expect(page.locator('[data-step="words"]')).to_be_visible()
        found[f"{size.value} Chloe worry say more"] = _problems(
            page, WORRY, '"will read your worry."'
        )
        _finish(page, live_server)
    context.close()
    return found


def test_long_questions_fit_a_portrait_ipad_at_the_largest_sizes(
    problems: dict[str, list[str]],
) -> None:
    hinted = [q for q in LONG_QUESTIONS if q[0] == "Chloe"]  # Amira's step has no wrong card
    assert len(problems) == len(SIZES) * (len(LONG_QUESTIONS) + 2 * len(hinted) + 1)
    bad = {screen: p for screen, p in problems.items() if p}
    report = "\n".join(f"{screen}: {'; '.join(p)}" for screen, p in sorted(bad.items()))
    assert bad == {}, f"{len(bad)} of {len(problems)} screens:\n{report}"
