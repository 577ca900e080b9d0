"""A shared phone or staff iPad: after one person signs out (or times out) and the next presses
Back, the sign-in page carries the first person's page as `next`. The next person signing in
is sent home, not to that page (another child's news is "Page not found" for them, and would be
audited as their refused look). The same person signing back in, or anyone following a link on
a browser nobody was signed in on, still goes where the link was for."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.pupils.models import Pupil
from tests.conftest import Clock, sign_in
from tests.factories import PASSWORD, link_parent, make_account, make_class, make_pupil


@dataclass
class Family:
    chloes_mum: Account
    bens_dad: Account
    chloe: Pupil
    ben: Pupil


@pytest.fixture
def family(session: Session) -> Family:
    oak = make_class(session, name="Oak")
    chloe = make_pupil(session, oak, first_name="Chloe")
    ben = make_pupil(session, oak, first_name="Ben")
    mum = make_account(session, Role.PARENT, display_name="Mrs Green")
    dad = make_account(session, Role.PARENT, display_name="Mr Brown")
    link_parent(session, mum, chloe)
    link_parent(session, dad, ben)
    session.commit()
    return Family(mum, dad, chloe, ben)


def _back_to(client: FlaskClient, page: str) -> str:
    """Press Back to `page` once nobody is signed in: the sign-in page it sends to."""
    response = client.get(page)
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")
    return str(response.location)


def _refused_looks(session: Session) -> list[int | None]:
    session.expire_all()
    query = select(AuditEvent.actor_id).where(AuditEvent.action.like("%access_refused"))
    return list(session.scalars(query))


def test_the_next_carer_after_a_sign_out_is_sent_home(
    client: FlaskClient, session: Session, family: Family
) -> None:
    chloes_news = f"/family/children/{family.chloe.id}"
    assert sign_in(client, family.chloes_mum.username).status_code == 302
    assert client.get(chloes_news).status_code == 200
    client.post("/sign-out")
    asked_from = _back_to(client, chloes_news)
    response = client.post(
        asked_from, data={"username": family.bens_dad.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.location == "/"
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert "Ben" in page.text
    assert "Chloe" not in page.text
    assert _refused_looks(session) == []  # no false "tried to see another child"


def test_the_same_carer_signing_back_in_goes_back_to_the_page(
    client: FlaskClient, family: Family
) -> None:
    chloes_news = f"/family/children/{family.chloe.id}"
    sign_in(client, family.chloes_mum.username)
    client.post("/sign-out")
    asked_from = _back_to(client, chloes_news)
    response = client.post(
        asked_from, data={"username": family.chloes_mum.username, "password": PASSWORD}
    )
    assert response.location == chloes_news


def test_after_a_time_out_the_next_person_is_sent_home_and_the_same_one_is_not(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    chloes_news = f"/family/children/{family.chloe.id}"
    for who, lands in ((family.bens_dad, "/"), (family.chloes_mum, chloes_news)):
        client = app.test_client()
        sign_in(client, family.chloes_mum.username)
        assert client.get(chloes_news).status_code == 200
        clock.advance(days=1)  # walked away: the session has ended
        asked_from = _back_to(client, chloes_news)
        response = client.post(asked_from, data={"username": who.username, "password": PASSWORD})
        assert response.location == lands
    assert _refused_looks(session) == []


def test_a_link_opened_on_a_browser_nobody_used_is_followed_after_sign_in(
    client: FlaskClient, family: Family
) -> None:
    """The email's "please sign in" link: nobody was signed in here before."""
    chloes_news = f"/family/children/{family.chloe.id}"
    asked_from = _back_to(client, chloes_news)
    response = client.post(
        asked_from, data={"username": family.chloes_mum.username, "password": PASSWORD}
    )
    assert response.location == chloes_news


def test_staff_on_a_shared_ipad_are_sent_home_too(
    client: FlaskClient, session: Session, family: Family
) -> None:
    oak, ash = family.chloe.school_class, make_class(session, name="Ash")
    oak_teacher = make_account(session, Role.TEACHER, classes=[oak], display_name="Ms Oak")
    ash_teacher = make_account(session, Role.TEACHER, classes=[ash], display_name="Mr Ash")
    session.commit()
    chloes_page = f"/pupils/{family.chloe.id}"
    sign_in(client, oak_teacher.username)
    assert client.get(chloes_page).status_code == 200
    client.post("/sign-out")
    asked_from = _back_to(client, chloes_page)
    response = client.post(
        asked_from, data={"username": ash_teacher.username, "password": PASSWORD}
    )
    assert response.location == "/"
    assert _refused_looks(session) == []
