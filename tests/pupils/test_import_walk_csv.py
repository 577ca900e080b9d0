"""The admin imports the MIS export as Excel saves it, and staff then rely on what was imported:
a file with semicolons between columns is read, a missing column is named as the page names it,
the same file again doubles nothing, a change of class is audited with what changed, a pupil
recorded as left is named rather than quietly updated, and two pupils of one name in a class
are told apart on staff home."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.pupils.importer import make_upn
from classroom.pupils.models import Pupil
from tests.factories import make_class, make_pupil

ZOE = make_upn("823100000011")
SIAN = make_upn("823100000012")
HEADER = "UPN,Legal Forename,Legal Surname,DOB,Reg Group\r\n"


def _upload(client: FlaskClient, body: str) -> Any:
    data = {"file": (io.BytesIO(body.encode("utf-8-sig")), "export.csv")}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def _summaries(session: Session) -> list[str]:
    query = select(AuditEvent.summary).where(AuditEvent.action == "pupils.imported")
    return list(session.scalars(query.order_by(AuditEvent.id)))


def test_a_file_excel_saved_with_semicolons_is_imported(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """Excel set to a European region saves "CSV" with semicolons, with a BOM and CRLF."""
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = (
        "upn;DOB;Reg Group;Legal Surname;Legal Forename;;\r\n"
        f"{ZOE};14/03/2011;Oak;Ng;Zo\u00eb;;\r\n"
        f'{SIAN};02/07/2012;Oak;"Jones; Evans";Si\u00e2n;;\r\n'
        ";;;;;;\r\n"
    )
    response = _upload(client, body)
    assert response.status_code == 200, response.text
    assert "Imported: 2 new pupils" in response.text
    names = session.scalars(select(Pupil.first_name + " " + Pupil.last_name).order_by(Pupil.id))
    assert list(names) == ["Zo\u00eb Ng", "Si\u00e2n Jones; Evans"]


def test_a_missing_column_is_named_as_the_page_names_it(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    response = _upload(client, "UPN,Forename,Surname,Class\r\n" + f"{ZOE},Zoe,Ng,Oak\r\n")
    assert response.status_code == 422
    assert "missing column(s): &#39;DOB&#39;" in response.text
    assert "Dob" not in response.text


def test_the_same_file_again_doubles_nothing_and_a_new_class_is_audited(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    make_class(session, name="Ash")
    login_as(Role.ADMIN)
    body = HEADER + f"{ZOE},Zoe,Ng,14/03/2011,Oak\r\n{SIAN},Sian,Jones,02/07/2012,Oak\r\n"
    assert "Imported: 2 new pupils, 0 updated" in _upload(client, body).text
    again = _upload(client, body)
    assert again.status_code == 200
    assert "Imported: 0 new pupils, 2 updated" in again.text
    moved = _upload(client, body.replace("2012,Oak", "2012,Ash"))
    assert moved.status_code == 200
    sian = session.scalar(select(Pupil).where(Pupil.upn == SIAN))
    assert sian is not None
    assert len(list(session.scalars(select(Pupil.id)))) == 2  # nothing doubled
    last = _summaries(session)[-1]
    assert f"pupil {sian.id}: class Oak to Ash" in last
    assert "; pupil" not in _summaries(session)[1]  # the same file again changed no one


def test_two_pupils_of_one_name_in_a_class_are_told_apart_on_staff_home(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Amira", last_name="Khan", date_of_birth=date(2011, 3, 14))
    make_pupil(session, oak, first_name="Amira", last_name="Khan", date_of_birth=date(2012, 7, 2))
    make_pupil(session, oak, first_name="Ben", last_name="Ng", date_of_birth=date(2012, 1, 5))
    login_as(Role.TEACHER, classes=[oak])
    page = client.get("/pupils/").text
    assert "Amira Khan</a> (born 14 Mar 2011)" in page
    assert "Amira Khan</a> (born 2 Jul 2012)" in page
    assert "Ben Ng</a></td>" in page  # a name of its own needs nothing more


def test_a_pupil_recorded_as_left_is_named_and_nothing_is_imported(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """The MIS has them on roll again; here they stay off their class until the office says
    they are back: the import says so, rather than 'updated' with the pupil still missing."""
    oak, ash = make_class(session, name="Oak"), make_class(session, name="Ash")
    make_pupil(session, oak, upn=ZOE, first_name="Zoe", last_name="Ng", active=False)
    login_as(Role.ADMIN)
    body = HEADER + f"{SIAN},Sian,Jones,02/07/2012,Oak\r\n{ZOE},Zoe,Ng,14/03/2011,Ash\r\n"
    response = _upload(client, body)
    assert response.status_code == 422
    assert "<td>3</td>" in response.text
    assert f"UPN {ZOE} is Zoe Ng, recorded as having left the school" in response.text
    assert "Back at the school" in response.text
    zoe = session.scalar(select(Pupil).where(Pupil.upn == ZOE))
    assert zoe is not None
    assert zoe.class_id == oak.id != ash.id
    assert session.scalar(select(Pupil).where(Pupil.upn == SIAN)) is None  # none of the file
