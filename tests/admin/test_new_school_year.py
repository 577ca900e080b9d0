"""September, as the admin and the new class teacher: the MIS export moves a class up in one
file, a new pupil joins, and the import page says what happened without a problem box; the
moved pupils' settings, lesson map and records go with them to the new class's teacher and
its class iPad, and the old class's teacher and iPad no longer have them."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.devices.web import cookie_name
from classroom.pupils.importer import make_upn
from classroom.pupils.models import Scanning, SymbolSize
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_device, make_pupil

HEADER = "UPN,Legal Forename,Legal Surname,DOB,Reg Group\r\n"
PROBLEM_BOX = "There is a problem"


def _words(page: str) -> str:
    """The page's words, without tags, each run of spaces one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _upload(client: FlaskClient, body: str) -> Any:
    data = {"file": (io.BytesIO(body.encode("utf-8-sig")), "export.csv")}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def test_the_import_page_shows_no_problem_box_before_or_after_an_import_that_worked(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """An empty red "There is a problem" box (an alert the page moves focus to) on the empty
    page and above "Imported: ..." told the admin something was wrong when nothing was."""
    make_class(session, name="Willow")
    login_as(Role.ADMIN)
    empty = client.get("/admin/import")
    assert empty.status_code == 200
    assert PROBLEM_BOX not in empty.text
    assert "data-error-summary" not in empty.text
    upn = make_upn("823100000031")
    done = _upload(client, HEADER + f"{upn},Noah,Green,11/01/2013,Willow\r\n")
    assert done.status_code == 200
    assert "Imported: 1 new pupil, " in done.text
    assert PROBLEM_BOX not in done.text
    assert 'aria-invalid="true"' not in done.text
    refused = _upload(client, HEADER + "X1,Noah,Green,11/01/2013,Willow\r\n")
    assert refused.status_code == 422
    assert PROBLEM_BOX in refused.text  # a real problem still has its box


def test_a_class_moves_up_in_one_file_and_everything_goes_with_the_pupils(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak, willow = make_class(session, name="Oak"), make_class(session, name="Willow")
    old_teacher = make_account(session, Role.TEACHER, classes=[oak])
    new_teacher = make_account(session, Role.TEACHER, classes=[willow])
    both_ta = make_account(session, Role.TEACHING_ASSISTANT, classes=[oak, willow])
    moving = [
        make_pupil(
            session,
            oak,
            first_name=f"Mover{n}",
            symbol_size=SymbolSize.EXTRA_LARGE,
            scanning=Scanning.AUTO,
            voice="gmw/en-gb-scotland",
        )  # fmt: skip
        for n in range(30)
    ]
    staying = make_pupil(session, oak, first_name="Stayer")
    _, oak_token = make_device(session, oak, "Oak iPad")
    _, willow_token = make_device(session, willow, "Willow iPad")
    session.commit()
    login_as(Role.ADMIN)
    rows = "".join(f"{p.upn},{p.first_name},{p.last_name},01/05/2011,Willow\r\n" for p in moving)
    moved = _upload(client, HEADER + rows)
    assert moved.status_code == 200, moved.text
    assert "Imported: 0 new pupils, 30 updated" in moved.text

    ben = moving[0]
    session.expire_all()
    assert {p.class_id for p in moving} == {willow.id}
    assert (ben.symbol_size, ben.scanning, ben.voice) == (
        SymbolSize.EXTRA_LARGE, Scanning.AUTO, "gmw/en-gb-scotland",
    )  # fmt: skip

    new = client_for(app, new_teacher)
    home = new.get("/pupils/").text
    assert "Mover0" in home
    assert "Stayer" not in home
    assert new.get(f"/pupils/{ben.id}").status_code == 200
    assert "follows Willow's class map" in _words(new.get(f"/pupils/{ben.id}/lessons").text)
    assert new.get(f"/assessment/pupils/{ben.id}").status_code == 200
    assert new.get(f"/pupils/{staying.id}").status_code == 404

    old = client_for(app, old_teacher)
    assert "Mover0" not in old.get("/pupils/").text
    for path in (f"/pupils/{ben.id}", f"/pupils/{ben.id}/lessons", f"/assessment/pupils/{ben.id}"):
        assert old.get(path).status_code == 404, path

    oak_ipad, willow_ipad = app.test_client(), app.test_client()
    oak_ipad.set_cookie(cookie_name(), oak_token)
    willow_ipad.set_cookie(cookie_name(), willow_token)
    oak_tiles, willow_tiles = oak_ipad.get("/class-ipad").text, willow_ipad.get("/class-ipad").text
    assert "Mover0" not in oak_tiles
    assert "Stayer" in oak_tiles
    assert "Mover0" in willow_tiles
    assert "Stayer" not in willow_tiles

    ta = client_for(app, both_ta)
    assert ta.get(f"/pupils/{ben.id}").status_code == 200
    assert ta.get(f"/pupils/{staying.id}").status_code == 200
