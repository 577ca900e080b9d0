"""On slow school Wi-Fi (pictures and scripts ~400 ms late) a pupil's home screen with eight
lessons, Our rules, a lesson step and the worry flow first paint as they stay: the server draws
home's first page (the later lessons hidden, Back and More in their places), so nothing moves
under a pupil's finger when pupil-pages.js arrives, and a step is drawn once it is fitted.
With no script at all a pupil still reaches every lesson by the More links; with it, More and
Back turn the pages in place, with no new page to wait for."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.ipad_helpers import (
    IPAD_VIEWPORTS,
    SETTLED_SHIFTS,
    enrol_class_ipad,
    record_shifts,
    screen_fits,
    set_pupil,
)

TILES = ".lesson-tiles > li"
LATE = 0.4  # seconds: how late each picture and script arrives
# The screen's content: anything in <main> (the lessons, the rules, their row), not <main> itself
# or the frame around it (the bar, Report a worry). A shift with no box named counts too.
CONTENT_SHIFTS = record_shifts(
    """function (n) {
    var main = document.getElementById("main");
    return !n || (!!main && n !== main && main.contains(n));
  }"""
)


@pytest.fixture
def slow_wifi(live_server: LiveServer) -> Iterator[None]:
    """Every picture and script sent LATE seconds late, each on its own (page.route's handlers
    run one at a time in the test's thread, so there they would queue up: seconds, not 400 ms)."""
    app = live_server.app
    serve = app.wsgi_app

    def late(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"].startswith(("/static/", "/symbols/")):
            time.sleep(LATE)
        return serve(environ, start_response)

    app.wsgi_app = late
    yield
    app.wsgi_app = serve


def _ipad(browser: Browser, server: LiveServer, way_up: str, **options: Any) -> BrowserContext:
    """A class iPad held `way_up`, enrolled, with Ben signed in on it (home shows eight
    lessons). No service worker, so every picture and script comes over the network."""
    set_pupil(server, "Ben", home_lessons=8)
    context = browser.new_context(
        viewport=IPAD_VIEWPORTS[way_up], has_touch=True, locale="en-GB", service_workers="block"
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    enrol_class_ipad(page, server, f"First paint {way_up} {len(options)}")
    page.get_by_role("button", name="Ben", exact=True).click()
    expect(page.get_by_role("heading", name="Hello Ben")).to_be_visible()
    if not options:
        return context
    state = context.storage_state()
    context.close()
    context = browser.new_context(
        viewport=IPAD_VIEWPORTS[way_up], locale="en-GB", storage_state=state, **options
    )
    context.set_default_timeout(20_000)
    return context


@pytest.fixture(params=list(IPAD_VIEWPORTS))
def way_up(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def slow_ipad(browser: Browser, live_server: LiveServer, way_up: str) -> Iterator[Page]:
    """Ben's class iPad on slow Wi-Fi: every picture and script ~400 ms late."""
    context = _ipad(browser, live_server, way_up)
    page = context.new_page()
    page.add_init_script(CONTENT_SHIFTS)
    yield page
    context.close()


def _settled_shifts(page: Page, path: str, server: LiveServer) -> list[dict[str, Any]]:
    """Every layout shift of the screen's content from navigating to `path` until the page has
    settled: loaded, every late picture and script in, and a moment more. Less a box that only
    grew in place while the page was still being read (SETTLED_SHIFTS says why).

    Not the frame (<main> itself, the bar, the rail): that Finished's row is kept from the first
    paint on every pupil screen is test_frame_still_while_loading.py's."""
    page.goto(server.url + path, wait_until="load")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
    page.wait_for_timeout(800)
    shifts: list[dict[str, Any]] = page.evaluate(SETTLED_SHIFTS)
    return shifts


@pytest.mark.usefixtures("slow_wifi")
def test_home_and_our_rules_first_paint_as_they_stay(
    slow_ipad: Page, live_server: LiveServer
) -> None:
    shifts = _settled_shifts(slow_ipad, "/pupil/", live_server)
    assert shifts == [], shifts
    # The final screen: the first three lessons, More in reach, nothing to scroll or covered.
    hidden = slow_ipad.locator(TILES).evaluate_all("items => items.map(i => i.hidden)")
    assert hidden == [False] * 3 + [True] * 5, hidden
    expect(slow_ipad.get_by_role("link", name="More", exact=True)).to_be_visible()
    screen_fits(slow_ipad)
    shifts = _settled_shifts(slow_ipad, "/pupil/rules", live_server)
    assert shifts == [], shifts
    screen_fits(slow_ipad)


def _first_step(page: Page, server: LiveServer) -> str:
    """The address of the first step of the pupil's first lesson."""
    page.goto(server.url + "/pupil/")
    page.locator(".lesson-tile").first.click()
    page.locator(".big-next:visible").first.click()
    page.wait_for_url("**/steps/**")
    return page.url.removeprefix(server.url)


@pytest.mark.usefixtures("slow_wifi")
def test_a_lesson_step_and_the_worry_flow_first_paint_as_they_stay(
    slow_ipad: Page, live_server: LiveServer
) -> None:
    """fit-screen.js grows a step's pictures to the room the screen has: drawn clear until it
    has, so the pupil never sees them grow (they did, pushing the answers 38px down)."""
    for path in (_first_step(slow_ipad, live_server), "/pupil/worry"):
        shifts = _settled_shifts(slow_ipad, path, live_server)
        assert shifts == [], (path, shifts)
        fitted = slow_ipad.locator("[data-fit]")
        expect(fitted).to_have_attribute("data-fit-level", re.compile(r"^[0-6]$"))
        assert fitted.evaluate("el => getComputedStyle(el).opacity") == "1"
        screen_fits(slow_ipad)


def test_a_step_is_shown_without_its_fitting_script(
    browser: Browser, live_server: LiveServer, way_up: str
) -> None:
    """With scripts off, at once; with fit-screen.js lost on the way, within a second or so."""
    context = _ipad(browser, live_server, way_up)
    step = _first_step(context.new_page(), live_server)
    lost = context.new_page()
    lost.route(re.compile(r"/fit-screen\.js"), lambda route: route.abort())
    lost.goto(live_server.url + step)
    fitted = lost.locator("[data-fit]")
    lost.wait_for_function(
        "() => getComputedStyle(document.querySelector('[data-fit]')).opacity === '1'",
        timeout=3000,
    )
    expect(fitted).not_to_have_attribute("data-fit-level", re.compile(".*"))
    context.close()
    context = _ipad(browser, live_server, way_up, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + step)
    assert page.locator("[data-fit]").evaluate("el => getComputedStyle(el).opacity") == "1"
    context.close()


def test_with_no_script_a_pupil_reaches_lesson_seven_by_more(
    browser: Browser, live_server: LiveServer, way_up: str
) -> None:
    context = _ipad(browser, live_server, way_up, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/pupil/")
    tiles = page.locator(f"{TILES} .lesson-tile")
    titles = tiles.evaluate_all("tiles => tiles.map(t => t.getAttribute('data-hear'))")
    assert len(titles) == 8, titles
    seventh = tiles.nth(6)
    expect(seventh).to_be_hidden()
    page.get_by_role("link", name="More", exact=True).click()
    page.wait_for_url("**/pupil/?page=2")
    expect(seventh).to_be_visible()
    expect(page.get_by_role("link", name="More", exact=True)).to_have_count(0)  # the last page
    page.get_by_role("link", name="Back", exact=True).click()
    page.wait_for_url("**/pupil/")
    expect(tiles.nth(0)).to_be_visible()
    page.get_by_role("link", name="More", exact=True).click()
    href = seventh.get_attribute("href")
    seventh.click()
    page.wait_for_url("**" + str(href))
    expect(page.locator("main")).to_contain_text(titles[6])
    context.close()


def test_with_the_script_more_and_back_turn_pages_in_place(
    browser: Browser, live_server: LiveServer, way_up: str
) -> None:
    context = _ipad(browser, live_server, way_up)
    page = context.new_page()
    page.goto(live_server.url + "/pupil/")
    page.evaluate("() => { window.samePage = true; }")  # gone if a new page is loaded
    more = page.get_by_role("link", name="More", exact=True)
    back = page.get_by_role("link", name="Back", exact=True)
    expect(back).to_have_count(0)  # on the first page Back keeps its place, unseen
    screen_fits(page)
    assert_accessible(page)
    more.focus()
    page.keyboard.press("Enter")
    expect(page.locator(TILES).nth(3)).to_be_visible()
    expect(page.locator(TILES).nth(0)).to_be_hidden()
    assert page.evaluate("() => window.samePage === true")
    assert page.url == live_server.url + "/pupil/"
    # The last page: More has gone from reach, so focus is on this page's first lesson.
    expect(more).to_have_count(0)
    expect(page.locator(f"{TILES} .lesson-tile").nth(3)).to_be_focused()
    screen_fits(page)
    assert_accessible(page)
    back.click()
    expect(page.locator(TILES).nth(0)).to_be_visible()
    expect(page.locator(f"{TILES} .lesson-tile").nth(0)).to_be_focused()
    assert page.evaluate("() => window.samePage === true")
    expect(more).to_have_attribute("href", "/pupil/?page=2")
    context.close()
