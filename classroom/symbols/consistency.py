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


@dataclass(frozen=True)
class ScreenProblem:
    """One way a screen breaks the picture rules: a card with the wrong picture ("card"), a word
    with two pictures ("two"), or words that must never share a picture sharing one ("shared")."""

    kind: str
    where: str
    words: tuple[str, ...]  # the card's words, or the listed words concerned
    pictures: tuple[str, ...]  # the codes concerned

    def __str__(self) -> str:
        """For lesson authors working in files and `flask symbols check`: codes included."""
        if self.kind == "card":
            card, key = self.words
            shown, listed = self.pictures
            return (
                f"{self.where}: the card {card!r} shows {shown!r} but the word list gives "
                f"{key!r} the picture {listed!r}"
            )
        if self.kind == "two":
            return (
                f"{self.where}: {self.words[0]!r} has different pictures on one screen: "
                f"{', '.join(self.pictures)}"
            )
        return (
            f"{self.where}: {', '.join(map(repr, self.words))} must never share a picture, "
            f"but share {self.pictures[0]!r} on one screen"
        )

    def for_teachers(self) -> str:
        """The same, in words a teacher writing a lesson in the app acts on (no picture codes)."""
        if self.kind == "card":
            card, key = self.words
            return (
                f"{self.where}: the card “{card}” needs the school’s picture for “{key}”, so the "
                "word looks the same on every screen. Choose that picture for the card."
            )
        if self.kind == "two":
            return (
                f"{self.where}: “{self.words[0]}” has two different pictures on this screen. "
                "Give it one picture everywhere on the screen."
            )
        words = " and ".join(f"“{word}”" for word in self.words)
        return (
            f"{self.where}: {words} share a picture on this screen, but they mean different "
            "things and must never look the same. Choose a different picture for one of them."
        )


def screen_problems(screen: Screen, vocabulary: Vocabulary | None = None) -> list[str]:
    """Every way this screen gives one word two pictures or one picture two unrelated words."""
    return [str(problem) for problem in screen_issues(screen, vocabulary)]


def screen_issues(screen: Screen, vocabulary: Vocabulary | None = None) -> list[ScreenProblem]:
    """`screen_problems`, as records (for messages in other words)."""
    words = vocabulary or load_vocabulary()
    seen: dict[str, set[str]] = {}  # word -> pictures it has on this screen
    problems: list[ScreenProblem] = []
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
                ScreenProblem(
                    "card", screen.where, (card.words, key), (card.picture, entry.symbol)
                )
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


def _two_pictures(where: str, seen: dict[str, set[str]]) -> list[ScreenProblem]:
    return [
        ScreenProblem("two", where, (word,), tuple(sorted(pictures)))
        for word, pictures in sorted(seen.items())
        if len(pictures) > 1
    ]


def _shared(where: str, seen: dict[str, set[str]], vocabulary: Vocabulary) -> list[ScreenProblem]:
    problems = []
    for group in vocabulary.never_share:
        by_picture: dict[str, list[str]] = {}
        for word in sorted(group & seen.keys()):
            for picture in seen[word]:
                by_picture.setdefault(picture, []).append(word)
        problems += [
            ScreenProblem("shared", where, tuple(words), (picture,))
            for picture, words in sorted(by_picture.items())
            if len(words) > 1
        ]
    return problems
