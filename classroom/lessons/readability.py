"""Readability figures per pathway: how much a pupil meets on one screen, and how hard it reads.

textstat needs an English pronouncing dictionary fetched from the internet at run time, which a
school server must not do; pyphen's offline hyphenation dictionary counts syllables instead,
and the two Flesch formulas are applied here directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pyphen

from classroom.lessons.content import Catalogue, Pathway, Step

_WORD = re.compile(r"[A-Za-z0-9'£]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Figures:
    """Readability of every pupil text on one pathway."""

    pathway: Pathway
    screens: int
    words_per_screen: float
    most_words_on_a_screen: int
    words_per_sentence: float
    reading_ease: float  # Flesch reading ease: higher is easier; 90-100 reads like age 11
    grade: float  # Flesch-Kincaid grade level (US school grade)


@cache
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_GB")


def syllables(word: str) -> int:
    """Syllables in one word, from where it may be hyphenated (at least one)."""
    return max(1, len(_dictionary().positions(word.lower())) + 1)


def _screen_words(step: Step) -> int:
    return sum(len(_WORD.findall(text.text)) for text in step.texts())


def figures(catalogue: Catalogue, pathway: Pathway) -> Figures:
    """The figures for one pathway across every lesson."""
    steps = [step for lesson in catalogue for step in lesson.version(pathway).steps]
    texts = [text.text for step in steps for text in step.texts() if text.text]
    sentences = [s for text in texts for s in _SENTENCE_END.split(text) if _WORD.search(s)]
    words = [word for sentence in sentences for word in _WORD.findall(sentence)]
    per_sentence = len(words) / max(len(sentences), 1)
    per_word = sum(syllables(word) for word in words) / max(len(words), 1)
    screen_words = [_screen_words(step) for step in steps]
    return Figures(
        pathway=pathway,
        screens=len(steps),
        words_per_screen=sum(screen_words) / max(len(steps), 1),
        most_words_on_a_screen=max(screen_words, default=0),
        words_per_sentence=per_sentence,
        reading_ease=206.835 - 1.015 * per_sentence - 84.6 * per_word,
        grade=0.39 * per_sentence + 11.8 * per_word - 15.59,
    )


def report(catalogue: Catalogue) -> list[str]:
    """One line per pathway, for `flask lessons readability` and lessons/README.md."""
    lines = [
        "| pathway | screens | words per screen | most on a screen | words per sentence "
        "| Flesch reading ease | Flesch-Kincaid grade |",
        "|---|---|---|---|---|---|---|",
    ]
    for pathway in Pathway:
        f = figures(catalogue, pathway)
        lines.append(
            f"| {pathway.value} | {f.screens} | {f.words_per_screen:.1f} | "
            f"{f.most_words_on_a_screen} | {f.words_per_sentence:.1f} | "
            f"{f.reading_ease:.0f} | {f.grade:.1f} |"
        )
    return lines
