"""The technician sets the school up on the staff laptop (1366x768), as they would: adds a
member of staff, imports a pupil, makes a class and gives it staff, enrols a class iPad, resets
a password, reads the audit log, then signs out; the next person at the laptop presses Back.

On every page: no axe-core violations, nothing wider than the class iPad's 1024px, and no
decision made for them (a role, who works in a class, which class an iPad shows).
"""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError

from classroom.pupils.importer import make_upn
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in, sign_out

LAPTOP = {"width": 1366, "height": 768}
IPAD_LANDSCAPE = {"width": 1024, "height": 768}
SHOTS = "/tmp/shots"
PUPIL = "Zainab"
HEADER = "UPN,Legal Forename,Legal Surname,DOB,Reg Group\n"


def _check(page: Page, name: str) -> None:
    """Accessible, and at the class iPad's width nothing needs scrolling sideways."""
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}/admin-{name}.png", full_page=True)
    page.set_viewport_size(IPAD_LANDSCAPE)
    wide = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(LAPTOP)
    assert wide <= IPAD_LANDSCAPE["width"], f"{name}: {wide}px wide at 1024px"


def _summary_has_focus(page: Page, words: str) -> None:
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text(words)
    expect(summary).to_be_focused()  # where the eye is, not far down the page


def test_the_technician_sets_up_and_the_next_person_presses_back(
    browser: Browser, live_server: LiveServer
) -> None:
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    url = live_server.url
    sign_in(page, live_server, "admin")

    # A new member of staff: no role is chosen for them.
    page.goto(url + "/admin/accounts/new")
    expect(page.get_by_label("Role")).to_have_value("")
    _check(page, "account-new")
    page.get_by_label("Username").fill("mreid")
    page.get_by_label("Full name").fill("Mr Reid")
    page.get_by_label("Role").select_option("dsl")  # refused: that needs a second person
    page.get_by_role("button", name="Create account").click()
    _summary_has_focus(page, "needs the headteacher's or another team member's approval")
    expect(page.get_by_label("Full name")).to_have_value("Mr Reid")  # nothing typed is lost
    page.get_by_label("Role").select_option("teacher")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="One-time password for Mr Reid")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("in person or by phone")
    first_password = page.locator("code.secret").inner_text()
    _check(page, "one-time-password")

    # A pupil from the MIS export, into Oak.
    page.goto(url + "/admin/import")
    row = f"{make_upn('801234500042')},{PUPIL},Ali,01/02/2016,Oak\n"
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "mis.csv", "mimeType": "text/csv", "buffer": (HEADER + row).encode()}]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("Imported: 1 new pupil, ")
    _check(page, "import")

    # A new class, and its staff: the menu starts on no one.
    page.goto(url + "/admin/classes")
    page.get_by_label("Class name").fill("Rowan")
    page.get_by_role("button", name="Create class").click()
    rowan = page.get_by_label("Add staff to Rowan")
    expect(rowan).to_have_value("")
    page.locator("form", has=rowan).get_by_role("button", name="Add").click()
    _summary_has_focus(page, "Choose who to add to Rowan.")
    page.get_by_label("Add staff to Rowan").select_option(label="Mr Reid (Teacher)")
    rowan_form = page.locator("form", has=page.get_by_label("Add staff to Rowan"))
    rowan_form.get_by_role("button", name="Add").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.locator("section", has_text="Rowan")).to_contain_text("Mr Reid (Teacher)")
    _check(page, "classes")

    # A class iPad by link: no class is chosen for it, and no empty "There is a problem".
    page.goto(url + "/class-ipads/")
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    link_form = page.locator(
        "form", has=page.get_by_role("heading", name="Enrol another iPad with a link")
    )
    expect(link_form.get_by_label("Class")).to_have_value("")
    _check(page, "class-ipads")
    link_form.get_by_label("iPad name").fill("Rowan iPad 1")
    link_form.get_by_role("button", name="Create a one-time link").click()
    _summary_has_focus(page, "Choose the class this iPad is for.")
    link_form.get_by_label("Class").select_option(label="Rowan")
    expect(link_form.get_by_label("iPad name")).to_have_value("Rowan iPad 1")
    link_form.get_by_role("button", name="Create a one-time link").click()
    enrol_link = page.locator("code.link").inner_text()
    assert "/ipad/enrol/" in enrol_link

    # Mr Reid forgot his password before he used it: a new one-time password.
    page.goto(url + "/admin/accounts")
    page.get_by_role("link", name="mreid").click()
    _check(page, "account-detail")
    page.get_by_role("button", name="Reset password").click()
    second_password = page.locator("code.secret").inner_text()
    assert second_password != first_password

    # The audit log, filtered to the technician's own actions.
    page.goto(url + "/admin/audit")
    page.get_by_label("Who").fill("Sam")
    page.get_by_label("Action starts with").fill("account.")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("main table")).to_contain_text("account.")
    _check(page, "audit")

    # Signed out, the next person at the laptop presses Back: no password, link or pupil.
    sign_out(page)
    secrets = (first_password, second_password, enrol_link, PUPIL, "Mr Reid")
    went_back = []
    for _ in range(12):
        try:
            if page.go_back(wait_until="load") is None:
                break
        except PlaywrightError as error:  # Back to a form's answer: Chromium will not resend
            if "ERR_CACHE_MISS" not in str(error):
                raise
        went_back.append(page.url)
        body = page.locator("body").inner_text()
        for secret in secrets:
            assert secret not in body, (page.url, secret)
    assert any("/admin/accounts/" in u for u in went_back), went_back  # Back went far enough
    page.screenshot(path=f"{SHOTS}/admin-after-back.png", full_page=True)
    context.close()
