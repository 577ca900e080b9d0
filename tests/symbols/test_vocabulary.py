"""The word list and our own pictures: they load, every picture exists, problems are named."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from classroom.symbols.cli import cli
from classroom.symbols.library import own_symbol_files, svg_path, svg_problems
from classroom.symbols.vocabulary import (
    VocabularyError,
    check_vocabulary,
    load_vocabulary,
    normalise,
)

E_SAFETY_WORDS = [
    "happy", "sad", "worried", "scared", "angry", "feelings", "kind", "unkind", "bully",
    "cyberbullying", "block", "report", "tell", "stop", "private", "password", "share", "safe",
    "unsafe", "yes", "no", "help", "adult", "trusted adult", "friend", "stranger", "family",
    "teacher", "home", "school", "money", "buy", "internet", "online", "app", "game", "video",
    "message", "photo", "screenshot", "phone", "ipad", "secret", "delete", "permission",
    "block and report", "stop block tell", "personal information", "real life", "screen time",
]  # fmt: skip


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "vocabulary.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_word_list_is_broad_and_covers_e_safety() -> None:
    vocabulary = load_vocabulary()
    assert len(vocabulary) >= 400
    missing = [w for w in E_SAFETY_WORDS if vocabulary.get(w) is None]
    assert missing == []
    assert {"a", "the", "to", "and", "of"} <= vocabulary.function_words


def test_every_picture_exists_and_every_own_drawing_is_clean() -> None:
    assert check_vocabulary() == []
    entries = load_vocabulary().entries.values()
    assert all(svg_path(code) is not None for entry in entries for code in entry.symbols)


def test_negatives_are_never_function_words() -> None:
    assert not {"no", "not", "don't", "never", "can't", "won't"} & load_vocabulary().function_words


def test_our_own_drawings_are_used_by_the_word_list() -> None:
    used = {code for entry in load_vocabulary().entries.values() for code in entry.symbols}
    unused = [p.stem for p in own_symbol_files() if p.stem not in used]
    assert unused == []


def test_entries_and_the_vocabulary_are_frozen() -> None:
    vocabulary = load_vocabulary()
    entry = vocabulary.entries["trusted adult"]
    assert entry.symbols[0] == "trusted-adult"
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.symbol = "1F431"
    with pytest.raises(TypeError):
        vocabulary.entries["cat"] = entry


def test_keys_are_normalised_for_lookup() -> None:
    assert normalise("  Cyber-Bullying\u2019s\tNOW ") == "cyber bullying's now"
    assert load_vocabulary().get("e safety") is not None  # written "e-safety" in the file


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
function_words = ["a", "the", "a"]
[people]
friend = "1F9D1-200D-1F91D-200D-1F9D1"
e-safety = "E247"
ghost = "1FFFF"
Cat = "1F431"
bad = "not a code!"
alts = { symbol = "1F431", alternatives = ["nope-not-here"] }
odd = { picture = "1F431" }
[places]
"e safety" = "E247"
friend = "1F46B"
""",
    )
    problems = check_vocabulary(path)
    text = "\n".join(problems)
    assert "function word 'a' is listed twice" in text
    assert "[people] 'ghost': no picture for '1FFFF'" in text
    assert "[people] 'Cat': write it in lower case" in text
    assert "'not a code!' is not a symbol code" in text
    assert "no picture for 'nope-not-here'" in text
    assert "[people] 'odd': give a symbol code" in text
    assert "[places] 'e safety': duplicate of [people] 'e-safety'" in text
    assert "[places] 'friend': duplicate of [people] 'friend'" in text
    with pytest.raises(VocabularyError, match="problems in the symbol word list"):
        load_vocabulary(path)


def test_a_syntax_error_is_reported_not_raised(tmp_path: Path) -> None:
    problems = check_vocabulary(write(tmp_path, "[people]\nfriend = \n"))
    assert len(problems) == 1
    assert "not valid TOML" in problems[0]


def test_unclean_svgs_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad-symbol.svg"
    bad.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        '<script>alert(2)</script><a href="https://example.com"><circle r="1"/></a></svg>'
    )
    problems = "\n".join(svg_problems(bad))
    assert "needs a viewBox" in problems
    assert "'onload' is not allowed" in problems
    assert "<script> is not allowed" in problems
    assert "'href' is not allowed" in problems


def test_cli_check_passes_on_the_real_word_list() -> None:
    result = CliRunner().invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")


def test_cli_check_fails_with_clear_messages(tmp_path: Path) -> None:
    path = write(tmp_path, '[people]\nghost = "1FFFF"\n')
    result = CliRunner().invoke(cli, ["check", "--file", str(path)])
    assert result.exit_code == 1
    assert "1 problem found:" in result.output
    assert "no picture for '1FFFF'" in result.output


def test_words_on_the_never_share_list_cannot_share_a_picture(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
never_share = [["feel", "pretend"], ["adult", "ghost"]]
[words]
feel = "1F3AD"
pretend = "1F3AD"
adult = "adult"
""",
    )
    problems = "\n".join(check_vocabulary(path))
    assert "'feel', 'pretend' must never share a picture, but all have '1F3AD'" in problems
    assert "never_share word 'ghost' is not listed" in problems
    with pytest.raises(VocabularyError):
        load_vocabulary(path)


def test_the_reviewed_words_have_distinct_concrete_pictures() -> None:
    vocabulary = load_vocabulary()
    people = ["adult", "child", "me", "you", "friend", "stranger", "trusted adult", "bully"]
    assert len({vocabulary.entries[w].symbol for w in people}) == len(people)
    # No praying hands, no OK hand, no huffy face for bullying, no masks for feelings.
    for word in ["want", "please", "thank you", "believe", "respects", "permission", "consent"]:
        assert vocabulary.entries[word].symbol not in {"1F64F", "1F932", "1F44C"}, word
    assert vocabulary.entries["bullying"].symbol == "bully"
    assert vocabulary.entries["feelings"].symbol != vocabulary.entries["pretend"].symbol
    assert vocabulary.entries["nude"].symbol == "private-picture"
    assert vocabulary.entries["yes"].symbols == ("2705",)
    assert vocabulary.entries["no"].symbols == ("274C",)
    assert vocabulary.entries["bully"].why  # each decision says why


def test_a_why_must_be_text(tmp_path: Path) -> None:
    problems = check_vocabulary(write(tmp_path, '[w]\ncat = { symbol = "1F431", why = 3 }\n'))
    assert any("why must be text" in p for p in problems)


def test_cli_check_with_lessons_names_each_screen_problem(tmp_path: Path) -> None:
    folder = tmp_path / "lessons"
    folder.mkdir()
    result = CliRunner().invoke(cli, ["check", "--lessons", str(folder)])
    assert result.exit_code == 1
    assert "no lesson files (*.toml) found here" in result.output
