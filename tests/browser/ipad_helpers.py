"""A class iPad in a browser test: enrolled as a teacher would, and what a pupil sent from it."""

from __future__ import annotations

import struct
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil, Scanning, SymbolSize
from classroom.worries import services
from classroom.worries.models import Incident
from tests.app_settings import base_url
from tests.browser.conftest import WAIT_MS, LiveServer, sign_in, sign_out

HERE = Path(__file__).parent
# The class iPads' screens, each way up.
IPAD_VIEWPORTS: dict[str, ViewportSize] = {
    "landscape": {"width": 1024, "height": 768},
    "portrait": {"width": 810, "height": 1080},
}
FAST_SCAN = 500  # ms: the shortest auto-scan step scan.js allows, so a round is quick
# The symbol sizes a one-switch (auto) ring walk measures: the smallest and the largest. The ring
# stands where a two-switch (step) walk's does, which measures every size; auto waits in real
# time for each move, and the middle size cost minutes of CI and found nothing the others miss.
AUTO_SIZES = (SymbolSize.MEDIUM, SymbolSize.EXTRA_LARGE)


# The end of a speaker script (`() => { ...` with window.playedClips = [] set): each server clip
# played is kept by its address and ends a moment later, as a short clip does; nothing else
# (the silent sound that unlocks audio) is counted.
PLAYS_SERVER_CLIPS = """  HTMLMediaElement.prototype.play = function () {
    const src = this.src || "";
    if (src.indexOf("/speech/audio/") >= 0) {
      window.playedClips.push(src);
      setTimeout(() => this.dispatchEvent(new Event("ended")), 50);
    }
    return Promise.resolve();
  };
  HTMLMediaElement.prototype.pause = function () {};
}"""


def on_screen(page: Page, target: Locator) -> None:
    """The whole of `target` is on the screen as it is, with no scrolling."""
    box = target.bounding_box()
    assert box is not None
    height = page.viewport_size["height"] if page.viewport_size else 0
    assert box["y"] >= -1, (target, box)  # a pixel's rounding either way
    assert box["y"] + box["height"] <= height + 1, (target, box, height)


def new_kind_words_lesson(context: BrowserContext, server: LiveServer) -> Page:
    """A teacher's new lesson in the editor, its title, topic and strand filled in: the rest is
    each walk's own."""
    page = context.new_page()
    sign_in(page, server, "teacher")
    page.goto(f"{server.url}/authoring/new")
    page.locator("#f-title").fill("Kind words")
    page.locator("#f-topic").fill("Kind and unkind messages")
    page.get_by_label("Online bullying").check()
    return page


def enrol_class_ipad(page: Page, server: LiveServer, ipad_name: str) -> None:
    """The teacher makes this browser a class iPad and signs out, leaving its start screen."""
    make_class_ipad(page, server, ipad_name)
    # A class iPad signs out to its tiles. Not loaded again: a load begun while the service
    # worker the tiles registered is still installing is one its claim() misses.
    sign_out(page)
    expect(page).to_have_url(server.url + "/class-ipad")


def make_class_ipad(page: Page, server: LiveServer, ipad_name: str) -> None:
    """The teacher signs in and makes this browser a class iPad (still signed in)."""
    sign_in(page, server, "teacher")
    page.goto(server.url + "/class-ipads/")
    form = page.locator("form", has=page.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill(ipad_name)
    form.get_by_role("button", name="Make this a class iPad").click()


def latest_incident(server: LiveServer) -> Incident | None:
    with server.app.app_context():
        return get_session().scalars(select(Incident).order_by(Incident.id.desc())).first()


def logged_concern(server: LiveServer, summary: str, exact_words: str) -> int:
    """A concern the demo's teacher logged about the first demo pupil (said by AAC): its id."""
    with server.app.app_context():
        db = get_session()
        teacher = db.scalars(select(Account).where(Account.username == "teacher")).one()
        pupil = db.scalars(select(Pupil).order_by(Pupil.id)).first()
        assert pupil is not None
        data = services.ConcernInput(
            pupil_id=pupil.id,
            summary=summary,
            communication="aac",
            exact_words=exact_words,
            category=None,
        )
        incident = services.raise_concern(
            db, teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
        )
        db.commit()
        return incident.id


def set_pupil(server: LiveServer, first_name: str, **settings: object) -> None:
    """A pupil's settings as staff set them (e.g. symbol_size=SymbolSize.LARGE)."""
    with server.app.app_context():
        db = get_session()
        pupil = db.scalar(select(Pupil).where(Pupil.first_name == first_name))
        assert pupil is not None
        for name, value in settings.items():
            assert hasattr(pupil, name), name
            setattr(pupil, name, value)
        db.commit()


def set_scanning(
    server: LiveServer,
    first_name: str,
    mode: Scanning,
    interval: int,
    auditory: bool | None = None,
) -> None:
    """A pupil's switch scanning as staff set it (`auditory`: None leaves it as it is)."""
    settings: dict[str, object] = {"scanning": mode, "scan_interval_ms": interval}
    if auditory is not None:
        settings["auditory_scanning"] = auditory
    set_pupil(server, first_name, **settings)


def set_symbol_size(server: LiveServer, first_name: str, size: SymbolSize) -> None:
    """A pupil's symbol size as staff set it."""
    set_pupil(server, first_name, symbol_size=size)


# The page's idle time, as the school could set it, but in seconds: set on <body> as it is made,
# before app.js reads it.
IDLE_IN_SIX_SECONDS = """
new MutationObserver(function (_records, observer) {
  if (!document.body) { return; }
  if (document.body.hasAttribute("data-idle-minutes")) {
    document.body.setAttribute("data-idle-minutes", "0.1");
  }
  observer.disconnect();
}).observe(document, { childList: true, subtree: true });
"""


def class_ipad(new_ipad: Callable[[], BrowserContext], server: LiveServer, name: str) -> Page:
    """A new iPad made a class iPad by a teacher, on the class tiles."""
    page = new_ipad().new_page()
    enrol_class_ipad(page, server, name)
    return page


def with_ring_reach(measure: str) -> str:
    """`measure`, a JavaScript expression whose value is a function, with ring_reach.js (the
    ring's reach, ringReach, and its helpers) in front of it. An expression whose value is that
    function: page.evaluate calls it, and a script can hold it (`const measure = ...`)."""
    reach = (HERE / "ring_reach.js").read_text().strip()
    return f"(() => {{\n{reach}\nreturn {measure};\n}})()"


def ring_measure(name: str) -> str:
    """A measure of the switch scanning ring (tests/browser/measure_scan_ring.js or
    measure_ring_notes.js), with the ring's reach that both use (ring_reach.js) in front of it."""
    return with_ring_reach((HERE / name).read_text().strip())


def auto_round(measure: str, steps: int) -> str:
    """A script measuring the ring wherever it stands, with one switch (the ring moves on its
    own, FAST_SCAN apart), for `steps` steps: each place it stood, measured once."""
    return f"""() => new Promise(resolve => {{
  const measure = {measure};
  const seen = {{}};
  const look = () => {{ const m = measure(); seen[m.ringed.join(" | ")] = m; }};
  const every = setInterval(look, 50);
  setTimeout(() => {{ clearInterval(every); look(); resolve(Object.values(seen)); }},
    {FAST_SCAN * steps});
}})"""


def record_shifts(counts: str) -> str:
    """An init script keeping on the window every layout shift from the page's start (buffered)
    that moved a box for which the JS function `counts(node)` is true (node may be null), with
    when it came and what moved from where to where."""
    return f"""
window.layoutShifts = [];
new PerformanceObserver(function (list) {{
  var counts = {counts};
  list.getEntries().forEach(function (entry) {{
    var moved = entry.sources.filter(function (s) {{ return counts(s.node); }});
    if (moved.length) {{
      window.layoutShifts.push({{ value: entry.value, at: entry.startTime, moved: moved.map(
        function (s) {{
          var n = s.node;
          return {{ what: n ? (n.id || n.className || n.nodeName) : "?",
                   from: s.previousRect.toJSON(), to: s.currentRect.toJSON() }};
        }}) }});
    }}
  }});
}}).observe({{ type: "layout-shift", buffered: true }});
"""


# The shifts recorded, less one kind that is not the screen moving: a box that only grew upwards
# (same left, width and foot) before the page was all read. Under load, Chromium paints a piece's
# pictures before it has read the words under them ("Not now"'s picture before its word), and the
# box grows over its picture once the word is read: the page still arriving, as on any network,
# not what a pupil sees move under a finger once it is there.
SETTLED_SHIFTS = """() => {
  var read = performance.getEntriesByType("navigation")[0].domInteractive;
  function grewInPlace(s) {
    var a = s.from, b = s.to;
    return Math.abs(a.left - b.left) < 1 && Math.abs(a.width - b.width) < 1
      && Math.abs(a.bottom - b.bottom) < 1 && b.height > a.height;
  }
  return window.layoutShifts.map(function (shift) {
    var moved = shift.at < read ? shift.moved.filter(function (s) { return !grewInPlace(s); })
                                : shift.moved;
    return { value: shift.value, moved: moved.map(function (s) {
      return s.what + " " + JSON.stringify(s.from) + " -> " + JSON.stringify(s.to); }) };
  }).filter(function (shift) { return shift.moved.length; });
}"""


MEASURE_SCREEN = (HERE / "measure_pupil_screen.js").read_text().strip()
HEAR_SCREEN = (HERE / "hear_pupil_screen.js").read_text().strip()


def screen_fits(page: Page) -> None:
    """A pupil screen as it must be: nothing to scroll, nothing covered, every target big
    enough, and every word on it can be heard."""
    assert page.evaluate("() => document.scrollingElement.scrollHeight <= window.innerHeight + 1")
    problems = page.evaluate(MEASURE_SCREEN)
    assert problems == [], problems
    assert page.evaluate(HEAR_SCREEN) == []


def silent_wav(seconds: int) -> bytes:
    """A WAV of silence, for a test's stand-in speech: long enough for words to be lit in turn
    while it plays."""
    frames = 8000 * seconds
    header = b"RIFF" + struct.pack("<I", 36 + frames * 2) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    return header + b"data" + struct.pack("<I", frames * 2) + bytes(frames * 2)


def enrolled_ipad_at(
    browser: Browser, server: LiveServer, way_up: str, ipad_name: str
) -> tuple[BrowserContext, Page]:
    """A class iPad held `way_up` (IPAD_VIEWPORTS), enrolled and on its class tiles; the
    caller closes the context."""
    context = browser.new_context(viewport=IPAD_VIEWPORTS[way_up], has_touch=True, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    enrol_class_ipad(page, server, ipad_name)
    return context, page
