"""Files a browser asks for to install the app: the manifest, root icons and the service worker.

None holds personal data, so anyone may fetch them. They are `passive`: Safari and Chromium ask
for icons in the background, racing the page a person is on, and such a request must neither
count as the person being active nor save the session it carried (see classroom/web.py).
"""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint, current_app, url_for
from werkzeug.wrappers import Response

from classroom.policy import allow
from classroom.web import passive, small_file_response, static_url

bp = Blueprint("installed", __name__)

ICON_DAYS = 30  # root icon URLs carry no version: long enough to be free, short enough to change
ICON_MAX_AGE = ICON_DAYS * 24 * 3600
MANIFEST_MAX_AGE = 3600
THEME_COLOUR = "#0b4f8a"  # --brand in static/css/app.css (the staff header)
BACKGROUND_COLOUR = "#fdfbf3"  # body.pupil in static/css/app.css (every pupil screen)
ICONS = (
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/maskable-192.png", "192x192", "maskable"),
    ("icons/maskable-512.png", "512x512", "maskable"),
)


def _static_file(name: str) -> Path:
    return Path(current_app.static_folder or "") / name


@bp.get("/manifest.webmanifest")
@allow("public")
@passive
def manifest() -> Response:
    """The web app manifest: opened from the home screen, the app starts at the class tiles."""
    name = str(current_app.config["SCHOOL_NAME"])
    body = {
        "name": name,
        "short_name": _short_name(name),
        "description": "E-safety lessons and Report a worry on the class iPad.",
        "lang": "en-GB",
        "id": "/class-ipad",
        "start_url": url_for("ipad.start"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static_url(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }
    response = Response(json.dumps(body, indent=1), mimetype="application/manifest+json")
    response.cache_control.max_age = MANIFEST_MAX_AGE
    response.cache_control.public = True
    return response


def app_short_name() -> str:
    """The app's name under its home-screen icon."""
    return _short_name(str(current_app.config["SCHOOL_NAME"]))


def app_theme_colour() -> str:
    """The colour browsers may tint their bars with (the manifest's theme_color)."""
    return THEME_COLOUR




def _short_name(name: str) -> str:
    """A home-screen label iOS shows whole (about 12 characters): "Baginton Fields School" gives
    "Baginton Fields", then "Baginton"."""
    words = name.split()
    while len(words) > 1 and (len(" ".join(words)) > 15 or words[-1].lower() == "school"):
        words.pop()
    return " ".join(words)[:15]


@bp.get("/favicon.ico")
@allow("public")
@passive
def favicon() -> Response:
    """The tab icon every browser asks for at the root."""
    return small_file_response(_static_file("icons/favicon.ico"), "image/x-icon", ICON_MAX_AGE)


@bp.get("/apple-touch-icon.png")
@bp.get("/apple-touch-icon-precomposed.png")
@allow("public")
@passive
def apple_touch_icon() -> Response:
    """The home-screen icon Safari asks for at the root (180 x 180, opaque)."""
    path = _static_file("icons/apple-touch-icon.png")
    return small_file_response(path, "image/png", ICON_MAX_AGE)


@bp.get("/sw.js")
@allow("public")
@passive
def service_worker() -> Response:
    """The service worker, from the root so its scope covers the class iPad's pages.

    no-cache: the browser checks for a new one on every visit, so a fix reaches every iPad
    at once. What it may cache (static files, symbols, speech clips; never a page) is in the file.
    """
    response = small_file_response(_static_file("js/service-worker.js"), "text/javascript", 0)
    response.cache_control.no_cache = True
    response.cache_control.max_age = None
    response.cache_control.public = False
    response.headers["Service-Worker-Allowed"] = "/"
    return response
