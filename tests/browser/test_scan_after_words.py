"""One-switch scanning moves on at the pupil's own pace once each item's words are said.

Two faults in the wait after auditory scanning's words: short words ("Sam", "cat") held every
item about five seconds whatever the interval staff set, because the scan waited for a
safety time-out meant for words that never start; and once words ended, the time left to
press before the highlight moved was whatever remained of the running interval (nothing, for
words ending just before a tick), so a pupil felt it move as they pressed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect
from sqlalchemy import select

from classroom.db import get_session
from classroom.pupils.models import Scanning, SchoolClass
from tests.browser.conftest import LiveServer
from tests.browser.ipad_helpers import class_ipad

pytestmark = pytest.mark.browser

INTERVAL_MS = 1000
WORDS_MS = 250  # a short name, as each server clip lasts here
# Each server clip played lasts WORDS_MS; each cue scan.js sounds (a highlight moving) is timed.
TIMED = """ms => {
  window.played = [];
  window.cues = [];
  HTMLMediaElement.prototype.play = function () {
    if ((this.src || "").indexOf("/speech/audio/") >= 0) {
      const clip = { start: Date.now(), end: 0 };
      window.played.push(clip);
      setTimeout(() => { clip.end = Date.now(); this.dispatchEvent(new Event("ended")); }, ms);
    }
    return Promise.resolve();
  };
  HTMLMediaElement.prototype.pause = function () {};
  document.addEventListener("classroom:scan-cue", () => window.cues.push(Date.now()));
}"""


def test_each_name_moves_on_one_interval_after_its_words_end(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        db = get_session()
        oak = db.scalar(select(SchoolClass).where(SchoolClass.name == "Oak"))
        assert oak is not None
        oak.tiles_scanning, oak.tiles_scan_interval_ms = Scanning.AUTO, INTERVAL_MS
        oak.tiles_auditory_scanning = True
        db.commit()
    page = class_ipad(new_ipad, live_server, "Oak pace iPad")
    page.goto(live_server.url + "/class-ipad")
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    page.wait_for_load_state("load")
    page.evaluate(TIMED, WORDS_MS)
    page.keyboard.press("Space")  # wakes: the tiles as one group, "Who are you?"
    page.wait_for_function("() => window.played.length === 1 && window.played[0].end > 0")
    page.keyboard.press("Space")  # into the tiles: Amira, then on by itself
    page.wait_for_function("() => window.cues.length >= 6", timeout=20_000)
    cues = page.evaluate("() => window.cues")[1:6]  # Amira, Ben, Chloe, Dev, Ella
    ends = [clip["end"] for clip in page.evaluate("() => window.played")[1:5]]
    gaps = [later - earlier for earlier, later in zip(cues, cues[1:], strict=False)]
    # The words (a quarter of a second), then a whole interval: not five seconds an item.
    assert all(gap < INTERVAL_MS + WORDS_MS + 900 for gap in gaps), gaps
    # After each name is said, a whole interval to press before the highlight moves on.
    waited = [cue - end for end, cue in zip(ends, cues[1:], strict=True)]
    assert all(wait >= INTERVAL_MS - 50 for wait in waited), waited
