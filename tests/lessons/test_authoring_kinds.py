"""Teachers' authoring: every step kind, single-pathway lessons, plain labels, the symbol picker."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from classroom.lessons import authoring
from classroom.lessons.authored_models import AuthoredLesson
from classroom.lessons.content import Pathway, StepKind
from classroom.lessons.kinds import KINDS
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.worry_helpers import make_school

NOTE = {"note": "Looks at the picture, then at the adult.", "look_for": "responsiveness"}
# One step of each kind, as a teacher's document holds it (pictures left to the app).
STEPS: dict[StepKind, dict[str, Any]] = {
    StepKind.STORY: {"text": "Kind words make us happy."},
    StepKind.CHOOSE: {
        "text": "Which message is kind?",
        "options": [{"text": "Well done!", "correct": True}, {"text": "Go away!"}],
        "feedback": "Well done is kind.",
        "own_photo": True,
    },
    StepKind.SORT: {
        "text": "Is it kind or unkind?",
        "groups": [{"label": "Kind"}, {"label": "Unkind"}],
        "items": [
            {"text": "Thank you", "group": 1},
            {"text": "You are silly", "group": 2},
            {"text": "Great game", "group": 1},
        ],
        "feedback": "Kind words help.",
    },
    StepKind.YES_NO: {
        "text": "Is a smile kind?",
        "answer": True,
        "feedback": "Yes. A smile is kind.",
    },
    StepKind.WHO_CAN_I_TELL: {"text": "Who can you tell at home?", "place": "home"},
    StepKind.CAUSE_EFFECT: {"text": "Tap for a kind sound.", "sound": "chime", "animation": "grow"},
    StepKind.UNTIL_I_ACT: {
        "text": "Loud music. Press stop.",
        "sound": "drum",
        "animation": "wiggle",
        "action": "stop",
    },
    StepKind.ONLY_IF_YES: {
        "text": "Music? Yes or no?",
        "then": "Here is the music.",
        "sound": "bell",
        "if_no": "No music. That is fine.",
    },
    StepKind.ANTICIPATE: {
        "text": "Ready for the bubbles?",
        "sound": "pop",
        "animation": "grow",
        "wait": 3,
    },
    StepKind.ME: {"text": "It is you!", "sound": "chime"},
}


def _document(kind: StepKind, pathway: Pathway = Pathway.PRE_FORMAL) -> dict[str, Any]:
    story = {"kind": "story", "text": "Kind words help.", **NOTE}
    step = {"kind": kind.value, **STEPS[kind], **NOTE}
    return {
        "title": "Kind words",
        "topic": "Kind and unkind messages",
        "strands": ["online_bullying"],
        "risks": ["cyberbullying"],
        pathway.value: {"objective": "Shows they notice", "steps": [step, story, story]},
    }


@pytest.mark.parametrize("kind", list(StepKind), ids=lambda k: k.value)
def test_every_step_kind_goes_round_the_editor_and_meets_the_file_rules(kind: StepKind) -> None:
    doc = _document(kind)
    values = authoring.form_values(doc)
    form = MultiDict([*values.items(), ("strands", "online_bullying"), ("risks", "cyberbullying")])
    assert authoring.document_from_form(form) == doc
    lesson = authoring.check(doc)
    assert lesson.pathways == (Pathway.PRE_FORMAL,)
    assert lesson.version(Pathway.PRE_FORMAL).steps[0].kind is kind
    assert lesson.version(Pathway.PRE_FORMAL).steps[0].note == NOTE["note"]


def test_a_lesson_for_one_pathway_is_saved_and_taught_to_every_pathway(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher.username)
    form = {k: v for k, v in lesson_form().items() if not k.startswith(("pf-", "sf-"))}
    response = client.post("/authoring/new", data=form)
    assert response.status_code == 302, response.data.decode()[:3000]
    row = session.scalars(select(AuthoredLesson)).one()
    lesson = authoring.lesson_of(row)
    assert lesson.pathways == (Pathway.FORMAL,)
    # A pre-formal pupil given it sees the version written (the nearest one).
    assert lesson.version(Pathway.PRE_FORMAL) is lesson.version(Pathway.FORMAL)
    page = client.get(f"/authoring/preview/{row.key}/pre_formal/1")
    assert page.status_code == 200
    assert "Messages can be kind or unkind." in page.data.decode()


def test_a_lesson_with_no_pathway_is_refused(app: Flask, session: Session) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher.username)
    form = {k: v for k, v in lesson_form().items() if not re.match(r"(pf|sf|f)-", k)}
    response = client.post("/authoring/new", data=form)
    assert response.status_code == 400
    assert "write the lesson for at least one pathway" in response.data.decode()


def test_a_pre_formal_step_without_a_staff_note_is_refused(app: Flask, session: Session) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher.username)
    response = client.post("/authoring/new", data=lesson_form(**{"pf-2-note": ""}))
    assert response.status_code == 400
    assert "Pre-formal step 2, what to look for: please fill this in." in response.text


class _Text(HTMLParser):
    """The words a teacher reads on a page: text, labels and options, not attribute values."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:  # noqa: ARG002
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.words.append(data.strip())


def test_the_editor_shows_plain_words_never_internal_keys(app: Flask, session: Session) -> None:
    school = make_school(session)
    page = client_for(app, school.teacher.username).get("/authoring/new").data.decode()
    parser = _Text()
    parser.feed(page)
    text = " ".join(parser.words)
    assert not re.findall(r"\b[a-z]+_[a-z_]+\b", text)  # no snake_case keys such as pre_formal
    assert "Cause effect" not in text
    assert "Pre-formal" in text
    for unit in KINDS.values():
        assert unit.label in text  # every kind, in the editor's own words
    assert "Tap to make something happen" in text
    assert "Inappropriate, antisocial or illegal behaviour" in text
    assert "Self-image and identity" in text


def test_pictures_are_picked_by_word_without_javascript(app: Flask, session: Session) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher.username)
    form = lesson_form(**{"action": "find:pf-1-symbol", "pf-1-symbol-find": "phone"})
    found = client.post("/authoring/new", data=form)
    page = found.data.decode()
    assert found.status_code == 200
    assert session.scalar(select(func.count()).select_from(AuthoredLesson)) == 0  # nothing saved
    radio = r'<input type="radio" id="f-pf-1-symbol-\d+" name="pf-1-symbol" value="(\w+)">'
    choices = re.findall(radio, page)
    assert choices, "the pictures for 'phone' are offered as choices"
    picture = r'<img src="/symbols/[^"]*" alt="" width="44" height="44"> [a-z ]*phone'
    assert re.search(picture, page)  # each picture with its word
    saved = client.post("/authoring/new", data=lesson_form(**{"pf-1-symbol": choices[0]}))
    assert saved.status_code == 302
    row = session.scalars(select(AuthoredLesson)).one()
    assert authoring.lesson_of(row).version(Pathway.PRE_FORMAL).steps[0].symbol == choices[0]
    # Editing again shows the picture with its word, and no code to type.
    edit = client.get(f"/authoring/{row.id}/edit").data.decode()
    assert f'name="pf-1-symbol" value="{choices[0]}" data-picker-value' in edit
    assert 'type="text" id="f-pf-1-symbol"' not in edit


def test_the_picker_search_answers_with_picture_buttons(app: Flask, session: Session) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher.username)
    page = client.get("/authoring/pictures", query_string={"q": "phone", "field": "symbol"})
    html = page.data.decode()
    assert page.status_code == 200
    assert 'type="button" class="picture-choice" data-code="' in html
    empty = client.get("/authoring/pictures", query_string={"q": "zzzzqqq"}).data.decode()
    assert "No pictures found for that word." in empty


def test_a_teacher_copies_a_school_lesson_to_change_its_staff_notes(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher.username)
    lesson = app.extensions["lessons"].get("kind-and-unkind")
    first = lesson.version(Pathway.PRE_FORMAL).steps[0]
    assert first.note  # every shipped pre-formal step has one
    index = client.get("/authoring/").data.decode()
    assert "Make my copy" in index
    made = client.post("/authoring/files/kind-and-unkind/copy")
    assert made.status_code == 302
    row = session.scalars(select(AuthoredLesson)).one()
    assert made.location.endswith(f"/authoring/{row.id}/edit")
    editor = client.get(made.location).data.decode()
    assert 'id="f-pf-1-note"' in editor
    assert html.escape(first.note, quote=True) in editor
    values = authoring.form_values(authoring.document_of(row))
    values["pf-1-note"] = "In our class: watches Sam's face when the sound plays."
    form = MultiDict([*values.items(), *[("strands", s) for s in lesson.strands]])
    form.setlist("risks", [r.value for r in lesson.risks])
    assert client.post(f"/authoring/{row.id}/edit", data=form).status_code == 302
    preview = client.get(f"/authoring/preview/{row.key}/pre_formal/1").data.decode()
    assert "In our class: watches Sam&#39;s face when the sound plays." in preview
    # The school's file is unchanged for everyone else.
    again = app.extensions["lessons"].get("kind-and-unkind")
    assert again.version(Pathway.PRE_FORMAL).steps[0] == first
    assert client.post("/authoring/files/no-such-lesson/copy").status_code == 404


def test_a_lesson_page_names_its_steps_in_plain_words_with_their_staff_notes(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher.username)
    assert client.post("/authoring/new", data=lesson_form()).status_code == 302
    row = session.scalars(select(AuthoredLesson)).one()
    page = client.get(f"/authoring/{row.id}").data.decode()
    assert "Tap to make something happen: Tap for a kind sound." in page
    assert "Cause effect" not in page
    assert "For staff, look for persistence: Taps again to hear the sound again." in page


@pytest.mark.parametrize("again", [1, 3, 4, 0, "1", True])
def test_an_answer_goes_back_only_to_an_earlier_screen(again: object) -> None:
    """`again` sends a pupil back for another turn: to a screen before this one, or nowhere."""
    doc = _document(StepKind.CHOOSE)
    steps = doc["pre_formal"]["steps"]
    steps.append(
        {
            "kind": "choose",
            "text": "More or finished?",
            "options": [
                {"text": "More", "correct": True, "again": again},
                {"text": "Finished", "correct": True},
            ],
            "feedback": "Thank you for telling me.",
            **NOTE,
        }
    )
    if again in (1, 3) and not isinstance(again, bool):
        lesson = authoring.check(doc)
        more = lesson.version(Pathway.PRE_FORMAL).steps[3].options[0]
        assert more.again == again
        return
    with pytest.raises(authoring.LessonProblems) as refused:
        authoring.check(doc)
    assert "must be the number of an earlier step (1 to 3)" in " ".join(refused.value.reasons)
