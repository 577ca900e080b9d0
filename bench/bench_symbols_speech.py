"""Benchmark symbols and speech: how long pupils wait, and what it costs to serve.

Run:  .venv/bin/python bench/bench_symbols_speech.py [--clips 20] [--repeat 200]

Measures
- symbolising one lesson's pupil text, and every lesson's text at once;
- a clip request that has to synthesise (cold) against one served from the disk cache;
- fetching a cached MP3 against fetching a static file of exactly the same size;
- bytes of MP3 per spoken second (target: under 8 KB).
Everything runs in-process through Flask's test client, so the numbers compare the app's own
work, not the network.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classroom import create_app, demo  # noqa: E402 - after the path is set
from classroom.db import get_session, utcnow, writing  # noqa: E402
from classroom.lessons.content import LessonError, all_pupil_texts, load_lessons  # noqa: E402
from classroom.lessons.kinds import KINDS  # noqa: E402
from classroom.migrate import upgrade  # noqa: E402
from classroom.speech import services  # noqa: E402
from classroom.symbols.symboliser import symbolise  # noqa: E402
from classroom.symbols.vocabulary import load_vocabulary  # noqa: E402

PASSWORD = "bench-speech-password-0123"
SAMPLE_LESSON = (
    "Sometimes people online are unkind. Unkind messages again and again is cyberbullying. "
    "If someone keeps sending unkind messages: stop, block and tell a trusted adult. "
    "Take a screenshot first, then block and report them. Keep your password private. "
    "Never share your address, school or phone number with a stranger online. "
    "You can always tell a trusted adult at home or at school. It is not your fault."
)


def lesson_texts() -> tuple[str, str]:
    """One lesson's pupil text and all lessons' text, from the lesson files if present."""

    try:
        catalogue = load_lessons(kinds=KINDS)
    except LessonError as problem:  # say why, and still time symbolising on sample text
        print(f"lessons not loaded ({len(problem.problems)} problems); using sample text")
        return SAMPLE_LESSON, SAMPLE_LESSON * 20
    texts = list(all_pupil_texts(catalogue))
    first_lesson = texts[0][0].split(".")[0]
    one = " ".join(text for text_id, text in texts if text_id.startswith(f"{first_lesson}."))
    return one, " ".join(text for _, text in texts)


def timed(action: Callable[[], object], repeat: int) -> float:
    """Median milliseconds per call."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def make_app(folder: Path) -> Flask:
    """The app on a fresh demo school in `folder`, caching clips under it, with `folder/static`
    as its static folder. The whole app, not the speech views alone: a new clip is counted
    against the signed-in person's daily allowance, in the database."""
    url = f"sqlite:///{folder / 'speech.sqlite3'}"
    upgrade(url)
    app = create_app(
        {
            "ENV": "development",
            "INSTANCE_PATH": str(folder),
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-speech-secret-0123456789abcdef0123",
            "SPEECH_CACHE_DIR": str(folder / "audio"),
        }
    )
    app.config["WTF_CSRF_ENABLED"] = False
    app.static_folder = str(folder / "static")
    with app.app_context(), writing():
        secret = str(app.config["SECRET_KEY"])
        demo.seed(get_session(), PASSWORD, now=utcnow(), instance=folder, secret_key=secret)
        get_session().commit()
    return app


def signed_in(app: Flask) -> FlaskClient:
    """A browser signed in as the demo teacher (clips are for the signed-in)."""
    client = app.test_client()
    answer = client.post("/sign-in", data={"username": "teacher", "password": PASSWORD})
    assert answer.status_code == 302, answer.status_code
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=20, help="distinct sentences to speak")
    parser.add_argument("--repeat", type=int, default=200, help="repeats for fast operations")
    args = parser.parse_args()

    load_vocabulary()
    symbolise("warm up the lemmatiser")
    one_lesson, all_lessons = lesson_texts()
    rows: list[tuple[str, float, str]] = []
    symbolise_one = timed(lambda: symbolise(one_lesson), args.repeat)
    symbolise_all = timed(lambda: symbolise(all_lessons), max(3, args.repeat // 20))
    rows.append((f"symbolise one lesson ({len(one_lesson)} chars)", symbolise_one, "ms"))
    rows.append((f"symbolise all lessons ({len(all_lessons)} chars)", symbolise_all, "ms"))

    folder = Path(tempfile.mkdtemp(prefix="bench-speech-"))
    try:
        rows += speech_rows(make_app(folder), folder, one_lesson, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print_table(rows)


def speech_rows(
    app: Flask, folder: Path, lesson: str, args: argparse.Namespace
) -> list[tuple[str, float, str]]:
    """Cold and cached clip requests, cached MP3 against static, and audio size."""
    client = signed_in(app)
    sentences = [s.strip() + "." for s in lesson.split(".") if s.strip()]
    sentences = [f"{sentences[i % len(sentences)]} ({i})" for i in range(args.clips)]
    cold = [timed(lambda s=s: client.post("/speech/clip", json={"text": s}), 1) for s in sentences]
    answers = [client.post("/speech/clip", json={"text": s}).get_json() for s in sentences]
    cached = timed(lambda: client.post("/speech/clip", json={"text": sentences[0]}), args.repeat)

    audio_url = answers[0]["audio_url"]
    mp3 = services.audio_path(folder / "audio", answers[0]["key"])
    assert mp3 is not None
    (folder / "static").mkdir()
    shutil.copy(mp3, folder / "static" / "same-size.mp3")

    def fetch(url: str) -> None:
        with client.get(url) as response:
            assert response.status_code == 200, url

    audio_get = timed(lambda: fetch(audio_url), args.repeat)
    static_get = timed(lambda: fetch("/static/same-size.mp3"), args.repeat)
    total_bytes = sum(_size(folder, answer["key"]) for answer in answers)
    total_seconds = sum(answer["duration_ms"] for answer in answers) / 1000
    return [
        ("clip request, cold (synthesise + encode)", statistics.median(cold), "ms"),
        ("clip request, cached", cached, "ms"),
        (f"GET cached MP3 ({mp3.stat().st_size} bytes)", audio_get, "ms"),
        ("GET static file of the same size", static_get, "ms"),
        ("MP3 bytes per spoken second", total_bytes / total_seconds, "bytes"),
    ]


def _size(folder: Path, key: str) -> int:
    """Bytes of one cached clip's MP3."""
    path = services.audio_path(folder / "audio", key)
    return path.stat().st_size if path else 0


def print_table(rows: list[tuple[str, float, str]]) -> None:
    """The measurements, then the ratios that matter."""
    values = {name: value for name, value, _ in rows}
    width = max(len(name) for name, _, _ in rows) + 2
    print(f"{'measure'.ljust(width)}{'median':>12}")
    for name, value, unit in rows:
        print(f"{name.ljust(width)}{value:>10.3f} {unit}")
    cold, cached = (
        values["clip request, cold (synthesise + encode)"],
        values["clip request, cached"],
    )
    mp3_get = next(v for n, v in values.items() if n.startswith("GET cached MP3"))
    static_get = values["GET static file of the same size"]
    per_second = values["MP3 bytes per spoken second"]
    print()
    print("ratios")
    print(f"  cold / cached clip request        {cold / cached:8.1f}x")
    print(f"  cached clip request / static GET  {cached / static_get:8.1f}x")
    print(f"  cached MP3 GET / static GET       {mp3_get / static_get:8.2f}x")
    print(f"  MP3 size / 8 KB-a-second budget   {per_second / 8192:8.2f}")


if __name__ == "__main__":
    main()
