"""axe-core (WCAG 2.2 A and AA) on every page each role can reach, in their usual states."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in

PAGES_BY_ROLE = {
    "admin": [
        "/pupils/",
        "/admin/accounts",
        "/admin/accounts?role=teacher",
        "/admin/accounts/new",
        "/admin/accounts/1",
        "/admin/classes",
        "/admin/import",
        "/admin/access-rights",
        "/admin/audit",
        "/admin/audit?action=sign_in",
        "/class-ipads/",
        "/pupils/1",
        "/pupils/1/settings",
        "/account/password",
        "/account/email",
    ],
    "head": [
        "/pupils/",
        "/pupils/7",
        "/admin/audit",
        "/admin/access-rights",
        "/class-ipads/",
        "/safeguarding/",
        "/safeguarding/review/",
        "/safeguarding/review/termly",
    ],
    "dsl": [
        "/pupils/",
        "/pupils/2",
        "/safeguarding/",
        "/safeguarding/review/",
        "/safeguarding/review/export",
        "/concerns/",
        "/concerns/new",
        "/account/email",
    ],
    "teacher": [
        "/pupils/",
        "/pupils/1",
        "/pupils/1/settings",
        "/class-ipads/",
        "/concerns/",
        "/concerns/new",
    ],
    "ta": ["/pupils/", "/pupils/3", "/concerns/new"],
    "governor": ["/pupils/", "/about", "/safeguarding/review/", "/safeguarding/review/termly"],
    "parent": [
        "/family/",
        "/family/settings",
        "/family/settings/email",
        "/about",
        "/account/password",
    ],
}


@pytest.mark.parametrize("role", sorted(PAGES_BY_ROLE))
def test_every_page_of_each_role_has_no_violations(
    page: Page, live_server: LiveServer, role: str
) -> None:
    sign_in(page, live_server, role)
    for path in PAGES_BY_ROLE[role]:
        response = page.goto(live_server.url + path)
        assert response is not None, path
        assert response.status == 200, path
        assert_accessible(page)


def test_public_and_error_pages_have_no_violations(page: Page, live_server: LiveServer) -> None:
    for path, status in (
        ("/sign-in", 200),
        ("/about", 200),
        ("/no-such-page", 404),
        ("/class-ipad", 403),
        ("/ipad/enrol/not-a-real-code", 410),
    ):
        response = page.goto(live_server.url + path)
        assert response is not None, path
        assert response.status == status, path
        assert_accessible(page)


def test_form_errors_are_accessible(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/sign-in")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    assert_accessible(page)
    page.get_by_label("Username").fill("")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Enter your username.")).to_be_visible()
    assert_accessible(page)


def test_high_contrast_pages_have_no_violations(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/sign-in")
    page.get_by_role("button", name="High contrast").click()
    expect(page.locator("body.high-contrast")).to_have_count(1)
    assert_accessible(page)
    sign_in(page, live_server, "teacher")
    assert_accessible(page)


def test_admin_result_pages_have_no_violations(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "admin")
    page.goto(live_server.url + "/admin/accounts/new")
    page.get_by_label("Username").fill("newteacher")
    page.get_by_label("Full name").fill("New Teacher")
    page.get_by_label("Role").select_option("teacher")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("One-time password", exact=True)).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + "/admin/import")
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "bad.csv",
                "mimeType": "text/csv",
                "buffer": b"UPN,Legal Forename,Legal Surname,DOB,Reg Group\nX,A,B,1/1/1900,Nope\n",
            }
        ]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was imported")
    assert_accessible(page)


def _scroll_boxes(page: Page) -> list[tuple[bool, bool]]:
    """Each sideways-scrolling box on the page: (whether it scrolls, whether Tab stops on it)."""
    found = page.eval_on_selector_all(
        ".table-scroll",
        "boxes => boxes.map(b => [b.scrollWidth > b.clientWidth, b.hasAttribute('tabindex')])",
    )
    return [(scrolls, stops) for scrolls, stops in found]


def test_a_table_box_is_a_tab_stop_only_while_it_scrolls(
    page: Page, live_server: LiveServer
) -> None:
    """A keyboard must be able to scroll a wide table's box, but Tab should not stop on a box
    whose table fits: on a laptop the audit log fits, zoomed to 320 px wide it scrolls."""
    sign_in(page, live_server, "admin")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/admin/audit")
    wide = _scroll_boxes(page)
    assert wide
    assert all(scrolls == stops for scrolls, stops in wide)
    assert (False, False) in wide  # the log fits at this width: no tab stop

    page.set_viewport_size({"width": 320, "height": 640})
    expect(page.locator(".table-scroll").first).to_have_attribute("tabindex", "0")
    narrow = _scroll_boxes(page)
    assert all(scrolls == stops for scrolls, stops in narrow)
    assert (True, True) in narrow
    page.locator(".table-scroll").first.focus()
    page.keyboard.press("ArrowRight")
    # A key scrolls smoothly, over a few frames: wait for it to move (reading at once raced).
    page.wait_for_function("() => document.querySelector('.table-scroll').scrollLeft > 0")


@pytest.mark.parametrize("path", ["/sign-in", "/family/join"])
def test_a_phone_with_text_at_twice_its_size_still_fits_the_width(
    page: Page, live_server: LiveServer, path: str
) -> None:
    """WCAG 1.4.4: a carer who sets large text on a phone. The footer's High contrast control
    went off the screen's edge, out of reach, on the pages a carer meets first."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + path)
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('body *')].filter(el => {"
        "  const box = el.getBoundingClientRect();"
        "  return box.width > 0 && box.right > window.innerWidth + 1;"
        "}).map(el => el.tagName + ' ' + (el.textContent || '').trim().slice(0, 30))"
    )
    assert overflow == []


def test_a_carers_refused_email_change_is_accessible(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "parent")
    page.goto(live_server.url + "/family/settings/email")
    page.get_by_label("Your password").fill("not their password")
    page.get_by_role("button", name="Save email address").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_a_team_members_refused_email_removal_is_accessible(
    page: Page, live_server: LiveServer
) -> None:
    """The warning, the box to tick and the refusal for not ticking it."""
    sign_in(page, live_server, "dsl")
    page.goto(live_server.url + "/account/email")
    page.get_by_label("Email address").fill("")
    page.get_by_label("Your password").fill("not their password")
    page.get_by_role("button", name="Save email address").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_an_admins_refused_email_change_is_accessible(page: Page, live_server: LiveServer) -> None:
    sign_in(page, live_server, "admin")
    page.goto(live_server.url + "/admin/accounts?role=teacher")
    page.get_by_role("link", name="teacher", exact=True).click()
    page.get_by_role("textbox", name="Email address").fill("not an address")
    page.get_by_role("button", name="Change email address").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
