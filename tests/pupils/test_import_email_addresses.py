"""The MIS import checks each carer's email address as every other form does: a domain in other
alphabets is kept in IDNA (so the carer's emails arrive, and the same carer is found again),
and an address no email can reach is a problem on its row, saying why; nothing is imported."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.parents import delivery
from classroom.pupils.importer import make_upn
from classroom.pupils.models import ParentLink, Pupil
from tests.factories import make_account, make_class

HEADER = (
    "UPN,Legal Forename,Legal Surname,DOB,Reg Group,"
    "Contact 1 Name,Contact 1 Email,Contact 1 Relationship\n"
)
NAME_REFUSED = "Emails from school cannot reach an address with accents or other alphabets"
DOMAIN_REFUSED = "The part after the @ is not a domain emails can be sent to."
READ_TWO_WAYS = "Emails from school could go to the wrong place with this domain"
AMIRA = make_upn("823100000001")
BEN = make_upn("823100000002")


def _upload(client: FlaskClient, body: str) -> Any:
    data = {"file": (io.BytesIO(body.encode()), "export.csv")}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def _carers(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).where(Account.role == Role.PARENT)))


def test_a_carer_with_an_accented_domain_is_imported_with_an_address_emails_reach(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = HEADER + f"{AMIRA},Amira,Khan,14/03/2011,Oak,Sara Khan, Sara@EXÄMPLE.co.uk ,Mother\n"
    response = _upload(client, body)
    assert response.status_code == 200, response.text
    [sara] = _carers(session)
    # Held until she confirms it (tests/admin/test_carer_accounts_held.py).
    assert delivery.waiting_address(session, sara) == "sara@xn--exmple-cua.co.uk"
    # The next export names her the same way: she is found again, not made twice.
    again = body + f"{BEN},Ben,Khan,02/07/2012,Oak,Sara Khan,sara@exämple.co.uk,Mother\n"
    assert _upload(client, again).status_code == 200
    assert [c.id for c in _carers(session)] == [sara.id]
    assert session.scalar(select(func.count()).select_from(ParentLink)) == 2


def test_a_carer_who_joined_with_the_accented_domain_is_the_one_connected(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """She typed her address when she joined (stored in IDNA); the MIS has it as she writes it."""
    make_class(session, name="Oak")
    joined = make_account(session, Role.PARENT, email="sara@xn--exmple-cua.co.uk")
    session.commit()
    login_as(Role.ADMIN)
    body = HEADER + f"{AMIRA},Amira,Khan,14/03/2011,Oak,Sara Khan,sara@exämple.co.uk,Mother\n"
    assert _upload(client, body).status_code == 200
    assert [c.id for c in _carers(session)] == [joined.id]
    link = session.scalar(select(ParentLink))
    assert link is not None
    assert link.parent_id == joined.id


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("sarä@example.co.uk", NAME_REFUSED),
        ("sara@exämple..co.uk", DOMAIN_REFUSED),
        ("sara@straße.de", READ_TWO_WAYS),  # IDNA 2003 would send it to strasse.de
        ("sara@ex_ample.com", DOMAIN_REFUSED),
    ],
)
def test_an_address_no_email_can_reach_is_reported_on_its_row_and_nothing_is_imported(
    client: FlaskClient,
    login_as: Callable[..., Account],
    session: Session,
    email: str,
    problem: str,
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = HEADER + (
        f"{AMIRA},Amira,Khan,14/03/2011,Oak,Sara Khan,sara@example.org,Mother\n"
        f"{BEN},Ben,Taylor,02/07/2010,Oak,Jo Taylor,{email},Mother\n"
    )
    response = _upload(client, body)
    assert response.status_code == 422
    page = response.text
    assert "Nothing was imported: 1 problem" in page
    row = page.split("<td>3</td>")[1].split("</tr>")[0]  # Ben's row, line 3 of the file
    assert "contact 1 needs a name and a valid email address" in row
    assert problem in row
    assert email in row  # which address, so the office can find it in the MIS
    assert session.scalar(select(func.count()).select_from(Pupil)) == 0
    assert _carers(session) == []
