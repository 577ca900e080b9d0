"""A teacher revokes a lost class iPad on an iPad: the list's Revoke asks first, by touch."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import enrol_class_ipad


def test_the_teacher_is_asked_before_a_class_ipad_is_revoked(
    page: Page, live_server: LiveServer
) -> None:
    enrol_class_ipad(page, live_server, "Oak iPad 6")
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + "/class-ipads/")
    page.get_by_role("link", name="Revoke Oak iPad 6").click()
    expect(page.get_by_role("heading", name="Revoke Oak iPad 6?")).to_be_visible()
    assert_accessible(page)
    for target in (
        page.get_by_role("link", name="Back to class iPads"),
        page.get_by_role("button", name="Revoke Oak iPad 6"),
    ):
        box = target.bounding_box()
        assert box is not None
        assert box["height"] >= 44, box
    page.get_by_role("button", name="Revoke Oak iPad 6").click()
    expect(page.get_by_role("status").filter(has_text="Oak iPad 6 is no longer")).to_be_visible()
    expect(page.get_by_role("link", name="Revoke Oak iPad 6")).to_have_count(0)
    assert_accessible(page)
