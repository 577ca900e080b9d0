"""Work counted as SQLite counts it, in virtual-machine steps (its progress handler is called
at every step), not in time: the count is the same on every run, so a test can say exactly that
years of history cost a page nothing more. Reading 3,000 rows more takes thousands of steps more.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import (
    ColumnElement,
    Engine,
    String,
    Table,
    cast,
    event,
    insert,
    literal,
    select,
    true,
)
from sqlalchemy.orm import Session

from tests import databases

sqlite_only = pytest.mark.skipif(
    databases.POSTGRES, reason="counts SQLite's own steps; PostgreSQL plans for itself"
)


@contextmanager
def counting(engine: Engine) -> Iterator[list[int]]:
    """SQLite's virtual-machine steps on every connection checked out meanwhile."""
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0  # carry on

    def start(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
        dbapi_conn.set_progress_handler(step, 1)

    def stop(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.set_progress_handler(None, 0)

    event.listen(engine, "checkout", start)
    event.listen(engine, "checkin", stop)
    try:
        yield steps
    finally:
        event.remove(engine, "checkout", start)
        event.remove(engine, "checkin", stop)


def page_steps(app: Flask, client: FlaskClient, path: str) -> int:
    """The steps one GET of `path` takes, once anything built once per worker is built."""
    client.get(path)
    with counting(app.extensions["db_engine"]) as steps:
        assert client.get(path).status_code == 200
    return steps[0]


def copies(session: Session, table: Table, row_id: int, count: int) -> None:
    """`count` more rows like this one: the history years of use leave behind them. Unique
    columns get a suffix, so the copies are rows of their own."""
    copy = select(literal(1).label("n")).cte("copy", recursive=True)
    copy = copy.union_all(select(copy.c.n + 1).where(copy.c.n < count))
    columns = [c for c in table.columns if c.name != "id"]
    values: list[ColumnElement[Any]] = [
        c + f"-{count}-" + cast(copy.c.n, String) if c.unique else c for c in columns
    ]
    rows = select(*values).select_from(table.join(copy, true())).where(table.c.id == row_id)
    session.execute(insert(table).from_select([c.name for c in columns], rows))
    session.commit()
