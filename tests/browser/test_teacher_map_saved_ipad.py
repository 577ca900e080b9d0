"""A teacher on the iPad, each way up, changes a lesson far down a pupil's lesson map and the
class map, by touch and by keyboard: the page comes back to that row and says there what was
saved, in view (it said "Saved." at the top, off screen), with the keyboard going on from that
row; without JavaScript the row's anchor still brings it into view. The stand-alone links on the
teacher's pages (Back to ..., a name or objective in a table) are 44px tall targets.

Every page is axe-clean."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import IPAD_VIEWPORTS

WAYS_UP = pytest.mark.parametrize("way_up", ["landscape", "portrait"])
# A link alone in a table cell, or a "Back to ..." line; not one inside a sentence.
STAND_ALONE = "main td > a:first-child, main th > a:first-child, main p > a:only-child"


def _tap(page: Page, target: Locator) -> None:
    with page.expect_navigation():
        target.tap()


def _amiras_map(page: Page, live_server: LiveServer, viewport: ViewportSize) -> str:
    page.set_viewport_size(viewport)
    sign_in(page, live_server, "teacher")
    _tap(page, page.get_by_role("link", name="Amira Khan"))
    _tap(page, page.get_by_role("link", name="Lessons and progress"))
    return page.url


def _saved_in_view(page: Page, row: Locator, words: str) -> Locator:
    note = row.get_by_role("status")
    expect(note).to_contain_text(words)
    expect(note).to_be_in_viewport()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved\.$"))).to_have_count(0)
    return note


def _tab_lands_in(page: Page) -> str | None:
    """The id of the row the next Tab lands in."""
    page.keyboard.press("Tab")
    return page.evaluate("(document.activeElement.closest('tr') || {}).id || null")


def _stand_alone_links_are_tall(page: Page) -> int:
    """Each stand-alone link on the page is at least 44px tall; how many there were."""
    links = page.locator(STAND_ALONE).filter(has_not=page.locator(".button"))
    heights = links.evaluate_all(
        "links => links.filter(a => !a.classList.contains('button'))"
        ".map(a => [a.textContent.trim(), a.getBoundingClientRect().height])"
    )
    short = [(words, height) for words, height in heights if height < 44]
    assert not short, (page.url, short)
    return len(heights)


@WAYS_UP
def test_a_pathway_set_far_down_the_map_is_said_saved_where_the_teacher_is(
    page: Page, live_server: LiveServer, way_up: str
) -> None:
    _amiras_map(page, live_server, IPAD_VIEWPORTS[way_up])
    last = page.locator(".lesson-map tbody tr").last
    row_id = last.get_attribute("id")
    last.get_by_label("Pathway for").select_option(label="Formal")
    _tap(page, last.get_by_role("button", name="Set"))
    assert page.url.endswith(f"#{row_id}")
    row = page.locator(f"#{row_id}")
    _saved_in_view(page, row, "is now Formal. Amira sees this next time.")
    expect(row).to_be_focused()  # read with its note; the keyboard goes on from here
    assert _tab_lands_in(page) == row_id
    assert page.evaluate("window.scrollY") > 0  # not the page's top
    assert_accessible(page)
    assert _stand_alone_links_are_tall(page) >= 1  # Back to Amira Khan, Answers


@WAYS_UP
def test_by_keyboard_the_teacher_lands_back_at_the_row_they_changed(
    page: Page, live_server: LiveServer, way_up: str
) -> None:
    _amiras_map(page, live_server, IPAD_VIEWPORTS[way_up])
    row = page.locator(".lesson-map tbody tr").nth(-2)
    row_id = row.get_attribute("id")
    hide_or_show = row.get_by_role("button", name=re.compile(r"^(Hide|Show)"))
    said = "is now hidden." if hide_or_show.inner_text().startswith("Hide") else "is shown again."
    hide_or_show.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    row = page.locator(f"#{row_id}")
    _saved_in_view(page, row, said)
    expect(row).to_be_focused()
    assert _tab_lands_in(page) == row_id


@WAYS_UP
def test_without_javascript_the_row_changed_is_still_in_view_with_its_note(
    browser: Browser, live_server: LiveServer, way_up: str
) -> None:
    context = browser.new_context(
        viewport=IPAD_VIEWPORTS[way_up], has_touch=True, java_script_enabled=False
    )
    try:
        page = context.new_page()
        _amiras_map(page, live_server, IPAD_VIEWPORTS[way_up])
        last = page.locator(".lesson-map tbody tr").last
        row_id = last.get_attribute("id")
        _tap(page, last.get_by_role("button", name="Earlier"))
        row = page.locator(f"#{row_id}")
        _saved_in_view(page, row, "is now number")
        expect(row).to_be_focused()  # the anchor alone: the keyboard goes on from the row
    finally:
        context.close()


@WAYS_UP
def test_a_class_map_change_far_down_is_said_saved_in_view(
    page: Page, live_server: LiveServer, way_up: str
) -> None:
    page.set_viewport_size(IPAD_VIEWPORTS[way_up])
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/classes/1/lessons")
    last = page.locator("tbody tr").last
    row_id = last.get_attribute("id")
    words = "off" if last.get_by_role("button", name="Take off").count() else "on"
    _tap(page, last.get_by_role("button"))
    row = page.locator(f"#{row_id}")
    _saved_in_view(page, row, f"is now {words} the class map.")
    expect(row).to_be_focused()
    assert_accessible(page)


@WAYS_UP
def test_stand_alone_links_on_the_assessment_pages_are_44px_tall(
    page: Page, live_server: LiveServer, way_up: str
) -> None:
    page.set_viewport_size(IPAD_VIEWPORTS[way_up])
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/assessment/classes/1")
    assert _stand_alone_links_are_tall(page) >= 1  # each pupil's name in the heatmap
    assert_accessible(page)
    _tap(page, page.locator(".heatmap-table tbody th a").first)  # a pupil's progress
    assert _stand_alone_links_are_tall(page) >= 1  # each objective in the tables
    assert_accessible(page)
    _tap(page, page.locator("main td > a").first)  # one objective
    assert _stand_alone_links_are_tall(page) >= 1  # Back to ...'s progress
    assert_accessible(page)
    page.goto(f"{live_server.url}/assessment/classes/1/summary")
    _stand_alone_links_are_tall(page)
    assert_accessible(page)
