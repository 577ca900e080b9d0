"""A teacher turns lesson 15 (for pupils aged 14 to 19) on for Oak; Amira is 13 and 14 in a month.
Her lesson map says the day it reaches her, and the teacher keeps it off her map: both pages
accessible on an iPad (1024x768)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil
from tests.browser.conftest import LiveServer, assert_accessible, sign_in

SHOT = "/tmp/e2-map.png"


def _fourteen_in_a_month() -> date:
    soon = utcnow().date() + timedelta(days=30)
    return soon.replace(year=soon.year - 14) if (soon.month, soon.day) != (2, 29) else soon


def test_the_teacher_sees_lesson_15_coming_and_keeps_it_off(
    page: Page, live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        session = get_session()
        amira = session.scalar(select(Pupil).where(Pupil.first_name == "Amira"))
        assert amira is not None
        amira.date_of_birth = _fourteen_in_a_month()
        session.commit()
        lessons, oak = f"{live_server.url}/pupils/{amira.id}/lessons", amira.class_id
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/classes/{oak}/lessons")
    page.get_by_role("button", name=re.compile(r"^Turn on\W+My body, my choice$")).click()
    page.wait_for_load_state()
    expect(page.get_by_text(re.compile(r"Amira \w+ gets it on \d+ \w+ \d{4}"))).to_be_visible()

    page.set_viewport_size({"width": 1024, "height": 768})  # the iPad held landscape
    page.goto(lessons)
    note = page.locator("#lesson-pressure-secrets-pictures")
    expect(note).to_contain_text("Amira gets it on")
    assert_accessible(page)
    note.scroll_into_view_if_needed()
    page.screenshot(path=SHOT)

    note.get_by_role("button", name=re.compile(r"^Keep it off Amira's map")).click()
    page.wait_for_load_state()
    expect(note).to_contain_text("Kept off Amira's map")
    expect(note.get_by_role("status")).to_have_text("Saved.")
    expect(note.get_by_role("button", name=re.compile(r"^Let it reach Amira on"))).to_be_visible()
    assert_accessible(page)
