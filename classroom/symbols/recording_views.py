"""Staff record a key phrase in their own voice; pupils' pages play it instead of synthesis."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from classroom import policy
from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.errors import too_long
from classroom.policy import allow
from classroom.principals import PupilPrincipal
from classroom.pupils.models import Pupil, SchoolClass
from classroom.symbols import recordings
from classroom.symbols.forms import LAYER_KEY
from classroom.symbols.models import VoiceRecording
from classroom.symbols.views import Target, _editable_targets, _staff, _target, bp, listed_pupils
from classroom.symbols.web import recording_folder
from classroom.web import apply_form, current_actor, small_file_response, whole_number


@bp.get("/voice")
@allow("edit_pupil_settings")
def voice() -> ResponseReturnValue:
    """Record a phrase or a name in your own voice for a pupil, a class or the school."""
    listed_pupils(_editable_targets(), "recording a voice")
    return _voice_page()


def _kept(targets: list[Target]) -> list[tuple[VoiceRecording, str]]:
    """The recordings on the layers this person may change, each with who it is for."""
    names = {t.key: t.label for t in targets}
    classes = {t.school_class.id for t in targets if t.school_class is not None}
    pupils = {t.pupil.id for t in targets if t.pupil is not None}
    rows = recordings.recordings_on(
        get_session(), _staff().school_id, classes, pupils, school="school" in names
    )
    return [(row, names[_layer_key(row)]) for row in rows if _layer_key(row) in names]


def _layer_key(row: VoiceRecording) -> str:
    """The chooser's key for the layer a recording is on (pupil-N, class-N or school)."""
    if row.pupil_id:
        return f"pupil-{row.pupil_id}"
    return f"class-{row.class_id}" if row.class_id else "school"


def _voice_page(error: str | None = None, status: int = 400) -> ResponseReturnValue:
    """The page, and after a refusal the phrase and choice as they were sent (the phrase whole,
    however long: its message says how much to take off)."""
    phrase = request.form.get("phrase", "") if error else ""
    targets = _editable_targets()
    page = render_template(
        "symbols/voice.html",
        targets=targets,
        kept=_kept(targets),
        error=error,
        phrase_max=recordings.MAX_PHRASE,
        phrase=phrase,
        phrase_error=(
            too_long("The phrase you say", recordings.MAX_PHRASE, phrase)
            if len(phrase) > recordings.MAX_PHRASE
            else None
        ),
        layer=request.form.get("layer", "") if error else "",
    )
    return page, (status if error else 200)


@bp.post("/voice")
@allow("edit_pupil_settings")
def voice_save() -> ResponseReturnValue:
    """Keep a recording, with the speaker's consent; audited."""
    layer = request.form.get("layer", "")
    if not LAYER_KEY.fullmatch(layer):
        return _voice_page("Choose who the recording is for.")
    target = _target(layer)
    upload = request.files.get("audio")
    db = get_session()
    apply_form(
        lambda: recordings.add_recording(
            db, _staff(), request.form.get("phrase", ""),
            upload.read(recordings.MAX_BYTES + 1) if upload else b"",
            request.form.get("duration_ms", type=whole_number) or 0,
            consent=request.form.get("consent") == "yes",
            school_class=target.school_class, pupil=target.pupil,
            target=recording_folder(), now=utcnow(),
        ),  # fmt: skip
        lambda message: _voice_page(message),
    )
    return redirect(url_for("symbols.voice", saved=1, _anchor="saved"))


@bp.post("/voice/<int:recording_id>/remove")
@allow("edit_pupil_settings")
def voice_remove(recording_id: int) -> ResponseReturnValue:
    """Stop using a recording: pupils hear the computer's voice again; audited."""
    db = get_session()
    row = db.get(VoiceRecording, recording_id)
    if row is None or row.school_id != _staff().school_id:
        abort(404)
    apply_form(
        lambda: recordings.remove_recording(db, _staff(), row, target=recording_folder()),
        lambda message: _voice_page(message, 409),
        hide_refusal=True,
    )
    return redirect(url_for("symbols.voice", removed=1, _anchor="saved"))


@bp.get("/voice/<int:recording_id>.audio")
@allow("signed_in")
def recording(recording_id: int) -> Response:
    """A recording, with byte ranges (Safari needs them): the pupils it is for, and staff."""
    db = get_session()
    row = db.get(VoiceRecording, recording_id)
    if row is None or not _may_hear(row):
        abort(404)
    path = recordings.recording_path(row, recording_folder())
    if path is None:
        abort(404)
    response = small_file_response(path, row.mimetype, 3600)
    response.cache_control.public = False
    response.cache_control.private = True  # a person's voice stays off shared caches
    return response


def _may_hear(row: VoiceRecording) -> bool:
    actor = current_actor()
    if isinstance(actor, PupilPrincipal):
        found = recordings.recording_for(get_session(), actor.pupil, row.phrase)
        return found is not None and found.id == row.id
    if not isinstance(actor, Account) or not actor.is_staff or actor.school_id != row.school_id:
        return False
    db = get_session()
    if row.pupil_id is not None:  # staff hear a pupil's recording only if they see the pupil
        return db.scalar(policy.visible_pupils(actor).where(Pupil.id == row.pupil_id)) is not None
    if row.class_id is not None:
        visible = policy.visible_classes(actor).where(SchoolClass.id == row.class_id)
        return db.scalar(visible) is not None
    return True


def recorded_clip(text: object) -> dict[str, object] | None:
    """For the speech endpoint: the signed-in pupil's recording of this text, as a clip."""
    actor = current_actor()
    if not isinstance(actor, PupilPrincipal) or not isinstance(text, str) or not text.strip():
        return None
    row = recordings.recording_for(get_session(), actor.pupil, text)
    if row is None:
        return None
    from classroom.speech.neural import aligned_timings  # noqa: PLC0415 - lazy: neural speech is optional

    words = aligned_timings(text, (0, row.duration_ms), row.duration_ms)
    return {
        "key": f"recording-{row.id}",
        "audio_url": url_for("symbols.recording", recording_id=row.id),
        "duration_ms": row.duration_ms,
        "words": [w.as_json() for w in words],
        "recorded": True,
    }
