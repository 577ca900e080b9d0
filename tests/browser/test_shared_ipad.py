"""A shared class iPad forgets each pupil: Back never shows or sends the previous pupil's worry."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from classroom.db import get_session
from classroom.worries.models import Incident
from tests.browser.conftest import LiveServer
from tests.browser.ipad_helpers import class_ipad

AMIRAS_WORDS = "A boy in year 9 keeps messaging me at night"


def _back(ipad: Page) -> None:
    """The browser's Back button; the page may replace itself at once, so wait for it to settle."""
    ipad.go_back(wait_until="commit")
    ipad.wait_for_load_state()
    ipad.wait_for_timeout(300)
    ipad.wait_for_load_state()


def _incidents_with(server: LiveServer, words: str) -> list[Incident]:
    with server.app.app_context():
        return list(get_session().scalars(select(Incident).where(Incident.pupil_words == words)))


def _finish(ipad: Page) -> None:
    ipad.get_by_role("button", name="Finished").tap()
    ipad.get_by_role("button", name="Yes, I am finished").tap()
    expect(ipad.get_by_role("heading", name="Who are you?")).to_be_visible()


def _amira_types_a_worry_and_finishes(ipad: Page) -> None:
    ipad.get_by_role("button", name="Amira").tap()
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    for _ in range(4):  # what, where, feeling, who: skipped to "say more"
        ipad.get_by_role("button", name="Skip").tap()
    ipad.get_by_label("Type here if you want to. You do not have to.").fill(AMIRAS_WORDS)
    _finish(ipad)


def test_back_never_brings_the_last_pupils_unsent_words_into_the_next_pupils_worry(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    ipad = class_ipad(new_ipad, live_server, "Oak shared iPad")
    _amira_types_a_worry_and_finishes(ipad)
    ipad.get_by_role("button", name="Ben").tap()
    expect(ipad.get_by_role("heading", name="Hello Ben")).to_be_visible()
    for _ in range(3):  # Back as far as the browser lets Ben go
        _back(ipad)
        expect(ipad.get_by_text(AMIRAS_WORDS)).to_have_count(0)
        boxes = ipad.locator("textarea")
        for i in range(boxes.count()):
            assert AMIRAS_WORDS not in boxes.nth(i).input_value()
        send = ipad.get_by_role("button", name="Send")
        if send.count() and send.is_visible():
            send.tap()
            ipad.wait_for_load_state()
    assert _incidents_with(live_server, AMIRAS_WORDS) == []


def test_back_never_shows_the_last_pupils_thank_you_page(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    ipad = class_ipad(new_ipad, live_server, "Oak thanks iPad")
    ipad.get_by_role("button", name="Amira").tap()
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    ipad.get_by_role("button", name="Someone was unkind").tap()
    ipad.get_by_role("button", name="Skip").tap()
    ipad.get_by_role("button", name="Skip").tap()
    ipad.get_by_role("button", name="Ms Ana Lopez").tap()
    ipad.get_by_role("button", name="Send").tap()
    expect(ipad.get_by_text("Ms Ana Lopez will talk to you.")).to_be_visible()
    _finish(ipad)
    ipad.get_by_role("button", name="Ben").tap()
    expect(ipad.get_by_role("heading", name="Hello Ben")).to_be_visible()
    for _ in range(3):
        _back(ipad)
        expect(ipad.get_by_text("will talk to you")).to_have_count(0)
        expect(ipad.get_by_text("Thank you for telling")).to_have_count(0)
