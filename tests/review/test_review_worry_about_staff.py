"""The governors' lessons learnt from a worry about a member of staff do not say who it was.

Found on a walk as the headteacher: a concern that Ms Ruth Evans, the deputy DSL, took photos
of Amira on her own phone was recorded as about her, worked and closed with the lesson "Ms
Ruth Evans (deputy DSL) to use a school iPad for photos". The register read "Ms [name] (deputy
DSL) to use ...": the school has one deputy DSL. And Ms Evans, who may open the review as a
member of the safeguarding team, read the lesson drawn from the record closed to her.
"""

from __future__ import annotations

import html
import re
import uuid

from flask import Flask
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Category, Incident, Risk
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.factories import make_account
from tests.worry_helpers import School, make_school

ABOUT_EVANS = (
    "Ms Ruth Evans (deputy DSL) to use a school iPad for photos; the Deputy DSL's phone stays "
    "in her locker. The head and the DSL to re-brief staff."
)
OTHER = "The DSL to brief staff on game chats."


def _closed(session: Session, school: School, lessons: str, about: Account | None) -> Incident:
    data = services.ConcernInput(school.pupil.id, "Photos on a phone", "speech", None, None)
    concern = services.raise_concern(
        session, school.teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
    )
    if about is not None:
        services.set_subject_staff(
            session, school.dsl, concern, about.id, now=utcnow(), base_url=base_url()
        )
    triage = services.Triage(Category.OTHER, Risk.HIGH, "Photos of a child", True, None)
    services.triage(session, school.dsl, concern, triage, now=utcnow())
    services.close(
        session, school.head, concern, "Referred to the LADO", lessons, keep_carers_held=False,
        carers_reason="Told by the head", now=utcnow(),
    )  # fmt: skip
    session.commit()
    return concern


def _register(app: Flask, who: Account) -> str:
    response = client_for(app, who).get("/safeguarding/review/")
    assert response.status_code == 200
    page = response.data.decode()
    register = page[page.index("<h2>Lessons learnt</h2>") :]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", register)).split())


def test_the_lesson_of_a_worry_about_staff_names_neither_them_nor_their_post(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    school.deputy.display_name = "Ms Ruth Evans"
    governor = make_account(session, Role.GOVERNOR)
    _closed(session, school, ABOUT_EVANS, school.deputy)
    _closed(session, school, OTHER, None)
    for reader in (governor, school.head):
        register = _register(app, reader)
        assert (
            "[name] ([role]) to use a school iPad for photos; the [role]'s phone stays in her "
            "locker. The [role] and the [role] to re-brief staff."
        ) in register
        for told in ("Evans", "Ruth", "deputy", "Deputy", "DSL)"):
            assert told not in register.replace(OTHER, ""), told
        assert OTHER in register  # a post acting on a lesson, in another, stays


def test_the_one_it_is_about_does_not_read_its_lesson(app: Flask, session: Session) -> None:
    school = make_school(session)
    _closed(session, school, "Personal phones stay in lockers.", school.deputy)
    _closed(session, school, OTHER, None)
    assert "Personal phones stay in lockers." in _register(app, school.head)
    theirs = _register(app, school.deputy)
    assert "Personal phones stay in lockers." not in theirs
    assert OTHER in theirs
