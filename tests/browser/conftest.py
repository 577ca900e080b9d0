"""Browser tests: Debian's Chromium, driven by Playwright at an iPad viewport, on a live server."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    expect,
    sync_playwright,
)

from classroom import create_app, demo
from classroom.db import get_session, utcnow
from classroom.migrate import upgrade
from tests import two_step
from tests.app_settings import DAY_ENDED, invite_settings
from tests.live import LiveServer

CHROMIUM = "/usr/bin/chromium"
# How long an action or a page load may take before a test fails. Generous: CI runs two
# workers, each with its own Chromium and live server, on two cores, and a page that loads in
# 1 s alone once took over 10 s there. How fast pages are is measured in bench/, not here.
WAIT_MS = 20_000
expect.set_options(timeout=10_000)  # an expected change on the page (5 s by default)
IPAD = {"width": 810, "height": 1080}  # iPad (10.2-inch), portrait, in CSS pixels
DEMO_PASSWORD = "demo-password-for-browser-tests"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with the demo school, served on a free local port for one test module."""
    instance = tmp_path_factory.mktemp("live")
    url = f"sqlite:///{instance / 'classroom.sqlite3'}"
    upgrade(url)
    app = create_app(
        {
            "ENV": "testing",
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": url,
            "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
            "ARGON2_MEMORY_KIB": 8192,
            "SCHOOL_DAY_END": DAY_ENDED,
        }
    )
    with app.app_context():
        demo.seed(
            get_session(),
            DEMO_PASSWORD,
            now=utcnow(),
            instance=Path(app.instance_path),
            secret_key=invite_settings().secret_key,
        )
        get_session().commit()
    server = LiveServer(app)
    app.config["BASE_URL"] = server.url
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` as root or `apt-get install chromium`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_ipad(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Open fresh iPads (browser contexts with their own cookies).

    The class iPad's service worker is blocked unless a test asks for it
    (`new_ipad(service_workers="allow")`, as tests/browser/test_installed_app.py does): other
    journeys then see every request on the network, exactly as they assert it.
    """
    opened: list[BrowserContext] = []

    def open_ipad(*, service_workers: Literal["allow", "block"] = "block") -> BrowserContext:
        context = browser.new_context(
            viewport=IPAD,
            has_touch=True,
            device_scale_factor=2,
            locale="en-GB",
            service_workers=service_workers,
        )
        context.set_default_timeout(WAIT_MS)
        opened.append(context)
        return context

    yield open_ipad
    for context in opened:
        context.close()


@pytest.fixture
def open_in() -> Iterator[list[BrowserContext]]:
    """The browsers a test opens itself (a phone, a laptop), closed after it."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def signed_in_at(
    browser: Browser,
    server: LiveServer,
    opened: list[BrowserContext],
    size: tuple[int, int],
    username: str,
) -> Page:
    """A page signed in as `username` at `size`, by touch; a phone under 600px wide (kept in
    `opened`, the open_in fixture, to be closed after the test)."""
    width, height = size
    phone = width < 600
    context = browser.new_context(
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=True,
        device_scale_factor=2 if phone else 1,
        locale="en-GB",
    )
    opened.append(context)
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    sign_in(page, server, username)
    return page


@pytest.fixture
def page(new_ipad: Callable[[], BrowserContext]) -> Page:
    return new_ipad().new_page()


_axe = Axe()


def assert_accessible(page: Page, within: list[str] | None = None) -> None:
    """Zero axe-core violations against WCAG 2.2 A/AA (target-size included); only in the parts
    `within` selects, for a long page whose other parts another test checks."""
    page.wait_for_load_state()  # a page navigated to has its document before axe reads it
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}}
    context = {"include": [[selector] for selector in within]} if within else None
    results: Any = _axe.run(page, context=context, options=options)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(f"{server.url}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/sign-in/set-up-app" in page.url:  # the demo's DSL, head and admin: first sign-in
        page.get_by_role("button", name="Set up now").click()
        secret = page.locator("code").first.inner_text().replace(" ", "")
        with server.app.app_context():
            now = utcnow()  # the app's clock: some journeys run on a fixed date
        page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).at(now))
        page.get_by_role("button", name="Turn on two-step sign-in").click()
        page.get_by_role("link", name="I have kept them: carry on").click()
    elif "/sign-in/code" in page.url:
        with server.app.app_context():
            code = two_step.current_code(get_session(), username)
        page.get_by_label("Code", exact=True).fill(code)
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


SIGNED_OUT = re.compile(r"/(sign-in|class-ipad)$")


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    # Signing out replaces the page with the sign-in page, or on a class iPad its tiles.
    page.wait_for_url(SIGNED_OUT)
    page.wait_for_load_state()


def tap_to_next_screen(page: Page, target: Locator) -> None:
    """Tap what loads the next screen and wait until it has: without the wait, the next look at
    the page can read it half-way through loading and find nothing, or the screen before."""
    with page.expect_navigation():
        target.click()
