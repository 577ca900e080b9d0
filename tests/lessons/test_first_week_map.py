"""A new teacher's first week on the lesson maps: a mistake on the class map is undone where
it was, and every button below a pupil's map says what it will do (and is there only when it
does something)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.worry_helpers import make_school


def _row_ids(page: str) -> list[str]:
    return re.findall(r'<tr id="lesson-([^"]+)"', page)


@pytest.mark.usefixtures("app")
def test_take_off_then_turn_on_puts_the_lesson_back_where_it_was(
    client: FlaskClient, session: Session
) -> None:
    """A "Take off" pressed on the wrong row and undone with "Turn on" put that lesson last on
    every following pupil's map, while the class map page still listed it in its place."""
    school = make_school(session)
    sign_in(client, school.teacher.username)
    pupil_map = f"/pupils/{school.pupil.id}/lessons"
    class_map = f"/classes/{school.oak.id}/lessons"
    before = _row_ids(client.get(pupil_map).data.decode())
    middle = before[len(before) // 2]
    for on in ("0", "1"):
        response = client.post(class_map, data={"lesson_id": middle, "on": on})
        assert response.status_code == 302
    assert _row_ids(client.get(pupil_map).data.decode()) == before
    # The class map page lists the lessons in the order the pupils get them.
    listed = [x for x in _row_ids(client.get(class_map).data.decode()) if x in before]
    assert listed == before


@pytest.mark.usefixtures("app")
def test_clear_the_target_is_offered_only_for_a_target_and_names_it(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    base = f"/pupils/{school.pupil.id}/lessons"
    page = client.get(base).data.decode()
    # No target: no button that changes nothing and then says "Saved.".
    assert "Clear the target" not in page
    assert "Start again" not in page  # the map follows the class map: nothing to start again
    third = _row_ids(page)[2]
    assert client.post(f"{base}/{third}/target").status_code == 302
    page = client.get(base).data.decode()
    title = re.search(rf'<tr id="lesson-{third}".*?<td>.*?</td>\s*<td>([^<]+?)\s*<', page, re.S)
    assert title is not None
    assert f"Clear the target: {title.group(1).strip()}</button>" in page


@pytest.mark.usefixtures("app")
def test_hiding_the_target_says_it_clears_the_target(
    client: FlaskClient, session: Session
) -> None:
    """Hide on the target row cleared the target, and Show did not bring it back: the button
    said only "Hide"."""
    school = make_school(session)
    sign_in(client, school.teacher.username)
    base = f"/pupils/{school.pupil.id}/lessons"
    second = _row_ids(client.get(base).data.decode())[1]
    assert client.post(f"{base}/{second}/target").status_code == 302
    page = client.get(base).data.decode()
    row = re.search(rf'<tr id="lesson-{second}".*?</tr>', page, re.S)
    assert row is not None
    assert ">Hide and clear the target<" in row.group(0)
    others = re.findall(r">Hide and clear the target<", page)
    assert len(others) == 1  # only the target's row
