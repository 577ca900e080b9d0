"""The front door, health check and credits."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select, text

from classroom import policy
from classroom.accounts.redirects import safe_path
from classroom.db import get_session
from classroom.devices.web import current_device
from classroom.policy import allow
from classroom.symbols.library import ATTRIBUTION

bp = Blueprint("core", __name__)


@bp.get("/")
@allow("public")
def home() -> ResponseReturnValue:
    """Send each person to their own start page."""
    actor = current_user._get_current_object()  # noqa: SLF001
    # "Your password has been changed" is said on the start page the change leads to.
    said: dict[str, Any] = {"changed": 1} if request.args.get("changed") else {}
    if actor.is_pupil:
        return redirect(url_for("ipad.home"))
    if actor.is_parent:
        return redirect(url_for("pupils.my_children", **said))
    if actor.is_staff:
        return redirect(url_for("pupils.dashboard", **said))
    if current_device() is not None:
        return redirect(url_for("ipad.start"))
    return redirect(url_for("accounts.sign_in"))


@bp.get("/health")
@allow("public")
def health() -> ResponseReturnValue:
    """Whether the app and its database answer (for monitoring; reveals nothing else)."""
    try:
        get_session().execute(select(text("1")))
    except Exception:  # noqa: BLE001 - any database failure means "down"
        return {"app": "ok", "database": "unavailable"}, 503
    return {"app": "ok", "database": "ok"}


@bp.get("/about")
@allow("public")
def about() -> ResponseReturnValue:
    """What the app is, and credits for the symbols it uses."""
    return render_template("core/about.html", attribution=ATTRIBUTION, rights=policy.RIGHTS)


@bp.post("/display/contrast")
@allow("public")
def contrast() -> ResponseReturnValue:
    """Switch high contrast on or off for this browser (a display preference, not personal data)."""
    high = request.cookies.get("contrast") != "high"
    response = redirect(safe_path(request.form.get("back"), "/"))
    response.set_cookie(
        "contrast",
        "high" if high else "standard",
        max_age=31536000,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SECURE_COOKIES"]),
    )
    return response
