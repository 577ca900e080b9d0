"""A teacher withdraws a lesson on Thursday that Amira was taught on Tuesday, and comes back to
it on Monday, on a laptop and on an iPad: the class record page lists it apart as withdrawn,
says to what day it can still be recorded, refuses Monday with why (nothing typed lost) and
records Tuesday; the class summary, Amira's progress and her map say nothing misleading; and
another teacher can read the withdrawn lesson and copy it into a draft of their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import NamedTuple

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.lessons import authoring, maps
from classroom.localtime import local_today, school_zone
from classroom.pupils.models import Pupil
from tests.authoring_helpers import lesson_form
from tests.browser.conftest import LiveServer, assert_accessible, sign_in

TITLE = "Kind replies online"
LAPTOP = {"width": 1280, "height": 800}
IPAD_LANDSCAPE = {"width": 1024, "height": 768}
SHOTS = None  # a folder to keep screenshots in, when walking it by hand


class Withdrawn(NamedTuple):
    lesson: int  # the teacher lesson's row
    key: str  # its lesson id
    pupil: int  # Amira
    class_id: int  # her class, Oak
    thursday: date  # the day it was withdrawn, on the school's clock


@pytest.fixture
def withdrawn(live_server: LiveServer) -> Iterator[Withdrawn]:
    """The lesson shared and on Amira's map, withdrawn by her teacher now ("Thursday"); the
    app's clock then moved on four days ("Monday")."""
    app = live_server.app
    with app.app_context():
        db = get_session()
        amira = db.scalars(select(Pupil).where(Pupil.first_name == "Amira")).one()
        teacher = db.scalars(select(Account).where(Account.username == "teacher")).one()
        doc = authoring.document_from_form(MultiDict(lesson_form(title=TITLE)))
        row = authoring.create(db, teacher, doc, "", now=utcnow())
        authoring.share(db, teacher, row, now=utcnow())
        db.flush()
        lessons = maps.catalogue(db, app.extensions["lessons"], row.school_id)
        maps.add(db, teacher, amira, row.key, lessons, today=utcnow().date())
        authoring.withdraw(db, teacher, row, now=utcnow())
        db.commit()
        thursday = local_today(utcnow(), school_zone(app.config))
        found = Withdrawn(row.id, row.key, amira.id, amira.class_id, thursday)
    monday = utcnow() + timedelta(days=4)
    app.config["CLOCK"] = lambda: monday
    yield found
    app.config.pop("CLOCK", None)


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("viewport", [LAPTOP, IPAD_LANDSCAPE], ids=["laptop", "ipad"])
def test_a_withdrawn_lesson_is_recorded_only_for_a_day_it_was_taught(
    new_ipad: Callable[[], BrowserContext],
    live_server: LiveServer,
    withdrawn: Withdrawn,
    viewport: dict[str, int],
) -> None:
    thursday = withdrawn.thursday
    tuesday, monday = thursday - timedelta(days=2), thursday + timedelta(days=4)
    page = new_ipad().new_page()
    page.set_viewport_size(viewport)
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/assessment/classes/{withdrawn.class_id}/record")
    _shot(page, f"record-{viewport['width']}")
    page.get_by_label("Lesson").select_option(withdrawn.key)
    page.get_by_role("button", name="Choose lesson").click()
    notice = page.locator("#withdrawn-note")
    expect(notice).to_contain_text(f"\u201c{TITLE}\u201d was withdrawn on")
    expect(notice).to_contain_text("taught no more")
    date_box = page.get_by_label("Date seen")
    expect(date_box).to_have_value("")
    expect(date_box).to_have_attribute("max", thursday.isoformat())
    _shot(page, f"record-chosen-{viewport['width']}")
    assert_accessible(page)
    page.get_by_role("checkbox", name="Amira").check()
    page.get_by_label("Where").select_option("lesson")
    date_box.fill(monday.isoformat())
    page.get_by_role("button", name="3 \u00b7 Secure").click()
    # The browser itself holds back a day after the box's last day ...
    assert date_box.evaluate("box => box.validity.rangeOverflow")
    expect(page.locator("#withdrawn-note")).to_be_visible()
    # ... and where one does not (an older iPad), the server refuses it, saying why.
    date_box.evaluate("box => box.removeAttribute('max')")
    page.get_by_role("button", name="3 \u00b7 Secure").click()
    expect(page.get_by_role("alert")).to_contain_text("was withdrawn on")
    expect(page.get_by_role("alert")).to_contain_text("is after that")
    expect(page.get_by_role("checkbox", name="Amira")).to_be_checked()  # nothing lost
    expect(page.get_by_label("Where")).to_have_value("lesson")
    _shot(page, f"record-refused-{viewport['width']}")
    assert_accessible(page)
    page.get_by_label("Date seen").fill(tuesday.isoformat())
    page.get_by_role("button", name="3 \u00b7 Secure").click()
    done = page.get_by_role("status").filter(has_text="Recorded Secure (independent) for Amira")
    expect(done).to_be_visible()
    _shot(page, f"record-done-{viewport['width']}")

    page.goto(f"{live_server.url}/assessment/classes/{withdrawn.class_id}/summary")
    row = page.get_by_role("row").filter(has_text=TITLE).last
    expect(row).to_contain_text("(withdrawn: taught no more)")
    expect(row).to_contain_text("(withdrawn: nothing to catch up)")
    _shot(page, f"summary-{viewport['width']}")
    assert_accessible(page)
    page.goto(f"{live_server.url}/assessment/pupils/{withdrawn.pupil}")
    row = page.get_by_role("row").filter(has_text=TITLE).last
    expect(row).to_contain_text("withdrawn by its teacher: taught no more")
    expect(row).to_contain_text("Secure")  # what was recorded on it still shows
    _shot(page, f"progress-{viewport['width']}")
    assert_accessible(page)
    page.goto(f"{live_server.url}/pupils/{withdrawn.pupil}/lessons")
    expect(page.get_by_role("heading", name="Lessons for Amira Khan")).to_be_visible()
    expect(page.get_by_role("cell", name=TITLE)).to_have_count(0)  # on no map
    # (one line per lesson withdrawn: each viewport's walk withdrew one of this title)
    expect(page.get_by_text(f"\u201c{TITLE}\u201d was withdrawn by").first).to_be_visible()
    _shot(page, f"map-{viewport['width']}")
    assert_accessible(page)


def test_another_teacher_reads_a_withdrawn_lesson_and_copies_it(
    new_ipad: Callable[[], BrowserContext],
    live_server: LiveServer,
    withdrawn: Withdrawn,
) -> None:
    page = new_ipad().new_page()
    page.set_viewport_size(IPAD_LANDSCAPE)
    sign_in(page, live_server, "teacher2")
    page.goto(f"{live_server.url}/authoring/")
    page.get_by_role("listitem").filter(has_text="(withdrawn)").get_by_role(
        "link", name=TITLE
    ).last.click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    assert page.url == f"{live_server.url}/authoring/{withdrawn.lesson}"
    expect(page.locator("dd").first).to_contain_text("Withdrawn")
    expect(page.get_by_text("Picks the kind message")).to_be_visible()
    expect(page.get_by_role("link", name="Change", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Withdraw this lesson")).to_have_count(0)
    _shot(page, "colleague-reads")
    assert_accessible(page)
    page.get_by_role("button", name="Make a copy").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    expect(page.get_by_text("Draft: only you and the headteacher can see it")).to_be_visible()
    expect(page.get_by_role("button", name="Share with the school")).to_be_visible()
