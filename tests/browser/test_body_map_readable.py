"""The body map's words read at 12px or more, and its marks are 24px targets, at every size.

Found on the walk: the drawing's words ("Child's right", "FRONT", each mark's number) were
drawn in its own units and shrank with it: 7.5px on the incident record at every size, 8px on
the evidence page on a phone, where the two maps were squeezed to 160px wide, a placed mark
12px across and the ring showing where a finger landed 15px. Now the words are the page's text
above each drawing, the drawing is at least 200px wide, a mark's number is 13px or more and a
mark and the ring are 24px across or more (WCAG 2.5.8), placed by touch or from the list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.worries import body_map
from classroom.worries.models import Incident
from tests.browser.conftest import LiveServer, assert_accessible, signed_in_at
from tests.browser.ipad_helpers import logged_concern

SIZES = {
    "375x667": (375, 667),
    "390x844": (390, 844),
    "1024x768": (1024, 768),
    "1280x800": (1280, 800),
}
PHONES = ["375x667", "390x844"]
SIDE_WORDS = {"Child's right", "Child's left"}

# Every piece of text in an element, with its size on the screen in CSS px: an SVG text's font
# size times the drawing's scale, an HTML element's font size.
WORDS_JS = """root => {
  const found = [], walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!node.textContent.trim() || el.closest('title, option, script, style')) continue;
    if (!el.getClientRects().length) continue;
    let px = parseFloat(getComputedStyle(el).fontSize);
    if (el instanceof SVGElement) { const m = el.getScreenCTM(); px *= Math.hypot(m.a, m.b); }
    found.push({text: node.textContent.trim(), px: px});
  }
  return found;
}"""


@pytest.fixture(scope="module")
def incident(live_server: LiveServer) -> int:
    """A concern with three marks on the body map: two on the front, one on the back."""
    incident_id = logged_concern(live_server, "Bruises seen at swimming", "ow")
    with live_server.app.app_context():
        db = get_session()
        dsl = db.scalars(select(Account).where(Account.username == "dsl")).one()
        found = db.get(Incident, incident_id)
        assert found is not None
        for region, kind in [("front:left_forearm", "bruise"), ("front:chest", "cut"),
                             ("back:right_hand", "burn")]:  # fmt: skip
            mark = body_map.MarkInput(region, None, None, None, kind, "2 cm", "")
            body_map.add_mark(db, dsl, found, mark, utcnow())
        db.commit()
    return incident_id


def _dsl(browser: Browser, server: LiveServer, size: str, opened: list[BrowserContext]) -> Page:
    return signed_in_at(browser, server, opened, SIZES[size], "dsl")


def _assert_readable(where: Locator) -> None:
    words = where.evaluate(WORDS_JS)
    said = {w["text"] for w in words}
    assert said >= SIDE_WORDS, said  # the words beside each drawing are there to measure
    assert said >= {"1", "2", "3"}, said  # and each mark's number
    small = [w for w in words if w["px"] < 12]
    assert not small, small
    for mark in where.locator("svg g.mark circle").all():
        box = mark.bounding_box()
        assert box is not None
        assert min(box["width"], box["height"]) >= 24, box


@pytest.mark.parametrize("size", sorted(SIZES))
def test_body_map_words_read_at_12px_or_more_on_the_record_and_the_evidence_page(
    browser: Browser, live_server: LiveServer, incident: int, open_in: list[BrowserContext],
    size: str,
) -> None:  # fmt: skip
    page = _dsl(browser, live_server, size, open_in)
    page.goto(f"{live_server.url}/safeguarding/{incident}")
    _assert_readable(page.locator("#evidence"))
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SIZES[size][0]
    assert_accessible(page)
    page.goto(f"{live_server.url}/safeguarding/{incident}/evidence")
    _assert_readable(page.locator("#body-map"))
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SIZES[size][0]
    assert_accessible(page)


def _ring(page: Page, side: str) -> dict[str, float]:
    ring = page.locator(f"svg.body-map-input[data-side={side}] .pending-mark")
    box = ring.bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize("size", PHONES)
def test_a_mark_placed_by_touch_on_a_phone_shows_a_24px_ring_where_the_finger_went(
    browser: Browser, live_server: LiveServer, incident: int, open_in: list[BrowserContext],
    size: str,
) -> None:  # fmt: skip
    page = _dsl(browser, live_server, size, open_in)
    page.goto(f"{live_server.url}/safeguarding/{incident}/evidence")
    back = page.locator("svg.body-map-input[data-side=back]")
    back.scroll_into_view_if_needed()
    box = back.bounding_box()
    assert box is not None
    assert box["width"] >= 200, box  # 200 drawing units to at least 200px: room for a finger
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= SIZES[size][0], box
    left_knee = 84 / 200, 300 / 400  # seen from behind, the child's left is on your left
    at = {"x": box["width"] * left_knee[0], "y": box["height"] * left_knee[1]}
    back.tap(position=at)
    expect(page.locator("#mark-placed")).to_contain_text("Back: left knee")
    expect(page.get_by_label("Where the mark is")).to_have_value("back:left_knee")
    ring = _ring(page, "back")
    assert min(ring["width"], ring["height"]) >= 24, ring
    centre = ring["x"] + ring["width"] / 2, ring["y"] + ring["height"] / 2
    assert abs(centre[0] - (box["x"] + at["x"])) < 2, (centre, at)
    assert abs(centre[1] - (box["y"] + at["y"])) < 2, (centre, at)


def test_a_mark_chosen_by_keyboard_alone_shows_its_place_and_lands_as_a_24px_mark(
    browser: Browser, live_server: LiveServer, incident: int, open_in: list[BrowserContext]
) -> None:
    page = _dsl(browser, live_server, "1280x800", open_in)
    page.goto(f"{live_server.url}/safeguarding/{incident}/evidence")
    where = page.get_by_label("Where the mark is")
    where.focus()
    where.select_option("front:right_knee")
    expect(page.locator("#mark-placed")).to_contain_text("Front: right knee")
    ring = _ring(page, "front")
    assert min(ring["width"], ring["height"]) >= 24, ring
    page.keyboard.press("Tab")
    expect(page.get_by_label("Kind of mark")).to_be_focused()
    page.get_by_label("Kind of mark").select_option("mark")
    page.keyboard.press("Tab")
    page.keyboard.type("4 cm")
    page.keyboard.press("Enter")
    expect(page.locator(".mark-list")).to_contain_text(re.compile(r"4 cm . Front: right knee"))
    marks = page.locator("svg[data-side=front] g.mark circle")
    expect(marks).to_have_count(3)
    for mark in marks.all():
        box = mark.bounding_box()
        assert box is not None
        assert min(box["width"], box["height"]) >= 24, box
