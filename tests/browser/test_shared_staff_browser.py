"""A shared staff browser: the next person pressing Back never sees the last person's concern."""

from __future__ import annotations

import os
import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.accounts.services import end_all_sessions
from classroom.db import get_session, utcnow
from classroom.policy import visible_pupils
from classroom.worries import services as worries
from classroom.worries.views import CONCERNS_PAGE
from tests.app_settings import base_url
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, sign_out

SHOTS = os.environ.get("CLASSROOM_SCREENSHOTS")

WHAT = "Amira said her cousin's friend sends her pictures at night"
WORDS = "he said it is our secret and I must not tell mum"


def _fill_concern(page: Page, server: LiveServer) -> None:
    page.goto(f"{server.url}/concerns/new")
    page.get_by_label("Pupil", exact=True).select_option(index=1)
    page.get_by_label("What happened").fill(WHAT)
    page.get_by_label("How the pupil communicated it").select_option(index=1)
    page.get_by_label("The pupil's exact words or signs (optional)").fill(WORDS)


def _back_through_history(page: Page) -> list[str]:
    """Press Back as far as the browser goes, collecting each screen's text and field values."""
    seen: list[str] = []
    for _ in range(12):
        if page.go_back(wait_until="load") is None:
            break  # nowhere further back
        page.wait_for_timeout(150)  # let any pageshow script run
        seen.append(page.url + "\n" + page.content())
        seen.extend(
            page.locator("textarea, input[type=text]").evaluate_all(
                "(fields) => fields.map((f) => f.value)"
            )
        )
    return seen


@pytest.mark.parametrize("then", ["sends it", "leaves it unsent", "signs out on the form"])
def test_next_staff_member_pressing_back_never_sees_the_last_ones_concern(
    page: Page, live_server: LiveServer, then: str
) -> None:
    sign_in(page, live_server, "teacher")
    _fill_concern(page, live_server)
    if then == "sends it":
        page.get_by_role("button", name="Send to the safeguarding team").click()
        page.wait_for_load_state()
        expect(page.get_by_label("What happened")).to_have_count(0)
    elif then == "leaves it unsent":
        page.get_by_role("link", name="Home").click()
        page.wait_for_load_state()
    sign_out(page)
    sign_in(page, live_server, "ta")
    screens = _back_through_history(page)
    reached_form = any("/concerns/new" in screen for screen in screens)
    # Signing out replaced the screen it was pressed on, so Back does not return to it.
    assert reached_form == (then != "signs out on the form")
    for screen in screens:
        assert WHAT not in screen
        assert WORDS not in screen
        assert "our secret" not in screen


def test_the_concern_form_keeps_nothing_for_the_browser_to_restore(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/concerns/new")
    form = page.locator("form[data-forget]")
    expect(form).to_have_attribute("autocomplete", "off")
    page.get_by_label("What happened").fill(WHAT)
    page.goto(f"{live_server.url}/about")
    page.go_back(wait_until="load")
    expect(page.get_by_label("What happened")).to_have_value("")


def _concerns_over_the_years(server: LiveServer, username: str) -> None:
    """A page's worth and one more of concerns this member of staff raised."""
    with server.app.app_context():
        session = get_session()
        staff = session.scalar(select(Account).where(Account.username == username))
        assert staff is not None
        pupil = session.scalars(visible_pupils(staff)).first()
        assert pupil is not None
        for n in range(CONCERNS_PAGE + 1):
            concern = worries.ConcernInput(pupil.id, f"Year-old concern {n}", "speech", None, None)
            worries.raise_concern(
                session, staff, str(uuid.uuid4()), concern, now=utcnow(), base_url=base_url()
            )
        session.commit()


def test_years_of_concerns_page_accessibly_and_back_shows_the_next_person_none(
    page: Page, live_server: LiveServer
) -> None:
    _concerns_over_the_years(live_server, "teacher")
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/concerns/")
    expect(page.get_by_text("Year-old concern 30")).to_be_visible()
    expect(page.get_by_text("Year-old concern 0")).to_have_count(0)  # the oldest: page 2
    assert_accessible(page)
    page.get_by_role("link", name="Older").click()
    expect(page.get_by_text("Year-old concern 0")).to_be_visible()
    expect(page.get_by_role("link", name="Newer")).to_be_visible()
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/my-concerns-page-2.png", full_page=True)
    sign_out(page)
    sign_in(page, live_server, "ta")
    for screen in _back_through_history(page):
        assert "Year-old concern" not in screen


DRAFT = "Draft: Ben told me his uncle hurts him"


def _a_concern(server: LiveServer) -> str:
    """A concern the teacher raised; the address of its incident page."""
    with server.app.app_context():
        session = get_session()
        teacher = session.scalar(select(Account).where(Account.username == "teacher"))
        assert teacher is not None
        pupil = session.scalars(visible_pupils(teacher)).first()
        assert pupil is not None
        concern = worries.ConcernInput(pupil.id, "Came in upset", "speech", None, None)
        incident = worries.raise_concern(
            session, teacher, str(uuid.uuid4()), concern, now=utcnow(), base_url=base_url()
        )
        session.commit()
        return f"{server.url}/safeguarding/{incident.id}"


def test_the_next_team_member_pressing_back_does_not_inherit_a_draft_note(
    page: Page, live_server: LiveServer
) -> None:
    """The DSL types a chronology note, leaves it unsent and signs out; the deputy signs in
    and presses Back to the incident. Chromium would restore the typed note into the page it
    fetched again for the deputy, who could then save it in their own name."""
    record = _a_concern(live_server)
    # Two-step sign-in set up beforehand, in another tab: its first time shows codes from a
    # POST, and Back into a POST asks to send it again (the browser's question, not a page).
    setting_up = page.context.new_page()
    for member in ("deputy", "dsl"):
        sign_in(setting_up, live_server, member)
        sign_out(setting_up)
    setting_up.close()
    sign_in(page, live_server, "dsl")
    page.goto(record)
    page.get_by_label("Action taken or decision").fill(DRAFT)
    page.get_by_role("link", name="Home").first.click()
    page.wait_for_load_state()
    sign_out(page)
    sign_in(page, live_server, "deputy")
    screens = _back_through_history(page)
    assert any(record in screen for screen in screens)  # Back did reach the incident page
    for screen in screens:
        assert DRAFT not in screen


def test_a_double_click_records_a_note_once(page: Page, live_server: LiveServer) -> None:
    record = _a_concern(live_server)
    sign_in(page, live_server, "dsl")
    page.goto(record)
    page.get_by_label("Action taken or decision").fill("Phoned home; no answer")
    page.get_by_role("button", name="Add to chronology").dblclick()
    page.wait_for_url(f"{record}#note")
    page.wait_for_load_state()
    expect(page.locator(".chronology li", has_text="Phoned home; no answer")).to_have_count(1)


def test_signing_out_in_one_tab_clears_the_record_shown_in_another(
    page: Page, live_server: LiveServer
) -> None:
    """The DSL has the queue in one tab and signs out in another, then walks away: the next
    person at the laptop finds the sign-in page in both, not pupils' names."""
    sign_in(page, live_server, "dsl")
    queue = page.context.new_page()
    queue.goto(live_server.url + "/safeguarding/")
    expect(queue.get_by_role("heading", name="Safeguarding queue")).to_be_visible()
    queue.wait_for_load_state("load")
    sign_out(page)
    expect(queue).to_have_url(re.compile(r"/sign-in"))
    expect(queue.get_by_role("heading", name="Safeguarding queue")).to_have_count(0)


def test_a_session_ended_elsewhere_clears_the_page_when_it_is_looked_at_again(
    page: Page, live_server: LiveServer
) -> None:
    """The idle time-out (or an admin's reset) ends the session with a page still open: once it
    is looked at again, or within a minute, the page gives way to sign-in."""
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + "/pupils/")
    page.wait_for_load_state("load")
    with live_server.app.app_context():
        db = get_session()
        teacher = db.scalar(select(Account).where(Account.username == "teacher"))
        assert teacher is not None
        end_all_sessions(db, teacher, "idle", now=utcnow())
        db.commit()
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_a_page_whose_session_holds_stays(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + "/pupils/")
    page.wait_for_load_state("load")
    with page.expect_response("**/session/alive") as asked:
        page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    assert asked.value.status == 204
    page.wait_for_timeout(300)
    assert page.url.endswith("/pupils/")
