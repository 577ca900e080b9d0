"""An admin's own account page offers nothing they may not do, and the admin pages' problems
are summarised at the top, each linked to the box it is about (templates/_macros/errors.html)."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from tests.factories import make_account

SUMMARY = 'class="alert error error-summary" role="alert" tabindex="-1"'


def test_an_admin_is_not_offered_deactivating_or_re_roling_themselves(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    admin = login_as(Role.ADMIN)
    teacher = make_account(session)
    session.commit()
    own = client.get(f"/admin/accounts/{admin.id}").get_data(as_text=True)
    assert "Deactivate account" not in own
    assert "You cannot deactivate your own account; ask another admin." in own
    assert "Change role" not in own
    assert "You cannot change your own role; ask another admin." in own
    theirs = client.get(f"/admin/accounts/{teacher.id}").get_data(as_text=True)
    assert "Deactivate account" in theirs
    assert "Change role" in theirs


def test_deactivating_oneself_is_refused_on_the_account_page_with_a_summary(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/accounts/{admin.id}/active", data={"active": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert SUMMARY in page  # the shared summary, which takes the focus
    assert "You cannot deactivate your own account; ask another admin." in page
    assert "<nav" in page  # the whole page, with its chrome
    assert f"<h1>{admin.display_name}</h1>" in page
    assert client.get("/admin/accounts").status_code == 200  # still signed in and active


def test_a_refused_email_address_is_summarised_and_linked_to_its_box(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    login_as(Role.ADMIN)
    teacher = make_account(session)
    session.commit()
    response = client.post(
        f"/admin/accounts/{teacher.id}/email", data={"email": "not an address", "was": ""}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert SUMMARY in page
    assert '<li><a href="#email">' in page
    assert 'id="email"' in page


def test_an_unreadable_audit_date_is_summarised_and_linked_to_its_box(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.ADMIN)
    response = client.get("/admin/audit?to=yesterday")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert SUMMARY in page
    assert '<li><a href="#f-to">To must be a date like 2026-09-01.</a></li>' in page
    assert 'id="f-to" name="to" type="date" value="yesterday" aria-invalid="true"' in page


def test_import_problems_are_summarised_and_linked_to_the_file_box(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.ADMIN)
    none = client.post("/admin/import", data={}, content_type="multipart/form-data")
    assert none.status_code == 400
    assert '<li><a href="#file">Choose a CSV file.</a></li>' in none.get_data(as_text=True)
    bad = "UPN,Legal Forename,Legal Surname,DOB,Reg Group\nX,A,B,1/1/1900,Nope\n"
    data = {"file": (io.BytesIO(bad.encode()), "export.csv")}
    response = client.post("/admin/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert SUMMARY in page
    assert '<li><a href="#file">Nothing was imported: ' in page
    box = 'id="file" name="file" type="file" accept=".csv,.txt,text/csv,text/plain"'
    assert f'{box} aria-invalid="true"' in page
