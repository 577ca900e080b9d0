"""The symboliser: phrases first, exact words, lemmas, function words, overrides, odd input."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from classroom.symbols.symboliser import HIDDEN, Token, override_map, symbolise
from classroom.symbols.vocabulary import Entry, Vocabulary


def words(tokens: list[Token]) -> list[tuple[str, str | None]]:
    return [(t.text, t.symbol) for t in tokens if t.is_word]


def symbol_for(text: str, word: str, **kwargs: object) -> str | None:
    matches = [t.symbol for t in symbolise(text, **kwargs) if t.is_word and t.text == word]
    assert len(matches) == 1, f"{word!r} is not one token of {text!r}"
    return matches[0]


def tiny_vocabulary(entries: dict[str, str], function_words: tuple[str, ...] = ()) -> Vocabulary:
    table = {phrase: Entry(phrase, code, (), "test") for phrase, code in entries.items()}
    longest = max(len(p.split()) for p in table)
    return Vocabulary(MappingProxyType(table), frozenset(function_words), longest)


def test_the_longest_phrase_wins_over_its_words() -> None:
    tokens = symbolise("Tell a trusted adult now.")
    assert ("trusted adult", "trusted-adult") in words(tokens)
    assert "trusted" not in [t.text for t in tokens]


def test_block_and_report_is_one_symbol_not_three() -> None:
    assert words(symbolise("Block and report them."))[0] == ("Block and report", "block-and-report")


def test_a_phrase_may_be_written_with_commas_and_hyphens() -> None:
    assert symbol_for("Remember: stop, block, tell!", "stop, block, tell") == "stop-block-tell"
    assert symbol_for("That is cyber-bullying.", "cyber-bullying") == "cyberbullying"


def test_a_phrase_never_spans_a_full_stop() -> None:
    tokens = words(symbolise("I trusted. Adult help came."))
    assert ("trusted", "1F91D") in tokens
    assert ("Adult", "adult") in tokens


def test_a_plural_phrase_matches_through_its_last_word() -> None:
    assert symbol_for("Find your trusted adults.", "trusted adults") == "trusted-adult"


def test_inflected_words_fall_back_to_their_lemma() -> None:
    for form in ("bullied", "bullies"):
        tokens = [t for t in symbolise(f"She {form} him.") if t.text == form]
        assert tokens == [Token(form, "bully", True, "bully")]


def test_the_exact_word_beats_its_lemma() -> None:
    vocabulary = tiny_vocabulary({"scared": "1F628", "scare": "1F47B"})
    assert symbol_for("I was scared.", "scared", vocabulary=vocabulary) == "1F628"
    assert symbol_for("It scares me.", "scares", vocabulary=vocabulary) == "1F47B"


def test_doubled_consonants_and_missed_lemmas_still_match() -> None:
    assert symbol_for("We were chatting.", "chatting") == "E248"
    assert symbol_for("They are playing.", "playing") == "1F3AE"


def test_case_and_curly_apostrophes_do_not_matter() -> None:
    assert symbol_for("STOP now", "STOP") == "1F6D1"
    assert symbol_for("Don\u2019t share it", "Don\u2019t") == "1F6AB"
    assert symbol_for("my friend's phone", "friend's") == symbol_for("a friend", "friend")


def test_function_words_have_no_symbol_unless_asked_for() -> None:
    vocabulary = tiny_vocabulary({"to": "27A1", "go": "1F7E2"}, function_words=("to",))
    assert symbol_for("go to school", "to", vocabulary=vocabulary) is None
    asked = symbol_for("go to school", "to", vocabulary=vocabulary, function_words=True)
    assert asked == "27A1"


def test_function_words_are_still_buttons_that_can_be_heard() -> None:
    token = next(t for t in symbolise("Tell the teacher") if t.text == "the")
    assert token.is_word
    assert token.symbol is None


def test_negatives_always_keep_their_symbol() -> None:
    assert symbol_for("I will not go", "not") == "1F6AB"
    assert symbol_for("Do not share", "Do not") == "1F6AB"
    assert symbol_for("No, never", "No") == "274C"


def test_unknown_words_are_text_only() -> None:
    assert symbol_for("a zyzzyva", "zyzzyva") is None


def test_the_most_specific_override_layer_wins() -> None:
    school, klass, pupil = {"cat": "1F436"}, {"cat": "1F98A"}, {"cat": "1F981"}
    assert symbol_for("my cat", "cat", overrides=[school]) == "1F436"
    assert symbol_for("my cat", "cat", overrides=[school, klass]) == "1F98A"
    assert symbol_for("my cat", "cat", overrides=[school, klass, pupil]) == "1F981"
    assert symbol_for("my cat", "cat", overrides=[school, {}, pupil]) == "1F981"


def test_hidden_takes_the_symbol_away() -> None:
    school = {"dog": "1F415"}
    assert symbol_for("a dog", "dog", overrides=[school, {}, {"dog": HIDDEN}]) is None
    assert symbol_for("a dog", "dog", overrides=[{"dog": HIDDEN}, {"dog": "1F415"}]) == "1F415"


def test_overrides_add_phrases_and_can_symbolise_function_words() -> None:
    pupil = {"My Mum": "1F469", "the": "1F449"}
    tokens = words(symbolise("My mum and the dog", [{}, {}, pupil]))
    assert ("My mum", "1F469") in tokens
    assert ("the", "1F449") in tokens


def test_an_override_also_covers_inflections() -> None:
    assert symbol_for("He bullied me", "bullied", overrides=[{"bully": "1F47F"}]) == "1F47F"


def test_override_layers_merge_least_specific_first() -> None:
    assert override_map([{"Cat": "A"}, {"cat": "B"}, {"dog": HIDDEN}]) == {
        "cat": "B",
        "dog": HIDDEN,
    }


def test_empty_text_gives_no_tokens() -> None:
    assert symbolise("") == []
    assert symbolise("   ") == [Token("   ")]


@pytest.mark.parametrize(
    "text",
    [
        "I \u2764\ufe0f my cat \U0001f431! \U0001f469\u200d\U0001f4bb",
        '<script>alert("hi")</script> Tell <b>an adult</b> &amp; stop',
        "Tabs\tand\nnew lines,  double  spaces\u00a0and \u2014 dashes",
        "\u00bfQu\u00e9? na\u00efve caf\u00e9 \u4f60\u597d 10,000 \u00a35",
    ],
)
def test_joining_the_tokens_gives_back_the_exact_text(text: str) -> None:
    assert "".join(t.text for t in symbolise(text)) == text


def test_emoji_stay_as_text_around_symbolised_words() -> None:
    tokens = symbolise("I like my cat \U0001f431")
    assert ("cat", "1F431") in words(tokens)
    assert tokens[-1] == Token(" \U0001f431")


def test_html_comes_out_as_plain_text_for_the_renderer_to_escape() -> None:
    tokens = symbolise("<b>Stop</b>")
    assert tokens[0] == Token("<")
    assert tokens[-1] == Token(">")
    assert ("Stop", "1F6D1") in words(tokens)


def test_ten_thousand_characters_are_symbolised_whole() -> None:
    # How fast is bench/bench_symbols_speech.py's job, as a ratio; here only that none is lost.
    sentence = "If someone online is unkind, stop, block and tell a trusted adult. "
    text = (sentence * 200)[:10_000]
    tokens = symbolise(text)
    assert "".join(t.text for t in tokens) == text
    assert sum(1 for t in tokens if t.symbol == "trusted-adult") >= 140
