"""The admin chooses the files a school office really has: Excel's plain "CSV (Comma
delimited)" (Windows-1252, not UTF-8) and "Unicode Text" (UTF-16) import with their names
right, an Excel workbook is named as one with what to do, and a refused import is in the audit
log (the policy audits every action) while nothing of the file is imported."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.pupils.importer import make_upn
from classroom.pupils.models import Pupil
from tests.factories import make_class, make_pupil

ZOE = make_upn("823100000021")
SIAN = make_upn("823100000022")
HEADER = "UPN,Legal Forename,Legal Surname,DOB,Reg Group\r\n"
WORKBOOK = (
    "This is an Excel workbook, not a CSV file. In Excel, choose File > Save As > "
    "CSV UTF-8 (Comma delimited), then choose that file."
)


def _upload(
    client: FlaskClient, raw: bytes, name: str = "export.csv", token: str | None = None
) -> Any:
    """The form as a browser posts it, built here: over 500 KB, the test client's own builder
    leaves a temporary file open (a ResourceWarning, an error under filterwarnings)."""
    boundary = "----import-walk"
    field = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        if token is not None
        else ""
    )
    body = (
        (
            f'{field}--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="{name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        ).encode()
        + raw
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        "/admin/import",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _refusals(session: Session) -> list[str]:
    query = select(AuditEvent.summary).where(AuditEvent.action == "pupils.import_refused")
    return list(session.scalars(query.order_by(AuditEvent.id)))


def _pupils(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Pupil)) or 0


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig"])
def test_a_file_excel_saved_as_plain_csv_imports_with_the_names_right(
    client: FlaskClient, login_as: Callable[..., Account], session: Session, encoding: str
) -> None:
    """Excel's "CSV (Comma delimited)" is Windows-1252: Zoe's diaeresis is one byte, 0xEB."""
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = HEADER + f"{ZOE},Zo\u00eb,Ng,14/03/2011,Oak\r\n{SIAN},Si\u00e2n,Jones,02/07/2012,Oak\r\n"
    response = _upload(client, body.encode(encoding))
    assert response.status_code == 200, response.text
    assert "Imported: 2 new pupils" in response.text
    names = session.scalars(select(Pupil.first_name).order_by(Pupil.id))
    assert list(names) == ["Zo\u00eb", "Si\u00e2n"]


def test_a_file_excel_for_mac_saved_as_csv_macintosh_imports_with_the_names_right(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """Excel for Mac's "CSV (Macintosh)": lines end in CR alone, and it is Mac Roman (Zoe's
    diaeresis is 0x91 there; read as Windows-1252 it would be a curly quote)."""
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = HEADER + f"{ZOE},Zo\u00eb,Ng,14/03/2011,Oak\r\n{SIAN},Si\u00e2n,Jones,02/07/2012,Oak"
    response = _upload(client, body.replace("\r\n", "\r").encode("mac_roman"))
    assert response.status_code == 200, response.text
    names = session.scalars(select(Pupil.first_name).order_by(Pupil.id))
    assert list(names) == ["Zo\u00eb", "Si\u00e2n"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_file_excel_saved_as_unicode_text_imports_with_the_names_right(
    client: FlaskClient, login_as: Callable[..., Account], session: Session, codec: str
) -> None:
    """Excel's "Unicode Text": UTF-16 after its byte-order mark, with tabs between cells."""
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = HEADER + f"{ZOE},Zo\u00eb,Ng,14/03/2011,Oak\r\n{SIAN},Si\u00e2n,Jones,02/07/2012,Oak\r\n"
    response = _upload(client, ("\ufeff" + body.replace(",", "\t")).encode(codec))
    assert response.status_code == 200, response.text
    assert "Imported: 2 new pupils" in response.text
    names = session.scalars(select(Pupil.first_name).order_by(Pupil.id))
    assert list(names) == ["Zo\u00eb", "Si\u00e2n"]


@pytest.mark.parametrize(
    "raw",
    [
        b"\x80\x00bad",  # not UTF-8, and a NUL: no text file
        b"\xff\xfe\x00\xd8,\x00",  # UTF-16's mark, then half a pair
        b"\xff\xfeU\x00\x00\x00",  # UTF-16's mark, then a NUL
        b"UPN,Legal Forename\r\n\x81\x8d,x\r\n",  # bytes Windows-1252 leaves unused
    ],
)
def test_bytes_that_are_no_text_are_still_refused(
    client: FlaskClient, login_as: Callable[..., Account], session: Session, raw: bytes
) -> None:
    login_as(Role.ADMIN)
    response = _upload(client, raw)
    assert response.status_code == 400
    assert "The file is not UTF-8 text. Export it as CSV (UTF-8)." in response.text
    assert _refusals(session) == ["nothing imported: not text"]


def test_an_excel_workbook_is_named_with_what_to_do_instead(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    login_as(Role.ADMIN)
    workbook = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + bytes(range(256)) * 4
    response = _upload(client, workbook, "export.xlsx")
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert WORKBOOK in page
    assert "not UTF-8" not in page
    # Linked to the file box, as every problem with the chosen file is.
    assert 'href="#file"' in response.text
    assert 'aria-describedby="file-error"' in response.text
    assert _refusals(session) == ["nothing imported: an Excel workbook, not a CSV file"]


def test_a_file_with_problems_is_audited_and_nothing_of_it_is_imported(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """The page promises "If any row is wrong, nothing is imported": the refusal's audit entry
    is kept through the 422, and the good rows with it are not."""
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Lena", upn=SIAN).active = False
    session.commit()
    login_as(Role.ADMIN)
    before = _pupils(session)
    body = (
        HEADER
        + f"{ZOE},Zo\u00eb,Ng,14/03/2011,Oak\r\n"  # a good row
        + f"{SIAN},Si\u00e2n,Jones,02/07/2012,Oak\r\n"  # a pupil recorded as having left
        + "BAD,Ben,Taylor,02/07/2010,Pine\r\n"  # a bad UPN and no such class
    )
    response = _upload(client, body.encode("utf-8"))
    assert response.status_code == 422
    assert "Nothing was imported: 3 problems in the file" in response.text
    assert _pupils(session) == before
    assert session.scalar(select(Pupil.id).where(Pupil.upn == ZOE)) is None
    assert _refusals(session) == ["nothing imported: 3 problems in the file"]
    # The summary names nobody and holds nothing of the file.
    assert not {"Lena", "Si\u00e2n", "Zo\u00eb", "Ben", ZOE, SIAN} & set(
        _refusals(session)[0].replace(":", " ").split()
    )


@pytest.mark.parametrize(
    ("raw", "name", "status", "why"),
    [
        (b"", "", 400, "no file chosen"),
        (b"x" * (1024 * 1024 + 1), "export.csv", 413, "larger than 1 MB"),
    ],
)
def test_a_file_refused_before_it_is_read_is_audited(
    client: FlaskClient,
    login_as: Callable[..., Account],
    session: Session,
    raw: bytes,
    name: str,
    status: int,
    why: str,
) -> None:
    login_as(Role.ADMIN)
    response = _upload(client, raw, name)
    assert response.status_code == status
    assert _refusals(session) == [f"nothing imported: {why}"]


def test_a_file_over_the_apps_own_limit_gets_the_import_pages_advice(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """A whole-school export with photos can be 3 MB: the admin is told on the import page to
    split it, not shown a bare "That is too big" page with nowhere to go."""
    login_as(Role.ADMIN)
    app.config["WTF_CSRF_ENABLED"] = True
    token = _token(client)
    response = _upload(client, b"x" * (3 * 1024 * 1024), token=token)
    assert response.status_code == 413
    page = html.unescape(response.get_data(as_text=True))
    assert "Import pupils and carers" in page
    assert "The file is larger than 1 MB; split it into smaller files." in page
    assert _refusals(session) == ["nothing imported: larger than 1 MB"]


def test_the_import_still_needs_the_pages_token(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    app.config["WTF_CSRF_ENABLED"] = True
    good = (HEADER + f"{ZOE},Zoe,Brown,01/02/2010,Oak\r\n").encode()
    forged = _upload(client, good, token="not-the-token")
    assert forged.status_code == 400
    assert _pupils(session) == 0
    imported = _upload(client, good, token=_token(client))
    assert imported.status_code == 200, imported.get_data(as_text=True)
    assert _pupils(session) == 1


def _token(client: FlaskClient) -> str:
    page = client.get("/admin/import").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)
