"""A member of staff records a phrase in their own voice with the microphone (voice-record.js).

Every page was sent `Permissions-Policy: microphone=()`, so the browser refused the microphone on
the one page that asks for it: "Start recording" always ended in "The microphone is not
available: choose a recording file instead." The voice page may now ask (microphone=(self));
no other page may. Chromium's fake microphone stands in for a real one.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LiveServer, assert_accessible, sign_in

FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def with_microphone(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A second Chromium with a fake microphone, from the suite's own Playwright (one Playwright
    per process: a second would clash with the shared browser's)."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *FAKE_MICROPHONE]
    )
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    context.grant_permissions(["microphone"], origin=live_server.url)
    yield context.new_page()
    context.close()
    chromium.close()


def test_a_teacher_records_a_phrase_with_the_microphone(
    with_microphone: Page, live_server: LiveServer
) -> None:
    page = with_microphone
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + "/symbols/voice")
    record = page.get_by_role("button", name="Start recording")
    record.focus()
    page.keyboard.press("Enter")
    status = page.get_by_role("status").filter(has_text="Recording")
    expect(status).to_have_text("Recording\u2026 say the phrase, then press Stop.")
    page.wait_for_timeout(400)  # a little of the fake microphone's tone
    stop = page.get_by_role("button", name="Stop recording")
    stop.press("Space")
    expect(page.get_by_role("button", name="Record again")).to_be_visible()
    expect(page.get_by_text("Recorded. Tick the box and save, or record again.")).to_be_visible()
    attached = page.eval_on_selector("#voice-audio", "input => input.files.length")
    assert attached == 1
    assert_accessible(page)
