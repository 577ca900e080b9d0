"""The rules editor refuses an emoji typed into a rule, as the lesson editor does (5f4252a).

A head typed "I am kind online 😊": pupils saw the smiley stuck to "online", with no symbol of
its own, and heard it as "smiling face with smiling eyes" or not at all. The rule is now refused
with the reason on its box, and nothing is saved.
"""

from __future__ import annotations

import html

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.rules.models import SchoolRule
from tests.conftest import client_for
from tests.worry_helpers import make_school


def test_an_emoji_in_a_rule_is_refused_on_its_box_and_nothing_is_saved(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    head = client_for(app, school.head)
    refused = head.post(
        "/rules/edit",
        data={
            "rule-1": "I ask an adult.",
            "symbol-1": "",
            "rule-2": "I am kind online \U0001f60a\U0001f44d\U0001f3fd",
            "symbol-2": "",
        },
    )
    assert refused.status_code == 400
    page = html.unescape(refused.text)
    message = (
        "Rule 2: take out \u201c\U0001f60a\U0001f44d\U0001f3fd\u201d. Pupils see a picture "
        "typed in with the words stuck to a word"
    )
    assert message in page
    box = page[page.index('id="rule-2"') : page.index('id="symbol-2"')]
    assert 'aria-invalid="true"' in box
    assert 'id="rule-2-error"' in box
    assert message in box
    assert "I am kind online \U0001f60a" in box  # what was typed is given back to correct
    assert list(session.scalars(select(SchoolRule))) == []


def test_words_and_punctuation_alone_are_saved(app: Flask, session: Session) -> None:
    school = make_school(session)
    head = client_for(app, school.head)
    saved = head.post(
        "/rules/edit", data={"rule-1": "I stop, and tell an adult \u2013 now!", "symbol-1": ""}
    )
    assert saved.status_code == 302
    assert [r.text for r in session.scalars(select(SchoolRule))] == [
        "I stop, and tell an adult \u2013 now!"
    ]
