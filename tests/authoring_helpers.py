"""Helpers for the authoring and rules tests: a valid lesson form, a harmless-page check, a
class record page tap."""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests import corpora
from tests.app_settings import school_today

EXPECTED_TAGS = {"script", "iframe", "object", "embed", "base", "svg", "math", "style", "form"}


def lesson_form(**changes: Any) -> dict[str, Any]:
    """A short lesson, valid on all three pathways, as the editor posts it."""
    form: dict[str, Any] = {
        "title": "Kind words online",
        "topic": "Kind and unkind messages",
        "strands": ["online_bullying"],
        "risks": ["cyberbullying"],
        "notes": "<p>Use with <strong>small groups</strong>.</p>",
        "pf-objective": "Responds to a kind sound",
        "pf-1-kind": "story",
        "pf-1-text": "Kind words make us happy.",
        "pf-1-note": "Looks towards the speaker when the words are read.",
        "pf-1-look_for": "responsiveness",
        "pf-2-kind": "cause_effect",
        "pf-2-text": "Tap for a kind sound.",
        "pf-2-sound": "chime",
        "pf-2-animation": "grow",
        "pf-2-note": "Taps again to hear the sound again.",
        "pf-2-look_for": "persistence",
        "pf-3-kind": "yes_no",
        "pf-3-text": "Is a smile kind?",
        "pf-3-answer": "yes",
        "pf-3-feedback": "Yes. A smile is kind.",
        "pf-3-note": "Chooses by looking or touching.",
        "pf-3-look_for": "initiation",
        "sf-objective": "Picks the kind message",
        "sf-1-kind": "story",
        "sf-1-text": "Some messages are kind.",
        "sf-2-kind": "choose",
        "sf-2-text": "Which message is kind?",
        "sf-2-o1-text": "Well done!",
        "sf-2-o2-text": "Go away!",
        "sf-2-correct": "1",
        "sf-2-feedback": "Well done is kind.",
        "sf-3-kind": "who_can_i_tell",
        "sf-3-text": "Who can you tell?",
        "f-objective": "Sorts kind and unkind messages",
        "f-1-kind": "story",
        "f-1-text": "Messages can be kind or unkind.",
        "f-2-kind": "sort",
        "f-2-text": "Is it kind or unkind?",
        "f-2-g1-label": "Kind",
        "f-2-g2-label": "Unkind",
        "f-2-i1-text": "Thank you",
        "f-2-i1-group": "1",
        "f-2-i2-text": "You are silly",
        "f-2-i2-group": "2",
        "f-2-i3-text": "Great game",
        "f-2-i3-group": "1",
        "f-2-feedback": "Kind words help.",
        "f-3-kind": "yes_no",
        "f-3-text": "Should I tell a trusted adult about unkind messages?",
        "f-3-answer": "yes",
        "f-3-feedback": "Yes. Tell a trusted adult.",
        "action": "save",
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def record_on_class_page(
    teacher: FlaskClient,
    class_id: int,
    lesson_id: str,
    pupil_ids: Iterable[int],
    *,
    level: str = "3",
    observed_on: str | None = None,
) -> TestResponse:
    """A tap of a level on the class record page drawn today: the pupils ticked, seen in a
    lesson, on `observed_on` (ISO; today on the school's clock unless given)."""
    return teacher.post(
        f"/assessment/classes/{class_id}/record",
        data={
            "lesson_id": lesson_id,
            "pupil_ids": [str(pupil_id) for pupil_id in pupil_ids],
            "level": level,
            "context": "lesson",
            "observed_on": observed_on or school_today().isoformat(),
            "opened_on": school_today().isoformat(),  # the page was drawn today
        },
    )


class _Tags(HTMLParser):
    """Collects anything in a page that could run script."""

    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(f"{tag} {name}")
            if (value or "").strip().lower().startswith(("javascript:", "data:text", "vbscript:")):
                self.bad.append(f"{tag} {name}={value}")
        source = dict(attrs).get("src") or ""
        if tag == "script" and not source.startswith("/static/"):
            self.bad.append("script")
        if tag in EXPECTED_TAGS - {"script", "form"}:
            self.bad.append(tag)
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            self.bad.append("meta http-equiv")


def assert_harmless(page: str) -> None:
    """No script, event handler, javascript: link or embedding element came from the data."""
    parser = _Tags()
    parser.feed(page)
    assert parser.bad == [], parser.bad[:5]


def xss_lines() -> list[str]:
    return [line.strip() for line in corpora.lines("xss.txt")]
