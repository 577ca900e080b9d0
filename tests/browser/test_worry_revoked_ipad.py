"""A class iPad reported lost and revoked while Chloe tells a worry on it: she presses Send, is
thanked, and the worry reaches the team (not kept on the lost iPad, waiting for ever)."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect
from sqlalchemy import func, select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.devices import services as devices
from classroom.devices.models import Device
from classroom.worries.models import Incident
from tests.browser.conftest import LiveServer
from tests.browser.ipad_helpers import class_ipad


def _count(server: LiveServer) -> int:
    with server.app.app_context():
        return get_session().scalar(select(func.count()).select_from(Incident)) or 0


def test_a_worry_told_while_the_ipad_is_revoked_reaches_the_team(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    ipad = class_ipad(new_ipad, live_server, "Oak lost iPad")
    ipad.get_by_role("button", name="Chloe").tap()
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    ipad.get_by_role("button", name="I feel sad or worried").tap()
    before = _count(live_server)
    with live_server.app.app_context():
        db = get_session()
        device = db.scalars(select(Device).where(Device.name == "Oak lost iPad")).one()
        admin = db.scalars(select(Account).where(Account.username == "admin")).one()
        devices.revoke(db, admin, device, now=utcnow())
        db.commit()
    ipad.get_by_role("button", name="Send").tap()
    expect(ipad.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
    deadline = time.monotonic() + 5
    while _count(live_server) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    with live_server.app.app_context():
        newest = get_session().scalars(select(Incident).order_by(Incident.id.desc())).first()
        assert newest is not None
        assert newest.what == "sad"
        assert any("after it was revoked" in entry.text for entry in newest.entries)
    # Nothing is left waiting on the lost iPad.
    expect(ipad.get_by_text("A worry is saved on this iPad. It is not sent yet.")).to_be_hidden()
    assert ipad.evaluate("window.classroomWorryOutbox.pending()") == 0
