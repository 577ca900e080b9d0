"""A teaching assistant's day, as they walk it: what they are told when they log a concern."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.worries.models import Incident
from tests.conftest import client_for
from tests.factories import make_account
from tests.worry_helpers import make_school


def test_ta_is_told_truly_who_sees_the_concern_they_log(app: Flask, session: Session) -> None:
    school = make_school(session)
    ta = make_account(session, Role.TEACHING_ASSISTANT, classes=[school.oak])
    session.commit()
    ta_browser = client_for(app, ta)

    form = ta_browser.get("/concerns/new").data.decode()
    sent = ta_browser.post(
        "/concerns/new",
        data={
            "key": "ta-walk-1",
            "pupil_id": str(school.pupil.id),
            "summary": "Amira signed 'man' and 'phone' and hid the iPad.",
            "communication": "signs",
            "exact_words": "",
            "category": "",
        },
    )
    assert sent.status_code == 302
    concern = session.scalars(select(Incident)).one()

    # The headteacher sees the concern the TA logged, in the queue, at once ...
    queue = client_for(app, school.head).get("/safeguarding/").data.decode()
    assert concern.reference in queue
    # ... so the form says so, and where a concern about the head goes instead.
    assert "the headteacher can see it too" in form
    assert "If your concern is about the headteacher, do not log it here" in form
    assert "tell the chair of governors" in form
