"""Journeys people take: staff enrol a class iPad, pupils sign in by tapping, no trace remains."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from classroom.cli import enrol_link
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, sign_out
from tests.browser.ipad_helpers import IDLE_IN_SIX_SECONDS, class_ipad, set_pupil

MIN_PUPIL_TARGET = 64


def _assert_pupil_targets_are_big(page: Page) -> None:
    # What is on screen now: a tile on another page of tiles (and its speaker) is not drawn.
    sizes = page.eval_on_selector_all(
        ".pupil-main button, .pupil-bar button, .pupil-main .pupil-button",
        "els => els.filter(e => e.getClientRects().length > 0).map(e => ["
        " e.textContent.trim() || e.getAttribute('aria-label'),"
        " e.getBoundingClientRect().width, e.getBoundingClientRect().height])",
    )
    assert sizes, "no pupil targets found"
    for label, width, height in sizes:
        assert min(width, height) >= MIN_PUPIL_TARGET, (label, width, height)


def test_teacher_enrols_an_ipad_and_a_pupil_signs_in_by_tapping(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "teacher")
    expect(page.get_by_role("heading", name="Oak")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Class iPads").click()
    assert_accessible(page)
    form = page.locator("form", has=page.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill("Oak iPad 1")
    form.get_by_role("button", name="Make this a class iPad").click()
    expect(page.get_by_text("This iPad is now a class iPad")).to_be_visible()
    sign_out(page)

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    assert_accessible(page)
    _assert_pupil_targets_are_big(page)
    page.get_by_role("button", name="Amira").tap()
    expect(page.get_by_role("heading", name="Hello Amira")).to_be_visible()
    assert_accessible(page)
    _assert_pupil_targets_are_big(page)

    page.get_by_role("button", name="Finished").tap()
    expect(page.get_by_role("dialog", name="Are you finished?")).to_be_visible()
    page.get_by_role("button", name="Yes, I am finished").tap()
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
    page.go_back()
    page.wait_for_load_state()
    expect(page.get_by_text("Hello Amira")).to_have_count(0)


def test_technician_link_enrols_an_ipad(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        result = live_server.app.test_cli_runner().invoke(
            enrol_link, ["--class", "Willow", "--name", "Willow iPad 2"]
        )
    link = re.search(r"http://\S+", result.output)
    assert link is not None, result.output
    page = new_ipad().new_page()
    page.goto(link.group(0))
    expect(page.get_by_text("Willow iPad 2")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Enrol this iPad").click()
    expect(page.get_by_role("button", name="Grace")).to_be_visible()
    expect(page.get_by_role("button", name="Amira")).to_have_count(0)


def test_pupil_signs_in_with_a_picture_password_by_switch(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """Switch users press Space/Enter on the focused item; nothing needs a precise touch."""
    page = new_ipad().new_page()
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + "/class-ipads/")
    form = page.locator("form", has=page.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill("Oak iPad 2")
    form.get_by_role("button", name="Make this a class iPad").click()
    sign_out(page)
    page.goto(live_server.url + "/class-ipad")
    page.get_by_role("button", name="Dev").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Dev, tap your pictures")).to_be_visible()
    assert_accessible(page)
    _assert_pupil_targets_are_big(page)
    for pressed, word in enumerate(("cat", "dog", "star"), start=1):
        page.get_by_role("button", name=word, exact=True).focus()
        page.keyboard.press("Space")
        if pressed < 3:  # the next page counts the picture before the next one is pressed
            expect(page.get_by_role("img", name=f"{pressed} of 3 pictures")).to_be_visible()
    expect(page.get_by_role("heading", name="Hello Dev")).to_be_visible()


def test_a_picture_password_half_tapped_is_forgotten_at_the_idle_time(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """Dev taps two of his three pictures and walks away: at the idle time the iPad goes back
    to the class tiles, so the next child's tap cannot finish his password. The screen wears
    Dev's own contrast, as his other screens do."""
    set_pupil(live_server, "Dev", high_contrast=True)
    try:
        page = class_ipad(new_ipad, live_server, "Oak iPad idle")
        page.add_init_script(IDLE_IN_SIX_SECONDS)  # from the next page on
        page.get_by_role("button", name="Dev").tap()
        expect(page.locator("body")).to_have_class(re.compile(r"\bhigh-contrast\b"))
        assert_accessible(page)
        for word in ("cat", "dog"):
            page.get_by_role("button", name=word, exact=True).tap()
        expect(page.locator(".progress .dot.filled")).to_have_count(2)
        expect(page.get_by_role("heading", name="Who are you?")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Dev").tap()
        expect(page.locator(".progress .dot.filled")).to_have_count(0)
        page.get_by_role("button", name="star", exact=True).tap()
        expect(page.get_by_role("heading", name="Hello Dev")).to_have_count(0)
    finally:
        set_pupil(live_server, "Dev", high_contrast=False)


def test_finished_with_no_network_covers_the_screen_until_the_pupil_is_signed_out(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """Ben presses Finished while the Wi-Fi is down. The server still has him signed in, so the
    screen is covered with a sign in pictures (never the browser's error page), nothing of his
    can be used, and when the network is back the iPad signs him out and shows the tiles."""
    page = class_ipad(new_ipad, live_server, "Oak iPad offline finish")
    page.get_by_role("button", name="Ben").tap()
    expect(page.get_by_role("heading", name="Hello Ben")).to_be_visible()
    # The page's scripts have run (they are deferred): before that, Finished is a plain form,
    # and CI once tapped it first, so the tap navigated offline instead of asking.
    page.wait_for_load_state("load")
    page.context.set_offline(True)
    page.get_by_role("button", name="Finished").tap()
    page.get_by_role("button", name="Yes, I am finished").tap()
    sign = page.get_by_role("alertdialog", name="No internet. Ask an adult.")
    expect(sign).to_be_visible()
    expect(sign.locator(".sym-word img:not(.sym-missing)").first).to_be_visible()
    assert page.url.endswith("/pupil/")  # still the app's page, not the browser's error
    expect(page.locator("#main")).to_have_attribute("inert", "")
    expect(page.locator(".worry-rail")).to_have_attribute("inert", "")
    assert_accessible(page)
    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible(timeout=20_000)
    page.goto(live_server.url + "/pupil/")  # Ben's session has ended on the server
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()
