"""A teacher on an iPad withdraws a lesson they shared: the page that asks first says what
will happen (and passes axe), the lesson then says "Withdrawn", and the pupil's home no longer
shows it."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.lessons import authoring, maps
from classroom.pupils.models import Pupil
from tests.authoring_helpers import lesson_form
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, sign_out

TITLE = "Old kind words"
LANDSCAPE = {"width": 1024, "height": 768}  # an iPad held sideways, as a teacher often does


def _shared_and_amiras_target(live_server: LiveServer) -> int:
    with live_server.app.app_context():
        db = get_session()
        amira = db.scalars(select(Pupil).where(Pupil.first_name == "Amira")).one()
        teacher = db.scalars(select(Account).where(Account.username == "teacher")).one()
        doc = authoring.document_from_form(MultiDict(lesson_form(title=TITLE)))
        row = authoring.create(db, teacher, doc, "", now=utcnow())
        authoring.share(db, teacher, row, now=utcnow())
        db.flush()
        lessons = maps.catalogue(db, live_server.app.extensions["lessons"], row.school_id)
        maps.add(db, teacher, amira, row.key, lessons, today=utcnow().date())
        db.flush()
        maps.set_target(db, teacher, amira, row.key, lessons, now=utcnow())
        db.commit()
        return row.id


def test_a_teacher_withdraws_a_lesson_and_amiras_home_no_longer_shows_it(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    lesson_id = _shared_and_amiras_target(live_server)
    ipad = new_ipad().new_page()
    sign_in(ipad, live_server, "teacher")
    ipad.goto(live_server.url + "/class-ipads/")
    form = ipad.locator("form", has=ipad.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill("Oak withdraw iPad")
    form.get_by_role("button", name="Make this a class iPad").click()
    sign_out(ipad)
    ipad.goto(live_server.url + "/class-ipad")
    ipad.get_by_role("button", name="Amira", exact=True).tap()
    expect(ipad.get_by_role("heading", name="Hello Amira")).to_be_visible()
    expect(ipad.get_by_role("link", name=TITLE, exact=True)).to_be_visible()  # her target

    page = new_ipad().new_page()
    page.set_viewport_size(LANDSCAPE)
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/authoring/{lesson_id}")
    page.get_by_role("link", name="Withdraw this lesson").click()
    asked = f"Withdraw the lesson \u201c{TITLE}\u201d?"
    expect(page.get_by_role("heading", name=asked)).to_be_visible()
    expect(page.get_by_text("It comes off 1 pupil\u2019s own map.")).to_be_visible()
    expect(page.get_by_text("It is the target (next lesson) of 1 pupil")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()  # nothing happens on the way back
    expect(page.get_by_text("Shared with the school")).to_be_visible()
    page.get_by_role("link", name="Withdraw this lesson").click()
    page.get_by_role("button", name="Withdraw the lesson").click()
    expect(page.get_by_text("The lesson was withdrawn")).to_be_visible()
    expect(page.locator("dd", has_text="Withdrawn")).to_contain_text("by Ms")
    expect(page.get_by_role("button", name="Make a copy")).to_be_visible()
    expect(page.get_by_role("button", name="Share with the school")).to_have_count(0)
    expect(page.get_by_role("link", name="Change", exact=True)).to_have_count(0)
    assert_accessible(page)

    ipad.reload()  # the pupil's home, next time it is shown
    expect(ipad.get_by_role("heading", name="Hello Amira")).to_be_visible()
    expect(ipad.get_by_role("link", name=TITLE, exact=True)).to_have_count(0)
    expect(ipad.get_by_text(TITLE)).to_have_count(0)
