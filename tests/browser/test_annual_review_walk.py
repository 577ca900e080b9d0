"""A class teacher on a laptop (1280x800) prints the class heatmap for a parents' evening and a
pupil's progress summary for an annual review (A4).

Found walking it: printed, the heatmap's picture and table ran off the paper's edge (the last
lessons, lesson 27's "n/a" among them, were cut off); the summary had no Print button and no
way back to the pupil's page. Print and Back are for the screen only, and Back after printing
is still the pupil's page.
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in

LAPTOP = {"width": 1280, "height": 800}
A4_PRINTED = 718  # CSS pixels across A4 (794) less the browser's default print margins


def _right_edges(page: Page, selector: str) -> float:
    edges: float = page.eval_on_selector_all(
        selector, "els => Math.max(...els.map(e => e.getBoundingClientRect().right))"
    )
    return edges


def test_the_heatmap_and_summary_print_whole_with_a_way_back(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/assessment/pupils/1")
    page.get_by_role("link", name="Progress summary (print)").click()
    page.wait_for_load_state()
    summary = page.url
    print_button = page.get_by_role("button", name="Print")
    back = page.get_by_role("link", name="Back to Amira's progress")
    expect(print_button).to_be_visible()
    expect(back).to_be_visible()
    assert_accessible(page)
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    print_button.click()
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    expect(print_button).to_be_hidden()
    expect(back).to_be_hidden()
    page.emulate_media(media="screen")
    page.go_back()  # the browser's Back after printing: the pupil's page, as before
    expect(page.get_by_role("heading", name="Amira Khan: e-safety progress")).to_be_visible()
    page.goto(summary)
    back.click()
    expect(page.get_by_role("heading", name="Amira Khan: e-safety progress")).to_be_visible()

    # The class heatmap on A4: every lesson's column is on the paper.
    page.goto(f"{live_server.url}/assessment/classes/1")
    page.set_viewport_size({"width": A4_PRINTED, "height": 1000})
    page.emulate_media(media="print")
    assert _right_edges(page, ".heatmap svg") <= A4_PRINTED
    assert _right_edges(page, ".heatmap-table th, .heatmap-table td") <= A4_PRINTED
    context.close()
