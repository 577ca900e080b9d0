"""A one-switch pupil's morning, alone, on Oak's class iPad.

Sam uses one switch (Space) with auto-scan and auditory scanning. A teacher sets Oak's tiles
screen to one switch with names said, on its staff page. Then, by his switch only, Sam wakes the
tiles, chooses his own tile, does his picture password, starts and finishes a lesson, reports a
worry, presses Finished and confirms it, and is back on the tiles. Every screen is checked as
he meets it, the iPad held one way up and then turned: what is said (the school's voice, never
the iPad's own), the ring (on the screen, over nothing), nothing to scroll, axe clean. Then Chloe
taps her own tile on the same iPad: nothing of Sam's is said or shown, and no scan moves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy import select

from classroom.accounts.passwords import hash_password
from classroom.db import get_session, utcnow
from classroom.pupils.importer import make_upn
from classroom.pupils.models import Pathway, Pupil, Scanning, SchoolClass
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_out
from tests.browser.ipad_helpers import IPAD_VIEWPORTS, make_class_ipad, ring_measure, screen_fits
from tests.browser.test_no_sound_sign import DEVICE_VOICE
from tests.browser.test_switch_journeys import _answers, _lesson

pytestmark = pytest.mark.browser

SAM_SCAN_MS = 800
# Sam's picture password: dog, star, cat (their places on the screen: 2nd, 3rd, 1st).
SAM_PICTURES = [("1F436", "dog"), ("2B50", "star"), ("1F431", "cat")]

# The iPad's speaker as the test hears it. Each clip the school's server is asked for is kept
# with its text; each one played lasts window.clipMs, then ends. The iPad's own voice is
# DEVICE_VOICE's (window.saidByDevice). Each cue scan.js sounds is timed, and counted as early
# when it came while words were still being said with no switch pressed.
LISTEN = """() => {
  window.clipMs = 900;
  window.played = [];     // {text, start, end}: each server clip played
  window.asked = {};      // audio address -> the text it says
  window.cues = [];       // times of scan.js's cues
  window.early = [];      // cues that came while words were still being said, unpressed
  window.ringFaults = [];
  let lastKey = 0;
  document.addEventListener("keydown", () => { lastKey = Date.now(); }, true);
  const fetch = window.fetch;
  window.fetch = function (url, options) {
    const answer = fetch.apply(this, arguments);
    if (String(url).indexOf("/speech/clip") < 0) { return answer; }
    const text = JSON.parse(options.body).text;
    answer.then(r => r.clone().json().then(
      a => { if (a.audio_url) { window.asked[a.audio_url] = text; } }, () => {}));
    return answer;
  };
  HTMLMediaElement.prototype.play = function () {
    const src = this.src || "";
    if (src.indexOf("/speech/audio/") >= 0) {
      const clip = { src: src, start: Date.now(), end: 0 };
      window.played.push(clip);
      setTimeout(() => { clip.end = Date.now(); this.dispatchEvent(new Event("ended")); },
        window.clipMs);
    }
    return Promise.resolve();
  };
  HTMLMediaElement.prototype.pause = function () {};
  window.textOf = clip => {
    const key = Object.keys(window.asked).find(k => clip.src.endsWith(k));
    return key ? window.asked[key] : "?";
  };
  document.addEventListener("classroom:scan-cue", () => {
    const now = Date.now();
    const saying = window.played.some(c => !c.end);
    if (saying && now - lastKey > 1000) { window.early.push(now); }
    window.cues.push(now);
    requestAnimationFrame(() => requestAnimationFrame(() => {
      if (window.measureRing) { window.checkRing(); }
    }));
  });
}"""
# The ring wherever it stands: on the screen, not cut off, over no words or pictures, and
# nothing drawn over the ringed item's middle.
CHECK_RING = """() => {
  window.checkRing = () => {
    const m = window.measureRing();
    const hidden = [...document.querySelectorAll(".scan-focus")].filter(el => {
      const r = el.getBoundingClientRect();
      const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
      return !top || !(el.contains(top) || top.contains(el));
    }).map(el => el.textContent.replace(/\\s+/g, " ").trim());
    if (m.covers.length || m.clipped.length || hidden.length) {
      window.ringFaults.push({ at: location.pathname, covers: m.covers, clipped: m.clipped,
        hidden: hidden, size: innerWidth + "x" + innerHeight });
    }
  };
}"""
RING = ring_measure("measure_scan_ring.js")
RINGED = """() => Array.from(document.querySelectorAll(".scan-focus"))
  .map(el => el.textContent.replace(/\\s+/g, " ").trim())"""
NAME = """el => (el.getAttribute("aria-label") || el.getAttribute("data-hear")
  || el.getAttribute("data-say") || el.textContent || "").replace(/\\s+/g, " ").trim()"""
# Words said since the ring last moved (its cue), and finished being said.
SAID_SINCE_CUE = """() => { const cue = window.cues[window.cues.length - 1] || 0;
  return window.played.filter(c => c.start >= cue && c.end).map(window.textOf); }"""


@pytest.fixture(scope="module")
def sam(live_server: LiveServer) -> str:
    """Sam, new in Oak: one switch, auto-scan, each item said; a picture password of three."""
    with live_server.app.app_context():
        db = get_session()
        oak = db.scalar(select(SchoolClass).where(SchoolClass.name == "Oak"))
        assert oak is not None
        sam = Pupil(
            school_id=oak.school_id,
            upn=make_upn("823100000099"),
            first_name="Sam",
            last_name="Okafor",
            date_of_birth=utcnow().date().replace(year=2011),
            class_id=oak.id,
            pathway=Pathway.FORMAL,
            tile_symbol="1F98A",
            home_lessons=0,
            scanning=Scanning.AUTO,
            scan_interval_ms=SAM_SCAN_MS,
            auditory_scanning=True,
            picture_password_hash=hash_password(",".join(c for c, _ in SAM_PICTURES)),
            picture_password_length=len(SAM_PICTURES),
            created_at=utcnow(),
        )
        db.add(sam)
        db.commit()
    return "Sam"


@pytest.fixture
def ipad(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport=IPAD_VIEWPORTS["landscape"], has_touch=True, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    context.add_init_script(f"({DEVICE_VOICE})(); window.deviceVoice = 'works';")
    context.add_init_script(f"({LISTEN})()")
    context.add_init_script(f"({CHECK_RING})(); window.measureRing = {RING};")
    yield context
    context.close()


class Morning:
    """Sam at the iPad: he acts only on what he has heard, and only by his switch."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.way = "landscape"
        self.screens: list[str] = []

    def played(self) -> list[dict[str, Any]]:
        return list(self.page.evaluate("window.played"))

    def school_voice(self) -> list[str]:
        return list(self.page.evaluate("window.played.map(window.textOf)"))

    def ipad_voice(self) -> list[str]:
        return list(self.page.evaluate("window.saidByDevice || []"))

    def ringed(self) -> list[str]:
        return list(self.page.evaluate(RINGED))

    def new_screen(self, heading: str | re.Pattern[str]) -> None:
        """A screen Sam has reached: checked as he sees it, then with the iPad turned."""
        page = self.page
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        page.wait_for_load_state("load")
        self.screens.append(page.url)
        self.check_screen()
        self.way = "portrait" if self.way == "landscape" else "landscape"
        page.set_viewport_size(IPAD_VIEWPORTS[self.way])
        self.check_screen()

    def check_screen(self) -> None:
        page = self.page
        screen_fits(page)
        assert_accessible(page)
        page.evaluate("() => window.checkRing()")
        self.no_faults()

    def no_faults(self) -> None:
        page = self.page
        assert page.evaluate("window.ringFaults") == [], page.url
        assert page.evaluate("window.early") == [], f"moved on mid-word on {page.url}"
        assert self.ipad_voice() == [], f"the iPad's own voice on {page.url}"

    def choose(self, target: Locator) -> None:
        """Wait for the ring to come to the target (into its group first), hear it, press."""
        page = self.page
        expect(target).to_be_visible()
        name = str(target.evaluate(NAME))
        for _ in range(12):
            target.evaluate(
                """el => new Promise(done => { const check = () =>
                  el.classList.contains("scan-focus") ? done() : requestAnimationFrame(check);
                  check(); })"""
            )
            alone = len(self.ringed()) == 1
            # Sam waits for the words (the item's name; a group's name) before he presses.
            page.wait_for_function(f"() => ({SAID_SINCE_CUE})().length > 0", timeout=10_000)
            if alone:
                said = page.evaluate(SAID_SINCE_CUE)
                assert said == [name], (said, name, page.url)
            page.keyboard.press("Space")
            if alone:
                return
        raise AssertionError(f"the ring never came to {name} alone on {page.url}")


def _set_oaks_tiles_as_a_teacher(page: Page, server: LiveServer) -> None:
    page.goto(server.url + "/class-ipads/")
    page.get_by_role("link", name="Oak's tiles screen").click()
    expect(page.get_by_role("heading", name="Oak's tiles screen")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="Sam Okafor")).to_contain_text(
        "one switch, 0.8 seconds on each, items said aloud"
    )
    page.get_by_label("Switch scanning on the tiles screen").select_option("auto")
    seconds = page.get_by_label("One switch: seconds on each name")
    expect(seconds.locator("option[value='1']")).to_have_text("1 second")
    seconds.select_option("1")
    page.get_by_label("Say each name aloud as the highlight reaches it").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. Oak's iPads use it")).to_be_visible()
    assert_accessible(page)


def test_sam_by_one_switch_then_chloe_by_touch(
    ipad: BrowserContext, live_server: LiveServer, sam: str
) -> None:
    page = ipad.new_page()
    make_class_ipad(page, live_server, "Oak morning iPad")
    _set_oaks_tiles_as_a_teacher(page, live_server)
    sign_out(page)
    expect(page).to_have_url(live_server.url + "/class-ipad")
    morning = Morning(page)

    # The tiles: still and silent until his first press.
    morning.new_screen("Who are you?")
    page.wait_for_timeout(2500)
    assert morning.ringed() == []
    assert morning.school_voice() == []
    page.keyboard.press("Space")  # wakes: the tiles as one group, "Who are you?"
    morning.choose(page.get_by_role("button", name=sam, exact=True))

    morning.new_screen(f"{sam}, tap your pictures")
    for picked, (code, word) in enumerate(SAM_PICTURES, 1):
        picture = page.locator(f"button.picture[value='{code}']")
        expect(picture).to_have_accessible_name(word)
        morning.choose(picture)  # said by its word before he chose it
        if picked < len(SAM_PICTURES):
            expect(page.locator(".progress .dot.filled")).to_have_count(picked)
            morning.new_screen(f"{sam}, tap your pictures")

    morning.new_screen(f"Hello {sam}")
    version = _lesson(live_server, "feelings-online", "formal")
    lesson = page.get_by_role("link", name=re.compile("Feelings online$"))
    morning.choose(lesson)
    morning.new_screen(re.compile("Feelings online"))
    morning.choose(page.get_by_role("button", name="Start"))
    for number, step in enumerate(version.steps, 1):
        expect(page).to_have_url(re.compile(f"/steps/{number}$"))
        morning.new_screen(re.compile("."))
        for card in _answers(page, step):
            morning.choose(card)
        expect(page.locator(".step-nav .big-next")).to_be_visible()
        morning.no_faults()
        morning.choose(page.locator(".step-nav .big-next"))
    morning.new_screen(re.compile("Well done"))

    morning.choose(page.locator(".worry-rail a:visible").first)
    morning.new_screen("Report a worry")
    for answer in ("I saw something upsetting", "In a game", "Sad"):
        morning.choose(page.get_by_role("button", name=answer, exact=True))
        morning.no_faults()
    morning.choose(page.locator('[data-step="talk_to"] button.choice-card').first)
    morning.choose(page.get_by_role("button", name="Send"))
    morning.new_screen("Thank you for telling.")

    morning.choose(page.get_by_role("button", name="Finished"))
    expect(page.get_by_role("dialog")).to_be_visible()
    morning.choose(page.get_by_role("button", name="Yes, I am finished"))
    morning.new_screen("Who are you?")
    page.wait_for_timeout(2500)
    assert morning.ringed() == []
    assert morning.school_voice() == []  # the tiles wait for the next press, silent

    # Chloe taps her own tile on the same iPad.
    page.get_by_role("button", name="Chloe", exact=True).tap()
    expect(page.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    page.wait_for_timeout(2000)
    assert morning.ringed() == []
    assert page.evaluate("() => document.body.dataset.scanning || 'off'") == "off"
    assert morning.school_voice() == []
    assert morning.ipad_voice() == []
    assert sam not in page.locator("body").inner_text()
    assert len(morning.screens) == 15, morning.screens  # every screen checked, both ways up
