"""Switch scanning on a class iPad (step and auto), and the staff symbol tools, in Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from classroom.pupils.models import Scanning
from tests.browser.conftest import LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import (
    enrol_class_ipad,
    latest_incident,
    set_pupil,
    set_scanning,
    with_ring_reach,
)

RING = re.compile(r"\bscan-focus\b")
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  const name = el && (el.getAttribute("aria-label") || el.textContent);
  return (name || "").replace(/\\s+/g, " ").trim();
}"""


def _set_scanning(server: LiveServer, first_name: str, mode: Scanning, interval: int) -> None:
    set_scanning(server, first_name, mode, interval)


def _pupil_on_class_ipad(
    new_ipad: Callable[[], BrowserContext], server: LiveServer, ipad_name: str, pupil: str
) -> Page:
    """Enrol an iPad as a teacher would, then sign the pupil in with the keyboard alone."""
    page = new_ipad().new_page()
    enrol_class_ipad(page, server, ipad_name)
    page.get_by_role("button", name=pupil).focus()  # nobody signed in yet: scanning is off
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    page.wait_for_load_state("load")  # the heading can show before scan.js has started
    return page


def _space_until(page: Page, name: str, limit: int = 60) -> None:
    """Step-scan: press Space (switch 1) until the highlight is on the named item."""
    for _ in range(limit):
        if page.evaluate(FOCUSED_NAME) == name:
            return
        page.keyboard.press("Space")
    raise AssertionError(
        f"scanning never reached {name!r}; stuck on {page.evaluate(FOCUSED_NAME)!r}"
    )


def test_step_scanning_moves_with_space_and_selects_with_enter(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Chloe", Scanning.STEP, 2000)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Oak step-scan iPad", "Chloe")
    finished = ipad.get_by_role("button", name="Finished")
    worry = ipad.get_by_role("link", name="Report a worry", exact=True)

    ipad.keyboard.press("Space")
    expect(finished).not_to_be_focused()  # the screen's content first; Finished comes last
    expect(ipad.locator(":focus")).to_have_class(RING)
    assert ipad.evaluate("getComputedStyle(document.activeElement).transitionDuration") == "0s"
    _space_until(ipad, "Report a worry")
    expect(worry).to_be_focused()
    expect(worry).to_have_class(RING)
    expect(finished).not_to_have_class(RING)
    assert_accessible(ipad)
    ipad.keyboard.press("Space")
    expect(finished).to_be_focused()  # Finished is the last item, after Report a worry
    ipad.keyboard.press("Space")
    expect(finished).not_to_be_focused()  # wrapped round to the top
    _space_until(ipad, "Report a worry")
    ipad.keyboard.press("Enter")

    unkind = ipad.get_by_role("button", name="Someone was unkind", exact=True)
    expect(unkind).to_be_focused()  # each step starts on its answers, not its words
    expect(unkind).to_have_class(RING)
    upsetting = ipad.get_by_role("button", name="I saw something upsetting")
    expect(upsetting).to_have_class(RING)  # the answers are ringed as one group
    assert_accessible(ipad)
    ipad.keyboard.press("Enter")  # into the answers: one at a time now
    expect(upsetting).not_to_have_class(RING)
    ipad.keyboard.press("Space")
    expect(ipad.get_by_role("button", name="I saw something upsetting")).to_be_focused()
    ipad.keyboard.press("Enter")
    expect(ipad.get_by_role("button", name="In a game")).to_be_focused()  # the next step
    assert_accessible(ipad)
    _space_until(ipad, "Send")  # the controls, Send first
    ipad.keyboard.press("Enter")
    expect(ipad.locator(".scan-focus")).to_have_count(1)
    ipad.keyboard.press("Enter")
    expect(ipad.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
    assert_accessible(ipad)
    incident = latest_incident(live_server)
    assert incident is not None
    assert (incident.what, incident.where) == ("upsetting", None)


def _wait_for_highlight(page: Page, name: str, timeout: float) -> None:
    """Auto-scan: wait until the highlight is on the named item (it moves on its own)."""
    try:
        page.wait_for_function(
            f"() => ({FOCUSED_NAME})() === {name!r}", polling="raf", timeout=timeout
        )
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"the highlight never reached {name!r}; it is on {page.evaluate(FOCUSED_NAME)!r}"
        ) from None


# Long enough that the test's own reaction (the wait seeing the highlight arrive, then a key
# sent from Python) always lands within one interval, even on a busy two-core CI machine: at
# 600 ms a slow moment let the highlight move on before Enter arrived, and Enter chose the next
# item. A pupil presses when they see the highlight; the test must be as quick, not quicker.
AUTO_INTERVAL = 1500


def test_auto_scanning_moves_on_its_own_waits_for_speech_and_a_switch_selects(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Finn", Scanning.AUTO, AUTO_INTERVAL)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Oak auto-scan iPad", "Finn")
    ipad.goto(live_server.url + "/pupil/worry")
    # The highlight starts on the first answer; by the time the page's pictures have loaded it
    # may have moved on, so wait for it there (it comes round again).
    _wait_for_highlight(ipad, "Someone was unkind", 12 * AUTO_INTERVAL)

    # The highlight moves with no key pressed; Enter selects whatever it is on: first the
    # group of answers, then one answer.
    ipad.keyboard.press("Enter")
    _wait_for_highlight(ipad, "I saw something upsetting", 4 * AUTO_INTERVAL)

    # While something is being read aloud the highlight stays put, through the choice and the
    # next step, then carries on. Checked every quarter second for more than two intervals,
    # without retrying: a retrying check would pass once the highlight came round again.
    paused_on = ipad.evaluate(
        f"""() => {{
            document.querySelector('[data-read-to-me]').classList.add('is-reading');
            return ({FOCUSED_NAME})();
        }}"""
    )
    assert paused_on == "I saw something upsetting"
    ipad.keyboard.press("Enter")
    chosen = ipad.locator('[data-step="what"] button[aria-pressed="true"]')
    expect(chosen).to_have_text(re.compile(r"I saw something upsetting"))
    expect(ipad.get_by_role("button", name="In a game")).to_be_focused()
    for _ in range(int(2.2 * AUTO_INTERVAL / 250)):
        assert ipad.evaluate(FOCUSED_NAME) == "In a game"
        ipad.wait_for_timeout(250)
    ipad.keyboard.press("Enter")  # into this step's answers
    ipad.evaluate("document.querySelector('[data-read-to-me]').classList.remove('is-reading')")

    # Space selects too, for a pupil with one switch that sends Space.
    _wait_for_highlight(ipad, "On a phone or tablet", 8 * AUTO_INTERVAL)
    ipad.keyboard.press("Space")
    expect(ipad.get_by_role("button", name="Sad", exact=True)).to_be_focused()
    assert_accessible(ipad)


def test_staff_symbol_tools_are_accessible_and_print_as_a_strip(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "teacher")
    page.get_by_role("link", name="Symbols", exact=True).click()
    expect(page.get_by_role("heading", name="Symbols for any text")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Text").fill("Stop, block and tell a trusted adult.")
    page.get_by_label("Symbol size").select_option("extra_large")
    page.get_by_label("Print as").select_option("cards")
    page.get_by_role("button", name="Show with symbols").click()
    output = page.locator("#symbol-output-text")
    expect(output.get_by_role("button", name="trusted adult")).to_be_visible()
    expect(page.get_by_role("button", name="Read to me")).to_be_visible()
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Show with symbols")).to_be_hidden()
    expect(output).to_be_visible()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Symbol for “trusted adult”").click()
    expect(page.get_by_role("heading", name="Choose symbols")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("No picture: show the word only").check()
    page.get_by_label("Use it for").select_option(label="Class Oak")
    page.get_by_role("button", name="Use this picture").click()
    # Back on the text, at the word just changed, showing class Oak's pictures.
    saved = "Saved: the picture for “trusted adult” for class Oak."
    expect(page.locator("#swapped")).to_have_text(saved)
    expect(page.get_by_label("Show the symbols chosen for")).to_have_value(re.compile("^class-"))
    expect(output.get_by_role("button", name="trusted adult").locator("img")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Choose which symbol a word gets").click()
    page.get_by_label("For", exact=True).select_option(label="Class Oak")
    page.get_by_role("button", name="Show pictures").click()
    row = page.locator("tr", has_text="trusted adult")
    expect(row).to_contain_text("No picture")
    assert_accessible(page)
    row.get_by_role("button", name="Clear").click()
    expect(page.get_by_text("Cleared.")).to_be_visible()


# How far a ring reaches beyond its item: the ring tests' one measure (ring_reach.js).
RING_REACH = with_ring_reach("ringReach")


# Where an element's words end on screen: the bottom of their glyphs' boxes (its own box also
# holds the line's spacing below them).
TEXT_BOTTOM = """el => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  let bottom = 0;
  while (walker.nextNode()) {
    if (!walker.currentNode.textContent.trim()) { continue; }
    const range = document.createRange();
    range.selectNodeContents(walker.currentNode);
    for (const rect of range.getClientRects()) { bottom = Math.max(bottom, rect.bottom); }
  }
  return bottom;
}"""


def test_a_ringed_item_neither_moves_nor_covers_the_words_beside_it(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """High contrast and step scanning, at both iPad viewports: Report a worry keeps its place
    when the ring reaches it (it moved 16px, over Our rules), and the ring round the lesson
    tiles leaves the "My lessons" heading above them readable (the high-contrast ring was
    wider and covered half of it)."""
    _set_scanning(live_server, "Chloe", Scanning.STEP, 2000)
    set_pupil(live_server, "Chloe", high_contrast=True)
    try:
        ipad = _pupil_on_class_ipad(new_ipad, live_server, "Oak ring iPad", "Chloe")
        for size in ({"width": 1024, "height": 768}, {"width": 810, "height": 1080}):
            ipad.set_viewport_size(size)
            ipad.reload()
            ipad.wait_for_load_state("load")
            worry = ipad.locator(".worry-rail .worry-button")
            before = worry.bounding_box()
            for _ in range(6):  # on to the group of lesson tiles
                ipad.keyboard.press("Space")
                if ipad.locator(".tile.scan-focus").count():
                    break
            tiles = ipad.locator(".tile.scan-focus").first
            expect(tiles).to_be_visible()
            reach = tiles.evaluate(RING_REACH)
            ring = tiles.bounding_box()
            assert ring is not None
            words = ipad.get_by_text("My lessons").evaluate(TEXT_BOTTOM)
            assert ring["y"] - reach >= words, size
            _space_until(ipad, "Report a worry")
            expect(worry).to_have_class(RING)
            assert worry.bounding_box() == before, size
    finally:
        set_pupil(live_server, "Chloe", high_contrast=False)
        _set_scanning(live_server, "Chloe", Scanning.OFF, 2000)
