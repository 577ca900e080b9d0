"""A TA choosing the lesson to record on the class iPad: the page opened at its top, the pupils
and the level buttons below the screen, and she scrolled each time. Now it opens at the form
(#chosen), a note saying which lesson is recorded focused (announced, a live region), the pupils
and levels on the screen; by touch each way up, and by keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import IPAD_VIEWPORTS, on_screen

CHOSEN = re.compile(r"^Recording lesson 10, .Stop, block, tell.\. Tick the pupils seen")


def _at_the_form(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"lesson_id=stop-block-tell#chosen$"))
    note = page.get_by_role("main").get_by_role("status")
    expect(note).to_have_text(CHOSEN)
    expect(note).to_be_focused()
    on_screen(page, note)
    pupils = page.get_by_role("group", name=re.compile("^Pupils"))
    on_screen(page, pupils.get_by_role("checkbox").first)
    on_screen(page, page.get_by_label("Where"))
    for button in page.locator(".level-button").all():
        on_screen(page, button)


@pytest.mark.parametrize("way_up", ["landscape", "portrait"])
def test_choosing_a_lesson_by_touch_opens_at_the_form(
    page: Page, live_server: LiveServer, way_up: str
) -> None:
    page.set_viewport_size(IPAD_VIEWPORTS[way_up])
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/assessment/classes/1/record")
    page.get_by_label("Lesson").select_option("stop-block-tell")
    page.get_by_role("button", name="Choose lesson").tap()
    _at_the_form(page)
    assert_accessible(page)
    # And on to record: the first pupil is hers to tick, the level right there.
    page.locator("label.pick", has_text="Amira").tap()
    page.get_by_label("Where").select_option("class")
    page.get_by_role("button", name=re.compile(r"^2 . Developing")).tap()
    expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        re.compile(r"Recorded Developing .* for Amira\.")
    )


def test_choosing_a_lesson_by_keyboard_opens_at_the_form(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size(IPAD_VIEWPORTS["landscape"])
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/assessment/classes/1/record")
    page.get_by_label("Lesson").focus()
    page.get_by_label("Lesson").select_option("stop-block-tell")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Choose lesson")).to_be_focused()
    page.keyboard.press("Enter")
    _at_the_form(page)
    page.keyboard.press("Tab")  # from the note, the first pupil: not the whole page's links
    expect(page.get_by_role("checkbox", name=re.compile("^Amira"))).to_be_focused()
