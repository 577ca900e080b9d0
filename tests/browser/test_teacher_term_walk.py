"""A teacher records last Friday's lesson on an iPad, one level at a time: each tap after the
first keeps Friday's date, and says so, rather than dating the next pupils today unseen."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def test_a_lesson_recorded_days_later_keeps_its_date_for_the_next_pupils(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size({"width": 810, "height": 1080})  # an iPad held upright
    sign_in(page, live_server, "teacher")
    page.get_by_role("link", name="Oak e-safety progress").click()
    page.get_by_role("link", name="Record observations").tap()
    page.get_by_label("Lesson").select_option("stop-block-tell")
    page.get_by_role("button", name="Choose lesson").tap()
    date_box = page.get_by_label("Date seen")
    today = date.fromisoformat(date_box.input_value())  # the school's today, as the page has it
    assert date_box.get_attribute("max") == today.isoformat()
    friday = today - timedelta(days=3)
    date_box.fill(friday.isoformat())
    page.get_by_label("Where").select_option("In a lesson")
    page.get_by_label("Amira Khan").tap()
    page.get_by_role("button", name="3 · Secure (independent)").tap()
    status = page.get_by_role("main").get_by_role("status")
    expect(status).to_contain_text(f"Recorded Secure (independent) for Amira. Date seen: "
                                   f"{friday:%A %d %B %Y}.")  # fmt: skip
    expect(date_box).to_have_value(friday.isoformat())
    expect(date_box).to_have_accessible_description(
        "Kept from what you last recorded: not today. Change it if these pupils were seen on "
        "another day."
    )
    assert_accessible(page)
    # By keyboard: Ben ticked with Space, the level chosen with Enter.
    page.get_by_label("Where").select_option("In a lesson")
    page.get_by_label("Ben Taylor").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="2 · Developing (prompted or modelled)").focus()
    page.keyboard.press("Enter")
    expect(status).to_contain_text(f"Recorded Developing (prompted or modelled) for Ben. "
                                   f"Date seen: {friday:%A %d %B %Y}.")  # fmt: skip
    page.set_viewport_size({"width": 1024, "height": 768})  # turned on its side
    page.goto(live_server.url + "/assessment/classes/1/summary")
    assert_accessible(page)
