"""The staff pages' richer widgets by keyboard alone, on a laptop (1366 x 768): the lesson
editor's Tab order never hides a box under its sticky Save bar (WCAG 2.4.11), and the
safeguarding queue's live update tells a screen reader the queue has changed without taking
the focus away from the row the DSL was on (WCAG 4.1.3, 2.4.3)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import logged_concern

LAPTOP = {"width": 1366, "height": 768}

# The focused element, and whether a sticky or fixed bar it is not inside covers it whole.
HIDDEN_UNDER_A_BAR = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) { return null; }
  const r = e.getBoundingClientRect();
  for (const bar of document.querySelectorAll('.form-actions')) {
    const q = bar.getBoundingClientRect();
    if (!bar.contains(e) && q.top <= r.top && q.bottom >= r.bottom) {
      return e.id || e.textContent.trim();
    }
  }
  return '';
}"""


@pytest.fixture
def laptop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    yield context.new_page()
    context.close()


def _raise_concern(server: LiveServer) -> int:
    return logged_concern(server, "Said someone online asked for a photo", "man photo")


def test_tabbing_through_the_lesson_editor_never_hides_a_box_under_the_save_bar(
    laptop: Page, live_server: LiveServer
) -> None:
    sign_in(laptop, live_server, "teacher")
    laptop.goto(f"{live_server.url}/authoring/new")
    assert_accessible(laptop)
    hidden = []
    for _ in range(70):  # the lesson's details, its strands and risks, the first steps
        laptop.keyboard.press("Tab")
        under = laptop.evaluate(HIDDEN_UNDER_A_BAR)
        if under:
            hidden.append(under)
    assert hidden == []
    # Choosing a picture by keyboard: type, Enter finds, Tab to a picture, Space chooses.
    laptop.locator("#f-symbol-find").focus()
    laptop.keyboard.type("dog")
    laptop.keyboard.press("Enter")
    expect(laptop.get_by_role("button", name="dog", exact=True)).to_be_visible()
    laptop.keyboard.press("Tab")
    laptop.keyboard.press("Tab")
    laptop.keyboard.press("Space")
    expect(laptop.get_by_text("Chosen: dog.")).to_be_attached()
    expect(laptop.locator("#f-symbol-find")).to_be_focused()
    assert_accessible(laptop)


def test_a_new_worry_is_announced_and_the_focus_stays_on_the_row_link(
    laptop: Page, live_server: LiveServer
) -> None:
    live_server.app.config["QUEUE_POLL_SECONDS"] = 1
    first = _raise_concern(live_server)
    sign_in(laptop, live_server, "dsl")
    laptop.goto(f"{live_server.url}/safeguarding/")
    row_link = laptop.locator(f"#queue-rows a[href$='/safeguarding/{first}']")
    row_link.focus()
    expect(row_link).to_be_focused()
    second = _raise_concern(live_server)
    new_link = laptop.locator(f"#queue-rows a[href$='/safeguarding/{second}']")
    expect(new_link).to_have_text(f"W{second:05d}")  # Incident.reference
    live = laptop.locator("#queue-live")
    expect(live).to_have_text("The queue has changed.")
    expect(live).to_have_attribute("aria-live", "polite")
    # The same worry's link, in the fresh rows, still holds the focus: the next Tab goes on
    # from there, not from the top of the page.
    expect(laptop.locator(f"#queue-rows a[href$='/safeguarding/{first}']")).to_be_focused()
    assert_accessible(laptop)
