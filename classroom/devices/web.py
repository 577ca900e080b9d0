"""The request's side of class iPads (issue 17 item 3): the iPad's cookie and its link.

Which iPad a request comes from is read from the request's cookie and remembered for the rest
of the request (in `g`); the cookie's name and `Secure` flag, the enrolment link's lifetime and
the school's address are settings. All of that is the request layer's, so it lives here;
classroom.devices.services takes the token, `now` and the settings as arguments.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app, g, has_request_context, request
from werkzeug.wrappers import Response

from classroom.db import get_session
from classroom.devices import services
from classroom.devices.models import Device


def secure_cookies() -> bool:
    return bool(current_app.config["SECURE_COOKIES"])


def cookie_name() -> str:
    """This app's iPad cookie name (it depends on whether cookies are secure)."""
    return services.cookie_name(secure_cookies())


def link_hours() -> int:
    """How long an enrolment link works (ENROLMENT_LINK_HOURS)."""
    return int(current_app.config["ENROLMENT_LINK_HOURS"])


def current_device() -> Device | None:
    """The live class iPad this request comes from, if any (looked up once per request)."""
    if not has_request_context():
        return None
    if "device" not in g:
        g.device = services.device_for_token(get_session(), request.cookies.get(cookie_name(), ""))
    found: Device | None = g.device
    return found


def revoked_device() -> Device | None:
    """The class iPad this request comes from if it has been revoked (its cookie stays)."""
    token = request.cookies.get(cookie_name(), "")
    return services.revoked_device_for_token(get_session(), token)


def set_device_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        cookie_name(),
        token,
        max_age=int(timedelta(days=services.DEVICE_COOKIE_DAYS).total_seconds()),
        secure=secure_cookies(),
        httponly=True,
        samesite="Lax",
        path="/",
    )


def enrolment_url(code: str) -> str:
    """The full enrolment link, on the school's configured address (CLASSROOM_BASE_URL).

    Never from the request's Host header: anyone can send any Host, and a link shown to staff
    that points elsewhere would hand a one-time enrolment code to another server.
    """
    base = urlsplit(str(current_app.config["BASE_URL"]).rstrip("/"))
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build("devices.enrol", {"code": code}, force_external=True)
