"""The order a pupil sees answers in: fresh for each attempt, the same within one attempt.

A pupil who learns "tap the first card" has learned nothing about staying safe, so the cards of
every choose, yes/no, sort and who-can-I-tell step are shuffled per attempt. The order is worked
out from the attempt id and the step id alone (never stored, never random at request time), so
a reload, a resent form or a second tap sees and is judged against exactly the same cards.

Answers are identities, not places: a choose option answers "o2" (its number in the file), a
sort group "g1", yes/no "yes" or "no". Where a card is placed never changes what it means.

The first right answer is placed by turning the shuffled row round until it sits at
(attempt id + a per-step offset) mod the number of cards, so consecutive attempts always put it
somewhere new; the other cards stay freshly shuffled. Each step kind makes its own cards
(classroom/lessons/kinds.py) and places them with `arranged`.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from classroom.lessons.content.model import SortStep

T = TypeVar("T")

YES = "yes"
NO = "no"


@dataclass(frozen=True)
class Card:
    """One answer as shown: what it sends, its picture and words, and whether it is right."""

    value: str
    symbol: str
    text: str
    right: bool


def option_value(number: int) -> str:
    """The answer a choose option sends: its place in the lesson file, from 1 ("o1")."""
    return f"o{number}"


def group_value(index: int) -> str:
    """The answer a sort group sends: "g1" or "g2"."""
    return f"g{index + 1}"


def arranged(seed: int, step_id: str, entries: Sequence[T], anchor: int | None = None) -> list[T]:
    """`entries` in this attempt's order; `anchor` (an index) lands on a place that moves on."""
    order = list(range(len(entries)))
    # Not for secrecy: a repeatable shuffle, so the same attempt always sees the same order.
    random.Random(f"{seed}:{step_id}").shuffle(order)  # noqa: S311
    if anchor is not None and order:
        target = (seed + zlib.crc32(step_id.encode())) % len(order)
        turn = order.index(anchor) - target
        order = order[turn:] + order[:turn]
    return [entries[i] for i in order]


def sort_order(step: SortStep, seed: int) -> list[int]:
    """Content indexes of the sort items in the order this attempt shows them."""
    return arranged(seed, f"{step.id}.items", list(range(len(step.items))))
