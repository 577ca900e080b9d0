"""A TA recording in a lesson on the class iPad, standing, by touch, each way up (and on a laptop
by keyboard only): a level tapped by mistake is put right from the message that says it was
saved, in four taps, and she is back at the lesson as she left it, the next pupil hers to
tick and each pupil already recorded saying so. Before, it took the header's Home, the class,
the pupil and the objective to find the correction (eight taps), and choosing the lesson and
where again to get back (six more)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import IPAD_VIEWPORTS, on_screen

EMERGING, DEVELOPING = re.compile(r"^1 . Emerging"), re.compile(r"^2 . Developing")


class Taps:
    """Each tap (or choice from a list: two) a TA makes, counted."""

    def __init__(self, page: Page) -> None:
        self.page, self.count = page, 0

    def tap(self, target: Locator) -> None:
        on_screen(self.page, target)  # where she is looking: nothing to scroll to find it
        box = target.bounding_box()
        assert box is not None
        assert box["height"] >= 44, (target, box)  # a finger's target on the iPad
        self.count += 1
        target.tap()

    def choose(self, target: Locator, value: str) -> None:
        on_screen(self.page, target)
        self.count += 2  # open the list, then tap the choice
        target.select_option(value)


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def _back_at_the_lesson(page: Page, said: str) -> None:
    saved = page.get_by_role("main").get_by_role("status")
    expect(saved).to_contain_text(said)
    expect(saved).to_be_focused()
    on_screen(page, saved)
    expect(page.get_by_label("Where")).to_have_value("class")  # the session's, kept
    for box in page.get_by_role("checkbox").all():
        expect(box).not_to_be_checked()
    for button in page.locator(".level-button").all():
        on_screen(page, button)
    _no_sideways_scroll(page)
    assert_accessible(page)


@pytest.mark.parametrize(
    ("way_up", "lesson"), [("portrait", "kind-and-unkind"), ("landscape", "personal-information")]
)
def test_a_level_tapped_by_mistake_is_put_right_in_four_taps_and_back_to_the_lesson(
    page: Page, live_server: LiveServer, way_up: str, lesson: str
) -> None:
    page.set_viewport_size(IPAD_VIEWPORTS[way_up])
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/assessment/classes/1/record?lesson_id={lesson}#chosen")
    taps = Taps(page)
    taps.choose(page.get_by_label("Where"), "class")
    taps.tap(page.locator("label.pick", has_text="Amira"))
    taps.tap(page.get_by_role("button", name=EMERGING))  # meant Secure
    assert taps.count == 4
    _back_at_the_lesson(page, "Recorded Emerging (full support) for Amira.")
    # Put right from the message: the correction opens with its level and Save on the screen.
    taps.count = 0
    taps.tap(page.get_by_role("link", name=re.compile("^Put right Amira")))
    correction = page.locator("#put-right")
    expect(correction).to_be_focused()
    expect(correction.get_by_role("heading")).to_have_text("Your correction: Amira Khan")
    on_screen(page, correction.get_by_role("link", name="Withdraw it instead"))
    _no_sideways_scroll(page)
    assert_accessible(page)
    taps.choose(correction.get_by_label("Level"), "3")
    taps.tap(correction.get_by_role("button", name="Save correction"))
    assert taps.count == 4
    _back_at_the_lesson(
        page, "Corrected to Secure (independent) for Amira (it was Emerging (full support))."
    )
    amira = page.get_by_role("checkbox", name=re.compile("^Amira"))
    expect(amira).to_have_accessible_name(re.compile("^Amira Khan Recorded today: 3 Secure"))
    # The next pupil: two taps, and the one just put right is not counted twice.
    taps.count = 0
    taps.tap(page.locator("label.pick", has_text="Ben"))
    taps.tap(page.get_by_role("button", name=DEVELOPING))
    assert taps.count == 2
    _back_at_the_lesson(page, "Recorded Developing (prompted or modelled) for Ben.")
    expect(amira).to_have_accessible_name(re.compile("^Amira Khan Recorded today: 3 Secure "))
    expect(page.get_by_role("checkbox", name=re.compile("^Ben"))).to_have_accessible_name(
        re.compile("^Ben Taylor Recorded today: 2 Developing ")
    )


def test_a_pupil_ticked_by_mistake_is_withdrawn_and_back_to_the_lesson(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size(IPAD_VIEWPORTS["portrait"])
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/assessment/classes/1/record?lesson_id=real-or-pretend#chosen")
    page.get_by_label("Where").select_option("class")
    page.locator("label.pick", has_text="Ben").tap()  # meant Dev
    page.get_by_role("button", name=DEVELOPING).tap()
    _back_at_the_lesson(page, "Recorded Developing (prompted or modelled) for Ben.")
    taps = Taps(page)
    taps.tap(page.get_by_role("link", name=re.compile("^Put right Ben")))
    # Ben is pre-formal: his correction's Engagement Model ticks leave Save on the screen too.
    correction = page.locator("#put-right")
    expect(correction.get_by_role("group", name=re.compile("^Engagement Model"))).to_be_visible()
    on_screen(page, correction.get_by_role("button", name="Save correction"))
    taps.tap(page.get_by_role("link", name="Withdraw it instead"))
    page.wait_for_url(re.compile(r"/withdraw\?back=record$"))
    assert_accessible(page)
    page.get_by_label("Why it was recorded in error").fill("Ticked Ben instead of Dev")
    taps.tap(page.get_by_role("button", name="Withdraw as recorded in error"))
    assert taps.count == 3  # and the reason typed
    _back_at_the_lesson(page, "Withdrawn as recorded in error: Developing (prompted or modelled)")
    expect(page.get_by_role("checkbox", name=re.compile("^Ben"))).not_to_have_accessible_name(
        re.compile("Recorded today")
    )
    page.locator("label.pick", has_text="Dev").tap()
    page.get_by_role("button", name=DEVELOPING).tap()
    _back_at_the_lesson(page, "Recorded Developing (prompted or modelled) for Dev.")


def test_a_mistake_is_put_right_by_keyboard_only(
    browser: Browser, live_server: LiveServer, open_in: list[BrowserContext]
) -> None:
    laptop = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    open_in.append(laptop)
    page = laptop.new_page()
    sign_in(page, live_server, "ta")
    page.goto(f"{live_server.url}/assessment/classes/1/record?lesson_id=games-chat-spending")
    page.get_by_label("Where").select_option("class")
    page.get_by_role("checkbox", name=re.compile("^Amira")).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name=EMERGING).focus()
    page.keyboard.press("Enter")
    _back_at_the_lesson(page, "Recorded Emerging (full support) for Amira.")
    # From the message, the next Tab is the way to put it right.
    page.keyboard.press("Tab")
    put_right = page.get_by_role("link", name=re.compile("^Put right Amira"))
    expect(put_right).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#put-right")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Withdraw it instead")).to_be_focused()
    page.keyboard.press("Tab")
    level = page.locator("#put-right").get_by_label("Level")
    expect(level).to_be_focused()
    level.press("ArrowDown")
    level.press("ArrowDown")
    expect(level).to_have_value("3")
    save = page.get_by_role("button", name="Save correction")
    keys = 0
    while keys < 9 and not save.evaluate("button => button === document.activeElement"):
        page.keyboard.press("Tab")
        keys += 1
    expect(save).to_be_focused()  # past support, where, the date's day, month and year, the note
    page.keyboard.press("Enter")
    _back_at_the_lesson(page, "Corrected to Secure (independent) for Amira")
