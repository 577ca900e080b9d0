"""Staff upload a picture for a word, on the school, a class or a pupil layer."""

from __future__ import annotations

from dataclasses import replace

from flask import redirect, request, url_for
from flask.typing import ResponseReturnValue

from classroom.db import get_session, utcnow
from classroom.policy import allow
from classroom.symbols import pictures
from classroom.symbols.forms import LAYER_KEY
from classroom.symbols.views import (
    ChooserState,
    _chooser_page,
    _chooser_targets,
    _left_refusal,
    _staff,
    _target,
    bp,
)
from classroom.symbols.web import picture_folder
from classroom.web import apply_form


@bp.post("/pictures")
@allow("edit_pupil_settings")
def upload() -> ResponseReturnValue:
    """Upload a PNG or JPEG (cleaned, size-limited, audited) and use it for a word."""
    phrase = request.form.get("phrase", "")[:80]
    layer = request.form.get("layer", "")
    state = ChooserState(phrase, layer=layer if LAYER_KEY.fullmatch(layer) else "")
    if not state.layer:
        state.error = "Choose who the picture is for."
        return _chooser_page(state, _chooser_targets())
    target = _target(state.layer)
    if (refused := _left_refusal(state, target)) is not None:
        return refused
    upload = request.files.get("picture")
    db = get_session()
    apply_form(
        lambda: pictures.upload_for_word(
            db, _staff(), phrase, upload.read() if upload else b"",
            school_class=target.school_class, pupil=target.pupil,
            target=picture_folder(), now=utcnow(),
        ),  # fmt: skip
        lambda message: _chooser_page(replace(state, error=message), _chooser_targets()),
    )
    return redirect(
        url_for("symbols.chooser", phrase=phrase, layer=target.key, saved=1, _anchor="saved")
    )
