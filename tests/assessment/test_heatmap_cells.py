"""The class heatmap's cells (classroom/assessment/heatmap_cells.py): each level, starred when
maintained, marked when there has been no progress for the weeks asked for, a dash when not
assessed; every text escaped."""

from __future__ import annotations

from datetime import date

from flask import Flask
from markupsafe import escape

from classroom.assessment.derive import State
from classroom.assessment.heatmap_cells import Shown, shown_row, svg_cells, table_cells
from classroom.assessment.queries import Cell
from classroom.pupils.models import Pathway
from classroom.scale import LEVEL_WORDS, Level

PUPIL = 7


def _cells(app: Flask) -> list[Cell]:
    lessons = list(app.extensions["lessons"])[:3]  # the lesson files
    pathway = list(Pathway)[0]

    def cell(n: int, state: State | None) -> Cell:
        return Cell(lessons[n], lessons[n].version(pathway).objective, pathway, state)

    secure = State(Level.SECURE, True, date(2026, 11, 2), False, False, 3)
    stuck = State(Level.EMERGING, False, date(2026, 9, 1), True, False, 1)
    return [cell(0, None), cell(1, secure), cell(2, stuck)]


def shown(cells: list[Cell]) -> tuple[Shown | None, ...]:
    """The cells as the heatmap shows them, through its own path: a plan and the states."""
    plan = [(c.lesson, c.objective, c.pathway) for c in cells]
    found = {(PUPIL, c.objective.id): c.state for c in cells if c.state is not None}
    return shown_row(PUPIL, plan, found)


def test_the_picture_shows_each_cells_level_and_escapes_the_name(app: Flask) -> None:
    with app.test_request_context("/"):
        cells = _cells(app)
        titles = [c.lesson.title.text for c in cells]
        html = str(svg_cells("<Amira>", shown(cells), titles, 70, 150, 34, 30, 6))

    first, second, third = (escape(c.lesson.title.text) for c in cells)
    assert "<Amira>" not in html
    assert (
        '<rect x="150" y="70" width="32" height="28" class="lvl-none">'
        f"<title>&lt;Amira&gt;, {first}: not assessed yet</title></rect>"
    ) in html
    assert '<text x="166.0" y="90.0" text-anchor="middle" class="hm-value">&ndash;</text>' in html
    assert (
        '<rect x="184" y="70" width="32" height="28" class="lvl-3">'
        f"<title>&lt;Amira&gt;, {second}: {LEVEL_WORDS[Level.SECURE]}, maintained</title></rect>"
    ) in html
    assert '<text x="200.0" y="90.0" text-anchor="middle" class="hm-value">3*</text>' in html
    assert 'class="lvl-1 hm-help">' in html
    assert f"{third}: Emerging (full support), no progress for 6 weeks</title>" in html


def test_the_table_shows_the_same_levels_in_words_a_screen_reader_reads(app: Flask) -> None:
    with app.test_request_context("/"):
        html = str(table_cells(shown(_cells(app)), 6))

    assert html == (
        '<td class="lvl-none">&ndash;</td>'
        '<td class="lvl-3">3*<span class="visually-hidden">, maintained</span></td>'
        '<td class="lvl-1 needs-help-cell">1'
        '<span class="visually-hidden">, no progress for 6 weeks</span>!</td>'
    )


def test_a_cell_shows_its_level_and_whether_it_is_maintained_or_stuck(app: Flask) -> None:
    assert shown(_cells(app)) == (None, Shown(3, True, False), Shown(1, False, True))
