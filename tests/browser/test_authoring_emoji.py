"""A teacher typing a lesson on a laptop: a step's words over the box's limit show in the live
preview with the part over it marked, where the count says "too many"; an emoji typed in is
said to get no symbol of its own, as she types."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def test_the_live_preview_marks_the_words_the_count_says_are_too_many(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/authoring/new")
    box = page.locator("#f-pf-1-text")
    # Spaces first, as pasted: the count counts them, so the preview does too; the 301st
    # character is in "kind".
    box.fill("  " + "Ask a trusted adult. " * 14 + "Be kind online. Stop block tell.")
    expect(page.locator("#f-pf-1-text-count-hint + .count-message")).to_have_text(
        "You have 28 characters too many"
    )
    preview = page.locator("#f-pf-1-text-preview")
    expect(preview.locator(".preview-over-note")).to_have_text(
        "Too long from here (over 300 characters):"
    )
    expect(preview.locator(".preview-over .sym-label")).to_have_text(
        ["kind", "online.", "Stop block tell."]
    )
    assert_accessible(page)

    box.fill("Be kind \U0001f600 online")
    expect(preview.locator(".preview-typed")).to_contain_text(
        "\u201c\U0001f600\u201d will show with no symbol of its own"
    )
    expect(preview.locator(".preview-over-note")).to_have_count(0)
    assert_accessible(page)
