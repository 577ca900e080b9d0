"""A question never shows the picture of its right answer: most pupils cannot read, so a
question whose word pictures include the right card's picture, and no wrong card's, is answered
by matching pictures, and the assessment records a false "right first time"."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom.lessons import authoring, kinds
from classroom.lessons.content import Pathway, answer_giveaways, load_lessons
from classroom.lessons.kinds import KINDS
from classroom.symbols.vocabulary import load_vocabulary
from tests.lessons.test_authoring import authoring_doc
from tests.lessons.test_lesson_loader import VALID, edited, lesson_folder, line_of, problems


def folder(tmp_path: Path, name: str, text: str = VALID) -> Path:
    """A lesson folder of its own for each version a test loads."""
    (tmp_path / name).mkdir()
    return lesson_folder(tmp_path / name, text)


# The tiny lesson's choose step asks "Which is kind?": "kind" shows the hands of a heart (1FAF6).
RIGHT = '  { text = "Well done!", symbol = "1F44F", correct = true },'
WRONG = '  { text = "Go away", symbol = "1F621" },'
KIND_CARD = '  { text = "Be kind", symbol = "1FAF6", correct = true },'


def test_a_question_showing_only_the_right_answers_picture_is_refused(tmp_path: Path) -> None:
    text = edited(RIGHT, KIND_CARD)
    found = problems(lesson_folder(tmp_path, text))
    line = line_of(text, 'text = "Which is kind?"')
    assert found == [
        f"lessons/01-tiny.toml:{line}: lesson 1 (tiny) semi_formal step 2: the question shows "
        "the picture 1FAF6 (on 'kind') of its right answer 'Be kind' and no wrong answer's "
        "picture, so a pupil who cannot read can find the answer by matching pictures without "
        "understanding; reword the question so that word is not in it, or choose a different "
        "picture"
    ]


def test_a_question_naming_neither_or_both_pictures_passes(tmp_path: Path) -> None:
    # The tiny lesson as written: "kind" is pictured, but on no card.
    assert load_lessons(folder(tmp_path, "neither"), kinds=KINDS).get("tiny")
    # Both the right and a wrong card's pictures in the question: matching finds no answer.
    text = edited(RIGHT, KIND_CARD)
    text = edited(WRONG, '  { text = "Go away", symbol = "1F620" },', text)
    text = edited('text = "Which is kind?"', 'text = "Which is kind, not angry?"', text)
    assert load_lessons(folder(tmp_path, "both", text), kinds=KINDS).get("tiny")


def test_where_every_answer_is_right_nothing_is_given_away(tmp_path: Path) -> None:
    text = edited(RIGHT, KIND_CARD)
    text = edited(WRONG, '  { text = "Go away", symbol = "1F621", correct = true },', text)
    assert load_lessons(lesson_folder(tmp_path, text), kinds=KINDS).get("tiny")


def test_the_speaking_head_on_tell_a_trusted_adult_gives_nothing_away(tmp_path: Path) -> None:
    # "Tell a trusted adult" is the answer every lesson teaches: lessons/README.md.
    asked = edited('text = "Which is kind?"', 'text = "Who do you tell?"')
    taught = edited(RIGHT, '  { text = "Tell a trusted adult", symbol = "1F5E3", correct = true },')
    text = edited('text = "Which is kind?"', 'text = "Who do you tell?"', taught)
    assert load_lessons(folder(tmp_path, "taught", text), kinds=KINDS).get("tiny")
    # Any other right answer with the speaking head is matched to "tell" like any picture.
    text = edited(RIGHT, '  { text = "Say it out loud", symbol = "1F5E3", correct = true },', asked)
    found = problems(folder(tmp_path, "other", text))
    assert len(found) == 1, found
    assert "the picture 1F5E3 (on 'tell') of its right answer 'Say it out loud'" in found[0]


def test_a_sort_item_showing_only_its_groups_picture_is_refused(tmp_path: Path) -> None:
    # Its own big picture is the Unkind group's; its words show the Kind group's picture.
    text = edited(
        '{ text = "Go away", symbol = "1F621", group = 2 }',
        '{ text = "Go away", symbol = "1F494", group = 2 }',
    )
    text = edited(
        '{ text = "Happy birthday!", symbol = "1F382", group = 1 }',
        '{ text = "Kind words", symbol = "1F4AC", group = 1 }',
        text,
    )
    found = problems(lesson_folder(tmp_path, text))
    assert found == [
        f"lessons/01-tiny.toml:{line_of(text, 'Kind words')}: lesson 1 (tiny) semi_formal step "
        "3: the item 'Kind words' shows the picture 1FAF6 (on 'Kind') of its group 'Kind' and "
        "not the other group's, so a pupil who cannot read can find the answer by matching "
        "pictures without understanding; reword the item, or choose a different picture",
        f"lessons/01-tiny.toml:{line_of(text, 'Go away', after='Kind words')}: "
        "lesson 1 (tiny) semi_formal step 3: the item 'Go away' shows the picture 1F494 (as "
        "its own picture) of its group 'Unkind' and not the other group's, so a pupil who "
        "cannot read can find the answer by matching pictures without understanding; reword "
        "the item, or choose a different picture",
    ]


def test_a_teachers_question_showing_the_right_answers_picture_is_refused_when_saved() -> None:
    # A teacher's answer without a chosen picture shows its first pictured word's: "kind".
    doc = authoring_doc({"sf-2-o1-text": "Kind words", "sf-2-feedback": "Kind words help."})
    with pytest.raises(authoring.LessonProblems) as caught:
        authoring.check_for_saving(doc)
    assert caught.value.reasons == [
        "Semi-formal, step 2: the question shows the picture of the right answer "
        "(“Kind words”), so a pupil can match pictures instead of understanding: reword the "
        "question or choose another picture."
    ]
    # Checked on saving, not on reading: a lesson saved before the rule still reaches pupils.
    assert authoring.check(doc).version(Pathway.SEMI_FORMAL).steps[1].text.text == (
        "Which message is kind?"
    )
    # Reworded so "kind" is not in the question, the lesson is saved.
    doc["semi_formal"]["steps"][1]["text"] = "Which message makes people happy?"
    assert authoring.check_for_saving(doc).id


def test_a_teachers_sort_item_showing_its_groups_picture_is_refused_when_saved() -> None:
    doc = authoring_doc({"f-2-i1-text": "Kind words"})
    with pytest.raises(authoring.LessonProblems) as caught:
        authoring.check_for_saving(doc)
    assert caught.value.reasons == [
        "Formal, step 2: “Kind words” shows the picture of the group it goes in (“Kind”), so a "
        "pupil can match pictures instead of understanding: reword it or choose another picture."
    ]


def test_no_shipped_question_shows_only_its_right_answers_picture() -> None:
    # The loader refuses any that does; this names them all at once if one creeps in.
    vocabulary = load_vocabulary()
    steps = [
        step
        for lesson in load_lessons(kinds=KINDS)
        for version in lesson.versions
        for step in version.steps
    ]
    found = [
        (step.id, giveaway.question, giveaway.card.text)
        for step in steps
        for giveaway in answer_giveaways(step, kinds.spec(step), vocabulary)
    ]
    assert found == []
    # Every choose and sort step was asked about, not none of them.
    assert sum(step.kind.value in ("choose", "sort") for step in steps) > 100
