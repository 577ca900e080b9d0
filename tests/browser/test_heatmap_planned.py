"""A class teacher on a laptop (1280x800) reads, then prints, the class heatmap for a parents'
evening: a lesson on no pupil's map (lesson 15, teacher-enabled, off Oak's map) has no column of
dashes read as work missing, as each pupil's progress page leaves it out; lesson 27's "n/a" (not
for their age) is as before; the page is WCAG 2.2 AA for axe-core, on screen and printed, and
every column is on the A4 paper."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in

LAPTOP = {"width": 1280, "height": 800}
A4_PRINTED = 718  # CSS pixels across A4 (794) less the browser's default print margins


def test_the_heatmap_has_a_column_only_for_what_is_planned_on_screen_and_printed(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    page = context.new_page()
    sign_in(page, live_server, "teacher")
    page.get_by_role("link", name="Oak e-safety progress").click()
    heads = page.locator(".heatmap-table thead abbr")
    titles = [heads.nth(n).get_attribute("title") for n in range(heads.count())]
    assert "My body, my choice" not in titles  # lesson 15: on nobody's map in Oak
    assert "At 18: pictures and help" in titles  # lesson 27: "n/a", as before
    assert page.locator("svg .hm-head").count() == len(titles)  # the picture agrees
    expect(page.get_by_role("list", name="What the marks mean")).to_contain_text(
        "off Not on their map"
    )
    expect(page.get_by_role("list", name="Colour key")).to_contain_text("off Not on their map")
    assert_accessible(page)
    # Her progress page lists the same planned lessons (lesson 27 is not for her age).
    page.get_by_role("link", name="Amira Khan").click()
    expect(page.get_by_role("heading", name="Amira Khan: e-safety progress")).to_be_visible()
    expect(page.get_by_text("My body, my choice")).to_have_count(0)
    page.go_back()
    page.set_viewport_size({"width": A4_PRINTED, "height": 1000})
    page.emulate_media(media="print")
    assert_accessible(page)
    # The paper has no buttons: "Record observations" and "Class summary" are for the screen.
    expect(page.get_by_role("link", name="Record observations")).to_be_hidden()
    expect(page.get_by_role("link", name="Class summary")).to_be_hidden()
    right = "els => Math.max(...els.map(e => e.getBoundingClientRect().right))"
    assert page.eval_on_selector_all(".heatmap svg", right) <= A4_PRINTED
    assert page.eval_on_selector_all(".heatmap-table th, .heatmap-table td", right) <= A4_PRINTED
    context.close()
