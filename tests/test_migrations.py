"""Alembic: one head, and an upgraded empty database matches the models exactly."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

import classroom.models  # noqa: F401
from classroom.accounts import two_factor
from classroom.accounts.models import TwoFactor
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


def _plain_secret_row(url_path: Path, secret: str) -> None:
    """A DSL's two-step row as kept before secrets were sealed."""
    at = "2026-11-01 10:00:00+00:00"
    with closing(sqlite3.connect(url_path)) as db, db:
        db.execute("INSERT INTO schools (id, name, created_at) VALUES (1, 'A school', ?)", (at,))
        db.execute(
            "INSERT INTO accounts (id, school_id, username, display_name, role, password_hash, "
            "password_changed_at, must_change_password, active, created_at) "
            "VALUES (7, 1, 'dsl', 'Ms Dsl', 'dsl', 'x', ?, 0, 1, ?)",
            (at, at),
        )
        db.execute(
            "INSERT INTO two_factor (account_id, secret, created_at) VALUES (7, ?, ?)",
            (secret, at),
        )


def test_authenticator_secrets_already_kept_are_sealed_in_place(tmp_path: Path) -> None:
    path, instance = tmp_path / "old.sqlite3", tmp_path / "instance"
    url, secret = f"sqlite:///{path}", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    upgrade(url, "queue_order_index")
    _plain_secret_row(path, secret)

    with pytest.raises(RuntimeError, match="flask --app classroom db upgrade"):
        upgrade(url)  # no instance, so no key: nothing is changed half way
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT secret FROM two_factor").fetchall() == [(secret,)]

    upgrade(url, instance=instance)
    with closing(sqlite3.connect(path)) as db:
        columns = [row[1] for row in db.execute("PRAGMA table_info(two_factor)")]
        query = "SELECT account_id, sealed_secret FROM two_factor"
        account_id, sealed = db.execute(query).fetchone()
    assert "secret" not in columns
    assert secret.encode() not in sealed
    row = TwoFactor(account_id=account_id, sealed_secret=sealed)
    assert two_factor.open_secret(instance, row) == secret

    cfg = alembic_config(url)
    cfg.attributes["instance_path"] = instance
    command.downgrade(cfg, "queue_order_index")
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("SELECT secret FROM two_factor").fetchall() == [(secret,)]
