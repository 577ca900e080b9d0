"""A carer connects on a phone, sees a learning moment, and gets a quiet-hours message next day."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.parents import services as parents
from classroom.parents.queries import FEED_PAGE
from classroom.pupils.models import Pupil
from classroom.worries import services as worries
from classroom.worries.models import ParentContact
from tests.app_settings import base_url, carer_emails
from tests.browser.conftest import IPAD, WAIT_MS, LiveServer, assert_accessible, sign_in, sign_out

PHONE = {"width": 390, "height": 844}
LONDON = ZoneInfo("Europe/London")
CARER_PASSWORD = "purple giraffe under the stairs"


class Clock:
    """The app's clock for this module (app.config["CLOCK"] is what classroom.db.utcnow reads)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _next_tuesday_at(hour: int, minute: int) -> datetime:
    day = datetime.now(LONDON).date() + timedelta(days=1)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


@pytest.fixture
def clock(live_server: LiveServer) -> Iterator[Clock]:
    clock = Clock(_next_tuesday_at(15, 50))  # school hours, just before quiet hours (16:30)
    live_server.app.config["CLOCK"] = clock
    yield clock
    live_server.app.config.pop("CLOCK", None)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE, has_touch=True, is_mobile=True, device_scale_factor=3, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def staff(browser: Browser) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(viewport=IPAD, has_touch=True, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    yield context.new_page()
    context.close()


def _pupil_id(server: LiveServer, first_name: str) -> int:
    with server.app.app_context():
        pupil = get_session().scalar(select(Pupil).where(Pupil.first_name == first_name))
        assert pupil is not None
        return pupil.id


def _carer_signs_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(CARER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My children")).to_be_visible()


def test_staff_code_to_carer_feed_and_a_message_after_quiet_hours(
    live_server: LiveServer, clock: Clock, staff: Page, phone: Page
) -> None:
    chloe = _pupil_id(live_server, "Chloe")
    sign_in(staff, live_server, "teacher")
    staff.get_by_role("link", name="Parents and carers").click()
    expect(staff.get_by_role("link", name="Chloe Wright")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("link", name="Chloe Wright").click()
    # axe on a page still being left fails (no document): wait for the pupil's own page.
    expect(staff.get_by_role("heading", name="Chloe Wright: parents and carers")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_label("Who is the code for?").fill("Mum")
    staff.get_by_role("button", name="Make a code to print").click()
    expect(staff.locator(".slip svg.qr")).to_be_visible()
    assert_accessible(staff)
    code = staff.locator(".slip .code code").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{5}-[2-9A-Z]{5}", code)

    phone.goto(f"{live_server.url}/family/join?code={code}")  # what the QR code opens
    expect(phone.get_by_label("Code from school")).to_have_value(code)
    assert_accessible(phone)
    phone.get_by_label("Your name").fill("Mrs Lucy Wright")
    phone.get_by_label("Email address (optional)").fill("lucy@example.invalid")
    phone.get_by_label("Choose a username").fill("lucyw")
    phone.get_by_label("Choose a password").fill(CARER_PASSWORD)
    phone.get_by_label("Type the password again").fill(CARER_PASSWORD)
    phone.get_by_role("button", name="Join").click()
    expect(phone.get_by_role("heading", name="My children")).to_be_visible()
    expect(phone.get_by_text("Amira")).to_have_count(0)
    assert_accessible(phone)
    phone.get_by_role("link", name="Chloe's news").click()
    expect(phone.get_by_text("Nothing yet.")).to_be_visible()
    assert_accessible(phone)

    staff.goto(f"{live_server.url}/parents/pupils/{chloe}/share")
    assert_accessible(staff)
    objective = staff.locator("#objective option", has_text="Kind and unkind:")
    staff.get_by_label("What they were learning").select_option(objective.get_attribute("value"))
    staff.get_by_label("How they did").select_option(label="Secure (independent)")
    staff.get_by_label("A note for home (optional)").fill("Chloe chose the kind reply every time.")
    staff.get_by_role("button", name="Share with Chloe's carers").click()
    expect(staff.get_by_text("Learning moment shared.")).to_be_visible()

    phone.reload()
    expect(phone.get_by_text("Chloe chose the kind reply every time.")).to_be_visible()
    expect(phone.get_by_text("Does it on their own")).to_be_visible()  # carers' words
    assert_accessible(phone)

    clock.now += timedelta(minutes=50)  # 16:40: quiet hours have begun
    staff.goto(f"{live_server.url}/parents/pupils/{chloe}")
    staff.get_by_label("Message", exact=True).fill("Chloe had a lovely afternoon in the garden.")
    staff.get_by_role("button", name="Send message").click()
    expect(staff.get_by_text("Waiting for quiet hours to end")).to_be_visible()
    assert_accessible(staff)
    phone.reload()
    expect(phone.get_by_text("Chloe chose the kind reply every time.")).to_be_visible()
    expect(phone.get_by_text("lovely afternoon")).to_have_count(0)

    clock.now = _next_tuesday_at(8, 5) + timedelta(days=1)  # Wednesday 08:05
    _carer_signs_in(phone, live_server, "lucyw")  # last night's session has timed out
    phone.get_by_role("link", name=re.compile("^Chloe's news")).click()
    expect(phone.get_by_text("Chloe had a lovely afternoon in the garden.")).to_be_visible()
    assert_accessible(phone)
    staff_page = staff.context.new_page()
    sign_in(staff_page, live_server, "teacher")
    staff_page.goto(f"{live_server.url}/parents/pupils/{chloe}")
    expect(staff_page.get_by_text(re.compile("Seen by Mrs Lucy Wright")).first).to_be_visible()


@pytest.mark.usefixtures("clock")
def test_every_parents_page_is_accessible(
    live_server: LiveServer, staff: Page, phone: Page
) -> None:
    sign_in(phone, live_server, "parent")
    amira = _pupil_id(live_server, "Amira")
    for path in (
        "/family/children/",
        "/family/settings",
        "/family/add-child",
        f"/family/children/{amira}",
        f"/family/children/{amira}/photo-consent",
    ):
        response = phone.goto(live_server.url + path)
        assert response is not None
        assert response.status == 200, path
        assert_accessible(phone)
    expect(phone.locator("img.moment-photo")).to_have_count(0)  # on the consent page
    phone.goto(f"{live_server.url}/family/children/{amira}")
    expect(phone.locator("img.moment-photo")).to_be_visible()
    phone.goto(f"{live_server.url}/family/settings")
    phone.get_by_label("Show symbols and read-aloud buttons with school news").check()
    phone.get_by_role("button", name="Save").click()
    phone.goto(f"{live_server.url}/family/children/{amira}")
    expect(phone.locator(".sym-word").first).to_be_visible()
    assert_accessible(phone)
    _years_of_moments(live_server, amira)  # the feed now comes in pages
    phone.goto(f"{live_server.url}/family/children/{amira}")
    expect(phone.get_by_role("link", name="Newer")).to_have_count(0)
    assert_accessible(phone)
    phone.get_by_role("link", name="Older").click()
    expect(phone.get_by_role("link", name="Older")).to_have_count(0)
    expect(phone.locator("img.moment-photo")).to_be_visible()  # the demo's, now a page back
    assert_accessible(phone)
    phone.get_by_role("link", name="Newer").click()
    expect(phone.get_by_role("link", name="Older")).to_be_visible()
    phone.goto(f"{live_server.url}/family/add-child")
    phone.get_by_label("Code from school").fill("OOOOO-00000")
    phone.get_by_role("button", name="Add").click()
    # The problem first, at the top and in the title, its link leading to the box; and beside it.
    summary = phone.get_by_role("alert")
    expect(summary.get_by_role("link", name="never uses the letters")).to_be_visible()
    expect(phone.locator("#code-error")).to_contain_text("never uses the letters")
    expect(phone).to_have_title(re.compile(r"^Error: Add a child"))
    summary.get_by_role("link").click()
    expect(phone.get_by_label("Code from school")).to_be_focused()
    assert_accessible(phone)
    sign_out(phone)
    phone.goto(f"{live_server.url}/family/join")
    assert_accessible(phone)
    phone.get_by_label("Code from school").fill("22222-33333")
    phone.get_by_label("Your name").fill("Mr Idris Khan")
    phone.get_by_role("button", name="Join").click()
    summary = phone.get_by_role("alert")
    expect(summary).to_be_focused()  # read out first
    expect(summary.get_by_role("link")).to_have_count(3)  # the username and the passwords
    expect(phone).to_have_title(re.compile(r"^Error: Join with a code from school"))
    expect(phone.get_by_label("Your name")).to_have_value("Mr Idris Khan")
    assert_accessible(phone)

    sign_in(staff, live_server, "teacher")
    staff.goto(f"{live_server.url}/parents/pupils/{amira}")
    staff.get_by_role("link", name="Older").click()  # the thread is paged too
    expect(staff.get_by_role("link", name="Newer")).to_be_visible()
    assert_accessible(staff)
    staff.get_by_role("link", name="Newer").click()
    staff.get_by_text("Or make the carer's account yourself").click()
    staff.get_by_label("Carer's name").fill("Mr Idris Khan")
    staff.get_by_label("Username").fill(f"idris{uuid.uuid4().hex[:6]}")
    staff.get_by_role("button", name="Make the account").click()
    expect(staff.get_by_text("One-time password")).to_be_visible()
    assert_accessible(staff)
    sign_out(staff)

    incident_id = _incident_to_tell_parents_about(live_server, amira)
    sign_in(staff, live_server, "dsl")
    for path in (
        "/parents/",
        f"/parents/pupils/{amira}",
        "/parents/export",
        f"/parents/incidents/{incident_id}/notice",
    ):
        response = staff.goto(live_server.url + path)
        assert response is not None
        assert response.status == 200, path
        assert_accessible(staff)
    staff.get_by_role("button", name=re.compile("^Approve and send")).click()
    expect(staff.get_by_text("A notice has been sent under this decision.")).to_be_visible()
    expect(staff.get_by_role("link", name="Send a notice to parents and carers")).to_have_count(0)


def _years_of_moments(server: LiveServer, pupil_id: int) -> None:
    """A page's worth more of learning moments, so the carer's feed has an older page."""
    with server.app.app_context():
        session = get_session()
        teacher = session.scalar(select(Account).where(Account.username == "teacher"))
        pupil = session.get(Pupil, pupil_id)
        assert teacher is not None
        assert pupil is not None
        for n in range(FEED_PAGE):
            parents.share_learning_moment(
                session, teacher, pupil, "Sorts kind and unkind messages", "Secure", f"Day {n}",
                now=utcnow(), emails=carer_emails(),
            )  # fmt: skip
        session.commit()


def _incident_to_tell_parents_about(server: LiveServer, pupil_id: int) -> int:
    with server.app.app_context():
        session = get_session()
        teacher = session.scalar(select(Account).where(Account.username == "teacher"))
        dsl = session.scalar(select(Account).where(Account.username == "dsl"))
        assert teacher is not None
        assert dsl is not None
        incident = worries.raise_concern(
            session,
            teacher,
            str(uuid.uuid4()),
            worries.ConcernInput(pupil_id, "Upset by a game chat", "speech", None, None),
            now=utcnow(),
            base_url=base_url(),
        )
        worries.decide_parent_contact(
            session, dsl, incident, ParentContact.INFORM_NOW, "Low risk; home can help", None,
            now=utcnow(),
        )
        session.commit()
        return incident.id
