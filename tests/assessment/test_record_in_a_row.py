"""A TA recording one pupil after another in a lesson on the class page: saved, the page comes
back at the form (#saved) with where they were seen kept (a fact of the session, said so; the
level never), and a lesson a teacher hid on a pupil's map is said on that pupil, not refused.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.assessment.models import Observation
from classroom.lessons import maps
from tests.app_settings import school_today
from tests.conftest import sign_in
from tests.factories import make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import make_school

LESSON = "stop-block-tell"


def _where(page: str) -> str:
    return page.split('id="context" name="context" required', 1)[1].split("</select>", 1)[0]


def test_the_next_pupil_of_the_session_keeps_where_and_comes_back_at_the_form(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben")
    session.commit()
    sign_in(client, school.teacher.username)
    path = f"/assessment/classes/{school.oak.id}/record"
    sent = {"lesson_id": LESSON, "pupil_ids": [str(school.pupil.id)], "level": "2",
            "context": "community", "observed_on": school_today().isoformat()}  # fmt: skip
    saved = client.post(path, data=sent)
    assert saved.status_code == 303
    assert saved.location.endswith("#saved")
    assert "context=community" in saved.location
    page = client.get(saved.location).text
    # The message is in the form, just above the pupils, and is the page's anchor.
    form = page.split('<form method="post" class="fast-record"', 1)[1]
    assert re.search(r'<div class="alert success" role="status" id="saved" tabindex="-1"', form)
    assert "Recorded Developing (prompted or modelled) for Amira." in form.split("<fieldset", 1)[0]
    # Where is kept, said so; no pupil and no level is chosen for her.
    where = _where(page)
    assert where.startswith(' aria-describedby="context-kept">')
    assert '<option value="community" selected>' in where
    assert where.count("selected") == 1
    assert 'id="context-kept">The same as for the pupils you last recorded.' in page
    assert " checked" not in form
    # Ben, next, in the community too.
    next_one = sent | {"pupil_ids": [str(ben.id)], "level": "3"}
    assert client.post(path, data=next_one).status_code == 303
    contexts = session.scalars(select(Observation.context).order_by(Observation.id)).all()
    assert contexts == ["community", "community"]


def test_where_is_only_kept_as_one_of_the_places(client: FlaskClient, session: Session) -> None:
    """A first look, or an address with no such place, chooses nothing for her."""
    school = make_school(session)
    session.commit()
    sign_in(client, school.teacher.username)
    path = f"/assessment/classes/{school.oak.id}/record"
    for query in ({"lesson_id": LESSON}, {"lesson_id": LESSON, "context": "trip"}):
        page = client.get(path, query_string=query).text
        assert _where(page).startswith('><option value="">Choose&hellip;</option>')
        assert "selected" not in _where(page)
        assert "context-kept" not in page


def test_a_lesson_hidden_on_a_pupils_map_is_said_on_them_and_still_recorded(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben")
    session.commit()
    maps.set_hidden(session, school.teacher, ben, LESSON, True, all_lessons(session))
    session.commit()
    sign_in(client, school.teacher.username)
    path = f"/assessment/classes/{school.oak.id}/record"
    page = client.get(path, query_string={"lesson_id": LESSON}).text
    said = "Hidden from Ben&rsquo;s map. You can still record it (the heatmap marks it hidden)."
    assert page.count(said) == 1
    ben_pick = page.split(f'value="{ben.id}"', 1)[1].split("</label>", 1)[0]
    assert said in ben_pick
    amira_pick = page.split(f'value="{school.pupil.id}"', 1)[1].split("</label>", 1)[0]
    assert "Hidden from" not in amira_pick
    assert "Hidden from" not in client.get(path, query_string={"lesson_id": "screen-time"}).text
    sent = {"lesson_id": LESSON, "pupil_ids": [str(ben.id)], "level": "1",
            "context": "class", "observed_on": school_today().isoformat()}  # fmt: skip
    assert client.post(path, data=sent).status_code == 303
    assert session.scalar(select(func.count(Observation.id))) == 1
