"""What the review may print: in a small school a count of 1 or 2 can point at one pupil.

Every count of 1 or 2 reads "fewer than 3" and draws no bar (a bar's length would give it away).
When a breakdown adds up to a total the page also shows, hiding one small count is not enough:
the total minus the others gives it back. So the next smallest counts are hidden too ("not
shown") until nobody can work out a small one, and a breakdown of fewer than 3 is not drawn.
A governor can open the year's page and each of its terms' pages, whose counts add up to the
year's: the four are decided together (`publish`), so no page gives back what another hides.
A median of fewer than 3 times is, near enough, one incident's own time: it is not shown either.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from classroom.review.services import Median, Period, Review

SMALLEST = 3
FEWER = f"fewer than {SMALLEST}"
NOT_SHOWN = "not shown"
BAR_SPACE = 80  # the longest bar, in percent of the chart's width (its number goes after it)


@dataclass(frozen=True)
class Row:
    label: str
    text: str
    bar: int | None  # length in percent of the chart's width; None when the number is hidden


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
    pathways_left_out: tuple[str, ...] = ()  # 1 or 2 pupils on each: not in `by_pathway`
    earlier_open: str | None = None  # raised before the period, open now (today's period only)
    earlier_overdue: str | None = None  # their open actions overdue
    ack_target: str | None = None  # the school's target for acknowledging, "15 minutes"
    acknowledged_in_time: str | None = None  # worries acknowledged within it
    acknowledged_late: str | None = None  # worries acknowledged after it, or waiting past it


def count(n: int) -> str:
    """A count as the review prints it: 0 and 3 upwards exactly, 1 and 2 as "fewer than 3"."""
    return FEWER if 0 < n < SMALLEST else str(n)


# A median below one of its unit, in words: "0.0 hours" reads as no time at all, or a fault.
UNDER_ONE = {"hours": "under an hour", "days": "under a day"}
# ...and one that worries still waiting may make longer: "at least 0.0 hours" says nothing.
NOT_KNOWN_YET = "not known yet: some are still waiting"


def median(found: Median | None, unit: str) -> str:
    """A median time as a governor reads it: "2.5 hours", "at least 2.0 days", "under an hour"."""
    if found is None:
        return "—"
    if found.over < SMALLEST:
        return NOT_SHOWN + f" ({FEWER})"
    if found.value < 1:
        return NOT_KNOWN_YET if found.at_least else UNDER_ONE[unit]
    return f"at least {found.value} {unit}" if found.at_least else f"{found.value} {unit}"


# A cell of the year's review pages: (page, chart, label). Page 0 is the year, 1-3 its terms;
# the chart "total" (label "") is a page's count of worries and concerns, "cp" its
# child-protection count.
Key = tuple[int, str, str]
WITHDRAWN = "\0"  # the label of a page's chart that is not drawn at all
MANY = 10**9  # no more than this many of anything: "3 or more" as a range
Range = tuple[int, int]
# The small counts that must never be worked out from the pages together: what the worries were
# about, whose pathway, and child protection ("1 asked for images", in a term a governor
# remembers, is a child). A period's total, or a month's, of 1 or 2 reads "fewer than 3" on
# its page, but may follow from the others: on its own it says nothing of what happened.
TELLING = ("by_category", "by_pathway", "cp")
ADDS_UP = ("by_category", "by_source", "by_month")  # each adds up to its page's total
CHARTS = (*ADDS_UP, "by_pathway")  # an incident on two pathways counts in both: no total


def publish(year: Review, terms: list[Review]) -> dict[Period, PublicReview]:
    """The year's page and its terms' pages, with one decision for every count they share.

    Each page alone hides its small counts; but a governor can open all four, and the year's
    counts are the sums of the terms' (the spring page's hidden count is the year's minus the
    autumn's). So the pages are hidden together: every sum that links them, on a page or across
    them, keeps no hidden count a reader could work out.
    """
    pages = [year, *terms]
    values = _values(pages)
    hidden = _hidden_together(values, _relations(pages))
    return {page.period: _public(n, page, values, hidden) for n, page in enumerate(pages)}


def _values(pages: list[Review]) -> dict[Key, int]:
    values: dict[Key, int] = {}
    for n, page in enumerate(pages):
        values[(n, "total", "")] = page.total
        values[(n, "cp", "")] = page.child_protection
        for chart in CHARTS:
            for label, how_many in getattr(page, chart).items():
                values[(n, chart, label)] = how_many
    return values


def _relations(pages: list[Review]) -> list[tuple[Key, list[Key]]]:
    """Every sum a reader of the four pages knows: (the total, its parts)."""
    terms = range(1, len(pages))
    sums: list[tuple[Key, list[Key]]] = [
        ((0, kind, ""), [(t, kind, "") for t in terms]) for kind in ("total", "cp")
    ]
    sums.extend(
        ((n, "total", ""), [(n, chart, label) for label in getattr(page, chart)])
        for n, page in enumerate(pages)
        for chart in ADDS_UP
    )
    sums.extend(
        ((0, chart, label), [(t, chart, label) for t in terms])
        for chart in CHARTS
        for label in getattr(pages[0], chart)
    )
    return sums


def _hidden_together(values: dict[Key, int], sums: list[tuple[Key, list[Key]]]) -> set[Key]:
    """Small counts; then, while the pages would still let a reader work one out, the smallest
    count shown beside it in a sum (or, with none left, its whole chart is not drawn)."""
    hidden = {key for key, n in values.items() if 0 < n < SMALLEST}
    for n in {key[0] for key in values}:
        if 0 < values[(n, "total", "")] < SMALLEST:  # too few to break down at all
            hidden |= {(n, chart, WITHDRAWN) for chart in CHARTS}
    while pinned := _worked_out(values, sums, hidden):
        more = {_next_to_hide(values, sums, hidden, key) for key in pinned} - hidden
        if not more:  # nothing beside them left to hide: every chart that tells what happened
            pages = {n for n, _chart, _label in values}
            more = {(n, chart, WITHDRAWN) for n in pages for chart in (*CHARTS, "cp")} - hidden
        if not more:
            break  # nothing of what happened is drawn anywhere
        hidden |= more
    return hidden


def _worked_out(
    values: dict[Key, int], sums: list[tuple[Key, list[Key]]], hidden: set[Key]
) -> list[Key]:
    """The small hidden counts of what a worry was about a reader of the pages could tell
    (printed as "fewer than 3", or not at all in a chart not drawn).

    They know each count shown; that a "fewer than 3" is 1 or 2 and a "not shown" 3 or more;
    that a chart drawn without a row has none of it, and nothing of a chart not drawn; and that
    every sum holds. Each sum narrows its total and each part from the others', until nothing
    narrows; a small count narrowed to one number is given away.
    """

    def start(key: Key) -> Range:
        value = values.get(key, 0)
        if (key[0], key[1], WITHDRAWN) in hidden:
            return 0, MANY
        if key not in hidden:
            return value, value
        return (1, SMALLEST - 1) if value < SMALLEST else (SMALLEST, MANY)

    ranges = {key: start(key) for total, parts in sums for key in (total, *parts)}
    narrowed = True
    while narrowed:
        narrowed = False
        for total, parts in sums:
            low, high = sum(ranges[p][0] for p in parts), sum(ranges[p][1] for p in parts)
            new = {total: (max(ranges[total][0], low), min(ranges[total][1], high))}
            for part in parts:
                part_low, part_high = ranges[part]
                new[part] = (
                    max(part_low, ranges[total][0] - (high - part_high)),
                    min(part_high, ranges[total][1] - (low - part_low)),
                )
            for key, bounds in new.items():
                if bounds != ranges[key]:
                    ranges[key], narrowed = bounds, True
    return sorted(
        key
        for key, (low, high) in ranges.items()
        if key in hidden and key[1] in TELLING and low == high and 0 < values.get(key, 0) < SMALLEST
    )


def _next_to_hide(
    values: dict[Key, int], sums: list[tuple[Key, list[Key]]], hidden: set[Key], given: Key
) -> Key:
    """The smallest count of the same chart shown in a sum with the one given away; with none,
    its chart is not drawn on that page. A page's total is never hidden: its other charts
    would give it back, and it is the count a governor most needs."""
    beside = {key for total, parts in sums if given in (total, *parts) for key in (total, *parts)}
    shown = sorted(
        (values[key], key)
        for key in beside
        if key[1] == given[1] and values.get(key) and key not in hidden
    )
    if shown:
        return shown[0][1]
    return given[0], given[1], WITHDRAWN


def _public(n: int, review: Review, values: dict[Key, int], hidden: set[Key]) -> PublicReview:
    def shown(kind: str) -> str:
        key = (n, kind, "")
        if (n, kind, WITHDRAWN) in hidden or (key in hidden and values[key] >= SMALLEST):
            return NOT_SHOWN
        return count(values[key])

    def chart(name: str) -> Breakdown:
        if 0 < review.total < SMALLEST:
            return Breakdown([], too_few=True)
        counts: Counter[str] = getattr(review, name)
        if (n, name, WITHDRAWN) in hidden:
            return Breakdown([], too_few=True)
        secret = {label for label in counts if (n, name, label) in hidden}
        return rows(counts, secret, chronological=name == "by_month")

    by_category = chart("by_category")
    return PublicReview(
        period=review.period,
        total=shown("total"),
        open_now=count(review.open_now),
        child_protection=shown("cp"),
        overdue_actions=count(review.overdue_actions),
        hours_to_acknowledge=median(review.hours_to_acknowledge, "hours"),
        days_to_close=median(review.days_to_close, "days"),
        by_category=by_category,
        by_source=chart("by_source"),
        by_month=chart("by_month"),
        by_pathway=chart("by_pathway"),
        lessons=register(review, by_category),
        pathways_left_out=review.pathways_left_out,
        earlier_open=_maybe(review.earlier_open),
        earlier_overdue=_maybe(review.earlier_overdue),
        ack_target=_minutes(review.ack_target_minutes),
        acknowledged_in_time=_maybe(review.acknowledged_in_time),
        acknowledged_late=_maybe(review.acknowledged_late),
    )


def _minutes(n: int | None) -> str | None:
    """A target in words: "15 minutes", "1 hour", "1 hour 30 minutes"."""
    if n is None:
        return None
    hours, minutes = divmod(n, 60)
    words = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes or not hours:
        words.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(words)


def _maybe(n: int | None) -> str | None:
    return None if n is None else count(n)


def register(review: Review, by_category: Breakdown) -> list[tuple[str, str]]:
    """The lessons learnt, without the day each incident closed, in no order of time, and with
    a category only where the chart shows its count: "2 Dec, images or secrets" beside the
    one such incident tells a governor which child it was about. (A hidden count is never
    hidden alone, so "Not shown" does not name a category either.)"""
    shown = {row.label for row in by_category.rows if row.bar is not None}
    return sorted(
        (label if label in shown else "", lesson) for _closed, label, lesson in review.lessons
    )


def rows(counts: Counter[str], hidden: set[str], *, chronological: bool = False) -> Breakdown:
    """Rows for one chart: shown counts biggest first, then the hidden ones in label order
    (ordering them by size would tell 2 from 1)."""
    cells = {label: n for label, n in counts.items() if n}
    top = max((n for label, n in cells.items() if label not in hidden), default=1)
    drawn = [
        Row(label, NOT_SHOWN if n >= SMALLEST else FEWER, None)
        if label in hidden
        else Row(label, str(n), max(math.floor(BAR_SPACE * n / top), 1))
        for label, n in cells.items()
    ]
    if chronological:
        drawn.sort(key=lambda r: r.label)
    else:
        drawn.sort(key=lambda r: (r.bar is None, -cells[r.label] if r.bar else 0, r.label))
    return Breakdown(drawn)
