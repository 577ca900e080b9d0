"""A pupil half way through a lesson leaves (Home, then Finished, as when the bell rings), signs
in again later and opens the lesson: its first screen offers Go on (the big button, where Start
always is) and Start again, fits the iPad either way up with nothing to scroll, every word
heard; Go on lands on the screen she left, in the same go. By touch, and by switch."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from classroom.lessons import content
from classroom.pupils.models import Scanning
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, tap_to_next_screen
from tests.browser.ipad_helpers import class_ipad, enrol_class_ipad, set_scanning
from tests.browser.test_pupil_layout import HEAR, MEASURE, VIEWPORTS
from tests.browser.test_switch_journeys import Switch, _ready, _sign_in_pupil

LESSON, TITLE = "feelings-online", "Feelings online"
SHOTS = Path("/tmp")  # noqa: S108 - where the report says the screenshots are


def _right_card(server: LiveServer, pathway: str, number: int) -> str:
    lessons: content.Catalogue = server.app.extensions["lessons"]
    step = lessons.get(LESSON).version(content.Pathway(pathway)).steps[number - 1]
    assert isinstance(step, content.ChooseStep)
    return next(o.text.text for o in step.options if o.correct)


def _lesson_tile(page: Page, press: Callable[[Locator], None]) -> Locator:
    tile = page.get_by_role("link", name=re.compile(f"{TITLE}$"))
    for _ in range(5):  # home shows a screenful of lessons at a time, with More and Back
        if tile.is_visible():
            break
        back = page.get_by_role("link", name="Back", exact=True)
        press(back if back.is_visible() else page.get_by_role("link", name="More", exact=True))
    return tile


def _tap(target: Locator) -> None:
    tap_to_next_screen(target.page, target)


def _sign_in_by_touch(page: Page, server: LiveServer, pupil: str) -> None:
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name=pupil, exact=True).tap()
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()


def _leave(page: Page, press: Callable[[Locator], None]) -> None:
    """Home in the middle of the lesson, then Finished: the iPad is ready for the next pupil."""
    press(page.get_by_role("link", name="My lessons"))
    expect(page.get_by_role("button", name="Finished")).to_be_visible()
    page.wait_for_load_state("load")  # "Are you finished?" is the page's script's
    press_in_page = press if press is not _tap else Locator.tap
    press_in_page(page.get_by_role("button", name="Finished"))  # asks first, on this page
    press(page.get_by_role("button", name="Yes, I am finished"))
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()


def _fits(page: Page, shot: str) -> None:
    """Nothing cut off, covered or under 64 px at scroll 0; every word heard; axe clean."""
    page.wait_for_load_state("load")
    page.evaluate("() => window.scrollTo(0, 0)")
    assert page.evaluate(MEASURE) == []
    assert page.evaluate(HEAR) == []
    assert page.evaluate("() => document.scrollingElement.scrollHeight <= window.innerHeight")
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / shot))


@pytest.mark.parametrize(("way_up", "pupil", "pathway"), [
    ("landscape", "Amira", "semi_formal"),  # story, choose, sort, choose, yes/no
    ("portrait", "Chloe", "formal"),
])  # fmt: skip
def test_a_pupil_who_leaves_half_way_goes_on_at_the_screen_she_left(
    browser: Browser, live_server: LiveServer, way_up: str, pupil: str, pathway: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[way_up], has_touch=True, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    enrol_class_ipad(page, live_server, f"Oak resume iPad {way_up}")
    _sign_in_by_touch(page, live_server, pupil)
    _tap(_lesson_tile(page, _tap))
    _tap(page.get_by_role("button", name="Start"))
    expect(page).to_have_url(re.compile("/steps/1$"))
    first = page.url
    _tap(page.get_by_role("link", name="Next"))  # screen 1: a story
    page.locator("form.answers").get_by_role(
        "button", name=_right_card(live_server, pathway, 2), exact=True
    ).tap()
    _tap(page.get_by_role("link", name="Next"))
    expect(page).to_have_url(re.compile("/steps/3$"))
    _leave(page, _tap)

    _sign_in_by_touch(page, live_server, pupil)  # later: the next lesson time
    _tap(_lesson_tile(page, _tap))
    go_on = page.get_by_role("button", name="Go on")
    expect(go_on).to_be_visible()
    expect(page.get_by_role("button", name="Start again")).to_be_visible()
    expect(page.get_by_role("img", name="Screen 3 of 5")).to_be_visible()
    _fits(page, f"resume-{way_up}.png")
    _tap(go_on)
    assert page.url == first.replace("/steps/1", "/steps/3")  # the same go, where she left
    context.close()


def test_by_switch_go_on_and_start_again_are_heard_and_chosen(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    set_scanning(live_server, "Finn", Scanning.STEP, 700, auditory=True)
    page = class_ipad(new_ipad, live_server, "Oak resume switch iPad")
    switch = Switch(page, Scanning.STEP)
    switch.listen()
    _sign_in_pupil(page, live_server, "Finn")
    switch.choose(_lesson_tile(page, switch.choose))
    switch.choose(page.get_by_role("button", name="Start"))
    expect(page).to_have_url(re.compile("/steps/1$"))
    first = page.url
    switch.choose(page.get_by_role("link", name="Next"))  # screen 1: a story
    card = _right_card(live_server, "formal", 2)
    switch.choose(page.locator("form.answers").get_by_role("button", name=card, exact=True))
    _ready(page)
    switch.choose(page.get_by_role("link", name="Next"))
    expect(page).to_have_url(re.compile("/steps/3$"))
    _leave(page, switch.choose)

    _sign_in_pupil(page, live_server, "Finn")
    switch.choose(_lesson_tile(page, switch.choose))
    _ready(page)
    switch.reach(page.get_by_role("button", name="Start again"))  # reached and said ...
    switch.choose(page.get_by_role("button", name="Go on"))  # ... but Go on is chosen
    expect(page).to_have_url(first.replace("/steps/1", "/steps/3"))

    switch.choose(page.get_by_role("link", name="My lessons"))
    switch.choose(_lesson_tile(page, switch.choose))
    switch.choose(page.get_by_role("button", name="Start again"))
    expect(page).to_have_url(re.compile("/steps/1$"))
    assert page.url != first  # a new go
