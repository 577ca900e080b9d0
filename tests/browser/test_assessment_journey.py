"""A teacher records observations for three pupils on an iPad in a few taps; the heatmap changes."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def test_fast_recording_changes_the_heatmap_and_every_page_is_accessible(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "teacher")
    page.get_by_role("link", name="Oak e-safety progress").click()
    expect(page.get_by_role("heading", name="Oak: e-safety progress")).to_be_visible()
    assert_accessible(page)
    cell = page.locator(".heatmap-table tr", has_text="Amira Khan").locator("td").nth(8)
    expect(cell).to_have_text("–")  # lesson 9, not yet assessed

    taps = 0
    page.get_by_role("link", name="Record observations").tap()
    taps += 1
    page.get_by_label("Lesson").select_option("kind-and-unkind")  # one tap on an iPad picker
    page.get_by_role("button", name="Choose lesson").tap()
    taps += 2
    expect(page.get_by_label("Amira Khan")).to_be_visible()
    assert_accessible(page)
    for name in ("Amira Khan", "Ben Taylor", "Chloe Wright"):
        page.get_by_label(name).tap()
        taps += 1
    level = page.get_by_role("button", name="2 · Developing (prompted or modelled)")
    level.tap()  # where it was seen is never assumed: the browser asks for it first
    assert page.get_by_label("Where").evaluate("select => select.validity.valueMissing")
    expect(page.get_by_label("Amira Khan")).to_be_checked()  # not sent: nothing lost
    page.get_by_label("Where").select_option("In a lesson")
    level.tap()
    taps += 2
    expect(page.get_by_role("main").get_by_role("status")).to_contain_text("Recorded Developing")
    assert taps <= 9  # three pupils in nine taps in all: well under ten taps each
    assert_accessible(page)

    page.goto(live_server.url + "/pupils/")
    page.get_by_role("link", name="Oak e-safety progress").click()
    row = page.locator(".heatmap-table tr", has_text="Amira Khan")
    expect(row.locator("td").nth(8)).to_have_text("2")
    assert_accessible(page)
    row.get_by_role("link", name="Amira Khan").click()
    expect(page.get_by_role("heading", name="Amira Khan: e-safety progress")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Sorts emoji and messages into kind and unkind").click()
    expect(page.get_by_role("heading", name="Amira Khan: Kind and unkind")).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + "/assessment/pupils/1/report")
    assert_accessible(page)
    page.goto(live_server.url + "/assessment/classes/1/summary")
    assert_accessible(page)


def test_leaders_coverage_page_is_accessible(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "governor")
    page.get_by_role("link", name="E-safety coverage").click()
    expect(page.get_by_role("heading", name="Whole-school e-safety coverage")).to_be_visible()
    assert_accessible(page)
