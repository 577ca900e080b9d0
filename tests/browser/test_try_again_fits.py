"""After a wrong picture password, "Let's try again." shows under the heading (and once the
tries run out, "Please ask a trusted adult to help you."), and the screen still fits the
class iPad: nothing to scroll, every picture and Back in view and at least 64 px, at both
viewports and every symbol size. In landscape the message's pictures are as big as any pupil
sentence's (the pupil's own size, up to 10vh).

Before, at the large and extra large sizes in portrait, the heading and its message (each word
a picture at the pupil's own size) stood about 669 px tall, and the pictures to tap were below
the screen's foot: a pupil had to scroll to reach them.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import delete

from classroom.accounts.models import LoginAttempt
from classroom.db import get_session
from classroom.pupils.models import SymbolSize
from tests.browser.conftest import WAIT_MS
from tests.browser.ipad_helpers import enrol_class_ipad, set_symbol_size
from tests.live import LiveServer

VIEWPORTS: dict[str, ViewportSize] = {
    "landscape": {"width": 1024, "height": 768},
    "portrait": {"width": 810, "height": 1080},
}
WRONG = ("star", "dog", "cat")  # Dev's pictures are cat, dog, star
SHOTS = os.environ.get("CLASSROOM_SCREENSHOTS")  # a folder: a PNG of each screen checked

# What a pupil would find out of reach: something to scroll, and each picture and Back that is
# off the screen, cut off by the content's own box, or under 64 px.
OUT_OF_REACH = """() => {
  const problems = [];
  for (const box of [document.scrollingElement, ...document.querySelectorAll(".pupil-main")]) {
    if (box.scrollHeight > box.clientHeight || box.scrollWidth > box.clientWidth) {
      problems.push("something to scroll: " + (box.id || box.tagName));
    }
  }
  const main = document.querySelector(".pupil-main").getBoundingClientRect();
  const targets = [...document.querySelectorAll(".picture-grid .tile, a.back")];
  if (targets.length < 4) { problems.push("only " + targets.length + " targets"); }
  for (const el of targets) {
    const r = el.getBoundingClientRect();
    const name = el.textContent.trim().replace(/\\s+/g, " ");
    if (r.top < 0 || r.left < 0 || r.bottom > innerHeight + 0.5 || r.right > innerWidth + 0.5 ||
        r.top < main.top - 0.5 || r.bottom > main.bottom + 0.5) {
      problems.push("not in view: " + name + " at " + Math.round(r.top) + "-" +
        Math.round(r.bottom));
    }
    if (r.width < 64 || r.height < 64) {
      problems.push("smaller than 64px: " + name + " " + Math.round(r.width) + "x" +
        Math.round(r.height));
    }
  }
  return problems;
}"""


# The message's pictures, and the size a pupil screen's sentence pictures keep to there: the
# pupil's own size, capped at 10vh (pupil-layout.css), so no smaller than any other sentence's.
MESSAGE_PICTURES = """() => {
  const own = parseFloat(getComputedStyle(document.querySelector(".pupil-message"))
    .getPropertyValue("--sym-size"));
  const heights = [...document.querySelectorAll(".pupil-message .sym-img")]
    .map(img => img.getBoundingClientRect().height);
  return { smallest: Math.min(...heights), full: Math.min(own, innerHeight / 10) };
}"""


def _forget_tries(server: LiveServer) -> None:
    """A fresh count of wrong tries, so the next one says "try again", not "ask an adult"."""
    with server.app.app_context():
        db = get_session()
        db.execute(delete(LoginAttempt).where(LoginAttempt.kind == "picture"))
        db.commit()


def _try_wrong_pictures(page: Page, server: LiveServer, said: str = "try again") -> None:
    """Dev's wrong pictures, again until the screen says `said`: "try again" after one wrong
    try, "trusted adult" once the tries run out (the pictures stay, for when the wait is over)."""
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name="Dev", exact=True).click()
    message = page.locator(".pupil-message[role=status]")
    for _try in range(8):
        one_wrong_try(page)
        if said in (message.text_content() or ""):
            break
    expect(message).to_contain_text(said)


def one_wrong_try(page: Page) -> None:
    """Dev's three wrong pictures, each sent and its answer loaded before the next is tapped.
    (Tapped while the last answer was still on its way, a picture goes on the page before and
    the server counts two tries: on a busy machine the screen jumped to "ask an adult".)"""
    for word in WRONG:
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("button", name=word, exact=True).click()


def test_try_again_screen_fits_at_every_size(browser: Browser, live_server: LiveServer) -> None:
    problems: dict[str, list[str]] = {}
    try:
        for orientation, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, has_touch=True, locale="en-GB")
            context.set_default_timeout(WAIT_MS)
            page = context.new_page()
            enrol_class_ipad(page, live_server, f"Try again iPad {orientation}")
            for size, said in itertools.product(SymbolSize, ("try again", "trusted adult")):
                set_symbol_size(live_server, "Dev", size)
                _forget_tries(live_server)
                _try_wrong_pictures(page, live_server, said)
                label = f"{orientation}-{size.value}-{said.replace(' ', '-')}"
                if SHOTS:
                    Path(SHOTS).mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=f"{SHOTS}/{label}.png")
                found: list[str] = page.evaluate(OUT_OF_REACH)
                pictures = page.evaluate(MESSAGE_PICTURES)
                # In landscape (a short screen) the message's pictures are not made smaller to
                # fit: before, they were capped at 6vh, 46px where a pupil's own size is 128px.
                if orientation == "landscape" and pictures["smallest"] < pictures["full"] - 0.5:
                    found.append(f"message pictures {pictures}")
                if found:
                    problems[label] = found
            context.close()
    finally:
        set_symbol_size(live_server, "Dev", SymbolSize.LARGE)
        _forget_tries(live_server)
    report = "\n".join(f"{label}: {'; '.join(p)}" for label, p in sorted(problems.items()))
    assert problems == {}, report
