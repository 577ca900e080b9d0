"""A teacher previewing a lesson taps a word, chooses another picture in the dialog, and the
preview shows it straight away (saved for their class); keyboard works; axe clean. The admin
sets a teacher's photo for pupils."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in

PREVIEW = "/authoring/preview/kind-and-unkind/semi_formal/1"  # "Messages can be kind or unkind."


def _word(page: Page, written: str) -> Locator:
    label = page.locator(".sym-label", has_text=re.compile(rf"^{written}$"))
    return page.locator("#step-text .sym-word").filter(has=label)


def _picture(word: Locator) -> str:
    return str(word.locator("img").get_attribute("src"))


def test_tapping_a_word_in_a_lesson_preview_swaps_its_picture(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}{PREVIEW}")
    word = _word(page, "kind")
    before = _picture(word)
    assert_accessible(page)

    word.tap()
    dialog = page.get_by_role("dialog", name="Choose a picture")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="A picture for “kind”")).to_be_visible()
    dialog.get_by_label("Find other pictures by word").fill("tree")
    dialog.get_by_role("button", name="Find").click()
    tree = dialog.locator("input[name='symbol'][value='1F333']")  # the search's tree
    expect(tree).to_be_attached()
    assert "/1F333.svg" not in before
    new = "1F333"
    assert_accessible(page)
    dialog.locator(f"label[for='{tree.get_attribute('id')}']").click()
    dialog.get_by_role("button", name="Use this picture").click()

    page.wait_for_url(re.compile(r"/authoring/preview/kind-and-unkind/semi_formal/1\?.*symbols="))
    expect(_word(page, "kind").locator("img")).to_have_attribute("src", re.compile(f"/{new}.svg"))
    assert_accessible(page)

    # Keyboard: Enter on a word opens the chooser; Escape closes it and focus goes back.
    other = _word(page, "Messages")
    other.focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name=re.compile("A picture for"))).to_be_visible()
    # Focus is on the pictures, ready to arrow through, not on the search box above them.
    assert page.evaluate("() => document.activeElement.type") == "radio"
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(other).to_be_focused()


def test_the_admin_sets_a_teachers_photo_on_an_accessible_page(
    page: Page, live_server: LiveServer
) -> None:
    out = io.BytesIO()
    Image.new("RGB", (400, 400), "teal").save(out, "JPEG")
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/symbols/staff-photos")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Add a photo for Ms Ana Lopez$")).click()
    assert_accessible(page)
    page.get_by_label("Photo (JPEG or PNG)").set_input_files(
        {"name": "ana.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}
    )
    page.get_by_label("Ms Ana Lopez agreed to pupils seeing this photo").check()
    page.get_by_role("button", name="Save the photo").click()
    expect(page.get_by_text("Photo saved.")).to_be_visible()
    expect(page.get_by_role("img", name="Photo of Ms Ana Lopez")).to_be_visible()
    assert_accessible(page)
