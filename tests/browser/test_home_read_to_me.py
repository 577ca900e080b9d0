"""Pupil home on a class iPad, at 1024x768 and 810x1080, with more lessons than fit one screen
(pupil-pages.js shows them a screenful at a time): "Read to me" says the greeting, "My lessons",
the lessons on screen now and the row under them (the arrows there, Our rules), then the
buttons beside the screen, never a lesson on another page. It follows More and Back by touch,
keyboard and switch, and lights the words on screen as they are said: the text it asks the
server to say is the one the server symbolised, so each lit word is the word being said."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, Route, expect

from classroom.ipad import views
from classroom.pupils.models import Scanning
from classroom.symbols.spoken import spoken
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.ipad_helpers import (
    IPAD_VIEWPORTS,
    enrolled_ipad_at,
    screen_fits,
    set_pupil,
    set_scanning,
    silent_wav,
)

LESSONS = "My lessons. "
NEXT = "This one next"
RULES = "Our rules"
TILES = ".lesson-tiles > li"


class Speaker:
    """The server's speech. Like the real one, its word offsets count characters in the text
    it was sent: two timed words, the first lesson said (straight after "My lessons.") and
    then, later, "Our" of Our rules."""

    def __init__(self, page: Page) -> None:
        page.route("**/speech/clip", self._clip)
        page.route("**/test-silence.wav", self._audio)

    def _clip(self, route: Route) -> None:
        text = json.loads(route.request.post_data or "{}")["text"]
        at = text.index(LESSONS) + len(LESSONS)
        rules = text.index(RULES + ".")
        words = [
            {"word": text[at:].split(" ")[0], "start_ms": 0, "end_ms": 3000, "offset": at},
            {"word": "Our", "start_ms": 3000, "end_ms": 4000, "offset": rules},
        ]
        body = {"key": "k", "audio_url": "/test-silence.wav", "words": words}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    def _audio(self, route: Route) -> None:
        route.fulfill(status=200, content_type="audio/wav", body=silent_wav(6))


@pytest.fixture(params=list(IPAD_VIEWPORTS))
def ipad(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A class iPad at one viewport, on its class tiles."""
    way_up = request.param
    context, page = enrolled_ipad_at(browser, live_server, way_up, f"Home iPad {way_up}")
    yield page
    context.close()


def _ben_at_home(page: Page, server: LiveServer, scanning: Scanning) -> list[str]:
    """Ben, whose home shows every lesson on his map (home_lessons=0), signed in at home:
    the title of each lesson tile, in order."""
    set_pupil(server, "Ben", home_lessons=0)
    set_scanning(server, "Ben", scanning, 2000, auditory=False)
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name="Ben", exact=True).focus()  # no pupil yet: no scanning
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello Ben")).to_be_visible()
    Speaker(page)
    page.reload()
    page.wait_for_load_state("load")
    hears = page.locator(f"{TILES} .lesson-tile").evaluate_all(
        "tiles => tiles.map(t => t.getAttribute('data-hear'))"
    )
    titles = [hears[0].removeprefix(NEXT + ". "), *hears[1:]]
    assert len(titles) > 3, titles  # more than the first screen's three
    return titles


def _heard(page: Page, press: Callable[[], None]) -> str:
    """What Read to me asks the server to say when `press` presses it."""
    page.evaluate("() => window.classroomSpeech.stop()")  # a press now reads, not stops
    with page.expect_request("**/speech/clip") as asked:
        press()
    return str(json.loads(asked.value.post_data or "{}")["text"])


def _shown(page: Page) -> list[int]:
    hidden = page.locator(TILES).evaluate_all("items => items.map(i => i.hidden)")
    return [n for n, gone in enumerate(hidden) if not gone]


def _says_only(
    server: LiveServer, said: str, titles: list[str], shown: list[int], arrows: list[str]
) -> None:
    """The greeting and "My lessons", the lessons on screen (the next one first, as "This one
    next"), the arrows that show, Our rules, then the buttons beside the screen: joined as the
    server joins a screen's words (so its offsets are the ones said), and no other lesson."""
    lessons = ([NEXT] if 0 in shown else []) + [titles[n] for n in shown]
    pieces = ["Hello Ben", "My lessons", *lessons, *arrows, RULES, "Report a worry", "Finished"]
    with server.app.app_context():
        expected = spoken(pieces).text
    assert said == (expected if expected.endswith((".", "!", "?")) else expected + "."), said
    for n, title in enumerate(titles):
        if n not in shown and not any(title in titles[m] for m in shown):
            assert title not in said, (n, title, said)


def _lit(page: Page, first: int) -> None:
    """The first lesson on screen has its first word lit as it is said, then "Our" of Our
    rules: one word at a time, and never a word on another screen."""
    tile = page.locator(TILES).nth(first)
    word = tile.locator(".next-label .sym-word" if first == 0 else ".lesson-tile .sym-word")
    expect(word.first).to_have_class(re.compile(r"\bspeaking\b"))
    expect(page.locator(".speaking")).to_have_count(1)
    rules = page.locator(".rules-tile .sym-word").first
    expect(rules).to_have_class(re.compile(r"\bspeaking\b"))
    expect(page.locator(".speaking")).to_have_count(1)
    expect(page.locator(f"{TILES}[hidden] .speaking")).to_have_count(0)


def test_read_to_me_says_the_lessons_on_screen_by_touch_and_keyboard(
    ipad: Page, live_server: LiveServer
) -> None:
    titles = _ben_at_home(ipad, live_server, Scanning.OFF)
    read = ipad.get_by_role("button", name="Read to me")
    more = ipad.get_by_role("link", name="More", exact=True)
    back = ipad.get_by_role("link", name="Back", exact=True)
    screen_fits(ipad)
    assert_accessible(ipad)
    first = _shown(ipad)
    assert first == [0, 1, 2], first
    _says_only(live_server, _heard(ipad, read.click), titles, first, ["More"])
    _lit(ipad, 0)
    # More, by keyboard: the next screenful, and only it, is said.
    more.focus()
    ipad.keyboard.press("Enter")
    expect(ipad.locator(TILES).nth(3)).to_be_visible()
    second = _shown(ipad)
    assert second[0] == 3, second
    screen_fits(ipad)
    arrows = ["Back", "More"] if second[-1] < len(titles) - 1 else ["Back"]
    read.focus()
    said = _heard(ipad, lambda: ipad.keyboard.press("Space"))
    _says_only(live_server, said, titles, second, arrows)
    _lit(ipad, 3)
    # Back, by touch: the first screen's lessons again (heard already on this page, so its
    # clip is not asked for again), lit as they are said.
    back.click()
    expect(ipad.locator(TILES).nth(0)).to_be_visible()
    assert _shown(ipad) == first
    ipad.evaluate("() => window.classroomSpeech.stop()")
    read.click()
    _lit(ipad, 0)


def _reach(page: Page, target: Locator) -> None:
    """Two switches (Space moves the ring, Enter chooses): ring the target alone."""
    expect(target).to_be_visible()
    for _ in range(40):
        ringed, count = target.evaluate(
            """el => [el.classList.contains("scan-focus"),
                      document.querySelectorAll(".scan-focus").length]"""
        )
        if ringed and count == 1:
            return
        page.keyboard.press("Enter" if ringed else "Space")
    raise AssertionError(f"scanning never reached {target}")


def test_read_to_me_says_the_lessons_on_screen_by_switch(
    ipad: Page, live_server: LiveServer
) -> None:
    titles = _ben_at_home(ipad, live_server, Scanning.STEP)
    expect(ipad.locator(".scan-focus").first).to_be_visible()
    more = ipad.get_by_role("link", name="More", exact=True)
    read = ipad.get_by_role("button", name="Read to me")
    _reach(ipad, more)
    ipad.keyboard.press("Enter")
    expect(ipad.locator(TILES).nth(3)).to_be_visible()
    screen_fits(ipad)
    second = _shown(ipad)
    arrows = ["Back", "More"] if second[-1] < len(titles) - 1 else ["Back"]
    _reach(ipad, read)
    said = _heard(ipad, lambda: ipad.keyboard.press("Enter"))
    _says_only(live_server, said, titles, second, arrows)
    _lit(ipad, 3)


def test_lessons_whose_titles_end_with_a_colon_are_said_as_the_server_joined_them(
    ipad: Page, live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A teacher's lesson title may end with ":" ("Colours:"): the server follows it with a
    space, not ". ", and so must Read to me, or every word after it is said one character
    later than the server counted, and the word lit drifts from the word said."""
    tile = views.Tile
    monkeypatch.setattr(views, "Tile", lambda *a: tile(a[0], a[1].rstrip(".") + ":", a[2]))
    titles = _ben_at_home(ipad, live_server, Scanning.OFF)
    assert all(title.endswith(":") for title in titles), titles
    said = _heard(ipad, ipad.get_by_role("button", name="Read to me").click)
    assert ":. " not in said, said
    _says_only(live_server, said, titles, [0, 1, 2], ["More"])
    _lit(ipad, 0)
