"""A teacher writes a lesson with live symbols, shares it, puts it on a pupil's map and
previews it as a pupil; the head writes the rules; a pupil hears them."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in, sign_out

MIN_TARGET = 64

STEPS = {
    "pf": [
        ("story", "Kind words make us happy."),
        ("cause_effect", "Tap for a kind sound."),
        ("story", "A smile is kind."),
    ],
    "sf": [
        ("story", "Some messages are kind."),
        ("choose", "Which message is kind?"),
        ("who_can_i_tell", "Who can you tell?"),
    ],
    "f": [
        ("story", "Messages can be kind or unkind."),
        ("yes_no", "Should I tell a trusted adult about unkind messages?"),
        ("story", "Kind words help everyone."),
    ],
}


def _write_lesson(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/authoring/new")
    assert_accessible(page)
    page.locator("#f-title").fill("Kind words")
    # The symbols appear as the teacher types, from the server, before anything is saved.
    expect(page.locator("#f-title-preview img").first).to_be_visible()
    page.locator("#f-topic").fill("Kind and unkind messages")
    page.get_by_label("Online bullying").check()
    for code, steps in STEPS.items():
        page.locator(f"#f-{code}-objective").fill(f"Objective for {code}")
        for n, (kind, text) in enumerate(steps, 1):
            page.locator(f"#f-{code}-{n}-kind").select_option(kind)
            page.locator(f"#f-{code}-{n}-text").fill(text)
            if code == "pf":  # every pre-formal step tells staff what to look for
                page.locator(f"#f-pf-{n}-note").fill("Looks towards the sound.")
                page.locator(f"#f-pf-{n}-look_for").select_option("responsiveness")
    expect(page.locator("#f-sf-2-o1-text")).to_be_visible()  # choose fields show for choose
    expect(page.locator("#f-sf-1-o1-text")).to_be_hidden()  # and not for a story
    page.locator("#f-sf-2-o1-text").fill("Well done!")
    page.locator("#f-sf-2-o2-text").fill("Go away!")
    page.locator("label[for='f-sf-2-correct-1']").click()
    page.locator("#f-sf-2-feedback").fill("Well done is kind.")
    page.locator("label[for='f-f-2-answer-yes']").click()
    page.locator("#f-f-2-feedback").fill("Yes. Tell a trusted adult.")
    expect(page.locator("#f-sf-2-o1-text-preview img").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("heading", name="Kind words")).to_be_visible()
    expect(page.get_by_text("Draft: only you")).to_be_visible()
    assert_accessible(page)


def test_a_teacher_picks_a_picture_by_word(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """The symbol picker: type a word, pictures appear as buttons with words, a press picks one."""
    page = new_ipad().new_page()
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/authoring/new")
    picker = page.locator("[data-symbol-picker][data-field='symbol']")
    picker.get_by_label("Find a picture for the lesson tile: type a word").fill("phone")
    choice = picker.locator("button.picture-choice").first
    expect(choice).to_be_visible()
    assert_accessible(page)
    word = choice.get_attribute("data-word")
    code = choice.get_attribute("data-code")
    choice.click()
    expect(picker.locator("[data-picker-word]")).to_have_text(word or "")
    expect(picker.locator("input[type=hidden][name='symbol']")).to_have_value(code or "")
    expect(picker.locator("[data-picker-image]")).to_be_visible()
    # Enter in the search box searches; it never submits the half-written lesson.
    picker.get_by_label("Find a picture for the lesson tile: type a word").fill("cat")
    picker.get_by_label("Find a picture for the lesson tile: type a word").press("Enter")
    expect(page).to_have_url(re.compile(r"/authoring/new$"))
    expect(page.get_by_role("alert")).to_have_count(0)
    assert_accessible(page)
    sign_out(page)


def _big_targets(page: Page, selector: str) -> None:
    """Every target on screen is big enough (rules show one per screen: the rest are hidden)."""
    sizes = page.eval_on_selector_all(
        selector,
        "els => els.filter(e => e.getClientRects().length > 0)"
        ".map(e => [e.textContent.trim(), e.getBoundingClientRect().width,"
        " e.getBoundingClientRect().height])",
    )
    assert sizes
    for label, width, height in sizes:
        assert min(width, height) >= MIN_TARGET, (label, width, height)


def test_a_teacher_writes_shares_maps_and_previews_a_lesson(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    sign_in(page, live_server, "teacher")
    page.get_by_role("link", name="Write lessons").click()
    assert_accessible(page)
    _write_lesson(page, live_server)
    page.get_by_role("button", name="Share with the school").click()
    expect(page.get_by_text("Shared with the school")).to_be_visible()
    lesson_url = page.url

    page.get_by_role("link", name="Preview as a semi-formal pupil").click()
    expect(page.get_by_role("heading", name=re.compile("Preview: Kind words"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Next").click()
    page.get_by_role("button", name="Go away!").click()
    expect(page.locator(".choice-card.hint")).to_contain_text("Well done!")
    page.get_by_role("button", name="Well done!").click()
    expect(page.locator(".pupil-message.feedback")).to_be_visible()
    assert_accessible(page)
    _big_targets(page, ".pupil-preview .step-nav a, .pupil-preview .sym-read-to-me")

    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Amira Khan").click()
    page.get_by_role("link", name="Lessons and progress").click()
    option = page.locator("#add-id option", has_text="Kind words")
    page.locator("#add-id").select_option(option.get_attribute("value"))
    page.get_by_role("button", name="Add to the end").click()
    expect(page.locator("table")).to_contain_text("Kind words")
    page.goto(lesson_url)
    expect(page.get_by_text("Shared with the school")).to_be_visible()
    sign_out(page)


def test_the_head_writes_the_rules_and_a_pupil_hears_them(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    sign_in(page, live_server, "head")
    page.get_by_role("link", name="Our rules").click()
    assert_accessible(page)
    page.get_by_role("link", name="Change the rules").click()
    expect(page.locator("#rule-1-preview img").first).to_be_visible()  # live symbols
    assert_accessible(page)
    page.locator("#rule-8").fill("I say stop if I do not like it.")
    expect(page.locator("#rule-8-preview img").first).to_be_visible()
    page.get_by_role("button", name="Save the rules").last.click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.get_by_role("link", name="Poster to print (A3)").click()
    expect(page.locator(".poster-symbol")).to_have_count(8)
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Back to our rules").click()

    sign_out(page)
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + "/class-ipads/")
    form = page.locator("form", has=page.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill("Oak rules iPad")
    form.get_by_role("button", name="Make this a class iPad").click()
    sign_out(page)
    page.goto(live_server.url + "/class-ipad")
    page.get_by_role("button", name="Amira", exact=True).tap()
    page.get_by_role("link", name="Our rules").tap()
    expect(page.get_by_role("heading", name="Our rules.")).to_be_visible()
    expect(page.locator(".rule")).to_have_count(8)
    assert_accessible(page)
    _big_targets(page, ".rule .sym-word, .sym-read-to-me, .pupil-bar button, a.pupil-button")
