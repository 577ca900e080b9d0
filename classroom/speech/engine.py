"""Text to speech with pyttsx3 and espeak-ng, in one worker thread that owns the engine.

pyttsx3 is not thread-safe, shares one espeak instance per process, can hang, and prints to
stdout (research notes, section 3). So one daemon thread creates the engine and runs every
job; callers wait on a future with a timeout. The thread starts on first use, so a server that
forks its workers after loading the app (gunicorn --preload) gives each worker its own engine.
"""

from __future__ import annotations

import ctypes
import io
import logging
import os
import queue
import threading
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any, Protocol

logger = logging.getLogger(__name__)

DEFAULT_VOICE = "gmw/en"  # espeak-ng's British English
DEFAULT_RATE = 150  # words a minute; matches the pupil setting's default
MIN_RATE, MAX_RATE = 80, 260
JOB_TIMEOUT_SECONDS = 10.0
# espeak-ng's own voices speak 16-bit mono at 22,050 Hz (the MBROLA voices, which differ, are
# not offered).
ESPEAK_SAMPLE_RATE = 22050

# espeak event types (speak_lib.h) that mark where a word or a clause begins or ends.
EVENT_WORD, EVENT_END = 1, 5


class SpeechUnavailable(RuntimeError):  # noqa: N818 - reads as "except SpeechUnavailable"
    """No server speech right now; pages fall back to the device's own voice."""


class SpeechTimeout(SpeechUnavailable):
    """The engine took longer than the time allowed for one job."""


@dataclass(frozen=True)
class WordTiming:
    """When a word of the text is spoken: milliseconds from the start of the audio."""

    word: str
    start_ms: int
    end_ms: int
    offset: int  # index of the word's first character in the text

    def as_json(self) -> dict[str, str | int]:
        """The JSON form pages use to highlight words."""
        return {
            "word": self.word,
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
            "offset": self.offset,
        }


@dataclass(frozen=True)
class Speech:
    """16-bit mono PCM audio and the timing of each word in it."""

    pcm: bytes
    sample_rate: int
    words: tuple[WordTiming, ...]

    @property
    def duration_ms(self) -> int:
        """Length of the audio in milliseconds."""
        return len(self.pcm) * 1000 // (2 * self.sample_rate)


class Backend(Protocol):
    """What the worker thread drives; created and used only inside that thread."""

    version: str
    voices: tuple[str, ...]

    def synthesise(self, text: str, voice: str, rate: int) -> Speech:
        """Speak `text` into PCM with word timings."""
        ...


_Job = tuple[Future[Speech], str, str, int]


class Synthesiser:
    """Serialises every speech job through one thread that owns the backend."""

    def __init__(
        self,
        backend_factory: Callable[[], Backend] | None = None,
        timeout: float = JOB_TIMEOUT_SECONDS,
    ) -> None:
        self.timeout = timeout
        self.jobs_run = 0
        self._factory = backend_factory or EspeakBackend
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._ready: Future[Backend] = Future()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._busy_since: float | None = None
        self._closed = False

    def synthesise(self, text: str, voice: str, rate: int) -> Speech:
        """Speech for `text`; raises SpeechUnavailable (or SpeechTimeout) instead of hanging."""
        self._backend()
        if self._closed:
            raise SpeechUnavailable("this synthesiser has been closed")
        if self._stuck():
            raise SpeechUnavailable("the speech engine is still busy with an earlier job")
        job: Future[Speech] = Future()
        self._queue.put((job, text, voice, rate))
        try:
            return job.result(timeout=self.timeout)
        except TimeoutError:
            job.cancel()  # if it has not started, the worker skips it
            raise SpeechTimeout(f"speech took longer than {self.timeout:g} s") from None

    def available(self) -> bool:
        """Whether speech can be made now (engine started and not stuck on a job)."""
        try:
            self._backend()
        except SpeechUnavailable:
            return False
        return not self._closed and not self._stuck()

    @property
    def version(self) -> str:
        """The engine and its version; part of every cache key."""
        return self._backend().version

    def voices(self) -> tuple[str, ...]:
        """Identifiers of the English voices on this server."""
        return self._backend().voices

    def default_voice(self) -> str:
        """British English if installed, else the nearest English voice."""
        voices = self.voices()
        preferred = [DEFAULT_VOICE, *(v for v in voices if v.startswith("gmw/en-gb"))]
        return next((v for v in preferred if v in voices), voices[0] if voices else DEFAULT_VOICE)

    def resolve_voice(self, requested: str | None) -> str:
        """The requested voice if it exists here, else the default (logged, not an error)."""
        wanted = (requested or "").strip().lower()
        if wanted in self.voices():
            return wanted
        default = self.default_voice()
        if wanted:
            logger.warning("unknown speech voice %r; using %s", requested, default)
        return default

    def made_in_this_process(self) -> bool:
        """False in a child forked after this was made: its worker thread did not come along."""
        return self._pid == os.getpid()

    def close(self) -> None:
        """Stop the worker after the jobs already queued (the engine itself stays loaded)."""
        self._closed = True
        self._queue.put(None)

    def _backend(self) -> Backend:
        with self._lock:
            if not self.made_in_this_process():
                raise SpeechUnavailable("speech was started before this process was forked")
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="speech", daemon=True)
                self._thread.start()
        try:
            return self._ready.result(timeout=self.timeout)
        except TimeoutError:
            raise SpeechTimeout("the speech engine did not start in time") from None

    def _stuck(self) -> bool:
        busy_since = self._busy_since
        return busy_since is not None and time.monotonic() - busy_since > self.timeout

    def _work(self) -> None:
        try:
            backend = self._factory()
        except Exception as error:  # noqa: BLE001 - any failure means "no server speech"
            logger.warning("server speech is unavailable: %s", error)
            self._ready.set_exception(SpeechUnavailable(f"speech engine did not start: {error}"))
            return
        self._ready.set_result(backend)
        while (job := self._queue.get()) is not None:
            self._run(backend, *job)

    def _run(self, backend: Backend, job: Future[Speech], text: str, voice: str, rate: int) -> None:
        if not job.set_running_or_notify_cancel():
            return  # its caller gave up waiting
        self._busy_since = time.monotonic()
        try:
            job.set_result(backend.synthesise(text, voice, rate))
        except Exception as error:  # noqa: BLE001 - handed to the waiting caller
            job.set_exception(SpeechUnavailable(f"speech failed: {error}"))
        finally:
            self._busy_since = None
            self.jobs_run += 1


class EspeakBackend:
    """pyttsx3's espeak driver, created and used only in the worker thread."""

    _claimed = False  # espeak can be initialised once per process, so only one backend

    def __init__(self) -> None:
        if EspeakBackend._claimed:
            raise RuntimeError("espeak is already in use by another synthesiser in this process")
        EspeakBackend._claimed = True
        import pyttsx3  # noqa: PLC0415 - imported here: it raises at import time if libespeak-ng is missing
        from pyttsx3.drivers import _espeak, espeak  # noqa: PLC0415

        # The driver prints "Audio saved to ..." after every file; silence only that module.
        espeak.print = _discard
        # It also logs each voice change with the module-level logging.debug, which gives the
        # root logger a stderr handler when it has none: werkzeug then printed every request
        # twice. Its own named logger says the same and leaves the root logger alone.
        espeak.logging = logging.getLogger("pyttsx3.drivers.espeak")
        self._espeak = _espeak
        self._engine = pyttsx3.init("espeak")
        self._driver = self._engine.proxy._driver
        self._events: list[tuple[int, int, int, int]] = []
        self._pcm = bytearray()
        _espeak.SetSynthCallback(self._on_synth)
        self.voices = tuple(
            sorted(v.id for v in self._engine.getProperty("voices") if v.id.startswith("gmw/en"))
        )
        info = _espeak.Info()
        espeak_version = info.decode() if isinstance(info, bytes) else str(info)
        self.version = f"pyttsx3-{version('pyttsx3')}+espeak-ng-{espeak_version}"

    def synthesise(self, text: str, voice: str, rate: int) -> Speech:
        """Synthesise one utterance into memory (never `say()`, which plays on the speakers)."""
        self._events.clear()
        self._pcm = bytearray()
        # Drive the driver directly rather than Engine.runAndWait: that ends its loop through
        # driver.stop(), which cancels espeak whenever espeak_IsPlaying() happens to be true,
        # and the next utterance then comes out silent (seen under load).
        self._driver.setProperty("voice", voice)
        self._driver.setProperty("rate", rate)
        # A file target keeps the driver from playing the audio; we keep our own copy of it.
        self._driver.save_to_file(text, io.BytesIO())
        self._driver.startLoop()  # synthesises; the end-of-message callback ends the loop
        if not self._pcm:
            raise RuntimeError("espeak produced no audio")
        pcm = bytes(self._pcm)
        duration_ms = len(pcm) * 1000 // (2 * ESPEAK_SAMPLE_RATE)
        return Speech(pcm, ESPEAK_SAMPLE_RATE, word_timings(text, self._events, duration_ms))

    def _on_synth(self, wav: Any, numsamples: int, events: Any) -> int:
        # pyttsx3 drops espeak's word positions, so record them (and the audio) first.
        if self._driver._speaking:
            i = 0
            while (event := events[i]).type != self._espeak.EVENT_LIST_TERMINATED:
                self._events.append(
                    (event.type, event.text_position, event.length, event.audio_position)
                )
                i += 1
            if numsamples > 0:
                self._pcm += ctypes.string_at(wav, numsamples * 2)
        return int(self._driver._onSynth(wav, numsamples, events))


def _discard(*_args: object, **_kwargs: object) -> None:
    return None


def word_timings(
    text: str, events: Iterable[tuple[int, int, int, int]], duration_ms: int
) -> tuple[WordTiming, ...]:
    """Word timings from espeak events (type, 1-based character position, length, ms).

    A word ends where the next word or clause begins, or at the end of the audio; starts never
    go backwards, so a page can highlight by comparing with the audio's current time.
    """
    starts: list[tuple[int, str, int]] = []
    boundaries = [duration_ms]
    for kind, position, length, at_ms in events:
        at_ms = max(0, min(at_ms, duration_ms))
        if kind in (EVENT_WORD, EVENT_END):
            boundaries.append(at_ms)
        offset = position - 1
        word = text[offset : offset + length] if 0 <= offset < len(text) else ""
        if kind == EVENT_WORD and length > 0 and word.strip():
            starts.append((offset, word, at_ms))
    boundaries.sort()
    timings: list[WordTiming] = []
    previous = 0
    for offset, word, at_ms in starts:
        start = max(at_ms, previous)
        following = bisect_right(boundaries, start)
        end = boundaries[following] if following < len(boundaries) else duration_ms
        timings.append(WordTiming(word, start, max(end, start), offset))
        previous = start
    return tuple(timings)
