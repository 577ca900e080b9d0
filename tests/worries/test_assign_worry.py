"""Who holds a worry is changed on its own, from the record's "Assigned to" box (its holder
left, or the DSL hands it to the deputy), with why: the triage is not recorded again, and the
chronology and the audit keep who it went to, from whom and why."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.worries import services
from classroom.worries.models import Category, Incident, IncidentEntry, Risk, Source, Status
from classroom.worries.transfer import ENTRY_WORDS
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_school

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
WHY = "Mr Bell has left the school"
BOX = "assign-assignee_id"


@dataclass
class School:
    dsl: Account
    deputy: Account
    head: Account
    teacher: Account
    incident: Incident


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    """An open worry triaged by Mr Bell (the DSL) and assigned to him."""
    clock.set(SCHOOL_HOURS)
    dsl = make_account(session, Role.DSL, display_name="Mr Bell")
    deputy = make_account(session, Role.DEPUTY_DSL, display_name="Mrs Okafor")
    head = make_account(session, Role.HEADTEACHER, display_name="Mrs Shah")
    teacher = make_account(session, Role.TEACHER, display_name="Ms Lopez")
    incident = Incident(
        school_id=dsl.school_id,
        idempotency_key=str(uuid.uuid4()),
        source=Source.STAFF,
        status=Status.OPEN,
        created_at=SCHOOL_HOURS,
        summary="A worry",
    )
    session.add(incident)
    session.flush()
    triage = services.Triage(Category.WELLBEING, Risk.MEDIUM, "Repeated", False, dsl.id)
    services.triage(session, dsl, incident, triage, now=SCHOOL_HOURS)
    session.commit()
    return School(dsl, deputy, head, teacher, incident)


def _assign(client: FlaskClient, school: School, who: object, why: str = WHY) -> object:
    data = {"assign-assignee_id": str(who), "assign-reason": why}
    return client.post(f"/safeguarding/{school.incident.id}/assignee", data=data)


def _text(response: object) -> str:
    return html.unescape(" ".join(response.text.split()))  # type: ignore[attr-defined]


def _holder(session: Session, school: School) -> int | None:
    session.expire_all()
    return session.get(Incident, school.incident.id).assignee_id  # type: ignore[union-attr]


def _entries(session: Session, kind: str) -> list[IncidentEntry]:
    return list(session.scalars(select(IncidentEntry).where(IncidentEntry.kind == kind)))


def _audits(session: Session) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "incident.reassigned")
    return list(session.scalars(query))


def _options(page: str) -> list[tuple[str, str]]:
    found = re.search(rf'<select[^>]*id="{BOX}".*?</select>', page, re.S)
    assert found is not None
    return re.findall(r"<option([^>]*)>([^<]*)</option>", found.group())


def test_a_worry_goes_to_someone_else_with_why_and_no_new_triage(
    app: Flask, session: Session, school: School
) -> None:
    deputy = client_for(app, school.deputy)
    response = _assign(deputy, school, school.head.id)
    assert response.status_code == 302  # type: ignore[attr-defined]
    location = response.location  # type: ignore[attr-defined]
    assert location.endswith(f"?assigned={school.head.id}#assigned")  # its own section
    assert _holder(session, school) == school.head.id
    (entry,) = _entries(session, "assigned")
    assert entry.text == "Assigned to Mrs Shah (was Mr Bell)"
    assert entry.reason == WHY
    assert entry.author_id == school.deputy.id
    assert len(_entries(session, "triage")) == 1  # the triage is not recorded again
    incident = session.get(Incident, school.incident.id)
    assert incident is not None
    assert (incident.risk, incident.risk_rationale) == (Risk.MEDIUM, "Repeated")
    (audit,) = _audits(session)
    assert (audit.actor_id, audit.object_id) == (school.deputy.id, school.incident.id)
    page = deputy.get(location).text
    said = re.search(r'<section class="card" id="assigned".*?</section>', page, re.S)
    assert said is not None  # said in the section the page opens at
    assert '<p class="saved-note" role="status">Saved: assigned to Mrs Shah.</p>' in said.group()
    assert "Now: <strong>Mrs Shah</strong>" in said.group()
    text = _text(deputy.get(f"/safeguarding/{school.incident.id}"))
    kept = '<p>Assigned to Mrs Shah (was Mr Bell)</p><p class="reason"><strong>Why:</strong> '
    assert kept + WHY in text  # the chronology
    assert "Saved: assigned" not in text  # only straight after the change


def test_the_saved_note_is_not_shown_once_someone_else_holds_it(
    app: Flask, school: School
) -> None:
    page = client_for(app, school.deputy).get(
        f"/safeguarding/{school.incident.id}?assigned={school.head.id}"
    )
    assert "Saved: assigned" not in page.text  # Mr Bell holds it: the link is out of date


def test_a_worry_nobody_holds_says_so(app: Flask, session: Session, school: School) -> None:
    school.incident.assignee_id = None
    session.commit()
    _assign(client_for(app, school.dsl), school, school.deputy.id)
    (entry,) = _entries(session, "assigned")
    assert entry.text == "Assigned to Mrs Okafor (was not assigned)"


@pytest.mark.parametrize(
    "who", ["nobody", "same", "teacher", "other school", "deactivated", "forged"]
)
def test_a_wrong_choice_is_refused_by_its_box_and_nothing_changes(
    app: Flask, session: Session, school: School, who: str
) -> None:
    other = make_account(session, Role.DSL, school=make_school(session, name="Other"))
    gone = make_account(session, Role.DEPUTY_DSL, display_name="Mr Gone")
    gone.active = False
    session.commit()
    chosen = {
        "nobody": "",
        "same": school.dsl.id,
        "teacher": school.teacher.id,
        "other school": other.id,
        "deactivated": gone.id,
        "forged": "x'1",
    }[who]
    response = _assign(client_for(app, school.deputy), school, chosen)
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert f'id="{BOX}-error"' in page  # the message is by its box...
    assert f'<a href="#{BOX}">Who takes it on: ' in page  # ...and the summary links to it
    expected = (
        "Choose who takes it on."
        if who == "nobody"
        else "Choose someone on this school's safeguarding team who does not hold it now."
    )
    assert expected in _text(response)
    assert "Not a valid choice" not in page
    assert _holder(session, school) == school.dsl.id
    assert _entries(session, "assigned") == []
    assert _audits(session) == []


def test_who_holds_it_now_is_told_so(app: Flask, session: Session, school: School) -> None:
    """A form from the page (with its key) sent for who holds it now: said in words."""
    data = {"assign-assignee_id": str(school.dsl.id), "assign-reason": WHY, "assign-once": "k2"}
    deputy = client_for(app, school.deputy)
    response = deputy.post(f"/safeguarding/{school.incident.id}/assignee", data=data)
    assert response.status_code == 400
    assert f'id="{BOX}-error"' in response.text
    assert "Mr Bell holds it already: choose someone else to take it on." in _text(response)
    assert "Mr Bell" not in " ".join(label for _, label in _options(response.text))
    assert _entries(session, "assigned") == []


def test_why_is_needed(app: Flask, session: Session, school: School) -> None:
    response = _assign(client_for(app, school.deputy), school, school.head.id, why=" ")
    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.text  # type: ignore[attr-defined]
    assert 'id="assign-reason-error"' in page
    assert '<a href="#assign-reason">Why: Say why it goes to them.</a>' in page
    assert _holder(session, school) == school.dsl.id


def test_a_closed_worry_is_refused(app: Flask, session: Session, school: School) -> None:
    school.incident.status = Status.CLOSED
    session.commit()
    response = _assign(client_for(app, school.deputy), school, school.head.id)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "is closed, so it cannot be changed" in _text(response)
    assert _holder(session, school) == school.dsl.id
    assert _entries(session, "assigned") == []
    page = client_for(app, school.deputy).get(f"/safeguarding/{school.incident.id}").text
    assert 'id="assigned"' not in page  # a closed record draws no form to change it


def test_only_the_team_may_reassign(app: Flask, session: Session, school: School) -> None:
    response = _assign(client_for(app, school.teacher), school, school.head.id)
    assert response.status_code in (403, 404)  # type: ignore[attr-defined]
    assert _holder(session, school) == school.dsl.id


def test_the_form_needs_its_csrf_token(app: Flask, session: Session, school: School) -> None:
    deputy = client_for(app, school.deputy)
    app.config["WTF_CSRF_ENABLED"] = True
    response = _assign(deputy, school, school.head.id)
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert _holder(session, school) == school.dsl.id


def test_the_box_starts_on_nobody_and_leaves_out_who_holds_it(
    app: Flask, session: Session, school: School
) -> None:
    gone = make_account(session, Role.DEPUTY_DSL, display_name="Mr Gone")
    gone.active = False
    session.commit()
    page = client_for(app, school.deputy).get(f"/safeguarding/{school.incident.id}").text
    options = _options(page)
    assert options[0] == (' value=""', "Choose who takes this on\u2026")
    assert all("selected" not in attrs for attrs, _ in options)
    names = " ".join(label for _, label in options)
    assert "Mrs Shah" in names
    assert "Mrs Okafor" in names
    assert "Mr Bell" not in names  # who holds it now
    assert "Ms Lopez" not in names  # not on the team
    assert "Mr Gone" not in names  # deactivated
    assert 'id="assign-reason"' in page


def test_a_deactivated_holder_is_named_by_the_box(
    app: Flask, session: Session, school: School
) -> None:
    school.dsl.active = False
    session.commit()
    page = _text(client_for(app, school.deputy).get(f"/safeguarding/{school.incident.id}"))
    hint = f'<p class="hint" id="{BOX}-hint">Mr Bell\'s account is deactivated: choose who'
    assert hint in page


def test_the_same_form_sent_twice_gives_it_once(
    app: Flask, session: Session, school: School
) -> None:
    deputy = client_for(app, school.deputy)
    data = {"assign-assignee_id": str(school.head.id), "assign-reason": WHY, "assign-once": "k1"}
    url = f"/safeguarding/{school.incident.id}/assignee"
    assert "notice=twice" not in deputy.post(url, data=data).location
    assert "notice=twice" in deputy.post(url, data=data).location  # told, not refused
    assert len(_entries(session, "assigned")) == 1


def test_the_file_page_says_what_kind_of_entry_it_is() -> None:
    assert ENTRY_WORDS["assigned"] == ("a change of who holds it", "changes of who holds it")


def _seen(page: str, form: str = "triage") -> str:
    found = re.search(rf'name="{form}-seen"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="{form}-seen"',
                      page)  # fmt: skip
    assert found is not None
    return found.group(1) or found.group(2)


def _triage(client: FlaskClient, school: School, seen: str, holder: Account) -> object:
    return client.post(
        f"/safeguarding/{school.incident.id}/triage",
        data={
            "triage-category": Category.WELLBEING.value,
            "triage-risk": "high",
            "triage-rationale": "It happened again",
            "triage-child_protection": "no",
            "triage-assignee_id": str(holder.id),
            "triage-seen": seen,
        },
    )


def test_a_triage_saved_on_a_page_drawn_before_a_reassignment_does_not_give_it_back(
    app: Flask, session: Session, school: School
) -> None:
    """The DSL had the record open; the deputy gave the worry to the head. The DSL's triage,
    saved from the older page, would put back the holder that page showed."""
    dsl = client_for(app, school.dsl)
    stale = _seen(dsl.get(f"/safeguarding/{school.incident.id}").text)
    given = _assign(client_for(app, school.deputy), school, school.head.id)
    assert given.status_code == 302  # type: ignore[attr-defined]
    response = _triage(dsl, school, stale, school.dsl)
    assert response.status_code == 400  # type: ignore[attr-defined]
    said = _text(response)
    assert "Since you opened this page, Mrs Okafor recorded: Assigned to Mrs Shah" in said
    assert 'It is shown under "Assigned to"' in said
    assert _holder(session, school) == school.head.id
    assert len(_entries(session, "triage")) == 1
    # Drawn again, the page is made on the change: the same triage now saves.
    fresh = _seen(response.text)  # type: ignore[attr-defined]
    assert _triage(dsl, school, fresh, school.head).status_code == 302  # type: ignore[attr-defined]
    assert len(_entries(session, "triage")) == 2


def test_a_reassignment_on_a_page_drawn_before_another_is_refused(
    app: Flask, session: Session, school: School
) -> None:
    """Two of the team hand the same worry on at once: the second, from a page drawn before the
    first's change, is told of it rather than laid over it."""
    dsl = client_for(app, school.dsl)
    stale = _seen(dsl.get(f"/safeguarding/{school.incident.id}").text, "assign")
    given = _assign(client_for(app, school.deputy), school, school.head.id)
    assert given.status_code == 302  # type: ignore[attr-defined]
    response = dsl.post(
        f"/safeguarding/{school.incident.id}/assignee",
        data={"assign-assignee_id": str(school.deputy.id), "assign-reason": WHY,
              "assign-seen": stale},
    )  # fmt: skip
    assert response.status_code == 400
    said = _text(response)
    assert "Since you opened this page, Mrs Okafor recorded: Assigned to Mrs Shah" in said
    assert _holder(session, school) == school.head.id
    assert len(_entries(session, "assigned")) == 1
    # A triage since the page was drawn refuses it too (it may have changed the holder).
    stale = _seen(dsl.get(f"/safeguarding/{school.incident.id}").text, "assign")
    fresh = _seen(dsl.get(f"/safeguarding/{school.incident.id}").text)
    assert _triage(dsl, school, fresh, school.head).status_code == 302  # type: ignore[attr-defined]
    again = dsl.post(
        f"/safeguarding/{school.incident.id}/assignee",
        data={"assign-assignee_id": str(school.deputy.id), "assign-reason": WHY,
              "assign-seen": stale},
    )  # fmt: skip
    assert again.status_code == 400
    assert _holder(session, school) == school.head.id


def test_handing_on_a_worry_nobody_had_acknowledged_acknowledges_it(
    app: Flask, session: Session, school: School, clock: Clock
) -> None:
    """A new worry (not yet acknowledged) handed to Mrs Okafor by Mr Bell: he has acted on
    it, as a triage would, so it is acknowledged by him (the team is not re-alerted that it
    waits, and the time to acknowledge is his)."""
    waiting = Incident(
        school_id=school.dsl.school_id,
        idempotency_key=str(uuid.uuid4()),
        source=Source.STAFF,
        status=Status.NEW,
        created_at=SCHOOL_HOURS,
        summary="Another worry",
    )
    session.add(waiting)
    session.commit()
    clock.set(SCHOOL_HOURS + timedelta(minutes=5))
    data = {"assign-assignee_id": str(school.deputy.id), "assign-reason": "She knows the family"}
    response = client_for(app, school.dsl).post(f"/safeguarding/{waiting.id}/assignee", data=data)
    assert response.status_code == 302
    session.expire_all()
    handed = session.get_one(Incident, waiting.id)
    assert handed.status == Status.OPEN
    assert handed.acknowledged_by_id == school.dsl.id
    assert handed.acknowledged_at == SCHOOL_HOURS + timedelta(minutes=5)
    kinds = [e.kind for e in sorted(handed.entries, key=lambda e: e.id)]
    assert kinds == ["acknowledged", "assigned"]
    later = SCHOOL_HOURS + timedelta(hours=2)
    sent = services.send_reminders(session, now=later, ack_minutes=30, base_url="https://s.example")
    assert sent == 0  # nobody is re-alerted that it waits
