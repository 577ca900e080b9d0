"""The lesson map, the Answers page and the suggested level count "right first time" by one
rule: each question once in each go at a lesson, by its first answer. A pupil who taps a wrong
card, goes Back (the screen comes back as a first try) and taps the right one did not get it
right first time; one who got it right and went Back finds their answer kept, and did.

Driven as a pupil does it: the step screen's own key and tries, and Back as a fresh load of
the same screen."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.lessons.content import ChooseStep
from classroom.lessons.content import Pathway as ContentPathway
from classroom.scale import LEVEL_WORDS
from tests.conftest import client_for
from tests.worry_helpers import School, make_school, pupil_on_ipad

LESSON = "stop-block-tell"


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def _tap(ipad: FlaskClient, url: str, page: str, card: int) -> str:
    """Tap a card on the screen `page` shows, with the key and tries it carries."""
    data = {"answer": f"o{card}", "key": _hidden(page, "key"), "tries": _hidden(page, "tries")}
    response = ipad.post(url, data=data)
    assert response.status_code == 200
    return response.text


def _play(app: Flask, school: School, ways: list[str]) -> None:
    """One semi-formal go at the lesson; each choose screen answered one of these ways:
    "back" (wrong, Back, right), "right", "prompt" (wrong, then right on the prompt), and
    "right-back" (right, then Back: the answer is shown kept)."""
    version = app.extensions["lessons"].get(LESSON).version(ContentPathway.SEMI_FORMAL)
    ipad = pupil_on_ipad(app, school)
    first = ipad.post(f"/pupil/lessons/{LESSON}/start").location
    chooses = [(n, s) for n, s in enumerate(version.steps, 1) if isinstance(s, ChooseStep)]
    assert len(chooses) == len(ways)
    for (number, step), way in zip(chooses, ways, strict=True):
        right = next(i for i, o in enumerate(step.options, 1) if o.correct)
        wrong = next(i for i, o in enumerate(step.options, 1) if not o.correct)
        url = first.replace("/steps/1", f"/steps/{number}")
        screen = ipad.get(url).text
        if way == "right":
            _tap(ipad, url, screen, right)
        elif way == "prompt":
            prompted = _tap(ipad, url, screen, wrong)
            assert _hidden(prompted, "tries") == "2"
            _tap(ipad, url, prompted, right)
        elif way == "back":
            assert _hidden(_tap(ipad, url, screen, wrong), "tries") == "2"
            back = ipad.get(url).text
            assert _hidden(back, "tries") == "1"  # Back: the screen is a first try again
            _tap(ipad, url, back, right)
        else:
            _tap(ipad, url, screen, right)
            # Back shows the answer kept, with Next: no cards to tap again, nothing recorded.
            assert 'name="key"' not in ipad.get(url).text


def _map_row(teacher: FlaskClient, school: School) -> str:
    page = teacher.get(f"/pupils/{school.pupil.id}/lessons").text
    found = re.search(rf'<tr id="lesson-{LESSON}".*?</tr>', page, re.S)
    assert found is not None
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split())


def _answers(teacher: FlaskClient, school: School) -> tuple[str, list[str]]:
    """The Answers page's own count, and each row's result in words."""
    page = teacher.get(f"/pupils/{school.pupil.id}/lessons/{LESSON}/responses").text
    count = re.search(r'<p id="first-time">(.*?)</p>', page, re.S)
    assert count is not None
    rows = re.findall(r"<tr><td>.*?</tr>", page, re.S)
    results = [re.findall(r"<td>(.*?)</td>", row, re.S)[-1] for row in rows]
    return count.group(1), [" ".join(re.sub(r"<[^>]+>", "", r).split()) for r in results]


def _suggested(teacher: FlaskClient, school: School) -> str:
    """What the progress page suggests from the answers for this lesson, as "Emerging: 33%":
    the level said last before the share right first time (the row's menu of levels, after
    it, is not read)."""
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}").text
    rows = re.findall(r"<tr>.*?</tr>", page, re.S)
    row = next(r for r in rows if f"/objectives/{LESSON}.sf" in r)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
    found = re.search(r"(\d+)% right first time over 1 session", text)
    assert found is not None, text
    before = text[: found.start()]
    level = max(LEVEL_WORDS.values(), key=before.rfind)
    assert before.rfind(level) >= 0, text
    return f"{level.split()[0]}: {found.group(1)}%"


def test_wrong_then_back_then_right_is_not_right_first_time_on_any_page(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    _play(app, school, ["back", "right", "prompt"])
    teacher = client_for(app, school.teacher)

    assert "1 of 3 right first time" in _map_row(teacher, school)
    count, results = _answers(teacher, school)
    assert count == "1 of 3 right first time."
    assert results == [
        "Not yet (try 1)",
        "Asked again: right (not counted)",
        "Right first time",
        "Not yet (try 1)",
        "Right after a prompt",
    ]
    assert results.count("Right first time") == 1  # as the map and the suggestion count
    assert _suggested(teacher, school) == "Emerging: 33%"


def test_back_after_a_right_answer_keeps_it_right_first_time_everywhere(
    app: Flask, session: Session
) -> None:
    """The auditor's pupil, the other way round: right, then Back. The screen shows the answer
    kept rather than asking again, so all three stay right first time on every page, with
    nothing more recorded."""
    school = make_school(session)
    _play(app, school, ["right-back"] * 3)
    teacher = client_for(app, school.teacher)

    assert "3 of 3 right first time" in _map_row(teacher, school)
    count, results = _answers(teacher, school)
    assert count == "3 of 3 right first time."
    assert results == ["Right first time"] * 3  # Back asked nothing again
    assert _suggested(teacher, school).endswith(": 100%")


def test_back_on_every_screen_is_none_right_first_time_everywhere(
    app: Flask, session: Session
) -> None:
    """The auditor's case: the map said 3 of 3 while the suggestion said 0%."""
    school = make_school(session)
    _play(app, school, ["back"] * 3)
    teacher = client_for(app, school.teacher)

    assert "0 of 3 right first time" in _map_row(teacher, school)
    count, results = _answers(teacher, school)
    assert count == "0 of 3 right first time."
    assert "Right first time" not in results
    assert _suggested(teacher, school) == "Emerging: 0%"
