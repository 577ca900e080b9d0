"""Safe by default: no decision pre-made, closed means closed, empty worries first, local time."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pyzipper
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.db import utcnow
from classroom.review.services import academic_year_of, terms_of_year
from classroom.worries import services
from classroom.worries.models import (
    Agency,
    Category,
    Incident,
    IncidentAction,
    IncidentEntry,
    ParentContactDecision,
    Risk,
    Status,
)
from tests.app_settings import base_url, school_today
from tests.conftest import Clock, sign_in
from tests.factories import make_account, make_class, make_pupil
from tests.factories import make_school as make_bare_school
from tests.worry_helpers import School, make_school


def _worry(session: Session, school: School, **choices: object) -> Incident:
    incident = services.raise_worry(
        session,
        school.pupil,
        school.device,
        str(uuid.uuid4()),
        services.WorryChoices(**choices),
        now=utcnow(),
        base_url=base_url(),
    )
    session.commit()
    return incident


def _triaged(session: Session, school: School) -> Incident:
    incident = _worry(session, school, what="unkind")
    services.triage(
        session,
        school.dsl,
        incident,
        services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to her", False, None),
        now=utcnow(),
    )
    session.commit()
    return incident


def _select(page: str, name: str) -> str:
    found = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    assert found is not None, name
    return found.group(0)


# --- Item 1: no decision made by default ------------------------------------------------------


def test_incident_page_starts_every_decision_empty(client: FlaskClient, session: Session) -> None:
    school = make_school(session)
    incident = _worry(session, school, what="unkind")
    services.add_referral(
        session, school.dsl, incident, Agency.POLICE, "", "Threats", now=utcnow(),
        today=school_today(),
    )  # fmt: skip
    session.commit()
    sign_in(client, school.dsl.username)
    page = client.get(f"/safeguarding/{incident.id}").data.decode()
    decisions = (
        "triage-category", "triage-risk", "triage-child_protection", "parent-decision",
        "action-owner_id", "referral-agency", "reply-referral_id", "chase-referral_id",
        "lesson-pupil_id", "lesson-lesson_id",
    )  # fmt: skip
    for name in decisions:
        assert "selected" not in _select(page, name), name
        assert '<option value="">Choose' in _select(page, name), name
    assert "Suggested by what the pupil chose: Cyberbullying" in page


def test_a_staff_concern_category_is_named_as_the_raisers_suggestion(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    data = services.ConcernInput(
        school.pupil.id, "Upset after break", "speech", None, Category.CYBERBULLYING
    )
    incident = services.raise_concern(
        session, school.teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
    )
    session.commit()
    sign_in(client, school.dsl.username)
    page = client.get(f"/safeguarding/{incident.id}").text
    assert "Suggested by whoever raised the concern: Cyberbullying" in page
    assert "what the pupil chose" not in page


def test_parent_contact_without_a_decision_is_refused_not_inform_now(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    incident = _worry(session, school)
    sign_in(client, school.dsl.username)
    response = client.post(
        f"/safeguarding/{incident.id}/parent-contact",
        data={"parent-decision": "", "parent-reason": "Because"},
    )
    assert response.status_code == 400
    assert "Choose a decision about contacting parents and carers." in response.data.decode()
    assert session.scalar(select(func.count()).select_from(ParentContactDecision)) == 0


def test_triage_without_risk_or_category_is_refused(client: FlaskClient, session: Session) -> None:
    school = make_school(session)
    incident = _worry(session, school)
    sign_in(client, school.dsl.username)
    response = client.post(
        f"/safeguarding/{incident.id}/triage",
        data={"triage-category": "", "triage-risk": "", "triage-rationale": "x"},
    )
    page = response.data.decode()
    assert response.status_code == 400
    assert "Choose a risk level." in page
    assert "Choose a category." in page
    assert "Choose whether this is a child-protection concern." in page
    session.expire_all()
    assert incident.risk is None


def test_only_the_safeguarding_team_is_offered_or_accepted_as_owner(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    governor = make_account(session, Role.GOVERNOR, display_name="Mr Governor")
    incident = _worry(session, school)
    sign_in(client, school.dsl.username)
    page = client.get(f"/safeguarding/{incident.id}").data.decode()
    owners = _select(page, "action-owner_id")
    assert "Mr Governor" not in owners
    assert "Ms Lopez" not in owners
    assert "Ms Evans" in owners
    assert "Mrs Shah" in owners
    assert "Mr Governor" not in _select(page, "triage-assignee_id")
    for owner in (governor, school.teacher):
        response = client.post(
            f"/safeguarding/{incident.id}/actions",
            data={
                "action-description": "Check the game",
                "action-reason": "Chat was on",
                "action-owner_id": str(owner.id),
                "action-due_on": (school_today() + timedelta(days=7)).isoformat(),
            },
        )
        assert response.status_code == 400
    assert session.scalar(select(func.count()).select_from(IncidentAction)) == 0


def test_any_pupil_of_the_school_may_be_linked_and_no_other_schools(
    client: FlaskClient, session: Session
) -> None:
    """The "link a pupil" list names every pupil of the incident's school with their class (two
    pupils may share a first name), in name order, and nobody from another school."""
    school = make_school(session)
    elm = make_class(session, name="Elm")  # the same school as Oak
    make_pupil(session, elm, first_name="Amira", last_name="Begum")
    make_pupil(session, elm, first_name="Ben", last_name="Ali")
    elsewhere = make_bare_school(session, name="Other School")
    make_pupil(session, make_class(session, school=elsewhere, name="Ash"), first_name="Zed")
    incident = _worry(session, school)
    sign_in(client, school.dsl.username)
    pupils = _select(client.get(f"/safeguarding/{incident.id}").data.decode(), "link-pupil_id")
    assert re.findall(r"<option [^>]*>([^<]*)</option>", pupils) == [
        "Choose the pupil…", "Amira Begum (Elm)", "Amira Khan (Oak)", "Ben Ali (Elm)",
    ]  # fmt: skip
    assert '<option value="">Choose the pupil…</option>' in pupils  # nobody chosen for the DSL


def test_concern_form_chooses_no_pupil_or_communication(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    page = client.get("/concerns/new").data.decode()
    for name in ("pupil_id", "communication"):
        assert "selected" not in _select(page, name)
        assert '<option value="">Choose' in _select(page, name)
    response = client.post(
        "/concerns/new",
        data={"key": str(uuid.uuid4()), "pupil_id": "", "summary": "Saw it", "communication": ""},
    )
    page = response.data.decode()
    assert response.status_code == 400
    assert "Choose the pupil." in page
    assert "Choose how the pupil communicated it." in page
    assert "data-error-summary" in page
    assert session.scalar(select(func.count()).select_from(Incident)) == 0


def test_a_governor_with_no_pupil_to_choose_is_told_whom_to_tell_not_shown_a_dead_form(
    client: FlaskClient, session: Session
) -> None:
    """Found acting as a governor: the concern form listed no pupil, so it could never be sent."""
    school = make_school(session)
    governor = make_account(session, Role.GOVERNOR)
    session.commit()
    sign_in(client, governor.username)
    page = client.get("/concerns/new").data.decode()
    assert "speak to the Designated Safeguarding Lead or a deputy today" in page
    assert "Send to the safeguarding team" not in page
    teacher = client.application.test_client()
    sign_in(teacher, school.teacher.username)
    assert "Send to the safeguarding team" in teacher.get("/concerns/new").data.decode()


# --- Item 7: closed means closed --------------------------------------------------------------


def _close(client: FlaskClient, incident: Incident, **extra: str) -> int:
    data = {
        "close-outcome": "Resolved",
        "close-lessons_learnt": "Check settings",
        "close-carers": "release",
        "close-carers-reason": "Nothing left to hold back",
        **extra,
    }
    return int(client.post(f"/safeguarding/{incident.id}/close", data=data).status_code)


def test_what_a_colleague_wrote_as_the_record_closed_is_shown_back_not_lost(
    client: FlaskClient, session: Session
) -> None:
    """The deputy writes up what the pupil signed while the DSL closes the record: the note
    is refused, and the closed page shows what she wrote, to copy and add after reopening."""
    school = make_school(session)
    incident = _triaged(session, school)
    session.commit()
    sign_in(client, school.dsl.username)
    assert _close(client, incident) == 302
    base = f"/safeguarding/{incident.id}"
    signed = "Ella signed 'man' and 'phone'\nand pointed to her bag <14:05>"
    note = client.post(base + "/notes", data={"note-text": signed, "note-reason": "TA saw it"})
    assert note.status_code == 400
    page = note.text
    assert "What you wrote was not added" in page
    shown = "Ella signed &#39;man&#39; and &#39;phone&#39;\nand pointed to her bag &lt;14:05&gt;"
    assert f'<dd class="kept-text">{shown}</dd>' in page
    assert "<dt>Reason</dt><dd class=\"kept-text\">TA saw it</dd>" in page
    due = school_today() + timedelta(days=3)
    action = client.post(base + "/actions", data={
        "action-description": "Speak to Ella's mum", "action-reason": "She asked",
        "action-owner_id": str(school.dsl.id), "action-due_on": due.isoformat(),
    }).text  # fmt: skip
    assert "<dt>Owner</dt><dd class=\"kept-text\">" + school.dsl.display_name in action
    assert f"<dt>Due</dt><dd class=\"kept-text\">{due:%d %B %Y}</dd>" in action
    assert "What you wrote was not added" not in client.get(base).text  # on that page only


def test_closed_incident_refuses_every_change_until_reopened(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    incident = _triaged(session, school)
    action = services.add_action(
        session,
        school.dsl,
        incident,
        "Talk to class",
        school.dsl.id,
        school_today() + timedelta(days=30),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    sign_in(client, school.dsl.username)
    assert _close(client, incident, **{f"close-settle-{action.id}": "done"}) == 302
    entries = session.scalar(select(func.count()).select_from(IncidentEntry))
    base = f"/safeguarding/{incident.id}"
    attempts = {
        "/triage": {
            "triage-category": "other",
            "triage-risk": "high",
            "triage-rationale": "x",
            "triage-child_protection": "no",
        },
        "/notes": {"note-text": "late note"},
        "/actions": {
            "action-description": "x",
            "action-reason": "x",
            "action-owner_id": str(school.dsl.id),
            "action-due_on": (school_today() + timedelta(days=7)).isoformat(),
        },
        f"/actions/{action.id}/done": {},
        "/pupils": {
            "link-pupil_id": str(school.pupil.id),
            "link-role": "involved",
            "link-reason": "x",
        },
        "/referrals": {"referral-agency": "police", "referral-reason": "x"},
        "/parent-contact": {"parent-decision": "not_now", "parent-reason": "x"},
        "/close": {"close-outcome": "x", "close-lessons_learnt": "x"},
        "/acknowledge": {},
        "/lesson": {
            "lesson-pupil_id": str(school.pupil.id),
            "lesson-lesson_id": "stop-block-tell",
            "lesson-reason": "x",
        },
    }
    for path, data in attempts.items():
        response = client.post(base + path, data=data)
        assert response.status_code == 400, path
        assert "is closed, so it cannot be changed" in response.data.decode(), path
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(IncidentEntry)) == entries
    page = client.get(base).data.decode()
    assert f'action="/safeguarding/{incident.id}/notes"' not in page
    assert client.post(base + "/reopen", data={"reopen-reason": ""}).status_code == 400
    reopened = client.post(
        base + "/reopen", data={"reopen-reason": "New information", "reopen-carers": "keep"}
    )
    assert reopened.status_code == 302
    session.expire_all()
    assert incident.status == Status.OPEN
    assert incident.entries[-1].kind == "reopened"
    assert incident.entries[-1].reason == "New information"
    assert client.post(base + "/notes", data={"note-text": "now allowed"}).status_code == 302


def test_closing_asks_for_each_open_action_to_be_done_or_carried_over(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    incident = _triaged(session, school)
    first = services.add_action(
        session,
        school.dsl,
        incident,
        "Phone carer",
        school.dsl.id,
        school_today() + timedelta(days=30),
        now=utcnow(),
        today=school_today(),
    )
    second = services.add_action(
        session,
        school.dsl,
        incident,
        "Review in a month",
        school.deputy.id,
        school_today() + timedelta(days=30),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    sign_in(client, school.dsl.username)
    response = client.post(
        f"/safeguarding/{incident.id}/close",
        data={"close-outcome": "Resolved", "close-lessons_learnt": "Settings"},
    )
    assert response.status_code == 400
    assert "\u201cPhone carer\u201d is still open" in response.data.decode()
    without_reason = {f"close-settle-{first.id}": "done", f"close-settle-{second.id}": "carry"}
    assert _close(client, incident, **without_reason) == 400
    session.expire_all()
    assert incident.status == Status.OPEN
    assert first.done_at is None
    with_reason = without_reason | {f"close-carry-{second.id}": "Termly review with the head"}
    closed = client.post(
        f"/safeguarding/{incident.id}/close",
        data={
            "close-outcome": "Resolved",
            "close-lessons_learnt": "Settings",
            "close-carers": "keep",
            "close-carers-reason": "Police still enquiring",
            **with_reason,
        },
    )
    assert closed.status_code == 302
    assert closed.location.endswith("#reopen")  # the page opens where the change shows
    session.expire_all()
    assert incident.status == Status.CLOSED
    assert first.done_at is not None
    assert second.carry_reason == "Termly review with the head"
    assert second.done_at is None
    kinds = [e.kind for e in incident.entries]
    assert "action_carried" in kinds
    assert kinds[-1] == "closed"


# --- Item 8: an empty worry ----------------------------------------------------------------


def test_empty_worry_is_titled_to_speak_to_the_pupil_and_sorts_first(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    empty = _worry(session, school)
    later = _worry(session, school, what="unkind")
    assert empty.summary == "Worry button pressed, nothing chosen \u2014 speak to the pupil"
    assert later.summary != empty.summary
    sign_in(client, school.dsl.username)
    page = client.get("/safeguarding/").data.decode()
    assert page.index(empty.reference) < page.index(later.reference)
    detail = client.get(f"/safeguarding/{empty.id}").data.decode()
    assert "Worry button pressed, nothing chosen" in detail


# --- Item 4: the school's clock ----------------------------------------------------------------


def test_incident_times_are_shown_on_the_schools_clock(
    client: FlaskClient, session: Session, clock: Clock
) -> None:
    clock.set(datetime(2026, 6, 10, 13, 5, tzinfo=UTC))  # 14:05 in London (summer time)
    school = make_school(session)
    incident = _worry(session, school, what="unkind")
    sign_in(client, school.dsl.username)
    page = client.get(f"/safeguarding/{incident.id}").data.decode()
    assert "Wed 10 Jun 2026, 14:05 BST" in page
    assert "13:05" not in page
    queue = client.get("/safeguarding/").data.decode()
    assert "10 Jun 14:05" in queue


# --- Item 11: the governors' review offers the terms of the year it names ----------------------


def test_review_of_2026_27_offers_its_own_terms(
    client: FlaskClient, session: Session, clock: Clock
) -> None:
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    year = academic_year_of(date(2026, 11, 30))
    labels = [t.label for t in terms_of_year(year)]
    assert labels == ["Autumn term 2026", "Spring term 2027", "Summer term 2027"]
    governor = make_account(session, Role.GOVERNOR)
    session.commit()
    sign_in(client, governor.username)
    page = client.get("/safeguarding/review/").data.decode()
    assert "Incident review: 2026/27" in page
    assert "Spring term 2027" in page
    assert "Spring term 2026" not in page
    spring = client.get("/safeguarding/review/?term=2027-02-01").data.decode()
    assert "Autumn term 2026" in spring
    assert "Summer term 2027" in spring


def test_incident_log_export_uses_the_schools_clock(
    client: FlaskClient, session: Session, clock: Clock
) -> None:
    clock.set(datetime(2026, 6, 10, 13, 5, tzinfo=UTC))
    school = make_school(session)
    _worry(session, school, what="unkind")
    sign_in(client, school.dsl.username)
    passphrase = "long enough passphrase"
    response = client.post(
        "/safeguarding/review/export", data={"passphrase": passphrase, "confirm": passphrase}
    )
    archive = pyzipper.AESZipFile(io.BytesIO(response.data))
    archive.setpassword(passphrase.encode())
    text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][rows[0].index("received")] == "2026-06-10 14:05 BST"
    assert "2026-06-10 14:05 BST raised" in rows[1][rows[0].index("chronology")]


def test_linking_a_pupil_asks_why_and_the_chronology_keeps_it(
    client: FlaskClient, session: Session
) -> None:
    """Linking a pupil holds their carers back with the record's decision: a decision like
    the others, with its reason in the chronology."""
    school = make_school(session)
    incident = _triaged(session, school)
    chloe = make_pupil(session, school.oak, first_name="Chloe", last_name="Wright")
    session.commit()
    sign_in(client, school.dsl.username)
    url = f"/safeguarding/{incident.id}/pupils"
    link = {"link-pupil_id": str(chloe.id), "link-role": "involved"}
    refused = client.post(url, data=link)
    assert refused.status_code == 400
    assert "Say why this pupil is linked." in refused.text
    assert len(incident.pupils) == 1
    why = "Sent the messages from her own phone, Amira says"
    assert client.post(url, data={**link, "link-reason": why}).status_code == 302
    page = client.get(f"/safeguarding/{incident.id}").text
    assert "Chloe Wright linked: involved" in page
    assert f"<strong>Reason:</strong> {why}" in page
