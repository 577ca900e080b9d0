"""The synthesiser: real espeak-ng through pyttsx3, one worker thread, timeouts, word timings."""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from classroom.speech import services
from classroom.speech.engine import (
    DEFAULT_VOICE,
    EVENT_END,
    EVENT_WORD,
    Speech,
    SpeechTimeout,
    SpeechUnavailable,
    Synthesiser,
    WordTiming,
    word_timings,
)

TEXT = "Tell a trusted adult if someone online is unkind to you."


def assert_good_timings(speech: Speech, text: str) -> None:
    starts = [w.start_ms for w in speech.words]
    assert starts == sorted(starts)
    for word, following in zip(speech.words, speech.words[1:], strict=False):
        assert word.end_ms <= following.start_ms
    for word in speech.words:
        assert 0 <= word.start_ms <= word.end_ms <= speech.duration_ms
        assert text[word.offset : word.offset + len(word.word)] == word.word


def test_espeak_speaks_british_english_with_word_timings(synthesiser: Synthesiser) -> None:
    assert synthesiser.default_voice() == DEFAULT_VOICE
    assert "gmw/en-gb-x-rp" in synthesiser.voices()
    speech = synthesiser.synthesise(TEXT, DEFAULT_VOICE, 150)
    assert speech.sample_rate == 22050
    assert 2000 < speech.duration_ms < 8000
    assert [w.word for w in speech.words][:4] == ["Tell", "a", "trusted", "adult"]
    assert len(speech.words) == len(TEXT.split())
    assert_good_timings(speech, TEXT)


def test_speaking_leaves_the_root_logger_alone(
    synthesiser: Synthesiser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyttsx3's driver logs each voice change through the root logger, which gave a root with
    no handler (the dev server's, `make run`) one: every request was then printed twice."""
    monkeypatch.setattr(logging.root, "handlers", [])
    synthesiser.synthesise("Which voice?", DEFAULT_VOICE, 150)
    assert logging.root.handlers == []


def test_the_driver_prints_nothing(
    synthesiser: Synthesiser, capsys: pytest.CaptureFixture[str]
) -> None:
    synthesiser.synthesise("Quiet please.", DEFAULT_VOICE, 150)
    assert capsys.readouterr().out == ""


def test_a_faster_rate_makes_shorter_speech(synthesiser: Synthesiser) -> None:
    slow = synthesiser.synthesise(TEXT, DEFAULT_VOICE, 90)
    fast = synthesiser.synthesise(TEXT, DEFAULT_VOICE, 250)
    assert fast.duration_ms < slow.duration_ms * 0.7


def test_odd_text_still_speaks(synthesiser: Synthesiser) -> None:
    text = "Caf\u00e9 \u00a35 \U0001f600 <b>stop</b> & tell \u2014 don\u2019t!"
    speech = synthesiser.synthesise(text, DEFAULT_VOICE, 150)
    assert speech.duration_ms > 500
    assert_good_timings(speech, text)


def test_threads_share_one_engine_and_all_succeed(synthesiser: Synthesiser) -> None:
    texts = [f"Message number {n} is kind." for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda t: synthesiser.synthesise(t, DEFAULT_VOICE, 150), texts))
    assert all(r.duration_ms > 500 for r in results)
    for text, speech in zip(texts, results, strict=True):
        assert speech.words[2].word == text.split()[2]


def test_unknown_voices_fall_back_to_british_and_are_logged(
    synthesiser: Synthesiser, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="classroom.speech.engine"):
        assert synthesiser.resolve_voice("klingon") == DEFAULT_VOICE
    assert "unknown speech voice 'klingon'" in caplog.text
    assert synthesiser.resolve_voice("GMW/EN-GB-X-RP") == "gmw/en-gb-x-rp"
    assert synthesiser.resolve_voice(None) == DEFAULT_VOICE


class FakeBackend:
    """Records which thread made it and ran each job; optionally slow."""

    version = "fake-1"
    voices = ("gmw/en",)

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.created_in = threading.current_thread()
        self.ran_in: set[threading.Thread] = set()
        self.active = 0
        self.most_at_once = 0

    def synthesise(self, text: str, voice: str, rate: int) -> Speech:  # noqa: ARG002 - a stand-in
        self.active += 1
        self.most_at_once = max(self.most_at_once, self.active)
        self.ran_in.add(threading.current_thread())
        time.sleep(self.delay)
        self.active -= 1
        return Speech(b"\0\0" * 2205, 22050, (WordTiming(text, 0, 100, 0),))


def test_every_job_runs_one_at_a_time_in_the_thread_that_made_the_engine() -> None:
    backends: list[FakeBackend] = []
    synthesiser = Synthesiser(lambda: backends.append(FakeBackend(0.002)) or backends[-1])
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda n: synthesiser.synthesise(str(n), "gmw/en", 150), range(12)))
    synthesiser.close()
    (backend,) = backends
    assert backend.ran_in == {backend.created_in}
    assert backend.created_in is not threading.main_thread()
    assert backend.most_at_once == 1
    assert synthesiser.jobs_run == 12


def test_a_hung_job_times_out_and_speech_recovers_after() -> None:
    backend = FakeBackend(delay=0.3)
    synthesiser = Synthesiser(lambda: backend, timeout=0.05)
    with pytest.raises(SpeechTimeout):
        synthesiser.synthesise("slow", "gmw/en", 150)
    time.sleep(0.06)
    assert not synthesiser.available()
    with pytest.raises(SpeechUnavailable, match="still busy"):
        synthesiser.synthesise("next", "gmw/en", 150)
    time.sleep(0.3)
    assert synthesiser.available()
    backend.delay = 0
    assert synthesiser.synthesise("fine", "gmw/en", 150).words[0].word == "fine"
    synthesiser.close()


def test_a_missing_engine_means_unavailable_not_a_crash() -> None:
    def missing() -> FakeBackend:
        raise OSError("libespeak-ng.so.1: cannot open shared object file")

    synthesiser = Synthesiser(missing)
    assert synthesiser.available() is False
    with pytest.raises(SpeechUnavailable, match="libespeak-ng"):
        synthesiser.synthesise("hello", "gmw/en", 150)


def test_a_failing_job_is_reported_to_its_caller_only() -> None:
    class Broken(FakeBackend):
        def synthesise(self, text: str, voice: str, rate: int) -> Speech:
            if text == "bad":
                raise RuntimeError("espeak produced no audio")
            return super().synthesise(text, voice, rate)

    synthesiser = Synthesiser(Broken)
    with pytest.raises(SpeechUnavailable, match="no audio"):
        synthesiser.synthesise("bad", "gmw/en", 150)
    assert synthesiser.synthesise("good", "gmw/en", 150).words[0].word == "good"
    synthesiser.close()


def test_word_timings_end_at_the_next_word_or_clause_and_never_go_back() -> None:
    text = "Stop. Block them."
    events = [
        (EVENT_WORD, 1, 4, 0),
        (EVENT_END, 5, 0, 600),
        (EVENT_WORD, 7, 5, 700),
        (EVENT_WORD, 6, 0, 650),  # espeak sends odd empty words; they are dropped
        (EVENT_WORD, 13, 4, 690),  # a start before the previous one is moved forward
        (EVENT_END, 17, 0, 5000),  # beyond the audio: clamped to its end
    ]
    assert word_timings(text, events, 1500) == (
        WordTiming("Stop", 0, 600, 0),
        WordTiming("Block", 700, 1500, 6),
        WordTiming("them", 700, 1500, 12),
    )


def test_a_forked_server_worker_never_uses_its_parents_engine(
    synthesiser: Synthesiser, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = Synthesiser(FakeBackend)
    own.synthesise("before", "gmw/en", 150)
    monkeypatch.setattr(services, "_shared", synthesiser)  # put back after the test
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as if in a child forked after start-up
    assert not own.available()
    with pytest.raises(SpeechUnavailable, match="forked"):
        own.synthesise("after", "gmw/en", 150)
    assert services.shared_synthesiser() is not synthesiser  # the child makes its own
