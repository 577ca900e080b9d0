"""Statements on SQLite run straight on the driver's cursor: a page's reads, each BEGIN, and the
audit row a read leaves behind.

SQLAlchemy Core spends about a tenth of a millisecond of Python on every statement it runs (an
execution context, the compiled-cache lookup, a cursor result and its metadata), while SQLite
answers the small indexed reads a page makes in a few microseconds. A pupil page runs five or six
of them, so that bookkeeping was a sixth of the page. Here a plain-column SELECT is compiled
once per statement object (the app's statements are built once and kept) and each run does
only what changes per call: bind the parameters through their types, run, and read the rows
back through their types (UTC datetimes, enums, booleans), as SQLAlchemy would.

A staff page that shows personal data writes one audit row after its read (`db.finish_read`);
SQLAlchemy's INSERT of that one row (an execution context, its column defaults, a cursor result)
is compiled instead once per table and set of columns and run here: a few hundredths of the
page under load.

An IN list gets one question mark per value on each run. What stays SQLAlchemy's: an empty IN
list, values written into the SQL itself, everything the ORM runs, and every database other
than SQLite. Listeners of `before_cursor_execute` (the tests' and the benchmark's statement
counts) still see every statement, and a driver error still arrives as SQLAlchemy's own
exception (so "database is locked" is still a 503 to retry).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Table, exc, insert
from sqlalchemy.engine import Connection, Dialect, Result
from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TupleType

Reader = Callable[[Any], Any]


@dataclass(frozen=True)
class Prepared:
    """One SELECT compiled for SQLite: its SQL, how to bind its parameters, how to read a row."""

    compiled: SQLCompiler
    sql: str
    order: tuple[str, ...]  # the parameters' names in the order of the SQL's question marks
    lists: frozenset[str]  # parameters that are IN lists: one question mark per value
    binds: Mapping[str, Reader]  # type processors of the parameters that have one
    keys: SimpleResultMetaData
    converted: tuple[tuple[int, Reader], ...]  # (index, type processor) of columns that have one

    def run(self, connection: Connection, params: Mapping[str, Any] | None) -> Result[Any] | None:
        """The statement's rows, or None if SQLAlchemy must run it (an IN list left empty)."""
        values = self.compiled.construct_params(params, escape_names=False)
        sql, bound = self.sql, []
        binds, lists = self.binds, self.lists
        for name in self.order:
            value, bind = values[name], binds.get(name)
            if name not in lists:
                bound.append(bind(value) if bind else value)
                continue
            if not value:
                return None  # SQLAlchemy writes an IN of nothing its own way
            bound += [bind(item) for item in value] if bind else value
            sql = sql.replace(f"__[POSTCOMPILE_{name}]", ", ".join("?" * len(value)), 1)
        rows: Sequence[tuple[Any, ...]] = execute(connection, sql, bound)
        if self.converted and rows:
            # Column by column: each reader mapped over its column in one pass, the other
            # columns untouched (a queue page reads 150 rows of 12 columns; row by row, a
            # generator per row was a tenth of the page).
            columns: list[Any] = list(zip(*rows, strict=True))
            for index, reader in self.converted:
                columns[index] = map(reader, columns[index])
            rows = list(zip(*columns, strict=True))
        return IteratorResult(self.keys, iter(rows))


# Keyed by the statement object itself: the app builds each statement once and keeps it, and
# one that is dropped takes its entry with it.
_prepared: WeakKeyDictionary[ClauseElement, Prepared | None] = WeakKeyDictionary()


def prepared(statement: ClauseElement, dialect: Dialect) -> Prepared | None:
    """The statement compiled for SQLite once, or None if SQLAlchemy must render it per call."""
    try:
        return _prepared[statement]
    except KeyError:
        found = _prepared[statement] = _prepare(statement, dialect)
        return found


def _prepare(statement: ClauseElement, dialect: Dialect) -> Prepared | None:
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler) or not compiled.positional:
        return None
    if compiled.literal_execute_params:
        return None  # values written into the SQL itself: SQLAlchemy renders them per call
    lists = compiled.post_compile_params
    if any(not p.expanding or isinstance(p.type, TupleType) for p in lists):
        return None  # only plain IN lists are spread here, one question mark per value
    binds = compiled._bind_processors  # noqa: SLF001 - as the execution context binds them
    if not all(callable(bind) for bind in binds.values()):
        return None  # a tuple parameter, bound element by element
    columns = compiled._result_columns  # noqa: SLF001 - what CursorResult reads its rows by
    return Prepared(
        compiled=compiled,
        sql=compiled.string,
        order=tuple(compiled.positiontup or ()),
        lists=frozenset(compiled.bind_names[p] for p in lists),  # as the SQL names them
        binds={name: bind for name, bind in binds.items() if callable(bind)},
        keys=SimpleResultMetaData([column.keyname for column in columns]),
        converted=tuple(
            (index, reader)
            for index, column in enumerate(columns)
            if (reader := column.type._cached_result_processor(dialect, None))  # noqa: SLF001
        ),
    )


@dataclass(frozen=True)
class PreparedInsert:
    """One INSERT of a row of plain values, compiled for SQLite; its column defaults made here."""

    sql: str
    order: tuple[str, ...]
    binds: Mapping[str, Reader]
    defaults: tuple[tuple[str, Callable[[], Any]], ...]  # columns the values leave to a default

    def run(self, connection: Connection, values: Mapping[str, Any]) -> None:
        row = dict(values)
        for name, make in self.defaults:
            row[name] = make()
        binds = self.binds
        bound = [binds[name](row[name]) if name in binds else row[name] for name in self.order]
        execute(connection, self.sql, bound)


_inserts: dict[tuple[Table, frozenset[str]], PreparedInsert | None] = {}


def insert_row(connection: Connection, table: Table, values: Mapping[str, Any]) -> bool:
    """Insert one row on SQLite's cursor; False if SQLAlchemy must (another database, or a
    default that only SQLAlchemy can work out)."""
    if connection.dialect.name != "sqlite":
        return False
    key = (table, frozenset(values))
    try:
        found = _inserts[key]
    except KeyError:
        found = _inserts[key] = _prepare_insert(table, key[1], connection.dialect)
    if found is None:
        return False
    found.run(connection, values)
    return True


def _prepare_insert(table: Table, names: frozenset[str], dialect: Dialect) -> PreparedInsert | None:
    compiled = insert(table).compile(dialect=dialect, column_keys=sorted(names))
    if not isinstance(compiled, SQLCompiler) or not compiled.positional:
        return None
    if compiled.literal_execute_params or compiled.post_compile_params:
        return None
    defaults = []
    for column in compiled.insert_prefetch:  # columns SQLAlchemy would default in Python
        make = _default_maker(column.default)
        if make is None:
            return None
        defaults.append((column.key, make))
    binds = compiled._bind_processors  # noqa: SLF001 - as the execution context binds them
    if not all(callable(bind) for bind in binds.values()):
        return None
    return PreparedInsert(
        sql=compiled.string,
        order=tuple(compiled.positiontup or ()),
        binds={name: bind for name, bind in binds.items() if callable(bind)},
        defaults=tuple(defaults),
    )


def _default_maker(default: Any) -> Callable[[], Any] | None:
    """A column default as a function of nothing: a constant, or a function of no arguments
    (which SQLAlchemy wraps and keeps as `__wrapped__`); else None (it needs SQLAlchemy)."""
    if default is None:
        return None
    if default.is_scalar:
        value = default.arg
        return lambda: value
    inner = getattr(default.arg, "__wrapped__", None) if default.is_callable else None
    return inner if callable(inner) else None


def execute(connection: Connection, sql: str, params: Sequence[Any] = ()) -> Sequence[Any]:
    """Run one statement on the connection's own SQLite cursor, in its current transaction."""
    cursor = connection.connection.cursor()
    try:
        notify = connection.dispatch.before_cursor_execute
        if notify:
            notify(connection, cursor, sql, params, None, False)
        cursor.execute(sql, params)
        return cursor.fetchall()
    except sqlite3.Error as error:
        raise exc.DBAPIError.instance(sql, params, error, sqlite3.Error) from error
    finally:
        cursor.close()
