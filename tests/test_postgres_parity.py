"""What differs between database engines, proved on the one this pass runs on: SQLite in the
SQLite pass, PostgreSQL in the PostgreSQL pass (`scripts/postgres-test.sh`), so each pass covers
the same code on its own engine and nothing is skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

import classroom.models  # noqa: F401 - every table on the metadata
from classroom.db import Base, make_engine
from classroom.migrate import upgrade
from tests.databases import POSTGRES, empty_database
from tests.schema import differences, expression_indexes


@pytest.fixture
def migrated(tmp_path: Path) -> Iterator[Engine]:
    url = empty_database(tmp_path)
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def test_the_pass_runs_on_the_engine_it_says(migrated: Engine) -> None:
    assert migrated.dialect.name == ("postgresql" if POSTGRES else "sqlite")


def test_migrations_from_empty_build_exactly_the_models(migrated: Engine) -> None:
    with migrated.connect() as conn:
        assert differences(conn) == []


def test_expression_indexes_are_built_as_the_models_build_them(
    migrated: Engine, tmp_path: Path
) -> None:
    """The same expression, or the database would not use the index for the models' queries."""
    (folder := tmp_path / "created").mkdir()
    created = make_engine(empty_database(folder))
    try:
        Base.metadata.create_all(created)
        assert expression_indexes(migrated) == expression_indexes(created)
        assert all(expression_indexes(created).values())
    finally:
        created.dispose()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET action = 'edited'", "DELETE FROM audit_events"]
)
def test_the_audit_log_refuses_changes_in_the_database_itself(
    migrated: Engine, statement: str
) -> None:
    with migrated.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_events (at, actor_kind, actor_name, action, summary) "
                "VALUES (CURRENT_TIMESTAMP, 'system', 'system', 'test.row', '')"
            )
        )
    with pytest.raises(DatabaseError), migrated.begin() as conn:
        conn.execute(text(statement))
    with migrated.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_events")).scalars().all() == ["test.row"]
