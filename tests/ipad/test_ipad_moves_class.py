"""A class iPad taken for another class: staff are asked first, and the class it was taken from
sees where it went, when and who moved it."""

from __future__ import annotations

import re
from html import unescape

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.devices.models import Device
from classroom.devices.web import cookie_name
from classroom.pupils.models import SchoolClass
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_pupil, make_school

WARNING = "This iPad is Oak iPad 1, Oak's class iPad. Making it Willow's takes it from Oak."


def _devices(session: Session) -> dict[str, bool]:
    session.expire_all()
    return {d.name: d.active for d in session.scalars(select(Device).order_by(Device.id))}


def _text(html: str) -> str:
    """What a page says, tags dropped."""
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


def _status(page: str, name: str) -> str:
    """What the list's Status column says of one iPad."""
    found = re.search(
        rf"<tr>\s*<td>{name}</td>(?:\s*<td>.*?</td>){{2}}\s*<td>(.*?)</td>", page, re.S
    )
    assert found is not None, page
    return _text(found.group(1))


def _log(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(AuditEvent.action, AuditEvent.summary)
        .where(AuditEvent.action.in_(["device.enrolled", "device.revoked"]))
        .order_by(AuditEvent.id)
    )
    return [(action, summary) for action, summary in rows]


def test_willow_teacher_is_asked_before_taking_oaks_ipad_and_oak_sees_where_it_went(
    app: Flask, session: Session
) -> None:
    oak, willow = make_class(session, name="Oak"), make_class(session, name="Willow")
    make_pupil(session, oak, first_name="Ben")
    make_pupil(session, willow, first_name="Cara")
    oak_teacher = make_account(session, Role.TEACHER, classes=[oak], display_name="Ms Oakley")
    willow_teacher = make_account(session, Role.TEACHER, classes=[willow], display_name="Mr Wills")
    session.commit()
    ipad = client_for(app, oak_teacher)
    made = ipad.post("/class-ipads/enrol-this", data={"class_id": oak.id, "name": "Oak iPad 1"})
    assert made.status_code == 302
    ipad.post("/sign-out")
    assert b"Ben" in ipad.get("/class-ipad").data
    # Mr Wills picks up Oak's iPad and signs in on it.
    ipad = _signed_in_on(app, ipad, willow_teacher.username)
    # A name too long is refused first, not after he has decided.
    too_long = {"class_id": willow.id, "name": "x" * 81}
    refused = ipad.post("/class-ipads/enrol-this", data=too_long)
    assert refused.status_code == 400
    assert WARNING not in _text(refused.get_data(as_text=True))
    take = {"class_id": willow.id, "name": "Willow iPad 1"}
    asked = ipad.post("/class-ipads/enrol-this", data=take)
    # Nothing happens yet: the page says whose iPad it is and asks.
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert WARNING in _text(html)
    assert "Keep it Oak's" in _text(html)
    assert " checked" not in html  # nothing decided for him
    assert " selected" not in html
    assert _devices(session) == {"Oak iPad 1": True}
    assert b"Ben" in _tiles(app, ipad)
    # He chooses to take it.
    done = ipad.post("/class-ipads/enrol-this", data={**take, "take_from": _id(session, "Oak")})
    assert done.status_code == 302
    assert _devices(session) == {"Oak iPad 1": False, "Willow iPad 1": True}
    assert _log(session)[-2:] == [
        ("device.enrolled", "Willow iPad 1 for Willow, taken from Oak (Oak iPad 1)"),
        ("device.revoked", "Oak iPad 1 (re-enrolled as Willow iPad 1)"),
    ]
    # Next morning Oak's teacher sees where Oak iPad 1 went, when and by whom.
    oak_page = client_for(app, oak_teacher).get("/class-ipads/").get_data(as_text=True)
    row = _status(oak_page, "Oak iPad 1")
    assert row.startswith("Moved to Willow as Willow iPad 1 on ")
    assert row.endswith(", by Mr Wills")
    assert re.search(r"\d\d:\d\d (GMT|BST)", row)
    # Willow's list is Willow's own.
    willow_page = client_for(app, willow_teacher).get("/class-ipads/").get_data(as_text=True)
    assert "<td>Willow iPad 1</td>" in willow_page
    assert "<td>Oak iPad 1</td>" not in willow_page


def _signed_in_on(app: Flask, ipad: FlaskClient, username: str) -> FlaskClient:
    """Staff signing in on the class iPad in their hands: its cookie stays."""
    token = ipad.get_cookie(cookie_name())
    assert token is not None
    staff = client_for(app, username)
    staff.set_cookie(cookie_name(), token.value)
    return staff


def _tiles(app: Flask, staff: FlaskClient) -> bytes:
    token = staff.get_cookie(cookie_name())
    assert token is not None
    pupil_side = app.test_client()
    pupil_side.set_cookie(cookie_name(), token.value)
    data: bytes = pupil_side.get("/class-ipad").data
    return data


def _id(session: Session, class_name: str) -> str:
    session.expire_all()
    found = session.scalar(
        select(Device.id)
        .join(Device.school_class)
        .where(SchoolClass.name == class_name, Device.revoked_at.is_(None))
    )
    assert found is not None, class_name
    return str(found)


def test_a_second_ipad_of_the_same_class_or_a_new_ipad_is_not_asked_about(
    app: Flask, session: Session
) -> None:
    oak = make_class(session, name="Oak")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    session.commit()
    staff = client_for(app, teacher)
    for name in ("Oak iPad 7", "Oak iPad 8"):
        made = staff.post("/class-ipads/enrol-this", data={"class_id": oak.id, "name": name})
        assert made.status_code == 302
    page = staff.get("/class-ipads/").get_data(as_text=True)
    assert _status(page, "Oak iPad 7").startswith("Enrolled again as Oak iPad 8 on ")
    assert _status(page, "Oak iPad 8") == "Active"


def test_a_link_opened_on_oaks_ipad_says_whose_it_is_and_oak_sees_the_move(
    app: Flask, session: Session
) -> None:
    oak, willow = make_class(session, name="Oak"), make_class(session, name="Willow")
    oak_teacher = make_account(session, Role.TEACHER, classes=[oak], display_name="Ms Oakley")
    willow_teacher = make_account(session, Role.TEACHER, classes=[willow], display_name="Mr Wills")
    session.commit()
    ipad = client_for(app, oak_teacher)
    ipad.post("/class-ipads/enrol-this", data={"class_id": oak.id, "name": "Oak iPad 1"})
    ipad.post("/sign-out")
    made = client_for(app, willow_teacher).post(
        "/class-ipads/links", data={"class_id": willow.id, "name": "Willow iPad 1"}
    )
    path = re.search(r"(/ipad/enrol/[A-Za-z0-9_-]+)", made.get_data(as_text=True))
    assert path is not None
    asked = _text(ipad.get(path.group(1)).get_data(as_text=True))
    assert WARNING in asked
    assert "Keep it Oak's" in asked
    assert _devices(session) == {"Oak iPad 1": True}
    # A new iPad opening such a link is told nothing of the kind.
    assert "takes it from" not in app.test_client().get(path.group(1)).get_data(as_text=True)
    # He chooses to take it (the page's button sends which iPad he was asked about).
    taken = {"take_from": _id(session, "Oak")}
    assert ipad.post(path.group(1), data=taken).status_code == 302
    assert _devices(session) == {"Oak iPad 1": False, "Willow iPad 1": True}
    assert ("device.enrolled", "Willow iPad 1 by enrolment link, taken from Oak (Oak iPad 1)") in (
        _log(session)
    )
    row = _status(
        client_for(app, oak_teacher).get("/class-ipads/").get_data(as_text=True), "Oak iPad 1"
    )
    assert row.startswith("Moved to Willow as Willow iPad 1 on ")
    assert row.endswith(", with a one-time link Mr Wills made")


def test_an_ipad_taken_by_another_school_is_never_named_on_either_side(
    app: Flask, session: Session
) -> None:
    oak = make_class(session, name="Oak")
    other = make_school(session, name="Other School")
    birch = make_class(session, other, name="Birch")
    here = make_account(session, Role.ADMIN)
    there = make_account(session, Role.ADMIN, school=other)
    session.commit()
    ipad = client_for(app, here)
    ipad.post("/class-ipads/enrol-this", data={"class_id": oak.id, "name": "Oak iPad 1"})
    elsewhere = _signed_in_on(app, ipad, there.username)
    asked = elsewhere.post(
        "/class-ipads/enrol-this", data={"class_id": birch.id, "name": "Birch 1"}
    )
    text = _text(asked.get_data(as_text=True))
    assert "This iPad is another school's class iPad." in text
    assert "Oak" not in text
    device_id = _id(session, "Oak")
    taken = {"class_id": birch.id, "name": "Birch 1", "take_from": device_id}
    assert elsewhere.post("/class-ipads/enrol-this", data=taken).status_code == 302
    assert _devices(session) == {"Oak iPad 1": False, "Birch 1": True}
    page = client_for(app, here).get("/class-ipads/").get_data(as_text=True)
    assert _status(page, "Oak iPad 1").startswith("Moved to another school on ")
    assert "Birch" not in page
    assert ("device.enrolled", "Birch 1 for Birch") in _log(session)
