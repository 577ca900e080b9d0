"""A new take of a phrase replaces the old one on its layer; a removed recording's file goes.

Every take a member of staff recorded of a phrase for a pupil, a class or the school was kept for
ever, row and file, though pupils only ever heard the newest: the page listed each old take under
"Recordings pupils hear", removing the newest brought an old one back (while saying pupils hear
the computer's voice again), and a removed recording's file stayed on disk until the worker's
sweep. A person's voice is personal data kept only while it is used, as photos are: the old take
goes, and its file only once the request has committed, so a request that fails keeps it playing.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.pupils.models import Pupil, SchoolClass
from classroom.symbols import recordings
from classroom.symbols.models import VoiceRecording
from tests import factories
from tests.symbol_helpers import recording_folder
from tests.symbols.test_voice_recordings import wav

PHRASE = "Tell a trusted adult."


def _post(client: FlaskClient, layer: str, seconds: float, phrase: str = PHRASE) -> None:
    saved = client.post(
        "/symbols/voice",
        data={"phrase": phrase, "layer": layer, "consent": "yes", "duration_ms": "1000",
              "audio": (io.BytesIO(wav(seconds)), "clip.wav")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert saved.status_code == 302


def _files() -> set[str]:
    folder = recording_folder()
    return set(os.listdir(folder)) if folder.is_dir() else set()


def _rows(session: Session) -> list[VoiceRecording]:
    session.expire_all()
    return list(session.scalars(select(VoiceRecording).order_by(VoiceRecording.id)))


def _take(
    session: Session,
    teacher: Account,
    seconds: float,
    *,
    school_class: SchoolClass | None = None,
    pupil: Pupil | None = None,
) -> VoiceRecording:
    return recordings.add_recording(
        session, teacher, PHRASE, wav(seconds), 1000, consent=True,
        school_class=school_class, pupil=pupil, target=recording_folder(), now=utcnow(),
    )  # fmt: skip


@pytest.mark.usefixtures("app")
def test_a_second_take_replaces_the_first_and_its_file_goes(
    session: Session,
    client: FlaskClient,
    login_as: Callable[..., Account],
    on_class_ipad: Callable[..., Any],
) -> None:
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    _post(client, f"class-{oak.id}", 1.0)  # the class's take: another layer, kept
    _post(client, f"pupil-{ben.id}", 1.0, phrase="Well done")  # another phrase, kept
    _post(client, f"pupil-{ben.id}", 1.0)
    (first,) = [r for r in _rows(session) if r.pupil_id == ben.id and r.phrase != "well done"]
    first_id, first_file = first.id, recording_folder() / first.audio_file
    assert first_file.is_file()

    _post(client, f"pupil-{ben.id}", 2.0)  # a better take

    rows = _rows(session)
    assert len(rows) == 3  # one take a phrase on a layer
    (second,) = [r for r in rows if r.pupil_id == ben.id and r.phrase != "well done"]
    assert second.id != first_id
    assert not first_file.exists()
    assert _files() == {r.audio_file for r in rows}  # every file is one a row names
    page = client.get("/symbols/voice").get_data(as_text=True)
    assert f"/symbols/voice/{first_id}.audio" not in page  # not listed as heard any more
    assert f"/symbols/voice/{second.id}.audio" in page
    assert client.get(f"/symbols/voice/{first_id}.audio").status_code == 404
    summaries = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "symbols.voice_recorded")
    )
    assert any("replacing the earlier recording" in (s or "") for s in summaries)
    client.post("/sign-out")

    on_class_ipad(oak)
    client.post(f"/class-ipad/pupils/{ben.id}")
    clip = client.post("/speech/clip", json={"text": PHRASE}).get_json()
    assert clip["audio_url"].endswith(f"/symbols/voice/{second.id}.audio")
    assert len(client.get(clip["audio_url"]).data) == len(wav(2.0))


@pytest.mark.usefixtures("app")
def test_a_new_take_in_a_request_rolled_back_leaves_the_old_take_playing(
    session: Session,
) -> None:
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    teacher = factories.make_account(session, Role.TEACHER, classes=[oak])
    old = _take(session, teacher, 1.0, school_class=oak)
    session.commit()
    old_id, old_file = old.id, recording_folder() / old.audio_file

    _take(session, teacher, 2.0, school_class=oak)
    session.flush()
    assert old_file.is_file()  # not before the commit
    session.rollback()  # the request failed after the new take
    assert old_file.is_file()
    found = recordings.recording_for(session, ben, PHRASE)
    assert found is not None
    assert found.id == old_id  # Ben still hears the take he knows

    new = _take(session, teacher, 2.0, school_class=oak)
    session.commit()
    assert not old_file.exists()
    assert [r.id for r in _rows(session)] == [new.id]


@pytest.mark.usefixtures("app")
def test_removing_a_recording_deletes_its_file_once_committed(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak = factories.make_class(session)
    teacher = factories.make_account(session, Role.TEACHER, classes=[oak])
    row = _take(session, teacher, 1.0, school_class=oak)
    session.commit()
    path: Path = recording_folder() / row.audio_file

    recordings.remove_recording(session, teacher, row, target=recording_folder())
    session.rollback()  # the request failed: the recording is kept, and plays
    assert path.is_file()
    assert [r.id for r in _rows(session)] == [row.id]

    login_as(Role.TEACHER, classes=[oak])
    assert client.post(f"/symbols/voice/{row.id}/remove").status_code == 302
    assert _rows(session) == []
    assert not path.exists()  # the speaker's voice is gone, not left for the sweep
    assert _files() == set()
