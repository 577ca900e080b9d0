"""Shared set-up for worry tests: a class with staff, a DSL team and a class iPad."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.devices.models import Device
from classroom.devices.web import cookie_name
from classroom.pupils.models import Pupil, SchoolClass
from classroom.worries import envelope, services
from classroom.worries.models import Category, Incident, Risk
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_device, make_pupil


@dataclass
class School:
    oak: SchoolClass
    pupil: Pupil
    teacher: Account
    dsl: Account
    deputy: Account
    head: Account
    device: Device
    token: str


def make_school(session: Session) -> School:
    oak = make_class(session, name="Oak")
    # Home shows every lesson on her map (not her pathway's few), so map tests see them all.
    pupil = make_pupil(session, oak, first_name="Amira", last_name="Khan", home_lessons=0)
    teacher = make_account(session, Role.TEACHER, classes=[oak], display_name="Ms Lopez")
    dsl = make_account(session, Role.DSL, display_name="Mr Bell")
    deputy = make_account(session, Role.DEPUTY_DSL, display_name="Ms Evans")
    head = make_account(session, Role.HEADTEACHER, display_name="Mrs Shah")
    device, token = make_device(session, oak)
    session.commit()
    return School(oak, pupil, teacher, dsl, deputy, head, device, token)


def pupil_on_ipad(app: Flask, school: School) -> FlaskClient:
    """A class iPad with the school's pupil signed in."""
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    response = ipad.post(f"/class-ipad/pupils/{school.pupil.id}")
    assert response.location.endswith("/pupil/")
    return ipad


def sealed(app: Flask, pupil: Pupil, **choices: Any) -> tuple[str, dict[str, str]]:
    """An envelope as the iPad's JavaScript makes it."""
    key = choices.pop("key", str(uuid.uuid4()))
    payload = {
        "key": key,
        "pupil_id": pupil.id,
        "what": None,
        "where": None,
        "feeling": None,
        "talk_to": None,
        "words": None,
        **choices,
    }
    return key, envelope.seal(Path(app.instance_path) / "worry_key.pem", payload)


def triaged_worry(
    session: Session, school: School, risk: Risk = Risk.LOW, child_protection: bool = False
) -> Incident:
    """A worry from the school's pupil ("unkind"), triaged by the DSL as cyberbullying."""
    incident = services.raise_worry(
        session, school.pupil, school.device, str(uuid.uuid4()),
        services.WorryChoices(what="unkind"), now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    triage = services.Triage(Category.CYBERBULLYING, risk, "Spoke to her", child_protection, None)
    services.triage(session, school.dsl, incident, triage, now=utcnow())
    return incident


def follow_ups_due(app: Flask, school: School) -> list[str]:
    """The queue's follow-ups due, as the DSL signing in now reads them (days pass in the tests
    that read them, longer than a staff session lasts)."""
    page = client_for(app, school.dsl).get("/safeguarding/").data.decode()
    section = page.split('id="due-heading"')[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", section)
    return [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in items]
