"""Speech endpoints: make a clip, then fetch its MP3 (byte ranges for Safari) and timings.

For signed-in people, and for a class iPad with nobody signed in (its tiles and picture
passwords speak in the school's voice too, but only their own words: limits.ClassIpad).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, request, send_file, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from classroom.db import get_session, keep, utcnow
from classroom.devices.web import current_device
from classroom.errors import Invalid
from classroom.policy import allow
from classroom.principals import Anonymous, PupilPrincipal
from classroom.speech import limits, services, web
from classroom.speech.engine import SpeechUnavailable, Synthesiser
from classroom.web import current_actor, recently_signed_in

bp = Blueprint("speech", __name__, url_prefix="/speech")
ONE_YEAR = 365 * 24 * 3600  # a key names one exact clip forever, so it never changes
# A familiar voice beats any synthesis: recordings staff made of a pupil's words (symbols, a
# feature above speech) are asked first. The app factory hands the lookup in.
RECORDED_EXTENSION = "classroom.recorded_voices"
RecordedVoice = Callable[[object], dict[str, object] | None]


def register_recorded_voice(app: Flask, source: RecordedVoice) -> None:
    """Ask `source(text)` for a recorded clip before making one."""
    app.extensions.setdefault(RECORDED_EXTENSION, []).append(source)


def _recorded(text: object) -> dict[str, object] | None:
    for source in current_app.extensions.get(RECORDED_EXTENSION, ()):
        found: dict[str, object] | None = source(text)
        if found is not None:
            return found
    return None


@bp.post("/clip")
@allow("signed_in_or_class_ipad")
def clip() -> ResponseReturnValue:
    """Audio and word timings for a piece of text: {text, rate?, voice?} in, URLs out."""
    data = request.get_json(silent=True)
    try:
        asker = _asker()  # nobody signed in, not on a class iPad: refused before anything
        if not isinstance(data, dict):
            return {"error": 'Send JSON like {"text": "Tell a trusted adult."}.'}, 400
        return _clip_answer(data, asker)
    except Invalid as error:
        return {"error": error.message, "field": error.field}, 400
    except limits.SpeechRefused as refusal:
        return {"fallback": "browser", "error": refusal.message}, refusal.status
    except SpeechUnavailable as error:
        current_app.logger.warning("server speech unavailable, browser will speak: %s", error)
        return {"fallback": "browser", "error": "Speech is not available on the server."}, 503


def _clip_answer(data: dict[str, object], asker: limits.Asker) -> dict[str, object]:
    """A recording staff made of these words, else speech: its URLs and word timings."""
    if isinstance(asker, limits.ClassIpad):  # its screens' words only, recorded ones as well
        text = services.checked_text(data.get("text"))
        limits.check_may_hear(get_session(), asker, text, web.known_texts(), now=utcnow())
    recorded = _recorded(data.get("text"))
    if recorded is not None:
        return recorded
    made = _clip_for(data, asker)
    return {
        "key": made.key,
        "audio_url": url_for("speech.audio", key=made.key),
        "timings_url": url_for("speech.timings", key=made.key),
        "duration_ms": made.duration_ms,
        "words": [w.as_json() for w in made.words],
    }


def _clip_for(data: dict[str, object], actor: limits.Asker) -> services.Clip:
    """A cached clip for free; a new one only within the person's limits (counted first)."""
    text, rate = data.get("text"), data.get("rate")
    spoken = services.checked_text(text)
    chosen = _checked_voice(data.get("voice"), actor, web.current_synthesiser())
    if limits.school_texts_only(actor):
        # Asked before the cache: a clip made for another family is not a carer's to hear.
        limits.check_may_hear(get_session(), actor, spoken, web.known_texts(), now=utcnow())
    folder, synthesiser = web.clip_folder(), web.current_synthesiser()
    cached = services.cached_clip(
        text, voice=chosen, rate=rate, directory=folder, synthesiser=synthesiser
    )
    if cached is not None:
        return cached
    db = get_session()
    limits.allow_new_clip(db, actor, spoken, web.allowance(), web.known_texts(), now=utcnow())
    keep(db)  # the allowance is used even if the engine then fails (503): it still did the work
    return services.make_clip(
        text, voice=chosen, rate=rate, directory=folder, synthesiser=synthesiser
    )


def _checked_voice(voice: object, actor: limits.Asker, synthesiser: Synthesiser) -> str | None:
    """The voice asked for: none (the default), or one this server has; anything else is a
    400 naming the voices there are. A pupil's own saved voice that this server no longer has
    (a voice uninstalled since staff chose it) is spoken in the default voice, as before, so
    their screens still speak (their picture password too, asked by the class iPad)."""
    if voice is None or voice == "":
        return None
    known = synthesiser.voices()  # SpeechUnavailable: the 503 the browser falls back on
    if isinstance(voice, str) and voice.strip().lower() in known:
        return voice
    if isinstance(actor, PupilPrincipal) and voice == actor.pupil.voice:
        return voice  # the synthesiser logs it and uses the default
    if isinstance(actor, limits.ClassIpad) and voice in actor.voices:
        return voice
    listed = ", ".join(known) or "none"
    raise Invalid(f"There is no voice {str(voice)[:40]!r} here. Use one of: {listed}.", "voice")


def _asker() -> limits.Asker:
    """Who is asking: a signed-in person, or a class iPad with nobody signed in on it (a live
    device cookie); anyone else, a revoked iPad too, is refused (403, SpeechRefused). An app
    without sign-in at all (this blueprint on its own, as a test serves it) has nobody signed
    in, who is given only clips already made, never a new one."""
    if getattr(current_app, "login_manager", None) is None:
        return Anonymous()
    actor = current_actor()
    if actor.is_authenticated:
        return actor
    device = current_device()
    if device is None:
        raise limits.SpeechRefused("Sign in to hear this.", 403)
    return web.class_ipad(device)


@bp.get("/audio/<key>.mp3")
@allow("signed_in_or_class_ipad")
def audio(key: str) -> Response:
    """A clip's MP3; conditional, so Safari gets the 206 byte ranges it insists on."""
    _may_fetch_clips()
    return _cached_file(services.audio_path(web.clip_folder(), key), "audio/mpeg")


@bp.get("/timings/<key>.json")
@allow("signed_in_or_class_ipad")
def timings(key: str) -> Response:
    """When each word of a clip is spoken, for highlighting."""
    _may_fetch_clips()
    return _cached_file(services.timings_path(web.clip_folder(), key), "application/json")


def _may_fetch_clips() -> None:
    """Clips are played by signed-in people (a session this worker accepted a moment ago comes
    straight here, without a query: classroom.web FAST_FILE_ENDPOINTS) and by a class iPad
    with nobody signed in, which is handed only its own screens' clips (`clip`); anyone else,
    a revoked iPad too: 403."""
    if getattr(current_app, "login_manager", None) is None or recently_signed_in():
        return
    if not current_actor().is_authenticated and current_device() is None:
        abort(403)


def _cached_file(path: Path | None, mimetype: str) -> Response:
    """The file as the static route sends it: send_file, ETag, 304 and byte ranges."""
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype, conditional=True, etag=True, max_age=ONE_YEAR)
    # Only signed-in people and class iPads may fetch clips, so shared caches must not keep them.
    response.cache_control.public = False
    response.cache_control.private = True
    response.cache_control.immutable = True
    return response
