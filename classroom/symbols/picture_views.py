"""Staff upload a picture for a word, on the school, a class or a pupil layer."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask.typing import ResponseReturnValue

from classroom.db import get_session
from classroom.errors import Invalid
from classroom.policy import allow
from classroom.symbols import pictures
from classroom.symbols.forms import LAYER_KEY
from classroom.symbols.views import (
    ChooserState,
    _chooser_page,
    _editable_targets,
    _staff,
    _target,
    bp,
)


@bp.post("/pictures")
@allow("edit_pupil_settings")
def upload() -> ResponseReturnValue:
    """Upload a PNG or JPEG (cleaned, size-limited, audited) and use it for a word."""
    phrase = request.form.get("phrase", "")[:80]
    layer = request.form.get("layer", "")
    state = ChooserState(phrase, layer=layer if LAYER_KEY.fullmatch(layer) else "")
    if not state.layer:
        state.error = "Choose who the picture is for."
        return _chooser_page(state, _editable_targets())
    target = _target(state.layer)
    upload = request.files.get("picture")
    db = get_session()
    try:
        pictures.upload_for_word(
            db, _staff(), phrase, upload.read() if upload else b"",
            school_class=target.school_class, pupil=target.pupil,
        )  # fmt: skip
    except PermissionError:
        abort(403)
    except Invalid as problem:
        db.rollback()
        state.error = problem.message
        return _chooser_page(state, _editable_targets())
    db.commit()
    return redirect(url_for("symbols.chooser", phrase=phrase, layer=target.key, saved=1))
