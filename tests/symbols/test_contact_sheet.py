"""The contact sheet staff review and print, and flagged pictures on the admin's list."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.symbols.models import SymbolFlag


def test_the_whole_word_list_sheet_shows_each_word_picture_and_why(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHING_ASSISTANT)
    page = client.get("/symbols/sheet")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "/symbols/bully.svg" in text
    assert "one big figure looming over a small worried one" in text
    assert "Flag &ldquo;bully&rdquo;" in text


def test_a_lessons_sheet_lists_its_pictured_words_once(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHER)
    page = client.get("/symbols/sheet?lesson=trusted-adults")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert text.count('<span class="word">trusted adult</span>') == 1
    assert client.get("/symbols/sheet?lesson=no-such-lesson").status_code == 404


def test_a_flag_lands_on_the_admins_list_audited_and_can_be_dealt_with(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHER)
    sent = client.post(
        "/symbols/flags",
        data={"phrase": "stay", "symbol": "1F9CD", "note": "looks like 'body'", "lesson": ""},
    )
    assert sent.status_code == 302
    assert client.get("/symbols/flags").status_code == 403  # not an admin
    bad = client.post("/symbols/flags", data={"phrase": "stay", "symbol": "../etc"})
    assert bad.status_code == 400
    client.post("/sign-out")
    login_as(Role.ADMIN)
    listing = client.get("/symbols/flags").get_data(as_text=True)
    assert "looks like &#39;body&#39;" in listing
    flag = session.scalars(select(SymbolFlag)).one()
    resolved = client.post(f"/symbols/flags/{flag.id}/resolve")
    assert resolved.status_code == 302
    # Back at the note saying so, which takes the focus: the next flag is the next Tab.
    assert resolved.location.endswith("/symbols/flags?resolved=1#saved")
    after = client.get(resolved.location).get_data(as_text=True)
    assert 'id="saved" tabindex="-1" data-saved-row><p>Marked as dealt with.' in after
    assert "No pictures are flagged." in after
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"symbols.picture_flagged", "symbols.flag_resolved"} <= actions
