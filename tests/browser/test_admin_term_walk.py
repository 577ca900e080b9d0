"""A term's account work: the office manager on the shared staff laptop (1280x800), the head on
an iPad (1024x768). A teaching assistant leaves mid-term while still signed in on an iPad; a
second role change is refused while one waits; the DSL leaves with a reset waiting; the head
finds it all on the audit log by name and action, then approves on her iPad; and the next person
at the laptop presses Back after the office manager signs out.

On every page: no axe-core violations."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in, sign_out

LAPTOP = {"width": 1280, "height": 800}
IPAD_LANDSCAPE = {"width": 1024, "height": 768}


def _id(server: LiveServer, username: str) -> int:
    with server.app.app_context():
        found = get_session().scalar(select(Account.id).where(Account.username == username))
    assert found is not None
    return found


def _status(page: Page, words: str) -> None:
    expect(page.get_by_role("status").filter(has_text=words)).to_be_visible()
    assert_accessible(page)


def test_a_term_of_account_work_on_the_laptop_and_the_heads_ipad(
    browser: Browser, live_server: LiveServer
) -> None:
    url = live_server.url
    ta_ipad = browser.new_context(viewport=IPAD_LANDSCAPE, locale="en-GB")
    ta_page = ta_ipad.new_page()
    sign_in(ta_page, live_server, "ta")

    laptop = browser.new_context(viewport=LAPTOP, locale="en-GB")
    laptop.set_default_timeout(WAIT_MS)
    page = laptop.new_page()
    sign_in(page, live_server, "admin")

    # The TA leaves mid-term: deactivated, said so, with the class still listing them.
    page.goto(f"{url}/admin/accounts/{_id(live_server, 'ta')}")
    page.get_by_role("button", name="Deactivate account").click()
    _status(page, "Account deactivated: their sessions have ended.")
    expect(page.locator("dd").filter(has_text="Oak: still listed there")).to_be_visible()
    ta_page.reload()
    expect(ta_page.get_by_label("Username")).to_be_visible()  # signed out on their iPad now
    page.get_by_role("link", name="Classes page").click()
    expect(
        page.get_by_text("Mr Lee Chan (Teaching assistant; deactivated: no access)")
    ).to_be_visible()
    assert_accessible(page)

    # A role change waits for the head; a second, from a tab opened before it, is refused.
    teacher2 = f"{url}/admin/accounts/{_id(live_server, 'teacher2')}"
    earlier = laptop.new_page()
    earlier.goto(teacher2)
    page.goto(teacher2)
    page.get_by_label("Role", exact=True).select_option("deputy_dsl")
    page.get_by_role("button", name="Change role").click()
    _status(page, "Asked for approval.")
    earlier.get_by_label("Role", exact=True).select_option("dsl")
    earlier.get_by_role("button", name="Change role").click()
    expect(earlier.locator("[data-error-summary]")).to_contain_text("already waiting for approval")
    assert_accessible(earlier)
    earlier.close()

    # The DSL's password reset waits; then the DSL leaves.
    page.goto(f"{url}/admin/accounts/{_id(live_server, 'dsl')}")
    page.get_by_role("button", name="Reset password").click()
    _status(page, "Asked for approval.")
    page.get_by_role("button", name="Deactivate account").click()
    _status(page, "Account deactivated: their sessions have ended.")

    # The audit log, as the head would search it: about a person, and by action.
    page.goto(f"{url}/admin/audit")
    page.get_by_label("About (person or pupil)").fill("Lee Chan")
    page.get_by_role("button", name="Filter").click()
    left = page.get_by_role("row").filter(has_text="account.deactivated")
    expect(left).to_contain_text("Account #")
    expect(left).to_contain_text("(Mr Lee Chan)")
    expect(page.get_by_role("row").filter(has_text="Mr Tom Bell")).to_have_count(0)
    assert_accessible(page)
    page.goto(f"{url}/admin/audit?action=account_change.refused")
    expect(page.get_by_text("1 entry.")).to_be_visible()

    # Signed out, the next person at the laptop presses Back: none of it is shown again.
    sign_out(page)
    went_back: list[str] = []
    for _ in range(6):
        try:
            if page.go_back(wait_until="load") is None:
                break
        except PlaywrightError as error:  # Back to a form's answer: Chromium will not resend
            if "ERR_CACHE_MISS" not in str(error):
                raise
        went_back.append(page.url)
        body = page.locator("body").inner_text()
        assert "Mr Lee Chan" not in body, page.url
        assert "account_change" not in body, page.url
    assert any("/admin/" in u for u in went_back), went_back  # Back went far enough
    laptop.close()

    # The head, on her iPad: the DSL's row says they have left; approving says what it means,
    # and Back goes to a page she may open.
    ipad = browser.new_context(viewport=IPAD_LANDSCAPE, locale="en-GB")
    ipad.set_default_timeout(WAIT_MS)
    head = ipad.new_page()
    sign_in(head, live_server, "head")
    head.goto(f"{url}/admin/approvals")
    expect(head.get_by_text("deactivated: approving gives them no access")).to_have_count(1)
    assert_accessible(head)
    head.get_by_role("button", name="Approve change #2: Mr Tom Bell, password reset").click()
    expect(head.get_by_text("lets them in only once the account is reactivated")).to_be_visible()
    assert_accessible(head)
    head.get_by_role("link", name="Back to approvals").click()
    expect(head.get_by_role("heading", name="Account changes to approve")).to_be_visible()
    ipad.close()
    ta_ipad.close()
