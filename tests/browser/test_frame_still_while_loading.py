"""On slow school Wi-Fi a pupil screen's page arrives a piece at a time, and Chromium paints
what it has. The frame every pupil screen shares (the name bar, Finished, the screen's area and
Report a worry) must stand where it stays from the first paint: Finished comes last in the page
(last in Tab, VoiceOver and switch scanning order), and when its row opened only once it arrived,
the worry rail's top moved 106 px down in landscape and the whole screen 34 px down in portrait,
under a pupil's finger reaching for Report a worry or an answer."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from classroom.pupils.models import Scanning
from tests.browser.conftest import LiveServer
from tests.browser.ipad_helpers import (
    IPAD_VIEWPORTS,
    SETTLED_SHIFTS,
    enrol_class_ipad,
    record_shifts,
    screen_fits,
    set_pupil,
    set_scanning,
)

SHOTS = os.environ.get("CLASSROOM_SCREENSHOTS")  # a folder: save a PNG of each screen loaded
PAUSE = 0.5  # seconds the network stalls before each next piece of a pupil page
# Where a pupil page is cut: a piece ends just before each of these, so Chromium paints the page
# as it is up to there (the bar, then the screen, then Report a worry, then Finished).
CUTS = (b'<main id="main"', b'<aside class="worry-rail"', b'<form method="post"', b"</body>")
# The frame: <main> itself, the name bar or the worry rail (or anything in those two).
FRAME_SHIFTS = record_shifts(
    """function (n) {
    return !!n && n.nodeType === 1 && (n.id === "main" || !!n.closest(".worry-rail, .pupil-bar"));
  }"""
)


@pytest.fixture
def slow_pages(live_server: LiveServer) -> Iterator[None]:
    """Each pupil page sent in pieces (CUTS), PAUSE apart, as a slow network delivers it; the
    rest (styles, scripts, pictures) at once. At the server, under live.py's whole bodies."""
    server = live_server.server
    serve = server.app

    def in_pieces(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = b"".join(serve(environ, start_response))
        if not environ["PATH_INFO"].startswith("/pupil") or b"<!doctype" not in body[:100]:
            return [body]
        return _pieces(body)

    server.app = in_pieces
    yield
    server.app = serve


def _pieces(body: bytes) -> Iterator[bytes]:
    start = 0
    for cut in CUTS:
        at = body.find(cut, start)
        if at < 0:
            continue
        yield body[start:at]
        time.sleep(PAUSE)
        start = at
    yield body[start:]


SETTINGS = {
    "plain": {},
    "scanning-high-contrast": {"high_contrast": True, "scanning": Scanning.STEP},
}


@pytest.fixture(params=[(w, s) for w in IPAD_VIEWPORTS for s in SETTINGS], ids="-".join)
def ben(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """Ben signed in on a class iPad held one way up, with one set of settings."""
    way_up, settings = request.param
    set_pupil(live_server, "Ben", high_contrast=False)
    set_scanning(live_server, "Ben", Scanning.OFF, 1500)
    context: BrowserContext = browser.new_context(
        viewport=IPAD_VIEWPORTS[way_up], has_touch=True, locale="en-GB", service_workers="block"
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    enrol_class_ipad(page, live_server, f"Frame {way_up} {settings}")
    page.get_by_role("button", name="Ben", exact=True).click()
    expect(page.get_by_role("heading", name="Hello Ben")).to_be_visible()
    if SETTINGS[settings]:
        set_pupil(live_server, "Ben", **SETTINGS[settings])
    page.add_init_script(FRAME_SHIFTS)
    yield page
    context.close()


def _frame_shifts(page: Page, url: str) -> list[dict[str, Any]]:
    """The frame's layout shifts from navigating to `url` until the page has settled."""
    page.goto(url, wait_until="load")
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
    page.wait_for_timeout(600)
    shifts: list[dict[str, Any]] = page.evaluate(SETTLED_SHIFTS)
    return shifts


def _a_lesson_step(page: Page, server: LiveServer) -> str:
    """The address of the first step of Ben's first lesson."""
    page.goto(server.url + "/pupil/")
    page.locator(".lesson-tile").first.click()
    page.locator(".big-next:visible").first.click()
    page.wait_for_url("**/steps/**")
    return page.url


@pytest.mark.usefixtures("slow_pages")
def test_the_frame_stands_still_while_a_slow_page_arrives(
    ben: Page, live_server: LiveServer, request: pytest.FixtureRequest
) -> None:
    step = _a_lesson_step(ben, live_server)
    screens = {
        "home": live_server.url + "/pupil/",
        "lesson-step": step,
        "worry-flow": live_server.url + "/pupil/worry?back=/pupil/",
    }
    moved = {}
    for name, url in screens.items():
        shifts = _frame_shifts(ben, url)
        # It really came in pieces, Finished last, well after the page began.
        took = ben.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n.responseEnd - n.responseStart; }"
        )
        assert took > PAUSE * 1000 * (len(CUTS) - 1), (name, took)
        if shifts:
            moved[name] = shifts
        # Once loaded, the screen is as it always was: nothing to scroll, nothing covered.
        expect(ben.locator("#finished-form .finished")).to_be_in_viewport()
        screen_fits(ben)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            ben.screenshot(path=f"{SHOTS}/frame-{request.node.callspec.id}-{name}.png")
    assert moved == {}, moved


# scan.js, on a slow network, arriving this long after the rest of the page.
LATE_SCAN = 1.5
# Every layout shift of the screen's content (anything inside <main>), with when it came.
CONTENT_SHIFTS = """
window.contentShifts = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (entry) {
    var main = document.getElementById("main");
    var moved = entry.sources.filter(function (s) {
      return s.node && s.node !== main && main && main.contains(s.node);
    });
    if (moved.length) {
      window.contentShifts.push({ at: entry.startTime, moved: moved.map(function (s) {
        var n = s.node.nodeType === 1 ? s.node : s.node.parentElement;
        return (n.id || n.className || n.nodeName) + " " + JSON.stringify(s.previousRect)
          + " -> " + JSON.stringify(s.currentRect);
      }) });
    }
  });
}).observe({ type: "layout-shift", buffered: true });
"""
# When scan.js came (its response's end), and the content's layout shifts from then on.
AFTER_SCAN_JS = """() => {
  const script = performance.getEntriesByType("resource")
    .find(e => new URL(e.name).pathname.endsWith("/js/scan.js"));
  const page = performance.getEntriesByType("navigation")[0];
  return { late: script.responseEnd - page.responseEnd,
    shifts: window.contentShifts.filter(s => s.at >= script.responseEnd) };
}"""


@pytest.fixture
def late_scan_js(live_server: LiveServer) -> Iterator[None]:
    """scan.js sent LATE_SCAN seconds late, each time it is asked for; the rest at once."""
    app = live_server.app
    serve = app.wsgi_app

    def late(environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"].endswith("/js/scan.js"):
            time.sleep(LATE_SCAN)
        return serve(environ, start_response)

    app.wsgi_app = late
    yield
    app.wsgi_app = serve


@pytest.mark.usefixtures("late_scan_js")
def test_the_content_stands_still_when_scan_js_comes_late(
    ben: Page, live_server: LiveServer
) -> None:
    """Switch scanning's room round the ring (14px) is kept from the first paint, from the
    page's own data-scanning: when it came only once scan.js marked the page, the screen's
    content (the question, the answer cards, the lessons) moved 6 px down under a pupil's finger
    the moment a slow scan.js arrived. With scanning off nothing waits for scan.js either."""
    step = _a_lesson_step(ben, live_server)
    ben.add_init_script(CONTENT_SHIFTS)
    # Every visit asks the network for scan.js, as a first visit on a slow network does.
    cdp = ben.context.new_cdp_session(ben)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    screens = {
        "home": live_server.url + "/pupil/",
        "lesson-step": step,
        "worry-flow": live_server.url + "/pupil/worry?back=/pupil/",
    }
    moved = {}
    for name, url in screens.items():
        ben.goto(url, wait_until="load")
        ben.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
        ben.wait_for_timeout(600)
        after = ben.evaluate(AFTER_SCAN_JS)
        assert after["late"] > LATE_SCAN * 1000 * 0.8, (name, after)  # it really came late
        if after["shifts"]:
            moved[name] = after["shifts"]
        screen_fits(ben)
    assert moved == {}, moved
