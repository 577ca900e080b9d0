"""A teacher and a TA recording in class on an iPad, by touch and by keyboard: every problem is
said at once, each linked to its box, and Enter in a box records no level nobody tapped."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from classroom.assessment.models import Observation
from classroom.db import get_session
from tests.browser.conftest import LiveServer, assert_accessible, sign_in

LESSON = "screen-time"


def _observations(server: LiveServer) -> int:
    with server.app.app_context():
        return get_session().scalar(select(func.count()).select_from(Observation)) or 0


@pytest.mark.parametrize(
    ("username", "size"),
    [("teacher", {"width": 1024, "height": 768}), ("ta", {"width": 810, "height": 1080})],
)
def test_two_mistakes_are_put_right_in_one_go(
    page: Page, live_server: LiveServer, username: str, size: dict[str, int]
) -> None:
    page.set_viewport_size(size)  # type: ignore[arg-type]
    sign_in(page, live_server, username)
    page.goto(f"{live_server.url}/assessment/classes/1/record?lesson_id={LESSON}")
    before = _observations(live_server)
    # Nothing ticked, no "where": a level tapped says both at once (not one, then the other).
    page.get_by_role("button", name=re.compile(r"^3 . Secure")).click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Choose at least one pupil.",
            "Choose where it was seen: in a lesson, in class, at home or in the community.",
        ]
    )
    pupils = page.get_by_role("group", name=re.compile("^Pupils"))
    expect(pupils).to_have_accessible_description("Choose at least one pupil.")
    expect(page.get_by_label("Where")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    # The summary's link takes the teacher to the first pupil's box.
    summary.get_by_role("link", name="Choose at least one pupil.").click()
    expect(pupils.get_by_role("checkbox").first).to_be_focused()
    # By keyboard: tick a pupil, choose where, then Enter in the date box ("Go" on the iPad).
    page.keyboard.press("Space")
    page.get_by_label("Where").select_option("class")
    page.get_by_label("Date seen").press("Enter")
    expect(summary.get_by_role("link")).to_have_text(
        ["Level: tap a level, from 0 (Not yet) to 4 (Generalised), to record it."]
    )
    assert _observations(live_server) == before  # no "Not yet" recorded, unchosen
    expect(pupils.get_by_role("checkbox").first).to_be_checked()
    expect(page.get_by_label("Where")).to_have_value("class")
    assert_accessible(page)
    # A level tapped records it, for the pupil ticked.
    page.get_by_role("button", name=re.compile(r"^2 . Developing")).tap()
    expect(page.locator(".alert.success")).to_contain_text(
        "Recorded Developing (prompted or modelled) for Amira."
    )
    assert _observations(live_server) == before + 1
