"""The class iPad as an installed app: manifest, root icons and service worker routes."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom import policy
from classroom.accounts.models import Account, UserSession
from classroom.installed.views import _short_name
from tests.factories import make_class, make_pupil

ROOT_FILES = {
    "/favicon.ico": "image/x-icon",
    "/apple-touch-icon.png": "image/png",
    "/apple-touch-icon-precomposed.png": "image/png",
    "/sw.js": "text/javascript",
    "/manifest.webmanifest": "application/manifest+json",
}


def _get(client: FlaskClient, path: str) -> TestResponse:
    """A response read whole and closed (static files are sent from an open file)."""
    response = client.get(path)
    response.get_data()
    response.close()
    return response


def _manifest(client: FlaskClient) -> dict[str, Any]:
    response = _get(client, "/manifest.webmanifest")
    assert response.status_code == 200
    data: dict[str, Any] = json.loads(response.data)
    return data


def test_manifest_names_the_school_and_starts_at_the_class_tiles(
    app: Flask, client: FlaskClient
) -> None:
    manifest = _manifest(client)
    assert manifest["name"] == app.config["SCHOOL_NAME"]
    assert manifest["short_name"] == "Baginton Fields"
    assert manifest["start_url"] == "/class-ipad"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == "#0b4f8a"
    assert manifest["background_color"] == "#fdfbf3"


def test_manifest_icons_are_real_pngs_of_the_sizes_they_claim(client: FlaskClient) -> None:
    icons = _manifest(client)["icons"]
    purposes = {(icon["sizes"], icon["purpose"]) for icon in icons}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    for icon in icons:
        response = _get(client, icon["src"])
        assert response.status_code == 200, icon["src"]
        assert response.mimetype == "image/png"
        image = Image.open(io.BytesIO(response.data))
        assert f"{image.width}x{image.height}" == icon["sizes"]
        assert "max-age=31536000" in response.headers["Cache-Control"]  # a versioned URL


def test_maskable_icons_fill_the_square_so_no_platform_shows_a_hole(client: FlaskClient) -> None:
    for icon in _manifest(client)["icons"]:
        image = Image.open(io.BytesIO(_get(client, icon["src"]).data)).convert("RGBA")
        corner_alpha = image.getpixel((0, 0))[3]  # type: ignore[index]
        assert corner_alpha == (255 if icon["purpose"] == "maskable" else 0), icon["src"]


@pytest.mark.parametrize(("path", "mimetype"), ROOT_FILES.items())
def test_root_files_are_served_with_their_own_caching(
    client: FlaskClient, path: str, mimetype: str
) -> None:
    response = _get(client, path)
    assert response.status_code == 200
    assert response.mimetype == mimetype
    cache = response.headers["Cache-Control"]
    assert "no-store" not in cache
    if path == "/sw.js":
        assert "no-cache" in cache  # every visit checks for a new service worker
        assert response.headers["Service-Worker-Allowed"] == "/"
    elif path != "/manifest.webmanifest":
        assert "max-age=2592000" in cache
    # The strict headers stay on: the worker is a static file, never inline script.
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_apple_touch_icon_is_an_opaque_180_px_square(client: FlaskClient) -> None:
    image = Image.open(io.BytesIO(_get(client, "/apple-touch-icon.png").data))
    assert image.size == (180, 180)
    assert image.mode == "RGB"  # iOS shows transparency as black


def test_favicon_holds_the_tab_sizes(client: FlaskClient) -> None:
    image = Image.open(io.BytesIO(_get(client, "/favicon.ico").data))
    assert {(16, 16), (32, 32), (48, 48)} <= set(image.info["sizes"])


def test_every_installed_app_route_is_public(app: Flask) -> None:
    rules = app.url_map.iter_rules()
    endpoints = {r.endpoint for r in rules if r.endpoint.startswith("installed.")}
    assert endpoints == {
        "installed.manifest",
        "installed.favicon",
        "installed.apple_touch_icon",
        "installed.service_worker",
    }
    for endpoint in endpoints:
        assert policy.route_rule(app.view_functions[endpoint]) == "public"


def test_an_icon_request_racing_a_page_neither_saves_the_session_nor_counts_as_activity(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    login_as()
    seen = session.scalars(select(UserSession.last_seen_at)).one()
    for path in ROOT_FILES:
        response = _get(client, path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path
    session.expire_all()
    assert session.scalars(select(UserSession.last_seen_at)).one() == seen


def test_staff_and_pupil_pages_link_the_manifest_and_icons(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Any]
) -> None:
    sign_in_page = client.get("/sign-in").get_data(as_text=True)
    oak = make_class(session)
    make_pupil(session, oak, first_name="Amira")
    on_class_ipad(oak)
    tiles = client.get("/class-ipad").get_data(as_text=True)
    for page in (sign_in_page, tiles):
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page
        assert '<link rel="icon" href="/favicon.ico"' in page
        assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png?v=' in page
        assert '<meta name="apple-mobile-web-app-capable" content="yes">' in page
    # Only pupil pages register the service worker.
    assert 'name="classroom-service-worker" content="/sw.js"' in tiles
    assert "classroom-service-worker" not in sign_in_page


@pytest.mark.parametrize(
    ("school", "short"),
    [
        ("Baginton Fields School", "Baginton Fields"),
        ("Oak Tree Academy", "Oak Tree"), ("Oak Academy", "Oak Academy"),
        ("St Mary Magdalene Special School", "St Mary"),
        ("Hillside", "Hillside"),
    ],
)
def test_short_name_fits_under_a_home_screen_icon(school: str, short: str) -> None:
    assert _short_name(school) == short
