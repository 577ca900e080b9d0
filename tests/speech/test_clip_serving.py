"""A cached clip is served like a static file: no database query once the session is known,
the static route's ETag/304 and byte ranges, and nothing at all for someone who signed out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from classroom.accounts.models import Role
from classroom.speech import services

KEY = "ab" * 32
AUDIO = bytes(range(256)) * 40


def _place_clip(app: Flask) -> str:
    path = services.audio_path(services.cache_dir(app.config, app.instance_path), KEY)
    assert isinstance(path, Path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(AUDIO)
    return f"/speech/audio/{KEY}.mp3"


def _statements(app: Flask, fetch: Callable[[], Any]) -> tuple[Any, int]:
    seen = []
    engine = app.extensions["db_engine"]

    def count(*_args: Any) -> None:
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        return fetch(), len(seen)
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_a_cached_clip_costs_no_database_query_for_someone_just_seen(
    app: Flask, client: FlaskClient, login_as: Callable[..., Any]
) -> None:
    login_as(Role.TEACHER)
    url = _place_clip(app)
    assert client.get("/about").status_code == 200  # this worker has seen the session
    with client.get(url) as first:
        assert first.status_code == 200
        assert first.data == AUDIO
        etag = first.headers["ETag"]
    response, statements = _statements(app, lambda: client.get(url))
    assert statements == 0
    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    response.close()
    with client.get(url, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
    with client.get(url, headers={"Range": "bytes=10-19"}) as part:
        assert part.status_code == 206
        assert part.data == AUDIO[10:20]


def test_after_signing_out_the_clip_is_refused(
    app: Flask, client: FlaskClient, login_as: Callable[..., Any]
) -> None:
    login_as(Role.TEACHER)
    url = _place_clip(app)
    with client.get(url) as response:
        assert response.status_code == 200
    client.post("/sign-out")
    with client.get(url) as response:
        assert response.status_code == 403  # nobody signed in, and no class iPad
