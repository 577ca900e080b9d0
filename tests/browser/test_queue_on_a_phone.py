"""The safeguarding queue on the DSL's phone after school: each worry in "New and open" reads as
a card, whose it is, what and how risky on the screen without a sideways swipe, each value said
with its column's name; a worry that arrives while she reads swaps in as a card too. On the
laptop and the iPad the queue is the table it always was."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy import select

from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil
from classroom.worries import services
from classroom.worries.queue import QUEUE_PAGE
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in

PHONES = {"phone": {"width": 390, "height": 844}, "older phone": {"width": 375, "height": 667}}
LAPTOP = {"width": 1024, "height": 768}
COLUMNS = ["Status", "Received", "From", "Pupil", "Category", "Risk", "Assigned"]


def _send(server: LiveServer, count: int) -> list[str]:
    """`count` worries from the demo school's pupils in turn, oldest first; their references."""
    with server.app.app_context():
        session = get_session()
        pupils = session.scalars(select(Pupil).order_by(Pupil.id)).all()
        made = [
            services.raise_worry(
                session, pupils[n % len(pupils)], None, str(uuid.uuid4()),
                services.WorryChoices(what="unkind"), now=utcnow(), base_url=server.url,
            ).reference
            for n in range(count)
        ]  # fmt: skip
        session.commit()
        return made


@pytest.fixture(scope="module")
def full_queue(live_server: LiveServer) -> None:
    """More worries than a page holds: a pager, and the oldest new ones "elsewhere"."""
    _send(live_server, QUEUE_PAGE + 2)


def _queue(
    browser: Browser, server: LiveServer, size: dict[str, int], opened: list[BrowserContext]
) -> Page:
    phone = size["width"] < 500
    context = browser.new_context(
        viewport=size, is_mobile=phone, has_touch=True, device_scale_factor=2, locale="en-GB"
    )
    opened.append(context)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, server, "dsl")
    page.goto(server.url + "/safeguarding/")
    return page


def _box(page: Page) -> Locator:
    return page.get_by_role("region", name="New and open (table)")


def _on_screen_width(page: Page, row: Locator) -> None:
    """Every value of the row, with its name, inside the screen's width: no swipe to see it.
    The names are the table's own column heads (the stylesheet has them by position)."""
    heads = page.locator("table.queue thead th").all_text_contents()
    assert heads == ["Ref", *COLUMNS]
    width = page.viewport_size["width"]  # type: ignore[index]
    ref = row.locator("td").first
    expect(ref.get_by_role("link")).to_be_visible()
    for n, name in enumerate(COLUMNS, start=2):
        cell = row.locator(f"td:nth-child({n})")
        expect(cell).to_be_visible()
        box = cell.bounding_box()
        assert box is not None
        assert box["x"] >= 0, (name, box)
        assert box["x"] + box["width"] <= width, (name, box, width)
        # Said with its name: "Pupil: Ben Taylor", not a lone "Ben Taylor".
        expect(row.get_by_role("cell", name=re.compile(f"^{name}: [^ ]"))).to_have_count(1)


def _no_sideways_scroll(page: Page) -> None:
    width = page.viewport_size["width"]  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = _box(page)
    wide, seen = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert wide <= seen, (wide, seen)  # nothing off to the right inside the queue's box


@pytest.mark.usefixtures("full_queue")
@pytest.mark.parametrize("phone", sorted(PHONES))
def test_each_worry_reads_as_a_card_on_a_phone(
    browser: Browser, live_server: LiveServer, open_in: list[BrowserContext], phone: str
) -> None:
    live_server.app.config["QUEUE_POLL_SECONDS"] = 1
    page = _queue(browser, live_server, PHONES[phone], open_in)
    _no_sideways_scroll(page)
    rows = page.locator("#queue-rows tr")
    assert rows.count() == QUEUE_PAGE
    for n in (0, 1, QUEUE_PAGE - 1):
        _on_screen_width(page, rows.nth(n))
    pupil = rows.first.locator("td:nth-child(5)").inner_text().strip()
    expect(rows.first.get_by_role("cell", name=f"Pupil: {pupil}", exact=True)).to_have_count(1)
    # What needs her first and is off this page, and the pager, fit the phone too.
    expect(page.locator("#queue-elsewhere .alert")).to_be_visible()
    expect(page.get_by_role("link", name="Older")).to_be_visible()
    assert_accessible(page)

    # By keyboard: the first card's link takes the focus, on the screen.
    first = rows.first.get_by_role("link")
    first.focus()
    page.keyboard.press("Tab")
    mine = rows.nth(1).get_by_role("link")
    expect(mine).to_be_focused()
    held = page.locator(f'#queue-rows a[href="{mine.get_attribute("href")}"]')

    # A worry arrives while she reads: the live view swaps it in, as a card.
    (new,) = _send(live_server, 1)
    expect(rows.first).to_contain_text(new, timeout=4000)
    expect(page.locator("#queue-live")).to_have_text("The queue has changed.")
    expect(held).to_be_focused()  # the focus stayed on her row, now the third
    _on_screen_width(page, rows.first)
    _no_sideways_scroll(page)
    assert_accessible(page)

    page.get_by_role("link", name="Older").tap()
    page.wait_for_url("**/safeguarding/?after=*")
    _no_sideways_scroll(page)
    _on_screen_width(page, page.locator("#queue-rows tr").first)


@pytest.mark.usefixtures("full_queue")
def test_the_queue_on_a_laptop_is_the_table_as_before(
    browser: Browser, live_server: LiveServer, open_in: list[BrowserContext]
) -> None:
    page = _queue(browser, live_server, LAPTOP, open_in)
    table = page.locator("table.queue")
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    heads = page.locator("table.queue thead th")
    expect(heads.first).to_be_visible()
    assert heads.all_inner_texts() == ["Ref", *COLUMNS]
    row = page.locator("#queue-rows tr").first
    assert row.evaluate("r => getComputedStyle(r).display") == "table-row"
    tops = {round(box["y"]) for box in (c.bounding_box() for c in row.locator("td").all()) if box}
    assert len(tops) == 1  # one line across, a value under each head
    # No names before the values: the column heads say them.
    pupil = row.locator("td:nth-child(5)").inner_text().strip()
    expect(row.get_by_role("cell", name=pupil, exact=True)).to_have_count(1)
    expect(row.get_by_role("cell", name=re.compile("^(Pupil|Risk):"))).to_have_count(0)
    _no_sideways_scroll(page)
    assert_accessible(page)
