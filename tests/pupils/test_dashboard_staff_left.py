"""Staff home names who works with each class: a colleague who has left (their account
deactivated, kept on the class for the record) is not named as if they still did."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from tests.conftest import client_for
from tests.factories import make_account, make_class


def test_a_deactivated_colleague_is_not_listed_on_the_class(app: Flask, session: Session) -> None:
    oak = make_class(session, name="Oak")
    teacher = make_account(session, Role.TEACHER, classes=[oak], display_name="Mr Ade")
    ta = Role.TEACHING_ASSISTANT
    make_account(session, ta, classes=[oak], display_name="Ms Leaver", active=False)
    make_account(session, ta, classes=[oak], display_name="Mrs Bo")
    session.commit()
    page = client_for(app, teacher).get("/pupils/").get_data(as_text=True)
    assert "Staff: Mr Ade, Mrs Bo</p>" in page
    assert "Ms Leaver" not in page
