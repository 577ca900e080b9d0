"""A worry about a member of staff, walked on a laptop and a second browser.

Found on the walk: Ms Lopez raised a concern that Ms Ruth Evans, the deputy DSL, took photos of
Amira on her personal phone. Ms Evans had it in her own queue, opened it and could work it. Now
the DSL records who the worry is about, and the record is gone from her queue and closed to her.
"""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil
from classroom.worries import services
from tests.app_settings import base_url
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in

PHOTOS = "Ms Ruth Evans (deputy DSL) took photos of Amira on a personal phone."


def _concern(server: LiveServer) -> tuple[int, str]:
    with server.app.app_context():
        db = get_session()
        amira = db.scalar(select(Pupil).where(Pupil.first_name == "Amira"))
        lopez = db.scalar(select(Account).where(Account.username == "teacher"))
        assert amira is not None
        assert lopez is not None
        data = services.ConcernInput(amira.id, PHOTOS, "speech", "", None)
        incident = services.raise_concern(
            db, lopez, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
        )
        db.commit()
        return incident.id, incident.reference


def _laptop(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


def test_the_dsl_records_the_worry_is_about_the_deputy_and_it_closes_to_her(
    browser: Browser, live_server: LiveServer
) -> None:
    incident_id, reference = _concern(live_server)
    record = f"{live_server.url}/safeguarding/{incident_id}"

    evans = _laptop(browser)  # her own browser, signed in before anything is recorded
    sign_in(evans, live_server, "deputy")
    evans.goto(f"{live_server.url}/safeguarding/")
    expect(evans.get_by_text(reference).first).to_be_visible()  # as the walk found it

    bell = _laptop(browser)
    sign_in(bell, live_server, "dsl")
    bell.goto(record)
    section = bell.locator("#subject")
    box = section.get_by_label("Which member of staff")
    expect(box).to_have_value("")  # nobody chosen for the DSL
    expect(box.locator("option:checked")).to_have_text("Choose\u2026")
    assert_accessible(bell)
    button = section.get_by_role("button", name="This worry is about a member of staff")
    size = button.bounding_box()
    assert size is not None
    assert size["height"] >= 24
    box.select_option(label="Ms Ruth Evans (Deputy DSL)")
    button.click()
    bell.wait_for_load_state()
    expect(bell.locator("#subject")).to_contain_text("This worry is about Ms Ruth Evans.")
    expect(bell.locator("#subject").get_by_label("Which member of staff")).to_have_count(0)
    expect(bell.get_by_text("This record is now closed to them.").first).to_be_visible()
    assert_accessible(bell)

    evans.goto(f"{live_server.url}/safeguarding/")
    expect(evans.get_by_text(reference)).to_have_count(0)
    response = evans.goto(record)
    assert response is not None
    assert response.status == 404
    response = evans.goto(f"{record}/evidence")
    assert response is not None
    assert response.status == 404
    evans.goto(f"{live_server.url}/alerts/")
    expect(evans.get_by_text(reference)).to_have_count(0)
