"""Safeguarding safe by default, as the DSL, a teacher and the badge on any staff page see it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from classroom import policy
from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.outbox.models import OutboxMessage
from classroom.pupils.models import Pupil
from classroom.worries import services
from classroom.worries.models import Category, Incident, ParentContact, PupilRole, Risk, Status
from tests.app_settings import base_url
from tests.browser.conftest import LiveServer, assert_accessible, sign_in


@pytest.fixture(autouse=True)
def _quick_badge(live_server: LiveServer) -> None:
    """Poll the badge every second so "within 2 s" is a fair test."""
    live_server.app.config["ALERT_POLL_SECONDS"] = 1


def _account(username: str) -> Account:
    found = get_session().scalar(select(Account).where(Account.username == username))
    assert found is not None
    return found


def _pupil(first_name: str) -> Pupil:
    found = get_session().scalar(select(Pupil).where(Pupil.first_name == first_name))
    assert found is not None
    return found


def _worry(server: LiveServer, **choices: object) -> int:
    with server.app.app_context():
        db = get_session()
        incident = services.raise_worry(
            db,
            _pupil("Amira"),
            None,
            str(uuid.uuid4()),
            services.WorryChoices(**choices),
            now=utcnow(),
            base_url=base_url(),
        )
        db.commit()
        return incident.id


def _triaged_concern(server: LiveServer, decision: ParentContact | None = None) -> int:
    """A concern about Amira (whose mum uses the app), triaged, with a parent-contact decision."""
    with server.app.app_context():
        db = get_session()
        dsl = _account("dsl")
        incident = services.raise_concern(
            db,
            _account("teacher"),
            str(uuid.uuid4()),
            services.ConcernInput(_pupil("Amira").id, "Upset after a game", "signs", None, None),
            now=utcnow(),
            base_url=base_url(),
        )
        services.triage(
            db,
            dsl,
            incident,
            services.Triage(Category.WELLBEING, Risk.LOW, "Talked", False, None),
            now=utcnow(),
        )
        if decision is not None:
            services.decide_parent_contact(
                db, dsl, incident, decision, "Mum should know", None, now=utcnow()
            )
        db.commit()
        return incident.id


def test_new_incident_cannot_be_saved_with_an_implied_inform_now(
    page: Page, live_server: LiveServer
) -> None:
    incident_id = _worry(live_server, what="unkind")
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/safeguarding/{incident_id}")
    decision = page.locator("#parent-decision")
    expect(decision).to_have_value("")
    expect(page.locator("#triage-risk")).to_have_value("")
    expect(page.locator("#action-owner_id")).to_have_value("")
    assert_accessible(page)
    page.locator("#parent-reason").fill("Speak to Amira first")
    page.get_by_role("button", name="Record decision").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose a decision about contacting parents and carers.")
    expect(summary).to_be_in_viewport()
    assert_accessible(page)
    with live_server.app.app_context():
        incident = get_session().get(Incident, incident_id)
        assert incident is not None
        assert services.parent_contact(get_session(), incident) is None


def test_chosen_adult_sees_the_alert(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    with live_server.app.app_context():
        teacher_id = _account("teacher").id
    _worry(live_server, what="sad", talk_to_id=teacher_id)
    teacher = new_ipad().new_page()
    sign_in(teacher, live_server, "teacher")
    teacher.get_by_role("link", name="Alerts").click()
    row = teacher.locator("li.unseen", has_text="Amira would like to talk to you — see the DSL")
    expect(row.first).to_be_visible()
    assert_accessible(teacher)
    expect(row.first).to_contain_text("New")
    expect(row.first.get_by_role("button", name=re.compile("Mark seen"))).to_have_count(0)
    teacher.reload()  # shown once is seen: the message is the whole of the alert
    expect(teacher.locator("li.unseen", has_text="Amira would like to talk")).to_have_count(0)
    expect(teacher.locator("li", has_text="Amira would like to talk").first).to_contain_text("Seen")


def test_badge_appears_on_another_staff_page_within_two_seconds(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/pupils/")
    count = page.locator("[data-alert-badge] [data-count]")
    before = int(count.text_content() or "0")
    assert_accessible(page)
    _worry(live_server)
    expect(count).to_have_text(str(before + 1), timeout=2000)
    expect(page.locator("[data-alert-badge]")).to_be_visible()


def test_closed_incident_refuses_changes(page: Page, live_server: LiveServer) -> None:
    incident_id = _triaged_concern(live_server)
    with live_server.app.app_context():
        db = get_session()
        incident = db.get(Incident, incident_id)
        assert incident is not None
        services.close(
            db, _account("dsl"), incident, "Resolved", "Check game chat settings",
            keep_carers_held=False, carers_reason="Decided with the head", now=utcnow(),
        )  # fmt: skip
        db.commit()
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/safeguarding/{incident_id}")
    expect(page.get_by_text("It is read-only")).to_be_visible()
    expect(page.get_by_role("button", name="Add to chronology")).to_have_count(0)
    expect(page.get_by_role("button", name="Save triage")).to_have_count(0)
    assert_accessible(page)
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    response = page.request.post(
        f"{live_server.url}/safeguarding/{incident_id}/notes",
        form={"csrf_token": token, "note-text": "A late change"},
    )
    assert response.status == 400
    assert "is closed, so it cannot be changed" in response.text()
    page.get_by_label("Why reopen").fill("New information from mum")
    carers = page.get_by_label("Parents and carers while it is open again")
    expect(carers).to_have_value("")  # nothing chosen for the DSL
    expect(carers.locator("option[value=keep]")).to_have_text(re.compile("^Leave it undecided"))
    carers.select_option("keep")
    page.get_by_role("button", name="Reopen").click()
    expect(page.get_by_role("button", name="Add to chronology")).to_be_visible()
    expect(page.get_by_text("New information from mum")).to_be_visible()


def _carer_emails(server: LiveServer) -> int:
    with server.app.app_context():
        query = select(func.count()).where(OutboxMessage.dedupe_key.startswith("parents:"))
        return get_session().scalar(query) or 0


def _decide_the_rest(server: LiveServer, incident_id: int) -> None:
    """Earlier tests left worries about Amira with no parent-contact decision, which hold back
    what her carers are told: decide them, so that only this notice is being tested."""
    with server.app.app_context():
        db = get_session()
        for other in db.scalars(select(Incident).where(Incident.id != incident_id)):
            if other.status != Status.CLOSED and policy.holds_carers(db, other):
                services.decide_parent_contact(
                    db, _account("dsl"), other, ParentContact.INFORM_NOW, "Tested elsewhere", None,
                    now=utcnow(),
                )  # fmt: skip
        db.commit()


def test_second_notice_send_does_not_queue_a_second_email(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    incident_id = _triaged_concern(live_server, ParentContact.INFORM_NOW)
    _decide_the_rest(live_server, incident_id)
    context = new_ipad()
    first, second = context.new_page(), context.new_page()
    sign_in(first, live_server, "dsl")
    notice = f"{live_server.url}/parents/incidents/{incident_id}/notice"
    first.goto(notice)
    second.goto(notice)  # the same page open twice: the double send a busy DSL makes
    assert_accessible(first)
    before = _carer_emails(live_server)
    first.get_by_role("button", name=re.compile("Approve and send")).click()
    expect(first.get_by_text("Notice approved.")).to_be_visible()
    expect(first.get_by_text(re.compile("queued until|delivered in the app")).first).to_be_visible()
    assert_accessible(first)
    sent = _carer_emails(live_server)
    assert sent == before + 1  # Mrs Khan
    second.get_by_role("button", name=re.compile("Approve and send")).click()
    expect(second.get_by_text("nothing new was queued")).to_be_visible()
    assert _carer_emails(live_server) == sent


@pytest.mark.parametrize("width", [810, 1024])
def test_governors_review_fits_an_ipad(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer, width: int
) -> None:
    for _ in range(3):  # at least one category bar to draw (a count under 3 draws none)
        _triaged_concern(live_server)
    page = new_ipad().new_page()
    page.set_viewport_size({"width": width, "height": 1080})
    sign_in(page, live_server, "governor")
    page.goto(f"{live_server.url}/safeguarding/review/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("rect.bar").count() > 0
    for figure in page.locator("figure.chart").all():
        box, svg = figure.bounding_box(), figure.locator("svg")
        if svg.count() == 0 or box is None:
            continue
        chart = svg.bounding_box()
        assert chart is not None
        assert chart["x"] + chart["width"] <= box["x"] + box["width"] + 1
        for row in svg.locator("g.bar-row").all():
            text = row.locator("text.bar-label").bounding_box()
            assert text is not None
            assert text["height"] >= 12  # readable: at least 12 CSS px tall
            if row.locator("rect.bar").count():  # "fewer than 3" has no bar to overlap
                rect = row.locator("rect.bar").bounding_box()
                assert rect is not None
                assert text["y"] + text["height"] <= rect["y"] + 1  # the label never overlaps
    assert_accessible(page)


def test_closing_under_do_not_contact_asks_about_carers_and_a_kept_hold_can_be_lifted(
    page: Page, live_server: LiveServer
) -> None:
    """Nothing is chosen for the DSL: closing without saying what happens to the hold on
    carers is refused, with the question shown; a kept hold shows on the closed record until
    someone lets carers be told again."""
    incident_id = _triaged_concern(live_server, ParentContact.DO_NOT_CONTACT)
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/safeguarding/{incident_id}")
    expect(page.locator("#parent")).to_contain_text("Carers are told nothing new about Amira")
    close = page.locator("#close")
    carers = close.get_by_role("group", name="Carers are being told nothing new")
    expect(carers.get_by_role("radio")).to_have_count(2)
    for radio in carers.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    close.get_by_label("Outcome").fill("Referred to social care")
    close.get_by_label("Lessons learnt").fill("Record the first disclosure word for word")
    close.get_by_role("button", name="Close incident").click()
    expect(page.get_by_text("choose whether that goes on after closing")).to_be_visible()
    assert_accessible(page)

    close = page.locator("#close")
    close.get_by_label("Keep holding back").check()
    close.get_by_role("button", name="Close incident").click()
    expect(page.get_by_text("Say why carers stay held back after closing.")).to_be_visible()
    close = page.locator("#close")
    expect(close.get_by_label("Keep holding back")).to_be_checked()  # the choice is kept
    close.get_by_label("Why", exact=True).fill("Social care are still speaking to the family")
    close.get_by_role("button", name="Close incident").click()
    parent = page.locator("#parent")
    expect(parent).to_contain_text("kept so when it closed")
    assert_accessible(page)
    parent.get_by_role("button", name="Let carers be told again").click()
    expect(page.get_by_text("Say why carers may be told again.", exact=True)).to_be_visible()
    page.locator("#parent").get_by_label("Why carers may be told again").fill("Social care agree")
    page.locator("#parent").get_by_role("button", name="Let carers be told again").click()
    expect(page.locator("#parent")).not_to_contain_text("Carers are told nothing new")
    expect(page.locator("#note")).to_contain_text("Carers may be told again")
    expect(page.locator("#note")).to_contain_text("Social care agree")


def test_parent_contact_is_decided_per_family_with_nobody_chosen_first(
    page: Page, live_server: LiveServer
) -> None:
    """Amira's family told now, Ben's (alleged to have sent the messages) held back."""
    incident_id = _triaged_concern(live_server)
    with live_server.app.app_context():
        db = get_session()
        incident = db.get_one(Incident, incident_id)
        ben = _pupil("Ben").id
        services.link_pupil(
            db, _account("dsl"), incident, ben, PupilRole.INVOLVED, now=utcnow(), reason="Sent"
        )
        db.commit()
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/safeguarding/{incident_id}")
    form = page.locator("#parent")
    whose = form.get_by_role("group", name="Whose carers is this for?")
    expect(whose.get_by_role("radio")).to_have_count(3)
    for radio in whose.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    assert_accessible(page)
    form.locator("#parent-decision").select_option("inform_now")
    form.locator("#parent-reason").fill("Her mum should hear from us today")
    form.get_by_role("button", name="Record decision").click()
    expect(page.locator("#parent-whose-error")).to_contain_text("Choose whose carers")
    expect(page.locator("#parent-reason")).to_have_value("Her mum should hear from us today")
    assert_accessible(page)
    page.locator("#parent").get_by_label("Only Amira Khan's carers (affected)").check()
    page.locator("#parent").get_by_role("button", name="Record decision").click()
    form = page.locator("#parent")
    form.get_by_label("Only Ben Taylor's carers (involved)").check()
    form.locator("#parent-decision").select_option("do_not_contact")
    form.locator("#parent-reason").fill("Telling his family may put Amira at risk")
    form.get_by_role("button", name="Record decision").click()
    families = page.locator("#contact-by-family")
    expect(families).to_contain_text("Amira Khan's carers (affected): Inform parents/carers now")
    expect(families).to_contain_text("Ben Taylor's carers (involved): Do not contact")
    expect(page.locator("#note")).to_contain_text("Parent contact for Ben Taylor's carers")
    assert_accessible(page)


def test_reopening_a_record_with_two_pupils_asks_whose_carers(
    page: Page, live_server: LiveServer
) -> None:
    """Amira's family was told and Ben's carers held back; the record closed. Reopening it to
    tell Amira's family again must not let Ben's carers be told: the reopen form asks whose
    carers a new decision is for, as the decision form does, with nobody chosen."""
    incident_id = _triaged_concern(live_server)
    with live_server.app.app_context():
        db = get_session()
        dsl = _account("dsl")
        incident = db.get_one(Incident, incident_id)
        amira, ben = _pupil("Amira").id, _pupil("Ben").id
        services.link_pupil(db, dsl, incident, ben, PupilRole.INVOLVED, now=utcnow(),
                            reason="Sent")  # fmt: skip
        db.flush()
        db.refresh(incident)
        services.decide_parent_contact(db, dsl, incident, ParentContact.INFORM_NOW, "Tell mum",
                                       None, now=utcnow(), pupil_id=amira)  # fmt: skip
        services.decide_parent_contact(db, dsl, incident, ParentContact.DO_NOT_CONTACT,
                                       "Not his family", None, now=utcnow(),
                                       pupil_id=ben)  # fmt: skip
        services.close(db, dsl, incident, "Spoke to both", "Filters missed it",
                       keep_carers_held=True, carers_reason="Ben's family not yet",
                       carers_told="Phoned mum", now=utcnow())  # fmt: skip
        db.commit()
    page.set_viewport_size({"width": 1024, "height": 768})
    sign_in(page, live_server, "dsl")
    page.goto(f"{live_server.url}/safeguarding/{incident_id}#reopen")
    form = page.locator("#reopen")
    expect(form.locator("#reopen-families")).to_contain_text("the other families keep")
    whose = form.get_by_role("group", name="Whose carers is this for?")
    expect(whose.get_by_role("radio")).to_have_count(3)
    for radio in whose.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    assert_accessible(page)
    form.get_by_label("Why reopen").fill("Amira's mum asked what happened next")
    form.get_by_label("Parents and carers while it is open again").select_option("inform_now")
    form.get_by_role("button", name="Reopen").click()
    expect(page.locator("#reopen-whose-error")).to_contain_text("Choose whose carers")
    expect(page.locator("#reopen-reason")).to_have_value("Amira's mum asked what happened next")
    assert_accessible(page)
    form = page.locator("#reopen")
    form.get_by_label("Only Amira Khan's carers (affected)").check()
    form.get_by_role("button", name="Reopen").click()
    families = page.locator("#contact-by-family")
    expect(families).to_contain_text("Amira Khan's carers (affected): Inform parents/carers now")
    expect(families).to_contain_text("Ben Taylor's carers (involved): Do not contact")
    note = page.locator("#note")
    expect(note).to_contain_text("kept Ben Taylor's carers \"Do not contact")
    expect(note).to_contain_text("Parent contact for Amira Khan's carers")
    assert_accessible(page)
    with live_server.app.app_context():
        assert not policy.may_tell_carers(get_session(), ben)
        reopened = get_session().get_one(Incident, incident_id)
        assert reopened.status == Status.OPEN
