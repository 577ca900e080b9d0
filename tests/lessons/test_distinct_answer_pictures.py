"""Two answer cards on one screen never show one picture: a pupil who cannot read tells the
answers apart by their pictures, so the loader refuses a step whose cards share one."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom.lessons import authoring, kinds
from classroom.lessons.content import ChooseStep, Pathway, load_lessons
from classroom.lessons.kinds import KINDS
from classroom.symbols.library import svg_path
from tests.lessons.test_authoring import authoring_doc
from tests.lessons.test_lesson_loader import edited, lesson_folder, line_of, problems

RIGHT = '  { text = "Well done!", symbol = "1F44F", correct = true },'
WRONG = '  { text = "Go away", symbol = "1F621" },'


def test_a_wrong_answer_with_the_right_answers_picture_is_refused(tmp_path: Path) -> None:
    text = edited(WRONG, '  { text = "Go away", symbol = "1F44F" },')
    found = problems(lesson_folder(tmp_path, text))
    assert found == [
        f"lessons/01-tiny.toml:{line_of(text, 'Go away', after='[semi_formal]')}: "
        "lesson 1 (tiny) semi_formal step 2: the answers 'Well done!' and 'Go away' both show "
        "the picture 1F44F, so a pupil who cannot read cannot tell them apart; choose a "
        "different picture for the wrong answer 'Go away'"
    ]


def test_each_pair_is_named_in_the_order_of_the_file(tmp_path: Path) -> None:
    # Three cards with one picture: the second and the third each clash with the first.
    text = edited(
        WRONG,
        '  { text = "Go away", symbol = "1F621" },\n'
        '  { text = "Shout at them", symbol = "1F621" },\n'
        '  { text = "Be rude", symbol = "1F621" },',
    )
    found = problems(lesson_folder(tmp_path, text))
    assert len(found) == 2, found
    assert "the answers 'Go away' and 'Shout at them' both show the picture 1F621" in found[0]
    assert "the answers 'Go away' and 'Be rude' both show the picture 1F621" in found[1]
    # Neither is the right answer: the author chooses which picture to change.
    assert all(p.endswith("choose a different picture for one of them") for p in found)


def test_two_codes_for_one_drawing_are_one_picture(tmp_path: Path) -> None:
    # OpenMoji draws these two flags (Australia; Heard and McDonald Islands) identically.
    first, second = svg_path("1F1ED-1F1F2"), svg_path("1F1E6-1F1FA")
    assert first is not None
    assert second is not None
    assert first.read_bytes() == second.read_bytes()
    text = edited(
        WRONG,
        '  { text = "Go away", symbol = "1F1ED-1F1F2" },\n'
        '  { text = "Be rude", symbol = "1F1E6-1F1FA" },',
    )
    found = problems(lesson_folder(tmp_path, text))
    assert len(found) == 1, found
    assert (
        "the answers 'Go away' and 'Be rude' both show the picture "
        "1F1ED-1F1F2 and 1F1E6-1F1FA, one drawing" in found[0]
    )


def test_sort_groups_with_one_picture_are_refused(tmp_path: Path) -> None:
    text = edited(
        '  { label = "Unkind", symbol = "1F494" },', '  { label = "Unkind", symbol = "1FAF6" },'
    )
    found = problems(lesson_folder(tmp_path, text))
    # First the cards, then the word list's rules ("Unkind" with the picture for "kind").
    assert [p for p in found if "both show the picture" in p] == found[:1], found
    line = line_of(text, '{ label = "Unkind"')
    assert found[0].startswith(f"lessons/01-tiny.toml:{line}: ")
    assert "lesson 1 (tiny) semi_formal step 3: the answers 'Kind' and 'Unkind'" in found[0]
    # Each group is right for some items, so neither is called the wrong one.
    assert found[0].endswith("choose a different picture for one of them")


def test_a_step_with_other_problems_is_reported_for_those_without_failing(
    tmp_path: Path,
) -> None:
    # No right answer, and both cards with one picture: the cards cannot be built to compare.
    text = edited(RIGHT, '  { text = "Well done!", symbol = "1F44F" },')
    text = edited(WRONG, '  { text = "Go away", symbol = "1F44F" },', text)
    found = problems(lesson_folder(tmp_path, text))
    assert len(found) == 1, found
    assert "has no correct option" in found[0]


def test_a_teachers_answers_given_one_picture_by_their_words_are_refused_when_saved() -> None:
    # A teacher's answer without a chosen picture shows the picture of its first pictured word:
    # "Tell" gives both of these the speaking head.
    doc = authoring_doc(
        {
            "sf-2-text": "Someone asks where you live. What do you do?",
            "sf-2-o1-text": "Tell a trusted adult",
            "sf-2-o2-text": "Tell them your address",
            "sf-2-feedback": "Tell a trusted adult.",
        }
    )
    with pytest.raises(authoring.LessonProblems) as caught:
        authoring.check_for_saving(doc)
    assert caught.value.reasons == [
        "Semi-formal, step 2: the cards “Tell a trusted adult” and “Tell them your address” have "
        "the same picture, so a pupil who cannot read cannot tell them apart. Choose a different "
        "picture for “Tell them your address”."
    ]
    # Checked on saving, not on reading: a lesson saved before the rule still reaches pupils.
    step = authoring.check(doc).version(Pathway.SEMI_FORMAL).steps[1]
    assert isinstance(step, ChooseStep)
    assert [option.symbol for option in step.options] == ["1F5E3", "1F5E3"]
    # With a picture of its own for the wrong answer, the lesson is saved.
    doc["semi_formal"]["steps"][1]["options"][1]["symbol"] = "1F3E1"
    saved = authoring.check_for_saving(doc).version(Pathway.SEMI_FORMAL).steps[1]
    assert isinstance(saved, ChooseStep)
    assert [option.symbol for option in saved.options] == ["1F5E3", "1F3E1"]


def test_every_shipped_lesson_shows_each_answer_with_its_own_picture() -> None:
    catalogue = load_lessons(kinds=KINDS)  # the loader refuses any step that breaks the rule
    checked = 0
    for lesson in catalogue:
        for version in lesson.versions:
            for step in version.steps:
                unit = kinds.spec(step)
                for item in range(max(1, unit.items(step))):
                    pictures = [card.symbol for card in kinds.choice_cards(step, 7, item)]
                    assert len(set(pictures)) == len(pictures), (lesson.id, step.id, pictures)
                    checked += bool(pictures)
    assert checked > 200  # every choose, sort and yes/no screen, not none of them


# --- the speaking head on "tell a trusted adult", and the picture cue checks ---------------

TELL_STEPS = """
[[semi_formal.steps]]
kind = "choose"
text = "Someone is unkind to you. What do you do?"
symbol = "1F914"
options = [
  { text = "RIGHT_ONE", symbol = "1F5E3", correct = true },
  { text = "Keep it a secret", symbol = "1F92B" },
]
feedback = "RIGHT_ONE."

[[semi_formal.steps]]
kind = "choose"
text = "You see something upsetting. What do you do?"
symbol = "1F914"
options = [
  { text = "RIGHT_TWO", symbol = "1F5E3", correct = true },
  { text = "Watch it again", symbol = "1F501" },
]
feedback = "RIGHT_TWO."
"""


def _with_tell_steps(one: str, two: str) -> str:
    steps = TELL_STEPS.replace("RIGHT_ONE", one).replace("RIGHT_TWO", two)
    return edited("\n[formal]\n", f"{steps}\n[formal]\n")


def test_the_speaking_head_may_mark_telling_a_trusted_adult(tmp_path: Path) -> None:
    # What the lessons teach on purpose, and now never on a wrong card of the same step.
    text = _with_tell_steps("Tell a trusted adult", "Ask a trusted adult")
    lesson = load_lessons(lesson_folder(tmp_path, text), kinds=KINDS).get("tiny")
    assert lesson is not None
    assert len(lesson.version(Pathway.SEMI_FORMAL).steps) == 5


def test_the_speaking_head_on_other_right_answers_is_still_a_cue(tmp_path: Path) -> None:
    text = _with_tell_steps("Say thank you", "Say sorry")
    found = problems(lesson_folder(tmp_path, text))
    assert len(found) == 1, found
    assert "picture 1F5E3 is on the right answer in 2 steps and never on a wrong one" in found[0]
