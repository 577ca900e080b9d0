"""July, on the office's staff laptop (1280x800): the admin closes last year's leavers' class by
its own button, reads what closing does first, and finds it under Closed classes with Reopen.
The head, on her iPad (1024x768), finds its leavers under Closed classes on staff home and opens
one's record; the class is in none of her pickers.

On every page: no axe-core violations."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from classroom.db import get_session, utcnow
from classroom.pupils.importer import make_upn
from classroom.pupils.models import Pupil, SchoolClass
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in

LAPTOP = {"width": 1280, "height": 800}
IPAD_LANDSCAPE = {"width": 1024, "height": 768}


def _leavers_class(server: LiveServer) -> None:
    """Leavers 2026, whose two pupils left in July, beside the demo's Oak and Willow."""
    with server.app.app_context():
        db = get_session()
        school_id = db.scalars(select(SchoolClass.school_id)).first()
        leavers = SchoolClass(school_id=school_id, name="Leavers 2026")
        db.add(leavers)
        db.flush()
        for n, first in enumerate(("Zara", "Yusuf")):
            db.add(
                Pupil(
                    school_id=school_id,
                    upn=make_upn(f"82319900000{n}"),
                    first_name=first,
                    last_name="Ali",
                    date_of_birth=date(2007, 9, 1),
                    class_id=leavers.id,
                    active=False,
                    left_on=date(2026, 7, 22),
                    created_at=utcnow(),
                )
            )
        db.commit()


def test_the_admin_closes_the_leavers_class_and_the_head_still_finds_its_leavers(
    browser: Browser, live_server: LiveServer
) -> None:
    _leavers_class(live_server)
    laptop = browser.new_context(viewport=LAPTOP, locale="en-GB")
    laptop.set_default_timeout(WAIT_MS)
    page = laptop.new_page()
    sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/admin/classes")
    close = page.get_by_role("button", name="Close Leavers 2026")
    # What closing does is the button's description, so a screen reader hears it first.
    expect(close).to_have_accessible_description(
        "Closing takes Leavers 2026 off every class list; its leavers stay on your staff home, "
        "under Closed classes. It can be reopened."
    )
    expect(page.get_by_role("button", name="Close Oak")).to_have_count(0)  # pupils in it now
    assert_accessible(page)
    close.click()
    expect(page.get_by_role("status")).to_contain_text("The class was closed.")
    closed = page.get_by_role("region", name="Closed classes")
    expect(closed).to_contain_text("Leavers 2026: closed")
    expect(closed.get_by_role("button", name="Reopen Leavers 2026")).to_be_visible()
    expect(page.get_by_label("New name for Leavers 2026")).to_have_count(0)
    assert_accessible(page)
    laptop.close()

    ipad = browser.new_context(viewport=IPAD_LANDSCAPE, locale="en-GB", has_touch=True)
    ipad.set_default_timeout(WAIT_MS)
    head = ipad.new_page()
    sign_in(head, live_server, "head")
    head.goto(f"{live_server.url}/pupils/")
    leavers = head.get_by_role("region", name="Closed classes")
    expect(leavers.get_by_role("heading", name="Leavers 2026 (closed")).to_be_visible()
    expect(head.get_by_role("link", name="Leavers 2026 e-safety progress")).to_have_count(0)
    assert_accessible(head)
    leavers.get_by_role("link", name="Zara Ali").click()
    expect(head.get_by_role("heading", name="Zara Ali", exact=False).first).to_be_visible()
    assert_accessible(head)
    head.goto(f"{live_server.url}/class-ipads/")
    expect(head.locator("main")).not_to_contain_text("Leavers 2026")
    ipad.close()
