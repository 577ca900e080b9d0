"""The DSL on an iPad: a colleague deactivated with a worry in hand, reassigned from the alert in
a few taps; and where the page leaves her after she adds to a long chronology."""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil
from classroom.worries import services
from classroom.worries.models import Category, Incident, Risk
from tests.app_settings import base_url
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import IPAD_VIEWPORTS

LAPTOP = {"width": 1366, "height": 768}


def _account(username: str) -> Account:
    found = get_session().scalar(select(Account).where(Account.username == username))
    assert found is not None
    return found


def _worry(server: LiveServer, assignee: str | None = None) -> int:
    """A worry from Amira, triaged by the DSL (assigned to `assignee` if given)."""
    with server.app.app_context():
        db = get_session()
        amira = db.scalar(select(Pupil).where(Pupil.first_name == "Amira"))
        assert amira is not None
        incident = services.raise_worry(
            db,
            amira,
            None,
            str(uuid.uuid4()),
            services.WorryChoices(what="unkind"),
            now=utcnow(),
            base_url=base_url(),
        )
        owner = _account(assignee).id if assignee else None
        choice = services.Triage(Category.WELLBEING, Risk.MEDIUM, "Repeated", False, owner)
        services.triage(db, _account("dsl"), incident, choice, now=utcnow())
        db.commit()
        return incident.id


def _ipad(browser: Browser, way_up: str) -> Page:
    context = browser.new_context(
        viewport=IPAD_VIEWPORTS[way_up], has_touch=True, device_scale_factor=2, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


def _deactivate_deputy(browser: Browser, server: LiveServer) -> None:
    """The admin, on a laptop, deactivates Ms Ruth Evans (the deputy DSL)."""
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    admin = context.new_page()
    sign_in(admin, server, "admin")
    with server.app.app_context():
        deputy_id = _account("deputy").id
    admin.goto(f"{server.url}/admin/accounts/{deputy_id}")
    admin.get_by_role("button", name="Deactivate account").click()
    expect(admin.get_by_text("Account deactivated: their sessions have ended.")).to_be_visible()
    context.close()


def test_the_dsl_reassigns_a_deactivated_deputys_worry_from_the_alert(
    browser: Browser, live_server: LiveServer
) -> None:
    incident_id = _worry(live_server, assignee="deputy")
    reference = f"W{incident_id:05d}"
    _deactivate_deputy(browser, live_server)

    page = _ipad(browser, "portrait")
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/alerts/")
    page.get_by_role("link", name="Ms Ruth Evans's account was deactivated").click()
    expect(page.get_by_role("heading", name="Work held by Ms Ruth Evans")).to_be_visible()
    assert_accessible(page)
    # Each worry she held is one tap from the box that gives it to someone else.
    reassign = page.get_by_role("link", name=f"Reassign {reference}")
    box = reassign.bounding_box()
    assert box is not None
    assert min(box["height"], box["width"]) >= 44, box  # an iPad target
    reassign.click()
    page.wait_for_load_state()

    # The record's own "Assigned to" box: only who holds it changes, not the triage.
    assigned = page.get_by_label("Who takes it on")
    expect(assigned).to_be_focused()
    expect(assigned).to_be_in_viewport()
    # Its label and the hint about her are on screen with it, not scrolled off above.
    hint = page.get_by_text("Ms Ruth Evans's account is deactivated: choose who takes this on.")
    expect(hint).to_be_in_viewport()
    expect(page.locator("label[for=assign-assignee_id]")).to_be_in_viewport()
    # The box cannot show her (she is no longer offered): it says why.
    expect(assigned).to_have_accessible_description(
        "Ms Ruth Evans's account is deactivated: choose who takes this on."
    )
    expect(assigned).to_have_value("")  # nobody chosen for her
    assert_accessible(page)
    assigned.select_option(label="Mr Tom Bell (Designated Safeguarding Lead)")
    section = page.locator("#assigned")
    section.get_by_label("Why").fill("Ruth has left")
    section.get_by_role("button", name="Assign to them").click()
    page.wait_for_load_state()

    expect(section.get_by_role("heading", name="Assigned to")).to_be_focused()  # not the top
    saved = section.get_by_role("status")
    expect(saved).to_have_text("Saved: assigned to Mr Tom Bell.")
    expect(saved).to_be_in_viewport()
    expect(page.locator(".chronology")).to_contain_text(
        "Assigned to Mr Tom Bell (was Ms Ruth Evans)"
    )
    assert_accessible(page)
    with live_server.app.app_context():
        incident = get_session().get(Incident, incident_id)
        assert incident is not None
        assert incident.assignee_id == _account("dsl").id
        kinds = [entry.kind for entry in incident.entries]
        assert kinds.count("triage") == 1  # the triage was not recorded again
        deputy_id = _account("deputy").id
    page.goto(f"{live_server.url}/safeguarding/held-by/{deputy_id}")
    expect(page.get_by_role("link", name=f"Reassign {reference}")).to_have_count(0)


def test_a_note_added_to_a_long_chronology_is_in_view_with_the_focus(
    browser: Browser, live_server: LiveServer
) -> None:
    incident_id = _worry(live_server)
    with live_server.app.app_context():
        db = get_session()
        incident = db.get(Incident, incident_id)
        assert incident is not None
        for day in range(1, 16):
            services.add_note(db, _account("dsl"), incident, f"Check-in {day}", None, now=utcnow())
        db.commit()

    page = _ipad(browser, "landscape")
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/safeguarding/{incident_id}")
    page.get_by_label("Action taken or decision").fill("Spoke to Amira at lunch")
    page.get_by_role("button", name="Add to chronology").click()
    page.wait_for_load_state()

    added = page.locator(".chronology li", has_text="Spoke to Amira at lunch")
    expect(added).to_be_in_viewport()  # what she just recorded, not 15 older entries
    expect(added).to_be_focused()
    assert_accessible(page)


def _tall_enough(page: Page, name: str) -> None:
    box = page.get_by_role("link", name=name, exact=True).first.bounding_box()
    assert box is not None, name
    assert box["height"] >= 44, (name, box)  # an iPad target, as the buttons are


def test_the_links_the_dsl_taps_alone_are_ipad_targets(
    browser: Browser, live_server: LiveServer
) -> None:
    """A record's reference in the queue, "Back to the queue" and an alert's link were 19-25px
    lines of text on the iPad; links inside a sentence keep their line."""
    incident_id = _worry(live_server)
    reference = f"W{incident_id:05d}"
    page = _ipad(browser, "portrait")
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/safeguarding/")
    _tall_enough(page, reference)
    page.goto(f"{live_server.url}/safeguarding/{incident_id}")
    _tall_enough(page, "Back to the queue")
    page.goto(f"{live_server.url}/alerts/")
    _tall_enough(page, f"New worry or concern: {reference}")
    assert_accessible(page)


# Every visible label on the record, and the closing form's radios: [what, width, height].
_MEASURE_TARGETS = """() => {
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && getComputedStyle(el).visibility !== "hidden";
  };
  const size = (what) => (el) => {
    const box = el.getBoundingClientRect();
    return [what + " " + (el.id || el.htmlFor || el.textContent.trim()), box.width, box.height];
  };
  const labels = [...document.querySelectorAll("main label")].filter(shown).map(size("label"));
  const radios = [...document.querySelectorAll("main input[type=radio]")].map(size("radio"));
  return labels.concat(radios);
}"""


def test_the_records_labels_and_closing_radios_are_targets(
    browser: Browser, live_server: LiveServer
) -> None:
    """The record's labels were 25px lines and the closing form's radios 13px circles: each is
    now at least 24px each way (WCAG 2.2's target size), the radios' words 44px tall."""
    incident_id = _worry(live_server, assignee="dsl")
    with live_server.app.app_context():
        db = get_session()
        incident = db.get(Incident, incident_id)
        assert incident is not None
        today = utcnow().date()
        dsl = _account("dsl")
        services.add_action(
            db, dsl, incident, "Ring home", dsl.id, today, now=utcnow(), today=today
        )
        db.commit()
    page = _ipad(browser, "portrait")
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/safeguarding/{incident_id}")
    measured = page.evaluate(_MEASURE_TARGETS)
    radios = [m for m in measured if m[0].startswith("radio")]
    assert len(radios) >= 2, measured  # "It is done", "Carry it over after closing", ...
    small = [m for m in measured if min(m[1], m[2]) < 24]
    assert small == [], small
    done = page.get_by_text("It is done", exact=True).bounding_box()
    assert done is not None
    assert done["height"] >= 44, done  # the words, an iPad target
    page.get_by_text("It is done", exact=True).click()
    expect(page.get_by_label("It is done")).to_be_checked()
    assert_accessible(page)
