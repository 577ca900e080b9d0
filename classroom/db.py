"""Database: declarative base, UTC datetimes, the engine and one session per app context."""

from __future__ import annotations

import sqlite3
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, func, select
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Whether the current unit of work will write. SQLite then takes the write lock at BEGIN,
# so a transaction that reads and then writes can never fail half way with SQLITE_BUSY.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The one clock the app reads; tests may replace `app.config['CLOCK']`."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return clock() if clock else datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine with durable SQLite settings, or a plain one for PostgreSQL."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, future=True)
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 10})
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when a transaction begins (see _sqlite_on_begin).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",  # a report acknowledged to a pupil survives a power cut
        "foreign_keys=ON",
        "busy_timeout=10000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def serialise(session: Session, *names: str) -> None:
    """Take read-then-write decisions about these names one transaction at a time, in every process.

    SQLite already does: a writing transaction holds the database's write lock from BEGIN
    IMMEDIATE. PostgreSQL's READ COMMITTED would let two transactions read the same count (say,
    of failed sign-ins) and both act on it; a transaction-scoped advisory lock per name, taken
    in a fixed order and released at commit or rollback, restores the SQLite behaviour.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in sorted(set(names)):
        session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(name, 0))))


def init_app(app: Flask) -> None:
    """Create the engine and session factory; close the request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The session of this app context, opened on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def str_enum(enum_cls: type[StrEnum], length: int = 32) -> SAEnum:
    """A StrEnum stored as its value in a plain string column, read back as the enum."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
