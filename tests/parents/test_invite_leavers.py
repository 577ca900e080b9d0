"""Invite codes and a child who has left: what staff see, what a carer is told, what happens if
the child comes back; and refused requests to connect a carer (the child has left, connecting is
paused) kept in the audit log although the request rolls back."""

from __future__ import annotations

import re
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom.accounts.models import Account
from classroom.audit.models import AuditEvent, AuditTier
from classroom.db import utcnow
from classroom.parents import invites
from classroom.parents.models import CarerInvite
from classroom.pupils.models import ParentLink
from classroom.worries.models import ParentContact
from tests.app_settings import invite_settings
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, incident_about

STRONG = "blue kettle on a windy hill"
OFFICE = "That code no longer works. Please ask the school office."


def _words(response: TestResponse) -> str:
    return re.sub(r"\s+", " ", response.data.decode())


def _code(session: Session, family: Family, label: str = "Aunt") -> tuple[CarerInvite, str]:
    invite, code = invites.issue_invite(
        session, family.teacher, family.child, label, invite_settings(), now=utcnow()
    )
    session.commit()
    return invite, code


def _set_left(session: Session, family: Family, left: bool) -> None:
    """Amira leaves the school (the MIS import or an admin marks her inactive), or comes back."""
    family.child.active = not left
    session.commit()


def _join(app: Flask, code: str) -> TestResponse:
    data = {
        "code": code,
        "display_name": "Ms Lina Khan",
        "email": "",
        "username": "auntlina",
        "password": STRONG,
        "confirm": STRONG,
    }
    return app.test_client().post("/family/join", data=data)


def _links_to_amira(session: Session, family: Family) -> int:
    session.expire_all()
    query = select(func.count(ParentLink.id)).where(ParentLink.pupil_id == family.child.id)
    return int(session.scalar(query) or 0)


def _codes_row(page: str) -> str:
    return page.split('id="codes"')[1].split("</table>")[0]


# --- What staff see of a code made before the child left ---------------------------------------


def test_staff_see_a_leavers_unused_code_no_longer_works_and_can_cancel_it(
    app: Flask, session: Session, family: Family
) -> None:
    invite, _code_typed = _code(session, family)
    _set_left(session, family, True)
    teacher = client_for(app, family.teacher)
    codes = _codes_row(_words(teacher.get(f"/parents/pupils/{family.child.id}")))
    assert "No longer works: Amira has left." in codes
    assert "It would work again if Amira came back before" in codes
    assert "Waiting until" not in codes
    # Cancel still tidies it up: a cancelled code stays dead even if she comes back.
    done = teacher.post(f"/parents/invites/{invite.id}/cancel")
    assert done.status_code == 302
    codes = _codes_row(_words(teacher.get(f"/parents/pupils/{family.child.id}")))
    assert "Cancelled" in codes
    assert "No longer works" not in codes


def test_a_code_for_a_child_still_at_school_shows_as_waiting(
    app: Flask, session: Session, family: Family
) -> None:
    _code(session, family)
    page = _words(client_for(app, family.teacher).get(f"/parents/pupils/{family.child.id}"))
    codes = _codes_row(page)
    assert "Waiting until" in codes
    assert "No longer works" not in codes


# --- A carer typing a leaver's code ------------------------------------------------------------


def test_a_signed_in_carer_adding_a_leavers_code_is_sent_to_the_school_office(
    app: Flask, session: Session, family: Family
) -> None:
    _invite, code = _code(session, family)
    _set_left(session, family, True)
    before = _links_to_amira(session, family)
    jo = client_for(app, family.other_carer)
    response = jo.post("/family/add-child", data={"code": code})
    assert response.status_code == 400
    assert OFFICE in _words(response)
    assert _links_to_amira(session, family) == before


# --- The child comes back ----------------------------------------------------------------------


def test_a_code_made_before_the_child_left_works_again_if_she_comes_back_in_time(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    _invite, code = _code(session, family)
    _set_left(session, family, True)
    assert _join(app, code).status_code == 400
    clock.advance(days=3)
    _set_left(session, family, False)
    before = _links_to_amira(session, family)
    response = _join(app, code)
    assert response.status_code == 302  # it was made for her, and is still in date
    assert _links_to_amira(session, family) == before + 1


def test_a_leavers_code_that_ran_out_stays_expired_when_she_comes_back(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    _invite, code = _code(session, family)
    _set_left(session, family, True)
    clock.advance(days=15)  # codes work for 14 days
    _set_left(session, family, False)
    response = _join(app, code)
    assert response.status_code == 400
    assert "That code has expired" in _words(response)
    assert session.scalar(select(Account).where(Account.username == "auntlina")) is None


def test_a_leavers_code_staff_cancelled_stays_cancelled_when_she_comes_back(
    app: Flask, session: Session, family: Family
) -> None:
    invite, code = _code(session, family)
    _set_left(session, family, True)
    teacher = client_for(app, family.teacher)
    assert teacher.post(f"/parents/invites/{invite.id}/cancel").status_code == 302
    _set_left(session, family, False)
    response = _join(app, code)
    assert response.status_code == 400
    assert "The school cancelled that code" in _words(response)


# --- Refused requests to connect a carer are in the audit log ----------------------------------


def _entries(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _ask_for_code(teacher: FlaskClient, family: Family, key: str | None = None) -> TestResponse:
    return teacher.post(
        f"/parents/pupils/{family.child.id}/invites",
        data={"invite-relationship": "Aunt", "invite-key": key or str(uuid.uuid4())},
    )


def _ask_for_account(teacher: FlaskClient, family: Family) -> TestResponse:
    return teacher.post(
        f"/parents/pupils/{family.child.id}/carers",
        data={
            "carer-display_name": "Ms Lina Khan",
            "carer-username": "auntlina",
            "carer-relationship": "Aunt",
        },
    )


def _only_new_entry(
    session: Session, before: int, action: str = "carer.connect_refused"
) -> AuditEvent:
    new = _entries(session)[before:]
    assert [e.action for e in new] == [action]
    return new[0]


def test_a_code_refused_for_a_leaver_is_audited_and_nothing_else_is_written(
    app: Flask, session: Session, family: Family
) -> None:
    teacher = client_for(app, family.teacher)
    key = str(uuid.uuid4())
    first = _ask_for_code(teacher, family, key)  # a slip made while she was at the school
    assert first.status_code == 200
    _set_left(session, family, True)
    before = len(_entries(session))
    again = _ask_for_code(teacher, family, key)  # the slip's page sent again after she left
    assert again.status_code == 400
    assert "Amira has left the school, so no new carer can connect" in _words(again)
    entry = _only_new_entry(session, before)
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        family.teacher.id,
        "Pupil",
        family.child.id,
    )
    assert entry.summary == "invite code not made: the pupil has left the school"
    assert entry.tier == AuditTier.ACCOUNT
    invite = session.scalar(select(CarerInvite))
    assert invite is not None
    assert invite.cancelled_at is None  # the earlier slip's code was not cancelled either
    assert session.scalar(select(func.count(CarerInvite.id))) == 1


def test_a_carer_account_refused_for_a_leaver_is_audited_and_nothing_else_is_written(
    app: Flask, session: Session, family: Family
) -> None:
    _set_left(session, family, True)
    teacher = client_for(app, family.teacher)
    before = len(_entries(session))
    response = _ask_for_account(teacher, family)
    assert response.status_code == 400
    entry = _only_new_entry(session, before)
    assert (entry.actor_id, entry.object_id) == (family.teacher.id, family.child.id)
    assert entry.summary == "carer account not made: the pupil has left the school"
    assert session.scalar(select(Account).where(Account.username == "auntlina")) is None


def test_connecting_refused_while_paused_is_audited_for_the_safeguarding_team_only(
    app: Flask, session: Session, family: Family
) -> None:
    incident_about(session, family, ParentContact.DO_NOT_CONTACT)
    teacher = client_for(app, family.teacher)
    for ask, what in ((_ask_for_code, "invite code"), (_ask_for_account, "carer account")):
        before = len(_entries(session))
        response = ask(teacher, family)
        assert response.status_code == 400
        assert invites.CONNECTING_PAUSED in _words(response)
        entry = _only_new_entry(session, before)
        assert (entry.actor_id, entry.object_id) == (family.teacher.id, family.child.id)
        assert entry.summary == f"{what} not made: connecting is paused by the safeguarding team"
        assert entry.tier == AuditTier.SAFEGUARDING  # it tells that a worry is open about her
    assert session.scalar(select(func.count(CarerInvite.id))) == 0
    assert session.scalar(select(Account).where(Account.username == "auntlina")) is None


def test_a_held_code_typed_by_a_carer_is_audited_for_the_safeguarding_team(
    app: Flask, session: Session, family: Family
) -> None:
    invite, code = _code(session, family, "Step-dad")
    incident_about(session, family, ParentContact.DO_NOT_CONTACT)
    before = len(_entries(session))
    response = _join(app, code)
    assert response.status_code == 400
    assert "This code cannot be used just now. Please contact the school." in _words(response)
    entry = _only_new_entry(session, before, "carer_invite.held")
    assert (entry.object_type, entry.object_id) == ("Pupil", family.child.id)
    assert entry.summary.startswith(f"invite #{invite.id} tried by ip:")
    assert entry.tier == AuditTier.SAFEGUARDING
    assert session.scalar(select(Account).where(Account.username == "auntlina")) is None
