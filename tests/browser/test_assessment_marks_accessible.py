"""The assessment pages with every new mark on them (a misconception, a level from an earlier
pathway, a proposal from answers to choose a level for) stay WCAG 2.2 AA for axe-core."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.assessment import services
from classroom.assessment.models import Level
from classroom.db import get_session, utcnow
from classroom.lessons import maps
from classroom.pupils.models import Pathway, Pupil
from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def test_the_marks_on_the_heatmap_summary_and_progress_page_are_accessible(
    page: Page, live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        db = get_session()
        amira = db.scalars(select(Pupil).where(Pupil.first_name == "Amira")).one()
        teacher = db.scalars(select(Account).where(Account.username == "teacher")).one()
        lessons = live_server.app.extensions["lessons"]
        today = utcnow().date()
        for objective, misconception in (("people-online.sf", True), ("kind-and-unkind.sf", False)):
            services.observe(
                db, teacher, amira, objective,
                services.Entry(level=Level.SECURE, observed_on=today, misconception=misconception),
                lessons, now=utcnow(), today=today,
            )  # fmt: skip
        maps.set_pathway(db, teacher, amira, "kind-and-unkind", Pathway.FORMAL, lessons)
        db.commit()

    sign_in(page, live_server, "teacher")
    page.get_by_role("link", name="Oak e-safety progress").click()
    row = page.locator(".heatmap-table tr", has_text="Amira Khan")
    expect(row.locator("td", has_text="3M")).to_have_count(1)
    expect(row.locator("td", has_text="(3)")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("link", name="Class summary").click()
    expect(page.get_by_role("link", name="Amira Khan")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Amira Khan").click()  # to the misconception's objective
    expect(page.get_by_role("heading", level=1)).to_contain_text("Amira Khan")
    page.goto(f"{live_server.url}/assessment/pupils/{amira.id}")
    expect(page.get_by_text("(earlier pathway)")).to_have_count(1)
    assert_accessible(page)
