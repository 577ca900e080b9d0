"""Recording and reading assessment around lessons that are off a pupil's map.

On the class record page a lesson hidden on a pupil's map was said on their card, but one not
on their map at all (lesson 15 where no teacher put it) was not: a TA recorded it not knowing.
It is said the same way, and recording is not refused (evidence from a trip still counts).

The school coverage page counted a pupil whose teacher hid every lesson of a strand on their
map as "Not assessed yet", so a class with lessons deliberately hidden read as behind, though
the class heatmap and summary say "hidden from their map": no work missing. It agrees now.

Choosing a lesson opens the record page at the form (#chosen), as a save does (#saved).
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.assessment.models import Observation
from classroom.lessons import maps
from classroom.lessons.content import Strand
from classroom.pupils.models import Pupil
from tests.app_settings import school_today
from tests.conftest import client_for
from tests.factories import make_account, make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school

LESSON_15 = "pressure-secrets-pictures"  # for 14 to 19, on a map only if a teacher put it
LESSON = "stop-block-tell"


def _card(page: str, name: str) -> str:
    """A pupil's card on the record page, from their name to the end of its label."""
    return page.split(f"<strong>{name}", 1)[1].split("</label>", 1)[0]


def _record_page(app: Flask, school: School, lesson_id: str) -> str:
    page = client_for(app, school.teacher).get(
        f"/assessment/classes/{school.oak.id}/record?lesson_id={lesson_id}"
    )
    assert page.status_code == 200
    return page.text


def test_a_lesson_not_on_a_pupils_map_is_said_on_their_card_and_still_recorded(
    app: Flask, session: Session
) -> None:
    school = make_school(session)  # Amira, 15: lesson 15 is not on Oak's map
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Ode")
    session.commit()
    maps.add(session, school.teacher, ben, LESSON_15, all_lessons(session), today=school_today())
    session.commit()
    page = _record_page(app, school, LESSON_15)
    assert "Not on Amira&rsquo;s map. You can still record it" in _card(page, "Amira Khan")
    assert "map" not in _card(page, "Ben Ode")  # he has it: nothing said
    # Not refused: a trip's evidence counts.
    sent = {"lesson_id": LESSON_15, "pupil_ids": [str(school.pupil.id)], "level": "2",
            "context": "community", "observed_on": school_today().isoformat()}  # fmt: skip
    saved = client_for(app, school.teacher).post(
        f"/assessment/classes/{school.oak.id}/record", data=sent
    )
    assert saved.status_code == 303
    assert session.scalar(select(func.count(Observation.id))) == 1


def test_a_hidden_lesson_is_said_hidden_not_off_the_map(app: Flask, session: Session) -> None:
    school = make_school(session)
    maps.set_hidden(session, school.teacher, school.pupil, LESSON, True, all_lessons(session))
    session.commit()
    card = _card(_record_page(app, school, LESSON), "Amira Khan")
    assert "Hidden from Amira&rsquo;s map" in card
    assert "Not on Amira" not in card


def test_choosing_a_lesson_opens_the_page_at_the_form_saying_which(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    page = client_for(app, school.teacher).get(f"/assessment/classes/{school.oak.id}/record")
    chooser = page.text.split('<form method="get"', 1)[1].split(">", 1)[0]
    assert f'action="/assessment/classes/{school.oak.id}/record#chosen"' in chooser
    form = _record_page(app, school, LESSON).split('<form method="post" class="fast-record"')[1]
    note = re.search(r'<div class="alert" role="status" id="chosen" tabindex="-1"[^>]*>(.*?)</div>',
                     form.split("<fieldset", 1)[0], re.S)  # fmt: skip
    assert note is not None
    assert "Recording lesson 10, &ldquo;Stop, block, tell&rdquo;." in note.group(1)


def _hide_strand(session: Session, school: School, pupil: Pupil, strand: Strand) -> None:
    lessons = all_lessons(session)
    for lesson in lessons:
        if strand in lesson.strands and not lesson.withdrawn:
            maps.set_hidden(session, school.teacher, pupil, lesson.id, True, lessons)
    session.commit()


def _bullying_row(app: Flask, account: object) -> str:
    page = client_for(app, account).get("/assessment/school")  # type: ignore[arg-type]
    assert page.status_code == 200
    return page.text.split('<th scope="row">Online bullying</th>', 1)[1].split("</tr>", 1)[0]


def _not_assessed(row: str) -> str:
    return re.findall(r"<td>(.*?)</td>", row, re.S)[6]


def test_the_school_page_counts_a_strand_hidden_for_a_pupil_apart(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Ode")
    session.commit()
    _hide_strand(session, school, ben, Strand.ONLINE_BULLYING)
    cell = _not_assessed(_bullying_row(app, school.head))
    # Amira has the strand's lessons planned and not assessed; Ben's are all hidden by his
    # teacher: no work of his is missing, and it is said why, as the class summary says.
    assert re.match(r"1<br><span class=\"hint\">Amira Khan</span>", cell), cell
    assert "(and 1 hidden from their map: Ben Ode)" in cell
    page = client_for(app, school.head).get("/assessment/school").text
    assert "hidden from their map by a teacher" in page
    # A governor sees the count, not the name.
    governor = make_account(session, Role.GOVERNOR)
    cell = _not_assessed(_bullying_row(app, governor))
    assert cell.startswith("1 ")
    assert "(and 1 hidden from their map)" in cell
    assert "Ben" not in cell


def test_a_strand_with_one_lesson_still_planned_is_not_assessed_yet(
    app: Flask, session: Session
) -> None:
    """One lesson of the strand left on his map: his work in it is missing, as before."""
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Ode")
    session.commit()
    _hide_strand(session, school, ben, Strand.ONLINE_BULLYING)
    maps.set_hidden(session, school.teacher, ben, LESSON, False, all_lessons(session))
    session.commit()
    cell = _not_assessed(_bullying_row(app, school.head))
    assert cell.startswith("2<br>")
    assert "Ben Ode" in cell
    assert "hidden from their map" not in cell
