"""On the picture password, the switch scanning ring never reaches the progress dots (how many
pictures are entered so far): with one switch (auto) and two (step), at both iPad viewports and
every symbol size, on the first screen and after a wrong try ("Let's try again.", "Please ask a
trusted adult to help you."), the ring round each stop (the pictures, Read to me and Back) keeps
a pixel of the page between it and each dot, and the screen still fits: nothing to scroll, every
target in view and at least 64px.

Before, the dots stood .5rem (8px) from the pictures under them and, in portrait at the large
and extra large sizes, from Read to me above them (on a line of its own there); the ring reaches
13px, so it lay 5px over the dots.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

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
from tests.browser.test_try_again_fits import OUT_OF_REACH, _forget_tries, _try_wrong_pictures
from tests.live import LiveServer

VIEWPORTS = IPAD_VIEWPORTS
INTERVAL = FAST_SCAN
MEASURE = ring_measure("measure_ring_notes.js")
# One switch: the ring moves on its own; every place it stands for two rounds of the screen.
AUTO_ROUND = auto_round(MEASURE, 6)
SAID = (None, "try again", "trusted adult")  # the first screen, then after wrong tries
SHOTS = os.environ.get("CLASSROOM_SCREENSHOTS")  # a folder: each screen, Read to me ringed


def _open_pictures(page: Page, server: LiveServer, said: str | None) -> None:
    """Dev's picture password: fresh, or after wrong tries until the screen says `said`."""
    _forget_tries(server)
    if said is None:
        page.goto(server.url + "/class-ipad")
        page.get_by_role("button", name="Dev", exact=True).click()
    else:
        _try_wrong_pictures(page, server, said)
    expect(page.locator(".progress .dot")).to_have_count(3)
    expect(page.locator(".scan-focus").first).to_be_visible()


def _round(page: Page, mode: Scanning, label: str) -> list[dict[str, Any]]:
    """The ring at every stop of the screen."""
    if mode is Scanning.AUTO:
        return page.evaluate(AUTO_ROUND)
    rounds = [page.evaluate(MEASURE)]
    for _press in range(3):  # two switches: Space moves the ring on, round every stop
        page.keyboard.press("Space")
        rounds.append(page.evaluate(MEASURE))
        if SHOTS and "Read to me" in rounds[-1]["ringed"]:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SHOTS}/{label.replace(' ', '-')}.png")
    return rounds


def test_the_scanning_ring_never_reaches_the_picture_password_dots(
    browser: Browser, live_server: LiveServer
) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    screens: dict[str, list[str]] = {}
    try:
        for (orientation, viewport), mode in itertools.product(VIEWPORTS.items(), Scanning):
            if mode is Scanning.OFF:
                continue
            set_scanning(live_server, "Dev", mode, INTERVAL)
            context = browser.new_context(viewport=viewport, has_touch=True, locale="en-GB")
            context.set_default_timeout(WAIT_MS)
            page = context.new_page()
            enrol_class_ipad(page, live_server, f"Ring dots iPad {orientation} {mode.value}")
            sizes = AUTO_SIZES if mode is Scanning.AUTO else tuple(SymbolSize)
            for size, said in itertools.product(sizes, SAID):
                set_symbol_size(live_server, "Dev", size)
                _open_pictures(page, live_server, said)
                label = f"{orientation}-{mode.value}-{size.value}-{said or 'first'}"
                screens[label] = page.evaluate(OUT_OF_REACH)
                found[label] = _round(page, mode, label)
            context.close()
    finally:
        set_scanning(live_server, "Dev", Scanning.OFF, 2000)
        set_symbol_size(live_server, "Dev", SymbolSize.LARGE)
        _forget_tries(live_server)
    assert len(found) == len(VIEWPORTS) * (len(SymbolSize) + len(AUTO_SIZES)) * len(SAID)
    # The ring stood round the pictures and round Read to me, the dots showing.
    for label, rounds in found.items():
        stops = {stop for r in rounds for stop in r["ringed"]}
        assert {"cat", "Read to me"} <= stops, (label, stops)
        assert all(r["dots"] == 3 for r in rounds), label
    covering = [
        f"{k}: {c}" for k, v in found.items() for c in sorted({c for r in v for c in r["covers"]})
    ]
    assert covering == [], "\n".join(covering)
    assert {k: v for k, v in screens.items() if v} == {}
