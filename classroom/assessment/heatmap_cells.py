"""The class heatmap as HTML, for templates/assessment/_heatmap.html.

A class's heatmap is pupils x lessons cells drawn twice (the picture and the table); written as
Jinja, each cell was some twenty escaped outputs and attribute lookups, most of the page's
time. Here each cell is one f-string: the numbers are ours and need no escaping; every text
(a pupil's name, a lesson's title, a level's words) is escaped.

The heatmap is drawn from plain values (`HeatRow`, `Shown`), which are also the key it is kept
by, once per worker (classroom/symbols/fragments_web.py): a teacher's reload with no new
observation draws nothing again, and any change to what a cell shows is a new key. A cell of a
lesson for other ages (`NotForAge`) is worked out from the pupil's age today, so their birthday
is a new key too; so is a lesson's withdrawal by its teacher (`Withdrawn`, `Shown.withdrawn`).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import NamedTuple

from markupsafe import Markup, escape

from classroom.assessment.derive import State
from classroom.assessment.queries import Plan, evidence
from classroom.lessons import content
from classroom.scale import LEVEL_WORDS, Level

NOT_ASSESSED = "&ndash;"  # a character reference: see templates/base.html's title
NOT_FOR_AGE_MARK = "n/a"
WITHDRAWN_MARK = "W"
WITHDRAWN_WORDS = "nothing recorded; the lesson was withdrawn by its teacher, so no work is missing"
NOT_ON_MAP_MARK = "off"
NOT_ON_MAP_WORDS = "not on their map: nothing recorded, and the lesson was not planned for them"
HIDDEN_WORDS = (
    "hidden from their map: nothing recorded, and a teacher hid the lesson for them,"
    " so it is not planned for them now"
)
NOT_ASSESSED_WORDS = "not assessed yet"  # as the key, the pupil's page and report say it


class Shown(NamedTuple):
    """What a cell shows of an objective's state."""

    level: int
    maintained: bool
    needs_help: bool  # no progress for the weeks asked for
    misconception: bool = False  # on record: the latest session recorded showed one
    earlier: bool = False  # the level is from an earlier pathway (none yet on the one planned)
    # The lesson was withdrawn by its teacher: recorded before, so it still shows, in a column
    # that says so (and a new key, so the heatmap is drawn again when a lesson is withdrawn).
    withdrawn: bool = False
    # On the pupil's map but hidden from it by a teacher: recorded before, so it still shows,
    # and said so (as their progress page and report say "hidden from the map").
    hidden: bool = False


class NotForAge(NamedTuple):
    """A cell with nothing recorded in a lesson for other ages than the pupil's today (lesson 27
    is for 18 and 19): not on their map, so no work of theirs is missing (not "not assessed")."""

    ages: str  # the lesson's, as `Lesson.ages_label`: "aged 18 and 19"


class Withdrawn(NamedTuple):
    """A cell with nothing recorded in a lesson its teacher withdrew: on no map and taught no
    more, so no work is missing (not "not assessed", which reads as work still to do)."""

    withdrawn: bool = True  # as `Shown.withdrawn`: the template marks the column from it


class NotOnMap(NamedTuple):
    """A cell with nothing recorded in a lesson not on the pupil's map (lesson 15 is
    teacher-enabled: on no map until a teacher puts it there): never planned for them, so no
    work is missing (not "not assessed"). Their progress page leaves such a lesson out.

    `hidden`: on their map, but a teacher hid it for them: not planned now either (their
    progress page and report list it "hidden from the map"), so it is "off" too, said so."""

    off_map: bool = True
    hidden: bool = False


HeatCell = Shown | NotForAge | Withdrawn | NotOnMap | None  # None: not assessed


class HeatRow(NamedTuple):
    """One pupil's row: who, and a cell per lesson (None: not assessed)."""

    pupil_id: int
    first_name: str
    last_name: str
    pathway_label: str
    cells: tuple[HeatCell, ...]


def shown_row(
    pupil_id: int,
    plan: Plan,
    found: dict[tuple[int, str], State],
    age: int | None = None,
    on_map: Collection[str] | None = None,
    hidden: Collection[str] = (),
) -> tuple[HeatCell, ...]:
    """What each of a pupil's cells shows, straight from their plan and the class's states: a
    heatmap's rows are its key, so they are worked out on every load (one lookup a cell, and
    the lesson's other pathways only where nothing is recorded on the one planned).

    `age`: the pupil's today. A lesson for other ages with nothing recorded is `NotForAge`;
    a level recorded in it (when they were of its ages) shows as any other.

    `on_map`: the lessons on the pupil's map (hidden ones too). A lesson for their age not on
    it, with nothing recorded, is `NotOnMap`; a level recorded in it shows as any other.

    `hidden`: the lessons a teacher hid on the pupil's map. With nothing recorded, one is
    `NotOnMap(hidden=True)` (not planned now); a level recorded before it was hidden shows as
    any other, said to be hidden (as their progress page, which keeps its "no progress")."""
    cells: list[HeatCell] = []
    for lesson, objective, _ in plan:
        cell = shown(pupil_id, lesson, objective, found)
        if lesson.withdrawn:  # taught no more: nothing is missing, and no "no progress" either
            kept = None if cell is None else cell._replace(withdrawn=True, needs_help=False)
            cells.append(Withdrawn() if kept is None else kept)
        elif cell is None and age is not None and not lesson.for_age(age):
            cells.append(NotForAge(lesson.ages_label))
        elif cell is None and on_map is not None and lesson.id not in on_map:
            cells.append(NotOnMap())
        elif lesson.id in hidden:
            kept_off = None if cell is None else cell._replace(hidden=True)
            cells.append(NotOnMap(hidden=True) if kept_off is None else kept_off)
        else:
            cells.append(cell)
    return tuple(cells)


def shown(
    pupil_id: int,
    lesson: content.Lesson,
    objective: content.Objective,
    found: dict[tuple[int, str], State],
) -> Shown | None:
    """One cell: the level on the pathway now planned, else (in brackets) the latest level
    from an earlier pathway, so changing a pupil's pathway hides nothing already recorded.
    "No progress" is about the pathway now planned, so an earlier pathway's level is never
    marked with it; a misconception is, whichever pathway it was recorded on."""
    state = found.get((pupil_id, objective.id))
    if state is not None:
        return Shown(int(state.current), state.maintained, state.needs_help, state.misconception)
    before = evidence(pupil_id, lesson, objective, found)
    if before is None:
        return None
    state = before.state
    return Shown(int(state.current), state.maintained, False, state.misconception, True)


def svg_cells(
    name: str, cells: Sequence[HeatCell], titles: Sequence[str], y: int, left: int,
    width: int, height: int, weeks: int,
) -> Markup:  # fmt: skip
    """One pupil's row of the heatmap picture: a square and its value per lesson."""
    who = escape(name)
    value_y = y + height / 2 + 5
    html = []
    for n, cell in enumerate(cells):
        x = left + width * n
        if isinstance(cell, Shown):
            words = _level_words(cell.level) + _notes(cell, weeks)
            marked = " hm-misconception" if cell.misconception else ""
        elif isinstance(cell, Withdrawn):
            words, marked = WITHDRAWN_WORDS, " hm-age"
        elif isinstance(cell, NotOnMap):
            words, marked = _off_words(cell), " hm-age"
        else:
            words = _unassessed(cell)
            marked = "" if cell is None else " hm-age"
        html.append(
            f'<rect x="{x}" y="{y}" width="{width - 2}" height="{height - 2}" '
            f'class="{_classes(cell, "hm-help", "hm-earlier")}"><title>{who}, '
            f"{_escaped(titles[n])}: {words}</title></rect>\n        "
            f'<text x="{x + width / 2 - 1}" y="{value_y}" text-anchor="middle" '
            f'class="hm-value{marked}">{_value(cell)}</text>'
        )
    return Markup("\n        ".join(html))  # noqa: S704 - every text above is escaped


@lru_cache(maxsize=1024)
def _escaped(text: str) -> str:
    """A lesson's title, escaped once: it is on every row of the picture."""
    return str(escape(text))


@lru_cache(maxsize=16)
def _level_words(level: int) -> str:
    return str(escape(LEVEL_WORDS[Level(level)]))


def table_cells(cells: Sequence[HeatCell], weeks: int) -> Markup:
    """One pupil's row of the heatmap table: a cell per lesson, its marks said in words to a
    screen reader ("n/a" is said as what it means)."""
    html = []
    for cell in cells:
        if isinstance(cell, NotForAge):
            html.append(
                f'<td class="not-for-age"><span aria-hidden="true">{NOT_FOR_AGE_MARK}</span>'
                f'<span class="visually-hidden">{_unassessed(cell)}</span></td>'
            )
            continue
        if isinstance(cell, Withdrawn):
            html.append(
                f'<td class="not-for-age withdrawn-cell"><span aria-hidden="true">'
                f'{WITHDRAWN_MARK}</span>'
                f'<span class="visually-hidden">{WITHDRAWN_WORDS}</span></td>'
            )
            continue
        if isinstance(cell, NotOnMap):
            html.append(
                f'<td class="not-for-age not-on-map"><span aria-hidden="true">'
                f'{NOT_ON_MAP_MARK}</span>'
                f'<span class="visually-hidden">{_off_words(cell)}</span></td>'
            )
            continue
        notes = "" if cell is None else _notes(cell, weeks)
        html.append(
            f'<td class="{_classes(cell, "needs-help-cell", "earlier-cell")}">{_value(cell)}'
            + (f'<span class="visually-hidden">{notes}</span>' if notes else "")
            + ("!" if cell is not None and cell.needs_help else "")
            + "</td>"
        )
    return Markup("".join(html))  # noqa: S704 - no text from anyone in a table cell


def _classes(cell: HeatCell, no_progress: str, earlier: str) -> str:
    if cell is None:
        return "lvl-none"
    if isinstance(cell, NotForAge):
        return "not-for-age"
    if isinstance(cell, Withdrawn):
        return "not-for-age hm-withdrawn"
    if isinstance(cell, NotOnMap):
        return "not-for-age hm-off-map"
    return (
        f"lvl-{cell.level}"
        + (f" {no_progress}" if cell.needs_help else "")
        + (f" {earlier}" if cell.earlier else "")
    )


def _notes(cell: Shown, weeks: int) -> str:
    """What the cell's marks mean, in words (the key says the same)."""
    return "".join(
        [
            ", maintained" if cell.maintained else "",
            ", misconception" if cell.misconception else "",
            ", from an earlier pathway" if cell.earlier else "",
            f", no progress for {weeks} weeks" if cell.needs_help else "",
            ", hidden from their map now" if cell.hidden else "",
        ]
    )


def _off_words(cell: NotOnMap) -> str:
    return HIDDEN_WORDS if cell.hidden else NOT_ON_MAP_WORDS


def _unassessed(cell: NotForAge | None) -> str:
    """A cell with nothing recorded, in words: not assessed, or not for the pupil's age."""
    if cell is None:
        return NOT_ASSESSED_WORDS
    return f"not for their age (the lesson is for pupils {escape(cell.ages)})"


def _value(cell: HeatCell) -> str:
    """The level (a number), starred when maintained, M for a misconception, in brackets when
    from an earlier pathway; a dash when not assessed; "n/a" when not for their age; "off"
    when not on their map."""
    if cell is None:
        return NOT_ASSESSED
    if isinstance(cell, NotForAge):
        return NOT_FOR_AGE_MARK
    if isinstance(cell, Withdrawn):
        return WITHDRAWN_MARK
    if isinstance(cell, NotOnMap):
        return NOT_ON_MAP_MARK
    value = f"{cell.level}{'*' if cell.maintained else ''}{'M' if cell.misconception else ''}"
    return f"({value})" if cell.earlier else value


def planned_columns(rows: Sequence[HeatRow], width: int) -> list[int]:
    """The columns (0 for the first of `width` lessons) a teacher looks for: a lesson on none
    of these pupils' maps, with nothing recorded and for their ages (every cell "off"), is
    left out, as each pupil's progress page leaves it out. With no pupils, every column."""
    return [
        n
        for n in range(width)
        if not rows or not all(isinstance(row.cells[n], NotOnMap) for row in rows)
    ]
