"""One lesson open on two iPads: the later save is refused, not laid over the first, and the
teacher keeps what they typed and chooses what to do with it. An empty title is marked beside
its box."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def _write(page: Page, server: LiveServer) -> str:
    """A short semi-formal lesson, saved; the address of its editor."""
    page.goto(f"{server.url}/authoring/new")
    page.locator("#f-title").fill("Kind words")
    page.locator("#f-topic").fill("Kind and unkind messages")
    page.get_by_label("Online bullying").check()
    page.locator("#f-sf-objective").fill("Picks the kind message")
    for n, (kind, text) in enumerate(
        [
            ("story", "Some messages are kind."),
            ("who_can_i_tell", "Who can you tell?"),
            ("story", "Kind words help everyone."),
        ],
        1,
    ):
        page.locator(f"#f-sf-{n}-kind").select_option(kind)
        page.locator(f"#f-sf-{n}-text").fill(text)
    page.get_by_role("button", name="Save as a draft").click()
    page.wait_for_url(re.compile(r"/authoring/\d+\?saved=1"))
    return page.url.split("?")[0] + "/edit"


def test_the_later_of_two_saves_is_refused_and_the_teacher_chooses(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    first, second = new_ipad().new_page(), new_ipad().new_page()
    sign_in(first, live_server, "teacher")
    sign_in(second, live_server, "teacher")
    editor = _write(first, live_server)
    first.goto(editor)
    second.goto(editor)
    second.locator("#f-topic").fill("Changed on the other iPad")
    second.get_by_role("button", name="Save", exact=True).click()
    second.wait_for_url(re.compile(r"saved=1"))
    first.locator("#f-topic").fill("Changed on this iPad")
    first.get_by_role("button", name="Save", exact=True).click()
    expect(first.locator("#problems")).to_contain_text("Someone saved a change to this lesson")
    expect(first.locator("#f-topic")).to_have_value("Changed on this iPad")
    assert_accessible(first)
    first.get_by_role("button", name="Save mine as a new draft").click()
    first.wait_for_url(re.compile(r"/authoring/\d+\?saved=1"))
    assert first.url.split("?")[0] + "/edit" != editor  # a new draft; theirs stays
    expect(first.get_by_text("Changed on this iPad")).to_be_visible()
    second.goto(editor.removesuffix("/edit"))
    expect(second.get_by_text("Changed on the other iPad")).to_be_visible()


def test_an_empty_title_is_marked_beside_its_box(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    sign_in(page, live_server, "teacher")
    editor = _write(page, live_server)
    page.goto(editor)
    page.locator("#f-title").fill("")
    page.get_by_role("button", name="Save", exact=True).click()
    title = page.locator("#f-title")
    expect(page.locator("#f-title-error")).to_have_text("Title: please fill this in.")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-sf-1-text")).to_have_value("Some messages are kind.")
    assert_accessible(page)
    page.locator("#problems a[href='#f-title']").click()
    expect(title).to_be_focused()
