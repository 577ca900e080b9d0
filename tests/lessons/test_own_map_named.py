"""A pupil's map becomes their own with its first change, and a change to the class map then
no longer reaches them. Before, neither page said so at the moment it mattered: a teacher who
turned a lesson on for Oak believed Amira would get it, and a TA who set one lesson's pathway
for Amira did not know she had taken Amira off the class map's future changes."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import sign_in
from tests.factories import make_pupil
from tests.worry_helpers import make_school

NOTE = re.compile(r'<p class="saved-note" role="status"[^>]*>([^<]*)</p>')
OWN_NOW = "This map is now Amira&#39;s own: changes to the class map no longer reach it"


def _lessons(page: str) -> list[str]:
    return re.findall(r'<tr id="lesson-([^"]+)"', page)


def _follow(client: FlaskClient, url: str, data: dict[str, str] | None = None) -> str:
    response = client.post(url, data=data or {})
    assert response.status_code == 302, response.data
    return client.get(response.location).get_data(as_text=True)


@pytest.mark.usefixtures("app")
def test_the_first_change_says_the_map_is_now_the_pupils_own_and_the_next_does_not(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    base = f"/pupils/{school.pupil.id}/lessons"
    first, second = _lessons(client.get(base).get_data(as_text=True))[:2]
    page = _follow(client, f"{base}/{first}/pathway", {"pathway": "formal"})
    [note] = NOTE.findall(page)
    assert OWN_NOW in note
    assert "Follow the class map again" in note  # and how to undo it
    again = _follow(client, f"{base}/{second}/pathway", {"pathway": "formal"})
    [note] = NOTE.findall(again)
    assert "own" not in note  # said once, when it happened


@pytest.mark.usefixtures("app")
def test_the_class_map_names_pupils_with_their_own_map_and_its_changes_say_who_they_miss(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Taylor")
    gone = make_pupil(session, school.oak, first_name="Lexi", last_name="Gray")
    session.commit()
    sign_in(client, school.teacher.username)
    class_map = f"/classes/{school.oak.id}/lessons"
    assert 'id="own-maps"' not in client.get(class_map).get_data(as_text=True)
    for pupil in (school.pupil, ben, gone):
        base = f"/pupils/{pupil.id}/lessons"
        lesson = _lessons(client.get(base).get_data(as_text=True))[0]
        _follow(client, f"{base}/{lesson}/hide")
    gone.active = False  # left the school: no longer taught from this map
    session.commit()
    page = client.get(class_map).get_data(as_text=True)
    box = re.search(r'<div class="alert warning" id="own-maps">.*?</div>', page, re.S)
    assert box is not None
    assert "2 pupils have lesson maps of their own" in box.group(0)
    assert f'href="/pupils/{school.pupil.id}/lessons">Lessons for Amira Khan' in box.group(0)
    assert f'href="/pupils/{ben.id}/lessons">Lessons for Ben Taylor' in box.group(0)
    assert "Lexi" not in box.group(0)
    lesson = _lessons(page)[0]
    changed = _follow(client, class_map, {"lesson_id": lesson, "on": "0"})
    [note] = NOTE.findall(changed)
    assert note.endswith("It does not reach Amira Khan and Ben Taylor, who have maps of their own.")


@pytest.mark.usefixtures("app")
def test_following_the_class_map_again_takes_the_pupil_off_the_list(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    base = f"/pupils/{school.pupil.id}/lessons"
    lesson = _lessons(client.get(base).get_data(as_text=True))[0]
    _follow(client, f"{base}/{lesson}/hide")
    class_map = f"/classes/{school.oak.id}/lessons"
    assert "Amira Khan has a lesson map of their own" in client.get(class_map).get_data(
        as_text=True
    )
    _follow(client, f"{base}/reset", {"confirm": "yes"})
    assert 'id="own-maps"' not in client.get(class_map).get_data(as_text=True)
