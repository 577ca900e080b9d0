"""A lesson's first screen, and cause-and-effect taps, with no network on a class iPad.

Start (or Start again, Go on) tapped with the Wi-Fi gone, or with the Wi-Fi up but the school's
server out of reach, landed on the browser's own error page: words only, no symbols, no speech,
no way back for a pupil who cannot read. Now the first screen is held as any lesson tap is: "No
internet. Ask an adult." in symbols with Read to me, and the lesson starts (once) when the
server answers.

A cause-and-effect tap made with no network was dropped, and with it the only record a teacher
has of a pre-formal pupil's engagement. Now each tap is kept and sent, in order and once, when
the server answers. The pupil's screen does not change: the sound and the movement are the
response, and they stay instant; nothing says "No internet" for a tap that stays on the screen.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy import func, select

from classroom.db import get_session
from classroom.lessons import content
from classroom.lessons.models import LessonAttempt, StepResponse
from classroom.pupils.models import Pupil, Scanning
from tests.browser.conftest import assert_accessible
from tests.browser.ipad_helpers import MEASURE_SCREEN, enrolled_ipad_at, screen_fits
from tests.browser.test_server_unreachable_walk import _installed_ipad, _pupil, _server_down
from tests.browser.test_switch_journeys import Switch, _ready, _set_scanning
from tests.live import LiveServer

LESSON, TITLE = "feelings-online", "Feelings online"
SHOTS = "/tmp/walk-H"
FITS = "() => document.scrollingElement.scrollHeight <= window.innerHeight + 1"
PICTURES_SHOWN = """() => [...document.querySelectorAll("#lesson-offline img")]
  .every(img => img.complete && img.naturalWidth > 0)"""


def _attempts(server: LiveServer, first_name: str) -> int:
    with server.app.app_context():
        return (
            get_session().scalar(
                select(func.count())
                .select_from(LessonAttempt)
                .join(Pupil, Pupil.id == LessonAttempt.pupil_id)
                .where(Pupil.first_name == first_name, LessonAttempt.lesson_id == LESSON)
            )
            or 0
        )


def _taps(server: LiveServer, attempt_id: int) -> list[tuple[str, int]]:
    """The taps recorded for a go, in the order the server recorded them."""
    with server.app.app_context():
        rows = get_session().scalars(
            select(StepResponse)
            .where(StepResponse.attempt_id == attempt_id)
            .order_by(StepResponse.id)
        )
        return [(r.answer or "", r.tries) for r in rows]


def _to_intro(page: Page, server: LiveServer, pupil: str) -> Locator:
    """From the class tiles to the lesson's first screen; its Start (or Start again)."""
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name=pupil, exact=True).tap()
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    tile = page.get_by_role("link", name=re.compile(f"{TITLE}$"))
    for _ in range(5):
        if tile.is_visible():
            break
        page.get_by_role("link", name="More", exact=True).tap()
    tile.tap()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    page.wait_for_load_state("load")
    again = page.get_by_role("button", name="Start again")
    return again if again.count() else page.get_by_role("button", name="Start", exact=True)


def _held(page: Page, shot: str, spoken: bool = True) -> None:
    """The first screen says so in symbols and speech, with a way to tell and to finish."""
    assert not page.url.startswith("chrome-error"), page.url
    expect(page).to_have_url(re.compile(r"/pupil/lessons/[\w-]+$"))
    note = page.locator("#lesson-offline")
    expect(note).to_be_visible()
    expect(note).to_contain_text("No internet.")
    expect(note).to_contain_text("Ask an adult.")
    expect(note.get_by_role("button", name="Read to me")).to_be_visible()
    expect(page.locator(".lesson-intro")).to_be_hidden()  # no Start to tap twice
    expect(page.get_by_role("link", name="Report a worry")).to_be_visible()
    expect(page.get_by_role("button", name="Finished")).to_be_visible()
    if spoken:
        screen_fits(page)
    else:  # the ring spoke with no network and this browser has no voice: "No sound" shows
        expect(page.locator("#speech-sign")).to_be_visible()
        assert page.evaluate(FITS)
        assert page.evaluate(MEASURE_SCREEN) == []
    # Every picture, the crossed-out speaker on Read to me too (speech.js fetched it on line).
    assert page.evaluate(PICTURES_SHOWN), "a picture is missing"
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}/start-held-{shot}.png")


@pytest.mark.parametrize(("way_up", "pupil"), [("landscape", "Ben"), ("portrait", "Ella")])
def test_start_with_no_wifi_is_held_and_starts_once_when_it_is_back(
    browser: Browser, live_server: LiveServer, way_up: str, pupil: str
) -> None:
    context, page = enrolled_ipad_at(browser, live_server, way_up, f"Oak start {way_up}")
    start = _to_intro(page, live_server, pupil)
    before = _attempts(live_server, pupil)
    context.set_offline(True)
    start.tap()
    _held(page, f"offline-{way_up}")
    page.wait_for_timeout(3500)  # a try while the Wi-Fi is still gone changes nothing
    assert _attempts(live_server, pupil) == before
    context.set_offline(False)
    expect(page).to_have_url(re.compile(r"/steps/1$"))
    expect(page.locator("section.step")).to_be_visible()
    page.wait_for_timeout(500)
    assert _attempts(live_server, pupil) == before + 1  # started once, not twice
    context.close()


def test_start_with_the_server_away_is_held_and_starts_once_when_it_is_back(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = _installed_ipad(new_ipad, live_server, "landscape", "Oak start no server")
    _pupil(page, live_server, "Chloe")
    start = _to_intro(page, live_server, "Chloe")
    before = _attempts(live_server, "Chloe")
    with _server_down(page):
        start.tap()
        _held(page, "unreachable")
        assert page.evaluate("navigator.onLine") is True
        page.wait_for_timeout(3500)  # a try while the server is still away changes nothing
        _held(page, "unreachable-still")
        assert _attempts(live_server, "Chloe") == before
    expect(page).to_have_url(re.compile(r"/steps/1$"), timeout=15_000)
    expect(page.locator("section.step")).to_be_visible()
    page.wait_for_timeout(500)
    assert _attempts(live_server, "Chloe") == before + 1  # started once, not twice


def test_start_by_one_switch_with_no_wifi(browser: Browser, live_server: LiveServer) -> None:
    _set_scanning(live_server, "Amira", Scanning.AUTO, 1500)
    context, page = enrolled_ipad_at(browser, live_server, "landscape", "Oak start switch")
    switch = Switch(page, Scanning.AUTO)
    switch.listen()
    page.goto(live_server.url + "/class-ipad")
    page.get_by_role("button", name="Amira", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello Amira")).to_be_visible()
    _ready(page)
    tile = page.get_by_role("link", name=re.compile(f"{TITLE}$"))
    switch.choose(tile)
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    _ready(page)
    start = page.get_by_role("button", name="Start", exact=True)
    switch.reach(start)
    before = _attempts(live_server, "Amira")
    context.set_offline(True)
    switch.press("Enter")
    _held(page, "switch", spoken=False)
    # The ring goes round what is on the screen now, never the hidden Start.
    expect(page.locator(".scan-focus:visible").first).to_be_visible()
    assert page.locator(".lesson-intro .scan-focus").count() == 0
    context.set_offline(False)
    expect(page).to_have_url(re.compile(r"/steps/1$"))
    assert _attempts(live_server, "Amira") == before + 1
    context.close()


def _to_cause_and_effect(page: Page, server: LiveServer, pupil: str) -> int:
    version = server.app.extensions["lessons"].get(LESSON).version(content.Pathway("pre_formal"))
    assert isinstance(version.steps[0], content.CauseEffectStep)
    start = _to_intro(page, server, pupil)
    with page.expect_navigation():
        start.tap()
    expect(page).to_have_url(re.compile(r"/steps/1$"))
    page.wait_for_load_state("load")
    found = re.search(r"/attempts/(\d+)/", page.url)
    assert found is not None
    return int(found.group(1))


def _tap_three_times(page: Page) -> None:
    target = page.get_by_role("button", name="Tap!")
    for n in (1, 2, 3):
        target.tap()
        expect(page.locator(f"body[data-taps='{n}']")).to_have_count(1)  # at once
        expect(target).to_be_visible()  # the screen stays as it is
        expect(page.locator("#lesson-offline")).to_be_hidden()


def _wait_for_taps(page: Page, server: LiveServer, attempt: int, count: int) -> None:
    for _ in range(100):
        if len(_taps(server, attempt)) >= count:
            return
        page.wait_for_timeout(200)


@pytest.mark.parametrize("way_up", ["landscape", "portrait"])
def test_cause_and_effect_taps_with_no_wifi_are_kept_and_sent_in_order(
    browser: Browser, live_server: LiveServer, way_up: str
) -> None:
    context, page = enrolled_ipad_at(browser, live_server, way_up, f"Oak taps {way_up}")
    attempt = _to_cause_and_effect(page, live_server, "Ben")
    context.set_offline(True)
    _tap_three_times(page)
    page.wait_for_timeout(500)
    assert _taps(live_server, attempt) == []
    page.screenshot(path=f"{SHOTS}/taps-offline-{way_up}.png")
    context.set_offline(False)
    _wait_for_taps(page, live_server, attempt, 3)
    page.wait_for_timeout(500)
    assert _taps(live_server, attempt) == [("tap", 1), ("tap", 2), ("tap", 3)]  # once each
    context.close()


def test_taps_with_the_server_away_are_sent_before_next_goes(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = _installed_ipad(new_ipad, live_server, "portrait", "Oak taps no server")
    _pupil(page, live_server, "Ella")
    attempt = _to_cause_and_effect(page, live_server, "Ella")
    with _server_down(page):
        _tap_three_times(page)
        page.wait_for_timeout(500)
        assert _taps(live_server, attempt) == []
        page.get_by_role("link", name="Next").tap()  # leaves the screen: held till it answers
        expect(page.locator("#lesson-offline")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/steps/2$"), timeout=15_000)
    assert _taps(live_server, attempt) == [("tap", 1), ("tap", 2), ("tap", 3)]
