"""A class teacher and a teaching assistant walking the assessment and pupil pages on an iPad:
what they found wrong, kept right."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.assessment import services
from classroom.assessment.models import Context, Observation
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.pupils.models import Pathway
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

SF = "stop-block-tell.sf"


def _refusals(session: Session) -> list[str]:
    rows = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "staff.access_refused")
    )
    return list(rows)


def test_a_ta_changing_ids_to_another_classs_pupil_is_refused_and_the_school_can_see_it(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    elm = make_class(session, name="Elm")
    zara = make_pupil(session, elm, first_name="Zara")
    ta = make_account(session, Role.TEACHING_ASSISTANT, classes=[school.oak])
    session.commit()
    ta_ipad = client_for(app, ta)
    tried = [
        ("GET", f"/assessment/pupils/{zara.id}"),
        ("GET", f"/assessment/pupils/{zara.id}/report"),
        ("GET", f"/assessment/classes/{elm.id}"),
        ("GET", f"/pupils/{zara.id}"),
        ("GET", f"/pupils/{zara.id}/lessons"),  # her lesson map
        ("GET", f"/classes/{elm.id}/lessons"),  # her class's map
        ("GET", f"/symbols/people/{zara.id}"),  # her trusted adults
        ("POST", f"/assessment/pupils/{zara.id}/observations"),
        ("POST", f"/pupils/{zara.id}/photo"),
    ]
    for method, url in tried:
        response = ta_ipad.open(url, method=method, data={"objective_id": SF, "level": "3"})
        assert response.status_code == 404, url
        assert "Zara" not in response.text
    # Each attempt is on record, the refused POSTs too (their own change is rolled back).
    assert _refusals(session) == [f"{method} {url}" for method, url in tried]
    assert session.scalar(select(Observation.id)) is None
    # Her own class's pupil opens as before, and leaves no refusal.
    assert ta_ipad.get(f"/assessment/pupils/{school.pupil.id}").status_code == 200
    assert len(_refusals(session)) == len(tried)


def test_the_heatmaps_no_progress_mark_and_the_pupils_page_count_the_same_weeks(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    today = school_today()
    for weeks_ago, level in ((5, 1), (1, 1)):  # stuck at Emerging for 5 weeks
        entry = services.Entry(level=level, observed_on=today - timedelta(weeks=weeks_ago))
        services.observe(
            session, school.teacher, school.pupil, SF, entry, all_lessons(session),
            now=utcnow(), today=today,
        )  # fmt: skip
    session.commit()
    teacher = client_for(app, school.teacher)
    heatmap = teacher.get(f"/assessment/classes/{school.oak.id}?weeks=3").text
    assert "no progress for 3 weeks" in heatmap  # marked on the heatmap at 3 weeks
    link = re.search(rf'href="(/assessment/pupils/{school.pupil.id}[^"]*)"', heatmap)
    assert link is not None
    pupil_page = teacher.get(html.unescape(link.group(1))).text
    # The teacher who followed the mark finds it on the pupil's page, over the same weeks.
    assert "No progress for 3 weeks" in pupil_page
    assert '<span class="needs-help">No progress</span>' in pupil_page


def test_a_long_first_name_is_shortened_in_the_heatmap_picture_and_whole_in_the_table(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    school.pupil.first_name, school.pupil.last_name = "Oluwadamilare-Christopher", "Okafor"
    session.commit()
    teacher = client_for(app, school.teacher)
    page = teacher.get(f"/assessment/classes/{school.oak.id}").text
    label = re.search(r'class="hm-name">([^<]*)</text>', page)
    assert label is not None
    # The picture's name column is 150px of 13px text: some 18 characters before the cells.
    assert len(label.group(1)) <= 18
    assert label.group(1).startswith("Oluwadamilar")
    assert label.group(1).endswith("O")
    assert "Oluwadamilare-Christopher Okafor</a>" in page


def _record(session: Session, school: School, objective: str, **entry: Any) -> Observation:
    made = services.observe(
        session, school.teacher, school.pupil, objective,
        services.Entry(observed_on=school_today(), **entry), all_lessons(session),
        now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    return made


def test_a_wrong_level_recorded_before_a_pupil_moved_pathway_can_still_be_corrected(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    wrong = _record(session, school, SF, level=4, context=Context.CLASS)  # meant 1
    school.pupil.pathway = Pathway.FORMAL  # moved to formal mid-year
    session.commit()
    teacher = client_for(app, school.teacher)
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    assert "Correct the latest observation" in page
    assert "Record an observation" not in page  # new evidence goes on the formal objective
    sent = {"level": "1", "context": "class", "observed_on": wrong.observed_on.isoformat()}
    response = teacher.post(f"/assessment/observations/{wrong.id}/correct", data=sent)
    assert response.status_code == 302
    fixed = session.scalars(select(Observation).where(Observation.supersedes_id == wrong.id)).one()
    assert (fixed.level, fixed.objective_id, fixed.pathway) == (1, SF, Pathway.SEMI_FORMAL)
    # The heatmap's bracketed earlier level is the corrected one.
    heatmap = teacher.get(f"/assessment/classes/{school.oak.id}").text
    assert "Emerging (full support), from an earlier pathway" in heatmap
    assert "Generalised" not in heatmap.split("heatmap-table", 1)[1]


def test_a_correction_on_an_earlier_pathway_takes_engagement_notes_only_if_it_was_pre_formal(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    wrong = _record(session, school, SF, level=2, context=Context.LESSON)
    school.pupil.pathway = Pathway.PRE_FORMAL
    session.commit()
    teacher = client_for(app, school.teacher)
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    assert "Engagement Model notes" not in page  # a semi-formal objective's observation
    sent = {
        "level": "1",
        "context": "lesson",
        "observed_on": wrong.observed_on.isoformat(),
        "engagement": "exploration",
    }
    response = teacher.post(f"/assessment/observations/{wrong.id}/correct", data=sent)
    assert response.status_code == 400
    assert "Engagement Model notes are for pupils working at pre-formal" in html.unescape(
        response.text
    )
