"""Speech cannot fill the server: daily allowances, carers hear only school texts, cache pruning."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.speech import limits, services
from classroom.speech.models import SpeechUsage
from classroom.worker import tick
from tests.conftest import Clock
from tests.factories import make_class, make_pupil


def _cached_files(app: Flask) -> list[Path]:
    folder = services.cache_dir(app.config, app.instance_path)
    return sorted(folder.glob("*/*.mp3")) if folder.is_dir() else []


def _say(client: FlaskClient, text: str) -> Any:
    return client.post("/speech/clip", json={"text": text})


def test_a_carer_cannot_have_made_up_text_synthesised(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.PARENT)
    response = _say(client, "Anything at all I type, a megabyte of it each time")
    assert response.status_code == 403
    assert response.get_json()["fallback"] == "browser"
    assert _cached_files(app) == []


def test_a_carer_hears_the_schools_own_texts(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.PARENT)
    assert "Stop, block, tell" in limits.known_texts(app)
    response = _say(client, "Stop, block, tell")
    assert response.status_code == 200
    assert [w["word"] for w in response.get_json()["words"]] == ["Stop", "block", "tell"]


def test_new_clips_stop_at_the_daily_allowance_but_cached_ones_still_play(
    app: Flask,
    client: FlaskClient,
    session: Session,
    clock: Clock,
    login_as: Callable[..., Account],
) -> None:
    app.config["SPEECH_NEW_CLIPS_PER_DAY"] = 2
    clock.set(datetime(2026, 12, 1, 23, 50, tzinfo=UTC))
    teacher = login_as(Role.TEACHER)
    assert _say(client, "One").status_code == 200
    assert _say(client, "Two").status_code == 200
    refused = _say(client, "Three")
    assert refused.status_code == 429
    assert refused.get_json()["fallback"] == "browser"
    assert len(_cached_files(app)) == 2
    assert _say(client, "One").status_code == 200  # already made: free
    rows = list(session.scalars(select(SpeechUsage)))
    assert [(r.who, r.clips, r.characters) for r in rows] == [(f"account:{teacher.id}", 2, 6)]
    clock.advance(minutes=20)  # a new day, a new allowance
    assert _say(client, "Three").status_code == 200


def test_characters_a_day_are_limited_too(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    app.config["SPEECH_CHARACTERS_PER_DAY"] = 30
    login_as(Role.TEACHER)
    assert _say(client, "Twenty characters ok").status_code == 200
    assert _say(client, "Another twenty chars").status_code == 429
    assert _say(client, "Short one").status_code == 200


def test_too_long_a_text_is_refused_before_anything_is_made(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHER)
    response = _say(client, "word " * 300)
    assert response.status_code == 400
    assert "at most 1000 characters" in response.get_json()["error"]
    assert _cached_files(app) == []
    assert session.scalar(select(func.count()).select_from(SpeechUsage)) == 0


def test_a_pupils_new_clips_count_against_the_pupil(
    app: Flask, client: FlaskClient, session: Session, on_class_ipad: Callable[..., Any]
) -> None:
    app.config["SPEECH_NEW_CLIPS_PER_DAY"] = 1
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    on_class_ipad(oak)
    assert client.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    assert _say(client, "Hello there").status_code == 200
    assert _say(client, "Hello again").status_code == 429
    assert session.scalar(select(SpeechUsage.who)) == f"pupil:{pupil.id}"


# --- Pruning ----------------------------------------------------------------------------------

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _fake_clip(folder: Path, key: str, text: str, age_days: float, size: int = 1000) -> Path:
    """A cache entry as services writes one, made `age_days` ago."""
    sub = folder / key[:2]
    sub.mkdir(parents=True, exist_ok=True)
    mp3, timings = sub / f"{key}.mp3", sub / f"{key}.json"
    mp3.write_bytes(b"\xff" * size)
    timings.write_text(json.dumps({"text": text}), encoding="utf-8")
    made = (NOW - timedelta(days=age_days)).timestamp()
    for path in (mp3, timings):
        os.utime(path, (made, made))
    return mp3


def test_old_clips_of_other_texts_are_pruned_and_school_texts_kept(tmp_path: Path) -> None:
    old_chat = _fake_clip(tmp_path, "a" * 64, "typed by someone", age_days=200)
    new_chat = _fake_clip(tmp_path, "b" * 64, "typed just now", age_days=1)
    old_lesson = _fake_clip(tmp_path, "c" * 64, "Stop, block, tell", age_days=400)
    report = limits.prune_cache(
        tmp_path, frozenset({"Stop, block, tell"}), timedelta(days=180), 10**9, NOW
    )
    assert (report.removed, report.kept) == (1, 2)
    assert not old_chat.exists()
    assert not old_chat.with_suffix(".json").exists()
    assert new_chat.exists()
    assert old_lesson.exists()


def test_an_oversized_cache_loses_its_oldest_other_texts_first(tmp_path: Path) -> None:
    lesson = _fake_clip(tmp_path, "c" * 64, "Stop, block, tell", age_days=30, size=4000)
    oldest = _fake_clip(tmp_path, "a" * 64, "first", age_days=20, size=4000)
    newer = _fake_clip(tmp_path, "b" * 64, "second", age_days=10, size=4000)
    report = limits.prune_cache(
        tmp_path, frozenset({"Stop, block, tell"}), timedelta(days=180), 9000, NOW
    )
    assert not oldest.exists()
    assert newer.exists()
    assert lesson.exists()
    assert report.kept_bytes <= 9000
    # Even the school's own texts go, oldest first, when they alone are too many.
    limits.prune_cache(tmp_path, frozenset({"Stop, block, tell"}), timedelta(days=180), 100, NOW)
    assert _fake_listing(tmp_path) == []


def _fake_listing(folder: Path) -> list[Path]:
    return sorted(folder.glob("*/*"))


def test_the_cli_and_the_worker_prune_the_configured_cache(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOW)
    folder = services.cache_dir(app.config, app.instance_path)
    stale = _fake_clip(folder, "a" * 64, "typed long ago", age_days=200)
    month_ago = NOW.date() - timedelta(days=30)
    session.add(SpeechUsage(who="account:1", day=month_ago, clips=3, characters=9))
    session.commit()
    result = app.test_cli_runner().invoke(args=["speech", "prune"])
    assert result.exit_code == 0, result.output
    assert "1 clips removed" in result.output
    assert not stale.exists()
    assert session.scalar(select(func.count()).select_from(SpeechUsage)) == 0
    again = _fake_clip(folder, "b" * 64, "also long ago", age_days=300)
    tick()
    assert not again.exists()
