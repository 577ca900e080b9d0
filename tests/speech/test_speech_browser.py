"""speech.js in Chromium: tap a word, read a sentence with highlighting, fall back quietly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask, render_template_string
from flask_login import LoginManager
from playwright.sync_api import Page, expect, sync_playwright
from werkzeug.wrappers import Response

from classroom import ROOT, db, templating
from classroom.accounts.models import Account
from classroom.config import DEFAULTS
from classroom.db import get_session
from classroom.migrate import upgrade
from classroom.speech import services
from classroom.speech import views as speech_views
from classroom.speech.engine import Synthesiser
from classroom.symbols import views as symbol_views
from classroom.web import CSP
from tests.factories import make_account
from tests.live import LiveServer

pytestmark = pytest.mark.browser
T = TypeVar("T")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--autoplay-policy=no-user-gesture-required"]
PAGE = """<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="csrf-token" content="token-123">
<title>Speech</title><link rel="stylesheet" href="/static/css/symbols.css"></head>
<body data-speech-rate="{{ rate }}">
{% import "_macros/symbols.html" as sym %}
{{ sym.speech_warning(True) }}
{{ sym.symbolised(symbolise(text), "large", "sentence") }}
{{ sym.read_to_me("sentence") }}
<script src="/static/js/symbols.js" defer></script>
<script src="/static/js/speech.js" defer></script>
</body></html>"""


def _page() -> str:
    return render_template_string(PAGE, text="Stop, block and tell a trusted adult.", rate=260)


def _csp(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP  # the app's own policy: no inline code
    return response


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Flask]]:
    """The symbols and speech blueprints and one test page, on a free local port."""
    app = Flask(
        __name__,
        instance_path=str(tmp_path_factory.mktemp("speech-browser")),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(DEFAULTS, DATABASE_URL=f"sqlite:///{app.instance_path}/speech.db")
    _sign_in_one_teacher(app)
    app.register_blueprint(symbol_views.bp)
    app.register_blueprint(speech_views.bp)
    templating.init_app(app)  # the template globals every page has (symbolise, …)
    app.add_url_rule("/page", "page", _page)
    app.after_request(_csp)
    live = LiveServer(app)
    live.start()
    yield live.url, app
    live.stop()


def _sign_in_one_teacher(app: Flask) -> None:
    """A real database and one teacher behind every request: new clips count against an account."""
    with app.app_context():
        upgrade(app.config["DATABASE_URL"])
    db.init_app(app)
    with app.app_context():
        teacher_id = make_account(get_session()).id
        get_session().commit()
    login = LoginManager(app)
    login.request_loader(lambda _request: get_session().get(Account, teacher_id))


class BrowserThread:
    """Chromium driven from a thread of its own.

    Playwright's sync API refuses to start while another instance is running in the same
    thread (tests/browser keeps one open for the whole session), so this one lives elsewhere.
    """

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self.run(self._start)

    def run(self, action: Callable[..., T], *args: Any) -> T:
        return self.pool.submit(action, *args).result(timeout=60)

    def visit(self, url: str, scenario: Callable[[Page], T]) -> T:
        """Run `scenario` on a fresh iPad-sized page at `url`; fail on any script or CSP error."""
        return self.run(self._visit, url, scenario)

    def close(self) -> None:
        self.run(self._stop)
        self.pool.shutdown()

    def _start(self) -> None:
        assert Path(CHROMIUM).exists(), "apt-get install chromium"
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)

    def _stop(self) -> None:
        self.browser.close()
        self.playwright.stop()

    def _visit(self, url: str, scenario: Callable[[Page], T]) -> T:
        context = self.browser.new_context(viewport={"width": 810, "height": 1080}, has_touch=True)
        problems: list[str] = []
        try:
            page = context.new_page()
            page.on("console", lambda m: _note_error(problems, m.type, m.text))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(url)
            result = scenario(page)
        finally:
            context.close()
        assert problems == []
        return result


def _note_error(problems: list[str], kind: str, text: str) -> None:
    # HTTP statuses are checked by the tests themselves; any other error (a script error, a
    # CSP refusal) fails the test.
    if kind == "error" and not text.startswith("Failed to load resource"):
        problems.append(text)


@pytest.fixture(scope="module")
def chromium() -> Iterator[BrowserThread]:
    browser = BrowserThread()
    yield browser
    browser.close()


@pytest.fixture
def visit(chromium: BrowserThread, server: tuple[str, Flask]) -> Callable[..., Any]:
    return lambda scenario: chromium.visit(f"{server[0]}/page", scenario)


def highlighted_words(page: Page) -> list[str]:
    """Poll the highlighted word while the sentence plays; the order they lit up in."""
    seen: list[str] = []
    for _ in range(200):
        current: Any = page.evaluate(
            "() => { const el = document.querySelector('.sym-word.speaking');"
            " return el ? el.dataset.say : null; }"
        )
        if current and (not seen or seen[-1] != current):
            seen.append(current)
        if page.locator(".sym-read-to-me.is-reading").count() == 0 and seen:
            break
        page.wait_for_timeout(20)
    return seen


def test_tapping_a_word_fetches_its_clip_with_the_csrf_token(visit: Callable[..., Any]) -> None:
    def scenario(page: Page) -> None:
        word = page.locator(".sym-word", has_text="trusted adult")
        with page.expect_request("**/speech/clip") as caught:
            word.tap()
        request = caught.value
        assert request.headers["x-csrftoken"] == "token-123"
        assert request.post_data_json == {"text": "trusted adult", "rate": 260}
        expect(word).to_have_class("sym-word speaking")
        expect(word).to_have_class("sym-word", timeout=5000)  # cleared when the word ends

    visit(scenario)


def test_read_to_me_highlights_each_word_in_order_as_it_is_spoken(
    visit: Callable[..., Any],
) -> None:
    def scenario(page: Page) -> list[str]:
        page.locator("[data-read-to-me]").tap()
        expect(page.locator(".sym-read-to-me")).to_have_attribute("aria-pressed", "true")
        seen = highlighted_words(page)
        expect(page.locator(".sym-read-to-me")).to_have_attribute("aria-pressed", "false")
        assert page.locator("body").get_attribute("data-speech-fallback") is None
        return seen

    seen = visit(scenario)
    order = ["Stop, block and tell", "a", "trusted adult"]
    assert seen[0] == order[0]
    assert seen[-1] == order[-1]
    assert seen == [word for word in order if word in seen]  # in order, none repeated


def test_without_server_speech_staff_are_told_and_the_device_voice_is_used(
    visit: Callable[..., Any], server: tuple[str, Flask]
) -> None:
    def scenario(page: Page) -> Any:
        page.evaluate(
            "() => { window.spoken = [];"
            " window.speechSynthesis.speak = u => window.spoken.push([u.text, u.lang]); }"
        )
        with page.expect_response("**/speech/clip") as answer:
            page.locator(".sym-word", has_text="Stop").tap()
        assert answer.value.status == 503
        expect(page.locator("body")).to_have_attribute("data-speech-fallback", "true")
        expect(page.locator("[data-staff-warning]")).to_be_visible()
        return page.evaluate("() => window.spoken")

    app = server[1]
    app.extensions[services.SYNTHESISER_EXTENSION] = Synthesiser(_missing_engine)
    try:
        spoken = visit(scenario)
    finally:
        del app.extensions[services.SYNTHESISER_EXTENSION]
    assert spoken[-1] == ["Stop, block and tell", "en-GB"]


def _missing_engine() -> Any:
    raise OSError("libespeak-ng.so.1: cannot open shared object file")
