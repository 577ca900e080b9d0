"""What differs between database engines, proved on the one this pass runs on: SQLite in the
SQLite pass, PostgreSQL in the PostgreSQL pass (`scripts/postgres-test.sh`), so each pass covers
the same code on its own engine and nothing is skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

import classroom.models  # noqa: F401 - every table on the metadata
from classroom.db import Base, make_engine
from classroom.migrate import upgrade
from tests.databases import POSTGRES, empty_database


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
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


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
