"""Alembic: one head, and an upgraded empty database matches the models exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import classroom.models  # noqa: F401
from classroom.db import make_engine
from classroom.migrate import alembic_config, upgrade
from tests.schema import differences


def test_migrations_have_a_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def test_upgraded_database_matches_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert differences(conn) == []
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_durable_commits(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    engine.dispose()


def test_child_protection_file_entries_already_written_move_to_the_safeguarding_tier(
    tmp_path: Path,
) -> None:
    """Written before the fix as ordinary entries, where admins could read them."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "incident_forms_sent")
    engine = make_engine(url)
    insert = (
        "INSERT INTO audit_events (at, actor_kind, actor_name, action, object_type, object_id, "
        "summary, tier) VALUES ('2026-11-01 10:00:00+00:00', 'staff', 'Mr Bell', :action, "
        "'Pupil', 1, '', :tier)"
    )
    written = [("cp_file.exported", "record"), ("pupil.viewed", "record")]
    with engine.begin() as conn:
        for action, tier in written:
            conn.execute(text(insert), {"action": action, "tier": tier})
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        tiers = dict(conn.execute(text("SELECT action, tier FROM audit_events")).all())
        with pytest.raises(IntegrityError, match="append-only"):  # the log is locked again
            conn.execute(text("UPDATE audit_events SET tier = 'record'"))
    engine.dispose()
    assert tiers == {"cp_file.exported": "safeguarding", "pupil.viewed": "record"}
