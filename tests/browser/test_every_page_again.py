"""The crawl again (tests/browser/crawl.py): in high contrast, and as the next person on a shared
staff laptop pressing Back through everything the DSL opened."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, sign_in, sign_out
from tests.browser.crawl import assert_reached_the_listed_pages, crawl, route, some_history

__all__ = ["some_history"]  # the school's history, a fixture every test here uses


# The widest set of staff pages (the head's) and the carer's, in the high-contrast colours.
@pytest.mark.parametrize("role", ["head", "parent"])
def test_every_page_in_high_contrast_is_accessible(
    page: Page, live_server: LiveServer, role: str
) -> None:
    page.goto(live_server.url + "/sign-in")
    page.get_by_role("button", name="High contrast").click()
    sign_in(page, live_server, role)
    visited, problems = crawl(page, live_server.url, live_server.app.url_map.bind("localhost"))
    assert not problems, "\n\n".join(problems)
    expect(page.locator("body.high-contrast")).to_have_count(1)  # still, on the last page
    assert_reached_the_listed_pages(page, live_server, role, visited)


# What the DSL's record of Amira's open concern says, which nobody signed out may read.
ABOUT_AMIRA = ("Amira", "Upset after a game", "Mum should know", "Talked")


def test_after_the_dsl_signs_out_back_shows_none_of_the_pages_she_saw(
    page: Page, live_server: LiveServer
) -> None:
    """A shared staff laptop: the next person presses Back through everything the DSL opened."""
    sign_in(page, live_server, "dsl")
    routes = live_server.app.url_map.bind("localhost")
    visited, _problems = crawl(page, live_server.url, routes, check=False)
    opened = {route(routes, path) for path in visited}
    assert "/safeguarding/pupils/<int:pupil_id>/cp-file" in opened
    record = next(p for p in visited if route(routes, p) == "/safeguarding/<int:incident_id>")
    page.goto(live_server.url + record)  # the last page she looks at: her record of the concern
    for words in ABOUT_AMIRA:
        expect(page.locator("body")).to_contain_text(words)
    sign_out(page)
    shown = []
    for _ in range(len(visited) + 10):
        try:
            if page.go_back(wait_until="load") is None:
                break  # nowhere further back
        except PlaywrightError as error:
            # Back to the answer to a form (signing in): Chromium asks before sending it again.
            if "ERR_CACHE_MISS" not in str(error):
                raise
        page.wait_for_timeout(100)  # let any pageshow script run
        shown.append((page.url, page.locator("body").inner_text()))
    assert len(shown) >= len(visited)  # Back went all the way
    leaks = [(url, words) for url, text in shown for words in ABOUT_AMIRA if words in text]
    assert leaks == []
