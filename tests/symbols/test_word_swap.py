"""Tap a word in a staff lesson preview to swap its picture: saved on the right layer, audited,
and the preview shows the new picture; without JavaScript each word links to the chooser."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.symbols.models import SymbolOverride
from tests import factories

PREVIEW = "/authoring/preview/kind-and-unkind/semi_formal/1"  # "Messages can be kind or unkind."
TREE = "/symbols/1F333.svg"


def word_link(page: str, key: str) -> str:
    found = re.search(rf'<a href="([^"]+)" data-word-key="{key}"', page)
    assert found, f"no link for {key!r}"
    return html.unescape(found.group(1))


def test_a_teacher_swaps_a_word_on_their_class_layer_and_sees_it_in_the_preview(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak = factories.make_class(session, name="Oak")
    teacher = login_as(Role.TEACHER, classes=[oak])
    page = client.get(PREVIEW).data.decode()
    assert "Change a picture on this screen" in page
    assert "js/word-swap.js" in page
    assert TREE not in page
    link = urlsplit(word_link(page, "kind"))
    args = parse_qs(link.query)
    assert link.path == "/symbols/choose"
    assert args["phrase"] == ["kind"]
    assert args["layer"] == [f"class-{oak.id}"]  # a teacher may change their class, not the school
    back = args["next"][0]
    assert back.startswith(PREVIEW)

    # Without JavaScript: the chooser page keeps the way back in both its forms.
    chooser = client.get(f"{link.path}?{link.query}").data.decode()
    assert html.escape(back, quote=True) in chooser
    assert "Back to the preview" in chooser
    panel = client.get(f"{link.path}?{link.query}&panel=1").data.decode()
    assert "<html" not in panel  # the dialog gets just the chooser
    assert 'name="symbol"' in panel

    saved = client.post(
        "/symbols/choices",
        data={"phrase": "kind", "symbol": "1F333", "layer": f"class-{oak.id}", "next": back},
    )
    assert saved.status_code == 302
    assert saved.location.startswith(PREVIEW)
    assert f"symbols=class-{oak.id}" in saved.location
    assert TREE in client.get(saved.location).data.decode()

    row = session.scalar(select(SymbolOverride).where(SymbolOverride.phrase == "kind"))
    assert row is not None
    assert (row.class_id, row.pupil_id, row.symbol) == (oak.id, None, "1F333")
    audit = session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "symbols.override_set", AuditEvent.actor_id == teacher.id
        )
    )
    assert audit is not None
    assert "'kind' -> 1F333" in audit.summary


def _note(page: str) -> str:
    found = re.search(r'<p class="saved-note"[^>]*id="swapped"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no saved note"
    return found.group(1)


def test_the_note_after_a_swap_shows_the_new_picture_and_leads_to_the_screen(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    # The page comes back at the note, below the screen: the note itself shows the picture
    # the word has now (or says it has none), and links up to the screen that shows it.
    oak = factories.make_class(session, name="Oak")
    login_as(Role.TEACHER, classes=[oak])
    back = parse_qs(urlsplit(word_link(client.get(PREVIEW).data.decode(), "kind")).query)["next"]
    layer = f"class-{oak.id}"
    for symbol in ("1F333", "hidden"):
        saved = client.post(
            "/symbols/choices",
            data={"phrase": "kind", "symbol": symbol, "layer": layer, "next": back[0]},
        )
        page = client.get(saved.location).data.decode()
        note = _note(page)
        assert 'href="#preview-screen"' in note
        assert 'id="preview-screen"' in page
        if symbol == "hidden":
            assert "&ldquo;kind&rdquo; has no picture for class Oak." in note
            assert "<img" not in note
        else:
            assert "Saved: the picture for &ldquo;kind&rdquo; for class Oak:" in note
            assert f'src="{TREE}"' in note


def test_the_head_swaps_for_the_whole_school_and_a_foreign_return_address_is_ignored(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.HEADTEACHER)
    page = client.get(PREVIEW).data.decode()
    assert parse_qs(urlsplit(word_link(page, "message")).query)["layer"] == ["school"]
    saved = client.post(
        "/symbols/choices",
        data={"phrase": "message", "symbol": "1F333", "layer": "school", "next": "//evil.test/x"},
    )
    assert saved.status_code == 302
    assert saved.location.startswith("/symbols/choose?")  # the chooser, not another site
    row = session.scalar(select(SymbolOverride).where(SymbolOverride.phrase == "message"))
    assert row is not None
    assert (row.class_id, row.pupil_id) == (None, None)
    assert TREE in client.get(PREVIEW).data.decode()


def test_a_preview_never_offers_a_layer_the_person_may_not_change(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak, ash = factories.make_class(session, name="Oak"), factories.make_class(session, name="Ash")
    login_as(Role.TEACHER, classes=[oak])
    page = client.get(PREVIEW, query_string={"symbols": f"class-{ash.id}"}).data.decode()
    assert f"class-{ash.id}" not in page
    assert f"layer=class-{oak.id}" in page
