"""Report a worry tapped with no Wi-Fi on any pupil screen (Home, Our rules, a lesson's first
screen), on an enrolled class iPad held either way up.

It used to open the browser's own error page: words only, no symbols, no speech, no way back,
and the worry never told. Now the screen says "No internet. Tell a trusted adult." in symbols
with Read to me and who reads a worry, and one big "I have a worry" keeps a worry (its steps
skipped) sealed in the iPad's outbox: sent once when the network is back, filed under the pupil who
told it even if the next pupil is signed in by then, and the team reads where it was tapped.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import func, select

from classroom.db import get_session
from classroom.worries.models import Incident
from tests.browser.ipad_helpers import enrolled_ipad_at, screen_fits
from tests.live import LiveServer

KEPT = "A worry is saved on this iPad. It is not sent yet."


def _count(server: LiveServer) -> int:
    with server.app.app_context():
        return get_session().scalar(select(func.count()).select_from(Incident)) or 0


def _latest(server: LiveServer) -> tuple[Incident, list[str], list[str]]:
    """The newest worry, the first names of its pupils, and its chronology's words."""
    with server.app.app_context():
        incident = get_session().scalars(select(Incident).order_by(Incident.id.desc())).first()
        assert incident is not None
        names = [link.pupil.first_name for link in incident.pupils]
        return incident, names, [entry.text for entry in incident.entries]


def _wait_for(server: LiveServer, count: int) -> None:
    deadline = time.monotonic() + 25
    while _count(server) < count and time.monotonic() < deadline:
        time.sleep(0.2)


def _sign_in(page: Page, server: LiveServer, pupil: str) -> None:
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name=pupil, exact=True).tap()
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    page.wait_for_load_state("load")


def _stored(page: Page) -> str:
    return str(
        page.evaluate("""() => new Promise(resolve => {
        const open = indexedDB.open("classroom", 1);
        open.onsuccess = () => {
          const get = open.result.transaction("worries").objectStore("worries").getAll();
          get.onsuccess = () => resolve(JSON.stringify(get.result));
        };
      })""")
    )


# Every picture on the panel drawn: none broken for want of a network (the service worker
# serves those fetched while there was one).
PICTURES_SHOWN = """() => [...document.querySelectorAll("#worry-offline img")]
  .every(img => img.complete && img.naturalWidth > 0)"""


def _says_no_internet(page: Page) -> None:
    assert not page.url.startswith("chrome-error")
    panel = page.get_by_role("dialog", name="No internet.")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Tell a trusted adult.")
    expect(panel).to_contain_text("The adults who keep you safe at school will read your worry.")
    expect(panel.locator(".sym-word img:not(.sym-missing)").first).to_be_visible()
    expect(panel.get_by_role("button", name="Read to me")).to_be_visible()
    expect(panel.get_by_role("button", name="I have a worry")).to_be_visible()
    screen_fits(page)
    assert page.evaluate(PICTURES_SHOWN), "a picture of the panel is missing with no network"


def _tell(page: Page, context: BrowserContext) -> None:
    """Report a worry, then "I have a worry", with no network: kept, sealed, and thanked."""
    context.set_offline(True)
    page.get_by_role("link", name="Report a worry", exact=True).tap()
    _says_no_internet(page)
    page.get_by_role("button", name="I have a worry").tap()
    thanks = page.get_by_role("dialog", name="No internet.")
    expect(thanks.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
    expect(thanks).to_contain_text("A trusted adult will talk to you.")
    expect(thanks).to_contain_text("Tell a trusted adult now.")
    expect(thanks.get_by_role("button", name="Read to me")).to_be_visible()
    expect(page.get_by_text(KEPT)).to_be_visible()
    screen_fits(page)
    assert page.evaluate(PICTURES_SHOWN), "a picture of the panel is missing with no network"
    stored = _stored(page)
    assert '"c"' in stored
    assert "pupil_id" not in stored  # sealed: nothing of it readable on the iPad


@pytest.mark.parametrize("way_up", ["landscape", "portrait"])
def test_a_worry_tapped_on_home_with_no_wifi_is_kept_and_sent_once(
    browser: Browser, live_server: LiveServer, way_up: str
) -> None:
    context, page = enrolled_ipad_at(browser, live_server, way_up, f"Oak no Wi-Fi {way_up}")
    _sign_in(page, live_server, "Chloe")
    before = _count(live_server)
    _tell(page, context)
    assert _count(live_server) == before
    context.set_offline(False)  # the Wi-Fi is back: the kept worry goes, once
    expect(page.get_by_text(KEPT)).to_be_hidden(timeout=25_000)
    assert _count(live_server) == before + 1
    incident, names, notes = _latest(live_server)
    assert names == ["Chloe"]
    told = (incident.what, incident.where, incident.feeling, incident.pupil_words)
    assert told == (None,) * 4  # the steps skipped
    assert any("Report a worry on Home while the iPad had no internet" in n for n in notes)
    # Back to the screen, as it was; sent again (a reload, the 20-second retry) makes nothing.
    page.get_by_role("button", name="Back", exact=True).tap()
    expect(page.get_by_role("dialog", name="No internet.")).to_be_hidden()
    expect(page.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    page.reload()
    page.wait_for_timeout(500)
    assert _count(live_server) == before + 1
    context.close()


def test_a_worry_kept_offline_stays_the_first_pupils_when_the_next_signs_in(
    browser: Browser, live_server: LiveServer
) -> None:
    """Chloe tells on Our rules with no Wi-Fi; the Wi-Fi comes back but the worry cannot go
    yet (the server slow to take it); Ben signs in: the worry reaches the team as Chloe's."""
    context, page = enrolled_ipad_at(browser, live_server, "landscape", "Oak shared no Wi-Fi")
    _sign_in(page, live_server, "Chloe")
    page.goto(live_server.url + "/pupil/rules")
    page.wait_for_load_state("load")
    before = _count(live_server)
    _tell(page, context)
    context.route("**/class-ipad/worries", lambda route: route.abort())
    context.set_offline(False)
    page.get_by_role("button", name="Back", exact=True).tap()
    page.get_by_role("button", name="Finished").tap()
    page.get_by_role("button", name="Yes, I am finished").tap()
    expect(page.get_by_role("button", name="Ben", exact=True)).to_be_visible()  # the tiles
    _sign_in(page, live_server, "Ben")
    assert _count(live_server) == before
    context.unroute("**/class-ipad/worries")
    page.reload()
    _wait_for(live_server, before + 1)
    assert _count(live_server) == before + 1
    _incident, names, notes = _latest(live_server)
    assert names == ["Chloe"]
    assert any("Report a worry on Our rules" in n for n in notes)
    context.close()


def test_with_the_wifi_back_before_telling_the_tap_opens_the_worry_flow(
    browser: Browser, live_server: LiveServer
) -> None:
    """On a lesson's first screen: Not now closes the panel (nothing kept); the next tap with
    the Wi-Fi back before "I have a worry" goes on to the worry flow as ever."""
    context, page = enrolled_ipad_at(browser, live_server, "portrait", "Oak back online")
    _sign_in(page, live_server, "Chloe")
    page.goto(live_server.url + "/pupil/lessons/feelings-online")
    page.wait_for_load_state("load")
    before = _count(live_server)
    context.set_offline(True)
    page.get_by_role("link", name="Report a worry", exact=True).tap()
    _says_no_internet(page)
    page.get_by_role("button", name="Not now").tap()
    expect(page.get_by_role("dialog", name="No internet.")).to_be_hidden()
    expect(page.get_by_role("link", name="Report a worry", exact=True)).to_be_focused()
    page.get_by_role("link", name="Report a worry", exact=True).tap()
    _says_no_internet(page)
    context.set_offline(False)
    expect(page.get_by_text("What happened?")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/pupil/worry\?back=/pupil/lessons/feelings-online"))
    assert _count(live_server) == before
    assert _stored(page) == "[]"
    context.close()
