"""The session cookie is checked once per worker while it stays the same (web.SessionCookies):
a cookie that was good must still be refused once it is too old, changed, or signed with a key
the school has since replaced."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from classroom.accounts.models import Account, Role

PAGE = "/pupils/"


def _cookie(app: Flask, client: FlaskClient) -> str:
    found = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert found is not None
    return found.value


def _signed_in(client: FlaskClient) -> bool:
    response = client.get(PAGE)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def test_a_checked_cookie_is_refused_once_it_is_too_old(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., Account],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    login_as(Role.TEACHER)
    assert _signed_in(client)  # checked ...
    assert _signed_in(client)  # ... then found already checked
    lifetime = app.permanent_session_lifetime.total_seconds()
    now = time.time()
    # Only the cookie's clock moves: the session on the server is still live on the app's.
    monkeypatch.setattr(time, "time", lambda: now + lifetime + 60)
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_a_changed_cookie_is_refused_though_the_real_one_was_checked(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHER)
    assert _signed_in(client)
    assert _signed_in(client)
    real = _cookie(app, client)
    payload, stamp, signature = real.rsplit(".", 2)
    forged = f"{payload[:-2]}{'AA' if payload[-2:] != 'AA' else 'BB'}.{stamp}.{signature}"
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], forged)
    assert not _signed_in(client)
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], real)
    assert _signed_in(client)


def test_a_new_secret_key_signs_people_out_unless_the_old_one_is_kept_as_a_fallback(
    app: Flask, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHER)
    assert _signed_in(client)  # checked ...
    assert _signed_in(client)  # ... then found already checked
    old = app.secret_key
    app.secret_key = "a-new-secret-key-the-school-chose-0123456789"
    assert not _signed_in(client)
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert _signed_in(client)
