"""The timeline of one objective is a picture a teacher reads at a glance on the iPad: an unsafe
belief recorded there is marked on it, as on the heatmap, not only in the table below."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy.orm import Session

from classroom.assessment import services
from classroom.db import utcnow
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import make_school

SF = "stop-block-tell.sf"


def test_a_misconception_is_marked_m_on_the_objectives_timeline(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    today = school_today()
    for days_ago, misconception in ((7, False), (0, True)):
        entry = services.Entry(
            level=1, observed_on=today - timedelta(days=days_ago), misconception=misconception
        )
        services.observe(
            session, school.teacher, school.pupil, SF, entry, all_lessons(session),
            now=utcnow(), today=today,
        )  # fmt: skip
    session.commit()

    page = client_for(app, school.teacher).get(
        f"/assessment/pupils/{school.pupil.id}/objectives/{SF}"
    )

    assert page.status_code == 200
    picture = re.search(r"<svg[^>]*class=\"timeline\".*?</svg>", page.text, re.S)
    assert picture is not None
    assert picture.group(0).count(">M</text>") == 1  # the later one only
    assert "(misconception)</title>" in picture.group(0)
    assert "M: a misconception." in page.text  # the caption says what M means
