"""The governors' review charts read on a phone, as on an iPad and a laptop.

Found on the walk: the charts were a 400-unit drawing scaled into their column, so on a phone
(a 327px column at 375px wide) their 14-unit words came out at 11.4px, at 390px 12px. Now the
words are drawn at the page's text size whatever the width (16px on a phone, 18px wider), a
long category runs onto a second line inside the chart, and the table under each chart keeps
the same figures. On an iPad or laptop (16.8px and 17.9px before) the test is a guard: no
smaller than 16px."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.pupils.models import Pupil
from classroom.worries import services
from classroom.worries.models import Category, Risk
from tests.app_settings import base_url
from tests.browser.conftest import LiveServer, assert_accessible, signed_in_at

SIZES = {
    "375x667": (375, 667),
    "390x844": (390, 844),
    "1024x768": (1024, 768),
    "1280x800": (1280, 800),
}
LONGEST = "Inappropriate, antisocial or illegal behaviour"

# Every word of each chart: its text, its size on the screen in CSS px (the font size times
# the drawing's scale), its box, and its chart's box.
WORDS_JS = """() => Array.from(document.querySelectorAll('figure.chart svg')).flatMap(svg => {
  const chart = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text')).map(text => {
    const m = text.getScreenCTM(), box = text.getBoundingClientRect();
    return {
      text: text.textContent.trim(),
      px: parseFloat(getComputedStyle(text).fontSize) * Math.hypot(m.a, m.b),
      left: box.left, right: box.right, chartLeft: chart.left, chartRight: chart.right,
    };
  });
})"""


@pytest.fixture(scope="module")
def concerns(live_server: LiveServer) -> None:
    """Four concerns filed under the longest category and three under "Feeling sad"."""
    with live_server.app.app_context():
        db = get_session()
        staff = {a.username: a for a in db.scalars(select(Account))}
        amira = db.scalars(select(Pupil).where(Pupil.first_name == "Amira")).one()
        filed = [Category.ANTISOCIAL_ILLEGAL] * 4 + [Category.WELLBEING] * 3
        for category in filed:
            said = services.ConcernInput(amira.id, "Upset after a game", "signs", None, None)
            concern = services.raise_concern(
                db, staff["teacher"], str(uuid.uuid4()), said, now=utcnow(), base_url=base_url()
            )
            triage = services.Triage(category, Risk.LOW, "Talked", False, None)
            services.triage(db, staff["dsl"], concern, triage, now=utcnow())
        db.commit()


def _governor(
    browser: Browser, server: LiveServer, size: tuple[int, int], opened: list[BrowserContext]
) -> Page:
    return signed_in_at(browser, server, opened, size, "governor")


@pytest.mark.usefixtures("concerns")
@pytest.mark.parametrize("size", sorted(SIZES))
def test_chart_words_read_at_14px_or_more_and_stay_inside_the_chart(
    browser: Browser, live_server: LiveServer, open_in: list[BrowserContext], size: str
) -> None:
    width, _ = SIZES[size]
    smallest = 14 if width < 600 else 16  # a phone; an iPad or laptop (16.8px and more before)
    page = _governor(browser, live_server, SIZES[size], open_in)
    for path in ("/safeguarding/review/", "/safeguarding/review/termly"):
        page.goto(live_server.url + path)
        page.wait_for_load_state()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= width, path
        words = page.evaluate(WORDS_JS)
        assert page.locator("rect.bar").count() > 0, path
        assert LONGEST in [" ".join(w["text"].split()) for w in words], path
        for word in words:
            assert word["px"] >= smallest, (path, word)
            assert word["left"] >= word["chartLeft"] - 0.5, (path, word)
            assert word["right"] <= min(word["chartRight"], width) + 0.5, (path, word)
        _assert_tables_match_charts(page)
        assert_accessible(page)


def _assert_tables_match_charts(page: Page) -> None:
    """Under each chart its table still gives the same figures, row for row."""
    charts = page.locator("figure.chart").filter(has=page.locator("svg"))
    assert charts.count() >= 2
    for chart in charts.all():
        drawn = [
            (
                " ".join((row.locator("text.bar-label").text_content() or "").split()),
                (row.locator("text.bar-value").text_content() or "").strip(),
            )
            for row in chart.locator("g.bar-row").all()
        ]
        table = [
            (row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text())
            for row in chart.locator("table.chart-table tbody tr").all()
        ]
        assert drawn, chart.inner_text()
        assert drawn == table
