"""Clips end to end: real espeak-ng to a playable MP3 with timings, cached on disk."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from classroom.errors import Invalid
from classroom.speech import services
from classroom.speech.engine import DEFAULT_VOICE, Synthesiser
from tests.speech.mp3 import parse_mp3

TEXT = "If a message online makes you feel worried, tell a trusted adult."


def test_a_clip_is_a_small_playable_mp3_as_long_as_its_words(
    synthesiser: Synthesiser, cache: Path
) -> None:
    clip = services.make_clip(TEXT, directory=cache, synthesiser=synthesiser)
    path = services.audio_path(cache, clip.key)
    assert path is not None
    data = path.read_bytes()
    mp3 = parse_mp3(data)
    assert (mp3.sample_rate, mp3.bitrate_kbps, mp3.mono) == (22050, 40, True)
    # The encoder pads up to a couple of frames; otherwise the MP3 is exactly the speech.
    assert abs(mp3.duration_ms - clip.duration_ms) <= 120
    words = len(TEXT.split())
    expected_ms = words / 150 * 60_000  # at the default 150 words a minute
    assert 0.6 * expected_ms < clip.duration_ms < 1.6 * expected_ms + 1000
    assert clip.audio_bytes == len(data)
    assert len(data) / (clip.duration_ms / 1000) < 8 * 1024  # under 8 KB a spoken second


def test_timings_are_monotonic_within_the_audio_and_saved_beside_it(
    synthesiser: Synthesiser, cache: Path
) -> None:
    clip = services.make_clip(TEXT, directory=cache, synthesiser=synthesiser)
    assert [w.word for w in clip.words][:3] == ["If", "a", "message"]
    starts = [w.start_ms for w in clip.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start_ms <= w.end_ms <= clip.duration_ms for w in clip.words)
    timings = services.timings_path(cache, clip.key)
    assert timings is not None
    saved = json.loads(timings.read_text(encoding="utf-8"))
    assert saved == clip.as_json()
    assert saved["voice"] == DEFAULT_VOICE
    assert saved["words"][0] == {
        "word": "If",
        "start_ms": 0,
        "end_ms": saved["words"][1]["start_ms"],
        "offset": 0,
    }


def test_a_cache_hit_never_synthesises_again(synthesiser: Synthesiser, cache: Path) -> None:
    before = synthesiser.jobs_run
    first = services.make_clip(TEXT, directory=cache, synthesiser=synthesiser)
    second = services.make_clip(TEXT, directory=cache, synthesiser=synthesiser)
    again = services.make_clip(
        TEXT, voice="GMW/EN", rate=150, directory=cache, synthesiser=synthesiser
    )
    assert synthesiser.jobs_run - before == 1
    assert (first.created, second.created, again.created) == (True, False, False)
    assert first.key == second.key == again.key
    assert second.words == first.words


def test_voice_rate_and_text_each_make_a_different_clip(
    synthesiser: Synthesiser, cache: Path
) -> None:
    keys = {
        services.make_clip(
            text, voice=voice, rate=rate, directory=cache, synthesiser=synthesiser
        ).key
        for text, voice, rate in [
            ("Stop.", None, 150),
            ("Stop!", None, 150),
            ("Stop.", None, 120),
            ("Stop.", "gmw/en-gb-x-rp", 150),
        ]
    }
    assert len(keys) == 4


def test_concurrent_requests_all_succeed_and_leave_only_whole_files(
    synthesiser: Synthesiser, cache: Path
) -> None:
    texts = [f"Picture {n}: is it real or pretend?" for n in range(6)] * 2  # each twice
    before = synthesiser.jobs_run
    with ThreadPoolExecutor(max_workers=12) as pool:
        clips = list(
            pool.map(
                lambda t: services.make_clip(t, directory=cache, synthesiser=synthesiser), texts
            )
        )
    assert synthesiser.jobs_run - before == 6  # the same new text is made once, not twice
    assert len({c.key for c in clips}) == 6
    for clip in clips:
        path = services.audio_path(cache, clip.key)
        assert path is not None
        assert parse_mp3(path.read_bytes()).duration_ms > 500
    assert [
        p.name for p in cache.rglob("*") if p.is_file() and p.suffix not in {".mp3", ".json"}
    ] == []


def test_a_damaged_cache_entry_is_made_again(synthesiser: Synthesiser, cache: Path) -> None:
    clip = services.make_clip("Block them.", directory=cache, synthesiser=synthesiser)
    timings = services.timings_path(cache, clip.key)
    assert timings is not None
    timings.write_text("{not json", encoding="utf-8")
    remade = services.make_clip("Block them.", directory=cache, synthesiser=synthesiser)
    assert remade.created
    assert json.loads(timings.read_text(encoding="utf-8"))["key"] == clip.key


@pytest.mark.parametrize(
    ("text", "rate", "field", "message"),
    [
        ("", None, "text", "no text"),
        ("   \n ", None, "text", "no text"),
        (None, None, "text", "no text"),
        (42, None, "text", "no text"),
        ("x" * 1001, None, "text", "at most 1000 characters"),
        ("Hello", 79, "rate", "80 to 260"),
        ("Hello", 261, "rate", "80 to 260"),
        ("Hello", "fast", "rate", "80 to 260"),
        ("Hello", True, "rate", "80 to 260"),
    ],
)
def test_bad_requests_are_refused_before_any_speech(
    cache: Path, synthesiser: Synthesiser, text: object, rate: object, field: str, message: str
) -> None:
    with pytest.raises(Invalid, match=message) as caught:
        services.make_clip(text, rate=rate, directory=cache, synthesiser=synthesiser)
    assert caught.value.field == field
    assert not cache.exists()


def test_keys_cannot_reach_outside_the_cache(cache: Path) -> None:
    for key in ("../../etc/passwd", "A" * 64, "0" * 63, "0" * 64 + "/x"):
        assert services.audio_path(cache, key) is None
        assert services.timings_path(cache, key) is None


def test_pregenerate_makes_each_text_once_and_reports_failures(
    synthesiser: Synthesiser, cache: Path
) -> None:
    texts = ["Stop.", "Block.", "Stop.", "", "x" * 1001]
    report = services.pregenerate(texts, directory=cache, synthesiser=synthesiser)
    assert (report.created, report.cached) == (2, 0)
    assert report.failed == [("x" * 1001, "Text to read aloud can be at most 1000 characters.")]
    assert report.audio_bytes > 0
    again = services.pregenerate(["Stop.", "Block."], directory=cache, synthesiser=synthesiser)
    assert (again.created, again.cached) == (0, 2)
