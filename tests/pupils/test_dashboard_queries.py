"""The staff home (/pupils/) lists every class the person may see with its staff and pupils, in
the same few statements however many classes the school has (no query per class)."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.pupils.models import SchoolClass
from tests.conftest import sign_in
from tests.factories import make_account, make_class, make_pupil
from tests.statements import statements


def _class_with_people(session: Session, name: str) -> SchoolClass:
    school_class = make_class(session, name=name)
    make_pupil(session, school_class, first_name=f"{name}pupil")
    make_account(session, Role.TEACHER, classes=[school_class], display_name=f"{name} teacher")
    return school_class


def _statements_for_home(app: Flask, client: FlaskClient) -> tuple[int, str]:
    with statements(app) as seen:
        response = client.get("/pupils/")
    assert response.status_code == 200
    return len(seen), response.data.decode()


def test_the_staff_home_runs_the_same_statements_for_one_class_or_five(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    _class_with_people(session, "Ash")
    login_as(Role.SENIOR_LEADER)  # sees every class in the school
    client.get("/pupils/")
    one, page = _statements_for_home(app, client)
    assert "Ash teacher" in page
    assert "Ashpupil" in page

    for name in ("Birch", "Cedar", "Elm", "Oak"):
        _class_with_people(session, name)
    session.commit()
    five, page = _statements_for_home(app, client)

    assert five == one
    for name in ("Ash", "Birch", "Cedar", "Elm", "Oak"):
        section = re.search(rf'<h2 id="class-\d+">{name}</h2>(.*?)</section>', page, re.S)
        assert section is not None, name
        assert f"{name} teacher" in section.group(1)
        assert f"{name}pupil" in section.group(1)


def test_the_class_map_link_shows_only_where_the_person_may_edit_the_map(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    ash = _class_with_people(session, "Ash")
    _class_with_people(session, "Birch")
    login_as(Role.SENIOR_LEADER)  # sees every class's pupils, edits no class's map

    teacher = make_account(session, Role.TEACHER, classes=[ash])
    session.commit()
    teachers_client = app.test_client()
    assert sign_in(teachers_client, teacher.username).status_code == 302

    _count, leaders = _statements_for_home(app, client)
    _count, teachers = _statements_for_home(app, teachers_client)

    assert '<h2 id="class-' in leaders
    assert "Birch teacher" in leaders
    assert "class lesson map" not in leaders
    assert "Ash class lesson map" in teachers
    assert "Birch" not in teachers  # not her class: not listed at all
