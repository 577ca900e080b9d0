"""The picture checks run on lessons as they load: one picture per word on every screen.

`load_lessons` (classroom/lessons/content.py) calls `lesson_picture_problems` once, after every
file has passed the file rules, so a lesson whose question and answer cards show one word with
two pictures, or that breaks the word list, stops the app and `flask lessons check` with a
message naming the lesson, the step and the word. The screen rules are in consistency.py.

Lessons are read by their fields, not imported types, so the lessons package can depend on
this one without an import cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from classroom.symbols.consistency import (
    Card,
    Screen,
    screen_issues,
    screen_problems,
    yes_no_pictures,
)
from classroom.symbols.vocabulary import VOCABULARY_FILE, VocabularyError, load_vocabulary


def lesson_picture_problems(lessons: Iterable[Any]) -> list[tuple[Path, str]]:
    """(lesson file, reason) for every screen of these lessons that breaks a picture rule."""
    try:
        vocabulary = load_vocabulary()
    except VocabularyError as error:
        return [(VOCABULARY_FILE, str(error))]
    return [
        (lesson.source, problem)
        for lesson in lessons
        for screen in lesson_step_screens(lesson)
        for problem in screen_problems(screen, vocabulary)
    ]


def written_lesson_problems(lesson: Any) -> list[str]:
    """A teacher's lesson, checked by the same picture rules as the lesson files as it is saved,
    in the words of the lesson editor: "Semi-formal, step 2: ...", no picture codes."""
    try:
        vocabulary = load_vocabulary()
    except VocabularyError as error:
        return [str(error)]
    return [
        problem.for_teachers()
        for screen in lesson_step_screens(lesson, teacher_labels=True)
        for problem in screen_issues(screen, vocabulary)
    ]


def lesson_step_screens(lesson: Any, *, teacher_labels: bool = False) -> Iterator[Screen]:
    """Every step of one lesson, in each pathway, as a screen: its texts and picture cards.

    Each screen is named for lesson files ("lesson 9 (kind-and-unkind) semi_formal step 2"),
    or with `teacher_labels` as the lesson editor names it ("Semi-formal, step 2")."""
    yes, no = yes_no_pictures()
    for version in lesson.versions:
        for step in version.steps:
            where = (
                f"{version.pathway.label}, step {step.number}"
                if teacher_labels
                else f"lesson {lesson.number} ({lesson.id}) {version.pathway.value} "
                f"step {step.number}"
            )
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
    for item in getattr(step, "items", ()):
        yield Card(item.text.text, item.symbol)
    if step.kind.value == "yes_no":
        yield Card("Yes", yes)
        yield Card("No", no)
