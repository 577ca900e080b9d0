"""A refusal by role is in the audit log, like a refusal of a record (PRODUCT.md section 6: a
log of security incidents, an audit of every access to personal data).

A teaching assistant opening the incident queue, a carer typing a staff address, a governor
trying a child-protection record's evidence address: each answered 403 and, until now, left no
trace, where a record that is not theirs (web.not_theirs) was always audited. Each is now one
entry of the same kind (who, the method and the path, no child named), kept through the
request's rollback; a page left polling a refused address writes one entry every few minutes,
not one a poll.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.assessment.models import Observation
from classroom.audit.models import AuditEvent, AuditTier
from classroom.pupils.models import ParentLink
from classroom.symbols.models import SymbolOverride
from tests.conftest import Clock, client_for
from tests.factories import link_parent, make_account, make_class, make_pupil
from tests.worry_helpers import School, make_school, pupil_on_ipad, triaged_worry

JSON = {"Accept": "application/json"}


@dataclass
class World:
    school: School
    ta: Account
    governor: Account
    carer: Account
    admin: Account


@pytest.fixture
def world(session: Session) -> World:
    school = make_school(session)
    ta = make_account(session, Role.TEACHING_ASSISTANT, classes=[school.oak])
    governor = make_account(session, Role.GOVERNOR)
    carer = make_account(session, Role.PARENT, display_name="Mrs Khan")
    link_parent(session, carer, school.pupil)
    admin = make_account(session, Role.ADMIN)
    session.commit()
    return World(school, ta, governor, carer, admin)


def _refusals(session: Session) -> list[AuditEvent]:
    session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action.like("%.access_refused"))
    return list(session.scalars(query.order_by(AuditEvent.id)))


def _entries(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def _who(world: World, role: Role) -> Account:
    return {
        Role.TEACHING_ASSISTANT: world.ta,
        Role.GOVERNOR: world.governor,
        Role.PARENT: world.carer,
    }[role]


@pytest.mark.parametrize(
    ("role", "method", "asked", "written"),
    [
        # The incident queue, with a pupil's name in the query string: never in the log.
        (Role.TEACHING_ASSISTANT, "GET", "/safeguarding/?q=Amira+Khan", "GET /safeguarding/"),
        (Role.GOVERNOR, "GET", "/safeguarding/evidence/1/picture", None),
        (Role.PARENT, "GET", "/pupils/", None),
        (Role.PARENT, "POST", "/concerns/new", None),  # logging a concern
        # A NUL in an address: PostgreSQL refuses it in text; the entry is kept without it.
        (Role.PARENT, "GET", "/pupil/lessons/a%00b", "GET /pupil/lessons/ab"),
    ],
)
def test_a_refusal_by_role_is_one_audit_entry_naming_no_child(
    app: Flask,
    session: Session,
    world: World,
    role: Role,
    method: str,
    asked: str,
    written: str | None,
) -> None:
    account = _who(world, role)
    browser = client_for(app, account)
    before = _entries(session)
    response = browser.open(asked, method=method, data={"description": "Amira was upset"})
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text
    (entry,) = _refusals(session)
    action = "carer.access_refused" if role is Role.PARENT else "staff.access_refused"
    assert (entry.action, entry.actor_id) == (action, account.id)
    assert entry.summary == (written or f"{method} {asked}")
    assert (entry.object_type, entry.object_id) == ("Account", account.id)  # their own record
    assert entry.school_id == account.school_id
    assert "Amira" not in entry.summary
    assert _entries(session) == before + 1  # the refused request wrote nothing else


def test_a_refused_form_keeps_only_its_entry(app: Flask, session: Session, world: World) -> None:
    """A carer posting to a staff form: the request rolls back, its audit entry is kept."""
    carer = client_for(app, world.carer)
    asked = f"/assessment/pupils/{world.school.pupil.id}/observations"
    form = {"objective_id": "stop-block-tell.sf", "level": "3", "context": "lesson"}
    assert carer.post(asked, data=form).status_code == 403
    assert [(e.action, e.summary) for e in _refusals(session)] == [
        ("carer.access_refused", f"POST {asked}")
    ]
    assert session.scalar(select(func.count()).select_from(Observation)) == 0


def test_a_refusal_inside_a_page_is_audited_once(
    app: Flask, session: Session, world: World
) -> None:
    """The route lets a teacher in; the symbol service refuses a school-wide choice (a 403
    from the view). A record not theirs (not_theirs, a 404) stays one entry too."""
    teacher = client_for(app, world.school.teacher)
    choice = {"phrase": "sad", "symbol": "1F622", "layer": "school"}
    assert teacher.post("/symbols/choices", data=choice).status_code == 403
    assert [(e.action, e.summary) for e in _refusals(session)] == [
        ("staff.access_refused", "POST /symbols/choices")
    ]
    assert session.scalars(select(SymbolOverride)).all() == []
    zara = make_pupil(session, make_class(session, name="Willow"), first_name="Zara")
    session.commit()
    for _again in range(2):  # another class's pupil, asked for twice: one entry, the first
        assert teacher.get(f"/assessment/pupils/{zara.id}").status_code == 404
    assert [(e.action, e.summary) for e in _refusals(session)][1:] == [
        ("staff.access_refused", f"GET /assessment/pupils/{zara.id}")
    ]


def test_a_refusal_a_view_answers_with_its_own_page_is_audited_too(
    app: Flask, session: Session, world: World
) -> None:
    """Two views answer a refusal with a page saying why rather than raising it: a TA turning
    on the teacher-only topic for the class, and a carer writing to class staff after their
    child has left. Both were refused with no entry; each is now one, as any other 403."""
    oak_map = f"/classes/{world.school.oak.id}/lessons"
    ta = client_for(app, world.ta)
    turned_on = {"lesson_id": "pressure-secrets-pictures", "on": "1"}
    assert ta.post(oak_map, data=turned_on).status_code == 403
    world.school.pupil.active = False  # Amira leaves the school
    session.commit()
    writing = f"/family/children/{world.school.pupil.id}/messages"
    carer = client_for(app, world.carer)
    assert carer.post(writing, data={"body": "Hello", "key": "k1"}).status_code == 403
    assert [(e.actor_id, e.action, e.summary) for e in _refusals(session)] == [
        (world.ta.id, "staff.access_refused", f"POST {oak_map}"),
        (world.carer.id, "carer.access_refused", f"POST {writing}"),
    ]


def test_a_change_refused_as_a_hidden_record_is_audited_and_changes_nothing(
    app: Flask, session: Session, world: World
) -> None:
    """A teacher of another class may manage carers, but not Amira's: disconnecting her carer
    answers 404 as for a hidden record (the service refuses) and is audited as one."""
    (link,) = session.scalars(select(ParentLink).where(ParentLink.parent_id == world.carer.id))
    willow = make_class(session, name="Willow")
    other = make_account(session, Role.TEACHER, classes=[willow])
    session.commit()
    answer = client_for(app, other).post(f"/parents/links/{link.id}/revoke")
    assert answer.status_code == 404
    assert [(e.actor_id, e.action, e.summary) for e in _refusals(session)] == [
        (other.id, "staff.access_refused", f"POST /parents/links/{link.id}/revoke")
    ]
    session.expire_all()
    assert session.get(ParentLink, link.id).revoked_at is None


def test_a_page_left_polling_a_refused_address_writes_an_entry_every_few_minutes(
    app: Flask, session: Session, world: World, clock: Clock
) -> None:
    """The safeguarding queue's live poll, left open by someone no longer on the team: one
    entry per person and address every five minutes, not one every few seconds."""
    teacher = client_for(app, world.school.teacher)
    for _poll in range(40):
        polled = teacher.get("/safeguarding/queue/state", headers=JSON)
        assert polled.status_code == 403
        assert polled.json == {"error": "You do not have access to this page"}
        clock.advance(seconds=5)  # 40 polls: 3 minutes 20 seconds
    assert len(_refusals(session)) == 1
    assert teacher.get("/alerts/count", headers=JSON).status_code == 403  # another address
    assert client_for(app, world.ta).get("/safeguarding/queue/state").status_code == 403
    assert len(_refusals(session)) == 3  # each address, and each person, has its own entry
    clock.advance(minutes=5)
    assert teacher.get("/safeguarding/queue/state", headers=JSON).status_code == 403
    summaries = [(e.actor_id, e.summary) for e in _refusals(session)]
    assert summaries == [
        (world.school.teacher.id, "GET /safeguarding/queue/state"),
        (world.school.teacher.id, "GET /alerts/count"),
        (world.ta.id, "GET /safeguarding/queue/state"),
        (world.school.teacher.id, "GET /safeguarding/queue/state"),  # five minutes on
    ]


def test_the_ta_is_recorded_but_a_pupil_and_nobody_are_only_sent_on(
    app: Flask, session: Session, world: World
) -> None:
    """A pupil's session on a class iPad reaching a staff address (Back, after an adult used
    the iPad) is sent to the pupil's home with no entry naming the child; nobody signed in is
    sent to sign in, which has its own log."""
    assert client_for(app, world.ta).get("/safeguarding/").status_code == 403
    ipad = pupil_on_ipad(app, world.school)
    assert ipad.get("/safeguarding/").location.endswith("/pupil/")
    assert app.test_client().get("/safeguarding/").location.startswith("/sign-in")
    assert [e.actor_id for e in _refusals(session)] == [world.ta.id]


def test_the_admin_reads_the_refusal_in_the_audit_log(app: Flask, world: World) -> None:
    assert client_for(app, world.ta).get("/safeguarding/").status_code == 403
    page = client_for(app, world.admin).get(
        "/admin/audit", query_string={"action": "staff.access_refused"}
    )
    assert page.status_code == 200
    assert "1 entry." in page.text
    assert world.ta.display_name in page.text
    assert "GET /safeguarding/" in page.text
    on_their_account = client_for(app, world.admin).get(
        "/admin/audit", query_string={"object_type": "Account", "object_id": world.ta.id}
    )
    assert "staff.access_refused" in on_their_account.text


def test_a_refusal_at_a_safeguarding_address_is_kept_for_the_safeguarding_team(
    app: Flask, session: Session, world: World
) -> None:
    """"GET /safeguarding/412" says that worry 412 exists, and a notice's address the same: the
    entry is a safeguarding record, read by the team, not by admins. The queue's own address
    names no record, and someone trying it stays in the admin's log."""
    incident = triaged_worry(session, world.school)
    asked = [
        (world.ta, f"/safeguarding/{incident.id}"),
        (world.governor, f"/parents/incidents/{incident.id}/notice"),
        (world.carer, f"/safeguarding/{incident.id}/evidence"),
    ]
    for who, address in asked:
        assert client_for(app, who).get(address).status_code == 403
    assert client_for(app, world.carer).get("/safeguarding/").status_code == 403
    tiers = {e.summary: e.tier for e in _refusals(session)}
    assert tiers == {
        **{f"GET {address}": AuditTier.SAFEGUARDING for _who, address in asked},
        "GET /safeguarding/": AuditTier.ACCOUNT,
    }
    admins_log = client_for(app, world.admin).get("/admin/audit").text
    dsls_log = client_for(app, world.school.dsl).get("/admin/audit").text
    for _who, address in asked:
        assert f"GET {address}" not in admins_log
        assert f"GET {address}" in dsls_log
    assert "<td>GET /safeguarding/</td>" in admins_log
