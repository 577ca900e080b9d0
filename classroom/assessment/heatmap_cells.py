"""The class heatmap's cells as HTML, for templates/assessment/class.html.

A class's heatmap is pupils x lessons cells drawn twice (the picture and the table); written as
Jinja, each cell was some twenty escaped outputs and attribute lookups, most of the page's
time. Here each cell is one f-string: the numbers are ours and need no escaping; every text
(a pupil's name, a lesson's title, a level's words) is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

from markupsafe import Markup, escape

from classroom.assessment.queries import Cell

NOT_ASSESSED = "–"


def svg_cells(
    name: str,
    cells: Sequence[Cell],
    y: int,
    left: int,
    width: int,
    height: int,
    levels: Mapping[int, str],
) -> Markup:
    """One pupil's row of the heatmap picture: a square and its value per lesson."""
    who = escape(name)
    value_y = y + height / 2 + 5
    html = []
    for n, cell in enumerate(cells):
        x = left + width * n
        state = cell.state
        level = "none" if state is None else f"{state.current}"
        needs_help = " hm-help" if state is not None and state.needs_help else ""
        words = "not assessed" if state is None else _escaped(levels[state.current])
        html.append(
            f'<rect x="{x}" y="{y}" width="{width - 2}" height="{height - 2}" '
            f'class="lvl-{level}{needs_help}"><title>{who}, {_escaped(cell.lesson.title.text)}: '
            f"{words}</title></rect>\n        "
            f'<text x="{x + width / 2 - 1}" y="{value_y}" text-anchor="middle" '
            f'class="hm-value">{_value(cell)}</text>'
        )
    return Markup("\n        ".join(html))  # noqa: S704 - every text above is escaped


@lru_cache(maxsize=1024)
def _escaped(text: str) -> str:
    """A lesson title or a level's words, escaped once: each is on every row of the picture."""
    return str(escape(text))


def table_cells(cells: Sequence[Cell]) -> Markup:
    """One pupil's row of the heatmap table: a cell per lesson."""
    html = []
    for cell in cells:
        state = cell.state
        level = "none" if state is None else f"{state.current}"
        needs_help = state is not None and state.needs_help
        html.append(
            f'<td class="lvl-{level}{" needs-help-cell" if needs_help else ""}">{_value(cell)}'
            + (' <span class="visually-hidden">needs help</span>!' if needs_help else "")
            + "</td>"
        )
    return Markup("".join(html))  # noqa: S704 - no text from anyone in a table cell


def _value(cell: Cell) -> str:
    """The level (a number), starred when maintained; a dash when not assessed."""
    state = cell.state
    if state is None:
        return NOT_ASSESSED
    return f"{state.current}{'*' if state.maintained else ''}"
