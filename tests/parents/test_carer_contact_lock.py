"""Issue 14 item 2: "do not contact" holds for everything carers are sent or shown about a child.

The attack: after the DSL records "do not contact" and puts the follow-up lesson "My body, my
choice" on the child's map, the carer's weekly tip named it. One rule (policy.may_tell_carers)
now decides, and the feed, tip, learning moments, messages and emails all go through it.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from classroom import policy
from classroom.db import utcnow
from classroom.parents import services, tips
from classroom.parents.models import EmailMode
from classroom.worker import tick
from classroom.worries import services as worries
from classroom.worries.models import Category, ParentContact, Risk
from tests.app_settings import carer_emails, lesson_files
from tests.conftest import Clock, client_for
from tests.lesson_helpers import all_lessons
from tests.parents_helpers import Family, incident_about, make_family, moment
from tests.smtp import Inbox

FOLLOW_UP = "pressure-secrets-pictures"
LEAKS = ("My body, my choice", "pictures or secrets", "Their body is private")


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    return make_family(session, clock)


def _worry_with_follow_up(session: Session, family: Family, decision: ParentContact) -> None:
    incident = incident_about(session, family, decision)
    lessons = all_lessons(session)
    worries.add_follow_up_lesson(
        session, family.dsl, incident, family.child.id, FOLLOW_UP, lessons, now=utcnow()
    )
    session.commit()


def test_after_do_not_contact_the_feed_names_no_follow_up_lesson(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    moment(session, family, note="Lovely work before the worry")
    clock.advance(minutes=5)
    _worry_with_follow_up(session, family, ParentContact.DO_NOT_CONTACT)
    # Class staff, who do not know of the worry, share about the new lesson and write home.
    services.share_learning_moment(
        session,
        family.teacher,
        family.child,
        "My body, my choice: my body is private",
        "Secure (independent)",
        "We talked about pictures or secrets today",
        now=utcnow(),
        emails=carer_emails(),
    )
    services.send_staff_message(
        session, family.teacher, family.child, "My body, my choice went well",
        now=utcnow(),
        emails=carer_emails(),
    )
    session.commit()
    assert not policy.may_tell_carers(session, family.child.id)
    assert tips.tip_for(session, family.child, clock(), lesson_files()) is None
    for carer in (family.carer, family.second_carer):
        page = client_for(app, carer).get(f"/family/children/{family.child.id}").data.decode()
        for leak in LEAKS:
            assert leak not in page
        assert "This week in e-safety" not in page
        assert "Lovely work before the worry" in page  # what they had before stays
    # Another family's child is not affected.
    assert policy.may_tell_carers(session, family.other.id)


@pytest.mark.usefixtures("app")
def test_when_the_decision_is_to_inform_the_tip_is_shown(
    session: Session, family: Family, clock: Clock
) -> None:
    _worry_with_follow_up(session, family, ParentContact.INFORM_NOW)
    assert policy.may_tell_carers(session, family.child.id)
    assert tips.tip_for(session, family.child, clock(), lesson_files()) is not None


@pytest.mark.usefixtures("app", "clock")
def test_closing_the_incident_lifts_the_hold(session: Session, family: Family) -> None:
    incident = incident_about(session, family, ParentContact.NOT_NOW)
    assert not policy.may_tell_carers(session, family.child.id)
    worries.triage(
        session,
        family.dsl,
        incident,
        worries.Triage(Category.CYBERBULLYING, Risk.LOW, "one message", False, None),
        now=utcnow(),
    )
    worries.close(session, family.dsl, incident, "Resolved", "Lessons learnt", now=utcnow())
    session.commit()
    assert policy.may_tell_carers(session, family.child.id)


@pytest.mark.usefixtures("mail_server")
def test_no_email_or_digest_about_the_child_while_do_not_contact(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    services.update_settings(session, family.carer, EmailMode.DAILY, False)
    session.commit()
    _worry_with_follow_up(session, family, ParentContact.DO_NOT_CONTACT)
    moment(session, family, note="We talked about pictures or secrets")
    services.send_staff_message(
        session, family.teacher, family.child, "Hello", now=utcnow(), emails=carer_emails()
    )
    session.commit()
    tick()
    clock.set(clock().replace(hour=15, minute=31))
    tick()
    clock.advance(minutes=30)
    tick()
    assert inbox.to(family.carer.email) == []
    assert inbox.to(family.second_carer.email) == []
