"""The teacher's notes: what they typed comes back to them as typed, and only as text."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.lessons.authored_models import AuthoredLesson
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.worry_helpers import make_school

TYPED = (
    'Tom & Jerry: groups of < 6 and > 2, "calm" voice.\n\nPasted: \u201cstop\u201d\u00a0then\ttell'
)


def _notes_box(client: FlaskClient, lesson_id: int) -> str:
    """The notes box's text, as the browser shows it."""
    page = client.get(f"/authoring/{lesson_id}/edit").data.decode()
    found = re.search(r'<textarea id="f-notes"[^>]*>(.*?)</textarea>', page, re.S)
    assert found is not None
    return html.unescape(found.group(1))


def test_notes_come_back_into_the_editor_as_the_teacher_typed_them(
    app: Flask, session: Session
) -> None:
    client = client_for(app, make_school(session).teacher)
    made = client.post("/authoring/new", data=lesson_form(notes=TYPED))
    assert made.status_code == 302
    lesson_id = int(re.search(r"/authoring/(\d+)", made.location).group(1))  # type: ignore[union-attr]
    box = _notes_box(client, lesson_id)
    assert box == TYPED  # not "Tom &amp; Jerry", "&lt; 6"
    # Saved again unchanged, the notes stay the same, time after time.
    row = session.get(AuthoredLesson, lesson_id)
    assert row is not None
    stored = row.notes_html
    for _ in range(2):
        again = client.post(f"/authoring/{lesson_id}/edit", data=lesson_form(notes=box))
        assert again.status_code == 302
        session.refresh(row)
        assert row.notes_html == stored
        box = _notes_box(client, lesson_id)
        assert box == TYPED


def test_markup_in_notes_given_back_to_edit_still_never_runs(app: Flask, session: Session) -> None:
    client = client_for(app, make_school(session).teacher)
    typed = "Say &lt;script&gt; aloud; <script>alert(1)</script><img src=x onerror=alert(1)>"
    made = client.post("/authoring/new", data=lesson_form(notes=typed))
    lesson_id = int(re.search(r"/authoring/(\d+)", made.location).group(1))  # type: ignore[union-attr]
    page = client.get(f"/authoring/{lesson_id}/edit").data.decode()
    assert "<script" not in page.split('id="f-notes"')[1].split("</textarea>")[0]
    assert "<img" not in page
    shown = client.get(f"/authoring/{lesson_id}").data.decode()
    assert "<script>alert" not in shown
    assert "onerror" not in shown


def test_bold_and_italics_pasted_from_word_are_kept(app: Flask, session: Session) -> None:
    """Word and most web pages paste bold and italics as <b> and <i>: the hint promises bold
    and italics are kept, so the lesson page shows them (as <strong> and <em>)."""
    client = client_for(app, make_school(session).teacher)
    pasted = "<p>Say <b>stop</b>, then <i>tell an adult</i>.</p><p><B onclick=x>Never</B></p>"
    made = client.post("/authoring/new", data=lesson_form(notes=pasted))
    assert made.status_code == 302
    shown = client.get(made.location).data.decode()
    assert "Say <strong>stop</strong>, then <em>tell an adult</em>." in shown
    assert "<strong>Never</strong>" in shown
    assert "onclick" not in shown
