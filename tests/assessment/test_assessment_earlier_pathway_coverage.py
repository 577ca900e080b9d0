"""The whole-school coverage page counts a pupil assessed before their pathway changed as
assessed: apart from the levels on the pathway now planned, in an "Earlier pathway only"
column, never as "Not assessed".

A pupil recorded Secure on two semi-formal bullying lessons and then moved to formal read, for a
school leader, as not assessed in online bullying at all, though the heatmap showed both levels
in brackets and the class summary counted her "Earlier pathway only"."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.assessment import services
from classroom.assessment.models import Level
from classroom.db import utcnow
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.factories import make_account, make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

HEADS = [
    "Strand", "0 Not yet", "1 Emerging", "2 Developing", "3 Secure", "4 Generalised",
    "Earlier pathway only", "Not assessed yet",
]  # fmt: skip
SETTINGS = {
    "tile_symbol": "1F98A",
    "symbol_size": "large",
    "speech_rate": "150",
    "scanning": "off",
    "scan_interval_ms": "1500",
}


def _observe(session: Session, school: School, objective: str, level: int, ago: int) -> None:
    services.observe(
        session, school.teacher, school.pupil, objective,
        services.Entry(level=level, observed_on=school_today() - timedelta(days=ago)),
        all_lessons(session), now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()


def _secure_on_semi_formal_then_formal(app: Flask, session: Session) -> School:
    """Amira (semi-formal) Secure on two bullying lessons, then moved to formal; Ben, in the
    same school, never assessed."""
    school = make_school(session)
    make_pupil(session, school.oak, first_name="Ben", last_name="Ode")
    session.commit()
    for lesson_id in ("stop-block-tell", "kind-and-unkind"):
        _observe(session, school, f"{lesson_id}.sf", Level.SECURE, ago=5)
    teacher = client_for(app, school.teacher)
    moved = teacher.post(
        f"/pupils/{school.pupil.id}/settings", data={**SETTINGS, "pathway": "formal"}
    )
    assert moved.status_code == 302
    session.expire_all()
    assert school.pupil.pathway.value == "formal"
    return school


def _row(client: FlaskClient, strand: str) -> list[str]:
    """The cells of one strand's row, as the page gives them."""
    page = client.get("/assessment/school").text
    assert re.findall(r'<th scope="col">([^<]*)</th>', page) == HEADS
    row = page.split(f'<th scope="row">{strand}</th>', 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<td>(.*?)</td>", row, re.S)


def _counts(cells: list[str]) -> list[int]:
    return [int(re.match(r"\d+", cell).group()) for cell in cells]  # type: ignore[union-attr]


def test_a_pupil_assessed_on_an_earlier_pathway_counts_apart_not_as_not_assessed(
    app: Flask, session: Session
) -> None:
    school = _secure_on_semi_formal_then_formal(app, session)
    head = client_for(app, school.head)
    cells = _row(head, "Online bullying")
    # Amira: earlier pathway only; Ben: not assessed.
    assert _counts(cells) == [0, 0, 0, 0, 0, 1, 1]
    assert "Amira Khan (3)" in cells[5]  # her best level there, in brackets as on the heatmap
    assert "Amira" not in cells[6]
    assert "Ben Ode" in cells[6]
    page = head.get("/assessment/school").text
    assert "Their work is not missing: it is on the earlier pathway" in page
    # A strand she was never assessed in still reads "Not assessed" for both.
    assert _counts(_row(head, "Privacy security")) == [0, 0, 0, 0, 0, 0, 2]


def test_once_assessed_on_the_pathway_now_planned_the_pupil_counts_at_that_level(
    app: Flask, session: Session
) -> None:
    """A level on the pathway now planned places her, however high the earlier one was: an
    earlier pathway's objective is not her own."""
    school = _secure_on_semi_formal_then_formal(app, session)
    _observe(session, school, "stop-block-tell.f", Level.DEVELOPING, ago=0)
    head = client_for(app, school.head)
    cells = _row(head, "Online bullying")
    assert _counts(cells) == [0, 0, 1, 0, 0, 0, 1]
    assert "Amira Khan" in cells[2]


def test_a_governor_sees_the_earlier_pathway_count_and_no_names(
    app: Flask, session: Session
) -> None:
    _secure_on_semi_formal_then_formal(app, session)
    governor = client_for(app, make_account(session, Role.GOVERNOR))
    assert _row(governor, "Online bullying") == ["0", "0", "0", "0", "0", "1", "1"]
    page = governor.get("/assessment/school").text
    assert "Amira" not in page
    assert "Khan" not in page
