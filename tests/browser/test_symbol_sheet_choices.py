"""A teacher prints the contact sheet as their class sees it: the class's own picture for
"toilet" is on it (and loads), the sheet says whose pictures it shows, printed too."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from classroom import policy
from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil
from classroom.symbols import pictures
from tests.browser.conftest import LiveServer, assert_accessible, sign_in

LOADED = "(img) => img.complete && img.naturalWidth > 0"


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 240), (90, 150, 200)).save(out, "JPEG")
    return out.getvalue()


def _class_picture(server: LiveServer, phrase: str) -> tuple[str, str]:
    """The demo teacher's class gets its own picture for `phrase`: (its code, the class)."""
    with server.app.app_context():
        db = get_session()
        teacher = db.scalars(select(Account).where(Account.username == "teacher")).one()
        school_class = db.scalars(policy.visible_classes(teacher)).first()
        assert school_class is not None
        row = pictures.upload_for_word(
            db, teacher, phrase, _photo(), school_class=school_class,
            target=pictures.folder(Path(server.app.instance_path)), now=utcnow(),
        )  # fmt: skip
        db.commit()
        assert row.symbol is not None
        return row.symbol, school_class.name


def test_the_class_sheet_shows_and_prints_the_class_picture(
    page: Page, live_server: LiveServer
) -> None:
    code, name = _class_picture(live_server, "toilet")
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/symbols/sheet")
    expect(page.get_by_text("Pictures as the whole school sees them")).to_be_visible()
    assert page.locator(f'img[src$="/{code}.svg"]').count() == 0
    page.get_by_label("Pictures as they are for").select_option(label=f"Class {name}")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_load_state()
    whose = page.get_by_text(f"Pictures as class {name} sees them")
    expect(whose).to_be_visible()
    picture = page.locator(f'img[src$="/{code}.svg"]')
    expect(picture).to_have_count(1)
    picture.scroll_into_view_if_needed()
    page.wait_for_function(LOADED, arg=picture.element_handle())
    assert_accessible(page)
    page.emulate_media(media="print")
    try:
        expect(whose).to_be_visible()  # the printed sheet says whose pictures it shows
        expect(picture).to_be_visible()
        expect(page.get_by_label("Pictures as they are for")).to_be_hidden()
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
    finally:
        page.emulate_media(media="null")


def _pupil_picture(server: LiveServer, phrase: str) -> tuple[str, str, str]:
    """A pupil in the demo teacher's class gets their own picture for `phrase`: (its code, the
    pupil's name, their class)."""
    with server.app.app_context():
        db = get_session()
        teacher = db.scalars(select(Account).where(Account.username == "teacher")).one()
        pupil = db.scalars(policy.visible_pupils(teacher).where(Pupil.active.is_(True))).first()
        assert pupil is not None
        row = pictures.upload_for_word(
            db, teacher, phrase, _photo(), pupil=pupil,
            target=pictures.folder(Path(server.app.instance_path)), now=utcnow(),
        )  # fmt: skip
        db.commit()
        assert row.symbol is not None
        return row.symbol, pupil.full_name, pupil.school_class.name


def test_a_pupils_sheet_shows_and_prints_their_own_picture(
    page: Page, live_server: LiveServer
) -> None:
    code, name, class_name = _pupil_picture(live_server, "toilet")
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/symbols/sheet")
    assert page.locator(f'img[src$="/{code}.svg"]').count() == 0
    page.get_by_label("Pictures as they are for").select_option(label=name)
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_load_state()
    whose = page.get_by_text(f"Pictures as {name} sees them")
    expect(whose).to_be_visible()
    expect(page.locator(".sheet-whose")).to_contain_text(
        f"{name}'s pictures (with class {class_name}'s and the school's)"
    )
    picture = page.locator(f'img[src$="/{code}.svg"]')
    expect(picture).to_have_count(1)
    picture.scroll_into_view_if_needed()
    page.wait_for_function(LOADED, arg=picture.element_handle())
    # What differs from the class sheet (checked whole above: its hundreds of words take axe
    # ten seconds) is the choice and the words saying whose pictures these are.
    assert_accessible(page, within=[".sheet-whose", ".sheet-choose", "h1"])
    page.emulate_media(media="print")
    try:
        expect(whose).to_be_visible()  # the printed sheet says whose pictures they are
        expect(picture).to_be_visible()
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        assert pdf.startswith(b"%PDF")
    finally:
        page.emulate_media(media="null")


# Counts, when the page calls print(), the pictures not yet loaded (print is stubbed: a test
# cannot answer the print dialog).
PRINT_STUB = """() => {
  window.printedWith = null;
  window.print = () => {
    const pictures = [...document.querySelectorAll(".contact-sheet img")];
    window.printedWith = pictures.filter((img) => !(img.complete && img.naturalWidth > 0)).length;
  };
}"""


def test_the_whole_sheet_opens_without_every_picture_and_prints_with_them_all(
    page: Page, live_server: LiveServer
) -> None:
    """Hundreds of pictures: fetching them all before the page loaded took seconds on a quiet
    machine and over ten on a busy one. They now load as they are scrolled to, and "Print"
    loads the rest before it prints, so the printout has every picture."""
    sign_in(page, live_server, "teacher")
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if r.url.endswith(".svg") else None)
    page.goto(f"{live_server.url}/symbols/sheet")
    pictures = page.locator(".contact-sheet img")
    shown = pictures.count()
    assert shown > 300
    assert len(fetched) < shown / 4  # only those near the screen
    page.evaluate(PRINT_STUB)
    page.get_by_role("button", name="Print").click()
    page.wait_for_function("() => window.printedWith !== null", timeout=60_000)
    assert page.evaluate("window.printedWith") == 0
    assert len(set(fetched)) >= len(set(pictures.evaluate_all("(s) => s.map((i) => i.src)")))
    expect(page.get_by_role("button", name="Print")).to_be_enabled()
