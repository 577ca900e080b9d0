"""A member of the safeguarding team deactivated with open work: the rest of the team get an
in-app alert (not only an email: some have no address, or read none) naming them and counting
what they left, which links to the queue filtered to their work. Only the team of that school
sees it; the admin who deactivated them never does (they may not read child-protection
records)."""

from __future__ import annotations

import html
import sqlite3
import uuid
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.admin.models import AccountChangeRequest
from classroom.audit.models import AuditEvent
from classroom.migrate import alembic_config, upgrade
from classroom.pupils.models import Pupil
from classroom.worries.models import (
    Incident,
    IncidentAction,
    IncidentPupil,
    PupilRole,
    Source,
    StaffAlert,
    Status,
)
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_class, make_pupil, make_school

SCHOOL_HOURS = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
SECRET = "Zebedee told me about the man in the park"
SAID = "Mr Bell's account was deactivated; they had 2 open worries and 1 open action to reassign"


@dataclass
class School:
    admin: Account
    head: Account
    dsl: Account
    deputy: Account
    teacher: Account
    pupil: Pupil
    worries: list[Incident]


def _worry(session: Session, school: School, **values: object) -> Incident:
    given = {"status": Status.OPEN, "created_at": SCHOOL_HOURS, "summary": SECRET, **values}
    incident = Incident(
        school_id=school.dsl.school_id,
        idempotency_key=str(uuid.uuid4()),
        source=Source.STAFF,
        **given,
    )
    session.add(incident)
    session.flush()
    session.add(
        IncidentPupil(incident_id=incident.id, pupil_id=school.pupil.id, role=PupilRole.AFFECTED)
    )
    school.worries.append(incident)
    return incident


def _action(session: Session, incident: Incident, owner: Account, what: str, done: bool) -> None:
    session.add(
        IncidentAction(
            incident_id=incident.id,
            description=what,
            owner_id=owner.id,
            due_on=date(2027, 1, 14),
            created_at=SCHOOL_HOURS,
            created_by_id=owner.id,
            done_at=SCHOOL_HOURS if done else None,
        )
    )


@pytest.fixture
def school(session: Session, clock: Clock) -> School:
    """Mr Bell (the DSL) holds two open worries and one open action; besides them a closed worry
    and a done action, nobody's work any more. The deputy has no email address."""
    clock.set(SCHOOL_HOURS)
    found = School(
        make_account(session, Role.ADMIN, display_name="Mrs Office"),
        make_account(session, Role.HEADTEACHER, display_name="Mrs Shah"),
        make_account(session, Role.DSL, display_name="Mr Bell"),
        make_account(session, Role.DEPUTY_DSL, display_name="Mrs Okafor", email=None),
        make_account(session, Role.TEACHER, display_name="Ms Lopez"),
        make_pupil(session, make_class(session), first_name="Zebedee", last_name="Quartz"),
        [],
    )
    dsl = found.dsl
    _worry(session, found, status=Status.NEW, assignee_id=dsl.id)
    opened = _worry(session, found, assignee_id=dsl.id)
    closed = _worry(session, found, status=Status.CLOSED, assignee_id=dsl.id)
    _worry(session, found, assignee_id=found.deputy.id)  # the deputy's own: not Mr Bell's
    _action(session, opened, dsl, "Ring the social worker back", done=False)
    _action(session, opened, dsl, "Write up the call", done=True)
    _action(session, closed, dsl, "File the letter", done=True)
    session.commit()
    return found


def _deactivate(app: Flask, school: School) -> None:
    office = client_for(app, school.admin)
    response = office.post(f"/admin/accounts/{school.dsl.id}/active", data={"active": "0"})
    assert response.status_code == 302


def _text(response: object) -> str:
    return html.unescape(" ".join(response.text.split()))  # type: ignore[attr-defined]


def test_the_rest_of_the_team_get_an_in_app_alert_even_without_email(
    app: Flask, session: Session, school: School
) -> None:
    _deactivate(app, school)
    for member in (school.deputy, school.head):  # the deputy has no email address
        page = _text(client_for(app, member).get("/alerts/"))
        assert SAID in page
        assert f'href="/safeguarding/held-by/{school.dsl.id}"' in page
        assert "Mark seen" in page
    session.expire_all()
    alerted = session.scalars(select(StaffAlert.account_id).where(StaffAlert.incident_id.is_(None)))
    assert sorted(alerted) == sorted([school.deputy.id, school.head.id])  # not Mr Bell himself


def test_the_admin_is_told_to_pass_it_on_when_nobody_left_on_the_team_has_email(
    app: Flask, session: Session, school: School
) -> None:
    """The team are alerted in the app, but with no email address among them the admin is asked
    to tell the DSL or headteacher too: "emailed" would not be true."""
    school.head.email = None
    session.commit()
    office = client_for(app, school.admin)
    response = office.post(f"/admin/accounts/{school.dsl.id}/active", data={"active": "0"})
    done = _text(office.get(response.location))
    assert "The rest of the safeguarding team has an alert in the app to reassign them;" in done
    assert "none of them has an email address, so tell the DSL or headteacher too." in done
    assert "emailed" not in done
    assert SAID in _text(client_for(app, school.head).get("/alerts/"))


def test_the_alert_is_written_in_the_deactivations_one_commit(app: Flask, school: School) -> None:
    """Deactivated without the alert, or alerted without the deactivation, is never on disk."""
    seen: list[str] = []
    engine = app.extensions["db_engine"]

    def run(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.startswith(("INSERT INTO staff_alerts", "UPDATE accounts SET active")):
            seen.append(statement.split(" (")[0].split(" SET")[0])

    def commit(_conn: object) -> None:
        seen.append("COMMIT")

    office = client_for(app, school.admin)  # signing in commits: before the count
    event.listen(engine, "before_cursor_execute", run)
    event.listen(engine, "commit", commit)
    try:
        office.post(f"/admin/accounts/{school.dsl.id}/active", data={"active": "0"})
    finally:
        event.remove(engine, "before_cursor_execute", run)
        event.remove(engine, "commit", commit)
    # (a COMMIT before the change may come from signing the request's session in)
    change = seen[seen.index("UPDATE accounts") :]
    assert change[-1] == "COMMIT"
    assert change.count("COMMIT") == 1
    assert "INSERT INTO staff_alerts" in change


def test_no_alert_when_nothing_was_left(app: Flask, session: Session, school: School) -> None:
    office = client_for(app, school.admin)
    assert office.post(f"/admin/accounts/{school.teacher.id}/active", data={"active": "0"})
    session.expire_all()
    assert session.scalars(select(StaffAlert)).all() == []


def test_the_link_lists_their_open_worries_and_actions_and_is_audited(
    app: Flask, session: Session, school: School
) -> None:
    _deactivate(app, school)
    new, opened, closed, deputys = school.worries
    page = _text(client_for(app, school.deputy).get(f"/safeguarding/held-by/{school.dsl.id}"))
    assert "Work held by Mr Bell" in page
    assert new.reference in page
    assert opened.reference in page
    assert "Ring the social worker back" in page
    for gone in (closed.reference, deputys.reference, "Write up the call", "File the letter"):
        assert gone not in page
    session.expire_all()
    entry = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "incidents.queue_viewed")
    ).one()
    assert (entry.actor_id, entry.object_id) == (school.deputy.id, school.dsl.id)
    assert entry.summary == f"held by account #{school.dsl.id}: 2 open, 1 actions shown"


def test_the_admin_and_a_teacher_see_neither_the_alert_nor_the_list(
    app: Flask, session: Session, school: School
) -> None:
    _deactivate(app, school)
    for outsider in (school.admin, school.teacher):
        browser = client_for(app, outsider)
        alerts = _text(browser.get("/alerts/"))
        assert "Alerts" in alerts
        assert "Mr Bell's account" not in alerts
        assert browser.get(f"/safeguarding/held-by/{school.dsl.id}").status_code in (403, 404)
        held = session.scalar(select(StaffAlert.id).where(StaffAlert.account_id == school.head.id))
        assert browser.post(f"/alerts/{held}/seen").status_code in (403, 404)


def test_another_schools_team_cannot_look_at_this_schools_staff(
    app: Flask, session: Session, school: School
) -> None:
    _deactivate(app, school)
    elsewhere = make_school(session, name="Other School")
    their_dsl = make_account(session, Role.DSL, school=elsewhere, display_name="Ms Far")
    session.commit()
    theirs = client_for(app, their_dsl)
    assert theirs.get(f"/safeguarding/held-by/{school.dsl.id}").status_code == 404
    assert "Mr Bell" not in theirs.get("/alerts/").text


def test_one_who_has_left_the_team_no_longer_sees_it(
    app: Flask, session: Session, school: School
) -> None:
    _deactivate(app, school)
    deputy = session.get_one(Account, school.deputy.id)
    deputy.role = Role.TEACHER
    session.commit()
    page = _text(client_for(app, deputy).get("/alerts/"))
    assert "Alerts" in page
    assert "Mr Bell's account" not in page


def test_marking_it_seen_is_a_post(app: Flask, session: Session, school: School) -> None:
    _deactivate(app, school)
    alert_id = session.scalar(select(StaffAlert.id).where(StaffAlert.account_id == school.head.id))
    head = client_for(app, school.head)
    assert head.get(f"/alerts/{alert_id}/seen").status_code == 405
    assert head.post(f"/alerts/{alert_id}/seen").status_code == 302
    page = _text(head.get("/alerts/"))
    assert SAID in page
    assert "(seen " in page
    session.expire_all()
    seen = session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "alert.seen"))
    assert seen == f"alert #{alert_id}"


def test_the_migration_keeps_old_alerts_and_its_downgrade_drops_the_new_kind(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.sqlite3"
    url, at = f"sqlite:///{path}", "2026-11-01 10:00:00+00:00"
    upgrade(url, "cp_file_transfer_corrections")
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO schools (id, name, created_at) VALUES (1, 'A school', ?)", (at,))
        db.execute(
            "INSERT INTO accounts (id, school_id, username, display_name, role, password_hash, "
            "password_changed_at, must_change_password, active, created_at) "
            "VALUES (7, 1, 'dsl', 'Ms Dsl', 'dsl', 'x', ?, 0, 1, ?)",
            (at, at),
        )
        db.execute(
            "INSERT INTO incidents (id, school_id, idempotency_key, source, status, summary, "
            "child_protection, realerts_sent, created_at) "
            "VALUES (3, 1, 'k', 'staff', 'new', 's', 0, 0, ?)",
            (at,),
        )
        db.execute(
            "INSERT INTO staff_alerts (account_id, incident_id, kind, created_at) "
            "VALUES (7, 3, 'new', ?)",
            (at,),
        )
    upgrade(url)
    with closing(sqlite3.connect(path)) as db, db:
        db.execute(
            "INSERT INTO staff_alerts (account_id, incident_id, kind, created_at, about_id, note) "
            "VALUES (7, NULL, 'work_left', ?, 7, 'Ms Dsl left work')",
            (at,),
        )
        kept = db.execute("SELECT incident_id, kind, note FROM staff_alerts").fetchall()
    assert kept == [(3, "new", ""), (None, "work_left", "Ms Dsl left work")]
    command.downgrade(alembic_config(url), "cp_file_transfer_corrections")
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT incident_id, kind FROM staff_alerts").fetchall() == [(3, "new")]


def test_each_worry_they_held_is_one_link_from_the_box_that_reassigns_it(
    app: Flask, school: School
) -> None:
    """The list is not a dead end: each row opens its record at "Assigned to", which says the
    holder has gone (the box cannot show them, so "Not assigned yet" is not read as the truth)."""
    _deactivate(app, school)
    deputy = client_for(app, school.deputy)
    page = _text(deputy.get(f"/safeguarding/held-by/{school.dsl.id}"))
    new, opened, _closed, _deputys = school.worries
    for held in (new, opened):
        assert f'href="/safeguarding/{held.id}#assign-assignee_id"' in page
        assert f'Reassign<span class="visually-hidden"> {held.reference}</span>' in page
    record = _text(deputy.get(f"/safeguarding/{opened.id}"))
    assert "Mr Bell's account is deactivated: choose who takes this on." in record


# --- Marking the alert seen from the page it links to -----------------------------------------

ALERTED = "You were alerted about this on 12 Jan 2027."


def _alert_of(session: Session, member: Account) -> int:
    found = session.scalar(select(StaffAlert.id).where(StaffAlert.account_id == member.id))
    assert found is not None
    return found


def _alerts_of(session: Session, member: Account) -> list[int]:
    """A team member's alerts, newest first (the order the held page offers them in)."""
    query = select(StaffAlert.id).where(StaffAlert.account_id == member.id)
    return list(session.scalars(query.order_by(StaffAlert.id.desc())))


def _not_seen(client: object) -> int:
    """How many alerts the Alerts page still shows as not seen."""
    page = client.get("/alerts/")  # type: ignore[attr-defined]
    return _text(page).count("<strong>Not seen</strong>")


def test_the_held_page_offers_only_the_viewers_own_unseen_alert(
    app: Flask, session: Session, school: School
) -> None:
    _deactivate(app, school)
    held_by = f"/safeguarding/held-by/{school.dsl.id}"
    mine, heads = _alert_of(session, school.deputy), _alert_of(session, school.head)
    page = _text(client_for(app, school.deputy).get(held_by))
    assert ALERTED in page
    assert f'action="/alerts/{mine}/seen"' in page
    assert f'name="next" value="{held_by}"' in page
    assert "Mark the alert seen" in page
    assert f"/alerts/{heads}/seen" not in page  # never another person's alert
    assert "All of their work has been reassigned." not in page  # two worries are still open
    # A colleague joining the team afterwards had no alert: nothing to mark.
    newcomer = make_account(session, Role.DEPUTY_DSL, display_name="Mr New")
    # An alert about someone else is not offered on Mr Bell's page.
    session.add(
        StaffAlert(
            account_id=newcomer.id,
            kind="work_left",
            about_id=school.deputy.id,
            note="Mrs Okafor left work",
            created_at=SCHOOL_HOURS,
        )
    )
    session.commit()
    page = _text(client_for(app, newcomer).get(held_by))
    assert "Work held by Mr Bell" in page
    assert "You were alerted" not in page
    assert "Mark the alert seen" not in page


def test_pressing_it_marks_it_seen_and_comes_back_to_the_page(
    app: Flask, session: Session, school: School
) -> None:
    _deactivate(app, school)
    held_by = f"/safeguarding/held-by/{school.dsl.id}"
    alert_id = _alert_of(session, school.deputy)
    deputy = client_for(app, school.deputy)
    assert _not_seen(deputy) == 1
    response = deputy.post(f"/alerts/{alert_id}/seen", data={"next": held_by})
    assert response.status_code == 302
    assert response.location == held_by
    page = _text(deputy.get(response.location))
    assert "Work held by Mr Bell" in page
    assert "You were alerted" not in page  # seen: no longer offered
    assert _not_seen(deputy) == 0
    assert "(seen " in _text(deputy.get("/alerts/"))
    session.expire_all()
    audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.seen")).all()
    assert [(a.actor_id, a.summary) for a in audited] == [(school.deputy.id, f"alert #{alert_id}")]
    # The head's alert about him is theirs, still not seen.
    assert _not_seen(client_for(app, school.head)) == 1


def test_opening_the_page_marks_nothing(app: Flask, session: Session, school: School) -> None:
    _deactivate(app, school)
    alert_id = _alert_of(session, school.deputy)
    deputy = client_for(app, school.deputy)
    engine = app.extensions["db_engine"]
    writes: list[str] = []

    def run(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if statement.lstrip().upper().startswith(("UPDATE", "DELETE")):
            writes.append(statement)

    event.listen(engine, "before_cursor_execute", run)
    try:
        for _ in range(2):
            assert ALERTED in _text(deputy.get(f"/safeguarding/held-by/{school.dsl.id}"))
    finally:
        event.remove(engine, "before_cursor_execute", run)
    assert not [w for w in writes if "staff_alerts" in w]
    session.expire_all()
    assert session.get_one(StaffAlert, alert_id).seen_at is None
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.action == "alert.seen")) is None


@pytest.mark.parametrize(
    "forged",
    [
        "https://evil.example/held",
        "//evil.example/held",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "held-by/1",
    ],
)
def test_a_forged_next_to_another_site_is_not_followed(
    app: Flask, session: Session, school: School, forged: str
) -> None:
    _deactivate(app, school)
    alert_id = _alert_of(session, school.deputy)
    response = client_for(app, school.deputy).post(
        f"/alerts/{alert_id}/seen", data={"next": forged}
    )
    assert response.status_code == 302
    assert response.location == f"/alerts/#alert-{alert_id}"


def test_another_persons_alert_cannot_be_marked_from_the_page(
    app: Flask, session: Session, school: School
) -> None:
    _deactivate(app, school)
    heads = _alert_of(session, school.head)
    held_by = f"/safeguarding/held-by/{school.dsl.id}"
    response = client_for(app, school.deputy).post(f"/alerts/{heads}/seen", data={"next": held_by})
    assert response.status_code == 404
    session.expire_all()
    assert session.get_one(StaffAlert, heads).seen_at is None


def test_once_all_their_work_is_reassigned_the_page_says_so(
    app: Flask, session: Session, school: School
) -> None:
    _deactivate(app, school)
    for worry in school.worries:
        worry.assignee_id = school.deputy.id
    for action in session.scalars(select(IncidentAction)):
        action.owner_id = school.deputy.id
    session.commit()
    page = _text(client_for(app, school.deputy).get(f"/safeguarding/held-by/{school.dsl.id}"))
    done = page.index("All of their work has been reassigned.")
    assert done < page.index(ALERTED) < page.index("Mark the alert seen")


def test_two_alerts_about_the_same_colleague_are_marked_seen_together(
    app: Flask, session: Session, school: School, clock: Clock
) -> None:
    """Deactivated, reactivated and deactivated again a week later: two alerts about Mr Bell.
    The held page names both days and marks both at once, so it does not offer the older one
    again as if the press had not worked."""
    _deactivate(app, school)
    office = client_for(app, school.admin)
    response = office.post(f"/admin/accounts/{school.dsl.id}/active", data={"active": "1"})
    assert "approval=1" in response.location  # a team member's comes back once approved
    asked = session.scalars(select(AccountChangeRequest)).one()
    head = client_for(app, school.head)
    approved = head.post(f"/admin/approvals/{asked.id}", data={"decision": "approve"})
    assert approved.status_code == 302
    clock.set(datetime(2027, 1, 19, 10, 0, tzinfo=UTC))
    _deactivate(app, school)
    held_by = f"/safeguarding/held-by/{school.dsl.id}"
    deputy = client_for(app, school.deputy)
    assert _not_seen(deputy) == 2
    page = _text(deputy.get(held_by))
    assert "You were alerted about this on 12 Jan 2027 and 19 Jan 2027." in page
    assert "Mark the 2 alerts seen" in page
    newest, *older = _alerts_of(session, school.deputy)
    assert f'name="also" value="{older[0]}"' in page
    response = deputy.post(f"/alerts/{newest}/seen", data={"next": held_by, "also": older})
    assert response.status_code == 302
    page = _text(deputy.get(held_by))
    assert "You were alerted" not in page
    assert "Mark the" not in page
    assert _not_seen(deputy) == 0
    session.expire_all()
    audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.seen")).all()
    assert len(audited) == 2
    assert _not_seen(client_for(app, school.head)) == 2  # the head's own are still theirs


def test_someone_elses_alert_slipped_in_marks_nothing(
    app: Flask, session: Session, school: School
) -> None:
    _deactivate(app, school)
    mine, heads = _alert_of(session, school.deputy), _alert_of(session, school.head)
    response = client_for(app, school.deputy).post(
        f"/alerts/{mine}/seen", data={"also": [str(heads)]}
    )
    assert response.status_code == 404
    session.expire_all()
    assert session.get_one(StaffAlert, heads).seen_at is None
    assert session.get_one(StaffAlert, mine).seen_at is None  # the whole press is refused
