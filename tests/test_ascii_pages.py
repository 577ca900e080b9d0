"""The app's templates are ASCII, and its busiest staff pages come out as ASCII when what they
show is ASCII.

One character above U+00FF anywhere in a page (an en dash in the title, an em dash in an empty
cell) makes Python hold the whole page at two bytes a character and encode it to UTF-8 one
character at a time: a seventh of the lesson map's work and a tenth of the heatmap's
(bench/instructions.py). So the app's own words write such characters as references (&ndash;),
which the browser shows the same. A person's name or note may still hold any character, and so
may the words of a form's choices ("Choose…"), which the templates escape: on the pages that
offer them (an incident record) their cost is a small part of the page.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.worry_helpers import make_school

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
COMMENT = re.compile(r"\{#.*?#\}", re.S)


def test_every_template_is_ascii_but_its_comments() -> None:
    """The rule for the app's own words, on every page: a typographic character is written as
    a reference (&ndash;, &rsquo;), or as `dash` where an expression gives it."""
    found = {
        str(path.relative_to(TEMPLATES)): sorted({c for c in text if not c.isascii()})
        for path in sorted(TEMPLATES.rglob("*.html"))
        if not (text := COMMENT.sub("", path.read_text(encoding="utf-8"))).isascii()
    }
    assert found == {}


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("teacher", "/pupils/"),
        ("teacher", "/pupils/{pupil}"),
        ("teacher", "/pupils/{pupil}/lessons"),
        ("teacher", "/assessment/classes/{oak}"),
        ("dsl", "/safeguarding/"),
    ],
)
def test_a_staff_page_of_plain_names_is_plain_ascii(
    app: Flask, session: Session, who: str, page: str
) -> None:
    school = make_school(session)
    services.raise_worry(  # new: no risk or assignee yet, so its queue row has dashes
        session, school.pupil, school.device, str(uuid.uuid4()),
        services.WorryChoices(what="unkind"), now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    session.commit()
    browser = client_for(app, getattr(school, who))
    response = browser.get(page.format(pupil=school.pupil.id, oak=school.oak.id))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.isascii(), sorted({c for c in text if not c.isascii()})
