"""What the review may print: in a small school a count of 1 or 2 can point at one pupil.

Every count of 1 or 2 reads "fewer than 3" and draws no bar (a bar's length would give it away).
When a breakdown adds up to a total the page also shows, hiding one small count is not enough:
the total minus the others gives it back. So the next smallest counts are hidden too ("not
shown") until nobody can work out a small one, and a breakdown of fewer than 3 is not drawn.
A median of fewer than 3 times is, near enough, one incident's own time: it is not shown either.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from classroom.review.services import Period, Review

SMALLEST = 3
FEWER = f"fewer than {SMALLEST}"
NOT_SHOWN = "not shown"
BAR_SPACE = 340  # the chart's width for the longest bar, in its viewBox units


@dataclass(frozen=True)
class Row:
    label: str
    text: str
    bar: int | None  # length in the chart's units; None when the number is hidden


@dataclass(frozen=True)
class Breakdown:
    rows: list[Row]
    too_few: bool = False  # fewer than 3 in the period: nothing drawn at all


@dataclass(frozen=True)
class PublicReview:
    period: Period
    total: str
    open_now: str
    child_protection: str
    overdue_actions: str
    hours_to_acknowledge: str
    days_to_close: str
    by_category: Breakdown
    by_source: Breakdown
    by_month: Breakdown
    by_pathway: Breakdown
    lessons: list[tuple[str, str]]  # (category, or "" where it could point at one, lesson)


def count(n: int) -> str:
    """A count as the review prints it: 0 and 3 upwards exactly, 1 and 2 as "fewer than 3"."""
    return FEWER if 0 < n < SMALLEST else str(n)


def median(value: float | None, unit: str, how_many: int) -> str:
    if value is None:
        return "—"
    return NOT_SHOWN + f" ({FEWER})" if how_many < SMALLEST else f"{value} {unit}"


def public(review: Review) -> PublicReview:
    """The review with every small count suppressed, ready to print."""
    whole = review.total
    return PublicReview(
        period=review.period,
        total=count(whole),
        open_now=count(review.open_now),
        child_protection=count(review.child_protection),
        overdue_actions=count(review.overdue_actions),
        hours_to_acknowledge=median(review.hours_to_acknowledge, "hours", review.acknowledged),
        days_to_close=median(review.days_to_close, "days", review.closed),
        by_category=(by_category := breakdown(review.by_category, whole, whole)),
        by_source=breakdown(review.by_source, whole, whole),
        by_month=breakdown(review.by_month, whole, whole, chronological=True),
        # An incident can be about pupils on two pathways: these do not add up to the total.
        by_pathway=breakdown(review.by_pathway, whole, None),
        lessons=register(review, by_category),
    )


def register(review: Review, by_category: Breakdown) -> list[tuple[str, str]]:
    """The lessons learnt, without the day each incident closed, in no order of time, and with
    a category only where the chart shows its count: "2 Dec, images or secrets" beside the
    one such incident tells a governor which child it was about. (A hidden count is never
    hidden alone, so "Not shown" does not name a category either.)"""
    shown = {row.label for row in by_category.rows if row.bar is not None}
    return sorted(
        (label if label in shown else "", lesson) for _closed, label, lesson in review.lessons
    )


def breakdown(
    counts: Counter[str], whole: int, adds_up_to: int | None, *, chronological: bool = False
) -> Breakdown:
    """Rows for one chart: shown counts biggest first, then the hidden ones in label order
    (ordering them by size would tell 2 from 1)."""
    cells = {label: n for label, n in counts.items() if n}
    if 0 < whole < SMALLEST:
        return Breakdown([], too_few=True)
    hidden = _hidden(cells, adds_up_to)
    if hidden is None:
        return Breakdown([], too_few=True)
    top = max((n for label, n in cells.items() if label not in hidden), default=1)
    rows = [
        Row(label, NOT_SHOWN if n >= SMALLEST else FEWER, None)
        if label in hidden
        else Row(label, str(n), max(math.floor(BAR_SPACE * n / top), 2))
        for label, n in cells.items()
    ]
    if chronological:
        rows.sort(key=lambda r: r.label)
    else:
        rows.sort(key=lambda r: (r.bar is None, -cells[r.label] if r.bar else 0, r.label))
    return Breakdown(rows)


def _hidden(cells: dict[str, int], adds_up_to: int | None) -> set[str] | None:
    """Labels whose count is hidden, or None when no safe set exists (hide the whole chart)."""
    hidden = {label for label, n in cells.items() if n < SMALLEST}
    if adds_up_to is None:
        return hidden
    while hidden - _big(cells, hidden) and _pinned(cells, hidden, adds_up_to):
        shown = sorted((n, label) for label, n in cells.items() if label not in hidden)
        if not shown:
            return None
        hidden.add(shown[0][1])
    return hidden


def _big(cells: dict[str, int], hidden: set[str]) -> set[str]:
    return {label for label in hidden if cells[label] >= SMALLEST}


def _pinned(cells: dict[str, int], hidden: set[str], adds_up_to: int) -> bool:
    """Whether a reader who knows the total and the shown counts can tell what a small one is.

    They know the hidden counts add up to the rest; each "fewer than 3" is 1 or 2, each "not
    shown" is 3 or more but no bigger than the smallest count still shown. A small count is
    pinned when only one sum of the small ones fits, and that sum is all ones or all twos.
    """
    rest = adds_up_to - sum(n for label, n in cells.items() if label not in hidden)
    small = len(hidden - _big(cells, hidden))
    big = len(_big(cells, hidden))
    ceiling = min((n for label, n in cells.items() if label not in hidden), default=rest)
    lowest = max(small, rest - big * ceiling)
    highest = min(2 * small, rest - SMALLEST * big)
    return lowest == highest and lowest in (small, 2 * small)
