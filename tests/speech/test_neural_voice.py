"""The natural neural voice (hibari-tts, offline): a clip with timings, chosen per pupil,
and espeak-ng whenever the neural voice is not there."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.speech import services
from classroom.speech.engine import Speech, Synthesiser
from classroom.speech.neural import PREFIX, RoutingBackend, aligned_timings
from tests import factories
from tests.speech.mp3 import parse_mp3

NEURAL = "hibari/heart"


def test_the_shared_synthesiser_offers_espeak_and_the_neural_voice(
    synthesiser: Synthesiser,
) -> None:
    voices = synthesiser.voices()
    assert "gmw/en" in voices
    assert NEURAL in voices
    assert all(not v.startswith(PREFIX) or v == NEURAL for v in voices)  # nothing downloaded
    assert "hibari-tts" in synthesiser.version


def test_the_neural_voice_makes_a_clip_with_word_timings(
    synthesiser: Synthesiser, cache: Path
) -> None:
    text = "Tell a trusted adult."
    clip = services.make_clip(text, voice=NEURAL, directory=cache, synthesiser=synthesiser)
    assert clip.voice == NEURAL
    audio = services.audio_path(cache, clip.key)
    assert audio is not None
    assert abs(parse_mp3(audio.read_bytes()).duration_ms - clip.duration_ms) < 200
    assert [w.word for w in clip.words] == ["Tell", "a", "trusted", "adult"]
    starts = [w.start_ms for w in clip.words]
    assert starts == sorted(starts)
    assert clip.words[-1].end_ms <= clip.duration_ms
    espeak = services.make_clip(text, voice="gmw/en", directory=cache, synthesiser=synthesiser)
    assert espeak.key != clip.key  # cached apart, per voice


def test_a_pupils_voice_is_used_and_an_unknown_one_falls_back_to_espeak(
    synthesiser: Synthesiser,
) -> None:
    assert synthesiser.resolve_voice(NEURAL) == NEURAL
    assert synthesiser.resolve_voice("hibari/emma") == "gmw/en"  # not shipped: never fetched


def test_without_the_neural_engine_only_espeak_speaks(monkeypatch: pytest.MonkeyPatch) -> None:
    class Espeak:  # espeak allows one engine a process; the real one is the shared synthesiser's
        voices = ("gmw/en",)
        version = "espeak"

        def synthesise(self, text: str, voice: str, rate: int) -> Speech:  # noqa: ARG002 - a stand-in
            return Speech(b"\0\0", 22050, ())

    def broken(_self: object) -> None:
        raise ImportError("hibari is not installed")

    monkeypatch.setattr("classroom.speech.neural.EspeakBackend", Espeak)
    monkeypatch.setattr("classroom.speech.neural.HibariBackend.__init__", broken)
    backend = RoutingBackend()
    assert backend.voices == ("gmw/en",)
    assert backend.synthesise("Hello", NEURAL, 150).sample_rate == 22050  # routed to espeak


def test_alignment_spreads_words_over_the_voiced_audio() -> None:
    timings = aligned_timings("I can tell.", (200, 1200), 1400)
    assert [t.word for t in timings] == ["I", "can", "tell"]
    assert timings[0].start_ms == 200
    assert timings[-1].end_ms == 1200
    assert [t.offset for t in timings] == [0, 2, 6]


@pytest.mark.usefixtures("app")
def test_staff_choose_the_natural_voice_for_one_pupil(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = factories.make_class(session)
    amira, ben = factories.make_pupil(session, oak), factories.make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    page = client.get(f"/pupils/{amira.id}/settings").get_data(as_text=True)
    assert '<option value="hibari/heart">Natural voice</option>' in page
    form = {"pathway": "formal", "tile_symbol": "1F98A", "symbol_size": "large",
            "speech_rate": "150", "scanning": "off", "scan_interval_ms": "2000"}  # fmt: skip
    bad = client.post(f"/pupils/{amira.id}/settings", data={**form, "voice": "hibari/emma"})
    assert bad.status_code == 400
    assert "Choose one of the voices shown." in bad.get_data(as_text=True)
    done = client.post(f"/pupils/{amira.id}/settings", data={**form, "voice": NEURAL})
    assert done.status_code == 302
    session.refresh(amira)
    session.refresh(ben)
    assert (amira.voice, ben.voice) == (NEURAL, "gmw/en")
