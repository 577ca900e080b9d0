"""A governor can open the year's review and each of its terms: the year's counts are the sums of
the terms', so a count one page hides must not come back from the others (a security review
worked out a single "asked for images or secrets" in February this way).

The test reads the four pages as a governor would, then works out every count it can: any sum
the pages show (a page's total, a year's count of a category over its terms) with one count
missing gives that count; it repeats until nothing more comes. No count of 1 or 2 may come out.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import NamedTuple

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.pupils.models import Pupil
from classroom.review import disclosure
from classroom.review.disclosure import PublicReview
from classroom.review.services import Review, academic_year_of, terms_of_year
from classroom.worries.models import (
    Category,
    Incident,
    IncidentPupil,
    PupilRole,
    Risk,
    Source,
    Status,
)
from tests.conftest import Clock
from tests.factories import make_class, make_pupil

PAGES = {
    "year": "/safeguarding/review/",
    "autumn": "/safeguarding/review/?term=2026-10-01",
    "spring": "/safeguarding/review/?term=2027-02-01",
    "summer": "/safeguarding/review/?term=2027-05-01",
}
TERMS = ("autumn", "spring", "summer")
CHARTS = ("By category", "By month", "By source")


def _incident(session: Session, pupil: Pupil, category: Category, when: datetime) -> None:
    incident = Incident(
        school_id=pupil.school_id,
        idempotency_key=str(uuid.uuid4()),
        source=Source.PUPIL,
        status=Status.OPEN,
        created_at=when,
        acknowledged_at=when,
        category=category,
        risk=Risk.LOW,  # triaged: the review counts its category
    )
    session.add(incident)
    session.flush()
    session.add(IncidentPupil(incident_id=incident.id, pupil_id=pupil.id, role=PupilRole.AFFECTED))


Cell = tuple[str, ...]  # (page, "total") or (page, chart, label)
Range = tuple[int, int]
MANY = 10**6


class Page(NamedTuple):
    total: Range
    charts: dict[str, dict[str, Range] | None]  # each chart's rows; None: not drawn


def _read(page: str) -> Page:
    """What a page shows: its total, and each chart's rows."""
    total = re.search(r"Worries and concerns</dt><dd>([^<]*)</dd>", page)
    assert total
    shown: dict[str, dict[str, Range] | None] = {}
    for chart in CHARTS:
        start = page.find(f"<h3>{chart}</h3>")
        assert start >= 0, chart
        section = page[start : page.find("</figure>", start)]
        if "Too few in this period to break down" in section:
            shown[chart] = None
            continue
        rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", section)
        shown[chart] = {label: _range(text) for label, text in rows}
    return Page(_range(total.group(1)), shown)


def _range(text: str) -> Range:
    """What a printed count tells: itself, 1 or 2 ("fewer than 3"), or 3 and more."""
    if text.isdigit():
        return int(text), int(text)
    return {"fewer than 3": (1, 2), "not shown": (3, MANY)}[text]


def _labels(pages: dict[str, Page], chart: str) -> set[str]:
    return {label for page in pages.values() for label in page.charts[chart] or {}}


def _sums(pages: dict[str, Page]) -> list[tuple[Cell, list[Cell]]]:
    """Every sum a governor knows holds: a page's total is each chart's rows added up, and the
    year's total and each of its rows are its terms' added up."""
    sums: list[tuple[Cell, list[Cell]]] = [(("year", "total"), [(t, "total") for t in TERMS])]
    for name, page in pages.items():
        for chart in CHARTS:
            if page.charts[chart] is not None:
                labels = _labels(pages, chart)
                sums.append(((name, "total"), [(name, chart, label) for label in labels]))
    for chart in CHARTS:
        sums.extend(
            (("year", chart, lab), [(t, chart, lab) for t in TERMS])
            for lab in _labels(pages, chart)
        )
    return sums


def _ranges(pages: dict[str, Page]) -> dict[Cell, Range]:
    """What the pages say of each count; a drawn chart without a row has none (0); a chart not
    drawn says nothing (0 and up)."""
    ranges: dict[Cell, Range] = {}
    for name, page in pages.items():
        ranges[(name, "total")] = page.total
        for chart in CHARTS:
            rows = page.charts[chart]
            for label in _labels(pages, chart):
                ranges[(name, chart, label)] = (
                    (0, MANY) if rows is None else rows.get(label, (0, 0))
                )
    return ranges


def _work_out(pages: dict[str, Page]) -> dict[Cell, int]:
    """Every hidden count the pages pin down: each sum narrows the range of its total and of
    each part from the others', again and again until nothing narrows."""
    ranges = _ranges(pages)
    hidden = {cell for cell, (low, high) in ranges.items() if low != high}
    narrowed = True
    while narrowed:
        narrowed = False
        for total, parts in _sums(pages):
            low = sum(ranges[p][0] for p in parts)
            high = sum(ranges[p][1] for p in parts)
            new = {total: (max(ranges[total][0], low), min(ranges[total][1], high))}
            for part in parts:
                others_low, others_high = low - ranges[part][0], high - ranges[part][1]
                new[part] = (
                    max(ranges[part][0], ranges[total][0] - others_high),
                    min(ranges[part][1], ranges[total][1] - others_low),
                )
            for cell, bounds in new.items():
                if bounds != ranges[cell]:
                    ranges[cell], narrowed = bounds, True
    return {cell: ranges[cell][0] for cell in hidden if ranges[cell][0] == ranges[cell][1]}


def test_no_page_gives_back_a_small_count_another_page_hides(
    session: Session, client: FlaskClient, login_as: Callable[..., Account], clock: Clock
) -> None:
    clock.set(datetime(2027, 6, 15, 10, 0, tzinfo=UTC))
    pupil = make_pupil(session, make_class(session, name="Oak"))
    for day in range(5):
        _incident(session, pupil, Category.CYBERBULLYING, datetime(2026, 10, 5 + day, tzinfo=UTC))
    for day in range(4):
        _incident(
            session,
            pupil,
            Category.PHISHING_SCAMS,
            datetime(2026, 11 if day else 9, 10 + day, tzinfo=UTC),
        )
    _incident(session, pupil, Category.IMAGES_OR_SECRETS, datetime(2027, 2, 9, tzinfo=UTC))
    _incident(session, pupil, Category.PHYSICAL_DANGER_ABUSE, datetime(2027, 3, 16, tzinfo=UTC))
    session.commit()
    login_as(Role.GOVERNOR)
    pages = {name: _read(client.get(path).data.decode()) for name, path in PAGES.items()}

    # What can be shown still is: each page's total, autumn's categories; spring's 2 are not
    # broken down, and the year's categories are not drawn: with autumn's 5 and 4 beside the
    # year's 11, any drawing of them would give away a single "asked for images or secrets".
    assert [pages[name].total for name in PAGES] == [(11, 11), (9, 9), (1, 2), (0, 0)]
    assert pages["autumn"].charts["By category"] == {
        "Cyberbullying": (5, 5),
        "Phishing, scams or harmful attachments": (4, 4),
    }
    assert pages["spring"].charts["By category"] is None
    assert pages["year"].charts["By category"] is None
    # What the worries were about, from the four pages together: no count of 1 or 2. (That
    # spring had exactly 2, or February 1, may follow: it says nothing of what happened.)
    worked_out = _work_out(pages)
    small = {c: n for c, n in worked_out.items() if c[1:2] == ("By category",) and 0 < n < 3}
    assert small == {}, f"a governor can work out {small}"


def _as_read(review: PublicReview) -> Page:
    """A published page as a governor reads it (the HTML above says the same, row for row)."""
    charts: dict[str, dict[str, Range] | None] = {}
    for chart, breakdown in zip(
        CHARTS, (review.by_category, review.by_month, review.by_source), strict=True
    ):
        rows = {row.label: _range(row.text) for row in breakdown.rows}
        charts[chart] = None if breakdown.too_few else rows
    return Page(_range(review.total), charts)


@pytest.mark.parametrize("seed", range(150))
def test_no_mix_of_small_terms_gives_back_what_a_worry_was_about(seed: int) -> None:
    """Many small schools' years at random: whatever the mix, the four pages together never
    give back a count of 1 or 2 of what the worries were about."""
    chance = random.Random(seed)
    year = academic_year_of(date(2026, 10, 1))
    terms = terms_of_year(year)
    reviews = [Review(period) for period in [year, *terms]]
    for _ in range(chance.randint(0, 16)):
        term = chance.randrange(3)
        month = f"{terms[term].start:%Y-}{terms[term].start.month + chance.randrange(3):02d}"
        category = chance.choice(["Cyberbullying", "Phishing", "Images", "Physical danger"])
        source = chance.choice(["Pupil", "Staff"])
        for review in (reviews[0], reviews[1 + term]):
            review.total += 1
            review.by_category[category] += 1
            review.by_month[month] += 1
            review.by_source[source] += 1
    published = disclosure.publish(reviews[0], reviews[1:])
    pages = {name: _as_read(published[r.period]) for name, r in zip(PAGES, reviews, strict=True)}
    worked_out = _work_out(pages)
    small = {c: n for c, n in worked_out.items() if c[1:2] == ("By category",) and 0 < n < 3}
    assert small == {}, f"seed {seed}: a governor can work out {small}"
