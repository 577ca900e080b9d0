"""Shared set-up for the parents' tests: a class, its staff, the safeguarding team and carers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from classroom import photos
from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.parents import services
from classroom.parents.models import ConsentPurpose, FeedItem
from classroom.pupils.models import Pupil, SchoolClass
from classroom.worries import services as worries
from classroom.worries.models import Incident, IncidentPupil, ParentContact, PupilRole
from tests.app_settings import base_url, carer_emails, school_today
from tests.conftest import Clock
from tests.factories import link_parent, make_account, make_class, make_pupil

# A Tuesday in term, in winter, so school time (Europe/London) equals UTC.
SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
QUIET_EVENING = datetime(2027, 1, 12, 17, 0, tzinfo=UTC)
NEXT_MORNING = datetime(2027, 1, 13, 8, 0, tzinfo=UTC)


@dataclass
class Family:
    oak: SchoolClass
    willow: SchoolClass
    child: Pupil  # Amira, in Oak
    other: Pupil  # Ben, in Oak: another family's child
    sister: Pupil  # Zara, in Willow: the carer's second child
    teacher: Account
    ta: Account
    willow_teacher: Account
    dsl: Account
    head: Account
    admin: Account
    carer: Account  # Amira's and Zara's mum
    second_carer: Account  # Amira's dad
    other_carer: Account  # Ben's carer


def make_family(session: Session, clock: Clock) -> Family:
    clock.set(SCHOOL_HOURS)
    oak, willow = make_class(session, name="Oak"), make_class(session, name="Willow")
    child = make_pupil(session, oak, first_name="Amira", last_name="Khan")
    other = make_pupil(session, oak, first_name="Ben", last_name="Taylor")
    sister = make_pupil(session, willow, first_name="Zara", last_name="Khan")
    family = Family(
        oak,
        willow,
        child,
        other,
        sister,
        make_account(session, Role.TEACHER, classes=[oak], display_name="Ms Lopez"),
        make_account(session, Role.TEACHING_ASSISTANT, classes=[oak], display_name="Mr Chan"),
        make_account(session, Role.TEACHER, classes=[willow], display_name="Mr Hughes"),
        make_account(session, Role.DSL, display_name="Mr Bell"),
        make_account(session, Role.HEADTEACHER, display_name="Mrs Shah"),
        make_account(session, Role.ADMIN, display_name="Sam Okafor"),
        make_account(session, Role.PARENT, display_name="Mrs Sara Khan"),
        make_account(session, Role.PARENT, display_name="Mr Omar Khan"),
        make_account(session, Role.PARENT, display_name="Ms Jo Taylor"),
    )
    link_parent(session, family.carer, child)
    link_parent(session, family.carer, sister)
    link_parent(session, family.second_carer, child)
    link_parent(session, family.other_carer, other)
    session.commit()
    return family


def consent(session: Session, family: Family, pupil: Pupil | None = None) -> None:
    """App photo consent in date for a pupil (Amira unless said)."""
    services.record_consent(
        session,
        family.teacher if pupil is None or pupil.class_id == family.oak.id else family.head,
        pupil or family.child,
        ConsentPurpose.APP,
        True,
        "Sara Khan (mother)",
        date(2026, 9, 1),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()


def moment(
    session: Session, family: Family, note: str = "Great sorting today.", **kw: object
) -> int:
    item = services.share_learning_moment(
        session,
        family.teacher,
        kw.pop("pupil", family.child),  # type: ignore[arg-type]
        "Sorts kind and unkind messages",
        "Secure (independent)",
        note,
        photo_folder=photos.photo_dir(current_app.instance_path),
        now=utcnow(),
        emails=carer_emails(),
        **kw,  # type: ignore[arg-type]
    )
    session.commit()
    return item.id


def send_notice(
    session: Session,
    actor: Account,
    incident: Incident,
    pupil: Pupil,
    text: str,
    key: str | None = None,
) -> FeedItem:
    """`services.send_incident_notice` now, with the test app's carer email settings."""
    return services.send_incident_notice(
        session, actor, incident, pupil, text, key, now=utcnow(), emails=carer_emails()
    )


def incident_about(
    session: Session, family: Family, decision: ParentContact | None, *pupils: Pupil
) -> Incident:
    """A staff concern about Amira (and any other pupils), with a parent-contact decision."""
    incident = worries.raise_concern(
        session,
        family.teacher,
        str(uuid.uuid4()),
        worries.ConcernInput(
            family.child.id,
            "Secret summary: Ben sent her nasty messages",
            "speech",
            "Exact words: he said it again",
            None,
        ),
        now=utcnow(),
        base_url=base_url(),
    )
    for pupil in pupils:
        session.add(
            IncidentPupil(incident_id=incident.id, pupil_id=pupil.id, role=PupilRole.INVOLVED)
        )
    if decision is not None:
        review_on = (
            utcnow().date() + timedelta(days=7) if decision == ParentContact.NOT_NOW else None
        )
        worries.decide_parent_contact(
            session, family.dsl, incident, decision, "Reason text", review_on, now=utcnow()
        )
    session.commit()
    session.refresh(incident)
    return incident
