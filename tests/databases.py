"""The databases tests run against: a copy of a migrated SQLite file per test (the default), or,
when CLASSROOM_TEST_DATABASE_URL names a PostgreSQL server, a fresh database per test created
from a migrated template database (`CREATE DATABASE ... TEMPLATE ...`, a file copy, so it is
quick). `scripts/postgres-test.sh` starts a throwaway server and sets the variable.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import weakref
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool, Pool

from classroom.migrate import upgrade

TEST_DATABASE_URL = os.environ.get("CLASSROOM_TEST_DATABASE_URL", "")
POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

_apps: list[Flask] = []
_created: list[str] = []
_lasting: list[str] = []
_connections: weakref.WeakSet[Any] = weakref.WeakSet()
_kept: weakref.WeakSet[Any] = weakref.WeakSet()
_admin: Engine | None = None


def _admin_engine() -> Engine:
    global _admin
    if _admin is None:
        _admin = create_engine(TEST_DATABASE_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    return _admin


def _url(name: str) -> str:
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


def _template_name() -> str:
    return f"classroom_template_{WORKER}"


def _remember_connection(dbapi_conn: Any, _record: Any) -> None:
    if type(dbapi_conn).__module__.startswith("psycopg"):  # SQLite tests keep their own files
        _connections.add(dbapi_conn)


def prepare_template(sqlite_path: Path) -> None:
    """Migrate the template every test database starts as (once per test process)."""
    if not POSTGRES:
        upgrade(f"sqlite:///{sqlite_path}")
        return
    event.listen(Pool, "connect", _remember_connection)
    name = _template_name()
    with _admin_engine().connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    upgrade(_url(name))


def database_for(instance: Path, template: Path, lasting: bool = False) -> str:
    """The URL of the instance's own database, made from the template the first time.

    A `lasting` database (for a module-scoped fixture) is dropped at the end of the run, not
    after the test; its fixture closes its own connections.
    """
    if not POSTGRES:
        path = instance / "classroom.sqlite3"
        if not path.exists():
            shutil.copy(template, path)
        return f"sqlite:///{path}"
    digest = hashlib.sha256(str(instance.resolve()).encode()).hexdigest()[:16]
    name = f"classroom_{WORKER}_{digest}"
    if name not in _created and name not in _lasting:
        with _admin_engine().connect() as conn:
            # FILE_COPY (PostgreSQL 15+) is quicker than WAL_LOG for a small template.
            fast = " STRATEGY FILE_COPY" if conn.dialect.server_version_info >= (15,) else ""
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_template_name()}"{fast}'))
        (_lasting if lasting else _created).append(name)
    return _url(name)


def empty_database(folder: Path) -> str:
    """The URL of a new database with nothing in it (not even the schema)."""
    if not POSTGRES:
        return f"sqlite:///{folder / 'empty.sqlite3'}"
    name = f"classroom_{WORKER}_empty_{hashlib.sha256(str(folder).encode()).hexdigest()[:12]}"
    with _admin_engine().connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _created.append(name)
    return _url(name)


def track(app: Flask) -> None:
    """Remember an app whose connections must close before its database is dropped."""
    if POSTGRES:
        _apps.append(app)


def keep_connections(engine: Engine) -> None:
    """Let a module-scoped app keep its pooled connections from one test to the next."""
    if POSTGRES:
        event.listen(engine.pool, "connect", lambda conn, _record: _kept.add(conn))


def release() -> None:
    """After a test: close its apps' connections and drop the databases it made."""
    while _apps:
        _apps.pop().extensions["db_engine"].dispose()
    for conn in list(_connections):
        if conn not in _kept:
            conn.close()  # anything still checked out when the test ended
    while _created:
        name = _created.pop()
        with _admin_engine().connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def finish() -> None:
    """At the end of the run: drop the template and close the admin engine."""
    global _admin
    if _admin is None:
        return
    release()
    with _admin.connect() as conn:
        for name in [*_lasting, _template_name()]:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    _lasting.clear()
    _admin.dispose()
    _admin = None
