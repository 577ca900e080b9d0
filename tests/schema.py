"""A database's schema against the models': what Alembic can compare, and the indexes on an
expression, which it cannot compare reliably (SQLite cannot reflect them; PostgreSQL gives
them back rewritten), compared as the SQL each database keeps for them."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, text

from classroom.db import Base

EXPRESSION_INDEXES = ("ix_incidents_queue_order",)
# What Alembic and SQLAlchemy say when they leave an expression index out.
SKIPPED = (
    "Skipped unsupported reflection of expression-based index",
    "autogenerate skipping metadata-specified expression-based index",
    "autogenerate skipping reflected expression-based index",
)


def _compared(_obj: object, name: str | None, type_: str, *_rest: object) -> bool:
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


@contextmanager
def expression_indexes_unread() -> Iterator[None]:
    """Reflect a database without a warning for each expression index it cannot read back."""
    with warnings.catch_warnings():
        for message in SKIPPED:
            warnings.filterwarnings("ignore", message=message)
        yield


def differences(conn: Connection) -> list[Any]:
    """Alembic's differences between the database and the models, expression indexes aside."""
    with expression_indexes_unread():
        context = MigrationContext.configure(conn, opts={"include_object": _compared})
        return list(compare_metadata(context, Base.metadata))


def expression_indexes(engine: Engine) -> dict[str, str]:
    """Each expression index's definition as the database keeps it, spacing and brackets
    folded (SQLite keeps the CREATE statement as written; PostgreSQL its own rendering)."""
    query = (
        "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname, indexdef FROM pg_indexes"
    )
    with engine.connect() as conn:
        found = {name: sql or "" for name, sql in conn.execute(text(query))}
    return {name: re.sub(r"[\s()]", "", found.get(name, "")) for name in EXPRESSION_INDEXES}
