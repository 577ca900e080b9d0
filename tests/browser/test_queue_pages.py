"""The DSL's queue when it is longer than a page: a worry that arrives while she reads swaps in
with the pager, so "Older" goes on from the last row on her screen, and a later page stays the
page she is on."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect
from sqlalchemy import select

from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil
from classroom.worries import services
from classroom.worries.queue import QUEUE_PAGE
from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def _send(server: LiveServer, count: int) -> list[str]:
    """`count` worries from the demo school's first pupil, oldest first; their references."""
    with server.app.app_context():
        session = get_session()
        pupil = session.scalars(select(Pupil).order_by(Pupil.id)).first()
        assert pupil is not None
        made = [
            services.raise_worry(
                session, pupil, None, str(uuid.uuid4()), services.WorryChoices(what="unkind"),
                now=utcnow(), base_url=server.url,
            ).reference
            for _ in range(count)
        ]  # fmt: skip
        session.commit()
        return made


def _refs(page: Page) -> list[str]:
    return page.locator("#queue-rows tr td:first-child").all_inner_texts()


def test_older_goes_on_from_the_last_row_on_screen_after_a_new_worry_arrives(
    page: Page, live_server: LiveServer
) -> None:
    live_server.app.config["QUEUE_POLL_SECONDS"] = 1
    _send(live_server, QUEUE_PAGE + 1)
    sign_in(page, live_server, "dsl")
    page.goto(live_server.url + "/safeguarding/")
    last_on_screen = _refs(page)[-1]
    count = int(page.locator(".pager span").inner_text().split()[0])

    (new,) = _send(live_server, 1)
    expect(page.locator("#queue-rows tr").first).to_contain_text(new, timeout=4000)
    expect(page.locator("#queue-live")).to_have_text("The queue has changed.")
    expect(page.locator(".pager span")).to_contain_text(f"{count + 1} new or open")
    assert last_on_screen not in _refs(page)  # pushed off her page by the new one

    page.get_by_role("link", name="Older").click()
    page.wait_for_url(re.compile(r"[?]after="))  # the click only starts the navigation
    assert _refs(page)[0] == last_on_screen  # the first of the next page: not skipped
    assert_accessible(page)
    second_page = _refs(page)

    # Another arrives while she reads the second page: her rows stay the second page's.
    _send(live_server, 1)
    expect(page.locator(".pager span")).to_contain_text(f"{count + 2} new or open", timeout=4000)
    assert _refs(page) == second_page
    page.get_by_role("link", name="Newer").click()
    page.wait_for_url(re.compile(r"[?]before="))
    assert _refs(page)[0] != second_page[0]
    expect(page.get_by_role("link", name="Older")).to_be_visible()
