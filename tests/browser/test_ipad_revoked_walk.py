"""Class iPads revoked while a pupil used them, pupils moved on, and worries saved offline.

A worry is never lost: one saved on a class iPad with no network still reaches the safeguarding
team, once, when the iPad next opens, even if staff revoked it meanwhile (lost, or moved on) or
the pupil moved class or left; the team is told how it came. A pupil on an iPad revoked under
them sees, at their next tap, a screen of pictures that says to ask an adult, never a staff page.
Enrolled again, the iPad shows nothing of its earlier class or pupils.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import func, select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.devices import services as devices
from classroom.devices.models import Device
from classroom.pupils.models import Pupil, SchoolClass
from classroom.worries.models import Incident
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, sign_out
from tests.browser.ipad_helpers import IPAD_VIEWPORTS, class_ipad, screen_fits

SAVED = "A worry is saved on this iPad. It is not sent yet."
NOT_READY = "This iPad is not ready."


def _count(server: LiveServer) -> int:
    with server.app.app_context():
        return get_session().scalar(select(func.count()).select_from(Incident)) or 0


def _wait_for_count(server: LiveServer, wanted: int, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while _count(server) < wanted and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _count(server) == wanted


def _newest_entries(server: LiveServer) -> tuple[str | None, list[str]]:
    with server.app.app_context():
        newest = get_session().scalars(select(Incident).order_by(Incident.id.desc())).first()
        assert newest is not None
        return newest.what, [entry.text for entry in newest.entries]


def _revoke(server: LiveServer, name: str) -> None:
    """The admin revokes the class iPad `name` (reported lost)."""
    with server.app.app_context():
        db = get_session()
        device = db.scalars(select(Device).where(Device.name == name)).one()
        admin = db.scalars(select(Account).where(Account.username == "admin")).one()
        devices.revoke(db, admin, device, now=utcnow())
        db.commit()


@contextmanager
def _pupil_changed(server: LiveServer, first_name: str, **change: object) -> Iterator[None]:
    """The pupil moved class or marked as a leaver, and put back afterwards (one school for the
    whole module)."""
    with server.app.app_context():
        db = get_session()
        pupil = db.scalars(select(Pupil).where(Pupil.first_name == first_name)).one()
        before = {name: getattr(pupil, name) for name in change}
        for name, value in change.items():
            setattr(pupil, name, value)
        db.commit()
    try:
        yield
    finally:
        with server.app.app_context():
            db = get_session()
            pupil = db.scalars(select(Pupil).where(Pupil.first_name == first_name)).one()
            for name, value in before.items():
                setattr(pupil, name, value)
            db.commit()


def _class_id(server: LiveServer, name: str) -> int:
    with server.app.app_context():
        return get_session().scalars(select(SchoolClass.id).where(SchoolClass.name == name)).one()


def _worry_saved_offline(ipad: Page, pupil: str) -> None:
    """`pupil` signs in, and tells a worry while the iPad has no network: it waits on the iPad.
    Then the iPad is put away (Safari closed), still offline."""
    ipad.get_by_role("button", name=pupil).tap()
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    expect(ipad.get_by_text("What happened?")).to_be_visible()
    ipad.context.set_offline(True)
    ipad.get_by_role("button", name="I feel sad or worried").tap()
    ipad.get_by_role("button", name="Send").tap()
    expect(ipad.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
    expect(ipad.get_by_text(SAVED)).to_be_visible()
    assert ipad.evaluate("window.classroomWorryOutbox.pending()") == 1
    ipad.close()


def _opened_again(context: BrowserContext, server: LiveServer) -> Page:
    """The iPad back on the network, Safari opened on the class iPad's address."""
    context.set_offline(False)
    ipad = context.new_page()
    ipad.goto(server.url + "/class-ipad")
    return ipad


def _not_ready_screen(ipad: Page) -> None:
    """The revoked iPad's screen: pictures and speech, nothing to scroll, big targets, no staff
    form and nothing of the class."""
    expect(ipad.get_by_role("heading", name=NOT_READY)).to_be_visible()
    expect(ipad.locator("#main").get_by_text("Ask an adult.", exact=True)).to_be_visible()
    expect(ipad.locator("#main .sym-word img:not(.sym-missing)").first).to_be_visible()
    expect(ipad.get_by_role("button", name="Read to me")).to_be_visible()
    expect(ipad.get_by_label("Password")).to_have_count(0)
    expect(ipad.get_by_text("This is not a class iPad yet")).to_have_count(0)
    for name in ("Amira", "Ben", "Chloe", "Dev", "Oak"):
        expect(ipad.get_by_text(name)).to_have_count(0)
    for way_up in ("landscape", "portrait"):  # the class iPad held either way
        ipad.set_viewport_size(IPAD_VIEWPORTS[way_up])
        screen_fits(ipad)
        assert_accessible(ipad)


def test_a_worry_saved_offline_reaches_the_team_once_after_the_ipad_is_revoked(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    ipad = class_ipad(new_ipad, live_server, "Oak lost iPad")
    context = ipad.context
    before = _count(live_server)
    _worry_saved_offline(ipad, "Chloe")
    _revoke(live_server, "Oak lost iPad")  # reported lost while it was away
    ipad = _opened_again(context, live_server)
    _wait_for_count(live_server, before + 1)
    expect(ipad.get_by_text(SAVED)).to_be_hidden()
    assert ipad.evaluate("window.classroomWorryOutbox.pending()") == 0
    what, entries = _newest_entries(live_server)
    assert what == "sad"
    assert any("after it was revoked" in text for text in entries)
    _not_ready_screen(ipad)
    ipad.reload()
    ipad.wait_for_timeout(500)
    assert _count(live_server) == before + 1  # once


def test_a_worry_saved_offline_is_heard_after_the_pupil_moved_class(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    ipad = class_ipad(new_ipad, live_server, "Oak moved iPad")
    context = ipad.context
    before = _count(live_server)
    _worry_saved_offline(ipad, "Amira")
    with _pupil_changed(live_server, "Amira", class_id=_class_id(live_server, "Willow")):
        ipad = _opened_again(context, live_server)
        _wait_for_count(live_server, before + 1)
        expect(ipad.get_by_text(SAVED)).to_be_hidden()
        _what, entries = _newest_entries(live_server)
        assert any("no longer in that class" in text for text in entries)
        ipad.reload()
        ipad.wait_for_timeout(500)
        assert _count(live_server) == before + 1


def test_a_worry_saved_offline_is_heard_after_the_pupil_left(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    ipad = class_ipad(new_ipad, live_server, "Oak leaver iPad")
    context = ipad.context
    before = _count(live_server)
    _worry_saved_offline(ipad, "Ben")
    with _pupil_changed(live_server, "Ben", active=False):
        ipad = _opened_again(context, live_server)
        _wait_for_count(live_server, before + 1)
        expect(ipad.get_by_text(SAVED)).to_be_hidden()
        expect(ipad.get_by_role("button", name="Ben")).to_have_count(0)
        ipad.reload()
        ipad.wait_for_timeout(500)
        assert _count(live_server) == before + 1


def test_a_pupil_on_an_ipad_revoked_under_them_is_told_to_ask_an_adult(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    ipad = class_ipad(new_ipad, live_server, "Oak mid-lesson iPad")
    ipad.get_by_role("button", name="Chloe").tap()
    expect(ipad.get_by_role("link", name="Report a worry", exact=True)).to_be_visible()
    _revoke(live_server, "Oak mid-lesson iPad")
    # Her next tap: Report a worry (the iPad can no longer say who she is).
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    _not_ready_screen(ipad)
    expect(ipad.get_by_text("Tell an adult if you are worried.")).to_be_visible()
    # Back to the page she was on, and a tap there: the same screen.
    ipad.go_back()
    ipad.reload()
    _not_ready_screen(ipad)


def test_the_next_pupil_tapping_a_tile_on_a_revoked_ipad_is_told_to_ask_an_adult(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """The class tiles were on the screen when the iPad was revoked: Dev taps his tile."""
    ipad = class_ipad(new_ipad, live_server, "Oak tiles iPad")
    _revoke(live_server, "Oak tiles iPad")
    ipad.get_by_role("button", name="Dev").tap()
    _not_ready_screen(ipad)


def test_the_same_ipad_enrolled_again_shows_nothing_of_before(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    ipad = class_ipad(new_ipad, live_server, "Oak moving iPad")
    ipad.get_by_role("button", name="Chloe").tap()
    expect(ipad.get_by_role("link", name="Report a worry", exact=True)).to_be_visible()
    _revoke(live_server, "Oak moving iPad")
    ipad.goto(live_server.url + "/class-ipad")
    _not_ready_screen(ipad)
    with ipad.expect_navigation():  # the sign-in page loaded before sign_in goes to it again
        ipad.get_by_role("link", name="Staff sign in").tap()
    sign_in(ipad, live_server, "admin")
    ipad.goto(live_server.url + "/class-ipads/")
    form = ipad.locator("form", has=ipad.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("Class").select_option(label="Willow")
    form.get_by_label("iPad name").fill("Willow iPad 1")
    form.get_by_role("button", name="Make this a class iPad").click()
    sign_out(ipad)
    ipad.goto(live_server.url + "/class-ipad")
    expect(ipad.get_by_role("heading", name="Who are you?")).to_be_visible()
    for name in ("Amira", "Ben", "Chloe", "Dev", "Oak"):
        expect(ipad.get_by_text(name, exact=True)).to_have_count(0)
    # Chloe's pages from before, by address: the Willow tiles, nothing of hers.
    ipad.goto(live_server.url + "/pupil/")
    expect(ipad.get_by_role("heading", name="Who are you?")).to_be_visible()
    expect(ipad.get_by_text("Chloe")).to_have_count(0)
    screen_fits(ipad)
