"""A number too big for any record, in a URL or a form, is refused like any other bad input (a
404, or the field's default), never handed to the database to fail as a 500."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.web import LARGEST_NUMBER
from tests.conftest import sign_in
from tests.worry_helpers import make_school, pupil_on_ipad

HUGE = "99999999999999999999999"  # past SQLite's 64-bit integers and PostgreSQL's


def _paths_with_numbers(app: Flask, number: str) -> list[str]:
    """Every GET route that takes a number, with `number` in each numeric part."""
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or "<int:" not in rule.rule:
            continue
        path = re.sub(r"<int:[^>]+>", number, rule.rule)
        paths.append(re.sub(r"<(?:[a-z]+:)?[^>]+>", "x", path))
    return paths


def test_no_page_fails_on_a_number_too_big_for_the_database(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    session.commit()
    sign_in(client, school.head.username)  # sees most pages, so they reach their queries
    ipad = pupil_on_ipad(app, school)
    paths = _paths_with_numbers(app, HUGE)
    assert len(paths) > 30  # every record page
    for path in paths:
        for who in (client, ipad):
            status = who.get(path).status_code
            assert status in (302, 404, 405), (path, status)  # no page, and no 500


def test_the_largest_number_a_record_can_have_is_still_looked_up(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    session.commit()
    sign_in(client, school.head.username)
    for path in ("/pupils/", "/safeguarding/"):
        assert client.get(f"{path}{LARGEST_NUMBER}").status_code == 404  # no such record
    ipad = pupil_on_ipad(app, school)
    step = f"/pupil/lessons/attempts/{LARGEST_NUMBER}/steps/1"
    assert ipad.get(step).status_code in (302, 404)  # not hers: sent home, or not found


def test_a_page_number_too_big_falls_back_to_the_first_page(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    session.commit()
    sign_in(client, school.dsl.username)
    page = client.get(f"/safeguarding/?page={HUGE}")
    assert page.status_code == 200
    assert "Safeguarding queue" in page.get_data(as_text=True)
