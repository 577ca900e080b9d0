"""A teacher on the class iPad, landscape, a pupil beside them: personalises the pupil's lesson
map, records an observation and a misconception by touch, sees the pictures change, corrects
a mistake, and the next person on the iPad presses Back after sign-out and sees nothing.

Every page is axe-clean; no decision is made for the teacher; what they tap is 44px tall."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in, sign_out
from tests.browser.ipad_helpers import IPAD_VIEWPORTS

NOTE = "Sorted four of five messages with a verbal prompt"
OBJECTIVE = "Sorts emoji and messages into kind and unkind"
WIDE = "() => document.documentElement.scrollWidth > window.innerWidth"


def _tap(page: Page, target: Locator) -> None:
    with page.expect_navigation():
        target.tap()


def _tall(target: Locator) -> float:
    box = target.bounding_box()
    assert box is not None
    return box["height"]


def _looked_at(page: Page) -> None:
    """Axe-clean, and nothing scrolls sideways, each way up the iPad is held."""
    assert_accessible(page)
    for viewport in ("portrait", "landscape"):
        page.set_viewport_size(IPAD_VIEWPORTS[viewport])
        assert not page.evaluate(WIDE), (viewport, page.url)


def _personalise_the_map(page: Page) -> None:
    rows = page.locator(".lesson-map tbody tr")
    add = page.get_by_label("Lesson", exact=True)
    expect(add).to_have_value("")  # no lesson is added for the teacher by one tap
    rows.nth(1).get_by_label("Pathway for").select_option(label="Formal")
    _tap(page, rows.nth(1).get_by_role("button", name="Set"))
    expect(rows.nth(1)).to_contain_text("Formal (chosen)")
    _tap(page, rows.nth(2).get_by_role("button", name="Hide"))
    expect(rows.nth(2)).to_contain_text("(hidden)")
    page.get_by_label("Lesson", exact=True).select_option(index=1)
    _tap(page, page.get_by_role("button", name="Add to the end"))
    # Said in the row added, where the page comes back to, not at the top off screen.
    expect(rows.last.get_by_role("status")).to_contain_text("My body, my choice is added")
    expect(rows.last.get_by_role("status")).to_be_in_viewport()
    _looked_at(page)


def _record(page: Page, level: str, *, note: str = "", misconception: bool = False) -> None:
    form = page.locator("form", has=page.get_by_role("heading", name="Record an observation"))
    for box, empty in (("Level", ""), ("Support used", ""), ("Where", "")):
        expect(form.get_by_label(box)).to_have_value(empty)  # nothing chosen for them
    tick = form.get_by_label("Shows a misconception")
    expect(tick).not_to_be_checked()
    words = form.locator("label", has_text="Shows a misconception")
    assert _tall(words) >= 44  # its words are the target, not a 28px strip
    form.get_by_label("Level").select_option(level)
    form.get_by_label("Support used").select_option(label="Prompted")
    form.get_by_label("Where").select_option(label="In a lesson")
    form.get_by_label("Note (optional)").fill(note)
    if misconception:
        words.tap()
        expect(tick).to_be_checked()
    _tap(page, form.get_by_role("button", name="Record"))
    expect(page.get_by_role("status")).to_contain_text("Recorded ")


def test_a_teacher_walks_map_observation_misconception_and_correction_by_touch(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size(IPAD_VIEWPORTS["landscape"])
    sign_in(page, live_server, "teacher")
    _tap(page, page.get_by_role("link", name="Amira Khan"))
    _tap(page, page.get_by_role("link", name="Lessons and progress"))
    _looked_at(page)
    _personalise_the_map(page)

    _tap(page, page.get_by_role("link", name="Back to Amira Khan"))
    _tap(page, page.get_by_role("link", name="Assessment", exact=True))
    _tap(page, page.get_by_role("link", name=OBJECTIVE))
    _looked_at(page)
    _record(page, "2", note=NOTE)
    _record(page, "1", misconception=True)
    expect(page.get_by_role("cell", name=NOTE)).to_be_visible()
    # The timeline marks the unsafe belief, as the heatmap does: not only the table.
    expect(page.locator("svg.timeline text", has_text="M")).to_have_count(1)
    expect(page.locator("figcaption")).to_contain_text("M: a misconception")
    for withdraw in page.get_by_role("link", name="Withdraw").all():
        assert _tall(withdraw) >= 44
    _looked_at(page)

    _tap(page, page.get_by_role("link", name="Back to Amira's progress"))
    expect(page.locator("svg text", has_text="1M")).to_have_count(1)  # her lesson map
    _looked_at(page)
    page.goto(f"{live_server.url}/assessment/classes/1")
    amira = page.locator(".heatmap-table tr", has_text="Amira Khan")
    expect(amira).to_contain_text("1M")
    _looked_at(page)

    # A mistaken level: corrected (observations are append-only), the old one kept as corrected.
    _tap(page, amira.get_by_role("link", name="Amira Khan"))
    _tap(page, page.get_by_role("link", name=OBJECTIVE))
    fix = page.locator("form", has=page.get_by_role("heading", name="Correct the latest"))
    fix.get_by_label("Level").select_option("0")
    _tap(page, fix.get_by_role("button", name="Save correction"))
    expect(page.locator("tbody tr", has_text="Not yet").first).to_contain_text("In force")
    expect(page.get_by_role("cell", name="Corrected")).to_have_count(1)
    _looked_at(page)

    sign_out(page)
    for _ in range(4):  # the next person on the iPad presses Back
        page.go_back()
        page.wait_for_load_state()
        expect(page.locator("main")).not_to_contain_text("Amira")
        expect(page.locator("main")).not_to_contain_text(NOTE)
