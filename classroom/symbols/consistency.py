"""One picture per word on every screen: the checks that keep the reviewed vocabulary right.

A pupil who sees "happy" with one face in the question and another on the answer card learns
that the pictures mean nothing. So each lesson screen (a step: its text, its feedback and its
picture cards) is checked: a word keeps one picture on the screen, a card that names a word in
the word list shows that word's picture, and two words the word list says must never share a
picture do not share one on the screen. `flask symbols check` and the tests run these checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from classroom.symbols.symboliser import Token, symbolise
from classroom.symbols.vocabulary import Vocabulary, load_vocabulary


@dataclass(frozen=True)
class Card:
    """A picture shown with words under it (an answer card, a sort group or item)."""

    words: str
    picture: str


@dataclass(frozen=True)
class Screen:
    """What one screen shows: symbol-supported texts and picture cards."""

    where: str
    texts: tuple[str, ...]
    cards: tuple[Card, ...] = ()


def yes_no_pictures(vocabulary: Vocabulary | None = None) -> tuple[str, str]:
    """The one yes/no pair every yes/no question, the worry flow and the rules use."""
    words = vocabulary or load_vocabulary()
    yes, no = words.get("yes"), words.get("no")
    if yes is None or no is None:
        raise LookupError("the word list must have yes and no")
    return yes.symbol, no.symbol


def screen_problems(screen: Screen, vocabulary: Vocabulary | None = None) -> list[str]:
    """Every way this screen gives one word two pictures or one picture two unrelated words."""
    words = vocabulary or load_vocabulary()
    seen: dict[str, set[str]] = {}  # word -> pictures it has on this screen
    problems: list[str] = []
    for text in screen.texts:
        for token in _pictured(symbolise(text, vocabulary=words)):
            seen.setdefault(token.key, set()).add(str(token.symbol))
    for card in screen.cards:
        key = _card_word(card.words, words)
        if key is None:
            continue
        entry = words.get(key)
        if entry is not None and card.picture != entry.symbol:
            problems.append(
                f"{screen.where}: the card {card.words!r} shows {card.picture!r} but the word "
                f"list gives {key!r} the picture {entry.symbol!r}"
            )
        seen.setdefault(key, set()).add(card.picture)
    problems += _two_pictures(screen.where, seen)
    problems += _shared(screen.where, seen, words)
    return problems


def _pictured(tokens: Iterable[Token]) -> Iterator[Token]:
    return (t for t in tokens if t.is_word and t.symbol and t.key)


def _card_word(text: str, vocabulary: Vocabulary) -> str | None:
    """The word or phrase a card stands for, when its words are exactly one listed entry."""
    tokens = [t for t in symbolise(text, vocabulary=vocabulary) if t.is_word]
    if len(tokens) == 1 and vocabulary.get(tokens[0].key) is not None:
        return tokens[0].key
    return None


def _two_pictures(where: str, seen: dict[str, set[str]]) -> list[str]:
    return [
        f"{where}: {word!r} has different pictures on one screen: {', '.join(sorted(pictures))}"
        for word, pictures in sorted(seen.items())
        if len(pictures) > 1
    ]


def _shared(where: str, seen: dict[str, set[str]], vocabulary: Vocabulary) -> list[str]:
    problems = []
    for group in vocabulary.never_share:
        by_picture: dict[str, list[str]] = {}
        for word in sorted(group & seen.keys()):
            for picture in seen[word]:
                by_picture.setdefault(picture, []).append(word)
        problems += [
            f"{where}: {', '.join(map(repr, words))} must never share a picture, "
            f"but share {picture!r} on one screen"
            for picture, words in sorted(by_picture.items())
            if len(words) > 1
        ]
    return problems
