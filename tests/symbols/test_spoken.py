"""Pupil text read aloud as one piece, and the pictures the chooser offers for a word."""

from __future__ import annotations

from classroom.symbols.queries import options_for, search_entries
from classroom.symbols.spoken import name, spoken


def test_pieces_are_joined_with_a_pause_and_offsets_count_from_the_start() -> None:
    script = spoken(["What happened?", "Someone was unkind", "Sad"])
    assert script.text == "What happened? Someone was unkind. Sad"
    assert [piece.start for piece in script.pieces] == [0, 15, 35]
    for piece in script.pieces:
        for part in piece.parts():
            assert script.text[part.offset : part.offset + len(part.text)] == part.text


def test_words_carry_symbols_and_overrides_win() -> None:
    (piece,) = spoken(["Tell an adult"], [{"adult": "1F984"}]).pieces
    words = {part.text: part.symbol for part in piece.parts() if part.is_word}
    assert words["adult"] == "1F984"
    assert words["an"] is None  # a function word: a button to hear, but no picture


def test_names_are_said_but_never_given_a_symbol() -> None:
    script = spoken([[name("Leo Star"), " will talk to you."]])
    first = script[0].parts()[0]
    assert (first.text, first.symbol, first.is_word) == ("Leo Star", None, True)
    assert script.text == "Leo Star will talk to you."
    assert spoken([[name(""), "Hello"]]).text == "Hello"


def test_labels_keep_marks_on_their_word_so_names_read_as_the_text() -> None:
    (piece,) = spoken(["Type here. You do not have to."]).pieces
    labels = [(part.text, part.is_word) for part in piece.labels()]
    assert ("here.", True) in labels
    assert ("to.", True) in labels
    assert "".join(part.text for part in piece.labels()) == piece.text
    said = [part.say for part in piece.labels() if part.is_word]
    assert "here" in said  # tapping or highlighting still uses the bare word


def test_options_start_with_the_words_own_pictures_then_search_results() -> None:
    codes = [option.code for option in options_for("worried")]
    assert codes[:3] == ["1F61F", "1F625", "worry"]
    assert [o.word for o in options_for("bullied")][:1] == ["bully"]  # found by its lemma
    with_search = [option.code for option in options_for("worried", "happy")]
    assert "1F600" in with_search
    assert len(set(with_search)) == len(with_search)


def test_search_prefers_words_that_start_with_the_term() -> None:
    phrases = [entry.phrase for entry in search_entries("sad")]
    assert phrases[0] == "sad"
    assert [entry.phrase for entry in search_entries("trusted ad")] == ["trusted adult"]
    assert search_entries("   ") == []
