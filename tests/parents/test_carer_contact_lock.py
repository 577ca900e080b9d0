"""Issue 14 item 2: "do not contact" holds for everything carers are sent or shown about a child.

The attack: after the DSL records "do not contact" and puts the follow-up lesson "My body, my
choice" on the child's map, the carer's weekly tip named it. One rule (policy.may_tell_carers)
now decides, and the feed, tip, learning moments, messages and emails all go through it.
"""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from classroom import policy
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.parents import services, tips
from classroom.parents.models import EmailMode
from classroom.worker import tick
from classroom.worries import services as worries
from classroom.worries.models import Category, Incident, ParentContact, Risk, Status
from tests.app_settings import base_url, carer_emails, lesson_files
from tests.conftest import Clock, client_for
from tests.lesson_helpers import all_lessons
from tests.parents_helpers import Family, incident_about, moment, send_notice
from tests.smtp import Inbox

FOLLOW_UP = "pressure-secrets-pictures"
LEAKS = ("My body, my choice", "pictures or secrets", "Their body is private")


def _worry_with_follow_up(session: Session, family: Family, decision: ParentContact) -> None:
    incident = incident_about(session, family, decision)
    lessons = all_lessons(session)
    worries.add_follow_up_lesson(
        session,
        family.dsl,
        incident,
        family.child.id,
        FOLLOW_UP,
        lessons,
        "Revisit",
        now=utcnow(),
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
        session,
        family.teacher,
        family.child,
        "My body, my choice went well",
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


def _carer_sees(app: Flask, family: Family, words: str) -> bool:
    page = client_for(app, family.carer).get(f"/family/children/{family.child.id}")
    return words in page.data.decode()


def _triage(session: Session, family: Family, incident: Incident) -> None:
    triage = worries.Triage(Category.CYBERBULLYING, Risk.LOW, "one message", False, None)
    worries.triage(session, family.dsl, incident, triage, now=utcnow())


def test_before_anyone_decides_carers_are_told_nothing_new(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    """Parents are told only when staff decide. The DSL picks the follow-up lesson at triage,
    before deciding about carers: its tip named the worry's subject in the meantime."""
    moment(session, family, note="Lovely work before the worry")
    clock.advance(minutes=5)
    incident = incident_about(session, family, None)
    worries.add_follow_up_lesson(
        session, family.dsl, incident, family.child.id, FOLLOW_UP, all_lessons(session),
        "Revisit", now=utcnow(),
    )  # fmt: skip
    session.commit()
    moment(session, family, note="We talked about pictures or secrets today")

    assert not policy.may_tell_carers(session, family.child.id)
    assert tips.tip_for(session, family.child, clock(), lesson_files()) is None
    page = client_for(app, family.carer).get(f"/family/children/{family.child.id}").data.decode()
    for leak in LEAKS:
        assert leak not in page
    assert "Lovely work before the worry" in page
    staff = client_for(app, family.dsl).get(f"/safeguarding/{incident.id}").data.decode()
    assert "Carers are told nothing new about Amira" in staff
    assert "until someone records a decision" in staff

    worries.decide_parent_contact(
        session, family.dsl, incident, ParentContact.INFORM_NOW, "Mum is supportive", None,
        now=utcnow(),
    )  # fmt: skip
    session.commit()
    assert _carer_sees(app, family, "We talked about pictures or secrets today")
    assert tips.tip_for(session, family.child, clock(), lesson_files()) is not None


@pytest.mark.parametrize("decision", [None, ParentContact.NOT_NOW, ParentContact.DO_NOT_CONTACT])
def test_closing_asks_whether_carers_stay_held_back_and_keeps_them_so(
    app: Flask, session: Session, family: Family, decision: ParentContact | None
) -> None:
    """Closing the school's record (after a referral to social care, say) must not by itself
    tell carers what was kept from them: the person closing chooses, and a kept hold lasts
    until someone lets them be told again, with a reason."""
    incident = incident_about(session, family, decision)
    moment(session, family, note="We talked about pictures or secrets today")
    _triage(session, family, incident)
    with pytest.raises(Invalid, match="choose whether that goes on after closing"):
        worries.close(session, family.dsl, incident, "Referred", "None", now=utcnow())
    session.rollback()

    _triage(session, family, incident)
    session.commit()
    dsl = client_for(app, family.dsl)
    closing = {
        "close-outcome": "Referred to social care",
        "close-lessons_learnt": "None",
        "close-carers": "keep",
    }
    no_reason = dsl.post(f"/safeguarding/{incident.id}/close", data=closing)
    assert no_reason.status_code == 400
    assert "Say why carers stay held back after closing." in no_reason.data.decode()
    session.expire_all()
    assert incident.status == Status.OPEN
    why = "Social care are still speaking to the family"
    closed = dsl.post(
        f"/safeguarding/{incident.id}/close", data=closing | {"close-carers-reason": why}
    )
    assert closed.status_code == 302
    assert not policy.may_tell_carers(session, family.child.id)
    assert not _carer_sees(app, family, "pictures or secrets")
    page = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert f"<strong>Reason:</strong> {why}" in page
    assert "kept so when it closed" in page
    assert "Let carers be told again" in page

    base = f"/safeguarding/{incident.id}/carers-released"
    refused = dsl.post(base, data={"release-reason": ""})
    assert refused.status_code == 400
    assert "Say why carers may be told again." in refused.data.decode()
    assert not policy.may_tell_carers(session, family.child.id)
    assert dsl.post(base, data={"release-reason": "Social care agree"}).status_code == 302
    session.expire_all()
    assert policy.may_tell_carers(session, family.child.id)
    assert _carer_sees(app, family, "We talked about pictures or secrets today")
    last = incident.entries[-1]
    assert (last.kind, last.reason) == ("carers_released", "Social care agree")
    assert "Let carers be told again" not in dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert dsl.post(base, data={"release-reason": "again"}).status_code == 400


@pytest.mark.usefixtures("app")
def test_closing_may_let_carers_be_told_again_at_once(session: Session, family: Family) -> None:
    incident = incident_about(session, family, ParentContact.NOT_NOW)
    _triage(session, family, incident)
    worries.close(
        session,
        family.dsl,
        incident,
        "Resolved",
        "None",
        keep_carers_held=False,
        carers_reason="Decided with the head",
        now=utcnow(),
    )
    session.commit()
    assert policy.may_tell_carers(session, family.child.id)
    assert [e.kind for e in incident.entries][-2:] == ["carers_after_closing", "closed"]


@pytest.mark.usefixtures("app")
def test_closing_after_inform_now_asks_nothing_about_holding_carers_back(
    session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    _triage(session, family, incident)
    told = "Mum phoned by the DSL"  # asked instead: no notice went from the record
    worries.close(session, family.dsl, incident, "Resolved", "None", carers_told=told, now=utcnow())
    session.commit()
    assert policy.may_tell_carers(session, family.child.id)
    assert "carers_after_closing" not in [e.kind for e in incident.entries]


@pytest.mark.usefixtures("mail_server")
def test_no_email_or_digest_about_the_child_while_do_not_contact(
    session: Session, family: Family, inbox: Inbox, clock: Clock
) -> None:
    services.update_settings(session, family.carer, EmailMode.DAILY, False, now=utcnow())
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


def _concern_about_ben(session: Session, family: Family, decision: ParentContact) -> Incident:
    incident = worries.raise_concern(
        session, family.teacher, str(uuid.uuid4()),
        worries.ConcernInput(family.other.id, "Upset at lunch", "speech", None, None),
        now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    worries.decide_parent_contact(
        session, family.dsl, incident, decision, "Reason text", None, now=utcnow()
    )
    session.commit()
    return incident


def test_one_incidents_decision_never_stands_for_anothers(
    app: Flask, session: Session, family: Family
) -> None:
    """The decision in force is the latest for that incident. It was read as the latest of
    any incident: a later "inform now" about Ben lifted Amira's "do not contact", and a
    later "do not contact" about Ben hid a notice her mum had been sent."""
    amiras = incident_about(session, family, ParentContact.DO_NOT_CONTACT)
    _concern_about_ben(session, family, ParentContact.INFORM_NOW)
    assert not policy.may_tell_carers(session, family.child.id)
    assert policy.holds_carers(session, amiras)
    assert policy.may_tell_carers(session, family.other.id)

    worries.decide_parent_contact(
        session, family.dsl, amiras, ParentContact.INFORM_NOW, "Mum is safe", None, now=utcnow()
    )
    session.commit()
    send_notice(session, family.dsl, amiras, family.child, "Amira is safe and well.")
    session.commit()
    _concern_about_ben(session, family, ParentContact.DO_NOT_CONTACT)
    assert _carer_sees(app, family, "Amira is safe and well.")
