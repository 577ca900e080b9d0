"""A pupil known by another name than their legal first name ("Mohammed" known as "Mo"): the
governors' review scrubs that name too, the MIS import reads it, staff set and clear it on the
pupil's settings, and the pupil's tile and home say the name the pupil answers to."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.accounts.passwords import hash_password
from classroom.audit.models import AuditEvent
from classroom.audit.services import record
from classroom.devices.web import cookie_name
from classroom.pupils.importer import make_upn
from classroom.pupils.models import Pupil, SchoolClass
from classroom.review.services import _scrubber
from tests.factories import make_account, make_class, make_device, make_pupil

MO = make_upn("823100000021")
AMY = make_upn("823100000022")
HEADER = "UPN,Legal Forename,Preferred Forename,Legal Surname,DOB,Reg Group\r\n"
SETTINGS = {
    "pathway": "semi_formal",
    "tile_symbol": "1F98A",
    "symbol_size": "large",
    "speech_rate": "150",
    "scanning": "off",
    "scan_interval_ms": "1500",
}
HINT = "The name the pupil answers to, if not their first name. Shown on their tile and said aloud."


# --- The governors' review -------------------------------------------------------------------


def test_the_review_scrubs_the_name_a_pupil_is_known_by(session: Session) -> None:
    """A DSL writes of the child as everyone calls him: "Mo" reached the governors."""
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Mohammed", last_name="Khan", known_as="Mo")
    make_pupil(session, oak, first_name="Alexandra", last_name="Price", known_as="Lexi")
    scrub = _scrubber(session, oak.school_id)

    out = scrub("Mo said Lexi pushed him. MO's mum rang; Lex (LP) was upset. The model helped.")

    for leak in ("Mo ", "MO", "Lexi", "Lex ", "LP"):
        assert leak not in out, out
    assert out.startswith("[name] said [name] pushed him.")
    assert "[initials]" in out
    assert "The model helped." in out  # a word that only starts with the name stays


# --- The MIS import -----------------------------------------------------------------------------


def _upload(client: FlaskClient, body: str) -> Any:
    data = {"file": (io.BytesIO(body.encode("utf-8-sig")), "export.csv")}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


def _summaries(session: Session) -> list[str]:
    query = select(AuditEvent.summary).where(AuditEvent.action == "pupils.imported")
    return list(session.scalars(query.order_by(AuditEvent.id)))


def _pupil(session: Session, upn: str) -> Pupil:
    pupil = session.scalar(select(Pupil).where(Pupil.upn == upn))
    assert pupil is not None
    session.refresh(pupil)
    return pupil


def test_the_import_reads_the_preferred_forename_and_reports_a_change(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    # Most MIS fill the preferred forename with the legal one: that is no other name.
    body = HEADER + f"{MO},Mohammed,Mo,Khan,14/03/2011,Oak\r\n{AMY},Amy,Amy,Ng,02/07/2012,Oak\r\n"
    assert "Imported: 2 new pupils" in _upload(client, body).text
    assert _pupil(session, MO).known_as == "Mo"
    assert _pupil(session, AMY).known_as is None

    again = _upload(client, body)  # the same file again changes nothing
    assert "Imported: 0 new pupils, 2 updated" in again.text
    assert "; pupil" not in _summaries(session)[-1]

    _upload(client, body.replace(",Mo,", ",Moe,"))
    mo = _pupil(session, MO)
    assert mo.known_as == "Moe"
    assert f"pupil {mo.id}: known as" in _summaries(session)[-1]


def test_a_file_without_the_column_or_with_the_legal_name_there_keeps_what_staff_set(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(
        session,
        oak,
        upn=MO,
        first_name="Mohammed",
        last_name="Khan",
        known_as="Mo",
        date_of_birth=date(2011, 3, 14),
    )
    login_as(Role.ADMIN)
    plain = "UPN,Legal Forename,Legal Surname,DOB,Reg Group\r\n"
    kept = "Mohammed Khan is still known as Mo (the file gives no other name)."
    no_column = _upload(client, plain + f"{MO},Mohammed,Khan,14/03/2011,Oak\r\n")
    assert _pupil(session, MO).known_as == "Mo"
    assert kept not in no_column.text  # an MIS that sends no preferred names says nothing
    legal_there = _upload(client, HEADER + f"{MO},Mohammed,Mohammed,Khan,14/03/2011,Oak\r\n")
    assert _pupil(session, MO).known_as == "Mo"
    # The office that cleared "Mo" in the MIS is told the tile still shows it, and where to go.
    assert "1 known-as name kept" in legal_there.text
    assert kept in legal_there.text
    assert "To stop it, clear Known as on Mohammed&#39;s settings." in legal_there.text
    assert "; pupil" not in "".join(_summaries(session))


def test_a_file_whose_only_forename_is_the_preferred_one_sets_no_known_as(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = "UPN,Preferred Forename,Surname,DOB,Reg Group\r\n" + f"{MO},Mo,Khan,14/03/2011,Oak\r\n"
    assert _upload(client, body).status_code == 200
    mo = _pupil(session, MO)
    assert (mo.first_name, mo.known_as) == ("Mo", None)


def test_a_known_as_over_80_characters_is_a_problem_on_its_line(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    body = "UPN,Forename,Known As,Surname,DOB,Reg Group\r\n"
    response = _upload(client, body + f"{MO},Mohammed,{'M' * 81},Khan,14/03/2011,Oak\r\n")
    assert response.status_code == 422
    assert "preferred forename (known as) is at most 80 characters" in response.text
    assert session.scalar(select(Pupil.id)) is None


# --- Staff set it on the pupil's settings ------------------------------------------------------


def test_staff_set_and_clear_the_name_a_pupil_is_known_by(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Mohammed", last_name="Khan")
    login_as(Role.TEACHER, classes=[oak])
    page = client.get(f"/pupils/{pupil.id}/settings").text
    assert '<label for="known_as">Known as (optional)</label>' in page
    assert HINT in page

    saved = client.post(f"/pupils/{pupil.id}/settings", data={**SETTINGS, "known_as": " Mo "})

    assert saved.status_code == 302
    session.refresh(pupil)
    assert pupil.known_as == "Mo"
    changed = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "pupil.settings_changed")
    ).all()
    assert len(changed) == 1
    assert "known_as" in changed[0]
    assert "<h1>Mohammed Khan, known as Mo" in client.get(f"/pupils/{pupil.id}").text
    assert "Settings for Mohammed Khan, known as Mo" in client.get(
        f"/pupils/{pupil.id}/settings"
    ).text
    # A page from before the box existed leaves the name as it is.
    client.post(f"/pupils/{pupil.id}/settings", data=SETTINGS)
    session.refresh(pupil)
    assert pupil.known_as == "Mo"

    client.post(f"/pupils/{pupil.id}/settings", data={**SETTINGS, "known_as": ""})
    session.refresh(pupil)
    assert pupil.known_as is None


def test_a_known_as_too_long_is_refused_and_given_back(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Mohammed")
    login_as(Role.TEACHER, classes=[oak])
    typed = "M" * 81
    response = client.post(f"/pupils/{pupil.id}/settings", data={**SETTINGS, "known_as": typed})
    assert response.status_code == 400
    assert "Known as must be 80 characters or fewer" in response.text
    assert typed in response.text
    session.refresh(pupil)
    assert pupil.known_as is None


# --- The pupil's tile and home ----------------------------------------------------------------


def _ipad(app: Flask, session: Session, school_class: SchoolClass) -> FlaskClient:
    ipad = app.test_client()
    _device, token = make_device(session, school_class)
    session.commit()
    ipad.set_cookie(cookie_name(), token)
    return ipad


def test_the_tile_and_the_pupils_home_say_the_name_they_answer_to(
    app: Flask, session: Session
) -> None:
    oak = make_class(session)
    mo = make_pupil(session, oak, first_name="Mohammed", last_name="Khan", known_as="Mo")
    make_pupil(session, oak, first_name="Amy", last_name="Ng")
    make_pupil(session, oak, first_name="Zachary", last_name="Ng", known_as="Ace")
    ipad = _ipad(app, session, oak)

    tiles = ipad.get("/class-ipad").text
    assert "Mohammed" not in tiles
    assert "Khan" not in tiles
    assert "Mo" in tiles
    assert "Amy" in tiles  # no other name: the first name, as before
    # In the order of the names on them: Ace (Zachary) first, not last.
    assert tiles.index("Ace") < tiles.index("Amy") < tiles.index(">Mo<")

    ipad.post(f"/class-ipad/pupils/{mo.id}")
    home = ipad.get("/pupil/").text
    assert "<title>Hello Mo" in home
    assert "Hello Mo" in home.split("<main", 1)[1]
    assert "Mohammed" not in home  # the name bar above the page too (pupil_base.html)


def test_the_picture_password_screen_says_the_name_they_answer_to(
    app: Flask, session: Session
) -> None:
    oak = make_class(session)
    mo = make_pupil(
        session,
        oak,
        first_name="Mohammed",
        known_as="Mo",
        picture_password_hash=hash_password("1F431,1F436"),
        picture_password_length=2,
    )
    ipad = _ipad(app, session, oak)
    ipad.get("/class-ipad")
    screen = ipad.post(f"/class-ipad/pupils/{mo.id}", follow_redirects=True).text
    assert "<title>Your pictures, Mo" in screen
    assert "Mohammed" not in screen


def test_the_audit_log_finds_a_pupil_by_the_name_they_are_known_by(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    """Staff say "Lexi": the head looking up what was done about her finds it by that name."""
    oak = make_class(session)
    lexi = make_pupil(session, oak, first_name="Alexandra", last_name="Khan", known_as="Lexi")
    amy = make_pupil(session, oak, first_name="Amy", last_name="Ng")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    for pupil in (lexi, amy):
        record(session, teacher, "pupil.viewed", pupil, f"seen {pupil.first_name}")
    session.commit()
    login_as(Role.HEADTEACHER)
    page = client.get("/admin/audit?about=lexi").text
    assert "seen Alexandra" in page
    assert "seen Amy" not in page
