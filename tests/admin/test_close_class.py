"""July, as the admin: last year's leavers' class cannot be removed (their records point at
it), so it is closed. It leaves every class list and picker (the class iPads' enrolment, symbols,
maps, progress), while each leaver stays reachable from staff home for those who see the school.
A class somebody is still in is not closed, saying who; a closed class is reopened by a person,
never by an import. Each change, and each refusal, is in the audit log."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.devices.services import create_enrolment_link
from classroom.pupils.importer import make_upn
from classroom.pupils.models import Pupil, SchoolClass
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_device, make_pupil

HEADER = "UPN,Legal Forename,Legal Surname,DOB,Reg Group\r\n"


def _words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _audit(session: Session, action: str) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent.summary).where(AuditEvent.action == action)))


def _leavers_class(session: Session) -> tuple[SchoolClass, list[Pupil]]:
    """Leavers 2026: both its pupils left in July."""
    leavers = make_class(session, name="Leavers 2026")
    gone = [
        make_pupil(session, leavers, first_name=name, active=False, left_on=date(2026, 7, 22))
        for name in ("Zara", "Yusuf")
    ]
    return leavers, gone


def test_a_class_whose_pupils_have_all_left_is_closed_and_leaves_every_class_list(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    leavers, (zara, _) = _leavers_class(session)
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Ava")
    head = make_account(session, Role.HEADTEACHER)
    login_as(Role.ADMIN)
    page = client.get("/admin/classes").text
    assert f'id="close-{leavers.id}"' in page
    assert f'id="close-{oak.id}"' not in page  # Ava is in Oak now: it is never offered

    done = client.post(f"/admin/classes/{leavers.id}/close")

    assert done.status_code == 302
    page = client.get(done.headers["Location"]).text
    words = _words(page)
    assert "The class was closed." in words
    assert "Leavers 2026: closed" in words
    assert "2 pupils who have left" in words
    assert f'id="reopen-{leavers.id}"' in page
    # Its working card has gone: no staff to add, no name to change, nothing to close again.
    for gone in ("add", "rename", "close", "remove"):
        assert f'id="{gone}-{leavers.id}"' not in page, gone
    assert _audit(session, "class.closed") == ["Leavers 2026"]
    # Off every class list and picker: the class iPads' enrolment, symbols, printing.
    for path in ("/class-ipads/", "/symbols/choose", "/symbols/text"):
        listed = client_for(app, head).get(path)
        assert listed.status_code == 200, path
        assert "Leavers 2026" not in listed.text, path
    # Its progress and class map are no class's any more; its leavers' records are kept, and
    # the head reaches them from staff home, under Closed classes.
    seeing = client_for(app, head)
    for path in (f"/assessment/classes/{leavers.id}", f"/classes/{leavers.id}/lessons"):
        assert seeing.get(path).status_code == 404, path
    home = seeing.get("/pupils/").text
    closed = home[home.index('id="closed-classes"') :]
    assert "Leavers 2026 (closed" in _words(closed)
    assert f'href="/pupils/{zara.id}"' in closed
    assert "Leavers 2026 e-safety progress" not in home
    assert seeing.get(f"/pupils/{zara.id}").status_code == 200


def test_a_class_somebody_is_still_in_is_not_closed_saying_who_and_the_refusal_is_audited(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    with_pupil = make_class(session, name="Ash")
    make_pupil(session, with_pupil)
    with_staff, _ = _leavers_class(session)
    make_account(session, Role.TEACHER, classes=[with_staff], display_name="Ms Reed")
    with_ipad = make_class(session, name="Cedar")
    make_device(session, with_ipad, "Cedar iPad 1")
    with_link = make_class(session, name="Damson")
    create_enrolment_link(session, None, with_link, "Damson iPad", now=utcnow(), link_hours=24)
    login_as(Role.ADMIN)
    for school_class, why in (
        (with_pupil, "1 pupil in it now"),
        (with_staff, "staff working in it (Ms Reed): take them off it first"),
        (with_ipad, "class iPads or iPad enrolment links in use: retire them on Class iPads"),
        (with_link, "class iPads or iPad enrolment links in use"),
    ):
        refused = client.post(f"/admin/classes/{school_class.id}/close")
        assert refused.status_code == 400
        assert f"{school_class.name} cannot be closed: it has {why}" in _words(refused.text)
        assert f'id="close-{school_class.id}-error"' in refused.text
    session.expire_all()
    assert session.scalars(select(SchoolClass.closed_on)).all() == [None] * 4
    refusals = _audit(session, "class.close_refused")
    assert [r.split(":")[0] for r in refusals] == ["Ash", "Leavers 2026", "Cedar", "Damson"]


def test_a_closed_class_takes_no_one_until_a_person_reopens_it(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    leavers, (zara, _) = _leavers_class(session)
    teacher = make_account(session, Role.TEACHER, display_name="Mr Cole")
    login_as(Role.ADMIN)
    assert client.post(f"/admin/classes/{leavers.id}/close").status_code == 302

    # No staff, and no new class of its name: the page says it is there, closed.
    staffed = client.post(
        f"/admin/classes/{leavers.id}/staff", data={"action": "add", "account_id": teacher.id}
    )
    assert staffed.status_code == 400
    assert "Leavers 2026 is closed: reopen it before adding staff to it." in _words(staffed.text)
    same = client.post("/admin/classes", data={"name": "Leavers 2026"})
    assert same.status_code == 400
    assert "There is already a class with that name, closed: reopen it" in _words(same.text)
    # Nor pupils from the MIS: the whole file is refused, the class left closed.
    upn = make_upn("823100000041")
    data = {
        "file": (
            io.BytesIO((HEADER + f"{upn},Noah,Green,11/01/2013,leavers 2026\r\n").encode()),
            "export.csv",
        )
    }
    imported = client.post("/admin/import", data=data, content_type="multipart/form-data")
    assert imported.status_code == 422
    assert "class 'Leavers 2026' is closed; reopen it on Classes first" in _words(imported.text)
    session.expire_all()
    assert session.scalar(select(Pupil).where(Pupil.upn == upn)) is None
    # Nor a leaver coming back: they would be in a class on no list, with no class iPad.
    back = client.post(f"/pupils/{zara.id}/leaving", data={"answer": "back"})
    assert back.status_code == 400
    said = f"{zara.full_name}'s class, Leavers 2026, is closed. Reopen it on Classes first"
    assert said in _words(back.text)
    session.expire_all()
    assert leavers.closed_on is not None
    assert leavers.staff == []
    assert not zara.active

    reopened = client.post(f"/admin/classes/{leavers.id}/reopen")

    assert reopened.status_code == 302
    assert "The class was reopened" in client.get(reopened.headers["Location"]).text
    assert _audit(session, "class.reopened") == ["Leavers 2026"]
    assert leavers.closed_on is None
    assert "Leavers 2026" in client_for(app, make_account(session, Role.HEADTEACHER)).get(
        "/class-ipads/"
    ).text
    added = client.post(
        f"/admin/classes/{leavers.id}/staff", data={"action": "add", "account_id": teacher.id}
    )
    assert added.status_code == 302
    assert client.post(f"/pupils/{zara.id}/leaving", data={"answer": "back"}).status_code == 302
    session.expire_all()
    assert [s.display_name for s in leavers.staff] == ["Mr Cole"]
    assert zara.active


def test_only_the_admin_closes_or_reopens_a_class(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    leavers, _ = _leavers_class(session)
    login_as(Role.DSL)
    assert client.post(f"/admin/classes/{leavers.id}/close").status_code in (403, 404)
    assert client.post(f"/admin/classes/{leavers.id}/reopen").status_code in (403, 404)
    session.expire_all()
    assert leavers.closed_on is None
    assert _audit(session, "class.closed") == []
