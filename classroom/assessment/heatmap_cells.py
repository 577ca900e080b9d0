"""The class heatmap as HTML, for templates/assessment/_heatmap.html.

A class's heatmap is pupils x lessons cells drawn twice (the picture and the table); written as
Jinja, each cell was some twenty escaped outputs and attribute lookups, most of the page's
time. Here each cell is one f-string: the numbers are ours and need no escaping; every text
(a pupil's name, a lesson's title, a level's words) is escaped.

The heatmap is drawn from plain values (`HeatRow`, `Shown`), which are also the key it is kept
by, once per worker (classroom/symbols/fragments_web.py): a teacher's reload with no new
observation draws nothing again, and any change to what a cell shows is a new key.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from markupsafe import Markup, escape

from classroom.assessment.derive import State
from classroom.assessment.queries import Plan
from classroom.scale import LEVEL_WORDS, Level

NOT_ASSESSED = "&ndash;"  # a character reference: see templates/base.html's title


class Shown(NamedTuple):
    """What a cell shows of an objective's state."""

    level: int
    maintained: bool
    needs_help: bool


class HeatRow(NamedTuple):
    """One pupil's row: who, and a cell per lesson (None: not assessed)."""

    pupil_id: int
    first_name: str
    last_name: str
    pathway_label: str
    cells: tuple[Shown | None, ...]


def shown_row(
    pupil_id: int, plan: Plan, found: dict[tuple[int, str], State]
) -> tuple[Shown | None, ...]:
    """What each of a pupil's cells shows, straight from their plan and the class's states: a
    heatmap's rows are its key, so they are worked out on every load (one lookup a cell)."""
    return tuple(
        [
            None
            if (state := found.get((pupil_id, objective.id))) is None
            else Shown(int(state.current), state.maintained, state.needs_help)
            for _lesson, objective, _pathway in plan
        ]
    )


def svg_cells(
    name: str, cells: Sequence[Shown | None], titles: Sequence[str], y: int, left: int,
    width: int, height: int,
) -> Markup:  # fmt: skip
    """One pupil's row of the heatmap picture: a square and its value per lesson."""
    who = escape(name)
    value_y = y + height / 2 + 5
    html = []
    for n, cell in enumerate(cells):
        x = left + width * n
        level = "none" if cell is None else f"{cell.level}"
        needs_help = " hm-help" if cell is not None and cell.needs_help else ""
        words = "not assessed" if cell is None else _level_words(cell.level)
        html.append(
            f'<rect x="{x}" y="{y}" width="{width - 2}" height="{height - 2}" '
            f'class="lvl-{level}{needs_help}"><title>{who}, {_escaped(titles[n])}: '
            f"{words}</title></rect>\n        "
            f'<text x="{x + width / 2 - 1}" y="{value_y}" text-anchor="middle" '
            f'class="hm-value">{_value(cell)}</text>'
        )
    return Markup("\n        ".join(html))  # noqa: S704 - every text above is escaped


@lru_cache(maxsize=1024)
def _escaped(text: str) -> str:
    """A lesson's title, escaped once: it is on every row of the picture."""
    return str(escape(text))


@lru_cache(maxsize=16)
def _level_words(level: int) -> str:
    return str(escape(LEVEL_WORDS[Level(level)]))


def table_cells(cells: Sequence[Shown | None]) -> Markup:
    """One pupil's row of the heatmap table: a cell per lesson."""
    html = []
    for cell in cells:
        level = "none" if cell is None else f"{cell.level}"
        needs_help = cell is not None and cell.needs_help
        html.append(
            f'<td class="lvl-{level}{" needs-help-cell" if needs_help else ""}">{_value(cell)}'
            + (' <span class="visually-hidden">needs help</span>!' if needs_help else "")
            + "</td>"
        )
    return Markup("".join(html))  # noqa: S704 - no text from anyone in a table cell


def _value(cell: Shown | None) -> str:
    """The level (a number), starred when maintained; a dash when not assessed."""
    if cell is None:
        return NOT_ASSESSED
    return f"{cell.level}{'*' if cell.maintained else ''}"
