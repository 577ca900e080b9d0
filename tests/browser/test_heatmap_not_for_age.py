"""The class heatmap at 1024x768 with lessons not for a pupil's age (lesson 27 is for 18 and 19):
"n/a" on the picture and in the table, read as "not for their age", with its key; WCAG 2.2 AA
for axe-core, and the picture's grey "n/a" (which axe does not measure) at least 4.5:1."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def _luminance(rgb: str) -> float:
    """The relative luminance (WCAG) of a computed colour, "rgb(74, 83, 96)"."""
    values = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
    red, green, blue = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(one: str, other: str) -> float:
    light, dark = sorted([_luminance(one), _luminance(other)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_a_lesson_not_for_their_age_is_marked_in_words_on_the_heatmap(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, live_server, "teacher")
    page.get_by_role("link", name="Oak e-safety progress").click()
    row = page.locator(".heatmap-table tr", has_text="Amira Khan")  # the demo's Amira is under 18
    cell = row.get_by_role("cell", name=re.compile(r"^not for their age"))
    expect(cell).to_have_count(1)  # lesson 27 only: every other lesson is for her age
    expect(cell).to_have_text(re.compile(r"^n/a"))
    expect(cell.locator("span[aria-hidden]")).to_be_visible()
    expect(page.get_by_role("list", name="What the marks mean")).to_contain_text(
        "n/a Not for their age"
    )
    assert_accessible(page)
    # The picture's mark: grey on its wash, still AA for its 13px text.
    mark = page.locator("svg text.hm-age").first
    expect(mark).to_have_text("n/a")
    fill = mark.evaluate("e => getComputedStyle(e).fill")
    square = page.locator("svg rect.not-for-age").first.evaluate("e => getComputedStyle(e).fill")
    assert _contrast(fill, square) >= 4.5, (fill, square)
