"""Earlier and Later on a pupil's lesson map move a lesson past the next one the pupil actually
has. A lesson on the class map that is not for the pupil's age, or no longer in the school's
catalogue, is not on their map: moving past it changed nothing anyone saw, yet said "Saved.
Sam sees this next time.". Past the last lesson the pupil has, Later is not offered, and an
old page's Later says the lesson is already last."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.lessons.models import MapEntry
from classroom.pupils.models import Pupil
from tests.conftest import Clock, client_for
from tests.factories import make_pupil
from tests.worry_helpers import make_school

NOON = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
FOR_14_TO_19 = "pressure-secrets-pictures"  # lesson 15
FOR_18_AND_19 = "pictures-and-the-law-at-18"  # lesson 27
FOR_ANY_AGE = "hate-and-extreme-ideas"  # lesson 25
GONE = "t-999-a-lesson-since-taken-away"  # on the map, in no catalogue
SAVED = "Sam sees this next time."  # said in the row moved, after what was saved


def _sam_on_a_class_map(
    app: Flask, session: Session, clock: Clock, lesson_ids: tuple[str, ...]
) -> tuple[Pupil, FlaskClient]:
    """Sam, 16, in a class whose map is these lessons in this order, and his teacher."""
    clock.set(NOON)
    school = make_school(session)
    sam = make_pupil(session, school.oak, first_name="Sam", date_of_birth=date(2010, 9, 1))
    for position, lesson_id in enumerate(lesson_ids):
        session.add(MapEntry(class_id=school.oak.id, lesson_id=lesson_id, position=position))
    session.commit()
    return sam, client_for(app, school.teacher)


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr id="lesson-([^"]+)"', page)


def _offered(page: str, lesson_id: str) -> tuple[bool, bool]:
    """Whether the lesson's row offers Earlier, and Later."""
    found = re.search(rf'<tr id="lesson-{lesson_id}".*?</tr>', page, re.S)
    assert found is not None, lesson_id
    return ">Earlier<" in found.group(0), ">Later<" in found.group(0)


def _own_map(session: Session, sam: Pupil) -> list[str]:
    query = select(MapEntry.lesson_id).where(MapEntry.pupil_id == sam.id)
    return list(session.scalars(query.order_by(MapEntry.position)))


NOT_SAMS = pytest.mark.parametrize("between", [FOR_18_AND_19, GONE], ids=["for-18-19", "gone"])


@NOT_SAMS
def test_later_and_earlier_move_past_the_next_lesson_sam_has(
    app: Flask, session: Session, clock: Clock, between: str
) -> None:
    sam, teacher = _sam_on_a_class_map(app, session, clock, (FOR_14_TO_19, between, FOR_ANY_AGE))
    base = f"/pupils/{sam.id}/lessons"
    page = teacher.get(base).text
    assert _rows(page) == [FOR_14_TO_19, FOR_ANY_AGE]
    assert _offered(page, FOR_14_TO_19) == (False, True)
    assert _offered(page, FOR_ANY_AGE) == (True, False)  # last for Sam: no Later

    later = teacher.post(f"{base}/{FOR_14_TO_19}/down")
    assert later.status_code == 302
    page = teacher.get(later.location).text
    assert SAVED in page
    assert "is now number 2 of 2." in page  # where it went among the lessons Sam has
    assert _rows(page) == [FOR_ANY_AGE, FOR_14_TO_19]  # the order Sam gets changed
    assert _offered(page, FOR_14_TO_19) == (True, False)
    assert _own_map(session, sam) == [FOR_ANY_AGE, between, FOR_14_TO_19]

    earlier = teacher.post(f"{base}/{FOR_14_TO_19}/up")  # back past the same lesson
    assert earlier.status_code == 302
    assert _rows(teacher.get(base).text) == [FOR_14_TO_19, FOR_ANY_AGE]
    assert _own_map(session, sam) == [FOR_14_TO_19, between, FOR_ANY_AGE]


@NOT_SAMS
def test_sams_last_and_first_lessons_say_so_and_nothing_is_saved(
    app: Flask, session: Session, clock: Clock, between: str
) -> None:
    """Sent from an old page: a lesson Sam does not have after his last (or before his
    first) makes it no less last (or first), and nothing is written."""
    sam, teacher = _sam_on_a_class_map(
        app, session, clock, (between, FOR_14_TO_19, FOR_ANY_AGE, between + "-2")
    )
    base = f"/pupils/{sam.id}/lessons"
    for lesson_id, action, said in ((FOR_ANY_AGE, "down", "last"), (FOR_14_TO_19, "up", "first")):
        refused = teacher.post(f"{base}/{lesson_id}/{action}")
        assert refused.status_code == 400
        assert f"That lesson is already {said} on the map." in refused.text
        assert SAVED not in refused.text
    assert "This map follows Oak" in teacher.get(base).text  # not personalised
    assert _own_map(session, sam) == []
