"""A class iPad with nobody signed in speaks in the school's voice, and only its own words.

Before, /speech/clip was for signed-in people only: the tiles screen ("Who are you?" and every
name) and a picture password ("Dev, tap your pictures") got the sign-in page (302) for every
clip, so the iPad said them in its own voice, a different voice from the pupil's screens a
moment later, and asked the server again every few seconds. Now a class iPad (a live device
cookie) gets clips for what those screens say: taken here from the screens themselves, as
static/js/speech.js and scan.js send them. Anything else is refused (403, "use the device's
voice for this") before a clip is made or even found in the cache, so a device cookie taken
off the iPad is no free speech engine; new clips count against the iPad's own allowance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.devices import services as devices
from classroom.devices.models import Device
from classroom.pupils.models import Pupil, SchoolClass
from classroom.pupils.services import set_picture_password
from classroom.speech import services
from classroom.speech.models import SpeechUsage
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_pupil

CAT, DOG, STAR, FISH = "1F431", "1F436", "2B50", "1F41F"
VOID = {"img", "input", "br", "hr", "meta", "link", "source", "wbr", "col", "area", "embed"}
MARKS = (".", "?", "!", ":", ";")


@dataclass
class _Element:
    tag: str
    attrs: dict[str, str | None]
    children: list[_Element] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # its own text and its children's, in order

    def get(self, name: str) -> str:
        return self.attrs.get(name) or ""

    def has_class(self, name: str) -> bool:
        return name in self.get("class").split()

    def text(self) -> str:
        """textContent, its spaces collapsed as speech.js and scan.js collapse them."""
        return " ".join("".join(self.words).split())

    def walk(self) -> list[_Element]:
        return [self, *(e for child in self.children for e in child.walk())]


class _Screen(HTMLParser):
    """A page as a tree of elements, enough to say what speech.js would send from it."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Element("document", {})
        self._open = [self.root]
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = _Element(tag, dict(attrs))
        self._open[-1].children.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while len(self._open) > 1:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.words.append(data)

    def all(self) -> list[_Element]:
        return self.root.walk()

    def by_id(self, element_id: str) -> _Element:
        return next(e for e in self.all() if e.get("id") == element_id)


def _said_with(element: _Element) -> list[str]:
    """What a part marked data-say-with says (speech.js partsSaidWith): its own data-say, a
    control or a note without controls itself, else each of its controls."""
    controls = [e for e in element.walk()[1:] if e.tag in ("a", "button")]
    if element.get("data-say") or element.tag in ("a", "button") or not controls:
        return [element.get("data-say") or element.text()]
    return [control.text() for control in controls]


def _read_to_me(screen: _Screen, target: str, notes: bool) -> str:
    """What Read to me sends for `target` (speech.js readContainer): its words, then the parts
    said with it, then (a worry not sent yet showing, `notes`) those said with every screen."""
    container = screen.by_id(target)
    text = (container.get("data-say") or container.text()).strip()
    parts = [e for e in screen.all() if e.get("data-say-with") == target]
    if notes:
        parts += [e for e in screen.all() if e.get("data-say-with") == "*"]
    said = [words for part in parts for words in _said_with(part)]
    for words in said:
        text += (" " if text.endswith(MARKS) else ". ") + words
    return text + ("." if said and not text.endswith(MARKS) else "")


def _everything_said(screen: _Screen) -> set[str]:
    """Every text the screen can ask the server for: Read to me (with and without the note of
    a worry not sent yet), each word tapped and each sentence chosen with a switch, and what
    scanning says of each item and group (scan.js nameOf, groupWords: a group of choices
    without a name of its own is "Choices"; the controls' names joined with ", ")."""
    elements = screen.all()
    said = {
        _read_to_me(screen, e.get("data-read-to-me"), notes)
        for e in elements
        if e.get("data-read-to-me")
        for notes in (False, True)
    }
    said |= {e.get("data-say") for e in elements if e.has_class("sym-word")}
    said |= {e.get("data-say") or e.text() for e in elements if e.has_class("sym-text")}
    said |= {e.get("data-scan-name") for e in elements if e.get("data-scan-name")}
    items = [
        e
        for e in elements
        if e.tag in ("a", "button") and "data-no-scan" not in e.attrs and e.text()
    ]
    said |= {e.get("aria-label") or e.text() for e in items}
    controls = [
        e.get("aria-label") or e.text()
        for e in items
        if "data-read-to-me" in e.attrs or e.has_class("pupil-button")
    ]
    return (said | {"Choices", ", ".join(controls)}) - {""}


def _screen(client: FlaskClient, path: str, method: str = "GET", **data: str) -> _Screen:
    response = client.open(path, method=method, data=data or None)
    assert response.status_code in (200, 401, 429), (path, response.status_code)
    return _Screen(response.get_data(as_text=True))


def _say(client: FlaskClient, text: str, **payload: object) -> Any:
    return client.post("/speech/clip", json={"text": text, **payload})


def _cached(app: Flask) -> list[Path]:
    folder = services.cache_dir(app.config, app.instance_path)
    return sorted(folder.glob("*/*.mp3")) if folder.is_dir() else []


@dataclass
class _Class:
    oak: SchoolClass
    teacher: Account
    dev: Pupil  # picture password
    sunny: Pupil  # known as Sunny; his legal name is Devendra
    device: Device


@pytest.fixture
def oak(session: Session, on_class_ipad: Callable[..., Device]) -> _Class:
    """Oak's class iPad, with nobody signed in on it."""
    oak = make_class(session, name="Oak")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    dev = make_pupil(session, oak, first_name="Dev")
    sunny = make_pupil(session, oak, first_name="Devendra", known_as="Sunny")
    make_pupil(session, oak, first_name="Gone", active=False)
    set_picture_password(session, teacher, dev, [CAT, DOG, STAR])
    return _Class(oak, teacher, dev, sunny, on_class_ipad(oak))


def test_a_class_ipad_hears_everything_its_tiles_and_picture_password_say(
    client: FlaskClient, oak: _Class
) -> None:
    tiles = _everything_said(_screen(client, "/class-ipad"))
    assert "Who are you? Dev. Sunny" in tiles  # Read to me: the question, then every name
    assert {"Who", "Sunny", "Read to me"} <= tiles  # a word tapped; a name and a stop scanned
    assert client.post(f"/class-ipad/pupils/{oak.dev.id}").status_code == 302
    pictures = _everything_said(_screen(client, f"/class-ipad/pupils/{oak.dev.id}/pictures"))
    path, wrong = f"/class-ipad/pupils/{oak.dev.id}/pictures", {"chosen": f"{FISH},{FISH}"}
    tried = _everything_said(_screen(client, path, "POST", pick=FISH, **wrong))
    stopped = set()
    for _ in range(5):  # tries enough that the screen asks the pupil to find an adult
        stopped = _everything_said(_screen(client, path, "POST", pick=FISH, **wrong))
    assert "Dev, tap your pictures. cat. dog. star. apple. car. ball. sun. fish. flower. Back." in (
        pictures
    )
    assert any("Let's try again." in text for text in tried)
    assert any("Please ask a trusted adult to help you." in text for text in stopped)
    voice = {"rate": oak.dev.speech_rate, "voice": oak.dev.voice}  # his own, as his screen asks
    refused = {
        text: response.status_code
        for text in sorted(tiles | pictures | tried | stopped)
        if (response := _say(client, text, **voice)).status_code != 200
    }
    assert refused == {}


def test_a_class_ipad_gets_no_speech_for_anything_else(
    app: Flask, client: FlaskClient, session: Session, oak: _Class
) -> None:
    other = make_pupil(session, make_class(session, name="Willow"), first_name="Zara")
    session.commit()
    made_up = (
        "Meet me after school and do not tell anyone",
        "Devendra",  # Sunny's legal name: his tile never says it
        other.called,  # a pupil of another class
        "Gone",  # no longer in the class
        "Who are you? Dev. Meet me after school",  # the screen's words, and words of one's own
        "Who are you? Dev. Sunny. Zara",
        "Dev, tell me your pictures",
        "a" * 40,
    )
    staff = client_for(app, oak.teacher)
    assert _say(staff, made_up[0]).status_code == 200  # a teacher's clip, now in the cache
    kept = _cached(app)
    for text in made_up:
        response = _say(client, text)
        assert response.status_code == 403, text
        assert response.is_json  # speech.js says this text in the iPad's voice, not "server down"
        assert response.get_json()["fallback"] == "browser"
    assert _cached(app) == kept  # nothing made, and the cached clip not handed over either
    device_usage = select(func.count()).where(SpeechUsage.who == f"device:{oak.device.id}")
    assert session.scalar(device_usage) == 0


def test_a_class_ipads_new_clips_count_against_the_ipad_and_cached_ones_are_free(
    app: Flask, client: FlaskClient, session: Session, oak: _Class
) -> None:
    app.config["SPEECH_NEW_CLIPS_PER_DAY"] = 2
    assert _say(client, "Who are you? Dev. Sunny").status_code == 200
    assert _say(client, "Sunny").status_code == 200
    refused = _say(client, "Dev")
    assert refused.status_code == 429
    assert refused.get_json()["fallback"] == "browser"
    assert _say(client, "Sunny").status_code == 200  # already made: free
    rows = [(r.who, r.clips) for r in session.scalars(select(SpeechUsage))]
    assert rows == [(f"device:{oak.device.id}", 2)]
    # Sunny signs in on it (no picture password): his screens, his words, his allowance.
    assert client.post(f"/class-ipad/pupils/{oak.sunny.id}").status_code == 302
    assert _say(client, "My own words on my own screen").status_code == 200
    rows = [(r.who, r.clips) for r in session.scalars(select(SpeechUsage).order_by(SpeechUsage.id))]
    assert rows == [(f"device:{oak.device.id}", 2), (f"pupil:{oak.sunny.id}", 1)]


def test_a_class_ipad_plays_its_clips_and_gets_their_timings(
    client: FlaskClient,
    oak: _Class,  # noqa: ARG001 - its iPad
) -> None:
    clip = _say(client, "Who are you?").get_json()
    assert [w["word"] for w in clip["words"]] == ["Who", "are", "you"]
    with client.get(clip["audio_url"], headers={"Range": "bytes=0-99"}) as audio:
        assert audio.status_code == 206
        assert audio.mimetype == "audio/mpeg"
    with client.get(clip["timings_url"]) as timings:
        assert timings.status_code == 200
        assert timings.get_json()["words"] == clip["words"]


def test_a_revoked_class_ipad_and_any_other_browser_get_no_speech(
    app: Flask, client: FlaskClient, session: Session, oak: _Class
) -> None:
    clip = _say(client, "Who are you?").get_json()
    stranger = app.test_client()
    devices.revoke(session, oak.teacher, oak.device, now=utcnow())
    session.commit()
    for browser in (client, stranger):
        refused = _say(browser, "Who are you?")
        assert refused.status_code == 403
        assert refused.get_json()["fallback"] == "browser"
        assert browser.get(clip["audio_url"]).status_code == 403
        assert browser.get(clip["timings_url"]).status_code == 403
        assert session.scalar(select(func.count()).select_from(SpeechUsage)) == 1


def test_a_picture_password_speaks_in_the_pupils_own_voice_even_one_since_uninstalled(
    client: FlaskClient, session: Session, oak: _Class
) -> None:
    oak.dev.voice = "gmw/en-gb-x-gone"  # chosen by staff, no longer on this server
    session.commit()
    assert _say(client, "Back", voice="gmw/en-gb-x-gone").status_code == 200
    unknown = _say(client, "Back", voice="robot-9000")
    assert unknown.status_code == 400
    assert unknown.get_json()["field"] == "voice"


def test_an_empty_class_ipad_hears_its_tiles_too(
    session: Session, client: FlaskClient, on_class_ipad: Callable[..., Device]
) -> None:
    on_class_ipad(make_class(session, name="Rowan"))
    said = _everything_said(_screen(client, "/class-ipad"))
    assert "Who are you? There are no pupils in our class yet." in said
    assert {text: _say(client, text).status_code for text in said} == dict.fromkeys(said, 200)
