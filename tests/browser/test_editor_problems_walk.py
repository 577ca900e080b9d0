"""A teacher saves a pre-formal lesson with one step and no engagement area chosen: she is told
in her own words, beside each box, with a link from the list that takes her there; the page
passes axe."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.ipad_helpers import new_kind_words_lesson


def test_a_refused_lesson_says_each_problem_in_her_words_beside_its_box(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_kind_words_lesson(new_ipad(), live_server)
    page.locator("#f-pf-objective").fill("Responds to a kind sound")
    page.locator("#f-pf-1-kind").select_option("story")
    page.locator("#f-pf-1-text").fill("Kind words make us happy.")
    page.locator("#f-pf-1-note").fill("Looks towards the speaker.")
    page.locator("#f-pf-2-note").fill("Reaches for the switch.")  # written before the step
    page.get_by_role("button", name="Save as a draft").click()

    problems = page.locator("#problems")
    expect(problems).to_contain_text("Pre-formal has 1 step: each pathway needs 3 to 7.")
    expect(problems).to_contain_text(
        "Pre-formal step 1, engagement area it shows: please choose one."
    )
    for words in ("pre_formal", "look_for", "1 steps", "a 'story' step"):
        expect(problems).not_to_contain_text(words)
    area = page.locator("#f-pf-1-look_for")
    expect(area).to_have_attribute("aria-invalid", "true")
    expect(area).to_have_accessible_description(
        "Pre-formal step 1, engagement area it shows: please choose one."
    )
    expect(page.locator("#f-pf-2-kind")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-pf-2-note")).to_have_value("Reaches for the switch.")  # kept
    expect(page.locator("#f-pf-1-note")).to_have_value("Looks towards the speaker.")
    problems.locator("a[href='#f-pf-1-look_for']").click()
    expect(area).to_be_focused()
    assert_accessible(page)
