"""Carers' pages: a child who has left the school, quiet-hours and date wording, staff photo
refusals audited, and assessment levels in carers' own words."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom import photos
from classroom.accounts.models import Account, LoginAttempt
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.parents import invites, services
from classroom.parents.models import CarerInvite, ConsentPurpose, FeedItem
from classroom.pupils.models import ParentLink
from classroom.worries.models import ParentContact
from tests.app_settings import carer_emails, invite_settings, school_today
from tests.conftest import client_for
from tests.parents_helpers import Family, consent, incident_about, moment, send_notice

STRONG = "blue kettle on a windy hill"


def _words(response: TestResponse) -> str:
    """The page's text with each run of spaces and line breaks as one space."""
    return re.sub(r"\s+", " ", response.data.decode())


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "orange").save(out, "JPEG")
    return out.getvalue()


def _leaves(session: Session, family: Family) -> None:
    """Amira leaves the school (the MIS import or an admin marks her inactive)."""
    family.child.active = False
    session.commit()


# --- A child who has left the school -----------------------------------------------------------


def test_a_code_issued_before_the_child_left_connects_no_new_carer_and_counts_as_a_failure(
    app: Flask, session: Session, family: Family
) -> None:
    _invite, code = invites.issue_invite(
        session, family.teacher, family.child, "Aunt", invite_settings(), now=utcnow()
    )
    session.commit()
    _leaves(session, family)
    data = {
        "code": code,
        "display_name": "Ms Lina Khan",
        "email": "",
        "username": "auntlina",
        "password": STRONG,
        "confirm": STRONG,
    }
    response = app.test_client().post("/family/join", data=data)
    assert response.status_code == 400
    assert "That code no longer works. Please ask the school office." in _words(response)
    links = session.scalar(
        select(func.count(ParentLink.id)).where(ParentLink.pupil_id == family.child.id)
    )
    assert links == 2  # her mum and dad only
    failed = select(func.count(LoginAttempt.id)).where(LoginAttempt.success.is_(False))
    assert session.scalar(failed) == 1  # throttled like any wrong code
    logged = select(AuditEvent).where(AuditEvent.action == "carer_invite.failed")
    assert session.scalar(logged) is not None


def test_a_carer_sees_plainly_that_their_child_has_left_and_still_reads_the_feed(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family, note="Great sorting today.")
    _leaves(session, family)
    mum = client_for(app, family.carer)
    home = _words(mum.get("/family/children/"))
    amira = home.split("Amira Khan")[1].split("Zara Khan")[0]
    assert "Has left the school" in amira
    assert "Oak" not in amira
    assert "Willow class" in home  # her sister is still at the school
    feed = mum.get(f"/family/children/{family.child.id}")
    page = _words(feed)
    assert feed.status_code == 200
    assert "Amira has left the school" in page
    assert "please contact the school office" in page
    assert "Great sorting today." in page  # what was shared stays theirs to read
    assert "Write to Amira's class staff" not in page
    assert "/messages" not in page  # no form to write with
    assert "Oak" not in page


def test_a_carer_of_a_child_who_has_left_cannot_write_to_class_staff(
    app: Flask, session: Session, family: Family
) -> None:
    _leaves(session, family)
    mum = client_for(app, family.carer)
    response = mum.post(
        f"/family/children/{family.child.id}/messages", data={"body": "Hello", "key": "k1"}
    )
    assert response.status_code == 403
    assert "Amira has left the school" in _words(response)
    assert "Please contact the school office." in _words(response)
    assert session.scalar(select(func.count(FeedItem.id))) == 0
    with pytest.raises(Invalid, match="has left the school"):
        services.send_carer_message(
            session, family.carer, family.child, "Hello", now=utcnow(), emails=carer_emails()
        )


def test_staff_send_nothing_new_to_the_carers_of_a_child_who_has_left(
    session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    _leaves(session, family)
    with pytest.raises(Invalid, match="Amira has left the school"):
        moment(session, family)
    with pytest.raises(Invalid, match="Amira has left the school"):
        services.send_staff_message(
            session, family.teacher, family.child, "Hello", now=utcnow(), emails=carer_emails()
        )
    with pytest.raises(Invalid, match="Amira has left the school"):
        send_notice(session, family.dsl, incident, family.child, "A notice about Amira.")
    session.rollback()
    assert session.scalar(select(func.count(FeedItem.id))) == 0


def test_the_staff_page_offers_no_message_for_a_child_who_has_left_and_refuses_one(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family, note="Great sorting today.")
    _leaves(session, family)
    teacher = client_for(app, family.teacher)
    page = _words(teacher.get(f"/parents/pupils/{family.child.id}"))
    assert "Amira has left the school, so nothing new can be sent" in page
    assert "Great sorting today." in page  # the record stays
    assert "Send message" not in page
    assert "Share a learning moment" not in page
    response = teacher.post(
        f"/parents/pupils/{family.child.id}/messages",
        data={"message-body": "Hello", "message-to": "", "message-key": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    refused = "nothing new can be sent to Amira&#39;s carers through the app."  # the error
    assert refused in _words(response)
    assert session.scalar(select(func.count(FeedItem.id))) == 1


def test_staff_are_told_why_no_code_is_made_for_a_child_who_has_left_and_get_no_button(
    app: Flask, session: Session, family: Family
) -> None:
    _leaves(session, family)
    teacher = client_for(app, family.teacher)
    page = _words(teacher.get(f"/parents/pupils/{family.child.id}"))
    said = "Amira has left the school, so no new carer can connect"
    assert said in page
    assert "Make a code to print" not in page
    assert "Make the account" not in page
    # A page left open from before she left: refused, saying why, and no code is made.
    response = teacher.post(
        f"/parents/pupils/{family.child.id}/invites",
        data={"invite-relationship": "Aunt", "invite-key": str(uuid.uuid4())},
    )
    assert response.status_code == 400
    assert said in _words(response)
    assert session.scalar(select(func.count(CarerInvite.id))) == 0
    made = teacher.post(
        f"/parents/pupils/{family.child.id}/carers",
        data={
            "carer-display_name": "Ms Lina Khan",
            "carer-username": "auntlina",
            "carer-relationship": "Aunt",
        },
    )
    assert made.status_code == 400
    assert said in _words(made)
    assert session.scalar(select(func.count(Account.id)).where(Account.username == "auntlina")) == 0
    with pytest.raises(Invalid, match=said):
        invites.issue_invite(
            session, family.teacher, family.child, "Aunt", invite_settings(), now=utcnow()
        )


def test_the_consent_page_sends_the_carer_of_a_child_who_has_left_to_the_school_office(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    mum, dad = client_for(app, family.carer), client_for(app, family.second_carer)
    url = f"/family/children/{family.child.id}/photo-consent"
    assert mum.post(url, data={"purpose": "app", "given": "no"}).status_code == 302
    at_school = _words(dad.get(url))
    assert "Please talk to Amira&#39;s class teacher" in at_school
    _leaves(session, family)
    page = _words(dad.get(url))
    assert "Only Mrs Sara Khan, who withdrew it, can give this consent again." in page
    assert "Please talk to the school office" in page
    assert "class teacher" not in page


# --- Quiet hours as the school set them --------------------------------------------------------


def test_the_feed_says_staff_reply_monday_to_friday_only_when_weekends_are_quiet(
    app: Flask, family: Family
) -> None:
    mum = client_for(app, family.carer)
    url = f"/family/children/{family.child.id}"
    assert "(08:00 to 16:30, Monday to Friday)" in _words(mum.get(url))
    app.config["PARENT_QUIET_WEEKENDS"] = 0
    page = _words(mum.get(url))
    assert "Monday to Friday" not in page
    assert "(08:00 to 16:30, every day)" in page


# --- Dates as people write them ----------------------------------------------------------------


def test_the_consent_page_shows_dates_without_a_leading_zero(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)  # given on 1 September 2026, for a year
    page = _words(
        client_for(app, family.carer).get(f"/family/children/{family.child.id}/photo-consent")
    )
    assert "on 1 September 2026. It runs until 1 September 2027." in page
    assert "01 September" not in page


# --- Staff asking for a photo that is not theirs -----------------------------------------------


def _staff_refusals(session: Session) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "staff.access_refused")
    return list(session.scalars(query))


def test_staff_asking_for_another_classs_photo_are_refused_and_audited(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    item = moment(session, family, photo=_jpeg())
    response = client_for(app, family.willow_teacher).get(f"/family/photos/{item}")
    response.close()
    assert response.status_code == 404
    refused = _staff_refusals(session)
    assert [(e.actor_id, e.summary) for e in refused] == [
        (family.willow_teacher.id, f"GET /family/photos/{item}")
    ]


def test_a_photo_whose_consent_was_withdrawn_is_a_plain_404_for_staff(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    item = moment(session, family, photo=_jpeg())
    services.record_consent(
        session,
        family.teacher,
        family.child,
        ConsentPurpose.APP,
        False,
        "Sara Khan (mother)",
        school_today(),
        now=utcnow(),
        today=school_today(),
        photo_folder=photos.photo_dir(app.instance_path),
    )
    session.commit()
    response = client_for(app, family.teacher).get(f"/family/photos/{item}")
    response.close()
    assert response.status_code == 404
    assert _staff_refusals(session) == []  # their own pupil: not an attempt to look


# --- Assessment levels in carers' words --------------------------------------------------------


def test_carers_read_the_level_in_plain_words_and_staff_in_the_scales(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family)  # shared as "Secure (independent)"
    carer_page = _words(client_for(app, family.carer).get(f"/family/children/{family.child.id}"))
    assert "Does it on their own" in carer_page
    assert "Secure (independent)" not in carer_page
    staff_page = _words(client_for(app, family.teacher).get(f"/parents/pupils/{family.child.id}"))
    assert "Secure (independent)" in staff_page
    assert "Does it on their own" not in staff_page


def test_the_prompted_level_reads_as_a_reminder_or_seeing_an_adult(
    app: Flask, session: Session, family: Family
) -> None:
    services.share_learning_moment(
        session,
        family.teacher,
        family.child,
        "Sorts kind and unkind messages",
        "Developing (prompted or modelled)",
        None,
        now=utcnow(),
        emails=carer_emails(),
    )
    session.commit()
    page = _words(client_for(app, family.carer).get(f"/family/children/{family.child.id}"))
    assert "Does it with a reminder or after seeing an adult do it" in page
    assert "prompted" not in page


def test_the_notice_page_offers_no_send_for_a_child_who_has_left_and_says_to_phone(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    session.commit()
    dsl = client_for(app, family.dsl)
    before = _words(dsl.get(f"/parents/incidents/{incident.id}/notice"))
    assert "Approve and send" in before
    _leaves(session, family)
    page = _words(dsl.get(f"/parents/incidents/{incident.id}/notice"))
    assert "Amira has left the school, so nothing new can be sent to Amira&#39;s carers" in page
    assert "Phone them if they should be told." in page
    assert "Approve and send" not in page
    assert "Will go to:" not in page
