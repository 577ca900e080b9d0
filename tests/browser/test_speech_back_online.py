"""Speech once the server is back: a pupil screen whose clip request once found no server (the
Wi-Fi dropped, or the school's server out of reach) spoke with the iPad's own voice until the
next page, long after the network was back: no words lit up as they were said, and staff kept
being told server speech was broken.

Now the screen asks the server again once it may be back (the `online` event, or a few seconds
on): in the background, beside the iPad's voice, which says the press at once as before, and
the clip asked for is not played (nothing is said twice). Once the server answers, the next
press is the server's voice again, and the staff warning goes. A press is never kept waiting.

The server's answers are cut off and let through again for the iPad alone (`context.route`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.conftest import WAIT_MS, LiveServer
from tests.browser.ipad_helpers import PLAYS_SERVER_CLIPS, enrol_class_ipad
from tests.browser.test_no_sound_sign import DEVICE_VOICE

CLIP = "**/speech/clip"
# The iPad's speaker, as a test can hear it: each server clip played (by its address) ends a
# moment later, as a short clip does; the silent sound that unlocks audio is not counted.
SPEAKER = """() => {
  window.playedClips = [];
  window.clipsAsked = 0;
  const fetch = window.fetch;
  window.fetch = function (url) {
    if (String(url).indexOf("/speech/clip") >= 0) { window.clipsAsked += 1; }
    return fetch.apply(this, arguments);
  };
""" + PLAYS_SERVER_CLIPS
HEARD = """() => ({
  device: (window.saidByDevice || []).length, server: window.playedClips.length,
  asked: window.clipsAsked
})"""


def _refuse(route: Route) -> None:
    route.abort("connectionrefused")


@pytest.fixture
def ipad(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A class iPad whose own voice works, with Ben signed in on his home screen."""
    context: BrowserContext = browser.new_context(
        viewport={"width": 1024, "height": 768},
        has_touch=True,
        locale="en-GB",
        service_workers="block",
    )
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(f"({DEVICE_VOICE})(); window.deviceVoice = 'works';")
    context.add_init_script(f"({SPEAKER})()")
    context.clock.install()  # flows as ever; a test may move it on
    page = context.new_page()
    enrol_class_ipad(page, live_server, "Speech back iPad")
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Ben", exact=True).tap()
    expect(page.get_by_role("heading", name="Hello Ben")).to_be_visible()
    page.wait_for_load_state("load")
    yield page
    context.close()


def _word(page: Page) -> Callable[[int], None]:
    """Three presses, each saying words of its own (each text's clip is asked for once): the
    screen's first two words, and Read to me."""
    words = page.locator("#say-home button.sym-word")
    presses = [words.nth(0), words.nth(1), page.locator("[data-read-to-me]:visible").first]
    assert words.nth(0).get_attribute("data-say") != words.nth(1).get_attribute("data-say")

    def tap(n: int) -> None:
        presses[n].tap()

    return tap


def _said_by_the_server(page: Page, tap: Callable[[], None], *, asked: int = 1) -> None:
    """The press is said by the server's voice, asking for its clip (`asked`), or not, if the
    screen has it already (asked before, for this text)."""
    before = page.evaluate(HEARD)
    if asked:
        with page.expect_response(CLIP) as answer:
            tap()
        assert answer.value.status == 200
    else:
        tap()
    page.wait_for_function(f"() => window.playedClips.length === {before['server'] + 1}")
    after = page.evaluate(HEARD)
    assert after["device"] == before["device"]  # not said twice
    assert after["asked"] == before["asked"] + asked


def _said_by_the_ipad(
    page: Page, tap: Callable[[], None], *, asked: int, back: bool = False
) -> None:
    """The press is said by the iPad's voice, and the server asked for its clip `asked` times
    (its first failure, or a try once it may be back): with `back`, it gives the clip, which is
    not played (the iPad has said it), and staff are no longer told speech is broken."""
    before = page.evaluate(HEARD)
    if back:
        with page.expect_response(CLIP) as answer:
            tap()
        assert answer.value.status == 200
        expect(page.locator("body")).not_to_have_attribute("data-speech-fallback", "true")
    else:
        tap()
        expect(page.locator("body")).to_have_attribute("data-speech-fallback", "true")
    said = before["device"] + 1
    page.wait_for_function(f"() => (window.saidByDevice || []).length === {said}")
    after = page.evaluate(HEARD)
    assert after["server"] == before["server"]  # a clip fetched is not played
    assert after["asked"] == before["asked"] + asked


def test_with_the_server_out_of_reach_for_a_while_the_next_press_asks_it_again(
    ipad: Page,
) -> None:
    word = _word(ipad)
    _said_by_the_server(ipad, lambda: word(0))

    ipad.context.route(CLIP, _refuse)  # the Wi-Fi up, the school's server out of reach
    _said_by_the_ipad(ipad, lambda: word(1), asked=1)  # no answer: the iPad's voice
    ipad.context.unroute(CLIP, _refuse)  # the server is back
    _said_by_the_ipad(ipad, lambda: word(0), asked=0)  # too soon to ask again
    ipad.context.clock.fast_forward(6_000)

    _said_by_the_ipad(ipad, lambda: word(1), asked=1, back=True)
    _said_by_the_server(ipad, lambda: word(2))
    _said_by_the_server(ipad, lambda: word(1), asked=0)  # its clip, fetched as the iPad spoke


def test_when_the_wifi_comes_back_the_next_press_asks_the_server_at_once(ipad: Page) -> None:
    word = _word(ipad)
    ipad.context.route(CLIP, _refuse)
    ipad.context.set_offline(True)
    _said_by_the_ipad(ipad, lambda: word(0), asked=1)
    _said_by_the_ipad(ipad, lambda: word(1), asked=0)  # no network: nothing asked

    ipad.context.unroute(CLIP, _refuse)
    ipad.context.set_offline(False)  # the Wi-Fi is back ("online")
    _said_by_the_ipad(ipad, lambda: word(1), asked=1, back=True)
    _said_by_the_server(ipad, lambda: word(2))
