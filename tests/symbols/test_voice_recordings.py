"""Staff recordings of key phrases: consent required, used instead of synthesis for the pupils
they are for, served with byte ranges."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.symbols import recordings
from tests import factories
from tests.symbol_helpers import recording_folder


def wav(seconds: float = 1.0) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(8000)
        file.writeframes(b"\x10\x00" * int(8000 * seconds))
    return out.getvalue()


def test_a_recording_needs_consent_and_real_audio(session: Session) -> None:
    oak = factories.make_class(session)
    teacher = factories.make_account(session, Role.TEACHER, classes=[oak])
    with pytest.raises(Invalid, match="agree"):
        recordings.add_recording(
            session,
            teacher,
            "Hello",
            wav(),
            1000,
            consent=False,
            school_class=oak,
            target=recording_folder(),
            now=utcnow(),
        )
    with pytest.raises(Invalid, match="could not be used"):
        recordings.add_recording(
            session,
            teacher,
            "Hello",
            b"<script>",
            1000,
            consent=True,
            school_class=oak,
            target=recording_folder(),
            now=utcnow(),
        )
    row = recordings.add_recording(
        session,
        teacher,
        "Hello",
        wav(),
        1000,
        consent=True,
        school_class=oak,
        target=recording_folder(),
        now=utcnow(),
    )
    assert row.mimetype == "audio/wav"
    assert row.consent_at is not None
    assert "symbols.voice_recorded" in set(session.scalars(select(AuditEvent.action)))


def test_the_most_specific_recording_wins(session: Session) -> None:
    oak = factories.make_class(session)
    teacher = factories.make_account(session, Role.TEACHER, classes=[oak])
    ben, dev = factories.make_pupil(session, oak), factories.make_pupil(session, oak)
    for_class = recordings.add_recording(
        session,
        teacher,
        "Well done!",
        wav(),
        900,
        consent=True,
        school_class=oak,
        target=recording_folder(),
        now=utcnow(),
    )
    for_ben = recordings.add_recording(
        session,
        teacher,
        "well done",
        wav(),
        900,
        consent=True,
        pupil=ben,
        target=recording_folder(),
        now=utcnow(),
    )
    assert recordings.recording_for(session, ben, "Well done") == for_ben
    assert recordings.recording_for(session, dev, "Well done!") == for_class
    assert recordings.recording_for(session, dev, "Good job") is None


@pytest.mark.usefixtures("app")
def test_a_recorded_phrase_replaces_synthesis_and_is_served_with_byte_ranges(
    session: Session,
    client: FlaskClient,
    login_as: Callable[..., Account],
    on_class_ipad: Callable[..., Any],
) -> None:
    oak = factories.make_class(session)
    ben, dev = factories.make_pupil(session, oak), factories.make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    saved = client.post(
        "/symbols/voice",
        data={"phrase": "Tell a trusted adult.", "layer": f"pupil-{ben.id}", "consent": "yes",
              "duration_ms": "1000", "audio": (io.BytesIO(wav()), "clip.wav")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert saved.status_code == 302
    client.post("/sign-out")

    on_class_ipad(oak)
    client.post(f"/class-ipad/pupils/{ben.id}")
    clip = client.post("/speech/clip", json={"text": "Tell a trusted adult."}).get_json()
    assert clip["recorded"] is True
    assert [w["word"] for w in clip["words"]] == ["Tell", "a", "trusted", "adult"]
    partial = client.get(clip["audio_url"], headers={"Range": "bytes=0-99"})
    assert partial.status_code == 206
    assert partial.headers["Content-Range"].startswith("bytes 0-99/")
    assert len(partial.data) == 100
    assert "public" not in partial.headers["Cache-Control"]
    client.post("/sign-out")

    client.post(f"/class-ipad/pupils/{dev.id}")
    assert client.get(clip["audio_url"]).status_code == 404  # Dev has no such recording
    spoken = client.post("/speech/clip", json={"text": "Tell a trusted adult."}).get_json()
    assert "recorded" not in spoken  # Dev hears the synthesised voice
