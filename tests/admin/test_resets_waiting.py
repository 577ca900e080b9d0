"""A second reset of a password or two-step sign-in, or a second change of email address, for
one person must not wait beside the first: the head would see two alike and might approve both,
and the second reset would stop the first's one-time password (or fresh set-up) working. It is
refused while one waits, with what waits and what to do (a 400 with the error summary, nothing
asked); and approving one closes any other of its kind still waiting (same commit, audited)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.admin.models import AccountChangeRequest, ChangeKind, ChangeStatus
from classroom.audit.models import AuditEvent
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_school
from tests.test_one_commit import commits

ASKED = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
NEW = "bell.new@school.example.org"
OTHER = "bell.other@school.example.org"
THEN_ASK = "Ask the headteacher or another member of the safeguarding team to approve or decline"


def _said(page: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.fixture
def people(session: Session, clock: Clock) -> dict[str, Account]:
    clock.set(ASKED)
    found = {
        "office": make_account(session, Role.ADMIN, display_name="Mrs Office"),
        "head": make_account(session, Role.HEADTEACHER, display_name="Mrs Shah"),
        "dsl": make_account(session, Role.DSL, display_name="Mr Bell"),  # two-step set up
        "deputy": make_account(session, Role.DEPUTY_DSL, display_name="Mrs Okafor"),
    }
    session.commit()
    return found


def _requests(session: Session) -> list[AccountChangeRequest]:
    session.expire_all()
    return list(session.scalars(select(AccountChangeRequest).order_by(AccountChangeRequest.id)))


def _audit(session: Session, action: str) -> list[str]:
    query = select(AuditEvent.summary).where(AuditEvent.action == action)
    return list(session.scalars(query.order_by(AuditEvent.id)))


def _approve_buttons(head: FlaskClient) -> list[str]:
    """What the head is offered to approve, one entry a row."""
    page = head.get("/admin/approvals").get_data(as_text=True)
    found = re.findall(r'value="approve"[^>]*>(.*?)</button>', page, flags=re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", b)).split()) for b in found]


RESETS = [
    (
        "reset-password",
        ChangeKind.PASSWORD_RESET,
        "A password reset for Mr Bell is already waiting for approval.",
        "password reset",
    ),
    (
        "reset-two-step",
        ChangeKind.TWO_STEP_RESET,
        "A two-step sign-in reset for Mr Bell is already waiting for approval.",
        "two-step sign-in reset",
    ),
]


@pytest.mark.parametrize(("path", "kind", "message", "words"), RESETS)
def test_a_second_reset_is_refused_while_one_waits(
    app: Flask,
    session: Session,
    people: dict[str, Account],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    kind: ChangeKind,
    message: str,
    words: str,
) -> None:
    office = client_for(app, people["office"])
    dsl = people["dsl"]
    url = f"/admin/accounts/{dsl.id}/{path}"
    assert "approval=1" in office.post(url).location
    session.commit()  # the test client would commit the test's own session first
    with commits(app, monkeypatch) as seen:
        again = office.post(url)
    assert seen == ["COMMIT", "END"]  # the refused try's audit entry alone (_audit below)
    assert again.status_code == 400
    html = again.get_data(as_text=True)
    page = _said(html)
    assert "There is a problem" in page  # the shared error summary, on the account page
    assert f'<a href="#{path}">{message}' in html  # linked to the button pressed
    assert f'id="{path}"' in html
    assert f"{message} {THEN_ASK} it first; then reset it only if that one was declined" in page
    assert "<h1>Mr Bell</h1>" in html
    (only,) = _requests(session)
    assert (only.kind, only.status) == (kind, ChangeStatus.PENDING)
    assert _audit(session, "account_change.requested") == [f"#{only.id}: {words}"]
    assert _audit(session, "account_change.refused") == [f"{words}: #{only.id} still waits"]
    # The head sees one to approve, not two alike.
    head = client_for(app, people["head"])
    assert _approve_buttons(head) == [f"Approve change #{only.id}: Mr Bell, {words}"]
    # Once decided, it can be asked again.
    assert head.post(f"/admin/approvals/{only.id}", data={"decision": "decline"}).status_code == 302
    assert "approval=1" in office.post(url).location


def test_a_password_reset_made_at_once_is_refused_while_one_waits(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    """Asked while they were on the team; now a teacher, a reset would be made at once and then
    undone by the waiting one if it were approved."""
    office = client_for(app, people["office"])
    dsl = people["dsl"]
    assert "approval=1" in office.post(f"/admin/accounts/{dsl.id}/reset-password").location
    dsl.role = Role.TEACHER
    session.commit()
    refused = office.post(f"/admin/accounts/{dsl.id}/reset-password")
    assert refused.status_code == 400
    page = _said(refused.get_data(as_text=True))
    assert "One-time password" not in page
    assert "A password reset for Mr Bell is already waiting for approval." in page
    assert _audit(session, "password.reset") == []
    assert len(_requests(session)) == 1


def _waiting(
    session: Session,
    people: dict[str, Account],
    kind: ChangeKind,
    email: str | None = None,
    role: Role | None = None,
) -> AccountChangeRequest:
    """A change waiting as one asked before this check could be (two could be asked then)."""
    dsl = people["dsl"]
    change = AccountChangeRequest(
        school_id=dsl.school_id,
        account_id=dsl.id,
        kind=kind,
        new_role=role,
        new_email=email,
        old_email=dsl.email if kind == ChangeKind.EMAIL else None,
        requested_by_id=people["office"].id,
        requested_at=ASKED,
    )
    session.add(change)
    session.commit()
    return change


def test_approving_one_password_reset_closes_the_other_in_the_same_commit(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    first = _waiting(session, people, ChangeKind.PASSWORD_RESET)
    second = _waiting(session, people, ChangeKind.PASSWORD_RESET)
    head = client_for(app, people["head"])
    assert len(_approve_buttons(head)) == 2
    approved = head.post(f"/admin/approvals/{first.id}", data={"decision": "approve"})
    assert "One-time password" in _said(approved.get_data(as_text=True))
    done, closed = _requests(session)
    assert done.status == ChangeStatus.APPROVED
    assert (closed.id, closed.status) == (second.id, ChangeStatus.VOID)
    assert closed.decided_by_id == people["head"].id
    assert closed.note == f"closed: password reset #{first.id} was approved first"
    assert _audit(session, "account_change.void") == [
        f"#{second.id}: closed, #{first.id} approved first"
    ]
    # Nothing left to approve that would stop the one-time password working.
    assert _approve_buttons(head) == []
    assert "Nothing is waiting for approval." in _said(
        head.get("/admin/approvals").get_data(as_text=True)
    )
    assert len(_audit(session, "password.reset")) == 1


def test_approving_one_two_step_reset_closes_the_other(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    first = _waiting(session, people, ChangeKind.TWO_STEP_RESET)
    second = _waiting(session, people, ChangeKind.TWO_STEP_RESET)
    head = client_for(app, people["head"])
    assert (
        head.post(f"/admin/approvals/{first.id}", data={"decision": "approve"}).status_code == 302
    )
    _, closed = _requests(session)
    assert (closed.id, closed.status) == (second.id, ChangeStatus.VOID)
    assert _approve_buttons(head) == []


def test_a_second_email_change_is_refused_while_one_waits(
    app: Flask, session: Session, people: dict[str, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    office = client_for(app, people["office"])
    dsl = people["dsl"]
    path, was = f"/admin/accounts/{dsl.id}/email", dsl.email
    assert "approval=1" in office.post(path, data={"email": NEW, "was": was}).location
    session.commit()  # the test client would commit the test's own session first
    with commits(app, monkeypatch) as seen:
        again = office.post(path, data={"email": OTHER, "was": was})
    assert seen == ["COMMIT", "END"]  # the refused try's audit entry alone
    assert again.status_code == 400
    html = again.get_data(as_text=True)
    page = _said(html)
    message = f"A change of email address for Mr Bell (to {NEW}) is already waiting for approval."
    assert f"{message} {THEN_ASK} it first; then change their address if" in page
    assert f'<a href="#email">{message}' in html
    assert f'value="{OTHER}"' in html  # what was typed is given back
    (only,) = _requests(session)
    assert only.new_email == NEW
    head = client_for(app, people["head"])
    assert _approve_buttons(head) == [f"Approve change #{only.id}: Mr Bell, email address"]


def test_approving_one_email_change_closes_the_other(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    first = _waiting(session, people, ChangeKind.EMAIL, NEW)
    second = _waiting(session, people, ChangeKind.EMAIL, OTHER)
    head = client_for(app, people["head"])
    assert (
        head.post(f"/admin/approvals/{first.id}", data={"decision": "approve"}).status_code == 302
    )
    session.expire_all()
    assert session.get(Account, people["dsl"].id).email == NEW  # type: ignore[union-attr]
    _, closed = _requests(session)
    assert (closed.id, closed.status) == (second.id, ChangeStatus.VOID)
    assert "Nothing is waiting for approval." in _said(
        head.get("/admin/approvals").get_data(as_text=True)
    )


def test_the_deputy_can_still_approve_the_one_that_waits(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    """Refusing the second leaves the first as it was: approved, it resets the password."""
    office = client_for(app, people["office"])
    dsl = people["dsl"]
    office.post(f"/admin/accounts/{dsl.id}/reset-password")
    assert office.post(f"/admin/accounts/{dsl.id}/reset-password").status_code == 400
    (only,) = _requests(session)
    deputy = client_for(app, people["deputy"])
    shown = deputy.post(f"/admin/approvals/{only.id}", data={"decision": "approve"})
    assert "One-time password" in _said(shown.get_data(as_text=True))
    assert [c.status for c in _requests(session)] == [ChangeStatus.APPROVED]


# --- What the account page says waits, before the admin presses anything ---------------------

WHEN = "asked by Mrs Office on Tue 12 Jan 2027, 10:00 GMT."
UNTIL = (
    "Until the headteacher or another member of the safeguarding team approves or declines it, "
    "another cannot be asked for."
)
# Each control of the account page, by the mark only it carries.
CONTROLS = {
    ChangeKind.ROLE: 'name="role"',
    ChangeKind.EMAIL: 'id="email"',
    ChangeKind.PASSWORD_RESET: 'id="reset-password"',
    ChangeKind.TWO_STEP_RESET: 'id="reset-two-step"',
}
NOTES = [
    (ChangeKind.ROLE, {"role": Role.TEACHER}, "a change of role to Teacher"),
    (ChangeKind.EMAIL, {"email": NEW}, f"a change to {NEW}"),
    (ChangeKind.EMAIL, {}, "removing the address"),
    (ChangeKind.PASSWORD_RESET, {}, "a password reset"),
    (ChangeKind.TWO_STEP_RESET, {}, "a two-step sign-in reset"),
]


def _account_page(app: Flask, people: dict[str, Account]) -> str:
    office = client_for(app, people["office"])
    response = office.get(f"/admin/accounts/{people['dsl'].id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(("kind", "given", "what"), NOTES)
def test_the_account_page_says_what_waits_in_place_of_its_control(
    app: Flask,
    session: Session,
    people: dict[str, Account],
    kind: ChangeKind,
    given: dict[str, object],
    what: str,
) -> None:
    """The admin learnt a change of this kind was waiting only by pressing its button and being
    refused. Now the page says so where the button was; the other controls stay."""
    _waiting(session, people, kind, **given)  # type: ignore[arg-type]
    html = _account_page(app, people)
    page = _said(html)
    assert f"Waiting for approval: {what}, {WHEN} {UNTIL}" in page
    assert page.count("Waiting for approval:") == 1
    for other, mark in CONTROLS.items():
        assert (mark in html) == (other != kind), other
    (change,) = _requests(session)
    assert change.status == ChangeStatus.PENDING  # the page decides nothing
    assert _audit(session, "account_change.void") == []


def test_nothing_waiting_says_nothing_and_every_control_is_there(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    decided = _waiting(session, people, ChangeKind.PASSWORD_RESET)
    decided.status = ChangeStatus.DECLINED
    session.commit()
    html = _account_page(app, people)
    assert "Waiting for approval" not in _said(html)
    for mark in CONTROLS.values():
        assert mark in html


def test_each_change_waiting_is_said_beside_its_own_control(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    """Two of a kind (asked before a second was refused) are both said; none is hidden."""
    for kind in (ChangeKind.PASSWORD_RESET, ChangeKind.PASSWORD_RESET, ChangeKind.TWO_STEP_RESET):
        _waiting(session, people, kind)
    _waiting(session, people, ChangeKind.ROLE, role=Role.TEACHER)
    _waiting(session, people, ChangeKind.EMAIL, NEW)
    html = _account_page(app, people)
    page = _said(html)
    assert page.count("Waiting for approval: a password reset, asked by Mrs Office") == 2
    for what in ("a two-step sign-in reset", "a change of role to Teacher", f"a change to {NEW}"):
        assert f"Waiting for approval: {what}, {WHEN}" in page
    # Each said in its own part of the page, before that part's control would be.
    role, access, email = (html.index(h) for h in ("<h2>Role", "<h2>Password", 'id="email-h"'))
    notes = [m.start() for m in re.finditer("Waiting for approval:", html)]
    assert role < notes[0] < access < notes[1] < notes[-2] < email < notes[-1]
    for mark in CONTROLS.values():
        assert mark not in html


def test_the_page_refusing_a_second_shows_the_note_and_gives_back_what_was_typed(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    """Asked meanwhile from another screen: the refusal links to the box, still there."""
    office = client_for(app, people["office"])
    dsl = people["dsl"]
    was = dsl.email
    _waiting(session, people, ChangeKind.EMAIL, NEW)
    refused = office.post(f"/admin/accounts/{dsl.id}/email", data={"email": OTHER, "was": was})
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert f"Waiting for approval: a change to {NEW}, {WHEN}" in _said(html)
    assert f'value="{OTHER}"' in html
    assert 'id="email"' in html


def test_another_schools_requests_and_names_are_never_shown(
    app: Flask, session: Session, people: dict[str, Account]
) -> None:
    elsewhere = make_school(session, name="Other School")
    stranger = make_account(session, Role.ADMIN, school=elsewhere, display_name="Mr Stranger")
    theirs = make_account(session, Role.DSL, school=elsewhere, display_name="Ms Far")
    session.commit()
    dsl = people["dsl"]
    for school_id, account_id in ((elsewhere.id, theirs.id), (elsewhere.id, dsl.id)):
        session.add(
            AccountChangeRequest(
                school_id=school_id,
                account_id=account_id,
                kind=ChangeKind.PASSWORD_RESET,
                requested_by_id=stranger.id,
                requested_at=ASKED,
            )
        )
    session.commit()
    html = _account_page(app, people)
    assert "Waiting for approval" not in _said(html)
    assert 'id="reset-password"' in html
    # One of this school's, somehow marked as asked by another school's admin: said, unnamed.
    session.add(
        AccountChangeRequest(
            school_id=dsl.school_id,
            account_id=dsl.id,
            kind=ChangeKind.TWO_STEP_RESET,
            requested_by_id=stranger.id,
            requested_at=ASKED,
        )
    )
    session.commit()
    page = _said(_account_page(app, people))
    assert "Waiting for approval: a two-step sign-in reset, asked on Tue 12 Jan 2027" in page
    assert "Stranger" not in page
