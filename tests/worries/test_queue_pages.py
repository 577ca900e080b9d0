"""A queue longer than one page: every open worry is on a page the DSL can reach, in the order
she works them (an empty worry first until someone triages it, then the newest first), even
while colleagues close worries and pupils send new ones as she reads; and the live view's rows
for a page are that page's rows, with the pager that goes with them."""

from __future__ import annotations

import html
import re
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Category, Incident, Risk
from classroom.worries.queue import QUEUE_PAGE
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.worry_helpers import School, make_school

REFERENCE = re.compile(r"<td><a [^>]*>(W\d{5})</a>")
PAGER_LINK = re.compile(r'<a href="([^"]+)">(Newer|Older)</a>')


def _worries(session: Session, school: School, count: int, **choices: object) -> list[Incident]:
    """`count` worries from the school's pupil, one after another (the first is the oldest)."""
    what = services.WorryChoices(**choices)
    made = []
    for _ in range(count):
        key, now = str(uuid.uuid4()), utcnow()
        worry = services.raise_worry(
            session, school.pupil, school.device, key, what, now=now, base_url=base_url()
        )
        made.append(worry)
    session.commit()
    return made


def _close(session: Session, school: School, worries: list[Incident]) -> None:
    """A colleague (the deputy) triages and closes these."""
    triage = services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to him", False, None)
    for worry in worries:
        services.triage(session, school.deputy, worry, triage, now=utcnow())
        services.close(
            session,
            school.deputy,
            worry,
            "Resolved",
            "None",
            keep_carers_held=False,
            carers_reason="Decided with the head",
            now=utcnow(),
        )
    session.commit()


def _open_rows(page: str) -> list[str]:
    """The references in the open table, top to bottom (not the recently closed ones)."""
    return REFERENCE.findall(page.split('id="closed-heading"')[0])


def _get(dsl: FlaskClient, path: str = "/safeguarding/") -> str:
    response = dsl.get(path)
    assert response.status_code == 200
    return response.data.decode()


def _links(page: str) -> dict[str, str]:
    """The pager's links on a page, by their words."""
    return {words: html.unescape(href) for href, words in PAGER_LINK.findall(page)}


def _follow(dsl: FlaskClient, page: str, words: str) -> str:
    return _get(dsl, _links(page)[words])


def _newest_first(worries: list[Incident]) -> list[str]:
    return [w.reference for w in reversed(worries)]


def test_a_long_queue_shows_every_worry_once_across_its_pages_newest_first(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    worries = _worries(session, school, QUEUE_PAGE + 5, what="unkind")
    dsl = client_for(app, school.dsl)

    first = _get(dsl)
    second = _follow(dsl, first, "Older")
    newest_first = _newest_first(worries)
    assert _open_rows(first) == newest_first[:QUEUE_PAGE]
    assert _open_rows(second) == newest_first[QUEUE_PAGE:]
    total = QUEUE_PAGE + 5
    assert f"{total} new or open; showing 1–{QUEUE_PAGE}." in html.unescape(first)
    assert f"{total} new or open; showing {QUEUE_PAGE + 1}–{total}." in html.unescape(second)
    assert set(_links(first)) == {"Older"}
    assert set(_links(second)) == {"Newer"}
    assert _open_rows(_follow(dsl, second, "Newer")) == newest_first[:QUEUE_PAGE]


def test_worries_closed_while_the_dsl_reads_the_first_page_do_not_hide_the_next_ones(
    app: Flask, session: Session
) -> None:
    """Numbered pages skipped these: with ten of the first hundred closed, "page 2" started at
    the hundred-and-eleventh, and the ten before it were on no page the DSL opened."""
    school = make_school(session)
    worries = _worries(session, school, QUEUE_PAGE + 5, what="unkind")
    dsl = client_for(app, school.dsl)
    newest_first = _newest_first(worries)

    first = _get(dsl)
    _close(session, school, worries[-10:])  # the ten newest, all on the page she is reading
    second = _follow(dsl, first, "Older")

    assert _open_rows(second) == newest_first[QUEUE_PAGE:]  # the five oldest, none skipped
    pager = f"{QUEUE_PAGE - 5} new or open; showing {QUEUE_PAGE - 9}–{QUEUE_PAGE - 5}."
    assert pager in html.unescape(second)
    assert set(_links(second)) == {"Newer"}
    still_open = {w.reference for w in worries[:-10]}
    assert still_open <= set(_open_rows(first)) | set(_open_rows(second))


def test_newer_goes_back_to_the_rows_before_and_to_the_first_page_when_that_is_where_they_start(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    worries = _worries(session, school, 2 * QUEUE_PAGE + 5, what="unkind")
    dsl = client_for(app, school.dsl)
    newest_first = _newest_first(worries)

    third = _follow(dsl, _follow(dsl, _get(dsl), "Older"), "Older")
    assert _open_rows(third) == newest_first[2 * QUEUE_PAGE :]
    _close(session, school, worries[-10:])  # ten of the first page

    second = _follow(dsl, third, "Newer")
    assert _open_rows(second) == newest_first[QUEUE_PAGE : 2 * QUEUE_PAGE]
    assert "195 new or open; showing 91–190." in html.unescape(second)
    assert set(_links(second)) == {"Newer", "Older"}
    # Only 90 are newer than this page now: "Newer" is the first page, a full one, which shows
    # again the ten this page begins with rather than a short page of 90.
    first = _follow(dsl, second, "Newer")
    assert _open_rows(first) == newest_first[10 : 10 + QUEUE_PAGE]
    assert "195 new or open; showing 1–100." in html.unescape(first)
    assert set(_links(first)) == {"Older"}


def test_the_live_view_refreshes_the_page_the_dsl_is_on_with_its_pager(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    worries = _worries(session, school, QUEUE_PAGE + 5, what="unkind")
    dsl = client_for(app, school.dsl)
    newest_first = _newest_first(worries)
    first = _get(dsl)
    second = _follow(dsl, first, "Older")

    # On the second page, the live view's rows are the second page's rows, not the first's.
    live_url = html.unescape(re.findall(r'data-rows-url="([^"]+)"', second)[0])
    assert _open_rows(_get(dsl, live_url)) == newest_first[QUEUE_PAGE:]

    # A pupil sends a new worry while the DSL has the first page open: her swapped-in rows
    # start with it, and the pager swapped in with them goes on after the last row she sees,
    # so the worry the new one pushed off her page is the first on the next.
    (new,) = _worries(session, school, 1, what="sad")
    live_url = html.unescape(re.findall(r'data-rows-url="([^"]+)"', first)[0])
    live = _get(dsl, live_url)
    assert _open_rows(live) == [new.reference, *newest_first[: QUEUE_PAGE - 1]]
    assert f"{QUEUE_PAGE + 6} new or open; showing 1–{QUEUE_PAGE}." in html.unescape(live)
    assert _open_rows(_follow(dsl, live, "Older")) == newest_first[QUEUE_PAGE - 1 :]


def test_a_place_no_pager_link_makes_shows_the_first_page(app: Flask, session: Session) -> None:
    school = make_school(session)
    worries = _worries(session, school, QUEUE_PAGE + 1, what="unkind")
    dsl = client_for(app, school.dsl)
    first_page = _newest_first(worries)[:QUEUE_PAGE]
    for query in ("after=zzz", "after=2-5", "before=1-0", "after=1-" + "9" * 30, "after="):
        assert _open_rows(_get(dsl, f"/safeguarding/?{query}")) == first_page, query
        assert _open_rows(_get(dsl, f"/safeguarding/queue/rows?{query}")) == first_page, query


def test_empty_worries_lead_the_queue_until_triaged_even_when_acknowledged(
    app: Flask, session: Session
) -> None:
    """An empty worry (the button pressed, nothing chosen) needs someone to speak to the pupil:
    it stays at the top, however old, until it is triaged; acknowledging it is not enough."""
    school = make_school(session)
    empties = _worries(session, school, 3)  # the oldest of all
    others = _worries(session, school, QUEUE_PAGE, what="sad")
    services.acknowledge(session, school.dsl, empties[0], now=utcnow())
    triage = services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to him", False, None)
    services.triage(session, school.dsl, empties[1], triage, now=utcnow())
    session.commit()
    dsl = client_for(app, school.dsl)

    first_page = _get(dsl)
    first, second = _open_rows(first_page), _open_rows(_follow(dsl, first_page, "Older"))
    untriaged = [empties[2].reference, empties[0].reference]  # newest first among them
    assert first[:2] == untriaged
    assert first[2:] == _newest_first(others)[: QUEUE_PAGE - 2]
    # The triaged one is back in its place by age: the oldest of the open, last on page 2.
    assert second == [others[1].reference, others[0].reference, empties[1].reference]
    assert sorted(first + second) == sorted(w.reference for w in empties + others)


def test_an_empty_worry_triaged_while_the_dsl_reads_is_not_lost_between_pages(
    app: Flask, session: Session
) -> None:
    """The last row of her page was an empty worry (leading the queue); a colleague triages it,
    so it takes its place by age. "Older" still goes on from where her page ended: past the
    other empty worries, into the rest, newest first, the triaged one among them."""
    school = make_school(session)
    empties = _worries(session, school, QUEUE_PAGE)  # every row of the first page
    others = _worries(session, school, 3, what="sad")
    dsl = client_for(app, school.dsl)
    first = _get(dsl)
    assert _open_rows(first) == _newest_first(empties)

    triage = services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to him", False, None)
    services.triage(session, school.deputy, empties[0], triage, now=utcnow())  # her last row
    session.commit()
    second = _open_rows(_follow(dsl, first, "Older"))
    assert second == [*_newest_first(others), empties[0].reference]
