"""The DSL's decisions on a laptop and an iPad: telling carers while an agency has not replied.

Found on the walk: with a worry triaged as a child-protection concern and referred to the
Police, "Inform parents/carers now" was recorded like any other decision, with nothing on the
page about the referral still waiting. Now the parent-contact box says why telling carers may
not be safe, and "Inform now" asks the DSL to tick that they checked first; the chronology says
they did.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil
from classroom.worries import services
from classroom.worries.models import Agency, Category, Risk
from tests.app_settings import base_url
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in

VIEWPORTS: dict[str, ViewportSize] = {
    "laptop": {"width": 1280, "height": 800},
    "ipad": {"width": 1024, "height": 768},
}


def _referred_worry(server: LiveServer) -> int:
    """A worry from Amira, triaged by the DSL as physical abuse and referred to the Police."""
    with server.app.app_context():
        db = get_session()
        amira = db.scalar(select(Pupil).where(Pupil.first_name == "Amira"))
        dsl = db.scalar(select(Account).where(Account.username == "dsl"))
        assert amira is not None
        assert dsl is not None
        incident = services.raise_worry(
            db, amira, None, str(uuid.uuid4()), services.WorryChoices(what="unkind"),
            now=utcnow(), base_url=base_url(),
        )  # fmt: skip
        why = "She says her stepdad hits her"
        choice = services.Triage(Category.PHYSICAL_DANGER_ABUSE, Risk.HIGH, why, True, None)
        services.triage(db, dsl, incident, choice, now=utcnow())
        services.add_referral(
            db, dsl, incident, Agency.POLICE, "", "Physical abuse disclosed", now=utcnow(),
            today=utcnow().date(),
        )  # fmt: skip
        db.commit()
        return incident.id


def _page(browser: Browser, device: str) -> Page:
    context = browser.new_context(
        viewport=VIEWPORTS[device], has_touch=device == "ipad", locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


@pytest.mark.parametrize("device", ["laptop", "ipad"])
def test_inform_now_waits_for_the_dsl_to_say_they_checked_with_the_police(
    browser: Browser, live_server: LiveServer, device: str
) -> None:
    incident_id = _referred_worry(live_server)
    page = _page(browser, device)
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/safeguarding/{incident_id}")
    parent = page.locator("#parent")
    caution = parent.locator("#parent-caution")
    expect(caution).to_contain_text("it is recorded as a child-protection concern")
    expect(caution).to_contain_text("the referral to Police has no reply yet")
    checked = parent.get_by_label(
        "I have checked that telling carers now will not put the child at risk"
    )
    expect(checked).not_to_be_checked()  # nobody ticked it for the DSL
    box = checked.bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) >= 24, box
    assert_accessible(page)

    parent.get_by_label("Decision").select_option("inform_now")
    parent.get_by_label("Reason").fill("Mum should know")
    parent.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()

    expect(page.get_by_role("alert")).to_contain_text("The referral to Police has no reply yet")
    expect(page.locator(".chronology")).not_to_contain_text("Parent contact:")
    assert_accessible(page)

    parent.get_by_label(
        "I have checked that telling carers now will not put the child at risk"
    ).check()
    parent.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state()

    expect(page.locator(".chronology")).to_contain_text(
        "Parent contact: Inform parents/carers now (checked first: the referral to Police had "
        "no reply)"
    )
    page.context.close()
