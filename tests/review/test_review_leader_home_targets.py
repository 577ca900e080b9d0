"""The senior leader's home page: each class's "Oak e-safety progress" link (and a teacher's
"Oak class lesson map") stands alone on its line, so it is a 44px tall target (a.tap-link, the
rule in static/css/app.css), not a 19px line of text a finger misses on the iPad."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_pupil

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"


def _link(page: str, words: str) -> str:
    found = re.search(rf"<a\b[^>]*>\s*{re.escape(words)}\s*</a>", page)
    assert found is not None, words
    return found.group(0)


def test_the_leaders_class_links_are_44px_targets(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Amira")
    make_class(session, name="Ash")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    login_as(Role.SENIOR_LEADER)
    leaders = client.get("/pupils/").text
    teachers = client_for(app, teacher).get("/pupils/").text

    for link in (
        _link(leaders, "Oak e-safety progress"),
        _link(leaders, "Ash e-safety progress"),
        _link(teachers, "Oak e-safety progress"),
        _link(teachers, "Oak class lesson map"),
    ):
        assert re.search(r'class="[^"]*\btap-link\b', link), link
    # The class those links carry is the one that makes a link 44px tall.
    assert re.search(r"a\.tap-link\s*\{[^}]*min-height:\s*44px", CSS.read_text())
