"""Reads for the symbol chooser: which pictures staff may pick for a word or phrase."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from classroom.symbols.symboliser import symbolise
from classroom.symbols.vocabulary import Entry, Vocabulary, load_vocabulary, normalise

MAX_OPTIONS = 36
MAX_SEARCH_LENGTH = 40


@dataclass(frozen=True)
class Option:
    """A picture staff may choose, and a word it stands for, so they know what they pick."""

    code: str
    word: str


def options_for(phrase: str, search: str = "", limit: int = MAX_OPTIONS) -> list[Option]:
    """The word list's symbol and alternatives for `phrase`, then symbols of words matching
    `search` (or the phrase itself when there is no search), each picture once."""
    vocabulary = load_vocabulary()
    entries = [*_entries_for(phrase, vocabulary), *search_entries(search or phrase, vocabulary)]
    options: dict[str, Option] = {}
    for entry in entries:
        for code in entry.symbols:
            options.setdefault(code, Option(code, entry.phrase))
    return list(options.values())[:limit]


def search_entries(term: str, vocabulary: Vocabulary | None = None) -> list[Entry]:
    """Word-list entries whose words start with the term first, then those that contain it."""
    key = normalise(term)[:MAX_SEARCH_LENGTH]
    if not key:
        return []
    entries = (vocabulary or load_vocabulary()).entries.values()
    starting = [e for e in entries if any(w.startswith(key) for w in _words_of(e.phrase, key))]
    containing = [e for e in entries if key in e.phrase and e not in starting]
    return sorted(starting, key=lambda e: (e.phrase != key, e.phrase)) + sorted(
        containing, key=lambda e: e.phrase
    )


def _words_of(phrase: str, key: str) -> Iterable[str]:
    # A multi-word search matches from the start of any word: "trusted ad" finds "trusted adult".
    words = phrase.split()
    return (" ".join(words[i:]) for i in range(len(words))) if " " in key else words


def _entries_for(phrase: str, vocabulary: Vocabulary) -> Iterator[Entry]:
    """The entry for the whole phrase, else those the symboliser finds for its words."""
    whole = vocabulary.get(normalise(phrase))
    if whole is not None:
        yield whole
        return
    for token in symbolise(phrase, vocabulary=vocabulary, function_words=True):
        entry = vocabulary.get(token.key) if token.is_word else None
        if entry is not None:
            yield entry
