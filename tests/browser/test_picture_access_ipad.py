"""A pupil's own photo, uploaded by staff as their picture for a word, on a class iPad: the
pupil sees it on their screens; once they have finished, the next pupil on the same iPad (its
service worker running) cannot fetch it, and the iPad's caches never kept it."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil
from classroom.symbols import pictures
from tests.browser.conftest import LiveServer
from tests.browser.ipad_helpers import class_ipad

LOADED = "(img) => img.complete && img.naturalWidth > 0"
STATUS = "(url) => fetch(url, {credentials: 'same-origin'}).then((r) => r.status)"
CACHED_URLS = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) { found.push(request.url); }
  }
  return found;
}"""


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 240), (200, 150, 120)).save(out, "JPEG")
    return out.getvalue()


def _chloes_photo_for(server: LiveServer, phrase: str) -> str:
    """Her teacher uploads Chloe's photo as Chloe's own picture for `phrase`; its code."""
    with server.app.app_context():
        db = get_session()
        teacher = db.scalars(select(Account).where(Account.username == "teacher")).one()
        chloe = db.scalars(select(Pupil).where(Pupil.first_name == "Chloe")).one()
        row = pictures.upload_for_word(
            db, teacher, phrase, _photo(), pupil=chloe,
            target=pictures.folder(Path(server.app.instance_path)), now=utcnow(),
        )  # fmt: skip
        db.commit()
        assert row.symbol is not None
        return row.symbol


def _finish(page: Page) -> None:
    page.get_by_role("button", name="Finished").tap()
    page.get_by_role("button", name="Yes, I am finished").tap()
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()


def test_the_pupil_sees_their_photo_and_the_next_pupil_cannot_fetch_it(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    code = _chloes_photo_for(live_server, "rules")
    url = f"/symbols/{code}.svg"
    ipad = class_ipad(lambda: new_ipad(service_workers="allow"), live_server, "Oak photo iPad")
    ipad.wait_for_function("() => navigator.serviceWorker.controller !== null")

    ipad.get_by_role("button", name="Chloe").tap()
    expect(ipad.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    for _ in range(2):  # and again, the service worker now in charge of every request
        photo = ipad.locator(f'img[src="{url}"]').first
        expect(photo).to_be_visible()
        ipad.wait_for_function(LOADED, arg=photo.element_handle())
        ipad.reload()
        expect(ipad.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    assert not [kept for kept in ipad.evaluate(CACHED_URLS) if code in kept]

    _finish(ipad)
    assert ipad.evaluate(STATUS, url) == 404  # the tiles screen: nobody's photo
    ipad.get_by_role("button", name="Finn").tap()
    expect(ipad.get_by_role("heading", name="Hello Finn")).to_be_visible()
    assert ipad.locator(f'img[src="{url}"]').count() == 0
    assert ipad.evaluate(STATUS, url) == 404  # not Finn's, though in his class
    assert not [kept for kept in ipad.evaluate(CACHED_URLS) if code in kept]
