"""The lesson files are read and checked once in a process, not once per app: the suite builds
an app for every test, and reading them was four fifths of that. A file that changes on disk is
read again, and a broken one stops every app built on it, as it always did."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from classroom.lessons.content import LESSONS_DIR, LessonError, lesson_files
from classroom.lessons.kinds import KINDS
from tests.conftest import Clock, build_app

LESSON = "09-kind-and-unkind.toml"


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "lessons"
    shutil.copytree(LESSONS_DIR, folder)
    return folder


def test_every_app_in_a_process_serves_one_reading_of_the_lesson_files(
    app: Flask, tmp_path: Path, template_db: Path
) -> None:
    instance = tmp_path / "another"
    instance.mkdir()
    another = build_app(instance, template_db, Clock())
    assert another.extensions["lessons"] is app.extensions["lessons"]
    assert another.extensions["lessons"].lessons  # every lesson, not an empty stand-in


def test_a_lesson_file_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    first = lesson_files(folder, kinds=KINDS)
    assert lesson_files(folder, kinds=KINDS) is first  # unchanged: not read again
    path = folder / LESSON
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'topic = "Kind and unkind messages"', 'topic = "Kind and unkind messages online"'
        ),
        encoding="utf-8",
    )
    again = lesson_files(folder, kinds=KINDS)
    assert again is not first
    topics = {lesson.id: lesson.topic for lesson in again.lessons}
    assert topics["kind-and-unkind"] == "Kind and unkind messages online"


def test_a_broken_lesson_file_stops_every_app_built_on_it(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    lesson_files(folder, kinds=KINDS)
    path = folder / LESSON
    path.write_text(path.read_text(encoding="utf-8").replace("number = 9", "number = 'nine'"))
    for _app in range(2):  # refused each time: a failed reading is never kept
        with pytest.raises(LessonError, match=LESSON):
            lesson_files(folder, kinds=KINDS)
