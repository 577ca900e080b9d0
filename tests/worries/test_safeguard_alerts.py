"""The chosen adult is told, the team's badge and alert list, and re-alerts sent exactly once."""

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.db import get_session, utcnow
from classroom.outbox.models import OutboxMessage
from classroom.worries import services
from classroom.worries.models import Incident, IncidentEntry, StaffAlert
from tests.app_settings import ack_minutes, base_url
from tests.conftest import Clock, client_for, sign_in
from tests.factories import make_account
from tests.statements import statements
from tests.worry_helpers import School, make_school, pupil_on_ipad


def _worry_for(app: Flask, session: Session, school: School, **data: str) -> Incident:
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k1", **data})
    incident = session.scalar(select(Incident))
    assert incident is not None
    return incident


def test_chosen_adult_gets_a_content_free_alert_and_email(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    incident = _worry_for(
        app, session, school, what="unkind", talk_to=str(school.teacher.id), words="secret words"
    )
    email = session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == school.teacher.email)
    )
    assert email is not None
    assert "A pupil would like to talk to you \u2014 see the DSL first." in email.body
    assert "Amira" not in email.body + email.subject  # depersonalised: the name is signed in
    assert "secret words" not in email.body
    assert "unkind" not in email.body.lower()
    # Should any of them fail, the school's safeguarding team sees it on their email-problems
    # page; its admins do not (they would learn when worries came, and about whom).
    queued = session.scalars(select(OutboxMessage)).all()
    assert {m.school_id for m in queued} == {incident.school_id}
    for message in queued:
        message.attempts, message.last_error = 1, "mail server down"
    admin = make_account(session, Role.ADMIN, display_name="Mrs Office")
    session.commit()
    office = client_for(app, admin)
    assert "No problems: every email has been sent." in office.get("/admin/mail").text
    assert "would like to talk" not in office.get("/admin/mail").text
    dsl = client_for(app, school.dsl)
    team = dsl.get("/admin/mail").text
    assert team.count("A pupil would like to talk to you") == 1
    assert "mail server down" in team
    assert office.post(f"/admin/mail/{email.id}/retry").status_code == 404
    assert dsl.post(f"/admin/mail/{email.id}/retry").status_code == 302
    assert "would like to talk" not in office.get("/admin/audit?action=mail").text
    told = session.scalar(select(IncidentEntry).where(IncidentEntry.kind == "chosen_told"))
    assert told is not None
    assert "Ms Lopez was told" in told.text
    sign_in(client, school.teacher.username)
    page = client.get("/alerts/").data.decode()
    assert "Amira would like to talk to you \u2014 see the DSL" in page
    assert f"/safeguarding/{incident.id}" not in page  # the teacher cannot open the record
    assert "<strong>New</strong>" in page
    assert "Mark seen" not in page  # the message is all there is: shown is seen
    (alert,) = session.scalars(select(StaffAlert).where(StaffAlert.account_id == school.teacher.id))
    session.expire_all()
    assert alert.seen_at is not None
    assert "<strong>Seen</strong>" in client.get("/alerts/").text
    assert client.post(f"/alerts/{alert.id}/seen").status_code == 302
    team_alert = session.scalar(select(StaffAlert).where(StaffAlert.account_id == school.dsl.id))
    assert team_alert is not None
    assert client.post(f"/alerts/{team_alert.id}/seen").status_code == 404


def test_dsl_sets_the_chosen_adult_aside_and_the_pupil_sees_who_will_come(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    incident = _worry_for(app, session, school, talk_to=str(school.teacher.id))
    sign_in(client, school.dsl.username)
    page = client.get(f"/safeguarding/{incident.id}").data.decode()
    assert "The adult the pupil chose" in page
    missing = client.post(f"/safeguarding/{incident.id}/chosen-adult", data={"chosen-why": ""})
    assert missing.status_code == 400
    response = client.post(
        f"/safeguarding/{incident.id}/chosen-adult",
        data={"chosen-why": "subject", "chosen-instead_id": str(school.deputy.id)},
    )
    assert response.status_code == 302
    assert response.location.endswith("#chosen")
    session.expire_all()
    assert incident.will_talk_id == school.deputy.id
    deputy_alerts = session.scalars(
        select(StaffAlert.kind).where(StaffAlert.account_id == school.deputy.id)
    )
    assert "chosen" in set(deputy_alerts)
    set_aside = incident.entries[-2].text
    assert "Ms Lopez is the subject of the worry; Ms Evans will talk to Amira instead" in set_aside
    # Ms Lopez may be who the worry is about: what told her the pupil wants her is taken back.
    assert "Their alert was withdrawn before they saw it." in set_aside
    lopez_alerts = session.scalars(
        select(StaffAlert.kind).where(
            StaffAlert.account_id == school.teacher.id, StaffAlert.incident_id == incident.id
        )
    )
    assert "chosen" not in set(lopez_alerts)
    lopez = app.test_client()
    sign_in(lopez, school.teacher.username)
    assert "would like to talk to you" not in lopez.get("/alerts/").text
    home = pupil_on_ipad(app, school).get("/pupil/").data.decode()
    assert "Ms Evans will come to talk to you." in home


def test_badge_counts_unacknowledged_worries_for_the_team_only(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    incident = _worry_for(app, session, school, what="sad")
    sign_in(client, school.dsl.username)
    page = client.get("/pupils/").data.decode()
    assert "data-alert-badge" in page
    assert "<span data-count>1</span> not acknowledged" in page
    answer = client.get("/alerts/count")
    assert answer.json == {"count": 1}
    etag = answer.headers["ETag"]
    assert client.get("/alerts/count", headers={"If-None-Match": etag}).status_code == 304
    client.post(f"/safeguarding/{incident.id}/acknowledge")
    assert client.get("/alerts/count", headers={"If-None-Match": etag}).json == {"count": 0}
    teacher = app.test_client()
    sign_in(teacher, school.teacher.username)
    assert "data-alert-badge" not in teacher.get("/pupils/").data.decode()
    assert teacher.get("/alerts/count").status_code == 403


def test_incident_page_shows_the_realert_ladder(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    school = make_school(session)
    incident = _worry_for(app, session, school, what="sad")
    clock.advance(minutes=16)
    services.send_reminders(session, now=utcnow(), ack_minutes=ack_minutes(), base_url=base_url())
    session.commit()
    sign_in(client, school.dsl.username)
    page = client.get(f"/safeguarding/{incident.id}").data.decode()
    assert "Re-alerted 1 time; next at" in page
    # the DSL, the deputy and the headteacher
    assert page.count('<td data-label="Alert">Re-alert</td>') == 3
    assert "Mrs Shah" in page


def test_two_workers_send_each_realert_exactly_once(
    app: Flask, session: Session, clock: Clock
) -> None:
    school = make_school(session)
    _worry_for(app, session, school, what="sad")
    clock.advance(minutes=16)
    session.commit()  # the test holds no lock while the two workers race
    start = threading.Barrier(2)
    counts: list[int] = []

    def worker() -> None:
        with app.app_context():
            start.wait()
            counts.append(
                services.send_reminders(
                    get_session(), now=utcnow(), ack_minutes=ack_minutes(), base_url=base_url()
                )
            )
            get_session().commit()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 1]
    session.expire_all()
    reminders = list(session.scalars(select(StaffAlert).where(StaffAlert.kind == "reminder")))
    assert len(reminders) == 3
    entries = session.scalars(select(IncidentEntry).where(IncidentEntry.kind == "reminder"))
    assert len(list(entries)) == 1


def test_the_queue_page_badge_is_the_queues_own_count_of_new_worries(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """The queue counts its new worries already; the badge shows that number, not a second
    count, and it is the number every other page shows."""
    school = make_school(session)
    raised = [
        services.raise_worry(
            session, school.pupil, school.device, f"k{n}", services.WorryChoices(what="sad"),
            now=utcnow(), base_url=base_url(),
        )
        for n in range(3)
    ]  # fmt: skip
    session.commit()
    first = raised[0]
    sign_in(client, school.dsl.username)
    client.post(f"/safeguarding/{first.id}/acknowledge")
    with statements(app) as seen:
        queue = client.get("/safeguarding/").text
    assert "<span data-count>2</span> not acknowledged" in queue
    assert "<span data-count>2</span> not acknowledged" in client.get("/pupils/").text
    assert client.get("/alerts/count").json == {"count": 2}
    new_counted = [sql for sql in seen if sql.startswith("SELECT count(*)") and "status" in sql]
    assert len(new_counted) == 1  # the queue's own: open, newest, new


def test_a_team_member_set_aside_as_the_subject_can_no_longer_open_or_change_the_record(
    app: Flask, session: Session
) -> None:
    """Amira chose Mr Bell, the DSL; the deputy records that the worry is about him. From then
    on the record is closed to him, as an allegation against staff goes to others."""
    school = make_school(session)
    incident = _worry_for(app, session, school, what="unkind", talk_to=str(school.dsl.id))
    bell = client_for(app, school.dsl)
    assert bell.get(f"/safeguarding/{incident.id}").status_code == 200
    deputy = client_for(app, school.deputy)
    response = deputy.post(
        f"/safeguarding/{incident.id}/chosen-adult",
        data={"chosen-why": "subject", "chosen-instead_id": str(school.head.id)},
    )
    assert response.status_code == 302
    note = {"note-text": "LADO to be contacted by the head.", "note-once": "n1"}
    assert deputy.post(f"/safeguarding/{incident.id}/notes", data=note).status_code == 302
    assert "This record is now closed to them." in deputy.get(f"/safeguarding/{incident.id}").text
    assert bell.get(f"/safeguarding/{incident.id}").status_code == 404
    assert incident.reference not in bell.get("/safeguarding/").text
    sneaked = {"note-text": "Nothing in it.", "note-once": "n2"}
    refused = bell.post(f"/safeguarding/{incident.id}/notes", data=sneaked)
    assert refused.status_code == 404
    session.expire_all()
    assert [e.text for e in incident.entries].count("Nothing in it.") == 0
    head = client_for(app, school.head)
    page = head.get(f"/safeguarding/{incident.id}").text
    assert "LADO to be contacted by the head." in page
    assert incident.reference in deputy.get("/safeguarding/").text


def test_setting_aside_an_adult_who_has_read_the_alerts_page_says_they_know(
    app: Flask, session: Session
) -> None:
    """Ms Lopez opened her Alerts page, which said Amira would like to talk to her, but pressed
    nothing. The DSL then learns the worry is about her: the chronology must not tell him she
    never saw it."""
    school = make_school(session)
    incident = _worry_for(app, session, school, talk_to=str(school.teacher.id))
    lopez = client_for(app, school.teacher)
    assert "Amira would like to talk to you" in lopez.get("/alerts/").text
    dsl = client_for(app, school.dsl)
    response = dsl.post(
        f"/safeguarding/{incident.id}/chosen-adult",
        data={"chosen-why": "subject", "chosen-instead_id": str(school.deputy.id)},
    )
    assert response.status_code == 302
    page = dsl.get(f"/safeguarding/{incident.id}").text
    assert "They had already seen their alert." in page
    assert "withdrawn before they saw it" not in page
    assert "Amira" not in lopez.get("/alerts/").text  # the record is closed to her now


def test_a_team_member_who_is_the_subject_is_not_told_the_worry_is_waiting(
    app: Flask, session: Session, clock: Clock
) -> None:
    """Amira chose Mr Bell, the DSL, and the deputy records that the worry is about him before
    anyone acknowledges it. Neither its new-worry alert nor any reminder reaches him."""
    school = make_school(session)
    incident = _worry_for(app, session, school, what="unkind", talk_to=str(school.dsl.id))
    bell_emails = select(OutboxMessage).where(OutboxMessage.to_address == school.dsl.email)
    assert len(session.scalars(bell_emails).all()) == 2  # a new worry; Amira chose him
    deputy = client_for(app, school.deputy)
    response = deputy.post(
        f"/safeguarding/{incident.id}/chosen-adult",
        data={"chosen-why": "subject", "chosen-instead_id": str(school.head.id)},
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.scalars(bell_emails).all() == []  # neither had gone: both withdrawn
    clock.advance(minutes=16)
    sent = services.send_reminders(
        session, now=utcnow(), ack_minutes=ack_minutes(), base_url=base_url()
    )
    session.commit()
    assert sent == 1
    reminded = session.scalars(select(StaffAlert.account_id).where(StaffAlert.kind == "reminder"))
    assert set(reminded) == {school.deputy.id, school.head.id}
    assert session.scalars(bell_emails).all() == []
    bell = client_for(app, school.dsl)
    alerts = bell.get("/alerts/").text
    assert incident.reference not in alerts
    assert "No alerts." in alerts
    assert bell.get("/alerts/count").json == {"count": 0}
    assert incident.reference in deputy.get("/alerts/").text


def test_a_re_alert_that_never_went_out_is_said_plainly_on_the_record(
    app: Flask, session: Session, clock: Clock
) -> None:
    """The worker that sends re-alerts had stopped: the record said "First re-alert at 10:15"
    at 11:00, as if it were still to come. The DSL must be told it did not go."""
    school = make_school(session)
    incident = _worry_for(app, session, school, what="unkind")
    dsl = client_for(app, school.dsl)
    late = "has not gone out"
    assert late not in dsl.get(f"/safeguarding/{incident.id}").text
    worker = int(app.config["WORKER_INTERVAL_SECONDS"])
    clock.advance(minutes=ack_minutes(), seconds=worker + 30)  # due, and the worker not late yet
    assert late not in dsl.get(f"/safeguarding/{incident.id}").text
    assert late not in dsl.get("/safeguarding/").text
    clock.advance(seconds=60)
    page = dsl.get(f"/safeguarding/{incident.id}").text
    assert late in page
    assert "background worker" in page
    assert late in dsl.get("/safeguarding/").text  # the queue says it too
    # The worker sends it: the next rung is to come, and nothing is said.
    services.send_reminders(session, now=utcnow(), ack_minutes=ack_minutes(), base_url=base_url())
    session.commit()
    page = dsl.get(f"/safeguarding/{incident.id}").text
    assert late not in page
    assert "Re-alerted 1 time; next at" in page
    assert late not in dsl.get("/safeguarding/").text
