"""The safeguarding team and governors on a phone, beyond the queue's "New and open" (see
tests/browser/test_queue_on_a_phone.py): a colleague's work held, a full incident record and its
evidence page, the alerts, the queue's "Recently closed", the concerns a teacher raised and the
form they raise one on, and the governors' review. On each page nothing scrolls sideways and
every value of every table is on the screen, none left off to the right of its scroll box.

Found on the walk at 390x844 and 375x667: "Work held" was a table 666px wide in a 342px box
(category, risk, who has it and the "Reassign" button out of sight); on the record, the
referrals' "Reply" column and, at 375px, the actions' "Done"; and on the evidence page, the
files' "Download" button. Each of those tables is now a card per row, each value after its
column's name. The alerts, the closed table, the concerns and the review fitted already: their
tests are guards."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil
from classroom.worries import body_map, evidence
from classroom.worries import services as worries
from classroom.worries.models import Agency, Category, ParentContact, Risk
from tests.app_settings import base_url
from tests.browser.conftest import WAIT_MS, LiveServer, assert_accessible, sign_in

PHONES = {"phone": {"width": 390, "height": 844}, "older phone": {"width": 375, "height": 667}}
ACTION = "Speak to the class teacher about what Amira said at lunch"


@pytest.fixture(scope="module")
def records(live_server: LiveServer) -> dict[str, int]:
    """Amira's worry worked through: triaged to the deputy, three actions, a referral awaiting
    a reply and one answered, a file, a mark on the body map, a note; and concerns, two closed."""
    with live_server.app.app_context():
        db = get_session()
        now, today = utcnow(), utcnow().date()
        staff = {a.username: a for a in db.scalars(select(Account))}
        dsl, deputy, teacher = staff["dsl"], staff["deputy"], staff["teacher"]
        amira = db.scalars(select(Pupil).where(Pupil.first_name == "Amira")).one()
        choices = worries.WorryChoices(what="photo_or_secret", where="game", feeling="scared")
        worry = worries.raise_worry(
            db, amira, None, str(uuid.uuid4()), choices, now=now, base_url=base_url()
        )
        worries.acknowledge(db, dsl, worry, now=now)
        why = "She says her stepdad hits her"
        triage = worries.Triage(Category.PHYSICAL_DANGER_ABUSE, Risk.HIGH, why, True, deputy.id)
        worries.triage(db, dsl, worry, triage, now=now)
        for n in range(3):
            due = today + timedelta(days=n)
            worries.add_action(
                db, dsl, worry, f"{ACTION} {n}", deputy.id, due, now=now, today=today
            )
        worries.add_referral(
            db, dsl, worry, Agency.CHILDRENS_SERVICES, "", "Harm at home", now=now, today=today
        )
        answered = worries.add_referral(
            db, dsl, worry, Agency.POLICE, "P-123456789", "Harm at home", now=now, today=today
        )
        reply = worries.ReferralReply(today, "No further action after a strategy meeting")
        worries.record_referral_reply(db, dsl, answered, reply, now=now, zone=ZoneInfo("UTC"))
        shot = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"
        upload = evidence.Upload("screenshot-of-the-message-she-was-sent.gif", shot, "A message")
        evidence.add_attachment(db, dsl, worry, upload, Path(live_server.app.instance_path), now)
        mark = body_map.MarkInput(
            "front:left_forearm", "front", None, None, "bruise", "small", "Yellowing"
        )
        body_map.add_mark(db, dsl, worry, mark, now)
        worries.add_note(db, dsl, worry, "Spoke to Amira at the gate", "She asked", now=now)
        for n in range(3):
            said = worries.ConcernInput(
                amira.id, "Upset after football with older pupils", "signs", "Go away", None
            )
            concern = worries.raise_concern(
                db, teacher, str(uuid.uuid4()), said, now=now, base_url=base_url()
            )
            talked = worries.Triage(Category.WELLBEING, Risk.LOW, "Talked", False, deputy.id)
            worries.triage(db, dsl, concern, talked, now=now)
            worries.decide_parent_contact(
                db, dsl, concern, ParentContact.INFORM_NOW, "Mum should know", None, now=now
            )
            if n < 2:
                worries.close(
                    db, dsl, concern, "Settled", "Check in after games",
                    carers_told="Mum told at pick-up", now=now,
                )  # fmt: skip
        db.commit()
        return {"worry": worry.id, "deputy": deputy.id}


def _phone(
    browser: Browser, server: LiveServer, size: dict[str, int], who: str,
    opened: list[BrowserContext],
) -> Page:  # fmt: skip
    context = browser.new_context(
        viewport=size, is_mobile=True, has_touch=True, device_scale_factor=2, locale="en-GB"
    )
    opened.append(context)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, server, who)
    return page


def _all_on_screen(page: Page, server: LiveServer, path: str) -> None:
    """No sideways scroll; every cell of every table on the screen, inside its scroll box, and
    said with its column's name where the row is a card; and no axe violations."""
    page.goto(server.url + path)
    page.wait_for_load_state()
    width = page.viewport_size["width"]  # type: ignore[index]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, path
    for box in page.locator("main .table-scroll").all():
        wide, seen = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
        assert wide <= seen, (path, box.get_attribute("aria-label"), wide, seen)
    cells = page.locator("main table tbody td").all()
    assert cells, path
    for cell in cells:
        where = cell.bounding_box()
        assert where is not None
        assert where["x"] >= 0, (path, where)
        assert where["x"] + where["width"] <= width, (path, where)
        label = cell.get_attribute("data-label")
        if label:  # the card names the value: "Risk: High", not a lone "High"
            name = re.compile("^" + re.escape(label) + ": ")
            expect(cell).to_have_accessible_name(name)
    assert_accessible(page)


@pytest.mark.parametrize("phone", sorted(PHONES))
def test_work_held_by_a_colleague_reads_as_cards(
    browser: Browser, live_server: LiveServer, records: dict[str, int],
    open_in: list[BrowserContext], phone: str,
) -> None:  # fmt: skip
    page = _phone(browser, live_server, PHONES[phone], "dsl", open_in)
    _all_on_screen(page, live_server, f"/safeguarding/held-by/{records['deputy']}")
    table = page.get_by_role("region", name="Open worries assigned to them (table)")
    card = table.locator("tbody tr").filter(has_text="Physical danger or abuse")
    expect(card.get_by_role("cell", name="Risk: High", exact=True)).to_have_count(1)
    reassign = card.get_by_role("link", name=re.compile("^Reassign"))
    box = reassign.bounding_box()  # before any scrolling: not off to the right of the card
    assert box is not None
    assert box["x"] + box["width"] <= PHONES[phone]["width"], box
    reassign.tap()
    page.wait_for_url(f"**/safeguarding/{records['worry']}#assign-assignee_id")


@pytest.mark.parametrize("phone", sorted(PHONES))
def test_the_incident_record_and_its_evidence_fit_a_phone(
    browser: Browser, live_server: LiveServer, records: dict[str, int],
    open_in: list[BrowserContext], phone: str,
) -> None:  # fmt: skip
    page = _phone(browser, live_server, PHONES[phone], "dsl", open_in)
    _all_on_screen(page, live_server, f"/safeguarding/{records['worry']}")
    referrals = page.get_by_role("region", name="External referrals (table)")
    expect(
        referrals.get_by_role("cell", name=re.compile("^Reply: Awaiting a reply"))
    ).to_be_visible()
    actions = page.get_by_role("region", name="Actions (table)")
    first = actions.locator("tbody tr").first
    expect(first.get_by_role("cell", name=re.compile("^Due: "))).to_have_count(1)
    expect(first.get_by_role("button", name=re.compile("^Mark done"))).to_be_visible()
    # The closing form, with a choice for each open action, fits as well (checked above).
    expect(page.get_by_role("button", name="Close incident")).to_be_visible()

    _all_on_screen(page, live_server, f"/safeguarding/{records['worry']}/evidence")
    files = page.get_by_role("region", name="Attached files (table)")
    download = files.get_by_role("link", name=re.compile("^Download"))
    expect(download).to_be_visible()
    box = download.bounding_box()  # before any scrolling: not off to the right of the box
    assert box is not None
    assert box["x"] + box["width"] <= PHONES[phone]["width"], box


@pytest.mark.usefixtures("records")
@pytest.mark.parametrize("phone", sorted(PHONES))
def test_guard_queue_closed_alerts_and_concerns_fit_a_phone(
    browser: Browser, live_server: LiveServer, open_in: list[BrowserContext], phone: str,
) -> None:  # fmt: skip
    """A guard: these fitted on the walk, and must go on fitting."""
    page = _phone(browser, live_server, PHONES[phone], "dsl", open_in)
    _all_on_screen(page, live_server, "/safeguarding/")
    closed = page.get_by_role("region", name="Recently closed (table)")
    expect(closed.locator("tbody tr")).to_have_count(2)
    page.goto(live_server.url + "/alerts/")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONES[phone]["width"]
    expect(page.get_by_role("button", name=re.compile("^Mark seen")).first).to_be_visible()
    assert_accessible(page)

    teacher = _phone(browser, live_server, PHONES[phone], "teacher", open_in)
    teacher.goto(live_server.url + "/concerns/")
    assert teacher.evaluate("document.scrollingElement.scrollWidth") <= PHONES[phone]["width"]
    expect(teacher.get_by_role("heading", level=2)).to_have_count(3)
    assert_accessible(teacher)
    teacher.get_by_role("link", name="Log a concern").tap()
    teacher.wait_for_url("**/concerns/new")
    assert teacher.evaluate("document.scrollingElement.scrollWidth") <= PHONES[phone]["width"]
    send = teacher.get_by_role("button", name="Send to the safeguarding team")
    box = send.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONES[phone]["width"]
    assert box["height"] >= 44
    assert_accessible(teacher)


@pytest.mark.usefixtures("records")
@pytest.mark.parametrize("phone", sorted(PHONES))
def test_guard_the_governors_review_fits_a_phone(
    browser: Browser, live_server: LiveServer, open_in: list[BrowserContext], phone: str,
) -> None:  # fmt: skip
    """A guard: the review, its charts and their tables fitted on the walk."""
    page = _phone(browser, live_server, PHONES[phone], "governor", open_in)
    for path in ("/safeguarding/review/", "/safeguarding/review/termly"):
        _all_on_screen(page, live_server, path)
        chart = page.locator("figure.chart svg").first
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= PHONES[phone]["width"]
