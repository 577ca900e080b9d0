"""The switch scanning ring never reaches the notes beside it: "A worry is saved on this iPad. It
is not sent yet." (a worry waiting on the iPad, static/js/worry-outbox.js) and "No sound. Ask an
adult." (a press that found no way to speak, static/js/speech.js). With one switch (auto) and two
(step), at both iPad viewports and every symbol size, the ring round each scan stop (the
screen's content, its controls, Report a worry or Not now, Finished) is measured against those
notes, box and border, and every word and picture outside it: on home with each note alone and
with both, in the worry flow, and on the picture password before sign-in.

Before, the notes stood .75rem (12px) from Report a worry, in the landscape column above it and
in the portrait bar beside it; the ring reaches 13px, so it lay over their edge.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from classroom.pupils.models import Scanning, SymbolSize
from tests.browser.conftest import WAIT_MS
from tests.browser.ipad_helpers import (
    AUTO_SIZES,
    FAST_SCAN,
    IPAD_VIEWPORTS,
    auto_round,
    enrol_class_ipad,
    ring_measure,
    set_scanning,
    set_symbol_size,
)
from tests.live import LiveServer

VIEWPORTS = IPAD_VIEWPORTS
INTERVAL = FAST_SCAN
HERE = Path(__file__).parent
NOTES = ring_measure("measure_ring_notes.js")
SCREEN = (HERE / "measure_pupil_screen.js").read_text().strip()
SCROLLS = """() => [document.scrollingElement, ...document.querySelectorAll(".pupil-main")]
  .some(box => box.scrollHeight > box.clientHeight || box.scrollWidth > box.clientWidth)"""
# One switch: the ring moves on its own; every place it stands for two rounds of the screen.
AUTO_ROUND = auto_round(NOTES, 10)
# No voice on the iPad: nothing it is given is ever said (as tests/browser/test_no_sound_sign.py).
NO_VOICE = """(() => {
  const synth = window.speechSynthesis;
  synth.getVoices = () => [];
  synth.speak = () => {};
  synth.cancel = () => {};
})()"""
# A worry saved on this iPad, as worry.js saves one (already sealed: this is only its envelope).
SAVE_WORRY = """() => window.classroomWorryOutbox.save("ring-notes-test", { c: "sealed" })"""
# ...and gone again (sent), so the next round starts with no note.
SENT = """() => new Promise(resolve => {
  const open = indexedDB.open("classroom", 1);
  open.onsuccess = () => {
    const tx = open.result.transaction("worries", "readwrite");
    tx.objectStore("worries").clear();
    tx.oncomplete = () => { open.result.close(); resolve(true); };
  };
})"""
SHOTS = os.environ.get("CLASSROOM_SCREENSHOTS")  # a folder: each screen, ringed by the notes
NEAR_NOTES = {"Report a worry", "Not now", "Back"}


def _unreachable(route: Route) -> None:
    route.abort()  # no answer: the school's server cannot be reached for this


class Screens:
    """One iPad, one way of scanning: the ring at each of its stops, on each screen shown."""

    def __init__(self, page: Page, mode: Scanning) -> None:
        self.page = page
        self.mode = mode
        self.found: dict[str, list[dict[str, Any]]] = {}
        self.screens: dict[str, list[str]] = {}

    def measure(self, label: str) -> None:
        page = self.page
        expect(page.locator(".scan-focus").first).to_be_visible()
        screen: list[str] = page.evaluate(SCREEN)
        if page.evaluate(SCROLLS):
            screen.append("something to scroll")
        self.screens[label] = screen
        if self.mode is Scanning.AUTO:
            self.found[label] = page.evaluate(AUTO_ROUND)
            return
        rounds = [page.evaluate(NOTES)]
        for _press in range(5):  # two switches: Space moves the ring on, round every stop
            page.keyboard.press("Space")
            rounds.append(page.evaluate(NOTES))
            if SHOTS and set(rounds[-1]["ringed"]) & NEAR_NOTES:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/{label.replace(' ', '-')}.png")
        self.found[label] = rounds

    def no_sound(self) -> None:
        """Read to me, pressed with no way to speak: the sign shows."""
        self.page.locator("[data-read-to-me]:visible").first.click()
        expect(self.page.locator("#speech-sign")).to_be_visible(timeout=5_000)


def _pupil_screens(page: Page, server: LiveServer, screens: Screens, label: str) -> None:
    pending = page.locator("[data-worry-pending]")
    page.get_by_role("button", name="Chloe", exact=True).click()
    expect(page.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    page.wait_for_load_state("load")
    screens.no_sound()
    screens.measure(f"{label} home no-sound")
    page.evaluate(SAVE_WORRY)
    page.reload()  # the outbox tries to send it, cannot, and says so
    expect(pending).to_be_visible()
    expect(page.locator("#speech-sign")).to_be_hidden()
    screens.measure(f"{label} home not-sent")
    screens.no_sound()
    screens.measure(f"{label} home both")
    page.get_by_role("link", name="Report a worry", exact=True).click()
    expect(page.locator('[data-step="what"]')).to_be_visible()
    expect(pending).to_be_visible()
    page.wait_for_load_state("load")
    screens.no_sound()
    screens.measure(f"{label} worry both")
    page.goto(server.url + "/pupil/")
    page.locator("#finished-form button").click()
    page.locator("[data-confirm-finish]").click()
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    page.get_by_role("button", name="Dev", exact=True).click()  # his picture password
    expect(pending).to_be_visible()
    page.wait_for_load_state("load")
    screens.no_sound()
    screens.measure(f"{label} pictures both")
    page.evaluate(SENT)
    page.goto(server.url + "/class-ipad")
    expect(pending).to_be_hidden()


@pytest.fixture
def scanning_ipad(browser: Browser, live_server: LiveServer) -> Callable[[str, Scanning], Screens]:
    def open_ipad(orientation: str, mode: Scanning) -> Screens:
        context = browser.new_context(
            viewport=VIEWPORTS[orientation], has_touch=True, locale="en-GB", service_workers="block"
        )
        context.set_default_timeout(WAIT_MS)
        context.add_init_script(NO_VOICE)
        context.route("**/speech/clip", _unreachable)
        context.route("**/class-ipad/worries", _unreachable)
        page = context.new_page()
        enrol_class_ipad(page, live_server, f"Ring notes iPad {orientation} {mode.value}")
        return Screens(page, mode)

    return open_ipad


@pytest.mark.parametrize("mode", [Scanning.STEP, Scanning.AUTO])
def test_the_scanning_ring_never_reaches_a_note_or_sign(
    scanning_ipad: Callable[[str, Scanning], Screens], live_server: LiveServer, mode: Scanning
) -> None:
    for pupil in ("Chloe", "Dev"):
        set_scanning(live_server, pupil, mode, INTERVAL)
    found: dict[str, list[dict[str, Any]]] = {}
    problems: dict[str, list[str]] = {}
    try:
        for orientation in VIEWPORTS:
            screens = scanning_ipad(orientation, mode)
            for size in AUTO_SIZES if mode is Scanning.AUTO else SymbolSize:
                for pupil in ("Chloe", "Dev"):
                    set_symbol_size(live_server, pupil, size)
                _pupil_screens(screens.page, live_server, screens, f"{orientation}-{size.value}")
            screens.page.context.close()
            found |= screens.found
            problems |= {k: v for k, v in screens.screens.items() if v}
    finally:
        for pupil in ("Chloe", "Dev"):
            set_scanning(live_server, pupil, Scanning.OFF, 2000)
    sizes = len(AUTO_SIZES) if mode is Scanning.AUTO else len(SymbolSize)
    assert len(found) == len(VIEWPORTS) * sizes * 5
    # The ring stood at every stop, the notes beside it showing.
    for label, rounds in found.items():
        stops = {stop for r in rounds for stop in r["ringed"]}
        if "pictures" not in label:
            assert {"Finished"} <= stops, (label, stops)
            assert stops & {"Report a worry", "Not now"}, (label, stops)
        notes = {note for r in rounds for note in r["notes"]}
        assert "not-sent" in label or any(n.startswith("No sound") for n in notes), (label, notes)
        assert "no-sound" in label or any(n.startswith("A worry") for n in notes), (label, notes)
    covering = [
        f"{k}: {c}" for k, v in found.items() for c in sorted({c for r in v for c in r["covers"]})
    ]
    assert covering == [], "\n".join(covering)
    assert problems == {}
