"""Walk: a teacher hears and removes a recording of their voice (consent withdrawn, or a wrong
phrase); the pupil hears the computer's voice again, and staff of another class cannot."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.symbols.models import VoiceRecording
from tests import factories
from tests.symbols.test_voice_recordings import wav

PHRASE = "Tell a trusted adult."


def _record(client: FlaskClient, layer: str) -> int:
    saved = client.post(
        "/symbols/voice",
        data={"phrase": PHRASE, "layer": layer, "consent": "yes", "duration_ms": "1000",
              "audio": (io.BytesIO(wav()), "clip.wav")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert saved.status_code == 302
    return int(saved.status_code)


@pytest.mark.usefixtures("app")
def test_a_teacher_sees_and_removes_a_recording_and_the_pupil_hears_synthesis_again(
    session: Session,
    client: FlaskClient,
    login_as: Callable[..., Account],
    on_class_ipad: Callable[..., Any],
) -> None:
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    _record(client, f"pupil-{ben.id}")
    rid = session.scalars(select(VoiceRecording.id)).one()

    page = client.get("/symbols/voice").get_data(as_text=True)
    assert "Recordings pupils hear" in page
    assert f"/symbols/voice/{rid}.audio" in page  # to hear it again
    assert f"/symbols/voice/{rid}/remove" in page

    removed = client.post(f"/symbols/voice/{rid}/remove")
    assert removed.status_code == 302
    assert "Removed." in client.get(removed.location).get_data(as_text=True)
    session.expire_all()
    assert session.scalars(select(VoiceRecording)).all() == []
    actions = set(session.scalars(select(AuditEvent.action)))
    assert "symbols.voice_removed" in actions
    assert client.post(f"/symbols/voice/{rid}/remove").status_code == 404  # gone
    client.post("/sign-out")

    on_class_ipad(oak)
    client.post(f"/class-ipad/pupils/{ben.id}")
    spoken = client.post("/speech/clip", json={"text": PHRASE}).get_json()
    assert "recorded" not in spoken  # Ben hears the computer's voice again


@pytest.mark.usefixtures("app")
def test_staff_of_another_class_neither_see_nor_remove_a_recording(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak, ash = factories.make_class(session), factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    _record(client, f"pupil-{ben.id}")
    row = session.scalars(select(VoiceRecording)).one()
    client.post("/sign-out")

    login_as(Role.TEACHER, classes=[ash])
    page = client.get("/symbols/voice").get_data(as_text=True)
    assert f"/symbols/voice/{row.id}" not in page
    assert "No recordings yet" in page
    assert client.post(f"/symbols/voice/{row.id}/remove").status_code == 404
    session.expire_all()
    assert session.scalars(select(VoiceRecording)).one().id == row.id
