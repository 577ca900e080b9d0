"""Consistent online backups of an instance, and restoring one into an empty instance.

A backup is one encrypted file (see `crypto`) holding a gzipped tar archive:

    manifest.json              kind, schema revision, when, the row count of every table, and
                               each school's id, name and creation time (a forced restore
                               only rolls a school back to its own backup)
    database.sqlite3           SQLite: a snapshot made with SQLite's online backup API
    database.pgdump            PostgreSQL: `pg_dump --format=custom` of the same snapshot
    instance/worry_key.pem     the key class iPads seal saved worries to (without it, a worry
                               still waiting on an iPad could never be opened after a restore)
    instance/<folder>/...      every folder of `stored.STORED_FILES`, files the database only
                               names: photos shared with carers, pupils' tile photos, trusted
                               adults' and staff photos, the school's pictures, voice recordings
                               (only names matching each folder's pattern; a backup made before
                               the other folders were carried holds carer_photos alone)
    instance/evidence_key      the key incident attachments are sealed with in the database

On PostgreSQL the row counts and the dump come from one exported snapshot, so the manifest
describes exactly what was dumped; a restore counts again and refuses to report success if
anything differs.
"""

from __future__ import annotations

import errno
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from classroom import photos
from classroom.backup.crypto import LOG2_N, BackupError, EncryptingWriter, decrypt
from classroom.backup.stored import STORED_FILES
from classroom.outbox import services as outbox

WORRY_KEY = "worry_key.pem"
EVIDENCE_KEY = "evidence_key"  # without it, restored attachments could never be opened


@dataclass(frozen=True)
class Manifest:
    kind: str
    revision: str | None
    created_at: str
    tables: dict[str, int]
    files: list[str]
    # Each school in the backup as [id, name, when it was made]: a forced restore may only roll
    # a school back to its own backup. None in a backup made before this was recorded.
    schools: list[list[Any]] | None = None
    # Which secret key the backup's server had (`secret_key_mark`), never the key: a restore
    # onto a server with another says what that breaks. None in older backups.
    key_mark: str | None = None

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def kind_of(url: str) -> str:
    """'sqlite' or 'postgresql' for a database URL; anything else cannot be backed up here."""
    backend = make_url(url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def _quote(conn: Connection, table: str) -> str:
    return conn.dialect.identifier_preparer.quote(table)


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows in every table of the database (Alembic's version table included)."""
    return {
        name: int(conn.execute(text(f"SELECT count(*) FROM {_quote(conn, name)}")).scalar_one())  # noqa: S608 - names come from the database's own catalogue
        for name in sorted(inspect(conn).get_table_names())
    }


def _revision(conn: Connection, tables: dict[str, int]) -> str | None:
    if "alembic_version" not in tables:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def nonempty_tables(engine: Engine) -> list[str]:
    """Tables holding any row, apart from Alembic's record of the schema version."""
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
        return [
            name
            for name in sorted(names)
            if name != "alembic_version"
            and conn.execute(
                select(text("1")).select_from(text(_quote(conn, name))).limit(1)
            ).first()
            is not None
        ]


# --- PostgreSQL tools -------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The newest installed pg_dump/pg_restore (it must be at least the server's version)."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
        reverse=True,
    )
    found = str(candidates[0]) if candidates else shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed: apt-get install postgresql-client")
    return found


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string and environment for a URL; the password goes only in the
    environment, so it never appears on a command line that `ps` shows."""
    from psycopg.conninfo import make_conninfo  # noqa: PLC0415

    parsed = make_url(url)
    params: dict[str, Any] = {
        "dbname": parsed.database,
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
    }
    params.update({k: v for k, v in parsed.query.items() if isinstance(v, str)})
    conninfo = make_conninfo("", **{k: v for k, v in params.items() if v is not None})
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    return conninfo, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tool, no shell
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {detail[-1] if detail else done.returncode}")


def secret_key_mark(secret_key: str) -> str:
    """A short keyed hash that tells two secret keys apart without revealing either: the
    secret key is not in a backup (README), but what it keys is (recovery codes' hashes,
    carers' invite codes and email-confirmation links)."""
    keyed = hmac.new(secret_key.encode(), b"classroom backup: which secret key", "sha256")
    return keyed.hexdigest()[:16]


# --- Making a backup --------------------------------------------------------------------------


# Row counts of every table, the schema revision, and [id, name, created_at] of each school.
Snapshot = tuple[dict[str, int], str | None, list[list[Any]]]


def _snapshot_sqlite(_engine: Engine, url: str, target: Path) -> Snapshot:
    source = sqlite3.connect(make_url(url).database or "", timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one read transaction: a consistent snapshot while the app writes
        if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError("The database failed its integrity check; no backup was written.")
    finally:
        copy.close()
        source.close()
    snapshot = sqlite3.connect(target)
    try:
        names = [
            row[0]
            for row in snapshot.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {n: snapshot.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608 - catalogue names
        revision = None
        if "alembic_version" in counts:
            revision = snapshot.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        schools = _schools(snapshot) if "schools" in counts else []
    finally:
        snapshot.close()
    return dict(sorted(counts.items())), revision, schools


def _schools(conn: Connection | sqlite3.Connection) -> list[list[Any]]:
    """[id, name, created_at] of every school, created_at as text the same way on each side."""
    query = "SELECT id, name, created_at FROM schools ORDER BY id"
    if isinstance(conn, Connection):
        rows: list[Any] = list(conn.execute(text(query)).all())
    else:
        rows = conn.execute(query).fetchall()
    return [
        [row[0], row[1], row[2].isoformat() if isinstance(row[2], datetime) else str(row[2])]
        for row in rows
    ]


def _snapshot_postgres(engine: Engine, url: str, target: Path) -> Snapshot:
    conninfo, env = libpq_target(url)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # Export this transaction's snapshot so pg_dump sees exactly the rows counted here.
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            counts = table_counts(conn)
            revision = _revision(conn, counts)
            schools = _schools(conn) if "schools" in counts else []
            command = [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
            command += [f"--snapshot={snapshot}", f"--file={target}", f"--dbname={conninfo}"]
            _run(command, env, "pg_dump")
    return counts, revision, schools


def _instance_files(instance: Path) -> Iterator[tuple[Path, str]]:
    for name in (WORRY_KEY, EVIDENCE_KEY):
        key = instance / name
        if key.is_file():
            yield key, f"instance/{name}"
    for kind in STORED_FILES:
        folder = instance / kind.folder
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                # Only the feature's own names: never a half-written .part file or a stray link.
                if kind.pattern.fullmatch(path.name) and path.is_file() and not path.is_symlink():
                    yield path, f"instance/{kind.folder}/{path.name}"


@contextmanager
def private_workdir(instance: Path) -> Iterator[Path]:
    """A temporary folder (0700) beside the database, for plaintext that never leaves it."""
    instance.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=instance, prefix=".backup-") as name:
        os.chmod(name, 0o700)
        yield Path(name)


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    archive.addfile(info, _BytesReader(data))


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        chunk, self._at = self._data[self._at : end], min(end, len(self._data))
        return chunk


def create(
    engine: Engine,
    url: str,
    instance: Path,
    out: Path,
    passphrase: str,
    now: datetime,
    log2_n: int = LOG2_N,
    secret_key: str | None = None,
) -> Manifest:
    """Write an encrypted, consistent backup of the database and instance files to `out`
    (`secret_key`: this server's, recorded only as `secret_key_mark`)."""
    kind = kind_of(url)
    if out.exists():
        raise BackupError(f"{out} already exists; choose a new file name.")
    with private_workdir(instance) as work:
        dump = work / ("database.sqlite3" if kind == "sqlite" else "database.pgdump")
        snapshot = _snapshot_sqlite if kind == "sqlite" else _snapshot_postgres
        counts, revision, schools = snapshot(engine, url, dump)
        if "schools" not in counts:
            raise BackupError(
                "This database holds no school (is CLASSROOM_DATABASE_URL right, and has "
                "`flask --app classroom db upgrade` been run?); no backup was written."
            )
        files = list(_instance_files(instance))
        names = [n for _p, n in files]
        mark = secret_key_mark(secret_key) if secret_key else None
        manifest = Manifest(kind, revision, now.isoformat(), counts, names, schools, mark)
        partial = out.with_name(f".{out.name}.part")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as error:
            raise BackupError(
                f"Cannot write the backup in {out.parent} ({error.strerror}); the folder must "
                "exist and this user must be able to write in it."
            ) from None
        try:
            with os.fdopen(fd, "wb") as handle:
                writer = EncryptingWriter(handle, passphrase, kind, log2_n)
                with tarfile.open(fileobj=writer, mode="w|gz") as archive:  # type: ignore[call-overload]
                    _add_bytes(archive, "manifest.json", json.dumps(manifest.__dict__).encode())
                    archive.add(dump, arcname=dump.name)
                    for path, name in files:
                        archive.add(path, arcname=name)
                writer.close()
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, out)
        except OSError as error:  # a full disk, a share gone away: say so, keep no half file
            raise BackupError(
                f"Writing {out} failed ({error.strerror or error}); no backup was written."
            ) from None
        finally:
            partial.unlink(missing_ok=True)
    return manifest


# --- Restoring --------------------------------------------------------------------------------


def _read_manifest(archive: tarfile.TarFile) -> Manifest:
    member = archive.extractfile("manifest.json")
    if member is None:
        raise BackupError("The backup has no manifest.")
    data = json.loads(member.read())
    return Manifest(
        data["kind"],
        data["revision"],
        data["created_at"],
        data["tables"],
        data["files"],
        data.get("schools"),
        data.get("key_mark"),
    )


def _extract(archive: tarfile.TarFile, name: str, target: Path) -> None:
    """One named regular file out of the archive, written with owner-only permissions."""
    member = archive.getmember(name)
    source = archive.extractfile(member) if member.isfile() else None
    if source is None:
        raise BackupError(f"The backup's {name} is not a file.")
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        shutil.copyfileobj(source, handle)


@contextmanager
def open_backup(
    source: Path, passphrase: str, work: Path
) -> Iterator[tuple[tarfile.TarFile, Manifest]]:
    """Decrypt and authenticate a backup into `work`, then read its archive and manifest."""
    plain = work / "backup.tar.gz"
    try:
        with source.open("rb") as encrypted, plain.open("wb") as out:
            decrypt(encrypted, out, passphrase)
    except FileNotFoundError:
        raise BackupError(f"There is no backup file at {source}.") from None
    except OSError as problem:  # the disk filling with the decrypted copy, an unreadable file
        room = f" (its decrypted copy goes in {work.parent}, which needs room for it)"
        where = room if problem.errno == errno.ENOSPC else ""
        raise BackupError(
            f"{_said(problem)} while reading the backup{where}. Nothing was restored."
        ) from None
    try:
        with tarfile.open(plain, mode="r:gz") as archive:
            yield archive, _read_manifest(archive)
    except (tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"The backup's contents cannot be read ({error}).") from None


def _restore_sqlite(url: str, dump: Path) -> None:
    source = sqlite3.connect(dump)
    target = sqlite3.connect(make_url(url).database or "", timeout=30)
    try:
        if source.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError("The database in the backup failed its integrity check.")
        source.backup(target)  # replaces the whole database in one step
    finally:
        target.close()
        source.close()


def _make_room_on_postgres(engine: Engine, manifest: Manifest, full: bool) -> None:
    """pg_restore --clean drops only what the dump holds. A database migrated by a newer app
    (the new server set up with `db upgrade` first, then an older backup) also has tables the
    dump does not, some with keys on the dumped ones, and the restore would stop half-way
    through its drops. An instance with no rows loses nothing if every table goes first; one
    with rows is refused before anything changes, since its newer tables would go too."""
    with engine.connect() as conn:
        tables = inspect(conn).get_table_names()
    newer = sorted(set(tables) - set(manifest.tables))
    if not newer:
        return
    if full:
        raise BackupError(
            f"This database has tables the backup does not ({', '.join(newer[:3])}"
            f"{'…' if len(newer) > 3 else ''}): the backup is from an older version of "
            "classroom. Nothing was restored. Restore it into a new empty database, then run "
            "`flask --app classroom db upgrade`."
        )
    with engine.begin() as conn:
        for table in tables:
            conn.execute(text(f"DROP TABLE IF EXISTS {_quote(conn, table)} CASCADE"))


def _restore_postgres(url: str, dump: Path) -> None:
    conninfo, env = libpq_target(url)
    command = [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges"]
    command += ["--single-transaction", "--exit-on-error", f"--dbname={conninfo}", str(dump)]
    _run(command, env, "pg_restore")


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    held: int  # emails to carers held for a person to send (outbox.hold_after_restore)


def restore(
    engine: Engine,
    url: str,
    instance: Path,
    source: Path,
    passphrase: str,
    force: bool,
    *,
    now: datetime,
) -> Restored:
    """Restore a backup into this instance, which must be empty unless `force`."""
    kind = kind_of(url)
    with (
        private_workdir(instance) as work,
        open_backup(source, passphrase, work) as (archive, manifest),
    ):
        if manifest.kind != kind:
            raise BackupError(
                f"This is a backup of a {manifest.kind} database; this instance uses {kind}."
            )
        _check_revision(manifest.revision)
        _check_files(manifest)
        full = nonempty_tables(engine)
        if full and not force:
            raise BackupError(
                "This instance is not empty (rows in "
                f"{', '.join(full[:5])}{'…' if len(full) > 5 else ''}); restore into an empty "
                "one, or add --force to replace everything in it."
            )
        if full:
            _refuse_another_school(engine, manifest)
        if kind == "postgresql":
            _make_room_on_postgres(engine, manifest, bool(full))
        dump = work / ("database.sqlite3" if kind == "sqlite" else "database.pgdump")
        try:
            _extract(archive, dump.name, dump)
        except OSError as problem:  # a full disk, most likely: said plainly, nothing replaced
            raise BackupError(f"{_said(problem)}. Nothing was replaced.") from problem
        engine.dispose()  # no pooled connection may hold the old tables
        (_restore_sqlite if kind == "sqlite" else _restore_postgres)(url, dump)
        try:
            _verify(engine, manifest)
            _restore_files(archive, manifest, instance)
        except (BackupError, OSError) as problem:
            raise BackupError(HALF_RESTORED.format(problem=_said(problem))) from problem
    _remove_unnamed(engine, instance, now)
    with engine.begin() as conn:
        held = outbox.hold_after_restore(conn, now)
    return Restored(manifest, held)


# The database is replaced in one step; what fails after it (a full disk while the files are
# written) leaves this instance half restored, and the admin must know how to finish it.
HALF_RESTORED = (
    "{problem}. The database has already been replaced from the backup, but the restore did not "
    "finish. Put that right, then run the same restore again with --force: it replaces "
    "everything again from this backup."
)


def _said(problem: BackupError | OSError) -> str:
    if isinstance(problem, BackupError):
        return str(problem).rstrip(".")
    where = f" ({problem.filename})" if problem.filename else ""
    return f"Could not restore: {problem.strerror or problem}{where}"


def _remove_unnamed(engine: Engine, instance: Path, now: datetime) -> None:
    """After a restore, the stored folders hold only what the restored rows name: a forced
    restore over a school in use must not leave the photos taken since the backup (a child's
    face no record shows, kept against the photo policy) for the hourly sweep to find a day
    later. A file the rows name stays, even one an older backup did not carry."""
    with Session(engine) as session:
        photos.sweep(session, instance, STORED_FILES, now=now, grace=timedelta(0))


def _names(schools: list[list[Any]]) -> str:
    return ", ".join(str(name) for _id, name, _made in schools) or "no school"


def _refuse_another_school(engine: Engine, manifest: Manifest) -> None:
    """--force rolls a school back to its own backup; it never swaps in another school's (a
    trust's backups side by side, the wrong file picked), which would delete this school's
    records, photos and keys. A school is known by its row's id and when it was made, so a
    renamed school is still itself. Another school goes into an empty instance instead."""
    if manifest.schools is None:  # made before backups recorded their school: nothing to compare
        return
    with engine.connect() as conn:
        here = _schools(conn) if "schools" in inspect(conn).get_table_names() else []
    if not here:
        return

    def identity(schools: list[list[Any]]) -> set[tuple[int, str]]:
        return {(int(row[0]), str(row[2])) for row in schools}

    if identity(here) != identity(manifest.schools):
        raise BackupError(
            f"This backup is of {_names(manifest.schools)}, but this instance holds "
            f"{_names(here)}; nothing was restored. --force only rolls a school back to its own "
            "backup: restore another school's backup into an empty instance."
        )


def _check_revision(revision: str | None) -> None:
    from alembic.script import ScriptDirectory  # noqa: PLC0415

    from classroom.migrate import alembic_config  # noqa: PLC0415 - lazy: Alembic loads only to check a restore

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    known = {rev.revision for rev in script.walk_revisions()}
    if revision is not None and revision not in known:
        raise BackupError(
            f"This backup was made by a newer version of classroom (schema {revision}); "
            "upgrade the app, then restore."
        )


def _verify(engine: Engine, manifest: Manifest) -> None:
    with engine.connect() as conn:
        counts = table_counts(conn)
    wrong = [t for t, n in manifest.tables.items() if counts.get(t) != n]
    if wrong:
        raise BackupError(f"The restored rows do not match the backup in: {', '.join(wrong)}")


def _restorable(name: str) -> bool:
    """A key file, or a file of a stored folder named the way its feature names them (so an
    archive can never write outside those folders, nor anything a feature would not read)."""
    relative = name.removeprefix("instance/")
    if relative == name:
        return False
    if relative in (WORRY_KEY, EVIDENCE_KEY):
        return True
    folder, _, file_name = relative.rpartition("/")
    return any(kind.folder == folder and kind.pattern.fullmatch(file_name) for kind in STORED_FILES)


def _check_files(manifest: Manifest) -> None:
    """Before anything is replaced: a backup holding a file we would refuse restores nothing."""
    for name in manifest.files:
        if not _restorable(name):
            raise BackupError(f"The backup holds a file this app does not restore: {name}")


def _restore_files(archive: tarfile.TarFile, manifest: Manifest, instance: Path) -> None:
    for name in manifest.files:
        _extract(archive, name, instance / name.removeprefix("instance/"))
