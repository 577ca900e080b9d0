"""`flask lessons readability`: words per screen, sentence length and Flesch figures per pathway."""

from __future__ import annotations

from click.testing import CliRunner

from classroom.lessons import readability
from classroom.lessons.cli import cli
from classroom.lessons.content import Pathway, load_lessons
from classroom.lessons.kinds import KINDS


def test_syllables_are_counted_offline() -> None:
    assert readability.syllables("cat") == 1
    assert readability.syllables("password") == 2
    assert readability.syllables("cyberbullying") >= 4


def test_pre_formal_reads_easiest_and_formal_has_the_longest_sentences() -> None:
    catalogue = load_lessons(kinds=KINDS)
    pre, semi, formal = (readability.figures(catalogue, p) for p in Pathway)
    assert pre.words_per_screen < semi.words_per_screen < formal.words_per_screen
    assert pre.words_per_sentence < formal.words_per_sentence
    assert pre.reading_ease > formal.reading_ease
    assert formal.grade < 6  # even formal text stays at primary-school reading level


def test_the_command_prints_a_table_row_per_pathway() -> None:
    result = CliRunner().invoke(cli, ["readability"])
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[0].startswith("| pathway | screens | words per screen")
    assert [row.split(" | ")[0] for row in rows[2:]] == [f"| {p.value}" for p in Pathway]
