"""Report a worry: the pupil's flow, never lost or doubled, alerts, and who can see what."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import get_session
from classroom.devices.web import cookie_name
from classroom.lessons.models import LessonAttempt
from classroom.outbox.models import OutboxMessage
from classroom.worries import services
from classroom.worries.models import Incident, StaffAlert, Status
from tests import corpora
from tests.app_settings import school_today
from tests.conftest import Clock, build_app, client_for, sign_in
from tests.factories import make_account, make_class, make_pupil
from tests.factories import make_school as make_other_school
from tests.worry_helpers import make_school, pupil_on_ipad, sealed


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Incident)) or 0


def test_worry_button_is_on_every_pupil_screen(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    for path in ("/pupil/", "/pupil/worry/thanks"):
        assert b'href="/pupil/worry?back=' in ipad.get(path).data, path  # and back to this screen


def test_flow_offers_symbol_choices_and_the_pupils_own_adults(app: Flask, session: Session) -> None:
    school = make_school(session)
    other = make_account(session, Role.TEACHER, display_name="Mr Elsewhere")
    session.commit()
    page = pupil_on_ipad(app, school).get("/pupil/worry").data.decode()
    for words in ("Someone was unkind", "In a game", "Scared", "Who do you want to talk to?"):
        assert words in page
    assert "Ms Lopez" in page
    assert "Mr Bell" in page
    assert other.display_name not in page
    assert "data-public-key" in page


def test_pupil_sends_a_worry_without_javascript(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    response = ipad.post(
        "/pupil/worry",
        data={
            "key": "k-1",
            "what": "unkind",
            "where": "game",
            "feeling": "sad",
            "talk_to": str(school.teacher.id),
            "words": "they said mean things",
        },
    )
    assert response.status_code == 302
    thanks = ipad.get(response.location).data.decode()
    assert "Thank you for telling." in thanks
    assert "Ms Lopez will talk to you." in thanks
    assert "mean things" not in thanks
    incident = session.scalar(select(Incident))
    assert incident is not None
    assert (incident.what, incident.where, incident.feeling) == ("unkind", "game", "sad")
    assert incident.pupil_words == "they said mean things"
    assert incident.reporter == school.pupil


def test_every_step_can_be_skipped(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    assert ipad.post("/pupil/worry", data={"key": "empty"}).status_code == 302
    assert _count(session) == 1


def test_double_tap_or_replay_makes_one_incident(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    for _ in range(3):
        ipad.post("/pupil/worry", data={"key": "same-key", "what": "sad"})
    assert _count(session) == 1


def test_saved_worry_from_the_ipad_is_received_once(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    _key, env = sealed(app, school.pupil, what="stranger", words="a man in a game")
    first = ipad.post("/class-ipad/worries", json={"envelope": env})
    again = ipad.post("/class-ipad/worries", json={"envelope": env})
    assert (first.status_code, again.status_code) == (201, 200)
    assert _count(session) == 1
    incident = session.scalar(select(Incident))
    assert incident is not None
    assert incident.pupil_words == "a man in a game"


def test_saved_worry_is_sent_after_the_pupil_has_finished(app: Flask, session: Session) -> None:
    """Offline when sent, online later: the start screen sends it for the pupil who has gone."""
    school = make_school(session)
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    _key, env = sealed(app, school.pupil, what="sad")
    assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 201
    assert _count(session) == 1


def test_only_a_class_ipad_may_send_saved_worries(app: Flask, session: Session) -> None:
    school = make_school(session)
    _key, env = sealed(app, school.pupil, what="sad")
    assert app.test_client().post("/class-ipad/worries", json={"envelope": env}).status_code == 403
    assert _count(session) == 0


def test_saved_worry_for_a_pupil_of_another_school_is_refused(app: Flask, session: Session) -> None:
    school = make_school(session)
    stranger = make_pupil(session, make_class(session, make_other_school(session)))
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    _key, env = sealed(app, stranger, what="sad")
    assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 400
    assert _count(session) == 0


def _chronology(incident: Incident) -> list[str]:
    return [entry.text for entry in incident.entries]


def test_a_saved_worry_is_heard_after_its_pupil_moved_class(app: Flask, session: Session) -> None:
    """Saved on Oak's iPad while offline; by the time it is back online the pupil is in
    another class (or has left): the worry is received, and the team told how it came."""
    school = make_school(session)
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    _key, env = sealed(app, school.pupil, what="unkind", words="they keep messaging me")
    school.pupil.class_id = make_class(session, name="Willow").id
    session.commit()
    assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 201
    incident = session.scalar(select(Incident))
    assert incident is not None
    assert incident.pupil_words == "they keep messaging me"
    assert any("no longer in that class" in text for text in _chronology(incident))


def test_a_worry_saved_offline_says_when_it_was_told(
    app: Flask, session: Session, clock: Clock
) -> None:
    """Saved at 21:05 on an iPad with no Wi-Fi, arriving at 08:40 the next morning: the record's
    times are its arrival, so the chronology says when the pupil told it (by the iPad's clock).
    Sent at once, or from a clock not to be believed, nothing is added."""
    clock.set(datetime(2026, 12, 4, 8, 40, tzinfo=UTC))
    school = make_school(session)
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    saves = {
        "overnight": "2026-12-03T21:05:32.120Z",
        "just now": "2026-12-04T08:39:30.000Z",
        "ahead": "2026-12-04T09:30:00.000Z",
        "nonsense": "yesterday",
    }
    for words, saved_at in saves.items():
        _key, env = sealed(app, school.pupil, what="sad", words=words, saved_at=saved_at)
        assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 201
    told = {
        incident.pupil_words: [t for t in _chronology(incident) if t.startswith("Told on")]
        for incident in session.scalars(select(Incident))
    }
    assert told.pop("overnight") == [
        "Told on the iPad at Thu 3 Dec 2026, 21:05 GMT (by the iPad's clock); it reached the "
        "school at Fri 4 Dec 2026, 08:40 GMT, when the iPad could send it."
    ]
    assert told == {"just now": [], "ahead": [], "nonsense": []}


def test_a_worry_sent_when_the_ipad_was_left_says_so(app: Flask, session: Session) -> None:
    """The worry screen timed out before Send (worry.js sends what was chosen): the team is
    told Send was not pressed, to speak to the pupil."""
    school = make_school(session)
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    _key, env = sealed(app, school.pupil, what="unkind", left=True)
    assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 201
    incident = session.scalar(select(Incident))
    assert incident is not None
    assert incident.what == "unkind"
    first = school.pupil.first_name
    assert (
        f"The iPad was left on the worry screen before {first} pressed Send: it sent what had "
        f"been chosen and typed when the screen timed out. Speak to {first}."
    ) in _chronology(incident)


def test_a_saved_worry_is_heard_when_its_adult_is_no_longer_offered(
    app: Flask, session: Session
) -> None:
    """The pupil chose an adult offline; staff then changed the pupil's adults. The worry is
    received all the same (before, the iPad was refused every 20 seconds, for ever), that adult
    is not alerted, and the team reads who was chosen. An answer this version does not know
    is left out the same way."""
    school = make_school(session)
    former = make_account(session, Role.TEACHER, display_name="Mr Lee Chan")
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    _key, env = sealed(
        app, school.pupil, what="unkind", where="moon", talk_to=former.id,
        words="they said they will hurt me",
    )  # fmt: skip
    assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 201
    incident = session.scalar(select(Incident))
    assert incident is not None
    assert (incident.what, incident.where, incident.talk_to_id) == ("unkind", None, None)
    assert incident.pupil_words == "they said they will hurt me"
    notes = " ".join(_chronology(incident))
    assert "chose Mr Lee Chan to talk to" in notes
    assert "nobody was told" in notes
    assert '"Where?" could not be read' in notes
    alerted = session.scalars(
        select(StaffAlert.account_id).where(StaffAlert.incident_id == incident.id)
    )
    assert former.id not in set(alerted)
    # Sent live from the flow (no iPad outbox), the pupil is still asked to choose again.
    ipad_pupil = pupil_on_ipad(app, school)
    live = ipad_pupil.post("/pupil/worry", data={"key": "k-live", "talk_to": str(former.id)})
    assert live.status_code == 400
    assert "Choose one of the adults shown." in live.text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"envelope": "x"},
        {"envelope": {"v": "1", "k": "!!"}},
        {"envelope": {"v": "1", "k": "aGk=", "iv": "aGk=", "c": "aGk="}},
    ],
)
def test_malformed_saved_worries_get_400_not_500(
    app: Flask, session: Session, body: dict[str, object]
) -> None:
    school = make_school(session)
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    assert ipad.post("/class-ipad/worries", json=body).status_code == 400


def test_the_team_is_alerted_in_the_app_and_by_email_without_details(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post(
        "/pupil/worry", data={"key": "k", "what": "photo_or_secret", "words": "secret words"}
    )
    alerted = set(session.scalars(select(StaffAlert.account_id)))
    assert alerted == {school.dsl.id, school.deputy.id}
    emails = list(session.scalars(select(OutboxMessage)))
    assert {e.to_address for e in emails} == {school.dsl.email, school.deputy.email}
    for email in emails:
        assert "secret words" not in email.body
        assert "Amira" not in email.body
        assert "please sign in" in email.body.lower()
        # The link opens the record itself after sign-in, not the queue to search.
        assert email.body.rstrip().endswith(f"/safeguarding/{school_incident_id(session)}")


def school_incident_id(session: Session) -> int:
    return session.scalars(select(Incident.id)).one()


def _remind(session: Session, after: timedelta) -> int:
    """The worker's re-alert round, `after` the worry was raised (a 15-minute ladder)."""
    raised = session.scalars(select(Incident)).one().created_at
    return services.send_reminders(
        session, now=raised + after, ack_minutes=15, base_url="https://school.example"
    )


def test_unacknowledged_worry_is_alerted_again_to_the_head_too(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    assert _remind(session, timedelta(minutes=14)) == 0
    assert _remind(session, timedelta(minutes=16)) == 1
    session.commit()
    reminded = set(
        session.scalars(select(StaffAlert.account_id).where(StaffAlert.kind == "reminder"))
    )
    assert reminded == {school.dsl.id, school.deputy.id, school.head.id}
    assert _remind(session, timedelta(minutes=16)) == 0  # not again until another period passes
    links = session.scalars(select(OutboxMessage.body).where(OutboxMessage.subject.like("Rem%")))
    assert all("https://school.example/safeguarding/" in body for body in links)


def test_acknowledged_worry_is_not_alerted_again(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    incident = session.scalar(select(Incident))
    assert incident is not None
    sign_in(client, school.dsl.username)
    client.post(f"/safeguarding/{incident.id}/acknowledge")
    assert _remind(session, timedelta(minutes=60)) == 0


def test_pupil_is_told_an_adult_has_seen_it_until_they_tap_ok_and_without_details(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    ipad.post("/pupil/worry", data={"key": "k", "what": "unkind", "words": "private detail"})
    assert b"An adult has seen your worry" not in ipad.get("/pupil/").data
    incident = session.scalar(select(Incident))
    assert incident is not None
    sign_in(client, school.dsl.username)
    client.post(f"/safeguarding/{incident.id}/acknowledge")
    ipad.post("/pupil/finished")
    ipad = pupil_on_ipad(app, school)
    home = ipad.get("/pupil/").data
    assert b"An adult has seen your worry" in home
    assert b"private detail" not in home
    assert b"An adult has seen your worry" in ipad.get("/pupil/").data  # a look changes nothing
    assert ipad.post("/pupil/worry-seen").status_code == 302
    assert b"An adult has seen your worry" not in ipad.get("/pupil/").data


@pytest.mark.parametrize(
    "role",
    [
        Role.TEACHER,
        Role.TEACHING_ASSISTANT,
        Role.GOVERNOR,
        Role.SENIOR_LEADER,
        Role.ADMIN,
        Role.PARENT,
    ],
)
def test_only_the_safeguarding_team_sees_the_queue(
    app: Flask,
    client: FlaskClient,
    session: Session,
    login_as: Callable[..., Account],
    role: Role,
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    incident = session.scalar(select(Incident))
    assert incident is not None
    login_as(role)
    for path in ("/safeguarding/", f"/safeguarding/{incident.id}", "/safeguarding/queue/rows"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/safeguarding/{incident.id}/acknowledge").status_code == 403


def test_pupils_see_nothing_of_the_queue(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    ipad.post("/pupil/worry", data={"key": "k", "what": "sad"})
    response = ipad.get("/safeguarding/")
    assert response.status_code == 302
    assert response.location.endswith("/pupil/")


def test_another_schools_incident_answers_404(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    incident = session.scalar(select(Incident))
    assert incident is not None
    elsewhere = make_account(session, Role.DSL, school=make_other_school(session, name="Other"))
    session.commit()
    sign_in(client, elsewhere.username)
    assert client.get(f"/safeguarding/{incident.id}").status_code == 404
    assert b"W0000" not in client.get("/safeguarding/").data


def test_dsl_works_an_incident_from_triage_to_close(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "unkind"})
    incident = session.scalar(select(Incident))
    assert incident is not None
    sign_in(client, school.dsl.username)
    base = f"/safeguarding/{incident.id}"
    assert b"Amira Khan" in client.get(base).data
    steps = [
        (
            "/triage",
            {
                "triage-category": "cyberbullying",
                "triage-risk": "medium",
                "triage-child_protection": "no",
                "triage-rationale": "Repeated messages in a game chat",
                "triage-assignee_id": str(school.dsl.id),
            },
        ),
        ("/notes", {"note-text": "Spoke with Amira using symbols", "note-reason": "To hear it"}),
        (
            "/actions",
            {
                "action-description": "Check game settings with class teacher",
                "action-reason": "The chat was on in a game for under-13s",
                "action-owner_id": str(school.deputy.id),
                "action-due_on": (school_today() + timedelta(days=7)).isoformat(),
            },
        ),
        (
            "/referrals",
            {
                "referral-agency": "ceop",
                "referral-reference": "CEOP-123",
                "referral-reason": "Adult stranger in chat",
            },
        ),
        (
            "/parent-contact",
            {
                "parent-decision": "not_now",
                "parent-reason": "Speak to Amira first; review tomorrow",
                "parent-review_on": (school_today() + timedelta(days=1)).isoformat(),
            },
        ),
    ]
    for path, data in steps:
        response = client.post(base + path, data=data)
        assert response.status_code == 302, (path, response.data[-2000:])
    session.expire_all()
    assert incident.status == Status.OPEN
    assert incident.risk == "medium"
    (open_action,) = incident.actions
    closed = client.post(
        base + "/close",
        data={
            "close-outcome": "Blocked and reported; parents informed later",
            "close-lessons_learnt": "Game chat settings checked at the start of each term",
            f"close-settle-{open_action.id}": "done",
            "close-carers": "release",  # "not now" held them back until this closed
            "close-carers-reason": "Parents now told in person",
        },
    )
    assert closed.status_code == 302
    session.expire_all()
    assert incident.status == Status.CLOSED
    kinds = [e.kind for e in incident.entries]
    for kind in (
        "raised",
        "acknowledged",
        "triage",
        "note",
        "action",
        "referral",
        "parent_contact",
        "carers_after_closing",
        "closed",
    ):
        assert kind in kinds
    page = client.get(base).data.decode()
    assert "CEOP-123" in page
    assert "Speak to Amira first" in page
    client.post(base + "/reopen", data={"reopen-reason": "New messages", "reopen-carers": "keep"})
    session.expire_all()
    assert incident.status == Status.OPEN


def test_closing_needs_triage_outcome_and_lessons(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "other"})
    incident = session.scalar(select(Incident))
    assert incident is not None
    sign_in(client, school.dsl.username)
    empty = client.post(f"/safeguarding/{incident.id}/close", data={"close-outcome": ""})
    assert empty.status_code == 400
    assert b"Record the outcome." in empty.data
    untriaged = client.post(
        f"/safeguarding/{incident.id}/close",
        data={"close-outcome": "x", "close-lessons_learnt": "y"},
    )
    assert untriaged.status_code == 400
    assert b"Triage the incident" in untriaged.data


def test_action_due_in_the_past_is_refused(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k"})
    incident = session.scalar(select(Incident))
    assert incident is not None
    sign_in(client, school.dsl.username)
    response = client.post(
        f"/safeguarding/{incident.id}/actions",
        data={
            "action-description": "x",
            "action-reason": "y",
            "action-owner_id": str(school.deputy.id),
            "action-due_on": "2000-01-01",
        },
    )
    assert response.status_code == 400
    assert b"cannot be in the past" in response.data
    for data, message in (
        ({"action-due_on": "2099-01-01"}, b"within a year"),
        ({"action-reason": ""}, b"Say why this action is needed."),
    ):
        refused = client.post(
            f"/safeguarding/{incident.id}/actions",
            data={
                "action-description": "x",
                "action-reason": "y",
                "action-owner_id": str(school.deputy.id),
                "action-due_on": (school_today() + timedelta(days=7)).isoformat(),
                **data,
            },
        )
        assert refused.status_code == 400
        assert message in refused.data
    assert not incident.actions


def test_staff_raise_a_concern_and_see_only_what_they_raised(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    response = client.post(
        "/concerns/new",
        data={
            "key": str(uuid.uuid4()),
            "pupil_id": str(school.pupil.id),
            "summary": "Monitoring alert: searched for an adult site",
            "communication": "monitoring",
            "exact_words": "",
            "category": "inappropriate_material",
        },
    )
    assert response.status_code == 302
    mine = client.get("/concerns/").data.decode()
    assert "Monitoring alert: searched for an adult site" in mine
    assert "Waiting to be picked up" in mine
    incident = session.scalar(select(Incident))
    assert incident is not None
    assert client.get(f"/safeguarding/{incident.id}").status_code == 403
    assert set(session.scalars(select(StaffAlert.account_id))) == {school.dsl.id, school.deputy.id}


def test_any_member_of_staff_can_raise_a_concern_about_any_pupil_of_their_school(
    client: FlaskClient, session: Session
) -> None:
    """All staff must report any concern (the policy): a TA on lunch duty sees children of
    every class. Raising one opens nothing of the pupil's records, and another school's pupil
    is never offered nor accepted."""
    school = make_school(session)
    ta = make_account(session, Role.TEACHING_ASSISTANT, classes=[school.oak])
    other_class = make_class(session, name="Birch")
    elsewhere = make_pupil(session, other_class, first_name="Zeb", last_name="Stone")
    other_school = make_pupil(
        session, make_class(session, make_other_school(session)), first_name="Yusuf"
    )
    session.commit()
    sign_in(client, ta.username)

    form = client.get("/concerns/new").data.decode()
    assert "Zeb Stone (Birch)" in form
    assert "Yusuf" not in form
    response = client.post(
        "/concerns/new",
        data={
            "pupil_id": str(elsewhere.id),
            "summary": "Crying at lunch",
            "communication": "speech",
            "category": "",
        },
    )
    assert response.status_code == 302
    incident = session.scalar(select(Incident))
    assert incident is not None
    assert [link.pupil_id for link in incident.pupils] == [elsewhere.id]
    assert client.get(f"/pupils/{elsewhere.id}").status_code in (403, 404)
    assert client.get(f"/safeguarding/{incident.id}").status_code == 403
    refused = client.post(
        "/concerns/new",
        data={
            "pupil_id": str(other_school.id),
            "summary": "x",
            "communication": "speech",
            "category": "",
        },
    )
    assert refused.status_code == 400
    assert "Not a valid choice" in refused.data.decode()
    assert _count(session) == 1


def test_a_concern_sent_with_another_persons_form_key_is_never_dropped(
    app: Flask, session: Session
) -> None:
    """The same form sent twice by its author is one concern; the same key from anyone else
    (a replayed form) is not taken for theirs, so their concern is not silently lost."""
    school = make_school(session)
    ta = make_account(session, Role.TEACHING_ASSISTANT, classes=[school.oak])
    session.commit()
    concern = {
        "key": "concern-key-1",
        "pupil_id": str(school.pupil.id),
        "summary": "Upset after a game",
        "communication": "speech",
        "category": "",
    }
    teacher = client_for(app, school.teacher)
    assert teacher.post("/concerns/new", data=concern).status_code == 302
    assert teacher.post("/concerns/new", data=concern).status_code == 302
    assert _count(session) == 1
    other = client_for(app, ta)
    theirs = concern | {"summary": "Said someone online asked for photos"}
    refused = other.post("/concerns/new", data=theirs)
    assert refused.status_code == 400
    page = refused.data.decode()
    assert "This form had already been used. Nothing you wrote is lost" in page
    assert "Said someone online asked for photos" in page
    assert 'value="concern-key-1"' not in page  # sent again, it is a new form
    fresh = re.search(r'name="key" value="([^"]+)"', page)
    assert fresh is not None
    assert other.post("/concerns/new", data=theirs | {"key": fresh.group(1)}).status_code == 302
    assert _count(session) == 2


def test_every_view_and_change_is_audited(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k"})
    incident = session.scalar(select(Incident))
    assert incident is not None
    sign_in(client, school.dsl.username)
    client.get(f"/safeguarding/{incident.id}")
    client.post(f"/safeguarding/{incident.id}/acknowledge")
    actions = set(
        session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "Incident", AuditEvent.object_id == incident.id
            )
        )
    )
    assert {"worry.reported", "incident.viewed", "incident.acknowledged"} <= actions


def test_over_long_say_more_gets_a_message_and_keeps_the_choices(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    response = ipad.post(
        "/pupil/worry", data={"key": "k", "what": "unkind", "where": "video", "words": "x" * 2001}
    )
    assert response.status_code == 400
    page = response.data.decode()
    assert "too long" in page
    assert 'value="unkind" checked' in page
    assert 'value="video" checked' in page
    assert _count(session) == 0


@pytest.mark.parametrize("corpus", ["xss.txt", "sqli.txt"])
def test_attack_strings_in_free_text_come_back_as_harmless_text(
    app: Flask, client: FlaskClient, session: Session, corpus: str
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    lines = corpora.lines(corpus)
    for n, line in enumerate(lines):
        ipad.post("/pupil/worry", data={"key": f"{corpus}-{n}", "words": line[:2000]})
    stored = {i.idempotency_key: i.pupil_words for i in session.scalars(select(Incident))}
    assert len(stored) == len(lines)
    sign_in(client, school.dsl.username)
    for n, line in enumerate(lines[:60]):
        incident_id = session.scalar(
            select(Incident.id).where(Incident.idempotency_key == f"{corpus}-{n}")
        )
        page = client.get(f"/safeguarding/{incident_id}").data.decode()
        assert stored[f"{corpus}-{n}"] == line.strip()[:2000]
        words = page.split('class="pupil-words">')[1].split("</dd>")[0]
        assert "<" not in words, line  # every tag in the payload came back escaped
    assert get_session() is not None


def test_plain_form_worry_arrives_even_after_the_pupils_session_timed_out(
    app: Flask, session: Session, clock: Clock
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    page = ipad.get("/pupil/worry").data.decode()
    reporter = page.split('name="reporter" value="')[1].split('"')[0]
    clock.advance(minutes=20)  # typed slowly; the pupil session has ended meanwhile
    assert ipad.get("/pupil/").status_code == 302
    response = ipad.post("/pupil/worry", data={"key": "slow", "what": "sad", "reporter": reporter})
    assert response.status_code == 200
    assert b"Thank you for telling." in response.data
    assert _count(session) == 1


def test_plain_form_worry_needs_a_genuine_reporter(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    forged = ipad.post("/pupil/worry", data={"key": "f", "reporter": "not-signed"})
    assert forged.status_code == 403
    assert _count(session) == 0


def test_stale_form_never_loses_a_worry(tmp_path: Path, template_db: Path, clock: Clock) -> None:
    app = build_app(tmp_path, template_db, clock)  # CSRF on
    with app.app_context():
        school = make_school(get_session())
        ipad = app.test_client()
        ipad.set_cookie(cookie_name(), school.token)
        start = ipad.get("/class-ipad").data.decode()
        token = start.split('name="csrf_token" value="')[1].split('"')[0]
        ipad.post(f"/class-ipad/pupils/{school.pupil.id}", data={"csrf_token": token})
        page = ipad.get("/pupil/worry").data.decode()
        reporter = page.split('name="reporter" value="')[1].split('"')[0]
        response = ipad.post(
            "/pupil/worry",
            data={"csrf_token": "stale", "key": "k", "what": "unkind", "reporter": reporter},
        )
    assert response.status_code == 400
    body = response.data.decode()
    assert "Please press Send again." in body
    assert 'value="unkind" checked' in body


def test_stale_tile_tap_goes_back_to_the_tiles(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    app = build_app(tmp_path, template_db, clock)
    with app.app_context():
        school = make_school(get_session())
        ipad = app.test_client()
        ipad.set_cookie(cookie_name(), school.token)
        response = ipad.post(f"/class-ipad/pupils/{school.pupil.id}", data={"csrf_token": "x"})
    assert response.status_code == 302
    assert response.location.endswith("/class-ipad")


def test_learning_follows_the_worry(app: Flask, client: FlaskClient, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    ipad.post("/pupil/worry", data={"key": "k", "what": "unkind"})
    incident = session.scalar(select(Incident))
    assert incident is not None
    sign_in(client, school.dsl.username)
    page = client.get(f"/safeguarding/{incident.id}").data.decode()
    assert "Stop, block, tell (fits this worry)" in page
    chosen = {"lesson-pupil_id": str(school.pupil.id), "lesson-lesson_id": "stop-block-tell"}
    no_reason = client.post(f"/safeguarding/{incident.id}/lesson", data=chosen)
    assert no_reason.status_code == 400
    assert "Say why this lesson follows the worry." in no_reason.data.decode()
    before = ipad.get("/pupil/").data.decode()  # nothing changed for the pupil
    assert before.index("/pupil/lessons/feelings") < before.index("/pupil/lessons/stop-block-tell")
    reason = "She did not know she could block the sender"
    response = client.post(
        f"/safeguarding/{incident.id}/lesson", data=chosen | {"lesson-reason": reason}
    )
    assert response.status_code == 302
    chronology = client.get(f"/safeguarding/{incident.id}").data.decode()
    assert f"<strong>Reason:</strong> {reason}" in chronology
    home = ipad.get("/pupil/").data.decode()
    assert home.index("/pupil/lessons/stop-block-tell") < home.index("/pupil/lessons/feelings")
    refused = client.post(
        f"/safeguarding/{incident.id}/lesson",
        data={"lesson-pupil_id": "99999", "lesson-lesson_id": "stop-block-tell"},
    )
    assert refused.status_code == 400
    kinds = [e.kind for e in session.scalars(select(Incident)).one().entries]
    assert "lesson" in kinds


def _next_pupil_on_same_ipad(ipad: FlaskClient, session: Session, school: Any) -> None:
    """The pupil finishes; the next pupil of the class taps their tile on the same iPad."""
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Taylor")
    session.commit()
    assert ipad.post("/pupil/finished").status_code == 302
    assert ipad.post(f"/class-ipad/pupils/{ben.id}").location.endswith("/pupil/")


def test_a_worry_form_rendered_for_one_pupil_is_never_sent_as_the_next(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    page = ipad.get("/pupil/worry").data.decode()
    amiras = page.split('name="reporter" value="')[1].split('"')[0]
    _next_pupil_on_same_ipad(ipad, session, school)
    response = ipad.post(
        "/pupil/worry",
        data={"key": "amira-1", "what": "sad", "words": "Amira's words", "reporter": amiras},
    )
    assert response.status_code == 409
    body = response.data.decode()
    assert "Please start your worry again." in body
    assert "Amira&#39;s words" not in body
    assert "Amira's words" not in body
    assert _count(session) == 0


def test_thank_you_names_the_adult_only_to_the_visit_that_sent_it(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    page = ipad.get("/pupil/worry").data.decode()
    reporter = page.split('name="reporter" value="')[1].split('"')[0]
    sent = ipad.post(
        "/pupil/worry",
        data={"key": "k-2", "talk_to": str(school.teacher.id), "reporter": reporter},
    )
    assert "Ms Lopez will talk to you." in ipad.get(sent.location).data.decode()
    _next_pupil_on_same_ipad(ipad, session, school)
    again = ipad.get(sent.location)
    assert again.status_code == 302
    assert again.location.endswith("/pupil/")


def test_get_on_a_pupil_action_address_shows_the_right_screen_not_405(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    start = ipad.get("/pupil/lessons/feelings-online/start")
    assert start.status_code == 302
    assert start.location.endswith("/pupil/lessons/feelings-online")
    begun = ipad.post("/pupil/lessons/feelings-online/start")
    attempt_id = session.scalars(select(LessonAttempt.id).order_by(LessonAttempt.id.desc())).first()
    assert begun.status_code == 302
    assert attempt_id is not None
    well_done = ipad.get(f"/pupil/lessons/attempts/{attempt_id}/finish")  # reloading "Well done"
    assert well_done.status_code == 302
    assert well_done.location.endswith("/pupil/")
    assert ipad.get("/pupil/finished").location.endswith("/pupil/")
    ipad.post("/pupil/finished")
    assert ipad.get("/pupil/finished").location.endswith("/class-ipad")
    assert ipad.get(f"/class-ipad/pupils/{school.pupil.id}").location.endswith("/class-ipad")


@pytest.mark.parametrize(
    ("back", "offered"),
    [
        ("/pupil/lessons/attempts/7/steps/3", True),
        ("/pupil/", False),  # home: the page's own Home button
        ("https://elsewhere.example/pupil/x", False),
        ("/safeguarding/", False),
        ("/pupil/worry?back=/pupil/", False),
    ],
)
def test_thank_you_offers_the_way_back_to_the_pupils_own_screen_only(
    app: Flask, session: Session, back: str, offered: bool
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    sent = ipad.post("/pupil/worry", data={"key": f"k-{offered}", "what": "sad", "back": back})
    assert sent.status_code == 302
    thanks = ipad.get(sent.location).text
    ways = thanks[thanks.index('class="thanks-ways"') :].split("</p>")[0]
    assert ways.count("<a ") == (2 if offered else 1)  # Back (if offered) and Home, always
    assert (f'href="{back}"' in ways) == (offered or back == "/pupil/")


def test_the_offline_thank_you_offers_each_visits_own_way_back(
    app: Flask, session: Session
) -> None:
    """The flow page keeps a thank-you ready for an iPad that goes offline at Send. It is
    rendered once per worker, so each page must still get its own way back: the screen it was
    opened from (escaped), or none from home."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)

    def offline_ways(back: str) -> str:
        page = ipad.get(f"/pupil/worry?back={back}").text
        kept = page[page.index('<template id="offline-thanks">') :].split("</template>")[0]
        assert "Thank you for telling." in kept
        return kept[kept.index('class="thanks-ways"') :].split("</p>")[0]

    step, other = "/pupil/lessons/attempts/7/steps/3", "/pupil/lessons/attempts/7/steps/4?x=1&y=2"
    assert offline_ways(step).count("<a ") == 2
    assert f'href="{step}"' in offline_ways(step)
    ways = offline_ways(other.replace("&", "%26"))
    assert 'href="/pupil/lessons/attempts/7/steps/4?x=1&amp;y=2"' in ways
    assert step not in ways
    from_home = offline_ways("/pupil/")
    assert from_home.count("<a ") == 1  # Home only


def test_a_worry_post_without_a_token_from_no_pupil_is_a_400_not_a_500(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    """The stale-form recovery is for a pupil's own form; anyone else gets the plain 400."""
    app = build_app(tmp_path, template_db, clock)  # CSRF on
    with app.app_context():
        school = make_school(get_session())
        anonymous = app.test_client().post("/pupil/worry", data={"x": "1"})
        staff = app.test_client()
        sign_in(staff, school.teacher.username)
        as_staff = staff.post("/pupil/worry", data={"key": "k", "what": "unkind"})
    for response in (anonymous, as_staff):
        assert response.status_code == 400
        assert "This form had expired" in response.text
        assert "Content-Security-Policy" in response.headers
