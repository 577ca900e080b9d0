"""After a change to one row of a long lesson map the teacher comes back to that row, and it says
there what was saved ("Saved: 12. ... is now Formal."): the page's one "Saved." at the top was
off screen for a row far down, so a teacher could not see that the change had taken."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.worry_helpers import make_school

TOP_SAVED = '<div class="alert success" role="status"><p>Saved.'
NOTE = re.compile(r'<p class="saved-note" role="status"[^>]*>([^<]*)</p>')


def _row(page: str, lesson_id: str) -> str:
    found = re.search(rf'<tr id="lesson-{lesson_id}".*?</tr>', page, re.S)
    assert found is not None, lesson_id
    return found.group(0)


def _row_ids(page: str) -> list[str]:
    return re.findall(r'<tr id="lesson-([^"]+)"', page)


def _after(client: FlaskClient, url: str, data: dict[str, str] | None = None) -> tuple[str, str]:
    """Where a change sends the teacher, and the page they land on."""
    response = client.post(url, data=data or {})
    assert response.status_code == 302, response.data
    return response.location, client.get(response.location).data.decode()


@pytest.fixture
def teacher_on_a_map(client: FlaskClient, session: Session) -> tuple[FlaskClient, str, str]:
    """A teacher signed in, the pupil's map URL and the last lesson on it (far down)."""
    school = make_school(session)
    sign_in(client, school.teacher.username)
    base = f"/pupils/{school.pupil.id}/lessons"
    rows = _row_ids(client.get(base).data.decode())
    assert len(rows) > 8  # a long map: the last row is far below the top
    return client, base, rows[-1]


@pytest.mark.usefixtures("app")
def test_a_pathway_set_far_down_the_map_is_said_saved_in_its_row(
    teacher_on_a_map: tuple[FlaskClient, str, str],
) -> None:
    client, base, last = teacher_on_a_map
    location, page = _after(client, f"{base}/{last}/pathway", {"pathway": "formal"})
    assert location.endswith(f"#lesson-{last}")  # back to the row, not the top
    notes = NOTE.findall(page)
    assert len(notes) == 1
    assert notes[0] in _row(page, last)
    # The map's first change also says it is now the pupil's own (test_own_map_named.py).
    said = r"Saved: \d+\. .+ is now Formal\. \w+ sees this next time\.( This map is now .+)?"
    assert re.fullmatch(said, notes[0])
    assert TOP_SAVED not in page  # said once, where the teacher is


@pytest.mark.usefixtures("app")
def test_each_change_to_a_row_says_what_it_made_of_it(
    teacher_on_a_map: tuple[FlaskClient, str, str],
) -> None:
    client, base, last = teacher_on_a_map
    said = {}
    for action in ("hide", "show", "up", "target"):
        _, page = _after(client, f"{base}/{last}/{action}")
        said[action] = NOTE.findall(_row(page, last))
    count = len(_row_ids(page))
    assert " is now hidden." in said["hide"][0]
    assert " is shown again." in said["show"][0]
    assert f" is now number {count - 1} of {count}." in said["up"][0]
    assert " is now the target." in said["target"][0]


@pytest.mark.usefixtures("app")
def test_a_lesson_added_is_said_saved_in_its_new_row(
    teacher_on_a_map: tuple[FlaskClient, str, str],
) -> None:
    client, base, _ = teacher_on_a_map
    added = "pressure-secrets-pictures"
    location, page = _after(client, f"{base}/_/add", {"lesson_id": added})
    assert location.endswith(f"#lesson-{added}")
    count = len(_row_ids(page))
    assert f"is added at number {count} of {count}." in "".join(NOTE.findall(_row(page, added)))


@pytest.mark.usefixtures("app")
def test_a_change_to_the_whole_map_is_still_said_at_the_top(
    teacher_on_a_map: tuple[FlaskClient, str, str],
) -> None:
    client, base, last = teacher_on_a_map
    _, page = _after(client, f"{base}/clear-target")
    assert TOP_SAVED in page
    assert NOTE.findall(page) == []
    # A made-up address names no row: nothing is said in one.
    page = client.get(f"{base}?saved=hide&lesson=no-such-lesson").data.decode()
    assert NOTE.findall(page) == []
    page = client.get(f"{base}?saved=%3Cb%3E&lesson={last}").data.decode()
    assert NOTE.findall(page) == []


@pytest.mark.usefixtures("app")
def test_a_class_map_change_is_said_saved_in_its_row(client: FlaskClient, session: Session) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    url = f"/classes/{school.oak.id}/lessons"
    last = _row_ids(client.get(url).data.decode())[-1]
    for on, now in (("0", "off"), ("1", "on")):
        location, page = _after(client, url, {"lesson_id": last, "on": on})
        assert location.endswith(f"#lesson-{last}")
        notes = NOTE.findall(_row(page, last))
        assert len(notes) == 1
        assert notes[0].endswith(f" is now {now} the class map.")
        assert TOP_SAVED not in page
