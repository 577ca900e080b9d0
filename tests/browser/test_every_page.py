"""Every page a member of staff or a carer can reach by following links, found by following them
(tests/browser/crawl.py): each must load, have no axe violations, carry its CSRF token in every
form that posts, and fit the iPad's width, and a laptop's zoomed to 400%, without scrolling
sideways.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, sign_in
from tests.browser.crawl import ROLES, assert_reached_the_listed_pages, crawl, some_history

__all__ = ["some_history"]  # the school's history, a fixture every test here uses


@pytest.mark.parametrize("role", ROLES)
def test_every_page_reached_by_links_loads_and_is_accessible(
    page: Page, live_server: LiveServer, role: str
) -> None:
    sign_in(page, live_server, role)
    visited, problems = crawl(page, live_server.url, live_server.app.url_map.bind("localhost"))
    assert not problems, "\n\n".join(problems)
    assert_reached_the_listed_pages(page, live_server, role, visited)
