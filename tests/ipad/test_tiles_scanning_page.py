"""The class's tiles screen scanned for switch users: staff say how, the class iPad does it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.pupils.models import Scanning
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_pupil

SAVE = {"scanning": "auto", "seconds": "3", "auditory_scanning": "y"}


def _page(class_id: int) -> str:
    return f"/class-ipads/classes/{class_id}/tiles"


def _audits(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _body_tag(html: str) -> str:
    found = re.search(r"<body[^>]*>", html)
    assert found is not None
    return found.group(0)


def test_the_class_teacher_sees_who_uses_switches_and_turns_on_one_switch_scanning(
    app: Flask, session: Session
) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Sam", scanning=Scanning.AUTO, scan_interval_ms=2500)
    make_pupil(session, oak, first_name="Mohammed", known_as="Mo", scanning=Scanning.STEP)
    make_pupil(session, oak, first_name="Ola")  # taps: not listed
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    session.commit()
    staff = client_for(app, teacher)
    page = staff.get(_page(oak.id)).get_data(as_text=True)
    assert "known as Mo</a>" not in page
    assert "(known as Mo): two switches" in page
    assert "Sam" in page
    assert "one switch, 2.5 seconds on each" in page
    assert "Ola" not in page
    assert '<option selected value="off">' in page  # as it is now: off, never set
    saved = staff.post(_page(oak.id), data=SAVE)
    assert saved.status_code == 303
    shown = staff.get(saved.location).get_data(as_text=True)
    assert "Saved. Oak&#39;s iPads use it from their next screen" in shown
    session.refresh(oak)
    assert (oak.tiles_scanning, oak.tiles_scan_interval_ms, oak.tiles_auditory_scanning) == (
        Scanning.AUTO,
        3000,
        True,
    )
    [changed] = _audits(session, "class.tiles_scanning_changed")
    assert changed.summary == "Oak: auto, 3000 ms, names said"
    assert len(_audits(session, "class.tiles_viewed")) == 2  # the page twice, names on it


def test_saving_it_unchanged_records_no_change(app: Flask, session: Session) -> None:
    oak = make_class(session, name="Oak")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    session.commit()
    staff = client_for(app, teacher)
    staff.post(_page(oak.id), data={"scanning": "off", "seconds": "2"})
    assert _audits(session, "class.tiles_scanning_changed") == []


def test_a_value_not_offered_is_refused_with_the_box_named_and_nothing_saved(
    app: Flask, session: Session
) -> None:
    oak = make_class(session, name="Oak")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    session.commit()
    staff = client_for(app, teacher)
    for data in ({"scanning": "always", "seconds": "2"}, {"scanning": "auto", "seconds": "0.1"}):
        refused = staff.post(_page(oak.id), data=data)
        assert refused.status_code == 400
        assert 'class="error"' in refused.get_data(as_text=True)
    session.refresh(oak)
    assert oak.tiles_scanning is Scanning.OFF


def test_another_classs_teacher_a_parent_and_a_pupil_cannot_reach_it(
    app: Flask, session: Session, login_as: Callable[..., Account], client: FlaskClient
) -> None:
    oak = make_class(session, name="Oak")
    willow = make_class(session, name="Willow")
    other = make_account(session, Role.TEACHER, classes=[willow])
    session.commit()
    willow_teacher = client_for(app, other)
    assert willow_teacher.get(_page(oak.id)).status_code == 404
    assert willow_teacher.post(_page(oak.id), data=SAVE).status_code == 404
    login_as(Role.PARENT)
    assert client.get(_page(oak.id)).status_code in (403, 404)
    session.refresh(oak)
    assert oak.tiles_scanning is Scanning.OFF


def test_the_tiles_screen_scans_as_the_class_says_and_waits_for_a_press(
    session: Session, client: FlaskClient, on_class_ipad: Callable[..., Any]
) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Sam")
    on_class_ipad(oak)
    off = client.get("/class-ipad").get_data(as_text=True)
    assert "data-scanning" not in _body_tag(off)  # as before: tap only
    oak.tiles_scanning, oak.tiles_scan_interval_ms = Scanning.STEP, 4000
    oak.tiles_auditory_scanning = True
    session.commit()
    page = client.get("/class-ipad").get_data(as_text=True)
    body = _body_tag(page)
    assert 'data-scanning="step"' in body
    assert 'data-scan-interval="4000"' in body
    assert 'data-scan-wake="press"' in body
    assert 'data-auditory-scanning="true"' in body
    assert "data-idle-minutes" not in body  # nobody to sign out on the tiles
    assert re.search(r'<a href="/sign-in"[^>]*data-no-scan', page)  # never a pupil's stop
    assert 'data-scan-name="Who are you?"' in page


def test_staff_find_the_page_from_class_ipads_and_from_a_switch_users_settings(
    app: Flask, session: Session
) -> None:
    oak = make_class(session, name="Oak")
    sam = make_pupil(session, oak, first_name="Sam", scanning=Scanning.AUTO)
    ola = make_pupil(session, oak, first_name="Ola")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    session.commit()
    staff = client_for(app, teacher)
    ipads = staff.get("/class-ipads/").get_data(as_text=True)
    assert f"<a href=\"{_page(oak.id)}\">Oak's tiles screen</a>: pupils tap their tile" in ipads
    settings = staff.get(f"/pupils/{sam.id}/settings").get_data(as_text=True)
    assert "Oak's tiles screen is not scanned, so Sam cannot choose their own tile" in settings
    assert f'href="{_page(oak.id)}"' in settings
    assert "tiles-not-scanned" not in staff.get(f"/pupils/{ola.id}/settings").get_data(as_text=True)
    staff.post(_page(oak.id), data={"scanning": "auto", "seconds": "2"})
    assert "tiles-not-scanned" not in staff.get(f"/pupils/{sam.id}/settings").get_data(as_text=True)
    ipads = staff.get("/class-ipads/").get_data(as_text=True)
    assert "Oak's tiles screen</a>: scanned for one switch" in ipads
