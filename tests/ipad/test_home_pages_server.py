"""The pupil's home and Our rules show a page at a time, drawn by the server: the page asked for
(?page=) with the other pages' items hidden, and Back and More as links to the pages either
side. So the screen a pupil first sees is the one pupil-pages.js keeps (nothing moves when the
script arrives), and with no script at all every lesson and rule is still reached."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.devices.web import cookie_name
from classroom.rules import services as rules
from tests.factories import make_class, make_device, make_pupil
from tests.test_reads_write_nothing import ALLOWED, WRITE
from tests.worry_helpers import make_school, pupil_on_ipad

ITEM = re.compile(r"<li\b[^>]*>")
ARROW = re.compile(r'<a class="pupil-button (page-back|page-more)[^"]*"[^>]*>')


def _home_ipad(app: Flask, session: Session) -> FlaskClient:
    """Amira signed in on her class iPad, her home showing eight lessons."""
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Amira", home_lessons=8)
    _, token = make_device(session, oak)
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    assert ipad.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    return ipad


def _shown(page: str, list_class: str) -> list[int]:
    """The items of the list on screen (not hidden), by place."""
    end = "</ul>" if "tiles" in list_class else "</ol>"
    body = page.split(f'class="{list_class}', 1)[1].split(end)[0]
    items = [tag for tag in ITEM.findall(body) if "data-say-with" in tag]
    assert items
    return [n for n, tag in enumerate(items) if not re.search(r"\shidden[\s>]", tag)]


def _arrows(page: str) -> dict[str, str | None]:
    """Back and More: where each leads (None: nowhere, kept as an unseen place)."""
    found: dict[str, str | None] = {}
    for tag in ARROW.finditer(page):
        href = re.search(r'href="([^"]*)"', tag.group(0))
        spare = "page-arrow-spare" in tag.group(0)
        assert spare == (href is None), tag.group(0)  # unseen exactly when it leads nowhere
        found[tag.group(1)] = None if href is None else href.group(1).replace("&amp;", "&")
    return found


def test_home_draws_the_page_asked_for_with_back_and_more_as_links(
    app: Flask, session: Session
) -> None:
    ipad = _home_ipad(app, session)
    first = ipad.get("/pupil/").data.decode()
    assert _shown(first, "tiles lesson-tiles") == [0, 1, 2]
    assert _arrows(first) == {"page-back": None, "page-more": "/pupil/?page=2"}
    assert 'class="pupil-button page-more big-next' in first  # scan's primary control
    second = ipad.get("/pupil/?page=2").data.decode()
    assert _shown(second, "tiles lesson-tiles") == [3, 4, 5, 6, 7]
    assert _arrows(second) == {"page-back": "/pupil/", "page-more": None}
    # The arrows come before Our rules in the row, as the script put them.
    row = second.split('id="home-nav"', 1)[1]
    assert row.index("page-back") < row.index("page-more") < row.index("rules-tile")


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("0", 1),
        ("-1", 1),
        ("abc", 1),
        ("", 1),
        ("1.5", 1),
        ("2", 2),
        ("3", 2),
        ("999", 2),
        ("9" * 5000, 2),
    ],
)
def test_home_page_numbers_that_are_not_a_page_give_the_nearest_page(
    app: Flask, session: Session, asked: str, shown: int
) -> None:
    ipad = _home_ipad(app, session)
    response = ipad.get("/pupil/", query_string={"page": asked})
    assert response.status_code == 200
    expected = [0, 1, 2] if shown == 1 else [3, 4, 5, 6, 7]
    assert _shown(response.data.decode(), "tiles lesson-tiles") == expected


def test_a_home_with_one_page_has_no_arrows(app: Flask, session: Session) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Amira", home_lessons=3)
    _, token = make_device(session, oak)
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    ipad.post(f"/class-ipad/pupils/{pupil.id}")
    page = ipad.get("/pupil/?page=2").data.decode()
    assert _shown(page, "tiles lesson-tiles") == [0, 1, 2]
    assert _arrows(page) == {}


def test_our_rules_draws_one_rule_a_page_with_back_and_more_as_links(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    rules.seed_demo(session, school.head.school_id, now=utcnow())
    session.commit()
    count = len(rules.shown(session, school.head.school_id))
    assert count >= 3
    ipad = pupil_on_ipad(app, school)
    for page in range(1, count + 1):
        html = ipad.get(f"/pupil/rules?page={page}").data.decode()
        assert _shown(html, "rules-list") == [page - 1], page
        back = None if page == 1 else "/pupil/rules" + ("" if page == 2 else f"?page={page - 1}")
        more = None if page == count else f"/pupil/rules?page={page + 1}"
        assert _arrows(html) == {"page-back": back, "page-more": more}, page
    for asked, rule in (("0", 0), ("-1", 0), ("abc", 0), ("999", count - 1)):
        response = ipad.get(f"/pupil/rules?page={asked}")
        assert response.status_code == 200
        assert _shown(response.data.decode(), "rules-list") == [rule], asked


@pytest.fixture
def writes(app: Flask) -> Iterator[list[str]]:
    """The writes each request makes that a read may not (the audit log and last-seen may)."""
    found: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        said = " ".join(statement.split())
        if WRITE.match(said) and not any(allowed.match(said) for allowed in ALLOWED):
            found.append(said)

    engine = app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", seen)
    yield found
    event.remove(engine, "before_cursor_execute", seen)


def test_turning_pages_by_link_writes_nothing(
    app: Flask, session: Session, writes: list[str]
) -> None:
    ipad = _home_ipad(app, session)
    assert writes  # signing in writes (the listener sees it); the pages after it must not
    writes.clear()
    for path in ("/pupil/", "/pupil/?page=2", "/pupil/?page=abc", "/pupil/rules?page=2"):
        assert ipad.get(path).status_code == 200, path
    assert writes == []
