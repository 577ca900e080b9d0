"""Hearing before choosing, in Chromium at both iPad viewports: Read to me on the class start
screen and on pupil home, a speaker on every answer card, and "hear then choose"."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from classroom.pupils.models import CardChoosing, Pathway, Scanning
from tests.browser.conftest import (
    LiveServer,
    assert_accessible,
    sign_in,
    sign_out,
    tap_to_next_screen,
)
from tests.browser.ipad_helpers import set_pupil, set_scanning

VIEWPORTS = {
    "landscape": {"width": 1024, "height": 768},
    "portrait": {"width": 810, "height": 1080},
}
MEASURE = (Path(__file__).parent / "measure_pupil_screen.js").read_text().strip()
OTHER_STEPS = ".ce-target:visible, .until-button:visible, .anticipate-go:visible, .me-tap:visible"


def _set_choosing(server: LiveServer, first_name: str, choosing: CardChoosing) -> None:
    # FORMAL: the lesson's answer-card screens (_to_answer_cards)
    set_pupil(server, first_name, card_choosing=choosing, pathway=Pathway.FORMAL)


class Heard:
    """What the page asked the server to say, and any other form post it made."""

    def __init__(self, page: Page) -> None:
        self.said: list[str] = []
        self.posts: list[str] = []
        self._kept: set[str] = set()
        page.on("request", self._seen)

    def _seen(self, request: Request) -> None:
        if request.method != "POST":
            return
        if request.url.endswith("/speech/clip"):
            self.said.append(json.loads(request.post_data or "{}")["text"])
        elif request.headers.get("x-answer-only") == "1":
            self.posts.append(request.url)  # an answer, made sure of first (player.js)...
            self._kept.add(request.url)
        elif request.url in self._kept:
            self._kept.discard(request.url)  # ...then the same form, posted to show the screen
        else:
            self.posts.append(request.url)


@pytest.fixture(params=list(VIEWPORTS), scope="module")
def ipad(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A class iPad at one viewport, enrolled by a teacher, showing the start screen."""
    context = browser.new_context(viewport=VIEWPORTS[request.param], has_touch=True, locale="en-GB")
    context.set_default_timeout(30_000)  # a busy 2-core CI machine
    page = context.new_page()
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + "/class-ipads/")
    form = page.locator("form", has=page.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill(f"Hearing iPad {request.param}")
    form.get_by_role("button", name="Make this a class iPad").click()
    sign_out(page)
    yield page
    context.close()


def _fits(page: Page) -> None:
    page.wait_for_load_state()
    assert page.evaluate("() => document.scrollingElement.scrollHeight <= window.innerHeight + 1")
    assert page.evaluate(MEASURE) == []
    assert_accessible(page)


def _sign_in_ben(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name="Ben", exact=True).click()
    expect(page.get_by_role("heading", name="Hello Ben")).to_be_visible()
    page.wait_for_load_state("load")


def _finish(page: Page) -> None:
    page.locator("#finished-form button").click()
    page.locator("[data-confirm-finish]").click()
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    page.wait_for_load_state("load")


def _to_answer_cards(page: Page, server: LiveServer) -> None:
    """Into "Feelings online" and on to its next screen of answer cards."""
    page.goto(server.url + "/pupil/lessons/feelings-online")
    tap_to_next_screen(page, page.locator(".big-next:visible").first)
    for _ in range(30):
        if page.locator(".card-speaker:visible").count():
            page.wait_for_load_state("load")
            return
        if page.locator(".big-next:visible").count():
            tap_to_next_screen(page, page.locator(".big-next:visible").first)
        else:
            tap_to_next_screen(page, page.locator(OTHER_STEPS).first)
    pytest.fail("no answer cards in the next lesson")


PIN_PENDING_NOTE = """() => {
  const note = document.querySelector("[data-worry-pending]");
  note.hidden = false;
  Object.defineProperty(note, "hidden", { get: () => false, set: () => {}, configurable: true });
}"""
UNPIN_PENDING_NOTE = """() => {
  const note = document.querySelector("[data-worry-pending]");
  delete note.hidden;
  note.hidden = true;
}"""


def test_read_to_me_on_the_start_screen_and_home_says_the_screens_words(
    ipad: Page, live_server: LiveServer
) -> None:
    heard = Heard(ipad)
    ipad.goto(live_server.url + "/class-ipad")
    _fits(ipad)
    names = ipad.locator(".tiles .tile").all_inner_texts()
    with ipad.expect_request("**/speech/clip"):
        ipad.get_by_role("button", name="Read to me").click()
    assert heard.said[-1] == "Who are you? " + ". ".join(n.strip() for n in names)
    _sign_in_ben(ipad, live_server)
    _fits(ipad)
    with ipad.expect_request("**/speech/clip"):
        ipad.get_by_role("button", name="Read to me").click()
    said = heard.said[-1]
    assert said.startswith("Hello Ben. ")
    first = ipad.locator(".lesson-tile.next")
    assert f"My lessons. {first.get_attribute('data-hear')}" in said
    # then the row under the lessons as it shows (More, then Our rules; data-say-with), then the
    # buttons beside the screen (data-say-with="*")
    assert said.endswith("More. Our rules. Report a worry. Finished.")
    # A worry not sent yet is said too, in its place among them, while it shows. On a fresh
    # page: on a busy machine the last clip can take longer than the server gives speech (a
    # 503), and the page then uses the iPad's own voice, which asks the server for nothing.
    # The note is pinned as shown: the outbox's own check, run as the page loads, would hide it.
    ipad.reload()
    ipad.wait_for_load_state("load")
    ipad.evaluate(PIN_PENDING_NOTE)
    _fits(ipad)
    read = ipad.get_by_role("button", name="Read to me")
    with ipad.expect_request("**/speech/clip"):
        read.click()
    assert heard.said[-1].endswith(
        "Our rules. Report a worry. A worry is saved on this iPad. It is not sent yet. Finished."
    )
    ipad.evaluate(UNPIN_PENDING_NOTE)
    expect(ipad.locator(".next-item .next-label")).to_have_text(re.compile("This one next"))
    _finish(ipad)


def test_card_speaker_says_the_card_without_choosing_it(
    ipad: Page, live_server: LiveServer
) -> None:
    _set_choosing(live_server, "Ben", CardChoosing.STRAIGHT_AWAY)
    _sign_in_ben(ipad, live_server)
    _to_answer_cards(ipad, live_server)
    _fits(ipad)
    heard = Heard(ipad)
    where = ipad.url
    card = ipad.locator(".card-slot").first
    words = card.locator(".choice-card").get_attribute("aria-label") or ""  # its words as written
    speaker = card.locator(".card-speaker")
    box = speaker.bounding_box()
    assert box is not None
    assert box["width"] >= 64
    assert box["height"] >= 64
    with ipad.expect_request("**/speech/clip"):
        speaker.tap()
    assert heard.said == [words]
    ipad.wait_for_timeout(300)
    assert heard.posts == []
    assert ipad.url == where
    with ipad.expect_navigation():
        card.locator(".choice-card").tap()  # choose straight away: one tap chooses
    assert len(heard.posts) == 1
    ipad.goto(live_server.url + "/pupil/")
    _finish(ipad)


def test_a_card_speaker_stays_on_top_of_a_card_wearing_the_scanning_ring(
    ipad: Page, live_server: LiveServer
) -> None:
    """A switch user's answer screen starts with every card ringed, and the ring raised each
    card over its own speaker: a tap meant to hear a card chose it instead."""
    _set_choosing(live_server, "Ben", CardChoosing.STRAIGHT_AWAY)
    set_scanning(live_server, "Ben", Scanning.STEP, 2000, auditory=False)
    try:
        _sign_in_ben(ipad, live_server)
        _to_answer_cards(ipad, live_server)
        expect(ipad.locator(".choice-card.scan-focus").first).to_be_visible()
        on_top = ipad.locator(".card-speaker:visible").evaluate_all(
            """speakers => speakers.map(s => { const r = s.getBoundingClientRect();
                 const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                 return Boolean(hit && s.contains(hit)); })"""
        )
        assert on_top
        assert all(on_top), on_top
        heard, where = Heard(ipad), ipad.url
        with ipad.expect_request("**/speech/clip"):
            ipad.locator(".card-speaker:visible").first.tap()
        ipad.wait_for_timeout(300)
        assert heard.posts == []
        assert ipad.url == where
    finally:
        set_scanning(live_server, "Ben", Scanning.OFF, 2000)
    ipad.goto(live_server.url + "/pupil/")
    _finish(ipad)


def test_hear_then_choose_says_a_card_first_and_chooses_on_the_second_tap_or_enter(
    ipad: Page, live_server: LiveServer
) -> None:
    _set_choosing(live_server, "Ben", CardChoosing.HEAR_FIRST)
    _sign_in_ben(ipad, live_server)
    heard = Heard(ipad)
    tile = ipad.locator(".lesson-tile").first
    with ipad.expect_request("**/speech/clip"):
        tile.tap()  # a lesson tile too: the first tap says it
    assert heard.said[-1].startswith("This one next. ")
    assert "/pupil/" in ipad.url
    assert ipad.url.endswith("/pupil/")
    tile.tap()
    ipad.wait_for_url("**/lessons/**")
    ipad.goto(live_server.url + "/pupil/")
    _to_answer_cards(ipad, live_server)
    _fits(ipad)
    heard.said.clear()
    heard.posts.clear()
    cards = ipad.locator(".choice-grid .choice-card")
    first, second = cards.nth(0), cards.nth(1)
    with ipad.expect_request("**/speech/clip"):
        first.tap()
    with ipad.expect_request("**/speech/clip"):
        second.focus()
        ipad.keyboard.press("Enter")  # by keyboard too: another card is said, not chosen
    assert heard.said == [first.inner_text().strip(), second.inner_text().strip()]
    ipad.wait_for_timeout(300)
    assert heard.posts == []
    with ipad.expect_navigation():
        ipad.keyboard.press("Space")  # the same card again: chosen
    assert len(heard.posts) == 1
    assert "/steps/" in heard.posts[0]
    ipad.goto(live_server.url + "/pupil/")
    _finish(ipad)


def test_hear_then_choose_holds_in_the_worry_flow_too(ipad: Page, live_server: LiveServer) -> None:
    """One tap on a worry card chose it and moved on: a pupil who hears before choosing could
    not hear the choices one by one (the cards have no speaker there)."""
    _set_choosing(live_server, "Ben", CardChoosing.HEAR_FIRST)
    _sign_in_ben(ipad, live_server)
    heard = Heard(ipad)
    ipad.goto(live_server.url + "/pupil/worry")
    ipad.wait_for_load_state("load")
    what, where = ipad.locator('[data-step="what"]'), ipad.locator('[data-step="where"]')
    unkind = what.locator(".choice-card", has_text="Someone was unkind")
    with ipad.expect_request("**/speech/clip"):
        unkind.tap()
    assert heard.said[-1] == "Someone was unkind"
    ipad.wait_for_timeout(300)
    expect(what).to_be_visible()  # still asking what happened: nothing chosen yet
    expect(where).to_be_hidden()
    unkind.tap()  # the same card again: chosen
    expect(where).to_be_visible()
    _finish(ipad)
