"""The headteacher's list of changes to approve: each Approve and Decline button says whose
change it is and what, so that a screen reader's list of buttons (or voice control) tells one
row's Approve from the next, not only "Approve change #2"."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from tests.conftest import Clock, client_for
from tests.factories import make_account


def _button_names(page: str) -> list[str]:
    """Each button's accessible name: its words, hidden ones included, spaces collapsed."""
    found = re.findall(r"<button[^>]*>(.*?)</button>", page, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", b)).split()) for b in found]


@pytest.fixture
def head(app: Flask, session: Session, clock: Clock) -> Account:
    """The headteacher, with two changes waiting: Mr Bell's email address (asked first), and
    Mrs O'Neill's role to Teacher."""
    clock.set(datetime(2027, 1, 12, 10, 0, tzinfo=UTC))
    admin = make_account(session, Role.ADMIN, display_name="Mrs Office")
    head = make_account(session, Role.HEADTEACHER, display_name="Mrs Shah")
    dsl = make_account(session, Role.DSL, display_name="Mr Bell")
    deputy = make_account(session, Role.DEPUTY_DSL, display_name="Mrs O'Neill")
    session.commit()
    office = client_for(app, admin)
    asked = office.post(
        f"/admin/accounts/{dsl.id}/email", data={"email": "bell@new.example.org", "was": dsl.email}
    )
    assert asked.status_code == 302
    asked = office.post(f"/admin/accounts/{deputy.id}/role", data={"role": "teacher"})
    assert asked.status_code == 302
    return head


def test_each_decision_button_names_the_person_and_the_change(app: Flask, head: Account) -> None:
    page = client_for(app, head).get("/admin/approvals").get_data(as_text=True)
    names = _button_names(page)
    assert any(n.startswith("Approve") and "Mr Bell, email address" in n for n in names), names
    assert any(n.startswith("Decline") and "Mr Bell, email address" in n for n in names), names
    assert any(n.startswith("Approve") and "Mrs O'Neill, role to Teacher" in n for n in names)
    assert any(n.startswith("Decline") and "Mrs O'Neill, role to Teacher" in n for n in names)


def _said(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_after_a_decision_the_page_says_whose_change_was_settled_and_how(
    app: Flask, head: Account
) -> None:
    """"Decision recorded." alone left the head unsure which row her press had settled."""
    headteacher = client_for(app, head)
    waiting = headteacher.get("/admin/approvals").get_data(as_text=True)
    email_id, role_id = sorted({int(n) for n in re.findall(r"/admin/approvals/(\d+)", waiting)})
    approved = headteacher.post(f"/admin/approvals/{email_id}", data={"decision": "approve"})
    page = _said(headteacher.get(approved.location).get_data(as_text=True))
    assert "Approved: Mr Bell, email address. The change is made." in page
    assert "Decision recorded." not in page
    declined = headteacher.post(f"/admin/approvals/{role_id}", data={"decision": "decline"})
    page = _said(headteacher.get(declined.location).get_data(as_text=True))
    assert "Declined: Mrs O'Neill, role to Teacher. Nothing was changed." in page
    # An address naming a change still waiting, or none at all, says nothing was decided.
    for odd in ("/admin/approvals?decided=999999", "/admin/approvals?decided=x"):
        assert "Approved:" not in _said(headteacher.get(odd).get_data(as_text=True))
