"""On a class iPad, a pre-formal pupil's "no" is honoured: nothing happens, and we say so."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from classroom.lessons import content
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.test_lesson_player import _ipad, _open, _tap


def _consent_number(live_server: LiveServer) -> int:
    lessons: content.Catalogue = live_server.app.extensions["lessons"]
    steps = lessons.get("photos-and-permission").version(content.Pathway.PRE_FORMAL).steps
    return next(n for n, s in enumerate(steps, 1) if isinstance(s, content.OnlyIfYesStep))


def test_no_means_no_photo_and_yes_brings_it(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    number = _consent_number(live_server)
    page = _ipad(new_ipad, live_server, "Oak consent")
    _open(page, "Ben", "Ask before a photo", _tap)  # Ben is on the pre-formal pathway
    for _ in range(1, number):
        page.locator(".step-nav").get_by_role("link", name="Next").tap()
    expect(page).to_have_url(re.compile(f"/steps/{number}$"))
    assert_accessible(page)
    page.locator("form.answers").get_by_role("button", name="No", exact=True).tap()
    expect(page.get_by_text("OK. No photo. You said no.")).to_be_visible()
    expect(page.locator("[data-step-result='no']")).to_have_count(1)
    expect(page.get_by_text("Click!")).to_have_count(0)
    assert page.evaluate("document.body.getAttribute('data-played')") is None  # no sound
    assert_accessible(page)

    page.go_back()
    page.reload()
    page.locator("form.answers").get_by_role("button", name="Yes", exact=True).tap()
    expect(page.get_by_text("Click! A photo of you.")).to_be_visible()
    expect(page.locator("body[data-played='pop']")).to_have_count(1)
