"""A one-time enrol link opened on another class's iPad asks first, and its POST insists on the
answer, as "Make this a class iPad" does: a POST without it moves nothing."""

from __future__ import annotations

import re
from html import unescape

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.devices.models import Device, DeviceEnrolment
from classroom.devices.web import cookie_name
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_device, make_pupil, make_school


def _text(html: str) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def _link(staff: FlaskClient, class_id: int, name: str) -> str:
    page = staff.post("/class-ipads/links", data={"class_id": class_id, "name": name})
    assert page.status_code == 201, page.data
    found = re.search(r"(/ipad/enrol/[A-Za-z0-9_-]+)", page.get_data(as_text=True))
    assert found is not None
    return found.group(1)


def _ipad(app: Flask, token: str) -> FlaskClient:
    """The iPad in the technician's hands: a class iPad's cookie, nobody signed in."""
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    return ipad


def _devices(session: Session) -> dict[str, bool]:
    session.expire_all()
    return {d.name: d.active for d in session.scalars(select(Device).order_by(Device.id))}


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_a_link_posted_on_oaks_ipad_without_the_answer_moves_nothing_and_asks_again(
    app: Flask, session: Session
) -> None:
    oak, willow = make_class(session, name="Oak"), make_class(session, name="Willow")
    make_pupil(session, oak, first_name="Ben")
    oak_ipad, token = make_device(session, oak, name="Oak iPad 1")
    admin = make_account(session, Role.ADMIN)
    session.commit()
    path = _link(client_for(app, admin), willow.id, "Willow iPad 1")
    ipad = _ipad(app, token)
    events = _events(session)
    # A POST with no answer (a page opened before this iPad was Oak's, a bookmarked form, a
    # script): refused with why, and the question again; the iPad is still Oak's.
    for answer in ({}, {"take_from": ""}, {"take_from": str(oak_ipad.id + 1000)}):
        refused = ipad.post(path, data=answer)
        assert refused.status_code == 409, answer
        said = _text(refused.get_data(as_text=True))
        assert "Nothing has changed: this iPad is still Oak's." in said
        assert "Choose one: Make it Willow's, or Keep it Oak's." in said
        assert "This iPad is Oak iPad 1, Oak's class iPad." in said
        assert "Keep it Oak's" in said
        kept = ipad.get_cookie(cookie_name())
        assert kept is not None
        assert kept.value == token
    assert _devices(session) == {"Oak iPad 1": True}
    assert _events(session) == events
    assert session.scalar(select(DeviceEnrolment.used_at)) is None
    assert b"Ben" in ipad.get("/class-ipad").data
    # The page's own button gives the answer, and only then is the iPad Willow's.
    form = ipad.get(path).get_data(as_text=True)
    answer = re.search(r'name="take_from" value="(\d+)"', form)
    assert answer is not None
    assert answer.group(1) == str(oak_ipad.id)
    assert " checked" not in form
    assert " selected" not in form
    done = ipad.post(path, data={"take_from": answer.group(1)})
    assert done.status_code == 302
    assert _devices(session) == {"Oak iPad 1": False, "Willow iPad 1": True}
    # Nothing is asked where nothing is taken: a new iPad, or Willow's iPad named again.
    staff = client_for(app, admin)
    assert app.test_client().post(_link(staff, oak.id, "Oak iPad 2")).status_code == 302
    assert ipad.post(_link(staff, willow.id, "Willow iPad 2")).status_code == 302
    assert _devices(session) == {
        "Oak iPad 1": False,
        "Willow iPad 1": False,
        "Willow iPad 2": True,
        "Oak iPad 2": True,
    }


def test_another_schools_ipad_is_asked_too_and_never_named(app: Flask, session: Session) -> None:
    oak = make_class(session, name="Oak")
    other = make_school(session, name="Other School")
    birch = make_class(session, other, name="Birch")
    _oak_ipad, token = make_device(session, oak, name="Oak iPad 1")
    there = make_account(session, Role.ADMIN, school=other)
    session.commit()
    path = _link(client_for(app, there), birch.id, "Birch 1")
    refused = _ipad(app, token).post(path)
    assert refused.status_code == 409
    said = _text(refused.get_data(as_text=True))
    assert "Nothing has changed: this iPad is still that school's." in said
    assert "Make it Birch's, or Keep it that school's." in said
    assert "Oak" not in said
    assert _devices(session) == {"Oak iPad 1": True}

