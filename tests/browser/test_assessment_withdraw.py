"""A teacher withdraws an observation recorded in error, and a refused observation shows each
box's problem on the box: every page on the way is accessible."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def test_withdrawing_an_observation_and_each_boxs_problem_are_accessible(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + "/assessment/pupils/1/objectives/kind-and-unkind.sf")
    form = page.locator("form", has=page.get_by_role("heading", name="Record an observation"))
    form.get_by_label("Where").select_option("In class")
    form.get_by_label("Date").fill("2000-01-01")  # refused: more than two years ago
    form.get_by_role("button", name="Record").click()
    expect(page.get_by_role("heading", name="That was not recorded")).to_be_visible()
    expect(page.locator("#again-level-error")).to_contain_text("Level: choose one")
    expect(page.locator("#again-observed_on-error")).to_contain_text("more than two years ago")
    assert_accessible(page)
    page.get_by_label("Level").select_option("3")
    page.get_by_label("Date").fill("")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded Secure (independent).")

    page.get_by_role("link", name="Withdraw").first.click()
    expect(
        page.get_by_role("heading", name="Withdraw an observation recorded in error")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Withdraw as recorded in error").click()  # no reason yet
    page.get_by_label("Why it was recorded in error").fill("Recorded for the wrong pupil")
    page.get_by_role("button", name="Withdraw as recorded in error").click()
    expect(page.get_by_role("status")).to_contain_text("Withdrawn as recorded in error")
    expect(page.get_by_text("Recorded for the wrong pupil")).to_be_visible()
    assert_accessible(page)
