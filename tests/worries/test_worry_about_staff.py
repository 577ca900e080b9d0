"""A worry about a member of staff: once the team records who, the record is closed to them.

Found on a walk: Ms Lopez raised a concern that Ms Evans, the deputy DSL, had taken photos of
Amira on her own phone. Ms Evans saw it in her queue, opened it, could work it, and was alerted
about it. Only a pupil's chosen adult set aside as the subject was ever closed out.
"""

from __future__ import annotations

import html
import re
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.worries import services
from classroom.worries.models import Incident, StaffAlert
from tests.app_settings import ack_minutes, base_url
from tests.conftest import Clock, client_for
from tests.worry_helpers import School, make_school, pupil_on_ipad

PHOTOS = "Ms Evans took photos of Amira on her personal phone in the sensory room."
CLOSED = "The worry is about a member of staff: {}. This record is now closed to them."


def _concern(session: Session, school: School, summary: str = PHOTOS) -> Incident:
    data = services.ConcernInput(school.pupil.id, summary, "speech", "", None)
    incident = services.raise_concern(
        session, school.teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
    )
    session.commit()
    return incident


def _about(client: FlaskClient, incident: Incident, who: Account | str) -> object:
    value = who if isinstance(who, str) else str(who.id)
    return client.post(
        f"/safeguarding/{incident.id}/about-staff", data={"subject-subject_id": value}
    )


def _text(response: object) -> str:
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def _select(page: str, name: str) -> str:
    found = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    assert found is not None
    return found.group(0)


def test_a_worry_about_the_deputy_leaves_her_queue_pages_and_alerts(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    incident = _concern(session, school)
    evans = client_for(app, school.deputy)
    assert incident.reference in evans.get("/safeguarding/").text  # as the walk found it
    assert evans.get(f"/safeguarding/{incident.id}").status_code == 200
    to_evans = select(OutboxMessage).where(OutboxMessage.to_address == school.deputy.email)
    assert len(session.scalars(to_evans).all()) == 1  # the new-concern email, not sent yet
    assert evans.get("/alerts/count").json == {"count": 1}

    bell = client_for(app, school.dsl)
    assert _about(bell, incident, school.deputy).status_code == 302

    page = _text(bell.get(f"/safeguarding/{incident.id}"))
    assert CLOSED.format("Ms Evans") in page
    assert "This worry is about Ms Evans ." in page
    for path in (
        f"/safeguarding/{incident.id}",
        f"/safeguarding/{incident.id}/evidence",
        f"/parents/incidents/{incident.id}/notice",
    ):
        assert evans.get(path).status_code == 404, path
    sneaked = {"note-text": "Nothing happened.", "note-once": "n1"}
    assert evans.post(f"/safeguarding/{incident.id}/notes", data=sneaked).status_code == 404
    assert incident.reference not in evans.get("/safeguarding/").text
    assert incident.reference not in evans.get("/alerts/").text
    assert evans.get("/alerts/count").json == {"count": 0}
    session.expire_all()
    assert session.scalars(to_evans).all() == []  # her email about it was withdrawn unsent
    assert "Nothing happened." not in [e.text for e in incident.entries]
    audited = session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_id == incident.id)
    ).all()
    assert "incident.subject_staff_set" in audited
    # The rest of the team still work it.
    assert incident.reference in client_for(app, school.head).get("/safeguarding/").text


def test_no_alert_about_it_reaches_them_afterwards(
    app: Flask, session: Session, clock: Clock
) -> None:
    """Nobody acknowledged it yet: the re-alerts go to the rest of the team, not to her."""
    school = make_school(session)
    incident = _concern(session, school)
    assert _about(client_for(app, school.dsl), incident, school.deputy).status_code == 302
    clock.advance(minutes=ack_minutes() + 1)
    sent = services.send_reminders(
        session, now=utcnow(), ack_minutes=ack_minutes(), base_url=base_url()
    )
    session.commit()
    assert sent == 1
    reminded = session.scalars(select(StaffAlert.account_id).where(StaffAlert.kind == "reminder"))
    assert set(reminded) == {school.dsl.id, school.head.id}
    to_evans = select(OutboxMessage).where(OutboxMessage.to_address == school.deputy.email)
    assert session.scalars(to_evans).all() == []


def test_the_form_chooses_nobody_and_offers_the_whole_staff(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    incident = _concern(session, school)
    bell = client_for(app, school.dsl)
    box = _select(bell.get(f"/safeguarding/{incident.id}").text, "subject-subject_id")
    assert "selected" not in box
    assert '<option value="">Choose' in box
    for person in (school.teacher, school.deputy, school.head, school.dsl):
        assert f'value="{person.id}"' in box
    refused = _about(bell, incident, "")
    assert refused.status_code == 400
    assert "Choose the member of staff the worry is about." in _text(refused)
    session.expire_all()
    assert incident.subject_staff_id is None


def test_nobody_records_a_worry_as_about_themselves(app: Flask, session: Session) -> None:
    """It would close the record to the one working it, mid-work: they tell the head."""
    school = make_school(session)
    incident = _concern(session, school)
    bell = client_for(app, school.dsl)
    refused = _about(bell, incident, school.dsl)
    assert refused.status_code == 400
    assert "You cannot record that a worry is about you" in _text(refused)
    session.expire_all()
    assert incident.subject_staff_id is None
    assert bell.get(f"/safeguarding/{incident.id}").status_code == 200


def test_once_recorded_it_cannot_be_changed_here(app: Flask, session: Session) -> None:
    school = make_school(session)
    incident = _concern(session, school)
    bell = client_for(app, school.dsl)
    assert _about(bell, incident, school.teacher).status_code == 302
    page = _text(bell.get(f"/safeguarding/{incident.id}"))
    assert "it cannot be changed here" in page
    assert 'name="subject-subject_id"' not in bell.get(f"/safeguarding/{incident.id}").text
    again = _about(bell, incident, school.deputy)
    assert again.status_code == 400
    assert "cannot be changed here" in _text(again)
    session.expire_all()
    assert incident.subject_staff_id == school.teacher.id
    assert client_for(app, school.deputy).get(f"/safeguarding/{incident.id}").status_code == 200


def test_a_worry_about_the_dsl_alerts_the_headteacher(app: Flask, session: Session) -> None:
    school = make_school(session)
    incident = _concern(session, school, "Mr Bell shouted at Amira and grabbed her arm.")
    evans = client_for(app, school.deputy)
    assert _about(evans, incident, school.dsl).status_code == 302
    session.expire_all()
    told = session.scalars(
        select(StaffAlert.account_id).where(StaffAlert.kind == services.STAFF_SUBJECT)
    ).all()
    assert told == [school.head.id]
    email = session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == school.head.email)
    )
    assert email is not None
    assert "Bell" not in email.subject + email.body
    assert "Amira" not in email.body
    shah = client_for(app, school.head)
    assert f"A worry about a member of staff needs you: {incident.reference}" in _text(
        shah.get("/alerts/")
    )
    assert client_for(app, school.dsl).get(f"/safeguarding/{incident.id}").status_code == 404


def test_a_worry_about_any_member_of_staff_alerts_the_headteacher(
    app: Flask, session: Session
) -> None:
    """The school's policy: staff report concerns about colleagues to the headteacher. A worry
    about the deputy, with the DSL working it, still reaches the head; one the head marks
    alerts nobody more (they know)."""
    school = make_school(session)
    incident = _concern(session, school)
    assert _about(client_for(app, school.dsl), incident, school.deputy).status_code == 302
    told = select(StaffAlert.account_id).where(StaffAlert.kind == services.STAFF_SUBJECT)
    assert session.scalars(told).all() == [school.head.id]
    other = _concern(session, school, "Mr Ade swore at Amira in the corridor.")
    assert _about(client_for(app, school.head), other, school.teacher).status_code == 302
    assert session.scalars(told.where(StaffAlert.incident_id == other.id)).all() == []


def test_the_chosen_adult_set_aside_and_the_staff_subject_are_both_closed_out(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post(
        "/pupil/worry", data={"key": "k1", "what": "unkind", "talk_to": str(school.dsl.id)}
    )
    incident = session.scalar(select(Incident))
    assert incident is not None
    evans = client_for(app, school.deputy)
    set_aside = {"chosen-why": "subject", "chosen-instead_id": str(school.teacher.id)}
    chosen = evans.post(f"/safeguarding/{incident.id}/chosen-adult", data=set_aside)
    assert chosen.status_code == 302
    assert _about(evans, incident, school.head).status_code == 302
    for person in (school.dsl, school.head):
        team = client_for(app, person)
        assert team.get(f"/safeguarding/{incident.id}").status_code == 404
        assert incident.reference not in team.get("/safeguarding/").text
    assert evans.get(f"/safeguarding/{incident.id}").status_code == 200


def test_the_subject_is_no_longer_its_assignee_nor_offered_as_one(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    incident = _concern(session, school)
    bell = client_for(app, school.dsl)
    given = {"assign-assignee_id": str(school.deputy.id), "assign-reason": "She knows Amira"}
    assert bell.post(f"/safeguarding/{incident.id}/assignee", data=given).status_code == 302
    session.expire_all()
    assert incident.assignee_id == school.deputy.id
    assert _about(bell, incident, school.deputy).status_code == 302
    session.expire_all()
    assert incident.assignee_id is None
    page = bell.get(f"/safeguarding/{incident.id}").text
    assert "It was assigned to them: it is not assigned to anyone now." in html.unescape(page)
    assert f'value="{school.deputy.id}"' not in _select(page, "assign-assignee_id")
    back = bell.post(f"/safeguarding/{incident.id}/assignee", data=given)
    assert back.status_code == 400
    session.expire_all()
    assert incident.assignee_id is None


def test_the_team_can_record_a_referral_to_the_lado(app: Flask, session: Session) -> None:
    school = make_school(session)
    incident = _concern(session, school)
    bell = client_for(app, school.dsl)
    assert "LADO (Local Authority Designated Officer)" in bell.get(
        f"/safeguarding/{incident.id}"
    ).text
    data = {
        "referral-agency": "lado",
        "referral-reference": "LADO-2291",
        "referral-reason": "Allegation that a member of staff photographed a pupil",
    }
    assert bell.post(f"/safeguarding/{incident.id}/referrals", data=data).status_code == 302
    session.expire_all()
    assert [r.agency for r in incident.referrals] == ["lado"]


def test_the_member_of_staff_it_is_about_is_not_sent_to_talk_to_the_pupil(
    app: Flask, session: Session
) -> None:
    """Amira chose Mr Bell, who is not on duty; the worry is about Ms Evans: she is not offered
    to go instead, and a form sent naming her is refused."""
    school = make_school(session)
    pupil_on_ipad(app, school).post(
        "/pupil/worry", data={"key": "k1", "what": "unkind", "talk_to": str(school.dsl.id)}
    )
    incident = session.scalar(select(Incident))
    assert incident is not None
    shah = client_for(app, school.head)
    assert _about(shah, incident, school.deputy).status_code == 302
    box = _select(shah.get(f"/safeguarding/{incident.id}").text, "chosen-instead_id")
    assert f'value="{school.deputy.id}"' not in box
    assert f'value="{school.teacher.id}"' in box
    sent = {"chosen-why": "not_on_duty", "chosen-instead_id": str(school.deputy.id)}
    refused = shah.post(f"/safeguarding/{incident.id}/chosen-adult", data=sent)
    assert refused.status_code == 400
    session.expire_all()
    assert incident.will_talk_id is None
    chosen = select(StaffAlert).where(
        StaffAlert.account_id == school.deputy.id, StaffAlert.kind == "chosen"
    )
    assert session.scalars(chosen).all() == []


def test_the_audit_log_does_not_tell_them_of_the_record(app: Flask, session: Session) -> None:
    """The team reads the school's audit log: the person a worry is about would learn from it
    that there is a record, and who opened it when. Its entries are not theirs to read."""
    school = make_school(session)
    incident = _concern(session, school)
    bell, evans = client_for(app, school.dsl), client_for(app, school.deputy)
    assert evans.get(f"/safeguarding/{incident.id}").status_code == 200  # before: hers to work
    assert _about(bell, incident, school.deputy).status_code == 302
    about = f"Incident #{incident.id}"
    hers = _text(evans.get("/admin/audit?object_type=Incident"))
    assert about not in hers
    assert "incident.subject_staff_set" not in hers
    assert about in _text(bell.get("/admin/audit?object_type=Incident"))  # the team's log has it


def test_their_open_actions_go_to_whoever_recorded_it(app: Flask, session: Session) -> None:
    """Closed to their owner, the actions would wait for someone who can no longer see them."""
    school = make_school(session)
    incident = _concern(session, school)
    today = utcnow().date()
    call = services.add_action(
        session, school.dsl, incident, "Ring Amira's social worker", school.deputy.id,
        today, now=utcnow(), today=today,
    )  # fmt: skip
    done = services.add_action(
        session, school.dsl, incident, "Check the sensory room log", school.deputy.id,
        today, now=utcnow(), today=today,
    )  # fmt: skip
    done.done_at = utcnow()
    session.commit()
    assert _about(client_for(app, school.dsl), incident, school.deputy).status_code == 302
    session.expire_all()
    assert call.owner_id == school.dsl.id
    assert done.owner_id == school.deputy.id  # done: it stays with who did it
    page = _text(client_for(app, school.dsl).get(f"/safeguarding/{incident.id}"))
    assert "Their open actions go to Mr Bell: Ring Amira's social worker." in page


def test_a_failed_email_about_it_is_not_on_their_mail_page(app: Flask, session: Session) -> None:
    """The head's alert of a worry about the DSL fails to send: the team (the deputy) sees it
    on the email problems page to send again, but not the DSL it is about, whom it would tell
    that there is a record, and its reference."""
    school = make_school(session)
    incident = _concern(session, school, "Mr Bell shouted at Amira and grabbed her arm.")
    assert _about(client_for(app, school.deputy), incident, school.dsl).status_code == 302
    session.expire_all()
    for message in session.scalars(select(OutboxMessage)):
        message.attempts, message.last_error = 1, "mail server down"
    session.commit()
    to_head = session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == school.head.email)
    )
    assert to_head is not None

    assert incident.reference in client_for(app, school.deputy).get("/admin/mail").text
    bell = client_for(app, school.dsl)
    assert incident.reference not in bell.get("/admin/mail").text
    assert bell.post(f"/admin/mail/{to_head.id}/retry").status_code == 404
