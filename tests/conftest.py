"""Fixtures: a fresh migrated database per test, the app, clients and signed-in helpers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom import create_app
from classroom.accounts.models import Account, Role
from classroom.db import get_session, write_intent
from classroom.devices.web import cookie_name
from tests import databases, factories, two_step
from tests.app_settings import DAY_ENDED

# Fixtures for a real local SMTP server (smtp_port, inbox, mail_server).
pytest_plugins = ["tests.smtp"]

SECRET = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One database migrated from empty with Alembic; each test gets a copy of it.

    SQLite by default; PostgreSQL when CLASSROOM_TEST_DATABASE_URL is set (see tests/databases.py).
    """
    path = tmp_path_factory.mktemp("template") / "classroom.sqlite3"
    databases.prepare_template(path)
    yield path
    databases.finish()


@pytest.fixture(autouse=True)
def _release_test_databases() -> Iterator[None]:
    """On PostgreSQL, close the test's connections and drop its databases afterwards."""
    yield
    databases.release()


class Clock:
    """A clock tests can move: `clock.advance(minutes=6)`."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        return self.now or datetime.now(UTC)

    def set(self, when: datetime) -> None:
        self.now = when

    def advance(self, **delta: float) -> None:

        self.now = self() + timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


class RequestIsolatedClient(FlaskClient):
    """Runs each request in its own app context, as a real server does.

    Tests hold an app context open for their own session; without this, requests would share
    its `g` (and database session) and hide bugs that only appear between separate requests.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        outer = g.get("db_session") if has_app_context() else None
        if outer is not None:
            outer.commit()  # what the test set up is saved, and it holds no lock meanwhile
        token = write_intent.set(True)
        try:
            with self.application.app_context():
                return super().open(*args, **kwargs)
        finally:
            write_intent.reset(token)
            if outer is not None:
                outer.expire_all()  # the test then reads what the request wrote


def build_app(instance: Path, template: Path, clock: Clock, **overrides: Any) -> Flask:
    config = {
        "ENV": "testing",
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": databases.database_for(instance, template),
        "SECRET_KEY": SECRET,
        "ARGON2_MEMORY_KIB": 8192,  # still argon2id; less memory so the suite stays quick
        "CLOCK": clock,
        "SCHOOL_DAY_END": DAY_ENDED,
        "GC_FREEZE_AT_START": 0,  # many apps in one process: none freezes the suite's objects
        **overrides,
    }
    app = create_app(config)
    app.test_client_class = RequestIsolatedClient
    databases.track(app)
    return app


@pytest.fixture
def app(tmp_path: Path, template_db: Path, clock: Clock) -> Iterator[Flask]:
    app = build_app(tmp_path, template_db, clock)
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        yield app


@pytest.fixture
def session(app: Flask) -> Session:  # noqa: ARG001 - inside the app's context
    return get_session()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


def sign_in(client: FlaskClient, username: str, password: str = factories.PASSWORD) -> Any:
    """Sign in with a password, then the authenticator code where the account has one."""
    response = client.post("/sign-in", data={"username": username, "password": password})
    return two_step.finish(client, response, username)


def client_for(app: Flask, who: Account | str) -> FlaskClient:
    """A new browser signed in as `who` (an account or a username), password and code steps."""
    client = app.test_client()
    response = sign_in(client, who if isinstance(who, str) else who.username)
    assert response.status_code == 302, response.data
    return client


@pytest.fixture
def login_as(session: Session, client: FlaskClient) -> Callable[..., Account]:
    """Create an account with the role and sign the test client in as it."""

    def login(role: Role = Role.TEACHER, **kwargs: Any) -> Account:
        account = factories.make_account(session, role, **kwargs)
        session.commit()
        response = sign_in(client, account.username)
        assert response.status_code == 302, response.data
        return account

    return login


@pytest.fixture
def on_class_ipad(session: Session, client: FlaskClient) -> Callable[..., Any]:
    """Make the test client a class iPad for a class."""

    def enrol(school_class: Any) -> Any:
        device, token = factories.make_device(session, school_class)
        session.commit()
        client.set_cookie(cookie_name(), token)
        return device

    return enrol
