"""A pupil who has left the school keeps their settings as they were: staff read them, and a
change is refused until the pupil is recorded as back at the school."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.pupils import services
from classroom.pupils.models import Pupil, Scanning, SymbolSize
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, make_family

CHANGED = {
    "pathway": "semi_formal",
    "lessons_on_home": "pathway",
    "tile_symbol": "1F98A",
    "symbol_size": "extra_large",
    "speech_rate": "150",
    "voice": "gmw/en",
    "card_choosing": "straight_away",
    "scanning": "step",
    "scan_interval_ms": "1500",
}
LEFT = (
    "Amira has left the school, so Amira's settings cannot be changed. If Amira comes back, "
    "record that Amira is back at the school and they can be changed again."
)


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    return make_family(session, clock)


def _words(response: TestResponse) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).replace("&#39;", "'")
    return re.sub(r"\s+", " ", text)


def _answer(app: Flask, family: Family, answer: str) -> None:
    head = client_for(app, family.head)
    url = f"/pupils/{family.child.id}/leaving"
    assert head.post(url, data={"answer": answer}).status_code == 302


def _settings(session: Session, pupil: Pupil) -> tuple[SymbolSize, Scanning, bool]:
    session.expire_all()
    found = session.get_one(Pupil, pupil.id)
    return found.symbol_size, found.scanning, found.has_picture_password


def test_a_leavers_settings_are_shown_read_only_with_the_reason(app: Flask, family: Family) -> None:
    _answer(app, family, "left")
    page = client_for(app, family.teacher).get(f"/pupils/{family.child.id}/settings")
    assert page.status_code == 200
    words = _words(page)
    assert LEFT in words
    assert "Symbol size Large" in words
    assert "Switch scanning Off (touch)" in words
    # Nothing to change, and no photo to take away.
    assert f'action="/pupils/{family.child.id}/' not in page.text
    assert "Save settings" not in words
    detail = _words(client_for(app, family.teacher).get(f"/pupils/{family.child.id}"))
    assert "See all settings" in detail
    assert "Change settings" not in detail


def test_a_change_sent_for_a_leaver_is_refused_with_a_409_that_says_why(
    app: Flask, session: Session, family: Family
) -> None:
    teacher = client_for(app, family.teacher)
    settings_page = f"/pupils/{family.child.id}/settings"
    _answer(app, family, "left")
    before = _settings(session, family.child)
    refused = teacher.post(settings_page, data=CHANGED)  # a page opened before she left
    assert refused.status_code == 409
    assert f"Nothing was changed. {LEFT}" in _words(refused)
    pictures = {"picture1": "1F431", "picture2": "1F436"}
    refused = teacher.post(f"/pupils/{family.child.id}/picture-password", data=pictures)
    assert refused.status_code == 409
    assert LEFT in _words(refused)
    assert _settings(session, family.child) == before
    changed = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "pupil.settings_changed")
    ).all()
    assert changed == []


def test_the_service_refuses_a_leavers_settings_too(session: Session, family: Family) -> None:
    services.record_leaving(
        session, family.head, family.child, today=date(2027, 1, 12), now=utcnow(), base_url=""
    )
    with pytest.raises(Invalid, match="Amira has left the school"):
        services.set_picture_password(session, family.teacher, family.child, ["1F431", "1F436"])


def test_back_at_the_school_the_settings_can_be_changed_again(
    app: Flask, session: Session, family: Family
) -> None:
    _answer(app, family, "left")
    _answer(app, family, "back")
    teacher = client_for(app, family.teacher)
    page = teacher.get(f"/pupils/{family.child.id}/settings")
    assert "Save settings" in _words(page)
    assert LEFT not in _words(page)
    saved = teacher.post(f"/pupils/{family.child.id}/settings", data=CHANGED)
    assert saved.status_code == 302
    assert _settings(session, family.child)[:2] == (SymbolSize.EXTRA_LARGE, Scanning.STEP)


def test_a_leavers_photo_can_be_taken_away_but_not_replaced(
    app: Flask, session: Session, family: Family
) -> None:
    family.child.photo_file = "a" * 32 + ".jpg"
    session.commit()
    _answer(app, family, "left")
    teacher = client_for(app, family.teacher)
    photo = f"/pupils/{family.child.id}/photo"
    page = teacher.get(f"/pupils/{family.child.id}/settings")
    assert f'action="{photo}"' in page.text
    assert "Remove photo" in _words(page)
    refused = teacher.post(photo, data={"photo": (io.BytesIO(b"not looked at"), "new.jpg")})
    assert refused.status_code == 409
    assert LEFT in _words(refused)
    assert teacher.post(photo, data={"remove": "1"}).status_code == 302
    session.expire_all()
    assert session.get_one(Pupil, family.child.id).photo_file is None
