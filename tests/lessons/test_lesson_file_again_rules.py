"""A lesson file's `again` ("Next goes back to step N") must be one the player can follow:
only a right answer lets a pupil go on, so only a right answer can go back, and a step whose
every right answer goes back could never be finished. The file reader refuses both, at the
line and in a file author's words; the lesson editor says the same rule in a teacher's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from classroom.lessons import authoring
from classroom.lessons.content import LESSONS_DIR, ChooseStep, LessonError, Pathway, load_lessons
from classroom.lessons.kinds import KINDS
from tests.lessons.test_lesson_loader import edited, lesson_folder, line_of

# The semi-formal turn-taking question lesson 13 asks: More goes back for another turn.
MORE_OR_FINISHED = """
[[semi_formal.steps]]
kind = "choose"
text = "More or finished?"
symbol = "1F914"
options = [
  { text = "More", symbol = "2795", correct = true, again = 2 },
  { text = "Finished", symbol = "1F3C1", correct = true },
]
feedback = "Thank you for telling me."
"""
TINY = edited("\n[formal]\n", MORE_OR_FINISHED + "\n[formal]\n")


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(LessonError) as caught:
        load_lessons(lesson_folder(tmp_path, text), kinds=KINDS)
    return [str(problem) for problem in caught.value.problems]


def test_more_going_back_and_finished_going_on_loads(tmp_path: Path) -> None:
    lesson = load_lessons(lesson_folder(tmp_path, TINY), kinds=KINDS).get("tiny")
    step = lesson.version(Pathway.SEMI_FORMAL).steps[3]
    assert isinstance(step, ChooseStep)
    assert [option.again for option in step.options] == [2, None]


def test_a_wrong_answer_that_goes_back_is_refused_at_its_line(tmp_path: Path) -> None:
    text = edited(
        '{ text = "Go away", symbol = "1F621" },\n]',
        '{ text = "Go away", symbol = "1F621", again = 1 },\n]',
        TINY,
    )
    assert _problems(tmp_path, text) == [
        f"lessons/01-tiny.toml:{line_of(text, 'again = 1')}: option 2 of step 2 of semi_formal "
        "has again but is not correct = true; a pupil goes on only after a right answer, so a "
        "wrong answer never goes back: mark it correct = true or take its again out"
    ]


def test_a_step_whose_every_right_answer_goes_back_is_refused(tmp_path: Path) -> None:
    text = edited(
        'symbol = "1F3C1", correct = true }', 'symbol = "1F3C1", correct = true, again = 1 }', TINY
    )
    assert _problems(tmp_path, text) == [
        f"lessons/01-tiny.toml:{line_of(text, 'again = 1')}: every correct option of step 4 of "
        "semi_formal has again, so a pupil would go back every time and never get past it; "
        "take again out of at least one correct option (such as 'Finished') so that it goes on"
    ]


def test_the_first_step_has_nowhere_to_go_back_to(tmp_path: Path) -> None:
    first = MORE_OR_FINISHED.replace("again = 2", "again = 1")
    text = edited(
        '[[semi_formal.steps]]\nkind = "story"',
        first.strip() + '\n\n[[semi_formal.steps]]\nkind = "story"',
        TINY,
    )
    found = _problems(tmp_path, text)
    assert found == [
        f"lessons/01-tiny.toml:{line_of(text, 'again = 1')}: again of option 1 of step 1 of "
        "semi_formal must be the number of an earlier step, but step 1 has none"
    ]


def test_lesson_13s_more_or_finished_still_loads() -> None:
    """The school's files keep the rules: More (right) goes back to step 3, Finished goes on."""
    lesson = load_lessons(LESSONS_DIR, kinds=KINDS).get("games-chat-spending")
    step = lesson.version(Pathway.PRE_FORMAL).steps[3]
    assert isinstance(step, ChooseStep)
    assert [(o.text.text, o.correct, o.again) for o in step.options] == [
        ("More", True, 3),
        ("Finished", True, None),
    ]


def _teachers(options: list[dict[str, Any]]) -> dict[str, Any]:
    note = {"note": "Looks at the adult.", "look_for": "initiation"}
    story = {"kind": "story", "text": "My turn! Tap.", **note}
    ask = {"kind": "choose", "text": "More or finished?", "options": options, **note}
    ask["feedback"] = "Thank you for telling me."
    return {
        "title": "More or finished",
        "topic": "Games, chat and spending",
        "strands": ["health_wellbeing_lifestyle"],
        "risks": ["obsessive_use"],
        "pre_formal": {"objective": "Asks for more", "steps": [story, story, ask]},
    }


@pytest.mark.parametrize(
    ("options", "box", "said"),
    [
        (
            [{"text": "More", "again": 1}, {"text": "Finished", "correct": True}],
            "pf-3-o1-again",
            "Pre-formal, step 3, answer 1: only a right answer lets the pupil go on",
        ),
        (
            [
                {"text": "More", "correct": True, "again": 1},
                {"text": "Finished", "correct": True, "again": 2},
            ],
            "pf-3-o2-again",
            "Pre-formal, step 3, every right answer goes back to an earlier step",
        ),
    ],
)
def test_the_editor_says_the_readers_rule_once_in_a_teachers_words(
    options: list[dict[str, Any]], box: str, said: str
) -> None:
    with pytest.raises(authoring.LessonProblems) as refused:
        authoring.check(_teachers(options))
    [reason] = refused.value.reasons
    assert reason.startswith(said)
    assert list(refused.value.fields) == [box]
    assert "correct = true" not in reason  # not the lesson file's words
