"""Database: declarative base, UTC datetimes, the engine and one session per app context."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from functools import cache
from typing import Any, TypeVar, TypeVarTuple, cast

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    DateTime,
    Engine,
    Insert,
    MetaData,
    Select,
    Table,
    TableClause,
    create_engine,
    event,
    exc,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Connection, Dialect, Result, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapper,
    Session,
    make_transient_to_detached,
    sessionmaker,
)
from sqlalchemy.orm.attributes import instance_state
from sqlalchemy.pool import QueuePool, StaticPool
from sqlalchemy.types import TypeDecorator

from classroom import sqlite_reads

logger = logging.getLogger(__name__)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Whether the current unit of work will write. SQLite then takes the write lock at BEGIN,
# so a transaction that reads and then writes can never fail half way with SQLITE_BUSY.
# Reading requests (GET, HEAD) begin deferred instead: they never wait for the write lock.
write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


E = TypeVar("E", bound=Base)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 - SQLAlchemy's signature
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(UTC)

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 - SQLAlchemy's signature
    ) -> datetime | None:
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
        engine = create_engine(url, pool_pre_ping=True, future=True)
    elif url in ("sqlite://", "sqlite:///:memory:"):
        # One in-memory database is one connection: share it.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        _create_private(make_url(url).database)
        # Pooled: each connection is opened (and its PRAGMAs run) once, then reused. A gunicorn
        # sync worker uses one at a time; the threaded dev server one per thread.
        engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=5,
            max_overflow=10,
            connect_args={"timeout": 10, "check_same_thread": False},
        )
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
    # A forked worker (gunicorn --preload) must not share its parent's open connections.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    return engine


def _create_private(path: str | None) -> None:
    """Create a new database file readable and writable by the app's user alone: it holds
    safeguarding records, and the process's usual umask would leave it readable by every user
    of the server. SQLite gives the -wal and -shm files the database file's permissions. A file
    already there is left as its owner set it."""
    if not path or path.startswith("file:"):
        return
    # There already, or no folder (SQLite says so on connecting): nothing to do.
    with suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


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


def _sqlite_on_begin(conn: Connection) -> None:
    sqlite_reads.execute(conn, "BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


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


S = TypeVar("S", bound=Select[Any])


def to_change(query: S, entity: type[Base]) -> S:
    """`query` reading `entity`'s rows to change them: each locked until the transaction ends,
    and read as the last writer left them, not as this session saw them earlier.

    SQLite renders no lock: its writers already take turns (BEGIN IMMEDIATE). On PostgreSQL two
    of the team acting on one record at once then take turns too, and the second's state checks
    see what the first left. `of=`: only `entity`'s rows, as the query may join others (and
    PostgreSQL refuses FOR UPDATE on an outer join's nullable side)."""
    return query.with_for_update(of=entity).execution_options(populate_existing=True)


class RequestSession(Session):
    """A session whose commit, while a request reads, waits for the read to end.

    A view that reads may still call commit() (older views do): committing inside the deferred
    read transaction would write while holding only a read snapshot. The changes are written
    instead by `finish_read`, after the read, in a write transaction of their own.
    """

    def commit(self) -> None:
        if write_intent.get():
            super().commit()


def init_app(app: Flask) -> None:
    """Create the engine and session factory; close the request's session at teardown."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(
        bind=engine, class_=RequestSession, expire_on_commit=False
    )
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """The session of this app context, opened on first use."""
    # `g` looked up once: each use of the proxy costs a lookup, and a page asks many times.
    here = g._get_current_object()  # noqa: SLF001 - werkzeug's documented way to unwrap
    found: Session | None = here.get("db_session")
    if found is None:
        found = here.db_session = current_app.extensions["db_sessionmaker"]()
    return found


Columns = TypeVarTuple("Columns")


def plain_rows(
    session: Session,
    statement: Select[*Columns] | CompoundSelect[*Columns],
    params: Mapping[str, Any] | None = None,
) -> Result[*Columns]:
    """Run a statement of plain columns in the session's transaction, without the ORM.

    The ORM adds nothing to rows of plain columns but its own work per statement (about a
    tenth of a millisecond), and every pupil page reads several; on SQLite, Core's own work
    goes too (`sqlite_reads`). A writing request flushes its pending changes first, as
    `session.execute` would, so the rows include them; a read has autoflush off and flushes
    nothing (see `begin_request`).
    """
    if session.autoflush:
        session.flush()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        prepared = sqlite_reads.prepared(statement, connection.dialect)
        found = prepared.run(connection, params) if prepared is not None else None
        if found is not None:
            return found
    return connection.execute(statement, params)


# --- Entities from plain rows ---------------------------------------------------------------


@dataclass(frozen=True)
class _Shape:
    keys: tuple[str, ...]  # attribute names, in the order of `columns`
    columns: tuple[ColumnElement[Any], ...]
    id_at: int  # where the primary key is among them
    mapper: Mapper[Any]


@cache  # per model, once its mapper is configured
def _shape(model: type[Base]) -> _Shape:
    mapper = inspect(model)
    props = mapper.column_attrs
    columns = tuple(prop.columns[0] for prop in props)
    own = mapper.local_table
    if len(mapper.primary_key) != 1 or any(
        len(prop.columns) != 1 or column.table is not own
        for prop, column in zip(props, columns, strict=True)
    ):
        raise TypeError(f"{model.__name__} is not one table with a one-column primary key")
    return _Shape(
        tuple(prop.key for prop in props), columns, columns.index(mapper.primary_key[0]), mapper
    )


def entity_columns(model: type[Base]) -> tuple[ColumnElement[Any], ...]:
    """The columns `loaded` builds an entity of `model` from, in the order it takes them."""
    return _shape(model).columns


def loaded(session: Session, model: type[E], values: Sequence[Any]) -> E | None:
    """The entity whose columns are `values` (`entity_columns` order), as the ORM loads it.

    Loading a whole entity through the ORM costs about a tenth of a millisecond of its own
    work per statement, and every signed-in request loads its session and whom it signs in.
    A plain row (`plain_rows`) made into the entity here is persistent in `session`, with
    its changes tracked and its relationships loaded on first use, as if the ORM had read it.
    None if the primary key is NULL (an outer join found nothing). An entity the session
    already holds is returned as it is, as the ORM's identity map would.
    """
    shape = _shape(model)
    ident = values[shape.id_at]
    if ident is None:
        return None
    mapper = shape.mapper
    if session.identity_map:  # empty when a request loads whom it signs in: nothing to look up
        key = mapper.identity_key_from_primary_key((ident,))
        held: E | None = session.identity_map.get(key)
        if held is not None:
            return held
    entity = cast(E, mapper.class_manager.new_instance())
    # An instance keeps its column values in its __dict__; make_transient_to_detached then
    # marks them as loaded (no pending change) and gives the entity its identity.
    entity.__dict__.update(zip(shape.keys, values, strict=True))
    make_transient_to_detached(entity)
    # What session.add does for a detached entity, less its walk of the relationships to
    # cascade along: a freshly made entity has none loaded, so the walk finds nothing.
    session._update_impl(instance_state(entity))  # noqa: SLF001
    return entity


def load_one(
    session: Session, model: type[E], statement: Select[Any], params: Mapping[str, Any]
) -> E | None:
    """The entity of the first row of a statement of `entity_columns(model)`, or None."""
    row = plain_rows(session, statement, params).first()
    return None if row is None else loaded(session, model, row)


# --- Writes a reading request may make ----------------------------------------------------------


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside take SQLite's write lock at BEGIN (BEGIN IMMEDIATE)."""
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)


def write_after_read(session: Session, change: Callable[[Connection], None]) -> None:
    """Make `change` once the reading request is done, in a short write transaction of its own.

    A deferred transaction that has read and then writes fails at once with SQLITE_BUSY if
    another process wrote meanwhile, however long the busy timeout. So a reading request writes
    nothing inside its read; what it must record (the last-seen time, an audit row) waits here.
    """
    session.info.setdefault("after_read", []).append(change)


def row_inserter(table: Table, values: Mapping[str, Any]) -> Callable[[Connection], None]:
    """One INSERT of a row that nobody reads back in the request (an audit row), for
    `write_after_read`. The ORM's flush of that one row was a tenth of every staff page (each
    view of personal data writes one); on SQLite the INSERT runs on the cursor too
    (`sqlite_reads.insert_row`). Column defaults still apply."""

    def write(connection: Connection) -> None:
        if not sqlite_reads.insert_row(connection, table, values):
            connection.execute(_insert_into(table), values)

    return write


@cache  # the same few tables every time: built once, so its cache key is worked out once
def _insert_into(table: TableClause) -> Insert:
    return insert(table)


def keep(session: Session) -> None:
    """Commit now what must persist although the request then fails (a failed sign-in the
    throttle counts, the audit of a refused access): the request's own end rolls back a 4xx."""
    with writing():
        session.commit()


def end_unit_of_work(session: Session, status: int) -> None:
    """A writing request's one commit: when its view succeeded (status below 400), else undo."""
    if status < 400:
        session.commit()
    else:
        session.rollback()


def finish_read(session: Session, fsync_views: bool = True) -> None:
    """End a reading request's transaction, then write what it noted, if anything.

    The read flushed nothing (autoflush is off while reading), so its changes are still in the
    session: they are taken out, the read ends, and they are made again in a write transaction
    of their own. That is "upgrade on first write" without ever failing half way. A page's
    audit rows alone are written as `_write_audit_of_a_read` says (`fsync_views`).
    """
    held: list[Callable[[Connection], None]] = session.info.pop("after_read", [])
    added = list(session.new)
    changed = [(row, _changed_values(row)) for row in session.dirty if session.is_modified(row)]
    deleted = list(session.deleted)
    if not (added or changed or deleted):
        # Most reads: end the transaction and let go of the rows, which the teardown would do
        # anyway (a rollback would first expire every row, only for the close to drop them).
        session.close()
        if held:  # a staff page's audit row: plain INSERTs, no rows to bring back
            _write_audit_of_a_read(cast(Engine, session.get_bind()), held, fsync=fsync_views)
        return
    session.rollback()
    with writing():
        session.add_all(added)
        for row, values in changed:
            for name, value in values.items():
                setattr(row, name, value)
        for row in deleted:
            session.delete(row)
        for change in held:
            change(session.connection())
        session.commit()


def _write_audit_of_a_read(
    engine: Engine, held: list[Callable[[Connection], None]], *, fsync: bool
) -> None:
    """The audit rows of what a page showed, in a short write transaction of their own.

    Unless `fsync`, this one commit skips the disk flush every other commit makes (SQLite's
    synchronous NORMAL, PostgreSQL's synchronous_commit off, for this transaction only). Each
    staff page view made one, one flush at a time under the write lock, so under load staff
    pages went at the disk's flush rate (bench/RESULTS.md). The rows still survive the app's
    processes dying. A power cut (on PostgreSQL, its server crashing too) could lose those
    written since the last flush, which is never long: the next change anyone commits flushes
    the whole log, these rows included, and the kernel writes them back within about half a
    minute anyway. Every change to a record, and its audit row, is still flushed at commit,
    as a worry must be. FSYNC_EACH_VIEW_AUDIT=1 flushes these too.
    """
    with writing(), engine.connect() as connection:
        dialect = connection.dialect.name
        relaxed = not fsync and dialect == "sqlite"
        if relaxed:
            sqlite_reads.execute(connection, "PRAGMA synchronous=NORMAL")
        try:
            with connection.begin():
                if not fsync and dialect == "postgresql":  # the same, for this transaction
                    connection.exec_driver_sql("SET LOCAL synchronous_commit TO off")
                for change in held:
                    change(connection)
        finally:
            if relaxed:  # pooled: the next request's connection must flush its commits again
                _flush_again(connection)


def _flush_again(connection: Connection) -> None:
    """Set the connection back to flushing every commit, or, if it cannot be, close it for
    good so no later request writes through it unflushed. The audit row is already written
    (or its own error is on its way up), so the page is still answered; the failure is logged.
    """
    try:
        sqlite_reads.execute(connection, "PRAGMA synchronous=FULL")
    except exc.DBAPIError:
        logger.exception("could not set a connection back to synchronous=FULL; closed it")
        connection.invalidate()


def _changed_values(row: object) -> dict[str, Any]:
    state = inspect(row)
    return {attr.key: attr.value for attr in state.attrs if attr.history.has_changes()}


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
