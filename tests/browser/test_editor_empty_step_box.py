"""A teacher leaves a step box empty between filled ones: a refused save still shows the filled
box after the empty one, with its problem, and the summary's link takes focus to it."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import LiveServer
from tests.browser.ipad_helpers import new_kind_words_lesson


def test_the_box_after_an_empty_one_is_shown_with_its_problem(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_kind_words_lesson(new_ipad(), live_server)
    page.locator("#f-sf-objective").fill("Picks the kind message")
    page.locator("#f-sf-1-kind").select_option("story")
    page.locator("#f-sf-1-text").fill("Some messages are kind.")
    page.locator("#f-sf-2-kind").select_option("who_can_i_tell")
    page.locator("#f-sf-2-text").fill("Who can you tell?")
    page.locator("section[data-pathway]:has(#f-sf-1-kind) button.add-step").click()
    page.locator("#f-sf-4-kind").select_option("choose")  # box 3 is left empty
    page.locator("#f-sf-4-text").fill("More or finished?")
    page.locator("#f-sf-4-o1-text").fill("More")
    page.locator("#f-sf-4-o1-again").fill("3")
    page.locator("#f-sf-4-o2-text").fill("Finished")
    page.locator("label[for='f-sf-4-correct-2']").click()
    page.locator("#f-sf-4-feedback").fill("Thank you.")
    page.get_by_role("button", name="Save as a draft").click()
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Semi-formal, step 4, answer 1: step 3 is empty")
    again = page.locator("#f-sf-4-o1-again")
    expect(again).to_be_visible()
    expect(again).to_have_value("3")
    expect(page.locator("#f-sf-4-text")).to_have_value("More or finished?")
    problems.locator("a[href='#f-sf-4-o1-again']").click()
    expect(again).to_be_focused()
