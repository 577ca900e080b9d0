"""Pupil error pages on a class iPad, and the worry button's words on one line (issue 11,
item 6): at 1024x768 and 810x1080 a pupil's 404 and 429 are axe-clean pupil pages that fit
without scrolling, whose Home works by tap and by keyboard."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import abort
from playwright.sync_api import Browser, BrowserContext, Page, expect

from classroom import policy
from classroom.pupils.models import Scanning, SymbolSize
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in, sign_out
from tests.browser.ipad_helpers import set_scanning, set_symbol_size

VIEWPORTS = {
    "landscape": {"width": 1024, "height": 768},
    "portrait": {"width": 810, "height": 1080},
}
MEASURE = (Path(__file__).parent / "measure_pupil_screen.js").read_text().strip()


@pytest.fixture(scope="module")
def server(live_server: LiveServer) -> LiveServer:
    """The live server, with a pupil address that answers 429 as a busy proxy would (nothing in
    the app sends a pupil a 429 page on purpose). Added before anyone has made a request."""

    @policy.allow("pupil")
    def busy() -> str:
        abort(429)

    live_server.app.add_url_rule("/pupil/test-busy", "test_busy", busy)
    return live_server


@pytest.fixture(params=list(VIEWPORTS))
def ipad(request: pytest.FixtureRequest, browser: Browser, server: LiveServer) -> Iterator[Page]:
    """A class iPad at one viewport, with Ben signed in."""
    context: BrowserContext = browser.new_context(
        viewport=VIEWPORTS[request.param], has_touch=True, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, server, "teacher")
    page.goto(server.url + "/class-ipads/")
    form = page.locator("form", has=page.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill(f"Ways iPad {request.param}")
    form.get_by_role("button", name="Make this a class iPad").click()
    sign_out(page)
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name="Ben", exact=True).click()
    expect(page).to_have_url(f"{server.url}/pupil/")
    yield page
    context.close()


def _set_size(server: LiveServer, size: SymbolSize) -> None:
    set_symbol_size(server, "Ben", size)


def _open_error(page: Page, server: LiveServer, path: str, status: int, sentence: str) -> None:
    response = page.goto(server.url + path)
    assert response is not None
    assert response.status == status
    expect(page.get_by_role("heading", name=sentence)).to_be_visible()
    page.wait_for_load_state()


def _assert_fits(page: Page) -> None:
    """Nothing to scroll to, nothing covered or too small, the worry button in its place."""
    sizes = page.evaluate(
        "() => { const main = document.getElementById('main');"
        " return [document.scrollingElement.scrollHeight, innerHeight,"
        " main.scrollHeight, main.clientHeight]; }"
    )
    assert sizes[0] <= sizes[1], sizes
    assert sizes[2] <= sizes[3], sizes
    assert page.evaluate(MEASURE) == []
    home = page.locator(".pupil-error-home").bounding_box()
    assert home is not None
    assert home["width"] >= 64
    assert home["height"] >= 64
    expect(page.get_by_role("link", name="Report a worry", exact=True)).to_be_in_viewport()


@pytest.mark.parametrize(
    ("path", "status", "sentence"),
    [
        ("/pupil/no-such-screen", 404, "Something went wrong."),
        ("/pupil/test-busy", 429, "Please wait, then try again."),
    ],
)
def test_a_pupils_error_page_fits_is_accessible_and_home_works_by_tap_and_keyboard(
    ipad: Page, server: LiveServer, path: str, status: int, sentence: str
) -> None:
    _open_error(ipad, server, path, status, sentence)
    _assert_fits(ipad)
    assert_accessible(ipad)
    ipad.get_by_role("link", name="Home", exact=True).tap()
    expect(ipad).to_have_url(f"{server.url}/pupil/")

    _open_error(ipad, server, path, status, sentence)
    for _ in range(12):  # Tab from the top of the page to Home, as a keyboard user does
        ipad.keyboard.press("Tab")
        if ipad.evaluate("() => document.activeElement.classList.contains('pupil-error-home')"):
            break
    else:
        pytest.fail("Home cannot be reached with Tab")
    ipad.keyboard.press("Enter")
    expect(ipad).to_have_url(f"{server.url}/pupil/")


# The words of "Report a worry" on one line: every word's bottom level (a word without a picture
# is shorter), the label inside the button and no taller than one word (a picture over a word).
ONE_LINE = """() => {
  const words = [...document.querySelectorAll('.worry-button .sym-word')];
  const label = document.querySelector('.worry-button .sym-chunks').getBoundingClientRect();
  const boxes = words.map(w => w.getBoundingClientRect());
  const tallest = Math.max(...boxes.map(b => b.height));
  const button = document.querySelector('.worry-button').getBoundingClientRect();
  return {words: boxes.length, bottoms: [...new Set(boxes.map(b => Math.round(b.bottom)))],
          label: [label.left, label.right], inside: [button.left, button.right],
          labelHeight: label.height, tallest: tallest, buttonHeight: button.height,
          buttonWidth: button.width};
}"""


def test_the_worry_buttons_words_stay_on_one_line_at_every_symbol_size(
    ipad: Page, server: LiveServer
) -> None:
    for size in SymbolSize:
        _set_size(server, size)
        for path in ("/pupil/", "/pupil/no-such-screen"):
            ipad.goto(server.url + path)
            ipad.wait_for_load_state()
            line = ipad.evaluate(ONE_LINE)
            assert line["words"] == 3, line
            assert len(line["bottoms"]) == 1, (size, path, line)
            assert line["inside"][0] <= line["label"][0] <= line["label"][1] <= line["inside"][1], (
                line
            )
            assert line["labelHeight"] < line["tallest"] * 1.5, (size, path, line)
            assert line["buttonHeight"] >= 64, line
            assert line["buttonWidth"] >= 64, line
            assert ipad.evaluate(MEASURE) == [], (size, path)
    _set_size(server, SymbolSize.LARGE)


def test_not_now_in_the_worry_flow_goes_back_to_the_lesson_screen_and_my_lessons_goes_home(
    ipad: Page, server: LiveServer
) -> None:
    ipad.locator(".lesson-tile").first.tap()
    ipad.locator(".big-next:visible").first.tap()  # Start
    expect(ipad).to_have_url(re.compile(r"/steps/1$"))
    step = ipad.url
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    expect(ipad).to_have_url(re.compile(r"/pupil/worry"))
    ipad.get_by_role("link", name="Not now", exact=True).tap()
    expect(ipad).to_have_url(step)  # back on the lesson screen, not at home
    ipad.get_by_role("link", name="My lessons", exact=True).tap()
    expect(ipad).to_have_url(f"{server.url}/pupil/")


# The ring round whatever has keyboard focus: its outline, and the box-shadow rings round it.
RING = """() => { const s = getComputedStyle(document.activeElement);
  return [document.activeElement.textContent.replace(/\\s+/g, " ").trim(), s.outlineWidth,
          s.outlineColor, s.boxShadow]; }"""


def test_report_a_worry_has_the_same_focus_ring_as_every_other_button(
    ipad: Page, server: LiveServer
) -> None:
    """Its raised edge once hid the dark ring round the yellow outline, leaving yellow on white
    (1.7:1): the one button a keyboard or switch user must find showed focus the faintest."""
    ipad.get_by_role("button", name="Finished", exact=True).focus()
    ipad.keyboard.press("Shift+Tab")  # from Finished back to Report a worry, by keyboard
    worry = ipad.evaluate(RING)
    ipad.keyboard.press("Tab")
    finished = ipad.evaluate(RING)
    assert (worry[0], finished[0]) == ("Report a worry", "Finished")
    assert worry[1:] == finished[1:], (worry, finished)
    assert "7px" in worry[3], worry  # the dark ring outside the yellow

    set_scanning(server, "Ben", Scanning.STEP, 2000, auditory=False)
    try:
        ipad.reload()
        ipad.wait_for_load_state("load")
        # A screen starts on its content; two moves reach Report a worry (docs/switch-access.md)
        for _ in range(2):
            ipad.keyboard.press("Space")
        expect(ipad.locator(".worry-button.scan-focus")).to_have_count(1)
        ring = ipad.locator(".worry-button").evaluate("el => getComputedStyle(el).boxShadow")
        assert "13px" in ring, ring  # the scanning ring's black band, as on every other item
    finally:
        set_scanning(server, "Ben", Scanning.OFF, 2000)


# Where each of the pinned row's buttons is on the screen (by its words), and what a pupil can
# reach: only what is seen.
ROW = """(row) => Object.fromEntries([...document.getElementById(row).querySelectorAll("a, button")]
  .filter(el => getComputedStyle(el).visibility !== "hidden")
  .map(el => { const r = el.getBoundingClientRect(), name = el.textContent.replace(/\\s+/g, " ");
               return [name.trim(), [r.x, r.y, r.width, r.height]]; }))"""


def _pages(page: Page, row: str) -> list[dict[str, list[float]]]:
    """Each page of a paged screen, by More, until there is no More: its row's buttons."""
    seen = [page.evaluate(ROW, row)]
    while "More" in seen[-1]:
        page.get_by_role("link", name="More", exact=True).click()
        seen.append(page.evaluate(ROW, row))
        assert page.evaluate(MEASURE) == [], seen[-1]
    return seen


def test_more_back_and_what_follows_stay_in_one_place_on_every_page(
    ipad: Page, server: LiveServer
) -> None:
    """A hand or a switch that learnt where More is finds it there on the next page: an arrow
    with nowhere to go leaves its place empty, and cannot be seen, tapped or tabbed to."""
    for size in SymbolSize:
        _set_size(server, size)
        for path, row in (("/pupil/", "home-nav"), ("/pupil/rules", "rules-nav")):
            ipad.goto(server.url + path)
            ipad.wait_for_load_state("load")
            expect(ipad.get_by_role("link", name="Back", exact=True)).to_have_count(0)
            pages = _pages(ipad, row)
            assert len(pages) >= 3, (size, path, pages)  # a first, a middle and a last page
            assert "Back" in pages[-1]
            assert "More" not in pages[-1]
            for name in ("More", "Back", "Our rules", "Home"):
                places = {tuple(p[name]) for p in pages if name in p}
                assert len(places) <= 1, (size, path, name, places)
    _set_size(server, SymbolSize.LARGE)
