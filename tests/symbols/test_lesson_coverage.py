"""Every key word a pupil meets in a lesson or the worry flow carries a symbol."""

from __future__ import annotations

import re

from classroom.lessons.content import all_pupil_texts, load_lessons
from classroom.lessons.kinds import KINDS
from classroom.symbols.symboliser import symbolise
from classroom.symbols.vocabulary import load_vocabulary
from classroom.worries.flow import worry_texts

# People in the lessons' stories: names stay as words, as in Widgit and Boardmaker materials.
STORY_NAMES = {"ali", "ava", "ben", "jay", "jo", "kai", "kai's", "lily", "max", "mia", "sam",
               "tom", "zara"}


def _unsymbolised(texts: list[str]) -> set[str]:
    vocabulary = load_vocabulary()
    missing = set()
    for text in texts:
        for token in symbolise(text):
            if not token.is_word or token.symbol is not None:
                continue
            key = token.key
            # Numbers (ages, phone numbers) and made-up passwords are read out, not pictured.
            if key in vocabulary.function_words or key in STORY_NAMES or re.search(r"\d", key):
                continue
            missing.add(key)
    return missing


def test_every_key_word_in_the_lessons_has_a_symbol() -> None:
    texts = [text for _id, text in all_pupil_texts(load_lessons(kinds=KINDS))]
    assert _unsymbolised(texts) == set()


def test_every_key_word_in_the_worry_flow_has_a_symbol() -> None:
    assert _unsymbolised(worry_texts()) == set()


def test_story_names_are_only_ever_names() -> None:
    """A name in the list above must never be an ordinary word that needs a picture."""
    words = load_vocabulary()
    assert not STORY_NAMES & set(words.entries)
