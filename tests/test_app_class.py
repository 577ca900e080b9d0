"""The app asks once per function whether it is `async def` (classroom.App.ensure_sync); a
production app freezes its start-up objects for the garbage collector."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import Clock, build_app


def test_a_plain_function_is_run_as_itself_every_time(app: Flask) -> None:
    def view() -> str:
        return "ok"

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view


def test_an_async_function_is_refused_every_time_not_run_as_plain(app: Flask) -> None:
    """The app has no async views (Flask's async extra is not installed): one is refused each
    time it is asked for, never remembered as a plain function and called half way."""

    async def view() -> str:
        return "ok"

    for _ in range(2):
        with pytest.raises(RuntimeError, match="async"):
            app.ensure_sync(view)


def test_the_answer_is_worked_out_once(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[object] = []
    original = Flask.ensure_sync

    def counting(self: Flask, func: object) -> object:
        asked.append(func)
        return original(self, func)  # type: ignore[arg-type]

    monkeypatch.setattr(Flask, "ensure_sync", counting)

    def hook() -> None:
        return None

    for _ in range(3):
        app.ensure_sync(hook)
    assert asked == [hook]


@pytest.mark.parametrize(("env", "frozen"), [("production", True), ("development", False)])
def test_a_production_worker_leaves_its_start_up_objects_out_of_full_collections(
    tmp_path: Path, template_db: Path, clock: Clock, env: str, frozen: bool
) -> None:
    """What a gunicorn worker builds at start-up lives as long as it does: a production app
    freezes it (no 125-250 ms full-collection pauses walking it); a development one does not."""
    assert gc.get_freeze_count() == 0
    try:
        build_app(tmp_path, template_db, clock, ENV=env, GC_FREEZE_AT_START=1)
        assert (gc.get_freeze_count() > 0) is frozen
    finally:
        gc.unfreeze()
