"""A teacher whose lesson is refused is told what to change in the editor's words: each problem
once, beside its box (aria-invalid, aria-describedby) and linked from the list at the top, with
all she typed kept. The lesson file's words ("pre_formal", "a 'story' step", "look_for",
"1 steps") are for a lesson file's author, not for her."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.lessons.authored_models import AuthoredLesson
from classroom.lessons.kinds import KINDS
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.worry_helpers import make_school

# Words of the lesson file (classroom/lessons/content) a teacher never sees in the editor.
FILE_WORDS = re.compile(
    r"pre_formal|semi_formal|(?<![\w-])formal has|look_for|\d steps; use|is missing '|"
    r"a '\w+' step|correct = true|lessons/glossary\.toml|\bof (?:pre|semi)"
)
_STEPS = [
    f"{code}-{n}-{key}" for code in ("pf", "sf", "f") for n in (1, 2, 3) for key in ("kind", "text")
]

CASES: dict[str, dict[str, Any]] = {
    "every step box empty": dict.fromkeys(_STEPS),
    "too few steps": {"pf-2-kind": None, "pf-2-text": None, "pf-3-kind": None, "pf-3-text": None},
    "a pathway with no steps": {name: None for name in _STEPS if name.startswith("sf-")},
    "no note and no engagement area": {"pf-1-note": None, "pf-1-look_for": None},
    "no engagement area": {"pf-2-look_for": None},
    "words but no kind": {"pf-4-text": "Look at me."},
    "no right answer ticked": {"sf-2-correct": None},
    "one answer": {"sf-2-o2-text": None},
    "no yes or no": {"pf-3-answer": None},
    "a group with no name": {"f-2-g2-label": None},
    "too few things": {"f-2-i3-text": None},
}
# A step of every kind, with only its kind and words: what each kind still needs is asked for.
for kind in KINDS:
    CASES[f"a bare {kind} step"] = {"pf-4-kind": str(kind), "pf-4-text": "Look at me."}


def _summary(page: str) -> list[tuple[str | None, str]]:
    """The list of problems at the top: (the id each links to, its words)."""
    found = re.search(r"data-error-summary>(.*?)</div>", page, re.S)
    assert found is not None, "no list of problems"
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.S)
    linked = [re.fullmatch(r'<a href="#([^"]+)">(.*)</a>', item.strip(), re.S) for item in items]
    return [
        (link.group(1), html.unescape(link.group(2))) if link else (None, html.unescape(item))
        for link, item in zip(linked, items, strict=True)
    ]


def _element(page: str, element_id: str) -> str:
    found = re.search(
        rf'<(?:input|select|textarea)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', page
    )
    assert found is not None, f"the summary links to #{element_id}, which is not a box"
    return found.group(0)


@pytest.mark.parametrize("changes", CASES.values(), ids=CASES.keys())
def test_each_problem_is_in_her_words_once_beside_its_box_and_linked(
    app: Flask, session: Session, changes: dict[str, Any]
) -> None:
    school = make_school(session)
    form = lesson_form(**changes)
    response = client_for(app, school.teacher).post("/authoring/new", data=form)
    assert response.status_code == 400
    page = response.data.decode()
    said = _summary(page)
    assert said, "nothing said"
    reasons = [reason for _link, reason in said]
    assert len(reasons) == len(set(reasons)), f"said twice: {reasons}"
    for link, reason in said:
        assert not FILE_WORDS.search(reason), reason
        assert link is not None, f"not linked to its box: {reason}"
        box = _element(page, link)
        assert 'aria-invalid="true"' in box, (reason, box)
        described = re.search(r'aria-describedby="([^"]+)"', box)
        assert described is not None, (reason, box)
        beside = [
            html.unescape(text)
            for error_id in described.group(1).split()
            for text in re.findall(
                rf'<p class="error" id="{re.escape(error_id)}">([^<]*)</p>', page
            )
        ]
        assert reason in beside, (reason, beside)
    # Every box marked is in the list (nothing marked that the list does not say).
    for text in re.findall(r'<p class="error" id="[^"]+">([^<]*)</p>', page):
        assert html.unescape(text) in reasons
    # All she typed is kept.
    for name, value in form.items():
        if isinstance(value, str) and name.endswith(("-text", "-note", "title", "-objective")):
            assert f'value="{html.escape(value, quote=True)}"' in page, name
    count = session.scalar(select(func.count()).select_from(AuthoredLesson))
    assert count == 0


def test_the_steps_a_pathway_needs_are_counted_in_her_words(app: Flask, session: Session) -> None:
    school = make_school(session)
    changes = CASES["too few steps"]
    page = client_for(app, school.teacher).post("/authoring/new", data=lesson_form(**changes)).text
    reason = html.unescape(page)
    assert "Pre-formal has 1 step: each pathway needs 3 to 7." in reason
    assert "1 steps" not in reason
    # Marked on the first step box with no step in it: where the next step goes.
    assert 'id="f-pf-2-kind-error"' in page


def test_an_engagement_area_and_a_note_are_two_problems_each_by_its_own_label(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    changes = CASES["no note and no engagement area"]
    page = client_for(app, school.teacher).post("/authoring/new", data=lesson_form(**changes))
    said = [reason for _link, reason in _summary(page.text)]
    assert said == [
        "Pre-formal step 1, engagement area it shows: please choose one.",
        "Pre-formal step 1, what to look for: please fill this in.",
    ]
