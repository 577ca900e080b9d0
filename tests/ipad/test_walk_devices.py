"""Walks of class iPads as staff and pupils: enrolling (twice, again), the list, a lost iPad."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.devices.models import Device
from classroom.devices.web import cookie_name
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_pupil, make_school


def _link(staff: FlaskClient, class_id: int, name: str) -> str:
    page = staff.post("/class-ipads/links", data={"class_id": class_id, "name": name})
    assert page.status_code == 201, page.data
    found = re.search(r"(/ipad/enrol/[A-Za-z0-9_-]+)", page.get_data(as_text=True))
    assert found is not None
    return found.group(1)


def _devices(session: Session) -> dict[str, bool]:
    session.expire_all()
    return {d.name: d.active for d in session.scalars(select(Device).order_by(Device.id))}


def _take(session: Session, name: str) -> dict[str, str]:
    """The enrol page's answer on an iPad that is another class's: take it (its id)."""
    session.expire_all()
    device_id = session.scalar(select(Device.id).where(Device.name == name))
    assert device_id is not None, name
    return {"take_from": str(device_id)}


def _revoked_summaries(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.summary)
            .where(AuditEvent.action == "device.revoked")
            .order_by(AuditEvent.id)
        )
    )


def test_opening_the_link_again_on_the_ipad_it_enrolled_shows_the_tiles(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Ben")
    login_as(Role.TEACHER, classes=[oak])
    path = _link(client, oak.id, "Oak iPad 2")
    ipad = app.test_client()
    assert ipad.post(path).location.endswith("/class-ipad")
    # A second tap on Enrol, Back to the confirm page, or the link opened again on this iPad:
    # it is Oak iPad 2 already, so its tiles, not "already used, ask for a new one".
    for again in (ipad.post(path), ipad.get(path)):
        assert again.status_code == 302
        assert again.location.endswith("/class-ipad")
    assert b"Ben" in ipad.get("/class-ipad").data
    assert _devices(session) == {"Oak iPad 2": True}
    # Any other iPad is still refused: the link worked once.
    other = app.test_client()
    for refused in (other.get(path), other.post(path)):
        assert refused.status_code == 410
        assert b"already been used" in refused.data
    assert other.get_cookie(cookie_name()) is None
    # The refused try is in the log (a used link tried elsewhere may have been passed on);
    # opening it (GET) writes nothing.
    refused_log = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "device.enrolment_refused")
    ).all()
    assert refused_log == [
        "Oak iPad 2: This enrolment link has already been used. Ask for a new one."
    ]


def test_enrolling_an_ipad_again_revokes_what_it_was_before(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak, willow = make_class(session, name="Oak"), make_class(session, name="Willow")
    login_as(Role.ADMIN)
    ipad = app.test_client()
    assert ipad.post(_link(client, oak.id, "Oak iPad 1")).status_code == 302
    old_cookie = ipad.get_cookie(cookie_name())
    assert old_cookie is not None
    # The same iPad, moved to Willow with a new link: one iPad, so one live row in the list.
    willow_link = _link(client, willow.id, "Willow iPad 1")
    assert ipad.post(willow_link, data=_take(session, "Oak iPad 1")).status_code == 302
    assert _devices(session) == {"Oak iPad 1": False, "Willow iPad 1": True}
    # And the admin's own iPad, made a class iPad twice in a row.
    for name in ("Oak iPad 7", "Oak iPad 8"):
        made = client.post("/class-ipads/enrol-this", data={"class_id": oak.id, "name": name})
        assert made.status_code == 302
    assert _devices(session) == {
        "Oak iPad 1": False,
        "Willow iPad 1": True,
        "Oak iPad 7": False,
        "Oak iPad 8": True,
    }
    listed = client.get("/class-ipads/").get_data(as_text=True)
    assert listed.count(">Revoke <") == 2
    assert _revoked_summaries(session) == [
        "Oak iPad 1 (re-enrolled as Willow iPad 1)",
        "Oak iPad 7 (re-enrolled as Oak iPad 8)",
    ]
    # The old cookie, copied before, opens nothing.
    stale = app.test_client()
    stale.set_cookie(cookie_name(), old_cookie.value)
    assert stale.get("/class-ipad").status_code == 403


def test_an_ipad_moved_to_another_school_is_revoked_without_naming_it_there(
    app: Flask, session: Session
) -> None:
    oak = make_class(session, name="Oak")
    other = make_school(session, name="Other School")
    birch = make_class(session, other, name="Birch")
    here, there = make_account(session, Role.ADMIN), make_account(session, Role.ADMIN, school=other)
    session.commit()
    ipad = app.test_client()
    assert ipad.post(_link(client_for(app, here), oak.id, "Oak iPad 1")).status_code == 302
    elsewhere = client_for(app, there)
    birch_link = _link(elsewhere, birch.id, "Birch Secret iPad")
    assert ipad.post(birch_link, data=_take(session, "Oak iPad 1")).status_code == 302
    assert _devices(session) == {"Oak iPad 1": False, "Birch Secret iPad": True}
    # This school's log says what happened to its iPad, and nothing of the other school.
    assert _revoked_summaries(session) == ["Oak iPad 1 (re-enrolled for another school)"]
    listed = client_for(app, here).get("/class-ipads/").get_data(as_text=True)
    assert "Birch" not in listed
    assert "<td>Oak iPad 1</td>" in listed
    assert "<td>Oak iPad 1</td>" not in elsewhere.get("/class-ipads/").get_data(as_text=True)


def test_revoking_a_lost_ipad_says_whose_visit_it_ended_and_it_stays_dead(
    app: Flask, client: FlaskClient, session: Session, on_class_ipad: Callable[..., Any]
) -> None:
    oak = make_class(session, name="Oak")
    ben = make_pupil(session, oak, first_name="Ben")
    device = on_class_ipad(oak)
    assert client.post(f"/class-ipad/pupils/{ben.id}").status_code == 302
    admin = make_account(session, Role.ADMIN)
    session.commit()
    staff = client_for(app, admin)
    assert staff.post(f"/class-ipads/{device.id}/revoke").status_code == 302
    assert staff.post(f"/class-ipads/{device.id}/revoke").status_code == 302  # twice: no harm
    assert _revoked_summaries(session) == ["Test iPad (signed out 1 pupil session)"]
    # On the lost iPad: no pupil, no tiles, no new sign-in.
    assert client.get("/pupil/").status_code == 302
    assert client.get("/class-ipad").status_code == 403
    tapped = client.post(f"/class-ipad/pupils/{ben.id}")  # to the "Ask an adult" screen
    assert (tapped.status_code, tapped.location) == (303, "/class-ipad")
    assert client.get("/pupil/").status_code == 302  # the tap signed nobody in
    assert b"Ben" not in client.get("/class-ipad").data


def test_revoke_asks_first_and_then_names_the_ipad_it_revoked(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session, name="Oak")
    login_as(Role.TEACHER, classes=[oak])
    ipad = app.test_client()
    assert ipad.post(_link(client, oak.id, "Oak iPad 4")).status_code == 302
    device = session.scalars(select(Device)).one()
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    # The list's Revoke is a way to a question, never the revoking itself: a slip on an iPad's
    # screen must not sign a pupil out mid-lesson.
    listed = client.get("/class-ipads/").get_data(as_text=True)
    confirm_url = f"/class-ipads/{device.id}/revoke"
    assert f'href="{confirm_url}"' in listed
    asked = client.get(confirm_url)
    assert asked.status_code == 200
    assert b"Revoke Oak iPad 4?" in asked.data
    assert b"signed out at once" in asked.data
    assert _devices(session) == {"Oak iPad 4": True}
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events
    done = client.post(confirm_url)
    assert done.status_code == 302
    said = client.get(done.location).get_data(as_text=True)
    assert "Oak iPad 4 is no longer a class iPad." in said
    assert _devices(session) == {"Oak iPad 4": False}
    # Asking again about a revoked iPad goes back to the list; another class's iPad is not found.
    assert client.get(confirm_url).status_code == 302
    elsewhere = make_class(session, name="Elm")
    session.commit()
    ipad2 = app.test_client()
    other = client_for(app, make_account(session, Role.ADMIN))
    assert ipad2.post(_link(other, elsewhere.id, "Elm iPad")).status_code == 302
    elm_id = session.scalar(select(Device.id).where(Device.name == "Elm iPad"))
    assert client.get(f"/class-ipads/{elm_id}/revoke").status_code == 404
    assert client.post(f"/class-ipads/{elm_id}/revoke").status_code == 404
    assert client.get("/class-ipads/?revoked=abc").status_code == 200
