"""One phrase per key idea: the glossary refuses variants and idioms, naming the phrase to use."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from classroom.lessons.cli import cli
from classroom.lessons.content import all_pupil_texts, load_lessons
from classroom.lessons.glossary import GlossaryError, load_glossary
from classroom.lessons.kinds import KINDS
from classroom.rules.services import DEMO_RULES
from classroom.worries.flow import worry_texts
from tests.lessons.test_lesson_loader import edited, lesson_folder, line_of, problems


def test_a_lesson_saying_passcode_is_refused_and_told_to_say_password(tmp_path: Path) -> None:
    text = edited('text = "Hello # not a comment."', 'text = "Type your passcode."')
    found = problems(lesson_folder(tmp_path, text))
    line = line_of(text, "Type your passcode.")
    assert found == [
        f"lessons/01-tiny.toml:{line}: step 2 of pre_formal says 'passcode'; our lessons "
        "always say 'password' (lessons/glossary.toml)"
    ]


def test_variants_of_trusted_adult_are_refused_in_options_and_objectives(tmp_path: Path) -> None:
    text = edited(
        '{ text = "Go away", symbol = "1F621" }', '{ text = "Tell a grown-up", symbol = "1F621" }'
    )
    text = edited('text = "Explains"', 'text = "Tells an adult"', text)
    found = problems(lesson_folder(tmp_path, text))
    assert len(found) == 2
    assert all("our lessons always say 'trusted adult'" in problem for problem in found)


def test_an_idiom_without_a_picture_is_refused(tmp_path: Path) -> None:
    text = edited('text = "Be kind online."', 'text = "Just get over it."')
    (found,) = problems(lesson_folder(tmp_path, text))
    assert "uses 'get over it', which has no concrete picture" in found


def test_words_that_only_contain_a_variant_are_fine(tmp_path: Path) -> None:
    text = edited('text = "Be kind online."', 'text = "The meaning of adulthood."')
    assert load_lessons(lesson_folder(tmp_path, text), kinds=KINDS).get("tiny")


def test_every_shipped_lesson_keeps_to_the_glossary() -> None:
    glossary = load_glossary()
    assert {term.use for term in glossary.terms} >= {"trusted adult", "password", "unkind"}
    broken = {
        text_id: glossary.problems(text)
        for text_id, text in all_pupil_texts(load_lessons(kinds=KINDS))
        if glossary.problems(text)
    }
    assert broken == {}


def test_lessons_check_reports_the_glossary(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert "Glossary: every text keeps to" in result.stdout
    bad = edited('text = "Hello # not a comment."', 'text = "My grown-up helps."')
    result = CliRunner().invoke(cli, ["check", "--folder", str(lesson_folder(tmp_path, bad))])
    assert result.exit_code == 1
    assert "says 'grown-up'; our lessons always say 'trusted adult'" in result.stderr


def test_a_broken_glossary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "glossary.toml"
    path.write_text('[[term]]\nuse = "password"\nmeaning = "x"\ninstead_of = ["password"]\n')
    with pytest.raises(GlossaryError, match="both a phrase to use and not use"):
        load_glossary(path)
    path.write_text('[[term]]\nuse = "password"\n')
    with pytest.raises(GlossaryError, match="needs exactly use, meaning and instead_of"):
        load_glossary(path)


def test_the_worry_flow_and_the_schools_first_rules_use_the_lessons_words() -> None:
    """A pupil hears "trusted adult" in the worry flow and the rules, as in every lesson."""
    glossary = load_glossary()
    texts = worry_texts() + [rule for rule, _symbol in DEMO_RULES]
    assert {text: glossary.problems(text) for text in texts if glossary.problems(text)} == {}
    assert "A trusted adult will talk to you." in texts
