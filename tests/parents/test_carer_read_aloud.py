"""Read aloud on a carer's pages: every text school wrote to them is heard in the server's voice,
and nothing else is (another family's items, their own messages, made-up text).

The texts are taken from the feed page as the browser sends them (static/js/speech.js: the
read-to-me target's data-say, else its text; a tapped word's data-say), after the browser's HTML
parser has turned each CR LF into LF.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account
from classroom.db import utcnow
from classroom.parents import invites, services
from classroom.parents.models import FeedItem
from classroom.pupils.models import ParentLink
from classroom.worries.models import ParentContact
from tests.app_settings import carer_emails
from tests.conftest import Clock, client_for
from tests.parents_helpers import (
    NEXT_MORNING,
    QUIET_EVENING,
    Family,
    incident_about,
    moment,
    send_notice,
)

NOTE = "Amira sorted every message by herself."
MESSAGE = "Hello! This week we are learning about kind messages.\r\nAsk Amira to show you."
HEARD_MESSAGE = MESSAGE.replace("\r\n", "\n")  # as the browser reads it from the page
VOID = {"img", "input", "br", "hr", "meta", "link", "source", "wbr", "col", "area", "embed"}


class _Page(HTMLParser):
    """Each element's data-say and text, by id; the read-to-me buttons' targets; word buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.say: dict[str, str | None] = {}
        self.text: dict[str, str] = {}
        self.targets: list[str] = []
        self.words: list[str] = []
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("data-read-to-me"):
            self.targets.append(str(found["data-read-to-me"]))
        if "sym-word" in (found.get("class") or "").split():
            self.words.append(str(found.get("data-say")))
        element_id = found.get("id")
        if element_id:
            self.say[element_id] = found.get("data-say")
            self.text[element_id] = ""
        if tag not in VOID:
            self._open.append((tag, element_id))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for _tag, element_id in self._open:
            if element_id:
                self.text[element_id] += data

    def spoken(self, target: str) -> str:
        """What speech.js sends for a read-to-me button pointing at `target`."""
        return (self.say[target] or self.text[target]).strip()


def _feed(client: FlaskClient, family: Family) -> _Page:
    html = client.get(f"/family/children/{family.child.id}").get_data(as_text=True)
    page = _Page()
    page.feed(html.replace("\r\n", "\n").replace("\r", "\n"))  # the browser's parser does so
    return page


def _hear(client: FlaskClient, text: str) -> Any:
    return client.post("/speech/clip", json={"text": text})


def _with_symbols(app: Flask, carer: Account) -> FlaskClient:
    client = client_for(app, carer)
    response = client.post("/family/settings", data={"email_mode": "each", "symbols": "y"})
    assert response.status_code == 302
    return client


def _message(session: Session, family: Family, body: str, to: Account | None = None) -> FeedItem:
    item = services.send_staff_message(
        session,
        family.teacher,
        family.child,
        body,
        to.id if to else None,
        now=utcnow(),
        emails=carer_emails(),
    )
    session.commit()
    return item


def _school_texts(session: Session, family: Family) -> Iterator[int]:
    """A learning moment, a message over two lines and an incident notice; their ids."""
    yield moment(session, family, note=NOTE)
    yield _message(session, family, MESSAGE).id
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    notice = send_notice(session, family.dsl, incident, family.child, "We spoke with Amira.")
    session.commit()
    yield notice.id


def test_a_carer_hears_every_text_school_wrote_to_them(
    app: Flask, session: Session, family: Family
) -> None:
    moment_id, message_id, notice_id = _school_texts(session, family)
    mum = _with_symbols(app, family.carer)
    page = _feed(mum, family)
    wanted = {
        "tip-text",  # this week's tip
        f"objective-{moment_id}",
        f"text-{moment_id}",  # the moment's note
        f"text-{message_id}",
        f"text-{notice_id}",
    }
    assert wanted <= set(page.targets)
    assert page.spoken(f"text-{moment_id}") == NOTE
    assert page.spoken(f"text-{message_id}") == HEARD_MESSAGE
    for target in page.targets:
        response = _hear(mum, page.spoken(target))
        assert response.status_code == 200, (target, response.get_json())
        assert response.get_json()["words"], target
    # A tapped word says that word: from a learning moment's objective and from the tip.
    assert {"Sorts", "kind"} <= set(page.words)
    for word in page.words:
        assert _hear(mum, word).status_code == 200, word


def test_only_school_texts_offer_read_aloud(app: Flask, session: Session, family: Family) -> None:
    mine = services.send_carer_message(
        session, family.carer, family.child, "Thank you!", now=utcnow(), emails=carer_emails()
    )
    session.commit()
    mum = _with_symbols(app, family.carer)
    assert f"text-{mine.id}" not in _feed(mum, family).targets
    without = client_for(app, family.second_carer)  # symbols off: no buttons at all
    moment(session, family, note=NOTE)
    assert _feed(without, family).targets == []


def test_a_carer_hears_nothing_school_did_not_write_to_them(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family, note=NOTE)
    mum, dad = client_for(app, family.carer), client_for(app, family.second_carer)
    bens = client_for(app, family.other_carer)
    assert _hear(mum, NOTE).status_code == 200  # made, and now in the cache
    # Another family's carer: not even from the cache.
    assert _hear(bens, NOTE).status_code == 403
    refused = _hear(bens, "Amira")
    assert refused.status_code == 403
    assert refused.get_json()["fallback"] == "browser"
    # Their own message to class staff: it would let them have anything spoken.
    services.send_carer_message(
        session, family.carer, family.child, "Say this for me", now=utcnow(), emails=carer_emails()
    )
    session.commit()
    assert _hear(mum, "Say this for me").status_code == 403
    # More than the item, or part of a word, is not what school wrote.
    assert _hear(mum, f"{NOTE} And whatever I like.").status_code == 403
    assert _hear(mum, "orted every").status_code == 403
    # A message to the other carer only.
    _message(session, family, "Dad, please ring the office.", to=family.second_carer)
    assert _hear(mum, "Dad, please ring the office.").status_code == 403
    assert _hear(dad, "Dad, please ring the office.").status_code == 200


def test_a_carer_hears_a_message_only_once_it_is_delivered(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    _message(session, family, "Trip letters come home tomorrow.")
    mum = client_for(app, family.carer)
    assert _hear(mum, "Trip letters come home tomorrow.").status_code == 403
    clock.set(NEXT_MORNING)
    mum = client_for(app, family.carer)  # signed in again: the evening's session timed out
    assert _hear(mum, "Trip letters come home tomorrow.").status_code == 200


def test_a_disconnected_carer_hears_nothing_more(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family, note=NOTE)
    dad = client_for(app, family.second_carer)
    assert _hear(dad, NOTE).status_code == 200
    link = session.scalars(
        select(ParentLink).where(ParentLink.parent_id == family.second_carer.id)
    ).one()
    invites.revoke_link(session, family.teacher, link, now=utcnow())
    session.commit()
    assert _hear(dad, NOTE).status_code == 403
