"""A TA sets up her class's symbols and people on a laptop by keyboard alone (Tab and Enter).

After each save, clear or removal the page comes back where she was working, with the focus on
a note that says what happened (role=status, so a screen reader reads it): the next word, the
next choice or the next adult is the next Tab, not the whole menu again.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in

LAPTOP = {"width": 1280, "height": 800}
SMALL_LAPTOP = {"width": 1024, "height": 768}


@pytest.fixture(params=[LAPTOP, SMALL_LAPTOP], ids=["1280x800", "1024x768"])
def laptop(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=request.param, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    yield context.new_page()
    context.close()


def _press(page: Page, name: str, role: str = "button") -> None:
    """Tab to a control (focus it) and press Enter, as she does."""
    control = page.get_by_role(role, name=name)  # type: ignore[arg-type]
    control.focus()
    page.keyboard.press("Enter")


def _focused_text(page: Page) -> str:
    return str(page.evaluate("document.activeElement.textContent.trim()"))


def _focused_is_status(page: Page) -> bool:
    return bool(page.evaluate("document.activeElement.getAttribute('role') === 'status'"))


def test_a_word_chosen_from_the_text_page_comes_back_to_that_word(
    laptop: Page, live_server: LiveServer
) -> None:
    page = laptop
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/symbols/text")
    page.get_by_label("Text").focus()
    page.keyboard.type("The cat is kind")
    page.get_by_label("Show the symbols chosen for").select_option(label="Class Oak")
    _press(page, "Show with symbols")
    expect(page.get_by_role("heading", name="Change a word's symbol")).to_be_visible()
    links = page.locator(".symbol-word-links a")
    names = [name.strip() for name in links.all_inner_texts()]
    assert "Symbol for “cat”" in names
    after_cat = names[names.index("Symbol for “cat”") + 1]

    _press(page, "Symbol for “cat”", "link")
    expect(page.get_by_role("heading", name="A picture for “cat”")).to_be_visible()
    # The chooser is open on the pictures the text page showed: class Oak's.
    expect(page.get_by_label("Use it for").locator("option:checked")).to_have_text("Class Oak")
    page.locator("input[name='symbol']").first.focus()
    page.keyboard.press("ArrowDown")  # the second picture
    chosen = page.locator("input[name='symbol']:checked").get_attribute("value")
    _press(page, "Use this picture")

    # Back on the text page, at "cat": the note says it was saved and has the focus.
    page.wait_for_url(re.compile(r"/symbols/text\?.*#swapped$"))
    note = page.locator("#swapped")
    expect(note).to_be_focused()
    expect(note).to_have_attribute("role", "status")
    expect(note).to_have_text("Saved: the picture for “cat” for class Oak.")
    expect(page.get_by_label("Text")).to_have_value("The cat is kind")
    cat = page.locator("#symbol-output-text .sym-word", has_text="cat")
    expect(cat.locator("img")).to_have_attribute("src", re.compile(f"/{chosen}.svg"))
    assert_accessible(page)
    page.keyboard.press("Tab")  # straight on to the next word
    assert _focused_text(page) == after_cat

    # The choice is listed for class Oak; clearing it comes back to the list, saying so.
    page.goto(f"{live_server.url}/symbols/choose")
    _press(page, "Clear the choice for “cat”")
    page.wait_for_url(re.compile(r"cleared=1.*#saved$"))
    expect(page.locator("#saved")).to_be_focused()
    assert _focused_is_status(page)
    assert _focused_text(page) == "Cleared. The word list's symbol is back."
    made = page.locator("section[aria-labelledby='made-heading']")
    expect(made.locator("#saved")).to_be_visible()
    expect(made.get_by_role("button", name="Clear the choice for “cat”")).to_have_count(0)
    assert_accessible(page)

    # Back (the browser's) shows the page before the clear again, not a form to send twice.
    page.go_back()
    page.wait_for_load_state()
    assert "cleared=1" not in page.url


def test_a_word_chosen_on_the_chooser_page_comes_back_to_the_next_word(
    laptop: Page, live_server: LiveServer
) -> None:
    page = laptop
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/symbols/choose")
    page.get_by_label("Word or phrase").focus()
    page.keyboard.type("sad")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="A picture for “sad”")).to_be_visible()
    page.locator("input[name='symbol']").first.focus()
    page.keyboard.press("ArrowDown")
    _press(page, "Use this picture")

    page.wait_for_url(re.compile(r"saved=1.*#saved$"))
    expect(page.locator("#saved")).to_be_focused()
    assert _focused_is_status(page)
    assert _focused_text(page).startswith("Saved. “sad” has its new picture for class Oak")
    page.keyboard.press("Tab")  # the next word goes in the phrase box
    expect(page.get_by_label("Word or phrase")).to_be_focused()
    assert_accessible(page)


def test_adding_and_removing_a_trusted_adult_by_keyboard(
    laptop: Page, live_server: LiveServer
) -> None:
    page = laptop
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/symbols/people/1")  # Amira, Oak
    page.get_by_label("Member of staff", exact=True).select_option(label="Ms Ana Lopez")
    _press(page, "Add adult at school")
    page.wait_for_url(re.compile(r"saved=1#saved$"))
    expect(page.locator("#saved")).to_be_focused()
    assert _focused_is_status(page)
    assert _focused_text(page) == "Added. Amira sees them on their next screen."
    assert_accessible(page)

    remove = page.get_by_role("button", name=re.compile(r"^Remove "))
    count = remove.count()
    _press(page, remove.first.inner_text())
    page.wait_for_url(re.compile(r"removed=1#saved$"))
    expect(page.locator("#saved")).to_be_focused()
    assert _focused_text(page) == "Removed, with their photo."
    expect(remove).to_have_count(count - 1)


def test_her_own_photo_saved_says_so_where_the_focus_is(
    laptop: Page, live_server: LiveServer
) -> None:
    page = laptop
    out = io.BytesIO()
    Image.new("RGB", (200, 200), "navy").save(out, "JPEG")
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/symbols/my-photo")
    page.get_by_label("Photo (JPEG or PNG)").set_input_files(
        {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}
    )
    _press(page, "Save my photo")
    page.wait_for_url(re.compile(r"saved=1#saved$"))
    expect(page.locator("#saved")).to_be_focused()
    assert _focused_is_status(page)
    assert _focused_text(page) == "Saved."

    # A file that is not a picture: the summary of what is wrong has the focus.
    page.get_by_label("Photo (JPEG or PNG)").set_input_files(
        {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture"}
    )
    _press(page, "Save my photo")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
