"""Following the class map again deletes a pupil's own map: the teacher is asked first."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from classroom.db import get_session
from classroom.pupils.models import Pupil
from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def test_following_the_class_map_again_is_asked_first_and_can_be_declined(
    page: Page, live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        amira = get_session().scalar(select(Pupil).where(Pupil.first_name == "Amira"))
        assert amira is not None
        lessons = f"{live_server.url}/pupils/{amira.id}/lessons"
    sign_in(page, live_server, "teacher")
    page.goto(lessons)
    page.get_by_role("button", name=re.compile(r"^Hide\W+Feelings online$")).click()
    page.wait_for_load_state()
    expect(page.get_by_text("(hidden)")).to_have_count(1)
    page.get_by_role("button", name="Follow the class map again").click()
    expect(page.get_by_role("heading", name="Follow Oak's class map again?")).to_be_visible()
    expect(page.get_by_text("hidden lessons, which Amira will see again")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Keep Amira's own map").click()
    expect(page.get_by_text("(hidden)")).to_have_count(1)  # nothing was deleted
    page.get_by_role("button", name="Follow the class map again").click()
    page.get_by_role("button", name="Yes, follow the class map").click()
    page.wait_for_load_state()
    expect(page.get_by_text("(hidden)")).to_have_count(0)
