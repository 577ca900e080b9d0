"""A carer whose password is six months old changes it, and is told it is done on the page
she lands on (her children), as staff are on their dashboard."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.factories import PASSWORD
from tests.parents_helpers import make_family


def test_a_carer_who_changes_an_old_password_is_told_it_is_done(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    session.commit()
    clock.advance(days=183)
    client = app.test_client()
    client.post("/sign-in", data={"username": family.carer.username, "password": PASSWORD})
    done = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "purple otters juggle lanterns"},
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert done.status_code == 200
    assert "My children" in page
    assert "Your password has been changed." in page
    # Once: the message is for the change, not for every visit to her start page.
    again = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "My children" in again
    assert "Your password has been changed." not in again
