"""A lesson whose screen gives one word two pictures, or breaks the word list, does not load."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from classroom.lessons.cli import cli as lessons_cli
from classroom.lessons.content import LessonError, load_lessons
from classroom.lessons.kinds import KINDS
from classroom.symbols.cli import cli as symbols_cli
from tests.lessons.test_lesson_loader import VALID, edited, lesson_folder

SORT_GROUPS = """  { label = "Kind", symbol = "1FAF6" },
  { label = "Unkind", symbol = "1F494" },"""


def refusal(folder: Path) -> str:
    with pytest.raises(LessonError) as caught:
        load_lessons(folder, kinds=KINDS)
    return str(caught.value)


def test_a_card_whose_picture_disagrees_with_the_word_list_is_refused(tmp_path: Path) -> None:
    text = edited('{ label = "Kind", symbol = "1FAF6" }', '{ label = "Kind", symbol = "1F60A" }')
    message = refusal(lesson_folder(tmp_path, text))
    assert (
        "lessons/01-tiny.toml: lesson 1 (tiny) semi_formal step 3: the card 'Kind' shows "
        "'1F60A' but the word list gives 'kind' the picture '1FAF6'"
    ) in message


def test_one_word_with_two_pictures_on_one_screen_is_refused(tmp_path: Path) -> None:
    # The feedback says "happy" (the word list's grinning face); a card shows another face.
    text = edited(
        '{ text = "Happy birthday!", symbol = "1F382", group = 1 }',
        '{ text = "Happy", symbol = "1F60A", group = 1 }',
    )
    message = refusal(lesson_folder(tmp_path, text))
    assert "semi_formal step 3: 'happy' has different pictures on one screen: 1F600, 1F60A" in (
        message
    )


def test_never_share_words_sharing_a_picture_are_refused(tmp_path: Path) -> None:
    text = edited(
        '{ text = "Well done!", symbol = "1F44F", correct = true },\n'
        '  { text = "Go away", symbol = "1F621" },',
        '{ text = "Yes", symbol = "274C", correct = true },\n  { text = "No", symbol = "274C" },',
    )
    message = refusal(lesson_folder(tmp_path, text))
    assert (
        "lesson 1 (tiny) semi_formal step 2: 'no', 'yes' must never share a picture, "
        "but share '274C' on one screen"
    ) in message


def test_lessons_check_command_fails_naming_the_lesson_step_and_word(tmp_path: Path) -> None:
    unkind = '{ label = "Unkind", symbol = "%s" }'
    text = edited(unkind % "1F494", unkind % "1F620")
    folder = lesson_folder(tmp_path, text)
    result = CliRunner().invoke(lessons_cli, ["check", "--folder", str(folder)])
    assert result.exit_code == 1
    assert "semi_formal step 3: the card 'Unkind' shows '1F620'" in result.output
    symbols = CliRunner().invoke(symbols_cli, ["check", "--lessons", str(folder)])
    assert symbols.exit_code == 1
    assert "the card 'Unkind' shows '1F620'" in symbols.output


def test_the_valid_lesson_and_every_shipped_lesson_pass(tmp_path: Path) -> None:
    assert SORT_GROUPS in VALID
    assert load_lessons(lesson_folder(tmp_path), kinds=KINDS).get("tiny") is not None
    assert len(load_lessons(kinds=KINDS).lessons) >= 27
    # The consistency command checks the shipped lessons without being asked.
    result = CliRunner().invoke(symbols_cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK:")
