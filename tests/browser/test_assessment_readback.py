"""A teacher on the class iPad reads back a pupil's record and puts right a level mistyped two
weeks ago, not only the latest: the row has its own Correct button, the correction page is
accessible, and the progress page then says the lesson is maintained."""

from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in

OBJECTIVE = "/assessment/pupils/4/objectives/stop-block-tell.sf"  # Dev, semi-formal


def _record(page: Page, server: LiveServer, level: str, day: date) -> None:
    page.goto(server.url + OBJECTIVE)
    form = page.locator("form", has=page.get_by_role("heading", name="Record an observation"))
    form.get_by_label("Level", exact=True).select_option(level)
    form.get_by_label("Where").select_option("In a lesson")
    form.get_by_label("Date").fill(day.isoformat())
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text(f"Date seen: {day:%A %d %B %Y}.")


def test_correcting_an_earlier_observation_on_the_ipad(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + OBJECTIVE)
    today = date.fromisoformat(page.locator("#new-observed_on").input_value())
    mistyped = today - timedelta(days=14)
    _record(page, live_server, "3", today - timedelta(days=21))
    _record(page, live_server, "1", mistyped)  # meant Secure
    _record(page, live_server, "3", today - timedelta(days=7))

    page.get_by_role(
        "link", name=f"Correct the observation of {mistyped.strftime('%d %b %Y')}"
    ).click()
    expect(page.get_by_role("heading", name="Correct an observation")).to_be_visible()
    expect(page.locator("#fix-level")).to_have_value("1")
    expect(page.locator("#fix-observed_on")).to_have_value(mistyped.isoformat())
    assert_accessible(page)
    page.locator("#fix-level").select_option("3")
    page.get_by_role("button", name="Save correction").click()
    said = page.get_by_role("status")
    # Said near the top and focused, so a keyboard user goes on from it: the form was below.
    expect(said).to_contain_text(
        "Corrected to Secure (independent) (it was Emerging (full support)). "
        f"Date seen: {mistyped:%A %d %B %Y}."
    )
    expect(said).to_be_focused()
    expect(page.get_by_role("cell", name="Corrected")).to_be_visible()

    page.goto(live_server.url + "/assessment/pupils/4")
    row = page.get_by_role("row").filter(has_text="Stop, block, tell")
    expect(row.get_by_role("cell").nth(3)).to_have_text("Yes")  # Maintained
