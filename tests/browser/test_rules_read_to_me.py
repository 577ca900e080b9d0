"""Our rules on a class iPad, at 1024x768 and 810x1080: the page shows one rule at a time, and
"Read to me" says the heading and the rule on screen now (then the row's buttons and the ones
beside the screen), never every rule; it follows More and Back by touch, keyboard and switch,
and lights the words of the rule shown as they are said."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select

from classroom.db import get_session
from classroom.pupils.models import Pupil, Scanning
from classroom.rules import services
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.ipad_helpers import (
    IPAD_VIEWPORTS,
    enrolled_ipad_at,
    screen_fits,
    set_scanning,
    silent_wav,
)

HEADING = "Our rules. "
BESIDE = "Report a worry. Finished."


class Speaker:
    """The server's speech, answering every clip the page asks for with silence whose one timed
    word is the first word after the heading (the rule's first word)."""

    def __init__(self, page: Page) -> None:
        page.route("**/speech/clip", self._clip)
        page.route("**/test-silence.wav", self._audio)

    def _clip(self, route: Route) -> None:
        text = json.loads(route.request.post_data or "{}")["text"]
        word = text[len(HEADING) :].split(" ")[0]
        words = [{"word": word, "start_ms": 0, "end_ms": 4000, "offset": len(HEADING)}]
        body = {"key": "k", "audio_url": "/test-silence.wav", "words": words}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    def _audio(self, route: Route) -> None:
        route.fulfill(status=200, content_type="audio/wav", body=silent_wav(5))


def _rules(server: LiveServer) -> list[str]:
    with server.app.app_context():
        db = get_session()
        chloe = db.scalar(select(Pupil).where(Pupil.first_name == "Chloe"))
        assert chloe is not None
        return [rule.text for rule in services.shown(db, chloe.school_id)]


@pytest.fixture(params=list(IPAD_VIEWPORTS))
def ipad(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A class iPad at one viewport, on its class tiles."""
    way_up = request.param
    context, page = enrolled_ipad_at(browser, live_server, way_up, f"Rules iPad {way_up}")
    yield page
    context.close()


def _chloe_on_rules(page: Page, server: LiveServer, scanning: Scanning) -> None:
    set_scanning(server, "Chloe", scanning, 2000, auditory=False)
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name="Chloe", exact=True).focus()  # no pupil yet: no scanning
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    Speaker(page)
    page.goto(server.url + "/pupil/rules")
    page.wait_for_load_state("load")


def _heard(page: Page, press: Callable[[], None]) -> str:
    """What Read to me asks to say when `press` presses it."""
    page.evaluate("() => window.classroomSpeech.stop()")  # a press now reads, not stops
    with page.expect_request("**/speech/clip") as asked:
        press()
    return str(json.loads(asked.value.post_data or "{}")["text"])


def _says_only(said: str, rules: list[str], n: int, arrows: str) -> None:
    rule = rules[n].rstrip(".") + "."
    assert said == f"{HEADING}{rule} {arrows}Home. {BESIDE}", said
    for i, other in enumerate(rules):
        if i != n:
            assert other.rstrip(".") not in said, (n, other, said)


def _lit(page: Page, n: int) -> None:
    """The rule on screen, n, has its first word lit as it is said (not a rule not shown)."""
    first = page.locator(".rules-list > li").nth(n).locator(".sym-word").first
    expect(first).to_have_class(re.compile(r"\bspeaking\b"))
    expect(page.locator(".rules-list > li[hidden] .speaking")).to_have_count(0)


def test_read_to_me_says_the_rule_on_screen_by_touch_and_keyboard(
    ipad: Page, live_server: LiveServer
) -> None:
    rules = _rules(live_server)
    assert len(rules) >= 3, rules
    _chloe_on_rules(ipad, live_server, Scanning.OFF)
    read = ipad.get_by_role("button", name="Read to me")
    more = ipad.get_by_role("link", name="More", exact=True)
    back = ipad.get_by_role("link", name="Back", exact=True)
    screen_fits(ipad)
    assert_accessible(ipad)
    # Rule 1: the heading and rule 1, then More (no Back yet), Home and the buttons beside.
    _says_only(_heard(ipad, read.click), rules, 0, "More. ")
    _lit(ipad, 0)
    # More twice, by touch: rule 3, where Chloe heard every rule; Back is there to hear now.
    more.click()
    expect(ipad.get_by_text(rules[1].rstrip("."))).to_be_visible()
    more.click()
    expect(ipad.get_by_text(rules[2].rstrip("."))).to_be_visible()
    screen_fits(ipad)
    _says_only(_heard(ipad, read.click), rules, 2, "Back. More. ")
    _lit(ipad, 2)
    # Back, by keyboard: rule 2 (not heard yet on this page, so the page asks for it afresh).
    back.focus()
    ipad.keyboard.press("Enter")
    expect(ipad.get_by_text(rules[1].rstrip("."))).to_be_visible()
    read.focus()
    said = _heard(ipad, lambda: ipad.keyboard.press("Space"))
    _says_only(said, rules, 1, "Back. More. ")
    _lit(ipad, 1)


def test_read_to_me_says_the_rule_on_screen_by_switch(ipad: Page, live_server: LiveServer) -> None:
    """Two switches (Space moves the ring, Enter chooses): More is the first stop on a screen
    with nothing to choose, then the controls, Read to me first among them."""
    rules = _rules(live_server)
    _chloe_on_rules(ipad, live_server, Scanning.STEP)
    ring = ipad.locator(".scan-focus")
    expect(ring.first).to_be_visible()
    expect(ring).to_have_text("More")
    ipad.keyboard.press("Enter")  # More: a group of one acts at once
    expect(ipad.get_by_text(rules[1].rstrip("."))).to_be_visible()
    screen_fits(ipad)
    expect(ring).to_have_text("More")  # a new screen starts again on More
    ipad.keyboard.press("Space")  # to the controls
    ipad.keyboard.press("Enter")  # into them: Read to me first
    expect(ring).to_have_count(1)
    expect(ring).to_have_attribute("data-read-to-me", "say-rules")
    said = _heard(ipad, lambda: ipad.keyboard.press("Enter"))
    _says_only(said, rules, 1, "Back. More. ")
    _lit(ipad, 1)
