"""The staff overview of parents and carers is where a teacher picks the pupil whose carers to
connect or write to: the pupils at the school, and after them, apart and saying when, those who
have left (nothing new reaches their carers; their page keeps what was shared)."""

from __future__ import annotations

import html
import re
from datetime import date

from flask import Flask
from sqlalchemy.orm import Session

from tests.conftest import client_for
from tests.factories import make_pupil
from tests.parents_helpers import Family


def _words(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_leavers_come_after_the_pupils_at_the_school_under_left_the_school(
    app: Flask, session: Session, family: Family
) -> None:
    # Two Amiras in Oak: Amira Khan left on 3 Dec 2026, Amira Begum is at the school.
    staying = make_pupil(session, family.oak, first_name="Amira", last_name="Begum")
    family.child.active, family.child.left_on = False, date(2026, 12, 3)
    session.commit()

    page = client_for(app, family.teacher).get("/parents/").data.decode()
    table, _, after = page.partition("</table>")
    assert f"/parents/pupils/{staying.id}" in table
    assert f"/parents/pupils/{family.other.id}" in table
    assert f"/parents/pupils/{family.child.id}" not in table  # not a pupil to act for

    section = after.split("</section>")[0]
    assert "Left the school" in _words(section)
    assert "Amira Khan (Oak, left 3 Dec 2026)" in _words(section)
    assert f'href="/parents/pupils/{family.child.id}"' in section  # their record, still there
