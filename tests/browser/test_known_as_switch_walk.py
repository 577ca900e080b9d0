"""A two-switch pupil known by another name: "Devendra" on the register, "Sunny" to everyone.

At the class iPad held portrait (810x1080), with step scanning and auditory scanning: the class
tiles (the tiles have no scanning, as no pupil is known yet: the switch interface's "move" is
Tab there), the picture password, home, one lesson to its end (pre-formal "I like me", whose
first step is the pupil's own photo), Report a worry to its thanks, and Finished. "Sunny" is
what is heard and shown; the legal first name is never heard (the clips asked of the server and
the device's own voice) nor on any of those screens (text, aria-labels, alt, titles).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from classroom.accounts.passwords import hash_password
from classroom.db import get_session
from classroom.pupils.models import Pathway, Pupil, Scanning
from tests.browser.ipad_helpers import class_ipad, latest_incident, set_pupil, set_scanning
from tests.browser.test_switch_journeys import Switch, _lesson, _ready
from tests.live import LiveServer

LEGAL = "Devendra"
KNOWN_AS = "Sunny"
PICTURES = ("1F431", "1F436", "2B50")  # cat, dog, star
LESSON = "I like me"


def _rename(server: LiveServer, first_name: str, legal: str) -> None:
    """The pupil's legal first name, as the register has it."""
    with server.app.app_context():
        db = get_session()
        pupil = db.scalars(select(Pupil).where(Pupil.first_name == first_name)).one()
        pupil.first_name = legal
        db.commit()


# What the device's own voice is given, kept across screens (window.__said starts afresh on each).
KEEP_DEVICE_SPEECH = """
if (window.speechSynthesis) {
  const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = utterance => {
    window.deviceSaid(utterance.text);
    speak(utterance);
  };
}
"""


@dataclass
class Hearing(Switch):
    """Two switches, and all they heard on every screen: the clips asked of the server and what
    the device's own voice was given."""

    device: list[str] = field(default_factory=list)

    def listen(self) -> None:
        super().listen()
        self.page.expose_function("deviceSaid", lambda text: self.device.append(str(text)))
        self.page.add_init_script(KEEP_DEVICE_SPEECH)


def _said(switch: Hearing) -> list[str]:
    return switch.heard + switch.device


def _hear(switch: Hearing, words: str) -> None:
    """`words` are said (by a clip or by the device), within a few seconds."""
    for _ in range(100):
        if any(words in said for said in _said(switch)):
            return
        switch.page.wait_for_timeout(50)
    raise AssertionError(f"{words!r} was never said; heard {_said(switch)[-8:]}")


def _no_legal_name(page: Page, screens: list[str]) -> None:
    """Not in the page's words, attributes (aria-label, alt, title, data-say) or its title."""
    page.wait_for_load_state("load")
    html = page.content()
    assert LEGAL.casefold() not in html.casefold(), (page.url, _around(html))
    assert LEGAL not in page.title()
    screens.append(page.url)


def _around(html: str) -> str:
    at = html.casefold().index(LEGAL.casefold())
    return html[max(0, at - 160) : at + 80]


def test_sunny_is_heard_and_seen_and_devendra_never_on_a_two_switch_walk(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    set_scanning(live_server, "Amira", Scanning.STEP, 700, auditory=True)
    set_pupil(
        live_server,
        "Amira",  # her tile and the "me" step show her photo (her carers consented)
        known_as=KNOWN_AS,
        pathway=Pathway.PRE_FORMAL,
        home_lessons=0,
        picture_password_hash=hash_password(",".join(PICTURES)),
        picture_password_length=len(PICTURES),
    )
    _rename(live_server, "Amira", LEGAL)
    page = class_ipad(new_ipad, live_server, "Oak known-as switch iPad")
    assert page.viewport_size == {"width": 810, "height": 1080}
    switch = Hearing(page, Scanning.STEP)
    switch.listen()
    screens: list[str] = []

    # The class tiles: Read to me says every name; the pupil's tile is named and said "Sunny".
    page.goto(live_server.url + "/class-ipad")
    tile = page.get_by_role("button", name=KNOWN_AS, exact=True)
    expect(tile).to_be_visible()
    _no_legal_name(page, screens)
    page.locator('[data-read-to-me="say-start"]').click()
    _hear(switch, KNOWN_AS)
    for _ in range(30):  # Tab, as the switch interface moves, to the tile
        if tile.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(tile).to_be_focused()
    page.keyboard.press("Enter")

    # The picture password, by switch.
    expect(page.get_by_role("heading", name=re.compile(KNOWN_AS))).to_be_visible()
    _ready(page)
    _no_legal_name(page, screens)
    read = page.locator('[data-read-to-me="say-pictures"]')
    switch.choose(read)
    _hear(switch, f"{KNOWN_AS}, tap your pictures")
    for code in PICTURES:
        _ready(page)
        switch.choose(page.locator(f'button[name="pick"][value="{code}"]'))

    # Home: "Hello Sunny", shown and heard.
    expect(page.get_by_role("heading", name=f"Hello {KNOWN_AS}")).to_be_visible()
    expect(page.locator(".pupil-me")).to_have_text(KNOWN_AS)  # the name bar
    _ready(page)
    _no_legal_name(page, screens)
    switch.choose(page.locator('[data-read-to-me="say-home"]'))
    _hear(switch, f"Hello {KNOWN_AS}")

    # One lesson, every step, to its end.
    lesson = page.get_by_role("link", name=re.compile(f"{re.escape(LESSON)}$"))
    while not lesson.is_visible():
        switch.choose(page.get_by_role("link", name="More", exact=True))
    switch.choose(lesson)
    _ready(page)
    _no_legal_name(page, screens)
    switch.choose(page.get_by_role("button", name="Start"))
    for number in range(1, len(_lesson(live_server, "i-like-me", "pre_formal").steps) + 1):
        expect(page).to_have_url(re.compile(f"/steps/{number}$"))
        _ready(page)
        _no_legal_name(page, screens)
        card = page.locator("form.answers button:visible")
        if card.count():
            switch.choose(card.first)
            _ready(page)
            _no_legal_name(page, screens)  # the feedback: the "me" step shows the photo
            if number == 1:
                photo = page.locator(".me-picture img")
                expect(photo).to_have_attribute("alt", KNOWN_AS)
        switch.choose(page.locator(".step-nav .big-next"))
    expect(page.get_by_role("heading", name=re.compile("Well done"))).to_be_visible()
    _ready(page)
    _no_legal_name(page, screens)

    # Report a worry, to its thanks.
    switch.choose(page.locator(".worry-rail a:visible").first)
    expect(page.get_by_role("heading", name="Report a worry")).to_be_visible()
    _ready(page)
    _no_legal_name(page, screens)
    for answer in ("I saw something upsetting", "In a game", "Sad"):
        switch.choose(page.get_by_role("button", name=answer, exact=True))
        _ready(page)
        _no_legal_name(page, screens)
    switch.choose(page.locator('[data-step="talk_to"] button.choice-card').first)
    switch.choose(page.get_by_role("button", name="Send"))
    expect(page.get_by_role("heading", name="Thank you for telling.")).to_be_visible(timeout=20_000)
    _ready(page)
    _no_legal_name(page, screens)
    incident = latest_incident(live_server)
    assert incident is not None
    assert (incident.what, incident.where) == ("upsetting", "game")

    # Finished: back to the tiles.
    switch.choose(page.get_by_role("button", name="Finished"))
    expect(page.get_by_role("dialog")).to_be_visible()
    _no_legal_name(page, screens)
    switch.choose(page.get_by_role("button", name="Yes, I am finished"))
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    _no_legal_name(page, screens)

    heard_legal = [said for said in _said(switch) if LEGAL.casefold() in said.casefold()]
    assert heard_legal == [], heard_legal
    assert len(screens) >= 15, screens
