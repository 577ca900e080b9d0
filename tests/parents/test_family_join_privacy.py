"""/family/join does not tell strangers which usernames exist, and asking is throttled."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.db import utcnow
from classroom.parents import invites
from tests.app_settings import invite_settings
from tests.factories import make_account
from tests.parents_helpers import Family

STRONG = "blue kettle on a windy hill"


def _join(app: Flask, code: str, username: str) -> tuple[int, str]:
    data = {
        "code": code,
        "display_name": "Mr Tom Taylor",
        "email": "",
        "username": username,
        "password": STRONG,
        "confirm": STRONG,
    }
    response = app.test_client().post("/family/join", data=data)
    # What differs between any two answers anyway: the CSRF token and the name typed.
    page = re.sub(r'(content|name="csrf_token" value)="[^"]+"', "", response.data.decode())
    return response.status_code, page.replace(f'value="{username}"', 'value=""')


def test_without_a_working_code_known_and_unknown_usernames_get_the_same_answer(
    app: Flask, session: Session
) -> None:
    make_account(session, Role.DSL, username="mrs.dsl")
    session.commit()
    known = _join(app, "22222-33333", "mrs.dsl")
    unknown = _join(app, "22222-33333", "nobody.here")
    assert known == unknown
    assert known[0] == 400
    assert "already taken" not in known[1]


def test_asking_whether_usernames_exist_is_throttled(
    app: Flask, session: Session, family: Family
) -> None:
    """Even someone holding a working code cannot use it to test usernames without limit."""
    taken = [make_account(session, Role.TEACHER).username for _ in range(6)]
    _invite, code = invites.issue_invite(
        session, family.teacher, family.other, "Dad", invite_settings(), now=utcnow()
    )
    session.commit()
    for name in taken[:5]:
        status, page = _join(app, code, name)
        assert status == 400
        assert "already taken" in page
    status, page = _join(app, code, taken[5])
    assert status == 429
    assert "already taken" not in page


def test_a_carer_with_a_working_code_is_told_to_pick_another_username(
    app: Flask, session: Session, family: Family
) -> None:
    make_account(session, Role.PARENT, username="tom")
    _invite, code = invites.issue_invite(
        session, family.teacher, family.other, "Dad", invite_settings(), now=utcnow()
    )
    session.commit()
    status, page = _join(app, code, "tom")
    assert status == 400
    assert "That username is already taken" in page
    assert _join(app, code, "tom.taylor")[0] == 302
