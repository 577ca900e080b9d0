"""A child's feed, years long, comes to a carer a page at a time: newest first, every item on
exactly one page, and only what was shown counts as seen."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.parents.queries import FEED_PAGE
from classroom.web import LARGEST_NUMBER
from tests.conftest import client_for
from tests.parents_helpers import Family, moment

MOMENT = re.compile(r"Moment (\d{3})")


def _moments(page: str) -> list[int]:
    return [int(n) for n in MOMENT.findall(page)]


def _get(mum: FlaskClient, url: str) -> str:
    response = mum.get(url)
    assert response.status_code == 200
    return response.data.decode()


def test_a_long_feed_comes_a_page_at_a_time_newest_first_each_item_once(
    app: Flask, session: Session, family: Family
) -> None:
    total = FEED_PAGE + 5
    for n in range(total):
        moment(session, family, note=f"Moment {n:03d}")
    mum = client_for(app, family.carer)
    feed = f"/family/children/{family.child.id}"

    first = _get(mum, feed)
    newest_first = list(reversed(range(total)))
    assert _moments(first) == newest_first[:FEED_PAGE]
    assert ("Newer</a>" in first, "Older</a>" in first) == (False, True)
    # Only the page she saw is seen: the five older ones still count as new.
    assert "5 new" in _get(mum, "/family/children/")

    second = _get(mum, f"{feed}?page=2")
    assert _moments(second) == newest_first[FEED_PAGE:]
    assert ("Newer</a>" in second, "Older</a>" in second) == (True, False)
    assert " new</strong>" not in _get(mum, "/family/children/")
    beyond = _get(mum, f"{feed}?page=3")
    assert _moments(beyond) == []
    assert "Nothing older than this." in beyond


def test_a_short_feed_has_no_pages_and_any_page_number_is_answered(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family, note="Moment 001")
    mum, feed = client_for(app, family.carer), f"/family/children/{family.child.id}"
    page = _get(mum, feed)
    assert _moments(page) == [1]
    assert "Older</a>" not in page
    assert "Newer</a>" not in page
    assert "Nothing older than this." in _get(mum, f"{feed}?page={LARGEST_NUMBER}")
    assert _moments(_get(mum, f"{feed}?page=99999999999999999999999")) == [1]  # the first


def test_staff_read_a_pupils_thread_a_page_at_a_time_too(
    app: Flask, session: Session, family: Family
) -> None:
    total = FEED_PAGE + 2
    for n in range(total):
        moment(session, family, note=f"Moment {n:03d}")
    teacher = client_for(app, family.teacher)
    thread = f"/parents/pupils/{family.child.id}"

    first, second = _get(teacher, thread), _get(teacher, f"{thread}?page=2")
    newest_first = list(reversed(range(total)))
    assert _moments(first) == newest_first[:FEED_PAGE]
    assert _moments(second) == newest_first[FEED_PAGE:]
    assert f'href="{thread}?page=2#messages">Older</a>' in first
    assert f'href="{thread}#messages">Newer</a>' in second  # back to the first page
