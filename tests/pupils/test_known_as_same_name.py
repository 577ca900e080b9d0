"""Two pupils of one class whose tiles would show the same name ("Mo" and "Mo", two "Sam"s):
staff setting a known-as name are refused with the other pupil named, the MIS import warns
naming both, and a class that already has two is pointed out with how to fix it."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from html import unescape
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
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
ALI = make_upn("823100000031")
JONES = make_upn("823100000032")
KHAN = make_upn("823100000033")
HEADER = "UPN,Legal Forename,Preferred Forename,Legal Surname,DOB,Reg Group\r\n"
REFUSED = (
    "Morgan Jones in Oak is already called Mo on the class iPad, so the tiles and Read to me "
    "could not tell them apart. Add an initial, such as Mo A."
)


def _text(html: str) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", "", html).split()))


def _changes(session: Session) -> list[str]:
    query = select(AuditEvent.summary).where(AuditEvent.action == "pupil.settings_changed")
    return list(session.scalars(query.order_by(AuditEvent.id)))


def test_a_known_as_another_pupil_of_the_class_has_is_refused_naming_them(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak, willow = make_class(session, name="Oak"), make_class(session, name="Willow")
    mohammed = make_pupil(session, oak, first_name="Mohammed", last_name="Ali")
    make_pupil(session, oak, first_name="Morgan", last_name="Jones", known_as="Mo")
    # Another class's Mo, and a Mo who has left Oak, are on no tile of Oak's: not named.
    make_pupil(session, willow, first_name="Moira", last_name="Stone", known_as="Mo")
    make_pupil(
        session, oak, first_name="Moses", last_name="Reid", known_as="Mo", active=False,
        left_on=date(2026, 7, 20),
    )  # fmt: skip
    login_as(Role.TEACHER, classes=[oak])
    for typed in ("Mo", " mo "):
        refused = client.post(
            f"/pupils/{mohammed.id}/settings", data={**SETTINGS, "known_as": typed}
        )
        assert refused.status_code == 400
        assert REFUSED in _text(refused.text)
        assert f'value="{typed}"' in refused.text  # what was typed is given back
    session.refresh(mohammed)
    assert mohammed.known_as is None
    assert _changes(session) == []
    # With an initial, as the message says: saved and audited as any setting.
    saved = client.post(f"/pupils/{mohammed.id}/settings", data={**SETTINGS, "known_as": "Mo A"})
    assert saved.status_code == 302
    session.refresh(mohammed)
    assert mohammed.known_as == "Mo A"
    assert any("known_as" in summary for summary in _changes(session))


def test_two_sams_in_a_class_are_pointed_out_until_one_has_a_known_as_name(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session, name="Oak")
    sam_j = make_pupil(session, oak, first_name="Sam", last_name="Jones")
    sam_k = make_pupil(session, oak, first_name="Sam", last_name="Khan")
    make_pupil(session, oak, first_name="Amy", last_name="Ng")
    login_as(Role.TEACHER, classes=[oak])
    # A clash already there never stops a change of speech rate.
    saved = client.post(f"/pupils/{sam_j.id}/settings", data={**SETTINGS, "speech_rate": "120"})
    assert saved.status_code == 302
    session.refresh(sam_j)
    assert sam_j.speech_rate == 120
    home = client.get("/")
    home = client.get(home.location) if home.status_code == 302 else home
    said = _text(home.text)
    assert (
        "The class iPad's tiles show 2 pupils called Sam: Sam Jones and Sam Khan. Read to me "
        "says Sam for each. To tell them apart, set a known-as name no other tile shows on a "
        "pupil's settings (such as Sam J for Sam Jones)."
    ) in said
    assert f'href="/pupils/{sam_j.id}/settings">Sam Jones</a>' in home.text
    settings = _text(client.get(f"/pupils/{sam_k.id}/settings").text)
    assert (
        "The class iPad's tiles show 2 pupils called Sam: Sam Khan and Sam Jones. Read to me "
        "says Sam for each. To tell them apart, set a known-as name no other tile shows, such "
        "as Sam K."
    ) in settings
    assert "pupils called" not in _text(client.get(f"/pupils/{_amy(session)}/settings").text)

    saved = client.post(f"/pupils/{sam_k.id}/settings", data={**SETTINGS, "known_as": "Sam K"})
    assert saved.status_code == 302
    home = client.get("/")
    home = client.get(home.location) if home.status_code == 302 else home
    assert "pupils called" not in home.text
    assert "pupils called" not in client.get(f"/pupils/{sam_j.id}/settings").text


def _amy(session: Session) -> int:
    found = session.scalar(select(Pupil.id).where(Pupil.first_name == "Amy"))
    assert found is not None
    return found


def _upload(client: FlaskClient, body: str) -> Any:
    data = {"file": (io.BytesIO(body.encode("utf-8-sig")), "export.csv")}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def test_the_import_warns_naming_both_pupils_and_imports_all_the_same(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(
        session, oak, upn=JONES, first_name="Morgan", last_name="Jones", known_as="Mo",
        date_of_birth=date(2011, 1, 9),
    )  # fmt: skip
    login_as(Role.ADMIN)
    body = HEADER + (
        f"{KHAN},Sam,,Khan,02/07/2012,Oak\r\n"
        f"{ALI},Mohammed,Mo,Ali,14/03/2011,Oak\r\n"
        f"{make_upn('823100000034')},Sam,Sam,Jones,05/05/2012,Oak\r\n"
    )
    page = _upload(client, body)
    assert page.status_code == 200
    said = _text(page.text)
    assert "Imported: 3 new pupils" in said
    assert "2 names on more than one tile" in said
    rows = unescape(page.text)
    assert (
        "<td>3</td><td>Mohammed Ali and Morgan Jones in Oak are both called Mo on the class "
        "iPad: the tiles and Read to me cannot tell them apart. Give one another known-as name "
        "on their settings page, such as Mo A for Mohammed Ali.</td>"
    ) in rows
    assert "<td>2</td><td>Sam Jones and Sam Khan in Oak are both called Sam on the" in rows
    ali = session.scalar(select(Pupil).where(Pupil.upn == ALI))
    assert ali is not None
    assert ali.known_as == "Mo"
    summary = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "pupils.imported")
    ).one()
    jones = session.scalar(select(Pupil.id).where(Pupil.upn == JONES))
    assert f"same name on tiles: pupils {ali.id}, {jones}" in summary
    # Once staff give Morgan Jones "Mo J", the same file again warns only of the Sams.
    client.post(f"/pupils/{jones}/settings", data={**SETTINGS, "known_as": "Mo J"})
    again = unescape(_upload(client, body).text)
    assert "1 name on more than one tile" in again
    assert "called Mo on" not in again
