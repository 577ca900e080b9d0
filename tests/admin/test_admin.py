"""Admin pages: accounts and roles, one-time passwords, classes, the MIS import, the audit log."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Select, func, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.audit.services import record
from classroom.db import utcnow
from classroom.parents.models import CarerSettings
from classroom.pupils.importer import make_upn, upn_is_valid
from classroom.pupils.models import ClassStaff, ParentLink, Pupil
from tests.conftest import sign_in
from tests.factories import make_account, make_class, make_pupil, make_school

HEADER = (
    "UPN,Legal Forename,Legal Surname,DOB,Reg Group,"
    "Contact 1 Name,Contact 1 Email,Contact 1 Relationship\n"
)


def _upload(client: FlaskClient, body: str) -> Any:
    data = {"file": (io.BytesIO(body.encode()), "export.csv")}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


@pytest.mark.usefixtures("session")
def test_admin_creates_an_account_with_a_one_time_password(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.ADMIN)
    response = client.post(
        "/admin/accounts/new",
        data={"username": "MsReed", "display_name": "Ms Reed", "role": "teacher", "email": ""},
    )
    assert response.status_code == 201
    password = response.data.split(b'class="secret">')[1].split(b"<")[0].decode()
    newcomer = app.test_client()
    assert sign_in(newcomer, "msreed", password).status_code == 302
    # A one-time password leads straight to choosing a new one.
    assert newcomer.get("/pupils/").location.endswith("/account/password")


def test_duplicate_username_gets_a_clear_message(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    admin = login_as(Role.ADMIN)
    response = client.post(
        "/admin/accounts/new",
        data={"username": admin.username, "display_name": "X", "role": "teacher"},
    )
    assert response.status_code == 400
    assert b"already taken" in response.data


def test_reset_password_ends_sessions_and_forces_a_change(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    teacher = make_account(session)
    session.commit()
    their_ipad = app.test_client()
    sign_in(their_ipad, teacher.username)
    login_as(Role.ADMIN)
    response = client.post(f"/admin/accounts/{teacher.id}/reset-password")
    assert response.status_code == 200
    assert b"One-time password" in response.data
    assert their_ipad.get("/pupils/").status_code == 302
    assert "password.reset" in session.scalars(select(AuditEvent.action)).all()


def test_deactivating_an_account_ends_its_sessions_at_once(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    teacher = make_account(session)
    session.commit()
    theirs = app.test_client()
    sign_in(theirs, teacher.username)
    assert theirs.get("/pupils/").status_code == 200
    login_as(Role.ADMIN)
    client.post(f"/admin/accounts/{teacher.id}/active", data={"active": "0"})
    assert "/sign-in" in theirs.get("/pupils/").location
    assert sign_in(theirs, teacher.username).status_code == 401


def test_admin_cannot_deactivate_themselves(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/accounts/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 400
    assert client.get("/admin/accounts").status_code == 200


def test_role_change_takes_effect_on_the_next_sign_in(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    teacher = make_account(session)
    session.commit()
    login_as(Role.ADMIN)
    client.post(f"/admin/accounts/{teacher.id}/role", data={"role": "governor"})
    theirs = app.test_client()
    sign_in(theirs, teacher.username)
    assert b"does not include access to individual pupils" in theirs.get("/pupils/").data


def test_non_admins_cannot_reach_admin_pages(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHER)
    for path in ("/admin/accounts", "/admin/import", "/admin/audit", "/admin/classes"):
        assert client.get(path).status_code == 403, path


def test_admin_assigns_staff_to_a_class(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    teacher = make_account(session)
    login_as(Role.ADMIN)
    client.post(f"/admin/classes/{oak.id}/staff", data={"account_id": teacher.id, "action": "add"})
    assert session.get(ClassStaff, (oak.id, teacher.id)) is not None


def test_access_rights_page_lists_every_role(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.ADMIN)
    page = client.get("/admin/access-rights").data.decode()
    for role in Role:
        assert role.label in page
    assert "Import pupils" in page


def test_upn_check_letter() -> None:
    upn = make_upn("823100000001")
    assert upn_is_valid(upn)
    assert not upn_is_valid("Z" + upn[1:]) or upn[0] == "Z"
    assert not upn_is_valid("A12345")


def _held(address: str) -> Select[tuple[Account]]:
    """The carer account whose address waits for them to confirm it."""
    settings = CarerSettings.account_id == Account.id
    return select(Account).join(CarerSettings, settings).where(
        CarerSettings.unconfirmed_email == address
    )


def test_import_creates_pupils_carers_and_links(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = HEADER + (
        f"{make_upn('823100000001')},Amira,Khan,14/03/2011,Oak,Sara Khan,sara@example.org,Mother\n"
        f"{make_upn('823100000002')},Ben,Taylor,02/07/2010,Oak,,,\n"
    )
    response = _upload(client, body)
    assert response.status_code == 200, response.data
    assert b"2 new pupils" in response.data
    names = set(session.scalars(select(Pupil.first_name)))
    assert names == {"Amira", "Ben"}
    carer = session.scalar(_held("sara@example.org"))
    assert carer is not None  # held until she confirms it (test_carer_accounts_held.py)
    assert carer.role == Role.PARENT
    assert session.scalar(select(func.count()).select_from(ParentLink)) == 1
    # Importing the same file again updates; it does not duplicate.
    assert b"2 updated" in _upload(client, body).data
    assert session.scalar(select(func.count()).select_from(Pupil)) == 2


def test_bad_import_reports_every_row_and_imports_nothing(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = HEADER + (
        f"{make_upn('823100000001')},Amira,Khan,14/03/2011,Oak,,,\n"
        "BAD,Ben,Taylor,02/07/2010,Oak,,,\n"
        f"{make_upn('823100000003')},Cara,,31/02/2011,Pine,X,not-an-email,\n"
    )
    response = _upload(client, body)
    assert response.status_code == 422
    page = response.data.decode()
    assert "Nothing was imported" in page
    assert "<td>3</td>" in page
    assert "not a valid unique pupil number" in page
    assert "<td>4</td>" in page
    assert "date of birth" in page
    assert "Pine" in page
    assert "contact 1 needs a name and a valid email" in page
    assert session.scalar(select(func.count()).select_from(Pupil)) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", b"the file is empty"),
        ("Name,Age\nA,1\n", b"missing column"),
        (HEADER, b"no pupils"),
    ],
)
def test_import_explains_unusable_files(
    client: FlaskClient, login_as: Callable[..., Account], body: str, message: bytes
) -> None:
    login_as(Role.ADMIN)
    response = _upload(client, body)
    assert response.status_code == 422
    assert message in response.data


def test_import_rejects_files_that_are_not_utf8_text(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.ADMIN)
    data = {"file": (io.BytesIO(b"\x80\x00bad"), "export.csv")}
    response = client.post("/admin/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert b"UTF-8" in response.data


def test_audit_log_records_views_and_can_be_filtered(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Amira")
    login_as(Role.HEADTEACHER)
    client.get(f"/pupils/{pupil.id}")
    page = client.get("/admin/audit?action=pupil.viewed").data.decode()
    assert "pupil.viewed" in page
    assert f"Pupil #{pupil.id}" in page
    assert "sign_in.succeeded" not in page
    bad = client.get("/admin/audit?from=yesterday")
    assert bad.status_code == 400
    assert b"must be a date" in bad.data


def test_audit_log_cannot_be_changed_even_in_the_database(session: Session) -> None:
    session.add(
        AuditEvent(at=utcnow(), actor_kind="system", actor_name="system", action="x", summary="")
    )
    session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("UPDATE audit_events SET action = 'changed'"))
    session.rollback()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("DELETE FROM audit_events"))
    session.rollback()


def test_audit_summary_cannot_forge_extra_lines(session: Session) -> None:
    record(session, None, "test", summary="ok\nFAKE sign_in.succeeded")
    summary = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "test")).one()
    assert summary == "ok\\nFAKE sign_in.succeeded"


def test_import_never_links_another_schools_carer_and_reports_the_same(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """Issue 14 item 6: a carer account elsewhere is neither linked nor revealed by the import."""

    home = make_school(session, name="Home School")
    make_class(session, home, name="Oak")
    elsewhere = make_school(session, name="Other School")
    outsider = make_account(
        session, Role.PARENT, school=elsewhere, email="sara@example.org", username="sara"
    )
    admin = login_as(Role.ADMIN, school=home)
    body = HEADER + (
        f"{make_upn('823100000001')},Amira,Khan,14/03/2011,Oak,Sara Khan,sara@example.org,Mother\n"
        f"{make_upn('823100000002')},Ben,Taylor,02/07/2010,Oak,Jo Taylor,jo@example.org,Father\n"
    )
    page = _upload(client, body).data.decode()
    assert "2 new carer accounts, 2 carer connections" in page
    links = session.scalars(select(ParentLink)).all()
    assert outsider.id not in {link.parent_id for link in links}
    held = session.scalars(_held("sara@example.org")).all()
    carers = [*held, *session.scalars(select(Account).where(Account.email == "sara@example.org"))]
    mine = [c for c in carers if c.school_id == admin.school_id]
    assert len(mine) == 1
    # The usernames look alike whether or not the plain name was taken elsewhere.
    sara, jo = (
        mine[0].username,
        session.scalar(_held("jo@example.org").with_only_columns(Account.username)),
    )
    assert jo is not None
    assert sara.startswith("sara-")
    assert jo.startswith("jo-")
    assert len(sara) - len("sara") == len(jo) - len("jo")
    listing = client.get("/admin/accounts").data.decode()
    assert outsider.username + "<" not in listing


def test_import_links_the_carer_who_joined_with_capitals_in_their_email(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """MIS exports lower-case nothing and carers type as they like: the same address is the
    same carer, so no second account (and no second email for every update)."""
    make_class(session, name="Oak")
    admin = login_as(Role.ADMIN)
    jo = make_account(session, Role.PARENT, email="Jo.Taylor@Example.com", username="jotaylor")
    session.commit()
    upn = make_upn("823100000002")
    body = HEADER + f"{upn},Ben,Taylor,02/07/2010,Oak,Jo,jo.taylor@example.com,\n"
    page = _upload(client, body).data.decode()
    assert "0 new carer accounts, 1 carer connection." in page
    assert session.scalars(select(ParentLink.parent_id)).all() == [jo.id]
    parents = select(func.count()).where(Account.role == Role.PARENT)
    assert session.scalar(parents.where(Account.school_id == admin.school_id)) == 1


@pytest.mark.parametrize(
    ("body", "line", "wrote"),
    [
        # "CSV (Macintosh)": lines end in CR alone; read as lines, it imports.
        ((HEADER + "{upn},Ben,Taylor,02/07/2010,Oak,,,\n").replace("\n", "\r"), None, 1),
        # A quote never closed takes the rest of the file into one field (the csv module's
        # limit is 128 KB): the line is named, nothing is imported.
        (HEADER + '{upn},"Ben,Taylor,02/07/2010,Oak,,,\n' + "x,y,z\n" * 25_000, 2, 0),
    ],
)
def test_import_reads_mac_line_endings_and_names_a_broken_line(
    client: FlaskClient,
    login_as: Callable[..., Account],
    session: Session,
    body: str,
    line: int | None,
    wrote: int,
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    response = _upload(client, body.format(upn=make_upn("823100000002")))
    if line is None:
        assert response.status_code == 200
        assert "1 new pupil, " in response.data.decode()
    else:
        assert response.status_code == 422
        page = response.data.decode()
        assert "could not be read as CSV" in page
        assert f"<td>{line}</td>" in page
    assert session.scalar(select(func.count()).select_from(Pupil)) == wrote


def test_import_drops_nul_from_names(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """A NUL in an export is never part of a name (and PostgreSQL cannot store one)."""
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = HEADER + f"{make_upn('823100000004')},El\x00la,Murphy,30/05/2012,Oak,,,\n"
    assert _upload(client, body).status_code == 200
    assert session.scalar(select(Pupil.first_name)) == "Ella"


def test_a_class_counts_only_its_pupils_at_the_school(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Amira")
    make_pupil(session, oak, first_name="Ben").active = False
    session.commit()
    login_as(Role.ADMIN)
    page = client.get("/admin/classes").data.decode()
    assert "<p>1 pupil (not counting 1 who has left)</p>" in page
