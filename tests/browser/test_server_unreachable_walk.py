"""The class iPad's Wi-Fi is up but the school's server is down, rebooting or out of reach.

The iPad says it is on line, so Report a worry and a lesson tap used to go, and land on the
browser's own error page: words only, no symbols, no speech, no way back, and the worry never
told. Now the class iPad's service worker (static/js/service-worker.js) finds no server and
leaves the browser on the pupil's screen, which says so as it does with no Wi-Fi: Report a
worry offers "I have a worry" (kept on the iPad, sent once when the server is back), a lesson
tap shows "No internet. Ask an adult." and is made once the server answers (recorded once), and
any other tap (My lessons) says the same and goes once the server answers.

The server is made unreachable for the iPad alone (every request it makes is refused: the
worker's own fetches too), with the Wi-Fi up (navigator.onLine stays true).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from classroom.pupils.models import Scanning
from tests.browser.conftest import assert_accessible
from tests.browser.ipad_helpers import IPAD_VIEWPORTS, class_ipad, screen_fits
from tests.browser.test_lesson_flaky_network import _answers, _cards, _to_screen_two, _value
from tests.browser.test_switch_journeys import Switch, _ready, _set_scanning
from tests.browser.test_worry_offline_anywhere import KEPT, _count, _latest, _wait_for
from tests.live import LiveServer

SHOTS = "/tmp/walk-A"
PICTURES_SHOWN = """() => [...document.querySelectorAll("#lesson-offline img")]
  .every(img => img.complete && img.naturalWidth > 0)"""
RINGED_ALONE = """el => el.classList.contains("scan-focus") &&
  document.querySelectorAll(".scan-focus").length === 1"""
NO_PRELOAD = """async () => {
  const registration = await navigator.serviceWorker.ready;
  await registration.navigationPreload.disable();
  return (await registration.navigationPreload.getState()).enabled;
}"""


def _refuse(route: Route) -> None:
    route.abort("connectionrefused")


@contextmanager
def _server_down(page: Page) -> Iterator[None]:
    """The server out of reach for this iPad, the Wi-Fi up, until the block ends."""
    page.context.route("**/*", _refuse)
    try:
        yield
    finally:
        page.context.unroute("**/*", _refuse)


def _installed_ipad(
    new_ipad: Callable[..., BrowserContext], server: LiveServer, way_up: str, name: str
) -> Page:
    """A class iPad held `way_up`, its service worker installed and in control.

    The worker asks for a page as the tap is made (navigation preload), a request Playwright's
    routes never see: preload is turned off here, so that the page is asked for by the worker's
    own fetch, which the route refuses. Either way a failure reaches the same catch."""
    page = class_ipad(lambda: new_ipad(service_workers="allow"), server, name)
    page.set_viewport_size(IPAD_VIEWPORTS[way_up])
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.evaluate(NO_PRELOAD)
    return page


def _pupil(page: Page, server: LiveServer, pupil: str) -> None:
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name=pupil, exact=True).tap()
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    page.wait_for_load_state("load")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def _on_line(page: Page) -> None:
    assert page.evaluate("navigator.onLine") is True  # the Wi-Fi is up: only the server is gone
    assert not page.url.startswith("chrome-error"), page.url


def _worry_panel(page: Page, shot: str) -> None:
    _on_line(page)
    panel = page.get_by_role("dialog", name="No internet.")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Tell a trusted adult.")
    expect(panel.locator(".sym-word img:not(.sym-missing)").first).to_be_visible()
    expect(panel.get_by_role("button", name="Read to me")).to_be_visible()
    expect(panel.get_by_role("button", name="I have a worry")).to_be_visible()
    screen_fits(page)
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}/unreachable-{shot}.png")


def _no_internet(page: Page, shot: str) -> None:
    _on_line(page)
    note = page.locator("#lesson-offline")
    expect(note).to_be_visible()
    expect(note).to_contain_text("No internet.")
    expect(note).to_contain_text("Ask an adult.")
    expect(note.get_by_role("button", name="Read to me")).to_be_visible()
    expect(page.get_by_role("link", name="Report a worry")).to_be_visible()
    expect(page.get_by_role("button", name="Finished")).to_be_visible()
    screen_fits(page)
    assert page.evaluate(PICTURES_SHOWN), "a picture of 'No internet' is missing"
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}/unreachable-{shot}.png")


@pytest.mark.parametrize("way_up", ["landscape", "portrait"])
def test_a_worry_tapped_with_the_server_away_is_kept_and_sent_once(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer, way_up: str
) -> None:
    page = _installed_ipad(new_ipad, live_server, way_up, f"Oak no server {way_up}")
    _pupil(page, live_server, "Chloe")
    before = _count(live_server)
    with _server_down(page):
        page.get_by_role("link", name="Report a worry", exact=True).tap()
        _worry_panel(page, f"worry-ask-{way_up}")
        expect(page).to_have_url(re.compile(r"/pupil/$"))
        page.get_by_role("button", name="I have a worry").tap()
        thanks = page.get_by_role("dialog", name="No internet.")
        expect(thanks.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
        expect(page.get_by_text(KEPT)).to_be_visible()
        page.screenshot(path=f"{SHOTS}/unreachable-worry-thanks-{way_up}.png")
        page.wait_for_timeout(500)
        assert _count(live_server) == before
    # The server is back: the outbox's next try sends it, once.
    expect(page.get_by_text(KEPT)).to_be_hidden(timeout=25_000)
    assert _count(live_server) == before + 1
    incident, names, notes = _latest(live_server)
    assert names == ["Chloe"]
    assert any("Report a worry on Home while the iPad had no internet" in n for n in notes)
    page.get_by_role("button", name="Back", exact=True).tap()
    expect(page.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    page.reload()
    page.wait_for_timeout(500)
    assert _count(live_server) == before + 1


def test_with_the_server_back_before_telling_the_worry_flow_opens(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = _installed_ipad(new_ipad, live_server, "landscape", "Oak server back")
    _pupil(page, live_server, "Ben")
    with _server_down(page):
        page.get_by_role("link", name="Report a worry", exact=True).tap()
        expect(page.get_by_role("dialog", name="No internet.")).to_be_visible()
        _on_line(page)
    expect(page).to_have_url(re.compile(r"/pupil/worry"), timeout=15_000)
    expect(page.get_by_text("What happened?")).to_be_visible()


@pytest.mark.parametrize("way_up", ["landscape", "portrait"])
def test_a_lesson_answer_with_the_server_away_is_recorded_once_when_it_is_back(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer, way_up: str
) -> None:
    page = _installed_ipad(new_ipad, live_server, way_up, f"Oak lesson no server {way_up}")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    attempt = _to_screen_two(page, live_server)
    right, wrong = _cards(live_server)
    _value(page, wrong), _value(page, right)
    with _server_down(page):
        page.locator("form.answers").get_by_role("button", name=wrong, exact=True).tap()
        _no_internet(page, f"lesson-{way_up}")
        expect(page).to_have_url(re.compile("/steps/2$"))
        page.wait_for_timeout(3500)  # a try while the server is still away changes nothing
        _no_internet(page, f"lesson-still-{way_up}")
        assert _answers(live_server, attempt) == []
    expect(page.locator("section.step")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("look again", exact=False)).to_be_visible()
    assert [(a, c) for _, a, c in _answers(live_server, attempt)] == [(_value(page, wrong), False)]

    # Next (a link) with the server away: the same, and it goes on once it is back.
    page.locator("form.answers").get_by_role("button", name=right, exact=True).tap()
    expect(page.get_by_role("link", name="Next")).to_be_visible()
    with _server_down(page):
        page.get_by_role("link", name="Next").tap()
        _no_internet(page, f"lesson-next-{way_up}")
    expect(page).to_have_url(re.compile("/steps/3$"), timeout=15_000)
    answers = [(a, c) for _, a, c in _answers(live_server, attempt)]
    assert answers == [(_value(page, wrong), False), (_value(page, right), True)]


def test_my_lessons_with_the_server_away_says_so_and_goes_once_it_is_back(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = _installed_ipad(new_ipad, live_server, "portrait", "Oak home no server")
    _pupil(page, live_server, "Chloe")
    link = page.locator("#main a[href]:not([href^='#'])").first
    target = link.get_attribute("href") or ""
    with _server_down(page):
        link.tap()
        _no_internet(page, "home-link")
        expect(page).to_have_url(re.compile(r"/pupil/$"))
    expect(page).to_have_url(re.compile(re.escape(target) + "$"), timeout=15_000)


def test_a_worry_by_two_switches_with_the_server_away(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Amira", Scanning.STEP, 2000)
    page = _installed_ipad(new_ipad, live_server, "landscape", "Oak switch no server")
    switch = Switch(page, Scanning.STEP)
    switch.listen()
    page.goto(live_server.url + "/class-ipad")
    page.get_by_role("button", name="Amira", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello Amira")).to_be_visible()
    page.wait_for_load_state("load")
    _ready(page)
    before = _count(live_server)
    switch.reach(page.get_by_role("link", name="Report a worry", exact=True))  # heard
    with _server_down(page):
        switch.press("Enter")
        _worry_panel(page, "worry-switch")
        # No clip from the server to hear it by: Space until it alone wears the ring, Enter.
        tell = page.get_by_role("button", name="I have a worry")
        for _ in range(12):
            if tell.evaluate(RINGED_ALONE):
                break
            switch.press("Space")
            page.wait_for_timeout(100)
        assert tell.evaluate(RINGED_ALONE), "the ring never reached I have a worry"
        switch.press("Enter")
        thanks = page.get_by_role("dialog", name="No internet.")
        expect(thanks.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
        assert _count(live_server) == before
    _wait_for(live_server, before + 1)
    assert _count(live_server) == before + 1
    _incident, names, _notes = _latest(live_server)
    assert names == ["Amira"]
