"""The header, footer and skip link on every page that is not a pupil's screen (app.css): the
sign-in page, a carer's Change password page (neither loads parents.css), a teacher's page, the
safeguarding team's queue and the error page, on the staff's laptop (1024x768), an iPad
(810x1080) and a phone (390x844).

Every link and button in the header and footer stands alone, as does the skip link and the
error page's "Go to the start page", as do the class links on a teacher's home page ("Oak
e-safety progress"): each is a 44px tall target. The header fits the width
(nothing scrolls sideways) and the pages stay clean for axe-core.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.conftest import WAIT_MS, assert_accessible, sign_in, sign_out
from tests.live import LiveServer

LAPTOP = ViewportSize(width=1024, height=768)
IPAD = ViewportSize(width=810, height=1080)  # as tests/browser/conftest.py
PHONE = ViewportSize(width=390, height=844)

# The skip link is measured where it is drawn when it has the focus (it is off screen until then).
SMALL_CHROME_TARGETS = """() => [...document.querySelectorAll(
    '.skip-link, .site-header a, .site-header button, .site-footer a, .site-footer button')]
  .filter(a => a.offsetParent !== null && a.getBoundingClientRect().height < 44)
  .map(a => `${a.textContent.trim()} (${Math.round(a.getBoundingClientRect().height)}px)`)"""
# How far the header's contents reach past its right edge, and the page past the screen's.
HEADER_OVERFLOW = """() => {
  const header = document.querySelector('.site-header');
  return header.scrollWidth - header.clientWidth; }"""
PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _chrome_fits(page: Page) -> None:
    """Each header, footer and skip link is a thumb's height; the header fits; axe is happy."""
    page.wait_for_load_state()
    assert page.evaluate(SMALL_CHROME_TARGETS) == [], page.url
    assert page.evaluate(HEADER_OVERFLOW) <= 0, f"{page.url}: the header overflows"
    assert page.evaluate(PAGE_OVERFLOW) <= 0, f"{page.url} scrolls sideways"
    assert_accessible(page)


def _open(browser: Browser, viewport: ViewportSize) -> Page:
    context = browser.new_context(
        viewport=viewport, has_touch=True, is_mobile=viewport == PHONE, locale="en-GB"
    )
    context.set_default_timeout(WAIT_MS)
    return context.new_page()


VIEWPORTS = pytest.mark.parametrize(
    "viewport", [LAPTOP, IPAD, PHONE], ids=["laptop", "ipad", "phone"]
)


@VIEWPORTS
def test_signed_out_pages_have_thumb_sized_chrome_links(
    live_server: LiveServer, browser: Browser, viewport: ViewportSize
) -> None:
    page = _open(browser, viewport)
    page.goto(f"{live_server.url}/sign-in")
    _chrome_fits(page)

    response = page.goto(f"{live_server.url}/no-such-page")
    assert response is not None
    assert response.status == 404
    _chrome_fits(page)
    start = page.get_by_role("link", name="Go to the start page")
    box = start.bounding_box()
    assert box is not None
    assert box["height"] >= 44, f"Go to the start page is {box['height']}px tall"
    page.context.close()


@VIEWPORTS
@pytest.mark.parametrize(
    ("username", "path"),
    [("parent", "/account/password"), ("teacher", "/pupils/"), ("dsl", "/safeguarding/")],
    ids=["carer-password", "teacher", "dsl"],
)
def test_signed_in_pages_have_thumb_sized_chrome_links(
    live_server: LiveServer, browser: Browser, viewport: ViewportSize, username: str, path: str
) -> None:
    page = _open(browser, viewport)
    sign_in(page, live_server, username)
    response = page.goto(live_server.url + path)
    assert response is not None
    assert response.status == 200, path
    _chrome_fits(page)
    if path == "/pupils/":  # a class's own links stand alone on the home page: 44px each too
        links = page.get_by_role("link", name="e-safety progress")
        assert links.count() >= 1
        for i in range(links.count()):
            box = links.nth(i).bounding_box()
            assert box is not None
            assert box["height"] >= 44, f"{links.nth(i).text_content()} is {box['height']}px"
    page.keyboard.press("Tab")  # the skip link comes first, drawn on top of the header
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None
    assert box["x"] >= 0, "the focused skip link is off screen"
    assert box["height"] >= 44, f"Skip to main content is {box['height']}px tall"
    sign_out(page)
    page.context.close()
