"""The database and the instance folder are the app's user's alone: they hold safeguarding
records and the keys that seal evidence, and the server may have other users."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from classroom.config import load_config
from classroom.db import make_engine


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_and_its_wal_files_are_readable_by_the_app_alone(tmp_path: Path) -> None:
    database = tmp_path / "school.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE worry (id INTEGER PRIMARY KEY, said TEXT)"))
        connection.execute(text("INSERT INTO worry (said) VALUES ('someone was unkind')"))
    with engine.connect() as connection:  # the WAL files exist while a connection is open
        assert connection.execute(text("SELECT said FROM worry")).scalar_one()
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert {p.name: _mode(p) for p in files} == {p.name: 0o600 for p in files}
    engine.dispose()


def test_an_existing_database_keeps_the_permissions_its_owner_gave_it(tmp_path: Path) -> None:
    database = tmp_path / "school.sqlite3"
    database.touch(mode=0o640)  # an administrator's choice (say, a backup group may read it)
    database.chmod(0o640)
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    assert _mode(database) == 0o640


def test_a_new_instance_folder_is_the_apps_alone(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    load_config(instance)
    assert _mode(instance) == 0o700
    assert _mode(instance / "secret_key") == 0o600
