"""A carer with two children at the school (the demo's Sara: Amira, and Ben connected here), on
a phone by touch and on a family iPad by keyboard: every item says which child it is about,
even scrolled far below the page's heading, and a list of links moves between the children's
news and photo consent, each page with no axe-core violations and thumb-sized links.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.parents import services as parents
from classroom.pupils.models import ParentLink, Pupil
from tests.app_settings import carer_emails
from tests.browser.conftest import WAIT_MS, assert_accessible, sign_in
from tests.live import LiveServer

PHONE = ViewportSize(width=390, height=844)
IPAD = ViewportSize(width=810, height=1080)
LONDON = ZoneInfo("Europe/London")
SWITCH_TARGETS = """() => [...document.querySelectorAll('.child-switch a')]
  .map(a => a.getBoundingClientRect()).map(r => Math.min(r.width, r.height))"""


class Clock:
    """The app's clock: a Tuesday morning, outside quiet hours."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module", autouse=True)
def two_children(live_server: LiveServer) -> Iterator[None]:
    """Sara ("parent") is connected to Ben too; the school writes about each of them."""
    day = datetime.now(LONDON).date() + timedelta(days=1)
    while day.weekday() != 1:
        day += timedelta(days=1)
    live_server.app.config["CLOCK"] = Clock(
        datetime.combine(day, time(10, 0), tzinfo=LONDON).astimezone(UTC)
    )
    with live_server.app.app_context():
        session = get_session()
        sara = session.scalar(select(Account).where(Account.username == "parent"))
        teacher = session.scalar(select(Account).where(Account.username == "teacher"))
        amira = session.scalar(select(Pupil).where(Pupil.first_name == "Amira"))
        ben = session.scalar(select(Pupil).where(Pupil.first_name == "Ben"))
        assert sara is not None
        assert teacher is not None
        assert amira is not None
        assert ben is not None
        now = utcnow()
        session.add(
            ParentLink(parent_id=sara.id, pupil_id=ben.id, relationship_label="Mum", created_at=now)
        )
        session.flush()
        for child, note in ((amira, "Amira sorted them all."), (ben, "Ben sorted them too.")):
            parents.share_learning_moment(
                session, teacher, child, "Sorts kind and unkind messages",
                "Secure (independent)", note, now=now, emails=carer_emails(),
            )  # fmt: skip
        session.commit()
    yield
    live_server.app.config.pop("CLOCK", None)


def _looks_right(page: Page) -> None:
    assert_accessible(page)
    wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert wider <= 0, f"{page.url} scrolls sideways by {wider}px"
    assert all(size >= 44 for size in page.evaluate(SWITCH_TARGETS)), page.url


def _items_name(page: Page, first_name: str, scrolled_away: bool = False) -> None:
    """Each item names the child; scrolled down to the oldest, the heading is gone (on the
    phone, with the demo's news for Amira) but the item there still says whose it is."""
    page.locator(".feed-item").last.scroll_into_view_if_needed()
    if scrolled_away:
        expect(page.get_by_role("heading", level=1)).not_to_be_in_viewport()
    for meta in page.locator(".feed-item .item-meta").all():
        expect(meta).to_contain_text(first_name)


@pytest.mark.parametrize("viewport", [PHONE, IPAD], ids=["phone-touch", "ipad-keyboard"])
def test_a_carer_with_two_children_knows_whose_news_and_moves_between_them(
    live_server: LiveServer, browser: Browser, viewport: ViewportSize
) -> None:
    phone = viewport == PHONE
    context = browser.new_context(
        viewport=viewport, has_touch=True, is_mobile=phone, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, live_server, "parent")
    page.get_by_role("link", name="Amira's news").click()
    switch = page.get_by_role("navigation", name="Your children")
    expect(switch.get_by_role("link", name="Amira")).to_have_attribute("aria-current", "page")
    to_ben = switch.get_by_role("link", name="Ben")
    if phone:  # the first walk: Ben's news not yet seen (the iPad walk comes after it)
        expect(to_ben).to_contain_text("(1 new)")
    _looks_right(page)
    _items_name(page, "Amira", scrolled_away=phone)

    if phone:
        to_ben.tap()
    else:
        to_ben.focus()
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ben's news")
    expect(page.get_by_text("Ben sorted them too.")).to_be_visible()
    assert "Amira sorted" not in page.locator("main").inner_text()
    expect(switch.get_by_role("link", name="Ben")).to_have_attribute("aria-current", "page")
    _looks_right(page)
    _items_name(page, "Ben")

    page.get_by_role("link", name="Photo consent for Ben").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Photo consent for Ben")
    _looks_right(page)
    switch.get_by_role("link", name="Amira").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Photo consent for Amira")
    _looks_right(page)
    context.close()
