"""A teacher writing a lesson, by keyboard and by touch: the live symbols keep each mark on its
word as the pupil screen does; the word-swap dialog keeps Tab and Shift+Tab inside it, in
reading order, and Escape gives focus back to the word; and the hearing check every pupil
screen walk runs finds a mark standing alone on a screen."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import HEAR_SCREEN

PREVIEW = "/authoring/preview/kind-and-unkind/semi_formal/1"  # "Messages can be kind or unkind."
LAPTOP = {"width": 1280, "height": 800}

# Where focus is: inside the dialog, and which control ("" when it has left the dialog).
FOCUS = """() => { const e = document.activeElement, d = document.querySelector("dialog[open]");
  if (!d || !e || e === d || !d.contains(e)) { return ""; }
  return e.id || e.getAttribute("name") || e.textContent.trim(); }"""


def test_the_live_symbols_keep_each_mark_on_its_word(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/authoring/new")
    page.locator("#f-title").fill("The game says \u2018Buy gems\u2019. Don't (ever) pay!")
    preview = page.locator("#f-title-preview")
    expect(preview.locator(".sym-label").last).to_have_text("pay!")
    expect(preview.locator(".sym-label")).to_have_text(
        ["The", "game", "says", "\u2018Buy", "gems\u2019.", "Don't", "(ever)", "pay!"]
    )
    gaps = preview.locator(".sym-gap").all_text_contents()
    assert all(not gap.strip() for gap in gaps), gaps  # no mark stands alone between pictures
    assert_accessible(page)


def test_the_word_swap_dialog_keeps_tab_inside_and_escape_goes_back_to_the_word(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    page.set_viewport_size(LAPTOP)  # the teacher's laptop: a keyboard
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}{PREVIEW}")
    label = page.locator(".sym-label", has_text=re.compile(r"^kind$"))
    word = page.locator("#step-text .sym-word").filter(has=label)
    word.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Choose a picture")
    expect(dialog.get_by_role("heading", name="A picture for \u201ckind\u201d")).to_be_visible()
    # It opens on the pictures, ready to arrow through (not the search box above them).
    assert page.evaluate("() => document.activeElement.type") == "radio"
    search = dialog.get_by_label("Find other pictures by word")
    box = search.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # as tall as every other box a teacher types in

    search.focus()  # the top of the dialog's Tab order
    forward = [page.evaluate(FOCUS)]
    for _ in range(12):
        page.keyboard.press("Tab")
        forward.append(page.evaluate(FOCUS))
    assert "" not in forward, forward  # focus never left the dialog
    first, last = forward[0], "Close"
    assert forward[forward.index(last) + 1] == first, forward  # Close, then round to the top
    backward = [page.evaluate(FOCUS)]
    page.get_by_label("Find other pictures by word").focus()
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
        backward.append(page.evaluate(FOCUS))
    assert backward[1:] == [last, "Use this picture", "choice-layer"], backward

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(word).to_be_focused()


def test_a_mark_standing_alone_on_a_pupil_screen_is_reported(page: Page) -> None:
    """What the symboliser no longer makes (a quote mark as a 'word' of its own) is a fault the
    hearing check reports, even where Read to me reads the whole sentence."""
    page.set_content(
        '<main id="main"><p id="t" class="sym-text">'
        '<button class="sym-word" data-say="says">says</button><span class="sym-gap"> \u201c</span>'
        '<button class="sym-word" data-say="Buy">Buy</button><span class="sym-gap"> \' </span>'
        '<button class="sym-word" data-say="gems">gems\u201d.</button></p>'
        '<button class="sym-read-to-me" data-read-to-me="t">Read to me</button></main>'
    )
    assert page.evaluate(HEAR_SCREEN) == ["lone mark \u201c", "lone mark '"]
    page.set_content(
        '<main id="main"><p id="t" class="sym-text">'
        '<button class="sym-word" data-say="says">says</button><span class="sym-gap"> </span>'
        '<button class="sym-word" data-say="Buy">\u201cBuy</button><span class="sym-gap"> </span>'
        '<button class="sym-word" data-say="pupils">pupils\'\u201d.</button></p>'
        '<button class="sym-read-to-me" data-read-to-me="t">Read to me</button></main>'
    )
    assert page.evaluate(HEAR_SCREEN) == []  # marks on their words are fine
