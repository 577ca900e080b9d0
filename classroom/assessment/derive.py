"""What observations add up to: current level, maintained, last assessed, no progress (shown
as "No progress for N weeks"; `needs_help` in the code) and a misconception on record.

Pure functions over a pupil's observations, so the class heatmap derives every cell from one
query however many rows it shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from classroom.assessment.models import Level


class Obs(Protocol):
    """What derivation reads of an observation (an ORM row or a plain result row)."""

    @property
    def id(self) -> int: ...
    @property
    def pupil_id(self) -> int: ...
    @property
    def objective_id(self) -> str: ...
    @property
    def level(self) -> int: ...
    @property
    def observed_on(self) -> date: ...
    @property
    def supersedes_id(self) -> int | None: ...
    @property
    def misconception(self) -> bool: ...
    @property
    def withdrawn(self) -> bool: ...


MAINTAINED_SESSIONS = 3
MAINTAINED_SPAN = timedelta(days=14)


@dataclass(frozen=True)
class State:
    """Where a pupil is with one objective."""

    current: Level
    maintained: bool
    last_assessed: date
    needs_help: bool
    misconception: bool
    count: int


def in_force(observations: Iterable[Obs]) -> list[Obs]:
    """Observations not superseded by a correction nor withdrawn as recorded in error, oldest
    first. What a withdrawn correction corrected stays superseded: the withdrawal says the
    record was wrong, not that the one it replaced was right."""
    rows = list(observations)
    superseded = {o.supersedes_id for o in rows if o.supersedes_id is not None}
    live = [o for o in rows if o.id not in superseded and not o.withdrawn]
    return sorted(live, key=lambda o: (o.observed_on, o.id))


def falls_short(row: Obs) -> bool:
    """Whether an observation shows the pupil is not secure in the objective that session.

    Below Secure (0-2) is falling back, whatever came before. So is any level recorded with a
    misconception: the objectives are safety skills, and a pupil who does the step by
    themselves while holding an unsafe belief ("it's fine to meet them if they're nice") has
    not secured it.
    """
    return row.level < Level.SECURE or row.misconception


def maintained(rows: Sequence[Obs]) -> bool:
    """Secure now, and secure in at least 3 sessions spread over at least 2 weeks since the
    pupil last fell back (PRODUCT.md section 3).

    A session is a day, as everywhere here. Only the secure run still standing counts: secure
    sessions before a fall back say nothing about now, or a reviewer would read a lost safety
    skill as secure. A day with any observation that falls short (`falls_short`) is itself a
    fall back, even if a secure one was recorded after it that day: the order observations of
    one day were typed in is not the order they happened in, and a session in which the pupil
    needed support is not a secure session. So the run is the days after the last such day;
    every observation in it is secure, the latest (the current level) included.
    """
    fell_back = max((o.observed_on for o in rows if falls_short(o)), default=None)
    days = sorted({o.observed_on for o in rows if fell_back is None or o.observed_on > fell_back})
    return len(days) >= MAINTAINED_SESSIONS and days[-1] - days[0] >= MAINTAINED_SPAN


def needs_help(rows: Sequence[Obs], today: date, weeks: int) -> bool:
    """No progress for `weeks` weeks: assessed for longer than the span, not yet secure, and
    no higher level within it. Pages say "No progress for N weeks", not "needs help": the
    lesson map's "Often needed a prompt" is about answers, and is another thing."""
    start = today - timedelta(weeks=weeks)
    before = [o.level for o in rows if o.observed_on < start]
    recent = [o.level for o in rows if o.observed_on >= start]
    if not before or current_level(rows) >= Level.SECURE:
        return False
    return max(recent, default=-1) <= max(before)


def current_level(rows: Sequence[Obs]) -> Level:
    """The level of the latest session: the lowest recorded that day.

    A session is a day, as for `maintained`: two observations of one day (a lesson and a TA's
    note of the morning, typed in any order) are one session, and the order they were typed in
    is not the order they happened in. The lowest is what the pupil showed without doubt that
    day, and it agrees with `maintained`, which reads a day with a lower level as a fall back.
    So "current" never depends on which of the day's observations was typed last.
    """
    last = rows[-1].observed_on
    return Level(min(o.level for o in rows if o.observed_on == last))


def misconception_on_record(rows: Sequence[Obs]) -> bool:
    """Whether the latest session recorded showed a misconception (an unsafe belief).

    A session is a day, as for `maintained`: any observation of that day with the box ticked
    counts, whatever order the day's observations were typed in. A misconception stays on
    record until a later session is recorded without one (staff tick the box each time they
    see the belief; a session recorded without it is the sign it has gone), and a corrected
    observation no longer counts.
    """
    last = rows[-1].observed_on
    return any(o.misconception for o in rows if o.observed_on == last)


def state(rows: Sequence[Obs], today: date, weeks: int) -> State:
    """The state of one objective from its observations in force (oldest first)."""
    latest = rows[-1]
    return State(
        current=current_level(rows),
        maintained=maintained(rows),
        last_assessed=latest.observed_on,
        needs_help=needs_help(rows, today, weeks),
        misconception=misconception_on_record(rows),
        count=len(rows),
    )


def states(observations: Iterable[Obs], today: date, weeks: int) -> dict[tuple[int, str], State]:
    """State per (pupil id, objective id) for every objective that has been observed."""
    groups: dict[tuple[int, str], list[Obs]] = defaultdict(list)
    for row in in_force(observations):
        groups[(row.pupil_id, row.objective_id)].append(row)
    return {key: state(rows, today, weeks) for key, rows in groups.items()}
