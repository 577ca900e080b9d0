"""A TA recording lesson 10 for Amira, Ben, then Chloe on the class iPad, in the middle of a
lesson: after each save the page comes back at the form, not its top, with the message where
her eyes are (focused, a live region), where they were seen kept, and no pupil or level chosen
for her; by touch each way up, and by keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import IPAD_VIEWPORTS, on_screen

LESSON = "stop-block-tell"
DEVELOPING = re.compile(r"^2 . Developing")


def _after_saving(page: Page, name: str) -> None:
    saved = page.get_by_role("main").get_by_role("status")
    expect(saved).to_have_text(re.compile(rf"Recorded Developing .* for {name}\."))
    expect(saved).to_be_focused()
    on_screen(page, saved)
    pupils = page.get_by_role("group", name=re.compile("^Pupils"))
    on_screen(page, pupils.get_by_role("checkbox").first)
    for box in pupils.get_by_role("checkbox").all():
        expect(box).not_to_be_checked()  # the next pupil is hers to choose
    where = page.get_by_label("Where")
    expect(where).to_have_value("class")
    kept = re.compile("^The same as for the pupils you last recorded")
    expect(where).to_have_accessible_description(kept)
    on_screen(page, where)


@pytest.mark.parametrize("way_up", ["landscape", "portrait"])
def test_three_pupils_in_a_row_by_touch(page: Page, live_server: LiveServer, way_up: str) -> None:
    page.set_viewport_size(IPAD_VIEWPORTS[way_up])
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/assessment/classes/1/record?lesson_id={LESSON}")
    expect(page.get_by_label("Where")).to_have_value("")  # never chosen before she says it
    page.get_by_label("Where").select_option("class")
    for name in ("Amira", "Ben", "Chloe"):
        page.locator("label.pick", has_text=name).tap()
        page.get_by_role("button", name=DEVELOPING).tap()
        _after_saving(page, name)
        for button in page.locator(".level-button").all():  # every level, on the screen too
            on_screen(page, button)
    assert_accessible(page)


def test_three_pupils_in_a_row_by_keyboard(page: Page, live_server: LiveServer) -> None:
    page.set_viewport_size(IPAD_VIEWPORTS["landscape"])
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/assessment/classes/1/record?lesson_id={LESSON}")
    page.get_by_label("Where").select_option("class")
    page.get_by_role("checkbox", name=re.compile("^Amira")).focus()
    for n, name in enumerate(("Amira", "Ben", "Chloe")):
        if n:  # from the message (and its "Put right"), the next pupil is a few Tabs away
            for _ in range(n + 2):
                page.keyboard.press("Tab")
        expect(page.get_by_role("checkbox", name=re.compile(f"^{name}"))).to_be_focused()
        page.keyboard.press("Space")
        page.get_by_role("button", name=DEVELOPING).focus()
        page.keyboard.press("Enter")
        _after_saving(page, name)
