"""Per-pupil auditory scanning: staff turn it on, it is audited, pupil pages carry it."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.devices.web import cookie_name
from classroom.pupils.models import SchoolClass
from tests.factories import make_class, make_device, make_pupil

SETTINGS = {
    "pathway": "semi_formal",
    "tile_symbol": "1F98A",
    "symbol_size": "large",
    "speech_rate": "150",
    "scanning": "auto",
    "scan_interval_ms": "1500",
}


def _pupil_page(app: Flask, session: Session, pupil_id: int, school_class: SchoolClass) -> str:
    """The pupil's home as the class iPad shows it after the pupil taps their tile."""
    ipad = app.test_client()
    _device, token = make_device(session, school_class)
    session.commit()
    ipad.set_cookie(cookie_name(), token)
    ipad.post(f"/class-ipad/pupils/{pupil_id}")
    return ipad.get("/pupil/").data.decode()


def test_staff_turn_on_auditory_scanning_and_the_pupils_pages_carry_it(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Amira")
    login_as(Role.TEACHER, classes=[oak])
    page = client.get(f"/pupils/{pupil.id}/settings").data.decode()
    assert "Auditory scanning" in page
    assert 'name="auditory_scanning"' in page
    assert "checked" not in page.split('name="auditory_scanning"')[0].rsplit("<input", 1)[1]

    response = client.post(
        f"/pupils/{pupil.id}/settings", data={**SETTINGS, "auditory_scanning": "y"}
    )

    assert response.status_code == 302
    session.refresh(pupil)
    assert pupil.auditory_scanning is True
    summaries = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "pupil.settings_changed")
    ).all()
    assert any("auditory_scanning" in summary for summary in summaries)
    body = _pupil_page(app, session, pupil.id, oak)
    assert 'data-scanning="auto"' in body
    assert 'data-auditory-scanning="true"' in body


def test_auditory_scanning_is_off_until_staff_choose_it_and_can_be_turned_off(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Ben")
    assert pupil.auditory_scanning is False
    login_as(Role.TEACHER, classes=[oak])
    client.post(f"/pupils/{pupil.id}/settings", data={**SETTINGS, "auditory_scanning": "y"})
    response = client.post(f"/pupils/{pupil.id}/settings", data=SETTINGS)  # box left empty

    assert response.status_code == 302
    session.refresh(pupil)
    assert pupil.auditory_scanning is False
    assert "data-auditory-scanning" not in _pupil_page(app, session, pupil.id, oak)


def test_a_teacher_of_another_class_cannot_turn_on_auditory_scanning(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak, ash = make_class(session), make_class(session, name="Ash")
    pupil = make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[ash])

    response = client.post(
        f"/pupils/{pupil.id}/settings", data={**SETTINGS, "auditory_scanning": "y"}
    )

    assert response.status_code == 404
    session.refresh(pupil)
    assert pupil.auditory_scanning is False
