"""The technician on the staff laptop (1366x768, and 1024x768): a teacher has locked themselves
out with wrong passwords, and the technician lets them sign in again now; their own account
offers no "Deactivate"; the audit log's and the import's problems take the focus and lead to
their box. On every admin page: no axe-core violations, and every stand-alone link or control
at least 24px each way (WCAG 2.2 target size minimum; links inside a sentence are exempt).
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in

LAPTOP = {"width": 1366, "height": 768}
SMALL_LAPTOP = {"width": 1024, "height": 768}

# Each visible target in the page's main part, but for a link inside a sentence (its block
# holds more text than the link): [what it is, width, height] when under 24px either way.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    'main a[href], main button, main input:not([type=hidden]), main select, main summary')]
  .filter(e => e.getClientRects().length)
  .filter(e => e.tagName !== 'A'
    || e.parentElement.textContent.trim() === e.textContent.trim())
  .map(e => { const r = e.getBoundingClientRect();
    return [e.outerHTML.slice(0, 80), Math.round(r.width), Math.round(r.height)]; })
  .filter(([, w, h]) => w < 24 || h < 24)"""


def _check(page: Page) -> None:
    """Accessible, and big enough to hit, at both laptop sizes."""
    assert_accessible(page)
    for size in (LAPTOP, SMALL_LAPTOP):
        page.set_viewport_size(size)
        assert page.evaluate(SMALL_TARGETS) == [], (page.url, size)
    page.set_viewport_size(LAPTOP)


def _summary_leads_to(page: Page, words: str, box: str) -> None:
    """The error summary has the focus, and its link moves the focus to the box."""
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name=words).click()
    expect(page.locator(f"#{box}")).to_be_focused()


def _lock_out(browser: Browser, server: LiveServer, username: str) -> Page:
    """Their browser, after five wrong passwords."""
    page = browser.new_context(viewport=LAPTOP, locale="en-GB").new_page()
    page.goto(f"{server.url}/sign-in")
    for _ in range(5):
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
    return page


def test_the_technician_lets_a_locked_out_teacher_back_in(
    browser: Browser, live_server: LiveServer
) -> None:
    url = live_server.url
    theirs = _lock_out(browser, live_server, "teacher")
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, live_server, "admin")

    page.goto(url + "/admin/accounts")
    _check(page)
    page.get_by_role("link", name="teacher", exact=True).click()
    expect(page.get_by_role("note")).to_contain_text("Signing in is locked until")
    _check(page)
    page.get_by_role("button", name="Let them sign in again now").click()
    expect(page.get_by_role("status")).to_contain_text("They can sign in again now.")
    expect(page.get_by_role("button", name="Let them sign in again now")).to_have_count(0)
    _check(page)
    sign_in(theirs, live_server, "teacher")  # the right password works at once

    # Their own account: no "Deactivate" to be refused, and why in plain words.
    page.goto(url + "/admin/accounts")
    page.get_by_role("link", name="admin", exact=True).click()
    expect(page.get_by_role("button", name="Deactivate account")).to_have_count(0)
    why = page.get_by_text("You cannot deactivate your own account; ask another admin.")
    expect(why).to_be_visible()
    _check(page)

    # A date the audit log cannot read: the summary has the focus and leads to the box.
    page.goto(url + "/admin/audit?from=last-week")
    _summary_leads_to(page, "From must be a date like 2026-09-01.", "f-from")
    _check(page)

    # Import pressed with no file chosen: the summary leads to the file chooser.
    page.goto(url + "/admin/import")
    page.get_by_role("button", name="Import").click()
    _summary_leads_to(page, "Choose a CSV file.", "file")
    _check(page)
    theirs.context.close()
    context.close()
