"""When a pupil's press finds no way to speak (no clip from the server and no voice on the iPad),
the pupil screen says so: a calm sign, "No sound. Ask an adult.", in pictures and words, in a
place of its own (it covers nothing, and the screen still does not scroll), the speaker buttons
show a speaker crossed out, and the button pressed shows it was pressed. While speech works,
none of it shows; once something is heard again, it goes."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Route, expect

from classroom.pupils.models import Scanning
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible
from tests.browser.ipad_helpers import enrol_class_ipad, set_scanning

VIEWPORTS = {
    "landscape": {"width": 1024, "height": 768},
    "portrait": {"width": 810, "height": 1080},
}
SHOTS = os.environ.get("CLASSROOM_SCREENSHOTS")  # a folder: save a PNG of each screen checked
MEASURE = (Path(__file__).parent / "measure_pupil_screen.js").read_text().strip()
SIGN = "#speech-sign"
MUTED = "/symbols/1F507.svg"  # the speaker crossed out
SPEAKER = "/symbols/1F50A.svg"
NO_SOUND = re.compile(r"\bno-sound\b")  # the class of a button pressed that found no sound

# The iPad's own voice, as a test can set it: "none" (no voices, and nothing it is given is ever
# said, as on a device with no voice installed), "fails" (it says at once that it cannot speak,
# as Chromium does without voices), or "works" (it starts and ends each thing it is given).
DEVICE_VOICE = """() => {
  window.deviceVoice = "none";
  const synth = window.speechSynthesis;
  synth.getVoices = () => [];
  synth.speak = utterance => {
    if (!utterance.text) { return; }
    const fire = (name, extra) => {
      const event = new Event(name);
      Object.assign(event, extra || {});
      const handler = utterance["on" + name];
      if (handler) { handler.call(utterance, event); }
    };
    if (window.deviceVoice === "fails") {
      setTimeout(() => fire("error", { error: "synthesis-failed" }), 10);
    } else if (window.deviceVoice === "works") {
      window.saidByDevice = (window.saidByDevice || []).concat([utterance.text]);
      setTimeout(() => fire("start"), 10);
      setTimeout(() => fire("end"), 60);
    }
  };
  synth.cancel = () => {};
}"""


def _no_server_speech(route: Route) -> None:
    route.abort()  # no answer at all, as when the school's speech server is down


@pytest.fixture
def ipad_at(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """A class iPad at `viewport` whose own voice the test sets; `clips=False`: no server clips;
    `reduced_motion`: the iPad's Reduce Motion setting."""
    opened: list[BrowserContext] = []

    def open_ipad(
        viewport: dict[str, int],
        *,
        clips: bool = True,
        reduced_motion: Literal["reduce", "no-preference"] = "no-preference",
    ) -> BrowserContext:
        context = browser.new_context(
            viewport=viewport,
            has_touch=True,
            device_scale_factor=2,
            locale="en-GB",
            service_workers="block",
            reduced_motion=reduced_motion,
        )
        context.set_default_timeout(WAIT_MS)
        context.add_init_script(f"({DEVICE_VOICE})()")
        if not clips:
            context.route("**/speech/clip", _no_server_speech)
        opened.append(context)
        return context

    yield open_ipad
    for context in opened:
        context.close()


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SHOTS}/{name}.png")


def _sign_in(page: Page, pupil: str) -> None:
    page.get_by_role("button", name=pupil, exact=True).tap()
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    page.wait_for_load_state("load")


def _read_to_me(page: Page) -> Locator:
    return page.locator("[data-read-to-me]:visible").first


def _picture(button: Locator) -> str:
    return button.locator("img").first.get_attribute("src") or ""


def _fits(page: Page) -> None:
    """Nothing covered or cut off, every target big enough, and the page itself never scrolls."""
    problems: list[str] = page.evaluate(MEASURE)
    assert problems == [], problems
    scroll = page.evaluate(
        "() => ({ height: document.scrollingElement.scrollHeight, width:"
        " document.scrollingElement.scrollWidth, vh: innerHeight, vw: innerWidth })"
    )
    assert scroll["height"] <= scroll["vh"], scroll
    assert scroll["width"] <= scroll["vw"], scroll
    sign = page.locator(SIGN).bounding_box()
    assert sign is not None
    assert sign["y"] >= 0
    assert sign["y"] + sign["height"] <= scroll["vh"]
    assert sign["x"] >= 0
    assert sign["x"] + sign["width"] <= scroll["vw"]
    # Its place is its own: no control of the screen is under it, not even in part.
    under = page.evaluate(
        """sign => {
          const s = sign.getBoundingClientRect();
          return [...document.querySelectorAll("a[href], button, textarea, .sym-text")]
            .filter(el => !sign.contains(el) && el.getClientRects().length)
            .filter(el => { const r = el.getBoundingClientRect();
              return r.left < s.right && r.right > s.left &&
                r.top < s.bottom && r.bottom > s.top; })
            .map(el => (el.getAttribute("aria-label") || el.textContent).trim().slice(0, 30));
        }""",
        page.locator(SIGN).element_handle(),
    )
    assert under == [], under


def _no_sound_is_shown(page: Page, pressed: Locator) -> None:
    sign = page.locator(SIGN)
    expect(sign).to_be_visible(timeout=5_000)
    # The speaker pressed shows a dashed border for 3 s (it was pressed): read it first.
    expect(pressed).to_have_class(NO_SOUND)
    assert pressed.evaluate("el => getComputedStyle(el).borderTopStyle") == "dashed"
    expect(sign).to_have_text("No sound. Ask an adult.")
    expect(sign).to_have_attribute("role", "status")  # a screen reader hears it too
    # In pictures as well as words: a pupil who cannot read sees "no", "sound", "ask", "adult".
    pictures = sign.locator("img")
    assert pictures.count() >= 3
    for i in range(pictures.count()):
        expect(pictures.nth(i)).to_be_visible()
        pictures.nth(i).wait_for(state="visible")
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=pictures.nth(i).element_handle()
        )
    # Every speaker on the screen shows a speaker crossed out while there is no sound.
    assert _picture(pressed).endswith(MUTED)


@pytest.mark.parametrize("orientation", list(VIEWPORTS))
def test_with_no_sound_at_all_each_pupil_screen_says_so_without_covering_anything(
    ipad_at: Callable[..., BrowserContext], live_server: LiveServer, orientation: str
) -> None:
    set_scanning(live_server, "Ben", Scanning.OFF, 2000)
    page = ipad_at(VIEWPORTS[orientation], clips=False).new_page()
    enrol_class_ipad(page, live_server, f"No sound iPad {orientation}")
    page.wait_for_load_state("load")

    # Before sign-in: "Who are you?" The sign waits until a press finds no sound.
    sign = page.locator(SIGN)
    expect(sign).to_be_hidden()
    reader = _read_to_me(page)
    assert _picture(reader).endswith(SPEAKER)
    reader.tap()
    _no_sound_is_shown(page, reader)
    _fits(page)
    assert_accessible(page)
    _shot(page, f"{orientation}-start")

    # Signed in: the sign has its place in the worry rail, beside Report a worry.
    _sign_in(page, "Ben")
    expect(sign).to_be_hidden()  # a new screen: nothing said yet
    reader = _read_to_me(page)
    reader.tap()
    _no_sound_is_shown(page, reader)
    _fits(page)
    assert_accessible(page)
    _shot(page, f"{orientation}-home")

    # A word tapped on its own: the sign flashes again, and that word shows it was pressed.
    word = page.locator("#say-home button.sym-word").first
    word.tap()
    expect(word).to_have_class(NO_SOUND, timeout=5_000)
    assert word.evaluate("el => getComputedStyle(el).borderTopStyle") == "dashed"
    expect(sign).to_be_visible()

    # The worry flow: Not now holds the rail's place; the sign still fits beside it.
    page.get_by_role("link", name="Report a worry", exact=True).tap()
    expect(page.locator('[data-step="what"]')).to_be_visible()
    page.wait_for_load_state("load")
    reader = _read_to_me(page)
    reader.tap()
    _no_sound_is_shown(page, reader)
    _fits(page)
    assert_accessible(page)
    _shot(page, f"{orientation}-worry")


def test_a_device_that_says_it_cannot_speak_shows_the_sign_at_once(
    ipad_at: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = ipad_at(VIEWPORTS["portrait"], clips=False).new_page()
    enrol_class_ipad(page, live_server, "No sound fails iPad")
    page.wait_for_load_state("load")
    page.evaluate("() => { window.deviceVoice = 'fails'; }")
    reader = _read_to_me(page)
    reader.tap()
    _no_sound_is_shown(page, reader)
    expect(reader).to_have_attribute("aria-pressed", "false")  # not left "reading"


@pytest.mark.parametrize("motion", ["no-preference", "reduce"])
def test_each_press_rings_the_sign_once_but_never_with_reduced_motion(
    ipad_at: Callable[..., BrowserContext], live_server: LiveServer, motion: str
) -> None:
    page = ipad_at(VIEWPORTS["landscape"], clips=False, reduced_motion=motion).new_page()
    enrol_class_ipad(page, live_server, f"No sound motion iPad {motion}")
    page.wait_for_load_state("load")
    page.evaluate("() => { window.deviceVoice = 'fails'; }")
    sign = page.locator(SIGN)
    # Counted as each ring starts, not read at one moment: on a busy machine a 1.2 s ring can
    # be over before the test looks.
    sign.evaluate(
        "el => { window.rings = 0; el.addEventListener('animationstart', () => window.rings++); }"
    )
    ringing = "el => el.getAnimations().length"
    for press in (1, 2):  # the first press, and again while the sign is up
        _read_to_me(page).tap()
        expect(sign).to_be_visible()
        if motion == "reduce":
            page.wait_for_timeout(1_500)
            assert page.evaluate("() => window.rings") == 0
        else:
            page.wait_for_function(f"() => window.rings === {press}")
            page.wait_for_timeout(1_500)  # one ring, then still
            assert page.evaluate("() => window.rings") == press
        assert sign.evaluate(ringing) == 0
        expect(sign).to_be_visible()  # the sign itself stays


def test_while_speech_works_there_is_no_sign(
    ipad_at: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    # The server's clips play: no sign, and the speaker stays a speaker.
    page = ipad_at(VIEWPORTS["landscape"]).new_page()
    enrol_class_ipad(page, live_server, "Sound works iPad")
    _sign_in(page, "Ben")  # clips are made for a signed-in pupil
    reader = _read_to_me(page)
    with page.expect_response("**/speech/clip") as clip:
        reader.tap()
    assert clip.value.status == 200, clip.value.text()
    expect(reader).to_have_attribute("aria-pressed", "true")  # reading aloud
    page.wait_for_timeout(2_000)  # longer than the device voice is given to start
    expect(page.locator(SIGN)).to_be_hidden()
    assert _picture(reader).endswith(SPEAKER)


def test_with_only_the_ipads_own_voice_there_is_no_sign(
    ipad_at: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    # No server clips, but the iPad's own voice speaks: no sign (staff pages say it elsewhere).
    page = ipad_at(VIEWPORTS["landscape"], clips=False).new_page()
    enrol_class_ipad(page, live_server, "Own voice iPad")
    page.wait_for_load_state("load")
    page.evaluate("() => { window.deviceVoice = 'works'; }")
    reader = _read_to_me(page)
    reader.tap()
    page.wait_for_function("() => (window.saidByDevice || []).length > 0")
    page.wait_for_timeout(2_000)
    expect(page.locator(SIGN)).to_be_hidden()
    assert _picture(reader).endswith(SPEAKER)


def test_the_sign_goes_once_sound_is_heard_again(
    ipad_at: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = ipad_at(VIEWPORTS["portrait"], clips=False).new_page()
    enrol_class_ipad(page, live_server, "Sound back iPad")
    page.wait_for_load_state("load")
    reader = _read_to_me(page)
    reader.tap()
    _no_sound_is_shown(page, reader)

    page.evaluate("() => { window.deviceVoice = 'works'; }")  # e.g. a voice installed
    page.locator("#say-start button.sym-word").first.tap()
    expect(page.locator(SIGN)).to_be_hidden(timeout=5_000)
    assert _picture(reader).endswith(SPEAKER)
    expect(reader).not_to_have_class(NO_SOUND)
