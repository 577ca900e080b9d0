"""The strict headers (CSP, HSTS, nosniff, frame-ancestors, referrer policy, no-store) are on
error responses too, in the production configuration: 400, 401, 404, 405, 413, 429 and 500."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from classroom import policy
from classroom.db import get_session
from tests.conftest import Clock, build_app
from tests.factories import make_account
from tests.security.walk import BASE, missing_headers


@pytest.fixture
def production(tmp_path: Path, template_db: Path, clock: Clock) -> Iterator[Flask]:
    app = build_app(tmp_path, template_db, clock, ENV="production")

    @policy.allow("public")
    def explode() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    with app.app_context():
        yield app


def request(client: FlaskClient, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    headers = {"Referer": f"{BASE}/", **kwargs.pop("headers", {})}
    response = client.open(path, method=method, base_url=BASE, headers=headers, **kwargs)
    response.close()
    return response.status_code, response.headers


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("GET", "/no-such-page", {}, 404),
        ("GET", "/no-such-page", {"headers": {"Accept": "application/json"}}, 404),
        ("GET", "/pupils/999999", {}, 302),
        ("GET", "/sign-out", {}, 405),
        ("PUT", "/sign-in", {}, 405),
        ("POST", "/sign-in", {"data": {"username": "a", "password": "b"}}, 400),
        ("POST", "/sign-in", {"data": {"username": "a", "password": "x" * (3 << 20)}}, 413),
        ("GET", "/explode", {}, 500),
        ("GET", "/symbols/not-a-symbol.svg", {}, 404),
        ("GET", "/static/no-such-file.css", {}, 404),
        ("HEAD", "/sign-in", {}, 200),
    ],
)
def test_error_responses_carry_every_security_header(
    production: Flask, method: str, path: str, kwargs: dict[str, Any], status: int
) -> None:
    got, headers = request(production.test_client(), method, path, **kwargs)
    assert got == status
    endpoint = "static" if path.startswith("/static/") else path
    assert missing_headers(endpoint, got, headers, production=True) == []


def test_wrong_passwords_401_and_throttled_429_carry_every_header(production: Flask) -> None:
    account = make_account(get_session(), username="target")
    get_session().commit()
    production.config["WTF_CSRF_ENABLED"] = False
    client = production.test_client()
    statuses = []
    for _ in range(6):
        status, headers = request(
            client, "POST", "/sign-in", data={"username": account.username, "password": "nope"}
        )
        statuses.append(status)
        assert missing_headers("accounts.sign_in", status, headers, production=True) == []
    assert statuses == [401] * 5 + [429]
