"""The class iPad as an installed app, in Chromium: manifest and icons, and a service worker that
serves files from the iPad's cache, never keeps a page, and leaves the worry outbox alone."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Response, expect

from tests.browser.conftest import LiveServer, sign_in
from tests.browser.ipad_helpers import class_ipad
from tests.browser.test_shared_ipad import (
    AMIRAS_WORDS,
    _amira_types_a_worry_and_finishes,
    _back,
    _incidents_with,
)
from tests.browser.test_worry_journey import _count, _incidents

LESSON = "/pupil/lessons/feelings-online"  # on Ben's map (pre-formal)
CACHED = re.compile(
    r"^/(static/.+\?v=[0-9a-f]+|symbols/[\w-]+\.svg|speech/audio/[0-9a-f]{64}\.mp3)$"
)
FILE_PATHS = ("/static/", "/symbols/", "/speech/audio/")
CACHE_ENTRIES = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      const url = new URL(request.url);
      found.push([url.pathname + url.search, response.headers.get("Content-Type")]);
    }
  }
  return found;
}"""


class RequestLog:
    """Every path the live server was asked for (the network, as the iPad's Wi-Fi sees it)."""

    def __init__(self, app: Any) -> None:
        self.paths: list[str] = []
        self.lock = threading.Lock()
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            self.paths.append(environ.get("PATH_INFO", ""))
        return self.wsgi_app(environ, start_response)

    def take(self) -> list[str]:
        with self.lock:
            taken, self.paths = self.paths, []
        return taken


@pytest.fixture(scope="module")
def network(live_server: LiveServer) -> Iterator[RequestLog]:
    log = RequestLog(live_server.app)
    live_server.app.wsgi_app = log  # type: ignore[method-assign]
    yield log
    live_server.app.wsgi_app = log.wsgi_app  # type: ignore[method-assign]


# Every audio element a page makes, so a test can see when one has finished with its clip.
WATCH_AUDIO = """(() => {
  const Made = window.Audio;
  const made = [];
  window.Audio = function (...args) {
    const audio = new Made(...args);
    made.push(audio);
    return audio;
  };
  window.Audio.prototype = Made.prototype;
  window.audioMade = made;
})()"""
CLIP_LOADED = """(url) => window.audioMade.some((audio) => audio.src.endsWith(url) &&
  audio.readyState === HTMLMediaElement.HAVE_ENOUGH_DATA &&
  audio.networkState !== HTMLMediaElement.NETWORK_LOADING)"""


def _open_with_worker(new_ipad: Callable[..., BrowserContext]) -> BrowserContext:
    context = new_ipad(service_workers="allow")
    context.add_init_script(WATCH_AUDIO)
    return context


def _installed_ipad(new_ipad: Callable[..., BrowserContext], server: LiveServer, name: str) -> Page:
    """A class iPad whose service worker is installed and controls its start screen."""
    page = class_ipad(lambda: _open_with_worker(new_ipad), server, name)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return page


def _cache_entries(page: Page) -> list[tuple[str, str]]:
    return [tuple(entry) for entry in page.evaluate(CACHE_ENTRIES)]


def _read_to_me(page: Page) -> str:
    """Press Read to me and wait until the clip has been asked for; its audio's URL."""
    with page.expect_response(re.compile(r"/speech/clip$")) as clip:
        page.get_by_role("button", name="Read to me").first.click()
    assert clip.value.status == 200, clip.value.text()
    return str(clip.value.json()["audio_url"])


def test_the_app_is_installable_and_its_icons_are_real(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    ipad = _installed_ipad(new_ipad, live_server, "Oak installable iPad")
    cdp = ipad.context.new_cdp_session(ipad)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == live_server.url + "/manifest.webmanifest"
    assert manifest["errors"] == []
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are off the record, which alone stops Chromium offering to install.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == []
    parsed = ipad.request.get(manifest["url"]).json()
    assert parsed["start_url"] == "/class-ipad"
    assert parsed["display"] == "standalone"
    for icon in parsed["icons"]:
        response = ipad.request.get(live_server.url + icon["src"])
        assert response.status == 200
        assert response.headers["content-type"] == "image/png"
        width, height = Image.open(io.BytesIO(response.body())).size
        assert f"{width}x{height}" == icon["sizes"]
    for path, kind in (("/favicon.ico", "image/x-icon"), ("/apple-touch-icon.png", "image/png")):
        response = ipad.request.get(live_server.url + path)
        assert (response.status, response.headers["content-type"]) == (200, kind)

    staff = new_ipad().new_page()  # staff pages link the same manifest and icons
    sign_in(staff, live_server, "teacher")
    for page in (ipad, staff):
        expect(page.locator('link[rel="manifest"]')).to_have_attribute(
            "href", "/manifest.webmanifest"
        )
        icon = page.locator('link[rel="apple-touch-icon"]').get_attribute("href") or ""
        assert ipad.request.get(live_server.url + icon).status == 200


def test_second_load_of_a_lesson_takes_its_files_from_the_ipad(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer, network: RequestLog
) -> None:
    ipad = _installed_ipad(new_ipad, live_server, "Oak weak wifi iPad")
    ipad.get_by_role("button", name="Ben", exact=True).tap()
    expect(ipad.get_by_role("heading", name="Hello Ben")).to_be_visible()
    network.take()
    ipad.goto(live_server.url + LESSON)
    kept_before = [path for path, _type in _cache_entries(ipad)]
    audio_url = _read_to_me(ipad)
    # This clip's audio, not any clip's: the home page may have kept one already.
    ipad.wait_for_function(
        "async (url) => !!(await (await caches.open('classroom-speech-v1')).match(url))",
        arg=audio_url,
    )
    # And the audio element has all of the clip: no ask of its own can reach the server after
    # this (on a busy machine one once did, and was counted against the second load).
    ipad.wait_for_function(CLIP_LOADED, arg=audio_url)
    first = network.take()
    # The first time the clip is not on the iPad: it can only have come into the cache from
    # the network. (Said so rather than read from the server's log, which once missed it.)
    assert audio_url not in kept_before, (audio_url, kept_before, first)
    assert any(p.startswith("/symbols/") for p in first)

    # Empty the browser's own HTTP cache: whatever does not come from the network now comes
    # from the service worker's cache.
    ipad.context.new_cdp_session(ipad).send("Network.clearBrowserCache")
    served: list[Response] = []
    ipad.on("response", lambda response: served.append(response))
    ipad.goto(live_server.url + LESSON)
    expect(ipad.get_by_role("button", name="Start")).to_be_visible()
    ipad.wait_for_load_state("load")
    # The clip's audio is asked for as it starts to play: wait for it, however slow the host.
    with ipad.expect_response(lambda response: "/speech/audio/" in response.url):
        _read_to_me(ipad)
    second = network.take()
    assert [p for p in second if p.startswith(FILE_PATHS)] == []
    assert LESSON in second  # the page itself always comes from the server
    file_urls = tuple(live_server.url + path for path in FILE_PATHS)
    files = [r for r in served if r.url.startswith(file_urls)]
    assert files
    assert all(r.from_service_worker for r in files), [r.url for r in files]
    # The clip too, as the byte range the audio element asked for (Safari insists on 206).
    assert any("/speech/audio/" in r.url and r.status == 206 for r in files)


def test_no_page_or_personal_answer_is_ever_kept_in_the_cache(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    ipad = _installed_ipad(new_ipad, live_server, "Oak private iPad")
    ipad.get_by_role("button", name="Chloe", exact=True).tap()
    expect(ipad.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    ipad.goto(live_server.url + "/pupil/lessons/trusted-adults")
    _read_to_me(ipad)
    ipad.get_by_role("button", name="Start").click()
    expect(ipad).to_have_url(re.compile(r"/steps/1$"))
    ipad.goto(live_server.url + "/pupil/worry")
    before = _count(live_server)
    ipad.get_by_role("button", name="I feel sad or worried").tap()
    ipad.get_by_role("button", name="Send").tap()
    expect(ipad.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
    assert _count(live_server) == before + 1
    ipad.wait_for_timeout(2500)  # let the worker finish writing (and tidying) its cache
    clips = [p for p, _type in _cache_entries(ipad) if p.startswith("/speech/")]
    assert clips  # the lesson's
    # The thank-you names the adult the pupil chose: its speech is never kept.
    with ipad.expect_response(re.compile(r"/speech/audio/")):
        _read_to_me(ipad)
    ipad.wait_for_timeout(2500)

    entries = _cache_entries(ipad)
    assert [p for p, _type in entries if p.startswith("/speech/")] == clips
    assert any(path.startswith("/static/css/") for path, _type in entries)
    assert any(path.startswith("/symbols/") for path, _type in entries)
    for path, kind in entries:
        assert CACHED.match(path), path
        assert not kind.startswith(("text/html", "application/json")), (path, kind)


def test_a_worry_sent_offline_arrives_exactly_once_with_the_worker_installed(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    ipad = _installed_ipad(new_ipad, live_server, "Oak offline app iPad")
    ipad.get_by_role("button", name="Finn", exact=True).tap()
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    expect(ipad.get_by_text("What happened?")).to_be_visible()
    before = _count(live_server)
    ipad.context.set_offline(True)
    ipad.get_by_role("button", name="Someone I don't know talked to me").tap()
    ipad.get_by_role("button", name="Send").tap()
    expect(ipad.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
    pending = ipad.get_by_text("A worry is saved on this iPad. It is not sent yet.")
    expect(pending).to_be_visible()
    assert _count(live_server) == before
    ipad.context.set_offline(False)
    expect(pending).to_be_hidden(timeout=25_000)
    assert _count(live_server) == before + 1
    ipad.reload()
    ipad.wait_for_timeout(500)
    assert _count(live_server) == before + 1
    assert _incidents(live_server)[-1].what == "stranger"
    assert all(CACHED.match(path) for path, _type in _cache_entries(ipad))


def test_with_the_worker_finished_and_back_still_forget_the_last_pupil(
    new_ipad: Callable[..., BrowserContext], live_server: LiveServer
) -> None:
    ipad = _installed_ipad(new_ipad, live_server, "Oak shared app iPad")
    _amira_types_a_worry_and_finishes(ipad)  # Finished signs out and shows the class tiles
    ipad.get_by_role("button", name="Ben").tap()
    expect(ipad.get_by_role("heading", name="Hello Ben")).to_be_visible()
    for _ in range(3):  # Back as far as the browser lets Ben go
        _back(ipad)
        expect(ipad.get_by_text(AMIRAS_WORDS)).to_have_count(0)
        expect(ipad.get_by_text("Hello Amira")).to_have_count(0)
        boxes = ipad.locator("textarea")
        for i in range(boxes.count()):
            assert AMIRAS_WORDS not in boxes.nth(i).input_value()
    assert _incidents_with(live_server, AMIRAS_WORDS) == []
    assert ipad.evaluate("navigator.serviceWorker.controller !== null")
