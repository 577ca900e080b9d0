"""A teacher pastes a long observation note: the box counts it, keeps all of it, and the school
says how much to take off, never cutting the end of the note off without a word."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def test_a_note_over_its_limit_is_counted_refused_and_kept_whole(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "teacher")
    page.get_by_role("link", name="Oak e-safety progress").click()
    row = page.locator(".heatmap-table tr", has_text="Amira Khan")
    row.get_by_role("link", name="Amira Khan").click()
    page.get_by_role("link", name="Sorts emoji and messages into kind and unkind").click()
    objective = page.url
    form = page.locator("form", has=page.get_by_role("heading", name="Record an observation"))
    note = form.get_by_label("Note (optional)")
    expect(form.get_by_text("You have 2,000 characters remaining")).to_be_visible()
    # 21 lines of 99 characters and a line break each: 2,100 as the box counts them (the
    # browser sends each line break as two characters; the server counts them as one too).
    text = "\n".join(f"Line {n:02} " + "a" * 91 for n in range(21)) + "."
    assert len(text) == 2100
    note.fill(text)
    expect(note).to_have_value(text)  # no maxlength: nothing cut off
    expect(form.get_by_text("You have 100 characters too many")).to_be_visible()
    # Screen readers hear it once typing stops, politely.
    told = form.locator("[aria-live='polite']").filter(has_text="characters")
    expect(told).to_have_text("You have 100 characters too many")
    assert_accessible(page)

    form.get_by_label("Level").select_option("2")
    form.get_by_label("Where").select_option("In a lesson")
    form.get_by_role("button", name="Record").click()

    summary = page.locator("[data-error-summary]")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_contain_text("Note must be 2,000 characters or fewer - it has 2,100.")
    box = page.get_by_label("Note (optional)")
    expect(box).to_have_value(text)  # every character, to shorten
    expect(page.get_by_text("You have 100 characters too many")).to_be_visible()
    assert_accessible(page)
    summary.get_by_role("link", name="Note must be 2,000 characters or fewer").click()
    expect(box).to_be_focused()

    # The same in high contrast: still told apart by its words and weight, and axe clean.
    page.goto(objective)
    page.get_by_role("button", name="High contrast").click()
    expect(page.locator("body.high-contrast")).to_have_count(1)
    note = form.get_by_label("Note (optional)")
    note.fill(text)
    expect(form.get_by_text("You have 100 characters too many")).to_be_visible()
    assert_accessible(page)


def test_the_lesson_editors_short_boxes_count_only_near_their_limit(
    page: Page, live_server: LiveServer
) -> None:
    """The editor has hundreds of 300-character boxes and a step's words are far fewer: a
    count under every one would bury the form, so each says it from three quarters."""
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/authoring/new")
    title = page.locator("#f-title")
    field = title.locator("xpath=ancestor::div[contains(@class, 'field')][1]")
    title.fill("Kind words online")
    expect(field.locator(".count-message")).to_be_hidden()
    # Of every box on the page, only the teacher's notes (below) show a count yet.
    expect(page.get_by_text("characters remaining")).to_have_count(1)
    title.fill("k" * 225)
    expect(field.get_by_text("You have 75 characters remaining")).to_be_visible()
    title.fill("k" * 301)
    expect(field.get_by_text("You have 1 character too many")).to_be_visible()
    # The teacher's notes have no threshold: their count shows from the start.
    notes = page.locator("#f-notes").locator("xpath=..")
    expect(notes.get_by_text("You have 5,000 characters remaining")).to_be_visible()
    assert_accessible(page)
