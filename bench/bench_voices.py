"""Benchmark the voices: synthesis time and MP3 bytes per spoken second, per engine.

Run:  .venv/bin/python bench/bench_voices.py [--sentences 12]

Each engine speaks the same lesson sentences (cold: no cache) through the app's own clip
pipeline (synthesis, MP3 encoding, word timings). Reported per engine: median synthesis time per
clip, real-time factor (audio seconds made per second of work), MP3 bytes per spoken second, and
each as a ratio to espeak-ng in the same run, so machines of different speeds compare.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classroom.lessons.content import all_pupil_texts, load_lessons  # noqa: E402
from classroom.lessons.kinds import KINDS  # noqa: E402
from classroom.speech import services  # noqa: E402

ENGINES = {"espeak-ng": "gmw/en", "hibari (neural)": "hibari/heart"}


def sentences(count: int) -> list[str]:
    """The longest distinct pupil texts of the lessons, so clips are a sentence or two."""
    lessons = load_lessons(kinds=KINDS)
    texts = sorted({text for _, text in all_pupil_texts(lessons)}, key=len, reverse=True)
    return texts[:count]


def measure(voice: str, texts: list[str]) -> tuple[float, float, float]:
    """(median seconds per clip, audio seconds per second of work, MP3 bytes per second)."""
    synthesiser = services.shared_synthesiser()
    times, audio_ms, audio_bytes = [], 0, 0
    with tempfile.TemporaryDirectory() as folder:
        for text in texts:
            started = time.perf_counter()
            clip = services.make_clip(
                text, voice=voice, directory=Path(folder), synthesiser=synthesiser
            )
            times.append(time.perf_counter() - started)
            audio_ms += clip.duration_ms
            audio_bytes += clip.audio_bytes
    seconds = audio_ms / 1000
    return statistics.median(times), seconds / sum(times), audio_bytes / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=12)
    args = parser.parse_args()
    texts = sentences(args.sentences)
    voices = services.shared_synthesiser().voices()
    services.make_clip(
        "Warm up.",
        voice="hibari/heart",
        directory=Path(tempfile.mkdtemp()),
        synthesiser=services.shared_synthesiser(),
    )
    results = {name: measure(voice, texts) for name, voice in ENGINES.items() if voice in voices}
    base = results["espeak-ng"]
    print(f"{len(texts)} lesson sentences, cold cache, one process")
    print(f"{'engine':18} {'median s/clip':>14} {'x espeak':>9} {'x realtime':>11} "
          f"{'bytes/spoken s':>15} {'x espeak':>9}")  # fmt: skip
    for name, (median, realtime, per_second) in results.items():
        print(
            f"{name:18} {median:14.3f} {median / base[0]:9.1f} {realtime:11.1f} "
            f"{per_second:15.0f} {per_second / base[2]:9.2f}"
        )
    missing = [name for name, voice in ENGINES.items() if voice not in voices]
    if missing:
        print(f"not installed here: {', '.join(missing)}")


if __name__ == "__main__":
    main()
