"""The shared staff laptop: the DSL walks away from a child-protection page and the idle
time-out ends the session; the next person opens another tab and signs in. The DSL's page must
give way when it is looked at, though the browser's cookie is alive again (the teacher's)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.accounts.services import end_all_sessions
from classroom.db import get_session, utcnow
from tests.browser.conftest import LiveServer, sign_in

LAPTOP = {"width": 1366, "height": 768}


def _time_out(server: LiveServer, username: str) -> None:
    with server.app.app_context():
        db = get_session()
        account = db.scalar(select(Account).where(Account.username == username))
        assert account is not None
        end_all_sessions(db, account, "idle", now=utcnow())
        db.commit()


def test_the_dsls_page_gives_way_when_the_next_person_signs_in_in_another_tab(
    page: Page, live_server: LiveServer
) -> None:
    page.set_viewport_size(LAPTOP)
    sign_in(page, live_server, "dsl")
    page.goto(live_server.url + "/safeguarding/")
    queue = page.get_by_role("heading", name="Safeguarding queue")
    expect(queue).to_be_visible()
    page.wait_for_load_state("load")

    _time_out(live_server, "dsl")  # the DSL walked away
    teacher = page.context.new_page()
    sign_in(teacher, live_server, "teacher")  # the next person, in a new tab

    page.bring_to_front()
    with page.expect_response("**/session/alive") as asked:
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert asked.value.status == 403
    expect(page).not_to_have_url(re.compile(r"/safeguarding/"))
    expect(queue).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # the teacher's home
