"""One key word, one picture, in every lesson and every pathway.

For a pupil who cannot read the picture is the word: a pupil who learnt "address" as a house in
lesson 5 and meets a house with a garden in lesson 13 has met a new word. The screen checks
(classroom/symbols/consistency.py) keep a word to one picture on one screen; these keep the key
e-safety words to one picture across the lessons, wherever a big picture stands for the word: an
answer card, a sort item or group, a question's picture or a lesson tile.

A big picture may still show another part of its words ("Send the password quickly": the send
arrow, "Account locked!": the padlock). Pictures the word list names as a word's alternatives
are the other pictures that could mean that word, so a question or tile showing one of them
beside the word is that word drawn twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classroom.lessons.content import Lesson, load_lessons
from classroom.lessons.kinds import KINDS
from classroom.symbols.symboliser import symbolise
from classroom.symbols.vocabulary import Vocabulary, load_vocabulary, normalise
from tests.lessons.test_lesson_loader import edited, lesson_folder

# Answer cards naming one of these show its word-list picture (or another word of the card).
# Not here, on purpose: "photo", "picture", "stranger", "unkind" and "stop", whose cards show
# what the answer does ("Can I take your photo?": a question mark, "A stranger sends a file":
# the paperclip, "Send an unkind message back": an angry face); their pictures are checked on
# questions and tiles below, and "stop" by its own test.
CARD_WORDS = (
    "address",
    "password",
    "trusted adult",
    "private",
    "private picture",
    "secret",
    "phone number",
    "block",
    "report",
    "block and report",
    "report remove",
    "stop block tell",
    "screenshot",
    "bully",
    "bystander",
    "cyberbullying",
)
# A question's or tile's picture is never another picture (a word-list alternative) for these.
PICTURE_WORDS = (*CARD_WORDS, "photo", "picture", "stranger", "stop", "location", "live video")
# The one answer still shown with two pictures, and why it is allowed for now.
ALLOWED = {
    # Lesson 19's semi-formal card keeps the raised hand, that lesson's picture for the worry
    # button; the formal card shows the report flag, as the word and the real button do. The
    # loader refuses one picture on the right answers of two steps of a lesson unless it is
    # also on a wrong one (the cue rule); only the speaking head is exempt.
    "report a worry": "lesson 19: the worry button's picture and the report flag",
}


@dataclass(frozen=True)
class Shown:
    """A big picture with the words it stands beside."""

    where: str
    words: str
    picture: str
    card: bool  # an answer card, sort item or group (or a yes-reward), not a question or tile


def shown(lessons: Iterable[Lesson]) -> Iterator[Shown]:
    """Every big picture of these lessons: tiles, questions, cards."""
    for lesson in lessons:
        yield Shown(f"lesson {lesson.number} tile", lesson.title.text, lesson.symbol, False)
        for version in lesson.versions:
            for step in version.steps:
                where = f"lesson {lesson.number} {version.pathway.value} step {step.number}"
                yield Shown(where, step.text.text, step.symbol, False)
                yield from (Shown(where, *card, True) for card in _cards(step))


def _cards(step: Any) -> Iterator[tuple[str, str]]:
    for option in getattr(step, "options", ()):
        yield option.text.text, option.symbol
    for group in getattr(step, "groups", ()):
        yield group.label.text, group.symbol
    for item in getattr(step, "items", ()):
        yield item.text.text, item.symbol
    then = getattr(step, "then", None)
    if then is not None:
        yield then.text, step.then_symbol


def _pictured(words: str, vocabulary: Vocabulary) -> dict[str, str]:
    """Each pictured word or phrase of `words`, with its word-list picture."""
    return {
        token.key: str(token.symbol)
        for token in symbolise(words, vocabulary=vocabulary)
        if token.is_word and token.symbol
    }


def _answer_key(words: str) -> str:
    return normalise(re.sub(r"[^\w\s'-]", " ", words))


def answers_with_two_pictures(lessons: Iterable[Lesson]) -> dict[str, set[str]]:
    """The same answer words shown with different pictures, anywhere in these lessons."""
    pictures: dict[str, set[str]] = {}
    for thing in shown(lessons):
        if thing.card:
            pictures.setdefault(_answer_key(thing.words), set()).add(thing.picture)
    return {words: found for words, found in pictures.items() if len(found) > 1}


def cards_with_another_picture(lessons: Iterable[Lesson]) -> list[str]:
    """Answer cards that name a key word but show a picture that is neither the word's nor the
    picture of another of their words (the speaking head on "tell a trusted adult" is the
    answer every lesson teaches: lessons/README.md)."""
    vocabulary = load_vocabulary()
    tell = _picture("tell", vocabulary)
    found = []
    for thing in shown(lessons):
        words = _pictured(thing.words, vocabulary)
        named = sorted(set(words) & set(CARD_WORDS))
        if not thing.card or not named or thing.picture in words.values():
            continue
        if thing.picture == tell and "trusted adult" in words:
            continue
        if _answer_key(thing.words) in ALLOWED:
            continue
        found.append(f"{thing.where}: {thing.words!r} shows {thing.picture}, not {named}")
    return found


def questions_with_another_picture(lessons: Iterable[Lesson]) -> list[str]:
    """Questions and tiles whose picture is a word-list alternative of a key word they name."""
    vocabulary = load_vocabulary()
    found = []
    for thing in shown(lessons):
        words = _pictured(thing.words, vocabulary)
        if thing.card or thing.picture in words.values():
            continue
        for word in sorted(set(words) & set(PICTURE_WORDS)):
            entry = vocabulary.get(word)
            if entry is not None and thing.picture in entry.alternatives:
                found.append(
                    f"{thing.where}: {thing.words!r} shows {thing.picture}, another picture "
                    f"for {word!r} (the word list gives {entry.symbol})"
                )
    return found


def stop_as_a_raised_hand(lessons: Iterable[Lesson]) -> list[str]:
    """Pictures beside "stop" that are the raised hand: stop is the stop sign, and the hand is
    kept for hand and high five (the word list's review), unless the words name the hand."""
    vocabulary = load_vocabulary()
    hand = _picture("high five", vocabulary)
    found = []
    for thing in shown(lessons):
        words = _pictured(thing.words, vocabulary)
        if "stop" in words and thing.picture == hand and hand not in words.values():
            found.append(f"{thing.where}: {thing.words!r} shows the raised hand for stop")
    return found


def _picture(word: str, vocabulary: Vocabulary) -> str:
    entry = vocabulary.get(word)
    assert entry is not None, word
    return entry.symbol


# --- the shipped lessons ------------------------------------------------------------------


def test_the_same_answer_shows_one_picture_in_every_lesson() -> None:
    found = answers_with_two_pictures(load_lessons(kinds=KINDS))
    assert {words: sorted(p) for words, p in found.items() if words not in ALLOWED} == {}


def test_an_answer_naming_a_key_word_shows_that_words_picture() -> None:
    assert cards_with_another_picture(load_lessons(kinds=KINDS)) == []


def test_a_question_or_tile_never_shows_another_picture_for_its_key_word() -> None:
    assert questions_with_another_picture(load_lessons(kinds=KINDS)) == []


def test_stop_is_never_the_raised_hand() -> None:
    assert stop_as_a_raised_hand(load_lessons(kinds=KINDS)) == []


def test_address_is_the_house_as_home_and_where_you_live() -> None:
    vocabulary = load_vocabulary()
    house = _picture("home", vocabulary)
    assert _picture("address", vocabulary) == house == _picture("live", vocabulary)
    # Live video is not where you live: the phrase keeps the video's picture.
    video = _picture("video", vocabulary)
    for text in ("Live video shows you.", "A live stream.", "Think before you go live."):
        assert house not in _pictured(text, vocabulary).values(), text
        assert video in _pictured(text, vocabulary).values(), text


# --- the checks find what they are for -----------------------------------------------------


def test_the_checks_find_a_word_drawn_twice(tmp_path: Path) -> None:
    go_away = '{ text = "Go away", symbol = "1F621" },'
    text = edited(go_away, go_away.replace("1F621", "1F620"))
    sorted_away = '{ text = "Go away", symbol = "1F621", group = 2 }'
    text = edited(
        sorted_away,
        f'{sorted_away},\n  {{ text = "My address", symbol = "1F3E1", group = 2 }}',
        text,
    )
    text = edited(
        'text = "Be kind online."\nsymbol = "1F496"',
        'text = "Keep your password private."\nsymbol = "1F511"',
        text,
    )
    text = edited(
        'text = "Hello # not a comment."\nsymbol = "1F44B"',
        'text = "This is stop."\nsymbol = "270B"',
        text,
    )
    lessons = load_lessons(lesson_folder(tmp_path, text), kinds=KINDS)
    assert answers_with_two_pictures(lessons) == {"go away": {"1F620", "1F621"}}
    assert cards_with_another_picture(lessons) == [
        "lesson 1 semi_formal step 3: 'My address' shows 1F3E1, not ['address']"
    ]
    assert questions_with_another_picture(lessons) == [
        "lesson 1 formal step 3: 'Keep your password private.' shows 1F511, another picture "
        "for 'password' (the word list gives password)"
    ]
    assert stop_as_a_raised_hand(lessons) == [
        "lesson 1 pre_formal step 2: 'This is stop.' shows the raised hand for stop"
    ]
