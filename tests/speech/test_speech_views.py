"""Speech over HTTP and the CLI: clips for signed-in people, byte ranges, 503 fallback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from classroom.accounts.models import Role
from classroom.speech import cli as speech_cli
from classroom.speech import services, views, web
from classroom.speech.engine import Synthesiser
from tests.speech.mp3 import parse_mp3


@pytest.fixture
def speech_app(app: Flask) -> Flask:
    """The real app, with the speech blueprint (registered here until create_app does it)."""
    if "speech" not in app.blueprints:
        app.register_blueprint(views.bp)
    return app


@pytest.fixture
def staff(speech_app: Flask, login_as: Callable[..., Any]) -> Any:  # noqa: ARG001 - its app
    return login_as(Role.TEACHER)


@pytest.fixture
def bare_app(tmp_path: Path) -> Iterator[Flask]:
    """Only the speech blueprint: its own headers, without the whole app's."""
    app = Flask(__name__, instance_path=str(tmp_path))
    app.register_blueprint(views.bp)
    with app.app_context():
        yield app


def make_clip(client: FlaskClient, **payload: object) -> Any:
    return client.post("/speech/clip", json={"text": "Tell a trusted adult.", **payload})


@pytest.mark.usefixtures("speech_app")
def test_nobody_signed_in_gets_no_speech(client: FlaskClient) -> None:
    """Nobody signed in, and no class iPad (tests/speech/test_class_ipad_speech.py): refused,
    the clip with an answer speech.js reads (this text in the browser's voice), never a page."""
    key = "0" * 64
    for response in (
        client.get(f"/speech/audio/{key}.mp3"),
        client.get(f"/speech/timings/{key}.json"),
        make_clip(client),
    ):
        assert response.status_code == 403
    assert make_clip(client).get_json()["fallback"] == "browser"


@pytest.mark.usefixtures("staff")
def test_staff_get_a_clip_audio_and_timings(client: FlaskClient) -> None:
    response = make_clip(client, rate=140)
    assert response.status_code == 200
    clip = response.get_json()
    assert set(clip) == {"key", "audio_url", "timings_url", "duration_ms", "words"}
    assert clip["audio_url"] == f"/speech/audio/{clip['key']}.mp3"
    assert [w["word"] for w in clip["words"]] == ["Tell", "a", "trusted", "adult"]
    with client.get(clip["audio_url"]) as audio:
        assert audio.status_code == 200
        assert audio.mimetype == "audio/mpeg"
        assert abs(parse_mp3(audio.data).duration_ms - clip["duration_ms"]) <= 120
    with client.get(clip["timings_url"]) as timings:
        assert timings.status_code == 200
        saved = json.loads(timings.data)
    assert saved["words"] == clip["words"]
    assert saved["rate"] == 140


@pytest.mark.usefixtures("staff")
def test_safari_gets_byte_ranges(client: FlaskClient) -> None:
    clip = make_clip(client).get_json()
    with client.get(clip["audio_url"], headers={"Range": "bytes=0-99"}) as response:
        assert response.status_code == 206
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.headers["Content-Range"].startswith("bytes 0-99/")
        assert len(response.data) == 100


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"rate": 5}, "rate"),
        ({"rate": "fast"}, "rate"),
    ],
)
@pytest.mark.usefixtures("staff")
def test_bad_clip_requests_say_what_is_wrong(
    client: FlaskClient, body: dict[str, object], field: str
) -> None:
    response = make_clip(client, **body)
    assert response.status_code == 400
    assert response.get_json()["field"] == field
    assert response.get_json()["error"]


@pytest.mark.usefixtures("staff")
def test_a_clip_request_must_be_json(client: FlaskClient) -> None:
    response = client.post("/speech/clip", data="text=hello")
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"]


@pytest.mark.usefixtures("staff")
@pytest.mark.usefixtures("staff")
def test_unknown_and_malformed_keys_are_not_found(client: FlaskClient) -> None:
    for url in (f"/speech/audio/{'a' * 64}.mp3", "/speech/audio/..%2F..%2Fsecret.mp3"):
        with client.get(url) as response:
            assert response.status_code == 404


@pytest.mark.usefixtures("staff")
def test_without_espeak_the_page_is_told_to_use_the_browser_voice(
    speech_app: Flask, client: FlaskClient
) -> None:
    speech_app.extensions[services.SYNTHESISER_EXTENSION] = Synthesiser(_missing_engine)
    response = make_clip(client)
    assert response.status_code == 503
    assert response.get_json()["fallback"] == "browser"
    with speech_app.test_request_context():
        assert render_template_string("{{ speech_available() }}") == "False"


def test_speech_available_is_true_with_espeak(speech_app: Flask) -> None:
    with speech_app.test_request_context():
        assert render_template_string("{{ speech_available() }}") == "True"


def test_clips_are_cached_privately_for_a_year(bare_app: Flask) -> None:
    # Cached first, so the bare app needs no allowance.
    services.make_clip(
        "Tell a trusted adult.",
        directory=web.clip_folder(),
        synthesiser=web.current_synthesiser(),
    )
    client = bare_app.test_client()
    clip = make_clip(client).get_json()
    for url in (clip["audio_url"], clip["timings_url"]):
        with client.get(url) as response:
            cache_control = response.headers["Cache-Control"]
            assert "private" in cache_control
            assert "public" not in cache_control
            assert "max-age=31536000" in cache_control
            assert "immutable" in cache_control
            etag = response.headers["ETag"]
        with client.get(url, headers={"If-None-Match": etag}) as again:
            assert again.status_code == 304
    assert (Path(bare_app.instance_path) / "audio").is_dir()


def test_cli_check_reports_the_engine(speech_app: Flask) -> None:
    result = speech_app.test_cli_runner().invoke(speech_cli.cli, ["check"])
    assert result.exit_code == 0, result.output
    assert "Engine: pyttsx3-2.99+espeak-ng-" in result.output
    assert "gmw/en" in result.output


def test_cli_check_fails_without_espeak(speech_app: Flask) -> None:
    speech_app.extensions[services.SYNTHESISER_EXTENSION] = Synthesiser(_missing_engine)
    result = speech_app.test_cli_runner().invoke(speech_cli.cli, ["check"])
    assert result.exit_code == 1
    assert "NOT available" in result.output


def test_cli_pregenerate_from_options_files_and_sources(speech_app: Flask, tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("Stop.\n\nBlock them.\nStop.\n", encoding="utf-8")
    speech_app.extensions[services.TEXT_SOURCES_EXTENSION] = []  # only this test's source
    services.register_text_source(speech_app, lambda: ["Tell a trusted adult."])
    runner = speech_app.test_cli_runner()
    args = ["pregenerate", "--text", "Well done!", "--file", str(texts), "--rate", "120"]
    result = runner.invoke(speech_cli.cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("4 clips made, 0 already cached")
    result = runner.invoke(speech_cli.cli, [*args, "--no-sources"])
    assert result.output.startswith("0 clips made, 3 already cached")
    assert len(list((tmp_path / "audio").glob("*/*.mp3"))) == 4


def test_cli_pregenerate_reports_texts_it_cannot_make(speech_app: Flask) -> None:
    result = speech_app.test_cli_runner().invoke(
        speech_cli.cli, ["pregenerate", "--text", "x" * 1001]
    )
    assert result.exit_code == 1
    assert "at most 1000 characters" in result.output


def _missing_engine() -> Any:
    raise OSError("libespeak-ng.so.1: cannot open shared object file")


def test_lesson_and_worry_texts_are_registered_for_pregeneration(speech_app: Flask) -> None:
    texts = set(services.registered_texts(speech_app))
    assert "Stop, block, tell" in texts  # a lesson title
    assert "Someone was unkind" in texts
    assert "Who do you want to talk to?" in texts
