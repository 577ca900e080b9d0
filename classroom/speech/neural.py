"""A natural neural voice that runs offline: hibari-tts (Apache-2.0, ONNX, about 8 MB a voice).

Its default voice ("heart", American English, distilled from Kokoro-82M) is inside the wheel.
Its other voices, the British ones included, are fetched from a model hub on first use: this
app never lets that happen (download_missing=False), so they are offered only if a technician
has put their files in HIBARI_HOME by hand. espeak-ng stays the engine that is always there:
`RoutingBackend` sends "hibari/..." voices here and every other voice to espeak, and without
hibari installed (or if it fails to load) only the espeak voices are offered.
"""

from __future__ import annotations

import logging
import re
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from classroom.speech.engine import (
    DEFAULT_RATE,
    Backend,
    EspeakBackend,
    Speech,
    WordTiming,
)

logger = logging.getLogger(__name__)

PREFIX = "hibari/"
MIN_SPEED, MAX_SPEED = 0.5, 2.0
SILENCE = 0.02  # peak amplitude below which a 10 ms frame counts as silent
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")


class HibariBackend:
    """hibari-tts voices whose model files are already on this server (never downloaded)."""

    def __init__(self) -> None:
        from hibari import Hibari  # noqa: PLC0415 - imported here: optional, and slow (onnxruntime)
        from hibari.voices import VOICES, voice_path  # noqa: PLC0415

        self._make: Any = Hibari
        self._engines: dict[str, Any] = {}
        here = []
        for name in VOICES:
            try:
                voice_path(name, download_missing=False)
            except (FileNotFoundError, ValueError):
                continue
            here.append(PREFIX + name)
        if not here:
            raise RuntimeError("no hibari voice is on this server")
        self.voices: tuple[str, ...] = tuple(here)
        self.version = f"hibari-tts {version('hibari-tts')}"

    def synthesise(self, text: str, voice: str, rate: int) -> Speech:
        """Speak `text` at `rate` words a minute (as a speed against the voice's own pace)."""
        import numpy as np  # noqa: PLC0415

        name = voice.removeprefix(PREFIX)
        engine = self._engines.get(name)
        if engine is None:
            engine = self._engines[name] = self._make(voice=name)
        speed = min(MAX_SPEED, max(MIN_SPEED, rate / DEFAULT_RATE))
        audio = np.asarray(engine(text, speed=speed, seed=0), dtype=np.float32)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        sample_rate = 24000
        duration = len(audio) * 1000 // sample_rate
        voiced = _voiced_span(audio, sample_rate)
        return Speech(pcm, sample_rate, aligned_timings(text, voiced, duration))


def _voiced_span(audio: Any, sample_rate: int) -> tuple[int, int]:
    """Milliseconds where speech starts and ends (leading and trailing silence trimmed)."""
    import numpy as np  # noqa: PLC0415

    frame = sample_rate // 100
    frames = len(audio) // frame
    if frames == 0:
        return 0, 0
    peaks = np.abs(audio[: frames * frame]).reshape(frames, frame).max(axis=1)
    loud = np.flatnonzero(peaks > SILENCE)
    if loud.size == 0:
        return 0, frames * 10
    return int(loud[0]) * 10, int(loud[-1] + 1) * 10


def aligned_timings(text: str, voiced: tuple[int, int], duration_ms: int) -> tuple[WordTiming, ...]:
    """Word timings by aligning the words to the voiced audio in proportion to their length
    (hibari gives no word events); good enough to light up the word being read."""
    words = list(_WORD.finditer(text))
    start, end = voiced
    weights = [len(w.group(0)) + 2 for w in words]  # +2: every word has some onset and gap
    total = sum(weights) or 1
    timings, at = [], float(start)
    for word, weight in zip(words, weights, strict=True):
        length = (end - start) * weight / total
        begin = round(at)
        at += length
        timings.append(WordTiming(word.group(0), begin, min(round(at), duration_ms), word.start()))
    return tuple(timings)


class RoutingBackend:
    """espeak-ng always, plus hibari's voices when it is installed: one worker thread runs both."""

    def __init__(self) -> None:
        self.espeak = EspeakBackend()
        self.neural: Backend | None = None
        try:
            self.neural = HibariBackend()
        except (ImportError, PackageNotFoundError, RuntimeError, OSError) as error:
            logger.info("no neural voice (%s); espeak-ng only", error)
        neural_voices = self.neural.voices if self.neural else ()
        self.voices: tuple[str, ...] = (*self.espeak.voices, *neural_voices)
        self.version = self.espeak.version + (f" + {self.neural.version}" if self.neural else "")

    def synthesise(self, text: str, voice: str, rate: int) -> Speech:
        """Route by voice: "hibari/..." to the neural engine, anything else to espeak."""
        if voice.startswith(PREFIX) and self.neural is not None:
            return self.neural.synthesise(text, voice, rate)
        return self.espeak.synthesise(text, voice, rate)
