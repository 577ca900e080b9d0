"""The class iPad's tiles and picture passwords speak in the school's voice, as pupil screens do.

Before, the server made speech only for signed-in people: before anyone signed in, every clip
the tiles screen ("Who are you?", every name, each name said as a switch scans the tiles) and
a picture password ("Dev, tap your pictures") asked for was answered with the sign-in page.
speech.js could not read it, took the server for down, said everything in the iPad's own voice
(another voice from the pupil's screens a moment later) and asked again every few seconds.

Now a class iPad gets the school's clips for what those screens say; anything else it asks for
is refused with an answer speech.js reads, and that text alone is said in the iPad's voice: the
next word is the school's voice again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from classroom.db import get_session
from classroom.pupils.models import Scanning, SchoolClass
from tests.browser.ipad_helpers import PLAYS_SERVER_CLIPS, enrol_class_ipad
from tests.browser.test_no_sound_sign import DEVICE_VOICE
from tests.live import LiveServer

pytestmark = pytest.mark.browser

# The iPad's speaker and its clip requests, as a test can hear them: each server clip played
# (by its address) ends a moment later; each clip asked for is kept with the server's answer
# (an address to play, or none: a refusal, or a page that is not a clip at all).
SPEAKER = """() => {
  window.playedClips = [];
  window.clipAnswers = [];
  const fetch = window.fetch;
  window.fetch = function (url, options) {
    const asked = fetch.apply(this, arguments);
    if (String(url).indexOf("/speech/clip") < 0) { return asked; }
    const text = JSON.parse(options.body).text;
    asked.then(response => {
      const seen = { text: text, status: response.status, page: response.redirected };
      response.clone().json().then(
        answer => window.clipAnswers.push(Object.assign(seen, { audio: answer.audio_url || "" })),
        () => window.clipAnswers.push(Object.assign(seen, { audio: "", page: true })));
    });
    return asked;
  };
""" + PLAYS_SERVER_CLIPS
# What has been said so far: in the school's voice (each clip played, by the text it was asked
# for) and in the iPad's own.
HEARD = """() => ({
  school: window.playedClips.map(src =>
    (window.clipAnswers.find(a => a.audio && src.endsWith(a.audio)) || { text: "?" }).text),
  ipad: window.saidByDevice || [],
  answers: window.clipAnswers,
  fallback: document.body.hasAttribute("data-speech-fallback"),
})"""


def _heard(page: Page) -> dict[str, Any]:
    heard: dict[str, Any] = page.evaluate(HEARD)
    return heard


def _said_after(page: Page, count: int) -> dict[str, Any]:
    """Once `count` things have been said in either voice: who said what."""
    page.wait_for_function(
        "n => window.playedClips.length + (window.saidByDevice || []).length >= n", arg=count
    )
    return _heard(page)


@pytest.fixture
def ipad(new_ipad: Callable[[], BrowserContext], live_server: LiveServer) -> Page:
    """Oak's class iPad with a voice of its own, on its tiles, nobody signed in."""
    context = new_ipad()
    context.add_init_script(f"({DEVICE_VOICE})(); window.deviceVoice = 'works';")
    context.add_init_script(f"({SPEAKER})()")
    page = context.new_page()
    enrol_class_ipad(page, live_server, "Oak school voice iPad")
    page.goto(live_server.url + "/class-ipad")
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    page.wait_for_load_state("load")
    return page


def _tiles_scanning(server: LiveServer, mode: Scanning, auditory: bool) -> None:
    """Oak's tiles screen as staff set it on its Class iPads page."""
    with server.app.app_context():
        db = get_session()
        oak = db.scalar(select(SchoolClass).where(SchoolClass.name == "Oak"))
        assert oak is not None
        oak.tiles_scanning = mode
        oak.tiles_scan_interval_ms = 1500
        oak.tiles_auditory_scanning = auditory
        db.commit()


def test_the_tiles_and_a_picture_password_are_read_in_the_schools_voice(ipad: Page) -> None:
    names = "Who are you? Amira. Ben. Chloe. Dev. Ella. Finn"
    ipad.get_by_role("button", name="Read to me").click()
    heard = _said_after(ipad, 1)
    assert heard["school"] == [names], heard
    assert heard["ipad"] == []
    ipad.locator(".pupil-heading .sym-word").first.click()  # "Who", tapped
    assert _said_after(ipad, 2)["school"] == [names, "Who"]

    # Words no screen of the iPad says: refused, and said in the iPad's own voice, that once.
    ipad.evaluate("() => window.classroomSpeech.speak('Meet me after school')")
    heard = _said_after(ipad, 3)
    assert heard["ipad"] == ["Meet me after school"]
    assert {"text": "Meet me after school", "status": 403, "page": False, "audio": ""} in (
        heard["answers"]
    )
    ipad.locator(".pupil-heading .sym-word").nth(1).click()  # "are": the school's voice again
    heard = _said_after(ipad, 4)
    assert heard["school"] == [names, "Who", "are"]
    assert heard["ipad"] == ["Meet me after school"]
    assert not heard["fallback"]  # the server was never taken for down

    ipad.get_by_role("button", name="Dev", exact=True).click()
    expect(ipad.get_by_role("heading", name="Dev, tap your pictures")).to_be_visible()
    ipad.wait_for_load_state("load")
    ipad.get_by_role("button", name="Read to me").click()
    heard = _said_after(ipad, 1)  # a new page: counted afresh
    said = "Dev, tap your pictures. cat. dog. star. apple. car. ball. sun. fish. flower. Back."
    assert heard["school"] == [said], heard
    assert heard["ipad"] == []
    assert all(a["status"] == 200 and not a["page"] for a in heard["answers"]), heard


def test_a_switch_user_hears_every_name_in_the_schools_voice(
    ipad: Page, live_server: LiveServer
) -> None:
    _tiles_scanning(live_server, Scanning.AUTO, auditory=True)
    try:
        ipad.reload()
        expect(ipad.get_by_role("heading", name="Who are you?")).to_be_visible()
        ipad.wait_for_load_state("load")
        ipad.keyboard.press("Space")  # wakes the tiles: "Who are you?"
        _said_after(ipad, 1)
        ipad.keyboard.press("Space")  # into the tiles, one name at a time
        ipad.wait_for_function(
            "() => window.playedClips.length + (window.saidByDevice || []).length >= 4",
            timeout=20_000,
        )
        heard = _heard(ipad)
    finally:
        _tiles_scanning(live_server, Scanning.OFF, auditory=False)
    assert heard["school"][:4] == ["Who are you?", "Amira", "Ben", "Chloe"], heard
    assert heard["ipad"] == []
