"""On a server of several schools, staff holding another school's class iPad are told it is
another school's and what they can do, and never that school's iPad or class names."""

from __future__ import annotations

import re
from html import unescape

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.devices.models import Device
from classroom.devices.web import cookie_name
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_device, make_school

ELSEWHERE = "This iPad is a class iPad of another school, not of any of your classes."
WHAT_TO_DO = (
    "To make it one of your classes' iPads, use Make this a class iPad below: you will be"
    " asked first, as that takes it from the other school."
)


def _text(html: str) -> str:
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def _holding(app: Flask, who: Account, token: str) -> FlaskClient:
    """`who` signed in on the class iPad whose cookie is `token`."""
    staff = client_for(app, who)
    staff.set_cookie(cookie_name(), token)
    return staff


def test_staff_holding_another_schools_ipad_are_told_only_that_it_is_elsewhere(
    app: Flask, session: Session
) -> None:
    oak = make_class(session, name="Oakhill Juniors")
    other = make_school(session, name="Other School")
    birch = make_class(session, other, name="Birch")
    _device, token = make_device(session, oak, name="Secret Oak iPad")
    there = make_account(session, Role.ADMIN, school=other)
    there_teacher = make_account(session, Role.TEACHER, school=other, classes=[birch])
    here = make_account(session, Role.ADMIN)
    session.commit()
    for who in (there, there_teacher):
        page = _holding(app, who, token).get("/class-ipads/")
        assert page.status_code == 200
        said = _text(page.get_data(as_text=True))
        assert ELSEWHERE in said
        assert WHAT_TO_DO in said
        assert "Secret Oak iPad" not in said
        assert "Oakhill" not in said
    # Asked before taking it, and once taken, still nothing of the first school's names.
    staff = _holding(app, there, token)
    take = {"class_id": birch.id, "name": "Birch 1"}
    asked = _text(staff.post("/class-ipads/enrol-this", data=take).get_data(as_text=True))
    assert "This iPad is another school's class iPad." in asked
    assert "Secret Oak iPad" not in asked
    assert "Oakhill" not in asked
    device_id = session.scalar(select(Device.id).where(Device.name == "Secret Oak iPad"))
    assert staff.post(
        "/class-ipads/enrol-this", data={**take, "take_from": str(device_id)}
    ).status_code == 302
    after = _text(staff.get("/class-ipads/").get_data(as_text=True))
    assert "This iPad is Birch 1 (Birch)." in after
    assert ELSEWHERE not in after
    assert "Secret Oak iPad" not in after
    assert "Oakhill" not in after
    # The first school's own staff holding an iPad of theirs still see it named.
    _mine, mine = make_device(session, oak, name="Oak iPad 2")
    session.commit()
    own = _text(_holding(app, here, mine).get("/class-ipads/").get_data(as_text=True))
    assert "This iPad is Oak iPad 2 (Oakhill Juniors)." in own
    assert ELSEWHERE not in own
