"""Symbol pictures, served with long cache lifetimes, and the symboliser for templates."""

from __future__ import annotations

from flask import Blueprint, abort, send_file
from werkzeug.wrappers import Response

from classroom.policy import allow
from classroom.symbols.library import svg_path
from classroom.symbols.symboliser import symbolise

bp = Blueprint("symbols", __name__, url_prefix="/symbols")

# Templates render symbol-supported text with `sym.symbolised(symbolise(text, layers), size)`;
# the view passes the pupil's override layers (classroom.symbols.services.override_layers).
bp.add_app_template_global(symbolise, "symbolise")


@bp.get("/<code>.svg")
@allow("public")
def image(code: str) -> Response:
    """One symbol as SVG; symbols hold no personal data, so anyone may fetch them."""
    path = svg_path(code)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/svg+xml", max_age=31536000, conditional=True)
    return response
