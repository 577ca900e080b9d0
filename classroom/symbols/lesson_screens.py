"""Lesson steps as screens for the picture checks (classroom/symbols/consistency.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from classroom.lessons.content import LESSONS_DIR, load_lessons
from classroom.symbols.consistency import Screen
from classroom.symbols.lesson_check import lesson_step_screens


def lesson_screens(folder: Path = LESSONS_DIR) -> Iterator[Screen]:
    """Every step of every lesson file as a screen: its texts and its picture cards."""
    for lesson in load_lessons(folder):
        yield from lesson_step_screens(lesson)
