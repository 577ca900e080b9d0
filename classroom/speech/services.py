"""Clips: lesson text made into MP3 + word timings once, then served from a disk cache.

A clip's key is the sha256 of engine version, encoding, voice, rate and text, so a new engine
or setting never serves stale audio. Files are written to a temporary name and renamed into
place, so a request never reads half a file, even with several server processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from classroom.errors import Invalid
from classroom.speech.audio import ENCODING, encode_mp3
from classroom.speech.engine import (
    DEFAULT_RATE,
    MAX_RATE,
    MIN_RATE,
    SpeechUnavailable,
    Synthesiser,
    WordTiming,
)
from classroom.speech.neural import RoutingBackend

logger = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 1000
KEY = re.compile(r"^[0-9a-f]{64}$")
SYNTHESISER_EXTENSION = "speech.synthesiser"  # tests and special set-ups may put their own here
TEXT_SOURCES_EXTENSION = "speech.text_sources"

_shared: Synthesiser | None = None
_shared_lock = threading.Lock()
# Requests for the same new clip wait for one synthesis instead of each making it.
_KEY_LOCKS = tuple(threading.Lock() for _ in range(64))

TextSource = Callable[[], Iterable[str]]


@dataclass(frozen=True)
class Clip:
    """One piece of text as cached audio: where it is and when each word is spoken."""

    key: str
    text: str
    voice: str
    rate: int
    duration_ms: int
    audio_bytes: int
    words: tuple[WordTiming, ...]
    created: bool = False  # made by this call, rather than found in the cache

    def as_json(self) -> dict[str, Any]:
        """The timings file's content (also most of the clip endpoint's answer)."""
        return {
            "key": self.key,
            "text": self.text,
            "voice": self.voice,
            "rate": self.rate,
            "duration_ms": self.duration_ms,
            "audio_bytes": self.audio_bytes,
            "words": [w.as_json() for w in self.words],
        }


def shared_synthesiser() -> Synthesiser:
    """The process's one synthesiser (espeak allows only one per process): espeak-ng, plus
    the neural voice where hibari-tts is installed."""
    global _shared
    with _shared_lock:
        # A forked server worker makes its own (the parent's worker thread is not copied).
        if _shared is None or not _shared.made_in_this_process():
            _shared = Synthesiser(RoutingBackend)
        return _shared


def voice_choices(synthesiser: Synthesiser) -> dict[str, str]:
    """The voices this server can speak, with plain names for staff."""
    try:
        voices = synthesiser.voices()
    except (SpeechUnavailable, OSError, RuntimeError) as error:
        # No server speech: only the default voice can be kept; the reason goes to the log.
        logger.warning("server voices unavailable: %s", error)
        voices = ("gmw/en",)
    named = {"gmw/en": "British English (espeak, robotic)", "hibari/heart": "Natural voice"}
    return {v: named.get(v, v) for v in voices if v in named or v.startswith("gmw/en")}


def cache_dir(config: Mapping[str, Any], instance_path: str | Path) -> Path:
    """Where clips are kept: SPEECH_CACHE_DIR, or the instance folder's audio/."""
    configured = config.get("SPEECH_CACHE_DIR")
    return Path(configured) if configured else Path(instance_path) / "audio"


def clip_key(text: str, voice: str, rate: int, engine: str) -> str:
    """The cache key of a clip: changes whenever anything that shapes the audio changes."""
    material = "\x1f".join([engine, ENCODING, voice, str(rate), text])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def audio_path(directory: Path, key: str) -> Path | None:
    """The MP3 file for a key (None for a malformed key, so no path can escape the cache)."""
    return _paths(directory, key)[0] if KEY.match(key) else None


def timings_path(directory: Path, key: str) -> Path | None:
    """The timings JSON file for a key, or None for a malformed key."""
    return _paths(directory, key)[1] if KEY.match(key) else None


def _paths(directory: Path, key: str) -> tuple[Path, Path]:
    # Two-character subfolders keep each folder small however many clips there are.
    folder = directory / key[:2]
    return folder / f"{key}.mp3", folder / f"{key}.json"


def checked_text(text: object) -> str:
    """The text to speak, or Invalid saying why it cannot be spoken."""
    if not isinstance(text, str) or not text.strip():
        raise Invalid("There is no text to read aloud.", "text")
    if len(text) > MAX_TEXT_LENGTH:
        raise Invalid(f"Text to read aloud can be at most {MAX_TEXT_LENGTH} characters.", "text")
    return text


def checked_rate(rate: object) -> int:
    """Words a minute: the default when not given, Invalid when outside the pupil range."""
    if rate is None:
        return DEFAULT_RATE
    if isinstance(rate, bool) or not isinstance(rate, int) or not MIN_RATE <= rate <= MAX_RATE:
        raise Invalid(f"Speech rate must be a whole number from {MIN_RATE} to {MAX_RATE}.", "rate")
    return rate


def make_clip(
    text: object,
    *,
    voice: str | None = None,
    rate: object = None,
    directory: Path,
    synthesiser: Synthesiser,
) -> Clip:
    """The clip for this text, voice and rate: from the cache in `directory` (`cache_dir`),
    or made by `synthesiser` and cached."""
    spoken = checked_text(text)
    words_a_minute = checked_rate(rate)
    chosen_voice = synthesiser.resolve_voice(voice)
    key = clip_key(spoken, chosen_voice, words_a_minute, synthesiser.version)
    cached = read_clip(directory, key)
    if cached is not None:
        return cached
    with _KEY_LOCKS[int(key[:8], 16) % len(_KEY_LOCKS)]:
        cached = read_clip(directory, key)
        if cached is not None:
            return cached
        return _synthesise(directory, key, synthesiser, spoken, chosen_voice, words_a_minute)


def cached_clip(
    text: object,
    *,
    voice: str | None = None,
    rate: object = None,
    directory: Path,
    synthesiser: Synthesiser,
) -> Clip | None:
    """The clip for this text, voice and rate if it is already cached; never synthesises.

    Checks its input as `make_clip` does, so the speech limits can let cache hits through
    for free and count (or refuse) only what would be made new.
    """
    spoken = checked_text(text)
    words_a_minute = checked_rate(rate)
    key = clip_key(spoken, synthesiser.resolve_voice(voice), words_a_minute, synthesiser.version)
    return read_clip(directory, key)


def read_clip(directory: Path, key: str) -> Clip | None:
    """A cached clip, or None if it is not (completely) in the cache."""
    audio, timings = audio_path(directory, key), timings_path(directory, key)
    if audio is None or timings is None or not audio.is_file():
        return None
    try:
        data = json.loads(timings.read_text(encoding="utf-8"))
        words = tuple(WordTiming(**w) for w in data["words"])
        return Clip(
            key,
            data["text"],
            data["voice"],
            data["rate"],
            data["duration_ms"],
            data["audio_bytes"],
            words,
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as error:
        logger.warning("speech cache entry %s is unreadable (%s); making it again", key, error)
        return None


def _synthesise(
    folder: Path, key: str, engine: Synthesiser, text: str, voice: str, rate: int
) -> Clip:
    speech = engine.synthesise(text, voice, rate)
    mp3 = encode_mp3(speech.pcm, speech.sample_rate)
    clip = Clip(key, text, voice, rate, speech.duration_ms, len(mp3), speech.words, created=True)
    audio, timings = _paths(folder, key)
    # Audio first, timings last: a clip counts as cached only once its timings file exists.
    _write_atomically(audio, mp3)
    _write_atomically(timings, json.dumps(clip.as_json(), ensure_ascii=False).encode("utf-8"))
    return clip


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # noqa: S103 - lesson audio, readable by the web server
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def register_text_source(app: Flask, source: TextSource) -> None:
    """Add texts (e.g. every lesson's pupil texts) for `flask speech pregenerate` to make."""
    app.extensions.setdefault(TEXT_SOURCES_EXTENSION, []).append(source)


def registered_texts(app: Flask) -> Iterable[str]:
    """Every text from the sources other features registered on the app."""
    for source in app.extensions.get(TEXT_SOURCES_EXTENSION, []):
        yield from source()


@dataclass
class PregenerateReport:
    """What `pregenerate` did: new clips, clips already cached, and texts that failed."""

    created: int = 0
    cached: int = 0
    audio_bytes: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def pregenerate(
    texts: Iterable[str],
    *,
    voices: Iterable[str | None] = (None,),
    rates: Iterable[int] = (DEFAULT_RATE,),
    directory: Path,
    synthesiser: Synthesiser,
) -> PregenerateReport:
    """Make clips ahead of time so pupils never wait; each distinct text once per voice/rate."""
    report = PregenerateReport()
    settings = [(v, r) for v in dict.fromkeys(voices) for r in dict.fromkeys(rates)]
    for text in dict.fromkeys(t for t in texts if t.strip()):
        for voice, rate in settings:
            try:
                clip = make_clip(
                    text, voice=voice, rate=rate, directory=directory, synthesiser=synthesiser
                )
            except Invalid as error:
                report.failed.append((text, error.message))
                continue
            report.created += clip.created
            report.cached += not clip.created
            report.audio_bytes += clip.audio_bytes
    return report
