"""Following every link a person is shown: the crawl that tests/browser/test_every_page.py and
tests/browser/test_every_page_again.py run, and the school history it runs on.

tests/browser/test_accessibility.py checks the pages listed by hand; a page added later, or one
reached only from another page's link, is not on that list. A crawl signs in and follows every
link it is shown, as a curious person would, one page of each kind.
"""

from __future__ import annotations

import uuid
from collections import deque
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.routing import MapAdapter

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.lessons import authoring, maps, player
from classroom.lessons.models import StepResponse
from classroom.outbox.services import enqueue_email
from classroom.parents import services as parents
from classroom.pupils.models import Pupil
from classroom.worries import evidence, transfer
from classroom.worries import services as worries
from classroom.worries.models import Agency, Category, Incident, ParentContact, Risk
from tests.app_settings import base_url, carer_emails
from tests.authoring_helpers import lesson_form
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.test_accessibility import PAGES_BY_ROLE
from tests.lesson_helpers import all_lessons

# Roles with different rights (the demo's deputy DSL, senior leader, second teacher and second
# carer see what one of these sees, about different people).
ROLES = ["admin", "head", "dsl", "teacher", "ta", "governor", "parent"]
# Files and speech, not pages; and the sign-in pages, which a signed-in person is sent away from.
NOT_PAGES = ("/static/", "/speech/", "/symbols/", "/sign-in", "/favicon")
ENOUGH = 150  # kinds of page per role; the demo school has fewer, so all are visited


@pytest.fixture(scope="module", autouse=True)
def some_history(live_server: LiveServer) -> None:
    """What a school has after a few weeks, so the pages that list it link to their records."""
    with live_server.app.app_context():
        db = get_session()
        teacher, dsl = (
            db.scalars(select(Account).where(Account.username == name)).one()
            for name in ("teacher", "dsl")
        )
        amira = db.scalars(select(Pupil).where(Pupil.first_name == "Amira")).one()
        _safeguarding(db, teacher, dsl, amira, Path(live_server.app.instance_path))
        _learning(db, teacher, amira)
        mail = enqueue_email(
            db, "crawl:failed", "x@example.invalid", "Subject", "Body",
            school_id=amira.school_id, now=utcnow(),
        )  # fmt: skip
        assert mail is not None
        mail.attempts, mail.last_error = 1, "the mail server said no"
        db.commit()


def _safeguarding(db: Session, teacher: Account, dsl: Account, amira: Pupil, folder: Path) -> None:
    """A pupil's worry; a concern triaged with carers to be told, with evidence; one closed; and
    Amira's child-protection file sent and received back. The worry is raised first, so the
    concerns come first in the queue, where the crawl takes its one incident record from."""
    now = utcnow()
    worries.raise_worry(
        db, amira, None, str(uuid.uuid4()), worries.WorryChoices("sad"), now=now,
        base_url=base_url(),
    )  # fmt: skip
    for closing in (True, False):
        concern = worries.raise_concern(
            db, teacher, str(uuid.uuid4()),
            worries.ConcernInput(amira.id, "Upset after a game", "signs", None, None),
            now=now, base_url=base_url(),
        )  # fmt: skip
        triage = worries.Triage(Category.WELLBEING, Risk.LOW, "Talked", False, None)
        worries.triage(db, dsl, concern, triage, now=now)
        worries.decide_parent_contact(
            db, dsl, concern, ParentContact.INFORM_NOW, "Mum should know", None, now=now
        )
        if closing:
            told = "Mum told at pick-up"  # "inform now", and no notice from the record
            worries.close(
                db, dsl, concern, "Settled", "Check in after games", carers_told=told, now=now
            )
    upload = evidence.Upload("shot.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "A message")
    evidence.add_attachment(db, dsl, concern, upload, folder, now)
    _referrals(db, dsl, concern)
    phrase = "the crawl's passphrase"
    made = transfer.export_file(db, dsl, amira, phrase, now, folder, 10)
    transfer.import_file(db, dsl, amira, made.package, phrase, now, folder)


def _referrals(db: Session, dsl: Account, concern: Incident) -> None:
    """One referral still awaiting its reply (so its reply and chase forms show), one answered."""
    now, today = utcnow(), utcnow().date()
    why = "Mum asked for help"
    worries.add_referral(db, dsl, concern, Agency.CHILDRENS_SERVICES, "", why, now=now, today=today)
    answered = worries.add_referral(
        db, dsl, concern, Agency.POLICE, "P-1", why, now=now, today=today
    )
    reply = worries.ReferralReply(today, "No further action")
    worries.record_referral_reply(db, dsl, answered, reply, now=now, zone=ZoneInfo("UTC"))


def _learning(db: Session, teacher: Account, amira: Pupil) -> None:
    """A lesson Amira tried, with an answer; a lesson her teacher wrote; a moment shared."""
    lessons = all_lessons(db)
    lesson_id = maps.pupil_map(db, amira, lessons, today=utcnow().date())[0].lesson.id
    attempt = player.start(db, amira, None, lesson_id, lessons, now=utcnow())
    step = player.step_of(attempt, 1, lessons)
    db.add(
        StepResponse(
            key=str(uuid.uuid4()), attempt_id=attempt.id, pupil_id=amira.id,
            lesson_id=lesson_id, step_id=step.id, kind=step.kind.value, correct=True, tries=1,
            at=utcnow(),
        )
    )  # fmt: skip
    form = authoring.document_from_form(MultiDict(lesson_form()))
    authoring.create(db, teacher, form, "", now=utcnow())
    parents.share_learning_moment(
        db, teacher, amira, "Sorts kind and unkind messages", "Secure", "Well done",
        now=utcnow(), emails=carer_emails(),
    )  # fmt: skip


def kind(routes: MapAdapter, path: str, query: str) -> str:
    """One page of each kind is enough: the app's route, and which questions the address asks.

    /pupils/3 stands for every pupil's page, ?page=2 for every page of a list, and
    ?term=2027-01-01 for every term's review.
    """
    rule, _values = routes.match(path, return_rule=True)
    return f"{rule.rule}?{sorted(key for key, _value in parse_qsl(query))}"


def route(routes: MapAdapter, path: str) -> str:
    rule, _values = routes.match(urlsplit(path).path, return_rule=True)
    return str(rule.rule)


def moves_on(page: Page, origin: str, path: str) -> bool:
    """Whether the address sends the browser on to another (as /family/ does to a child's feed)."""
    return page.request.get(origin + path, max_redirects=0).status in (301, 302, 303, 307, 308)


def links_on(page: Page, origin: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != origin or parts.path.startswith(NOT_PAGES):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def is_a_page(page: Page, origin: str, path: str) -> bool:
    """Whether the address is a web page (not a download such as a CSV export)."""
    response = page.request.get(origin + path, max_redirects=0)
    assert response.status < 500, f"{path} answered {response.status}"
    kind_of = response.headers.get("content-type", "")
    attached = "attachment" in response.headers.get("content-disposition", "")
    return response.ok and kind_of.startswith("text/html") and not attached


def fits_the_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


# WCAG 2.2 AA 1.4.10 (Reflow): at 320 CSS px wide (a 1280 px laptop zoomed to 400%) nothing but
# two-dimensional content (a table, a chart) may scroll sideways, and that only within itself.
ZOOMED = {"width": 320, "height": 640}


def reflows(page: Page) -> bool:
    """Whether the page fits 320 px without the whole page scrolling sideways."""
    usual = page.viewport_size
    page.set_viewport_size(ZOOMED)
    try:
        return fits_the_width(page)
    finally:
        if usual is not None:
            page.set_viewport_size(usual)


def crawl(
    page: Page, origin: str, routes: MapAdapter, *, check: bool = True
) -> tuple[list[str], list[str]]:
    """Follow every link from the page the browser is on, one page of each kind; the pages
    visited and (if `check`) what was wrong with them."""
    start = urlsplit(page.url)
    waiting = deque([start.path + (f"?{start.query}" if start.query else "")])
    seen = {kind(routes, start.path, start.query)}
    visited: list[str] = []
    problems: list[str] = []
    while waiting and len(visited) < ENOUGH:
        path = waiting.popleft()
        if not is_a_page(page, origin, path):
            continue
        response = page.goto(origin + path)
        assert response is not None, path
        assert response.status == 200, path
        visited.append(path)
        if check:
            problems.extend(problems_of(page, path))
        for link in links_on(page, origin):
            parts = urlsplit(link)
            if (found := kind(routes, parts.path, parts.query)) not in seen:
                seen.add(found)
                waiting.append(link)
    return visited, problems


def problems_of(page: Page, path: str) -> list[str]:
    found = []
    try:
        assert_accessible(page)
    except AssertionError as violations:
        found.append(str(violations))
    if not fits_the_width(page):
        found.append(f"{path} scrolls sideways at {page.viewport_size}")
    if not reflows(page):
        found.append(f"{path} scrolls sideways at {ZOOMED} (WCAG 1.4.10)")
    found.extend(f"{path}: a form to {action} without its CSRF token" for action in tokenless(page))
    return found


def tokenless(page: Page) -> list[str]:
    """The forms that send (POST) without the token the app requires: each would be refused
    with a 400 when the person pressed its button, whatever they had typed. (A form with a
    prefix names it `<prefix>-csrf_token`, which Flask-WTF accepts.)"""
    return list(
        page.eval_on_selector_all(
            "form",
            """forms => forms
                .filter(f => f.method === "post" && !f.querySelector("input[name$=csrf_token]"))
                .map(f => f.getAttribute("action"))""",
        )
    )


def assert_reached_the_listed_pages(
    page: Page, server: LiveServer, role: str, visited: list[str]
) -> None:
    """The crawl found its way: it reached every page the hand-made list names (a link the app
    stopped drawing would hide its page from the crawl, and from people). The list's filtered
    views come from forms, not links, so the pages are compared, not their questions."""
    routes = server.app.url_map.bind("localhost")
    listed = {
        route(routes, path) for path in PAGES_BY_ROLE[role] if not moves_on(page, server.url, path)
    }
    assert listed <= {route(routes, path) for path in visited}
