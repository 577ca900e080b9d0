"""Staff record their own voice for key phrases and names; pupils hear it instead of synthesis.

Speech-and-language therapists rely on a familiar voice for pupils who attend to a known
person. A recording is made in the browser (MediaRecorder), only after the speaker ticks that
they agree to their voice being used (the consent is stored with it), and is used for one
pupil, a class or the whole school: the most specific wins, as for symbols.

A phrase has one take on a layer: a new take replaces the old one, and a recording removed or
replaced has its file deleted once the change is committed (`photos.delete_after_commit`), as
photos are: a person's voice is kept only while pupils hear it.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid, within
from classroom.photos import Stored, delete_after_commit, named
from classroom.principals import Actor
from classroom.pupils.models import Pupil, SchoolClass
from classroom.symbols import services
from classroom.symbols.models import VoiceRecording
from classroom.symbols.vocabulary import normalise

MAX_BYTES = 1_000_000  # about a minute of compressed speech
MAX_DURATION_MS = 60_000
MAX_PHRASE = 200  # the phrase box's limit too (symbols/voice.html)
# What browsers' MediaRecorder (and a phone's voice memo) make, told apart by their first bytes.
FORMATS = {"mp4": "audio/mp4", "webm": "audio/webm", "mp3": "audio/mpeg", "wav": "audio/wav"}


def sniff(data: bytes) -> str | None:
    """The audio container by its magic bytes (never trusting the file name or browser type)."""
    if data[4:8] == b"ftyp":
        return "mp4"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "mp3"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    return None


FOLDER = "voice_recordings"
FILE_NAME = re.compile(rf"^[0-9a-f]{{32}}\.({'|'.join(FORMATS)})$")  # what `_store` names one


def folder(instance_path: str | Path) -> Path:
    """Where recordings are kept: a folder of the app's instance folder (the caller's
    setting; views pass `current_app.instance_path`)."""
    return Path(instance_path) / FOLDER


def _recording_names(session: Session) -> set[str]:
    return named(session, VoiceRecording.audio_file)


STORED = Stored(FOLDER, FILE_NAME, _recording_names)  # the worker sweeps files no row names


def add_recording(
    session: Session,
    actor: Actor,
    phrase: str,
    data: bytes,
    duration_ms: int,
    *,
    consent: bool,
    school_class: SchoolClass | None = None,
    pupil: Pupil | None = None,
    target: Path,
    now: datetime,
) -> VoiceRecording:
    """Keep a member of staff's recording of a phrase for a layer (its file in `target`,
    `folder`), in place of any earlier take of the phrase there; audited with the consent."""
    if not isinstance(actor, Account) or not actor.is_staff:
        raise Forbidden("only staff record phrases")
    services.check_layer(session, actor, school_class, pupil)
    key = normalise(within(phrase, MAX_PHRASE, "The phrase you say", "phrase"))
    if not key or len(key) > MAX_PHRASE:
        raise Invalid(f"Type the phrase you said (at most {MAX_PHRASE} letters).", "phrase")
    if not consent:
        raise Invalid("Tick that you agree to your voice being used for pupils.", "consent")
    kind = sniff(data) if 0 < len(data) <= MAX_BYTES else None
    if kind is None:
        raise Invalid("That recording could not be used: record again (at most a minute).", "audio")
    class_id, pupil_id = (school_class.id if school_class else None), (pupil.id if pupil else None)
    earlier = _takes(session, actor.school_id, key, class_id, pupil_id)
    row = VoiceRecording(
        school_id=actor.school_id, class_id=class_id, pupil_id=pupil_id,
        phrase=key, audio_file=_store(data, kind, target), mimetype=FORMATS[kind],
        duration_ms=max(1, min(duration_ms, MAX_DURATION_MS)),
        recorded_by_id=actor.id, consent_at=now, created_at=now,
    )  # fmt: skip
    for old in earlier:  # pupils only ever heard the newest: the old take is not kept
        session.delete(old)
    session.add(row)
    session.flush()
    _delete_files(session, earlier, target)
    owner = pupil or school_class
    replaced = ", replacing the earlier recording" if earlier else ""
    record(session, actor, "symbols.voice_recorded", owner, f"{key!r}, consent given{replaced}")
    return row


def _takes(
    session: Session, school_id: int, phrase: str, class_id: int | None, pupil_id: int | None
) -> list[VoiceRecording]:
    """The recordings of this phrase on exactly this layer (one, or more made before a new take
    replaced the old)."""
    query = select(VoiceRecording).where(
        VoiceRecording.school_id == school_id,
        VoiceRecording.phrase == phrase,
        VoiceRecording.class_id == class_id,  # "IS NULL" when None
        VoiceRecording.pupil_id == pupil_id,
    )
    return list(session.scalars(query))


def _delete_files(session: Session, rows: list[VoiceRecording], target: Path) -> None:
    # Only once the change is committed: a request rolled back keeps the row, so the file too.
    # A crash after the commit leaves a file no row names, which the worker sweeps (STORED).
    delete_after_commit(session, target, [r.audio_file for r in rows], pattern=FILE_NAME)


def recordings_on(
    session: Session, school_id: int, class_ids: set[int], pupil_ids: set[int], *, school: bool
) -> list[VoiceRecording]:
    """The recordings kept for these layers (the school's if `school`), newest first: what
    the voice page lists for a member of staff to hear again or remove."""
    layers = [
        and_(VoiceRecording.class_id.in_(class_ids), VoiceRecording.pupil_id.is_(None)),
        VoiceRecording.pupil_id.in_(pupil_ids),
    ]
    if school:
        layers.append(and_(VoiceRecording.class_id.is_(None), VoiceRecording.pupil_id.is_(None)))
    query = select(VoiceRecording).where(VoiceRecording.school_id == school_id, or_(*layers))
    return list(session.scalars(query.order_by(VoiceRecording.id.desc())))


def remove_recording(session: Session, actor: Actor, row: VoiceRecording, *, target: Path) -> None:
    """Stop using a recording (its speaker withdrew consent, or it was wrong): by anyone who may
    change its layer; audited. Its file (in `target`, `folder`) is deleted once committed."""
    if not isinstance(actor, Account) or not actor.is_staff or actor.school_id != row.school_id:
        raise Forbidden("only the school's staff remove recordings")
    school_class = session.get(SchoolClass, row.class_id) if row.class_id else None
    pupil = session.get(Pupil, row.pupil_id) if row.pupil_id else None
    services.check_layer(session, actor, school_class, pupil)
    session.delete(row)
    session.flush()
    _delete_files(session, [row], target)
    record(session, actor, "symbols.voice_removed", pupil or school_class, f"{row.phrase!r}")


def recording_for(session: Session, pupil: Pupil, text: str) -> VoiceRecording | None:
    """The recording a pupil hears for this text: their own, else their class's, else the
    school's; the newest on a layer."""
    query = select(VoiceRecording).where(
        VoiceRecording.school_id == pupil.school_id,
        VoiceRecording.phrase == normalise(text),
        or_(
            VoiceRecording.pupil_id == pupil.id,
            and_(VoiceRecording.class_id == pupil.class_id, VoiceRecording.pupil_id.is_(None)),
            and_(VoiceRecording.class_id.is_(None), VoiceRecording.pupil_id.is_(None)),
        ),
    )
    rows = list(session.scalars(query))
    rank = {"pupil": 0, "class": 1, "school": 2}

    def layer(row: VoiceRecording) -> str:
        return "pupil" if row.pupil_id else ("class" if row.class_id else "school")

    return min(rows, key=lambda r: (rank[layer(r)], -r.id), default=None)


def recording_path(row: VoiceRecording, target: Path) -> Path | None:
    path = target / row.audio_file
    return path if path.is_file() else None


def _store(data: bytes, kind: str, target: Path) -> str:
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    fd, temporary = tempfile.mkstemp(dir=target, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, target / name)
    return name
