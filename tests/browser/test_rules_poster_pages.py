"""The rules poster for a classroom wall prints on one sheet of its size, symbols still large.

A poster that runs onto a second sheet is no poster: the rules are split, or the second
sheet is lost. Every poster, from the demo school's 7 rules to the longest the editor allows
(MAX_RULES rules of MAX_WORDS long words), must print on exactly one A4 or A3 page, and each
rule's picture and word symbols must stay large enough to see from across the room.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.rules import services
from tests.browser.conftest import LiveServer, sign_in

MM = 96 / 25.4  # CSS pixels in a millimetre
# The printable width of each sheet (rules.css @page: A4 margin 10mm, A3 margin 12mm).
SHEETS = {"a4": ("A4", 210 - 2 * 10), "a3": ("A3", 297 - 2 * 12)}
# Long words that each have a symbol: the widest and tallest rules the editor accepts.
LONG_WORDS = (
    "passwords",
    "computers",
    "something",
    "important",
    "birthdays",
    "different",
    "sometimes",
    "everybody",
    "questions",
    "yesterday",
    "breakfast",
    "classroom",
    "strangers",
    "addresses",
    "keyboards",
    "listening",
    "downloads",
)
# Smallest sizes that still read from across a classroom (pictures) and near the wall (words).
MIN_PICTURE_MM = 15
MIN_WORD_SYMBOL_MM = 6


def _longest_rules() -> list[tuple[str, str]]:
    rules = []
    for n in range(services.MAX_RULES):
        words = [LONG_WORDS[(n + i) % len(LONG_WORDS)] for i in range(services.MAX_WORDS)]
        text = " ".join(words).capitalize() + "."
        assert len(text) <= services.MAX_LENGTH  # the editor would accept it
        rules.append((text, "1F4BB"))
    return rules


def _save(server: LiveServer, entries: list[tuple[str, str]]) -> None:
    with server.app.app_context():
        db = get_session()
        head = db.scalars(select(Account).where(Account.username == "head")).one()
        services.replace(db, head, entries, now=utcnow())
        db.commit()


def _pages(pdf: bytes) -> int:
    """The pages in a PDF: each page object is "/Type /Page" (the tree is "/Type /Pages")."""
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def _print_sizes(page: Page, size: str) -> dict[str, float]:
    """The smallest picture and word symbol, in mm, laid out as printed on the sheet."""
    page.set_viewport_size({"width": round(SHEETS[size][1] * MM), "height": 1000})
    page.emulate_media(media="print")
    pictures = [b["width"] for b in _boxes(page, ".poster-rule > .poster-symbol")]
    symbols = [b["height"] for b in _boxes(page, ".poster-words .sym-img")]
    page.emulate_media(media="null")
    # to a tenth of a mm: the layout rounds to device pixels
    return {"picture": round(min(pictures) / MM, 1), "symbol": round(min(symbols) / MM, 1)}


def _boxes(page: Page, selector: str) -> list[dict[str, float]]:
    boxes = [box.bounding_box() for box in page.locator(selector).all()]
    assert boxes, selector
    assert all(boxes), selector
    return [b for b in boxes if b]


def _poster(page: Page, server: LiveServer, size: str, count: int) -> tuple[int, dict[str, float]]:
    page.goto(f"{server.url}/rules/poster/{size}")
    page.wait_for_load_state("networkidle")  # every symbol loaded before printing
    assert page.locator(".poster-rule").count() == count
    pdf = page.pdf(format=SHEETS[size][0], print_background=True, prefer_css_page_size=True)
    sizes = _print_sizes(page, size)
    return _pages(pdf), sizes


def _check(page: Page, server: LiveServer, entries: list[tuple[str, str]], name: str) -> None:
    _save(server, entries)
    for size in ("a4", "a3"):
        pages, sizes = _poster(page, server, size, len(entries))
        assert pages == 1, f"{name}: the {size.upper()} poster prints on {pages} pages"
        assert sizes["picture"] >= MIN_PICTURE_MM, f"{name} {size.upper()}: {sizes}"
        assert sizes["symbol"] >= MIN_WORD_SYMBOL_MM, f"{name} {size.upper()}: {sizes}"


def test_the_demo_rules_poster_prints_on_one_sheet_with_large_symbols(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    sign_in(page, live_server, "head")
    demo = [(text, symbol or "") for text, symbol in services.DEMO_RULES]
    _check(page, live_server, demo, "the demo's 7 rules")


def test_every_number_of_the_longest_rules_prints_on_one_sheet(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = new_ipad().new_page()
    sign_in(page, live_server, "head")
    longest = _longest_rules()
    for count in range(1, services.MAX_RULES + 1):
        _check(
            page, live_server, longest[:count], f"{count} rules of {services.MAX_WORDS} long words"
        )
