"""A lesson withdrawn by its teacher on the class heatmap: the levels recorded on it before
still show, its column says it is withdrawn (in words, and in each square's and heading's
accessible name), a pupil with nothing recorded is not shown as work still to do, and the
heatmap, kept per worker, is drawn again when the lesson is withdrawn."""

from __future__ import annotations

import html
import re

from flask import Flask
from sqlalchemy.orm import Session

from tests.lessons.test_withdraw_lesson import TITLE, _in_use

GONE = f"{TITLE} (withdrawn: taught no more)"


def _column(page: str) -> int:
    """The withdrawn lesson's column in the table (0 is the first lesson)."""
    heads = re.findall(r'<th scope="col"><abbr title="([^"]*)">', page)
    return next(n for n, title in enumerate(heads) if title.startswith(TITLE))


def _row(page: str, name: str) -> list[str]:
    table = page.split('<table class="heatmap-table">', 1)[1]
    row = table.split(f">{name}</a>", 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td[^>]*>.*?</td>", row)


def test_a_withdrawn_lessons_column_says_so_and_keeps_what_was_recorded(
    app: Flask, session: Session
) -> None:
    school, teacher, row, _ben = _in_use(app, session)  # Amira recorded Secure; Ben nothing
    heatmap = f"/assessment/classes/{school.oak.id}"
    before = html.unescape(teacher.get(heatmap).text)  # drawn and kept
    column = _column(before)
    assert GONE not in before
    assert _row(before, "Ben Ode")[column] == '<td class="lvl-none">\u2013</td>'
    assert teacher.post(f"/authoring/{row.id}/withdraw").status_code == 302
    page = html.unescape(teacher.get(heatmap).text)
    assert page != before  # drawn again, not the kept picture
    # The heading says it, in words and in its name.
    assert f'<abbr title="{GONE}">' in page
    assert re.search(rf'<abbr title="{re.escape(GONE)}">\d+</abbr> <span class="hint">'
                     r"withdrawn</span></th>", page)
    # Amira's level recorded before it was withdrawn still shows.
    assert _row(page, "Amira Khan")[column].startswith('<td class="lvl-3')
    assert f"<title>Amira, {GONE}: Secure" in page
    # Ben had nothing recorded: not "not assessed" (work to do), but withdrawn.
    ben = _row(page, "Ben Ode")[column]
    assert "\u2013" not in ben
    assert '<span aria-hidden="true">W</span>' in ben
    assert "the lesson was withdrawn by its teacher, so no work is missing" in ben
    assert f"<title>Ben, {GONE}: nothing recorded; the lesson was withdrawn" in page
    assert "<strong>W</strong> Withdrawn: its teacher withdrew the lesson" in page
