"""A photo set for one pupil's trusted adult shows on their who-can-I-tell step and in their
worry flow, and nowhere for another pupil."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.lessons import content
from classroom.pupils.models import Pupil
from classroom.symbols import people
from classroom.symbols.models import Place
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.test_lesson_player import _answer, _finish, _ipad, _lesson, _tap
from tests.symbol_helpers import people_folder

PHOTO = re.compile(r"/symbols/people/photo/\d+\.jpg$")


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 400), "teal").save(out, "PNG")
    return out.getvalue()


def _give_chloe_photos(live_server: LiveServer) -> None:
    with live_server.app.app_context():
        db = get_session()
        chloe = db.scalar(select(Pupil).where(Pupil.first_name == "Chloe"))
        teacher = db.scalar(select(Account).where(Account.username == "teacher"))
        assert chloe is not None
        assert teacher is not None
        people.add_person(
            db,
            teacher,
            chloe,
            Place.SCHOOL,
            account=teacher,
            photo=_photo(),
            folder=people_folder(),
            now=utcnow(),
        )
        people.add_person(
            db,
            teacher,
            chloe,
            Place.HOME,
            name="Grandma Rose",
            photo=_photo(),
            folder=people_folder(),
            now=utcnow(),
        )
        db.commit()


def _loads(page: Page, src: str) -> int:
    return int(page.evaluate("src => fetch(src).then(r => r.status)", src))


def _talk_to_picture(page: Page, name: str) -> str:
    card = page.locator("fieldset[data-step='talk_to'] .choice-card", has_text=name)
    return str(card.locator("img").get_attribute("src"))


def test_a_trusted_adults_photo_shows_for_that_pupil_only(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _give_chloe_photos(live_server)
    page = _ipad(new_ipad, live_server, "Oak people iPad")

    # Chloe's worry flow: her teacher, with the photo set for her.
    page.get_by_role("button", name="Chloe", exact=True).tap()
    expect(page.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    page.get_by_role("link", name="Report a worry", exact=True).tap()
    chloes_photo = _talk_to_picture(page, "Ms Ana Lopez")
    assert PHOTO.search(chloes_photo)
    assert _loads(page, chloes_photo) == 200
    expect(page.locator("fieldset[data-step='talk_to']")).not_to_contain_text("Grandma Rose")
    page.go_back()

    # Chloe's "Who can you tell?" step: her teacher and her grandma, both as photos.
    page.get_by_role("link", name="Tell a trusted adult", exact=True).tap()
    page.get_by_role("button", name="Start").tap()
    for number, step in enumerate(_lesson(live_server, "trusted-adults", "formal").steps, 1):
        if isinstance(step, content.WhoCanITellStep):
            for name in ("Ms Ana Lopez", "Grandma Rose"):
                card = page.get_by_role("button", name=name, exact=True)
                src = str(card.locator("img").get_attribute("src"))
                assert PHOTO.search(src), name
                assert _loads(page, src) == 200, name
            assert_accessible(page)
        _answer(page, step, _tap)
        nav = page.locator(".step-nav")
        if number < len(_lesson(live_server, "trusted-adults", "formal").steps):
            nav.get_by_role("link", name="Next").tap()
        else:
            nav.get_by_role("button", name="Next").tap()
    _finish(page, _tap)

    # Amira, in the same class, sees the plain trusted-adult picture and cannot fetch Chloe's.
    page.get_by_role("button", name="Amira", exact=True).tap()
    expect(page.get_by_role("heading", name="Hello Amira")).to_be_visible()
    page.get_by_role("link", name="Report a worry", exact=True).tap()
    amiras_picture = _talk_to_picture(page, "Ms Ana Lopez")
    assert amiras_picture.endswith("/symbols/trusted-adult.svg")
    assert _loads(page, chloes_photo) == 404
