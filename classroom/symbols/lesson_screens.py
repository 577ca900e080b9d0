"""Lesson steps as screens for the picture checks (classroom/symbols/consistency.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from classroom.lessons.content import LESSONS_DIR, load_lessons
from classroom.symbols.consistency import Card, Screen, yes_no_pictures


def lesson_screens(folder: Path = LESSONS_DIR) -> Iterator[Screen]:
    """Every step of every lesson file as a screen: its texts and its picture cards."""
    yes, no = yes_no_pictures()
    for lesson in load_lessons(folder):
        for version in lesson.versions:
            for step in version.steps:
                where = f"lesson {lesson.number} {version.pathway.value} step {step.number}"
                yield Screen(where, tuple(_texts(step)), tuple(_cards(step, yes, no)))


def _texts(step: Any) -> Iterator[str]:
    """Texts shown with word-by-word symbols: the question, any sort item and the feedback."""
    yield step.text.text
    for item in getattr(step, "items", ()):
        yield item.text.text
    feedback = getattr(step, "feedback", None)
    if feedback is not None:
        yield feedback.text


def _cards(step: Any, yes: str, no: str) -> Iterator[Card]:
    for option in getattr(step, "options", ()):
        yield Card(option.text.text, option.symbol)
    for group in getattr(step, "groups", ()):
        yield Card(group.label.text, group.symbol)
    if step.kind.value == "yes_no":
        yield Card("Yes", yes)
        yield Card("No", no)
