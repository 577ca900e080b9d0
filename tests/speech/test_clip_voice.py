"""/speech/clip with a voice the server does not have is a clear 400 naming the voices it has,
not a clip in another voice; pupil pages, which send the pupil's saved voice, still speak."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.devices.web import cookie_name
from classroom.pupils.models import Pupil
from classroom.speech import views
from classroom.speech.engine import DEFAULT_VOICE
from tests import factories


@pytest.fixture
def speech_app(app: Flask) -> Flask:
    if "speech" not in app.blueprints:
        app.register_blueprint(views.bp)
    return app


def _clip(client: FlaskClient, **payload: object) -> Any:
    return client.post("/speech/clip", json={"text": "Tell a trusted adult.", **payload})


@pytest.mark.usefixtures("speech_app")
@pytest.mark.parametrize("voice", ["robot-9000", "gmw/en-xx-nonsense", 7, ["gmw/en"]])
def test_an_unknown_voice_is_refused_by_name(
    client: FlaskClient, login_as: Callable[..., Any], voice: object
) -> None:
    login_as(Role.TEACHER)
    response = _clip(client, voice=voice)
    assert response.status_code == 400
    answer = response.get_json()
    assert answer["field"] == "voice"
    assert DEFAULT_VOICE in answer["error"]  # it says which voices there are
    assert "audio_url" not in answer


@pytest.mark.usefixtures("speech_app")
@pytest.mark.parametrize("payload", [{}, {"voice": DEFAULT_VOICE}, {"voice": ""}])
def test_the_default_or_a_voice_the_server_has_is_spoken(
    client: FlaskClient, login_as: Callable[..., Any], payload: dict[str, object]
) -> None:
    login_as(Role.TEACHER)
    response = _clip(client, **payload)
    assert response.status_code == 200
    assert response.get_json()["audio_url"]


def _pupil_on_ipad(app: Flask, session: Session, voice: str) -> tuple[FlaskClient, Pupil]:
    school_class = factories.make_class(session)
    pupil = factories.make_pupil(session, school_class, voice=voice)
    _, token = factories.make_device(session, school_class)
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    assert ipad.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    return ipad, pupil


def test_a_pupil_page_sends_the_pupils_voice_and_it_is_spoken(
    speech_app: Flask, session: Session
) -> None:
    ipad, _ = _pupil_on_ipad(speech_app, session, DEFAULT_VOICE)
    page = ipad.get("/pupil/").get_data(as_text=True)
    sent = re.search(r'data-speech-voice="([^"]*)"', page)
    assert sent is not None
    assert _clip(ipad, voice=sent.group(1)).status_code == 200


def test_a_pupils_saved_voice_the_server_no_longer_has_still_speaks(
    speech_app: Flask, session: Session
) -> None:
    ipad, pupil = _pupil_on_ipad(speech_app, session, "hibari/gone")  # uninstalled since
    assert _clip(ipad, voice=pupil.voice).status_code == 200  # in the default voice
    assert _clip(ipad, voice="robot-9000").status_code == 400  # not theirs: refused
