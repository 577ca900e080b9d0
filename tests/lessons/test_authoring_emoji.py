"""A teacher writing a lesson: an emoji pasted into a pupil's words, and the live preview of a
box over its limit.

A pupil sees an emoji typed in with the words stuck to the word before it ("kind 😀", with the
symbol for "kind"), with no symbol of its own; tapping the word says "kind"; Read to me says
"grinning face" on the school's voice and nothing for "❗". Pupils cannot read, so the editor
refuses it on saving, in its own words, and the live preview says so as she types. The live
preview shows all of a box over its limit, the words past it marked, so she sees what to cut.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.lessons import authoring
from classroom.lessons.authored_models import AuthoredLesson
from classroom.symbols.symboliser import marks_on_words, symbolise
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.worry_helpers import make_school

GRIN = "\U0001f600"
EXCLAIM = "\u2757"


def _lessons(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuthoredLesson)) or 0


def _box_error(page: str, box: str) -> str:
    found = re.search(rf'<p class="error" id="f-{box}-error">([^<]*)</p>', page)
    assert found is not None, f"no message beside {box}"
    return html.unescape(found.group(1))


def test_what_a_pupil_gets_from_an_emoji_typed_in() -> None:
    """Why the editor refuses it: the pupil screen's tokens (unchanged by this fix)."""
    shown = [(t.text, t.word) for t in marks_on_words(symbolise(f"Be kind {GRIN} online"))]
    assert (f"kind {GRIN}", "kind") in shown  # one tile, said as "kind"
    assert [t.text for t in marks_on_words(symbolise(f"Stop{EXCLAIM}"))] == [f"Stop{EXCLAIM}"]


@pytest.mark.parametrize(
    ("box", "text", "label"),
    [
        ("sf-2-text", f"Which message is kind {GRIN}?", "Semi-formal step 2, words on the screen"),
        ("title", f"Stop{EXCLAIM}", "Title"),
        ("sf-2-o1-text", "Well done \U0001f44d\U0001f3fd", "Semi-formal step 2, answer 1"),
        ("f-2-g1-label", "Kind \u2764\ufe0f", "Formal step 2, group 1"),
    ],
)
def test_an_emoji_in_a_pupils_words_is_refused_beside_its_box(
    app: Flask, session: Session, box: str, text: str, label: str
) -> None:
    school = make_school(session)
    response = client_for(app, school.teacher).post(
        "/authoring/new", data=lesson_form(**{box: text})
    )
    assert response.status_code == 400
    page = response.data.decode()
    emoji = text.split()[-1].removeprefix("Stop").removesuffix("?").removeprefix("kind")
    message = _box_error(page, box)
    assert message.startswith(f"{label}: take out “{emoji}”."), message
    assert "Write it as a word" in message
    assert "Change a picture on this screen" in message  # how to change a word's picture
    assert f'id="f-{box}"' in page
    assert 'aria-invalid="true"' in page.split(f'id="f-{box}"')[1].split(">")[0]
    assert f'<a href="#f-{box}">' in page  # the summary links to the box
    assert text in html.unescape(page)  # what she typed is given back, to change
    assert _lessons(session) == 0


def test_an_emoji_in_a_box_for_staff_is_saved(app: Flask, session: Session) -> None:
    """Staff can read: the topic, an objective and "what to look for" may have one."""
    school = make_school(session)
    changes = {
        "topic": f"Kind messages {GRIN}",
        "sf-objective": f"Picks the kind message {GRIN}",
        "pf-1-note": f"Smiles {GRIN} when the words are read.",
        "sf-2-text": "Which message costs £5?",  # a pound sign is a word's, not a picture
    }
    response = client_for(app, school.teacher).post("/authoring/new", data=lesson_form(**changes))
    assert response.status_code == 302, html.unescape(response.data.decode())
    assert _lessons(session) == 1


def test_the_emoji_is_said_with_the_other_problems_at_once(app: Flask, session: Session) -> None:
    school = make_school(session)
    form = lesson_form(**{"sf-2-text": f"Kind {GRIN}", "title": ""})
    response = client_for(app, school.teacher).post("/authoring/new", data=form)
    assert response.status_code == 400
    page = html.unescape(response.data.decode())
    assert "Title: please fill this in." in page
    assert "Semi-formal step 2, words on the screen: take out “😀”." in page


def test_an_edit_adding_an_emoji_is_refused_and_the_lesson_kept(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher)
    assert client.post("/authoring/new", data=lesson_form()).status_code == 302
    row = session.scalars(select(AuthoredLesson)).one()
    before = row.document
    response = client.post(
        f"/authoring/{row.id}/edit", data=lesson_form(**{"sf-1-text": f"Be kind {GRIN} online"})
    )
    assert response.status_code == 400
    assert "take out “😀”" in html.unescape(response.data.decode())
    session.expire_all()
    assert row.document == before


def test_the_rule_names_each_emoji_once() -> None:
    typed = authoring.typed_pictures(
        f"{GRIN} Hi {GRIN} \U0001f1ec\U0001f1e7 \U0001f468\u200d\U0001f469"
    )
    assert typed == [GRIN, "\U0001f1ec\U0001f1e7", "\U0001f468\u200d\U0001f469"]
    assert authoring.typed_pictures("It costs £5, 20° (©) - don't “click”!") == []


# --- The live preview -----------------------------------------------------------------------


def _preview(client: FlaskClient, text: str, **more: str) -> str:
    response = client.get("/authoring/symbols", query_string={"text": text, **more})
    assert response.status_code == 200
    return response.data.decode()


def _labels(fragment: str) -> list[str]:
    return [
        html.unescape(w) for w in re.findall(r'<span class="sym-label">([^<]*)</span>', fragment)
    ]


def _joined(fragment: str) -> str:
    """The words shown, run together: a phrase ("trusted adult") is one tile."""
    return "".join(_labels(fragment)).replace(" ", "")


@pytest.mark.usefixtures("app", "session")
def test_the_live_preview_says_an_emoji_gets_no_symbol(
    login_as: Callable[..., Account], client: FlaskClient
) -> None:
    login_as(Role.TEACHER)
    fragment = html.unescape(_preview(client, f"Be kind {GRIN} online"))
    assert f"“{GRIN}” will show with no symbol of its own" in fragment
    assert "Write it as a word instead." in fragment
    assert "no symbol of its own" not in _preview(client, "Be kind online")


@pytest.mark.usefixtures("app", "session")
def test_the_live_preview_shows_the_words_over_the_limit_marked(
    login_as: Callable[..., Account], client: FlaskClient
) -> None:
    """The box's count says "You have 24 characters too many": the preview shows those words
    too, after a plain "Too long from here", so she can see what to cut."""
    login_as(Role.TEACHER)
    limit = authoring.MAX_FIELD
    text = "Ask a trusted adult. " * 15 + "Stop block tell."  # 16 too many
    assert len(text) > limit
    fragment = _preview(client, text, limit=str(limit))
    assert _joined(fragment) == text.replace(" ", "")  # every word is shown
    within, over = fragment.split("Too long from here (over 300 characters):")
    assert _joined(within) == text[:limit].rsplit(" ", 1)[0].replace(" ", "")
    assert _joined(over) == "trustedadult.Stopblocktell."
    assert '<mark class="preview-over">' in over
    assert "Too long from here" not in _preview(client, text[:limit], limit=str(limit))


@pytest.mark.usefixtures("app", "session")
def test_a_preview_far_over_the_limit_says_where_it_stops(
    login_as: Callable[..., Account], client: FlaskClient
) -> None:
    login_as(Role.TEACHER)
    fragment = _preview(client, "kind " * 400, limit="120")
    assert "The preview stops here: it shows the first 1,000 characters." in fragment
    assert "over 120 characters" in fragment  # the rules editor's boxes have their own limit
    assert "preview stops here" not in _preview(client, "kind " * 10)
