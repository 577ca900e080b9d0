"""The name suggested when a known-as name is refused because another pupil of the class is
called it: one that really tells them apart (more of the surname when the initial is there
already, "Mo Al", never "Mo A A"), that no other tile of the class shows, and not what was
typed. The import's warning line suggests the same way."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from html import unescape
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.pupils.importer import make_upn
from classroom.pupils.models import Pupil
from tests.factories import make_class, make_pupil

SETTINGS = {
    "pathway": "semi_formal",
    "tile_symbol": "1F98A",
    "symbol_size": "large",
    "speech_rate": "150",
    "scanning": "off",
    "scan_interval_ms": "1500",
}
HEADER = "UPN,Legal Forename,Preferred Forename,Legal Surname,DOB,Reg Group\r\n"


def _text(html: str) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", "", html).split()))


def _known_as(client: FlaskClient, pupil: Pupil, typed: str) -> Any:
    return client.post(f"/pupils/{pupil.id}/settings", data={**SETTINGS, "known_as": typed})


def test_a_name_that_ends_in_the_initial_already_is_told_apart_by_more_of_the_surname(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session, name="Oak")
    mohammed = make_pupil(session, oak, first_name="Mohammed", last_name="Ali")
    make_pupil(session, oak, first_name="Morris", last_name="Adams", known_as="Mo A")
    login_as(Role.TEACHER, classes=[oak])
    for typed in ("Mo A", "mo a "):
        refused = _known_as(client, mohammed, typed)
        assert refused.status_code == 400
        said = _text(refused.text)
        assert (
            "Morris Adams in Oak is already called Mo A on the class iPad, so the tiles and Read "
            "to me could not tell them apart. Add more of the surname, such as Mo Al."
        ) in said
        assert "Mo A A" not in said
    # What it suggests is taken as it is.
    assert _known_as(client, mohammed, "Mo Al").status_code == 302
    session.refresh(mohammed)
    assert mohammed.known_as == "Mo Al"


def test_the_suggestion_is_never_another_pupils_name_nor_what_was_typed(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session, name="Oak")
    mohammed = make_pupil(session, oak, first_name="Mohammed", last_name="Ali")
    make_pupil(session, oak, first_name="Morgan", last_name="Jones", known_as="Mo")
    make_pupil(session, oak, first_name="Morris", last_name="Adams", known_as="Mo A")
    make_pupil(session, oak, first_name="Moses", last_name="Allen", known_as="Mo Al")
    login_as(Role.TEACHER, classes=[oak])
    # "Mo A" and "Mo Al" are Morris's and Moses's tiles: the suggestion is neither.
    refused = _text(_known_as(client, mohammed, "Mo").text)
    assert "Morgan Jones in Oak is already called Mo on the class iPad" in refused
    assert "Add more of the surname, such as Mo Ali." in refused
    for clash in ("Mo A", "Mo Al"):
        refused = _text(_known_as(client, mohammed, clash).text)
        assert "such as Mo Ali." in refused, clash
    # Everything the surname gives is taken: no suggestion, and no clash offered instead.
    make_pupil(session, oak, first_name="Molly", last_name="Alibhai", known_as="Mo Ali")
    session.commit()
    refused = _text(_known_as(client, mohammed, "Mo Ali").text)
    assert "Molly Alibhai in Oak is already called Mo Ali on the class iPad" in refused
    assert "Choose a name no other pupil in Oak is called." in refused
    assert "such as" not in refused


def _upload(client: FlaskClient, body: str) -> Any:
    data = {"file": (io.BytesIO(body.encode("utf-8-sig")), "export.csv")}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def test_the_imports_line_for_two_of_one_name_with_an_initial_suggests_more_of_the_surname(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = HEADER + (
        f"{make_upn('823100000041')},Mohammed,Mo A,Ali,14/03/2011,Oak\r\n"
        f"{make_upn('823100000042')},Morris,Mo A,Adams,02/07/2012,Oak\r\n"
    )
    page = _upload(client, body)
    assert page.status_code == 200
    said = _text(page.text)
    assert (
        "Morris Adams and Mohammed Ali in Oak are both called Mo A on the class iPad: the tiles "
        "and Read to me cannot tell them apart. Give one another known-as name on their "
        "settings page, such as Mo Ad for Morris Adams."
    ) in said
    assert "Mo A A" not in said
