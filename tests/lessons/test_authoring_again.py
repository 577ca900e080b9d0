"""Teachers' lessons: "More" goes back to an earlier step for another go, as lesson files can.

A teacher types the step by an answer ("After answer 1, Next goes back to step 2"); the pupil's
Next then goes back there, the preview and the lesson page say so, and a step that cannot work
is refused in the editor's words with everything typed given back.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.db import get_session
from classroom.lessons.authored_models import AuthoredLesson
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.worry_helpers import School, make_school, pupil_on_ipad

# A fourth semi-formal step: the pupil asks for more or finished, and both are right.
MORE_OR_FINISHED = {
    "sf-4-kind": "choose",
    "sf-4-text": "More or finished?",
    "sf-4-o1-text": "More",
    "sf-4-o1-again": "2",
    "sf-4-o2-text": "Finished",
    "sf-4-correct": ["1", "2"],
    "sf-4-feedback": "Thank you for telling me.",
}


def _create(client: FlaskClient, **changes: Any) -> AuthoredLesson:
    response = client.post("/authoring/new", data=lesson_form(**{**MORE_OR_FINISHED, **changes}))
    assert response.status_code == 302, html.unescape(response.text)[:3000]
    lesson_id = int(re.search(r"/authoring/(\d+)", response.location).group(1))  # type: ignore[union-attr]
    row = get_session().get(AuthoredLesson, lesson_id)
    assert row is not None
    return row


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(AuthoredLesson)) or 0)


def _on_the_pupils_map(teacher: FlaskClient, school: School, row: AuthoredLesson) -> None:
    assert teacher.post(f"/authoring/{row.id}/share").status_code == 302
    add = f"/pupils/{school.pupil.id}/lessons/x/add"
    assert teacher.post(add, data={"lesson_id": row.key}).status_code == 302


def _sf_step(row: AuthoredLesson, number: int) -> dict[str, Any]:
    step: dict[str, Any] = json.loads(row.document)["semi_formal"]["steps"][number - 1]
    return step


class _EditorForm(HTMLParser):
    """What the editor's form sends when the teacher presses Save without changing anything."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._first: str | None = None
        self._chosen = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "authoring-form" in a.get("class", ""):
            self._in_form = True
        if not self._in_form or "name" not in a and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("checkbox", "radio") or "checked" in a:
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select, self._first, self._chosen = a["name"], None, False
        elif tag == "option" and self._select is not None:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
                self._chosen = True
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            name, before = self.fields.pop()
            self.fields.append((name, before + data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select" and self._select is not None:
            if not self._chosen:
                self.fields.append((self._select, self._first or ""))
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _as_sent(page: str) -> dict[str, list[str]]:
    parser = _EditorForm()
    parser.feed(page)
    sent: dict[str, list[str]] = {}
    for name, value in parser.fields:
        if not name.endswith("-find"):
            sent.setdefault(name, []).append(value)
    sent["action"] = ["save"]
    return sent


def _box(page: str, name: str) -> str:
    found = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    assert found is not None, name
    return found.group(0)


# --- The pupil, the preview and the lesson page -----------------------------------------------


def test_more_takes_the_pupil_back_to_the_step_the_teacher_chose(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _create(teacher)
    _on_the_pupils_map(teacher, school, row)
    ipad = pupil_on_ipad(app, school)
    start = ipad.post(f"/pupil/lessons/{row.key}/start")
    step_4 = start.location.replace("/steps/1", "/steps/4")
    step_2 = start.location.replace("/steps/1", "/steps/2")
    more = ipad.post(step_4, data={"answer": "o1", "tries": "1", "key": "more"})
    assert more.status_code == 200
    assert f'href="{step_2}"' in more.text  # Next: back to step 2 for another go
    assert "Which message is kind?" in ipad.get(step_2).text
    finished = ipad.post(step_4, data={"answer": "o2", "tries": "1", "key": "finished"})
    assert finished.status_code == 200
    assert f'href="{step_2}"' not in finished.text  # Finished is right too, and goes on
    assert "/finish" in finished.text


def test_the_preview_goes_back_after_more_and_says_so(app: Flask, session: Session) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _create(teacher)
    here = f"/authoring/preview/{row.key}/semi_formal/4"
    back = f'href="/authoring/preview/{row.key}/semi_formal/2"'
    more = teacher.get(here, query_string={"answer": "o1"}).text
    assert back in more
    assert "After &ldquo;More&rdquo;, Next goes back to step 2 for another go." in more
    assert back not in teacher.get(here, query_string={"answer": "o2"}).text
    assert back not in teacher.get(here).text  # before an answer, Next goes on
    page = teacher.get(f"/authoring/{row.id}").text
    assert "After &ldquo;More&rdquo;, Next goes back to step 2." in page


# --- Refused, in the editor's words, with everything typed given back --------------------------


@pytest.mark.parametrize("typed", ["4", "7", "0", "two"])
def test_a_step_that_is_not_earlier_is_refused_and_the_typed_text_kept(
    app: Flask, session: Session, typed: str
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    response = teacher.post(
        "/authoring/new", data=lesson_form(**{**MORE_OR_FINISHED, "sf-4-o1-again": typed})
    )
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert (
        "Semi-formal, step 4, answer 1: “Next goes back to step” must be the number of an "
        "earlier step (1 to 3), or left empty to go on to the next step."
    ) in page
    assert "again of option" not in page  # not the lesson file's words
    box = _box(response.text, "sf-4-o1-again")
    assert f'value="{typed}"' in box
    assert 'aria-invalid="true"' in box
    assert 'href="#f-sf-4-o1-again"' in response.text  # the summary leads to the box
    assert 'value="More or finished?"' in response.text
    assert 'value="Thank you for telling me."' in response.text
    assert _count(session) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"sf-4-correct": "2"},
            "Semi-formal, step 4, answer 1: only a right answer lets the pupil go on, so only a "
            "right answer can go back to an earlier step.",
        ),
        (
            {"sf-4-o2-again": "1"},
            "Semi-formal, step 4, every right answer goes back to an earlier step, so the pupil "
            "could never finish the lesson.",
        ),
        (
            {
                "sf-1-o1-again": "1",
                "sf-1-kind": "choose",
                "sf-1-o1-text": "Yes",
                "sf-1-o2-text": "No",
                "sf-1-correct": "1",
                "sf-1-feedback": "Yes.",
            },
            "Semi-formal, step 1, answer 1: the first step has no earlier step to go back to",
        ),
    ],
)
def test_going_back_that_could_not_work_is_refused(
    app: Flask, session: Session, changes: dict[str, Any], message: str
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    form = lesson_form(**{**MORE_OR_FINISHED, **changes})
    response = teacher.post("/authoring/new", data=form)
    assert response.status_code == 400
    assert message in html.unescape(response.text)
    assert _count(session) == 0


# --- Editing: the value is shown, and kept ---------------------------------------------------


def test_editing_a_lesson_shows_where_more_goes_back_to_and_keeps_it(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _create(teacher)
    page = teacher.get(f"/authoring/{row.id}/edit").text
    assert 'value="2"' in _box(page, "sf-4-o1-again")
    assert 'value=""' in _box(page, "sf-4-o2-again")
    for k in (1, 2):  # both answers are right
        assert re.search(rf'id="f-sf-4-correct-{k}"[^>]*checked', page)
    saved = teacher.post(f"/authoring/{row.id}/edit", data=_as_sent(page))
    assert saved.status_code == 302, html.unescape(saved.text)[:3000]
    session.refresh(row)
    assert row.revision == 2
    options = _sf_step(row, 4)["options"]
    assert [o.get("again") for o in options] == [2, None]
    assert [o.get("correct") for o in options] == [True, True]


def test_save_as_a_new_draft_keeps_where_more_goes_back_to(app: Flask, session: Session) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _create(teacher)
    _on_the_pupils_map(teacher, school, row)
    pupil_on_ipad(app, school).post(f"/pupil/lessons/{row.key}/start")  # now it is locked
    page = teacher.get(f"/authoring/{row.id}/edit").text
    assert "Save as a new draft" in page
    sent = _as_sent(page)
    sent["sf-4-o1-again"] = ["3"]  # changed: More goes back to step 3 instead
    copied = teacher.post(f"/authoring/{row.id}/save-copy", data=sent)
    assert copied.status_code == 302, html.unescape(copied.text)[:3000]
    made = session.scalars(select(AuthoredLesson).where(AuthoredLesson.id != row.id)).one()
    assert [o.get("again") for o in _sf_step(made, 4)["options"]] == [3, None]
    session.refresh(row)
    assert [o.get("again") for o in _sf_step(row, 4)["options"]] == [2, None]


def test_a_copy_of_the_schools_more_or_finished_lesson_keeps_more_going_back(
    app: Flask, session: Session
) -> None:
    """Lesson 13's pre-formal game: More goes back to step 3, and Finished (right too) goes on."""
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    made = teacher.post("/authoring/files/games-chat-spending/copy")
    assert made.status_code == 302
    page = teacher.get(made.location).text
    assert 'value="3"' in _box(page, "pf-4-o1-again")
    saved = teacher.post(made.location, data=_as_sent(page))
    assert saved.status_code == 302, html.unescape(saved.text)[:3000]
    row = session.scalars(select(AuthoredLesson)).one()
    options = json.loads(row.document)["pre_formal"]["steps"][3]["options"]
    assert [(o["text"], o.get("correct"), o.get("again")) for o in options] == [
        ("More", True, 3),
        ("Finished", True, None),
    ]


def test_step_numbers_are_the_editors_when_a_step_box_is_left_empty(
    app: Flask, session: Session
) -> None:
    """Boxes 1, 2, 3 and 5 used: "step 3" is box 3, and box 5 is the pupil's step 4."""
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    emptied = dict.fromkeys(MORE_OR_FINISHED)
    moved = {key.replace("sf-4-", "sf-5-"): value for key, value in MORE_OR_FINISHED.items()}
    row = _create(teacher, **{**emptied, **moved, "sf-5-o1-again": "3"})
    assert _sf_step(row, 4)["options"][0]["again"] == 3
    typed = {**MORE_OR_FINISHED, **emptied, **moved, "sf-5-o1-again": "4"}
    refused = teacher.post("/authoring/new", data=lesson_form(**typed))
    assert refused.status_code == 400  # box 4 is empty: not a step
    assert "must be the number of an earlier step" in html.unescape(refused.text)
