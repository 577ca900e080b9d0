"""The demo school, grown: more classes, pupils, worries, lesson attempts and carer messages.

`grow(session, factor)` adds `factor` units on top of the demo school; the SQL-per-page
measurement compares factor 1 with factor 10, so a page whose query count grows with the data
(an N+1) shows at once.
"""

from __future__ import annotations

import uuid
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, School
from classroom.db import utcnow
from classroom.lessons import maps, player
from classroom.parents import services as parents
from classroom.parents.delivery import CarerEmails
from classroom.pupils.importer import make_upn
from classroom.pupils.models import Pathway, Pupil, SchoolClass
from classroom.worries import flow
from classroom.worries import services as worries

PUPILS_PER_CLASS = 8
CLASSES_PER_UNIT = 2
WORRIES_PER_UNIT = 30
ATTEMPTS_PER_UNIT = 12
MOMENTS_PER_UNIT = 6
WHAT = [choice.code for choice in flow.WHAT]


def grow(session: Session, factor: int) -> None:
    """Add `factor` units of data to the demo school (already seeded in `session`)."""
    school = session.scalars(select(School).order_by(School.id)).one()
    teacher = session.scalars(select(Account).where(Account.username == "teacher")).one()
    oak = session.scalars(select(SchoolClass).where(SchoolClass.name == "Oak")).one()
    oak_pupils = list(session.scalars(select(Pupil).where(Pupil.class_id == oak.id)))
    extra = _classes(session, school, factor)
    everyone = oak_pupils + extra
    base_url = str(current_app.config["BASE_URL"])
    emails = CarerEmails.from_config(current_app.config)
    for n in range(WORRIES_PER_UNIT * factor):
        pupil = everyone[n % len(everyone)]
        choices = worries.WorryChoices(what=WHAT[n % len(WHAT)], words=f"generated worry {n}")
        key = str(uuid.uuid4())
        worries.raise_worry(session, pupil, None, key, choices, now=utcnow(), base_url=base_url)
    lessons = maps.catalogue(session, current_app.extensions["lessons"])
    for n in range(ATTEMPTS_PER_UNIT * factor):
        pupil = oak_pupils[n % len(oak_pupils)]
        planned = maps.pupil_map(session, pupil, lessons, today=utcnow().date())
        lesson_id = planned[n % len(planned)].lesson.id
        player.start(session, pupil, None, lesson_id, lessons, now=utcnow())
    amira = next(p for p in oak_pupils if p.first_name == "Amira")
    for n in range(MOMENTS_PER_UNIT * factor):
        parents.share_learning_moment(
            session,
            teacher,
            amira,
            "Keeps a password private",
            "Did it with a prompt",
            f"#{n}",
            now=utcnow(),
            emails=emails,
        )
    session.flush()


def _classes(session: Session, school: School, factor: int) -> list[Pupil]:
    pupils = []
    for c in range(CLASSES_PER_UNIT * factor):
        school_class = SchoolClass(school_id=school.id, name=f"Bench {c}", tile_symbol="1F333")
        session.add(school_class)
        session.flush()
        for p in range(PUPILS_PER_CLASS):
            pupil = Pupil(
                school_id=school.id,
                upn=make_upn(f"9{c:05d}{p:06d}"),
                first_name=f"Pupil{p}",
                last_name=f"Bench{c}",
                date_of_birth=date(2010, 1 + p % 12, 1 + c % 28),
                class_id=school_class.id,
                pathway=list(Pathway)[p % len(Pathway)],
                tile_symbol="1F680",
                created_at=school.created_at,
            )
            session.add(pupil)
            pupils.append(pupil)
    session.flush()
    return pupils
