"""Encrypted backups: a restore into an empty instance matches the original row by row, and a
wrong passphrase or a changed file fails with a plain message (exit 1, no traceback).

Runs on whichever database the pass uses: SQLite's backup API in the SQLite pass, pg_dump and
pg_restore in the PostgreSQL pass.
"""

from __future__ import annotations

import re
import secrets
import stat
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, MetaData, inspect, select, text
from sqlalchemy.orm import Session

from classroom import create_app, demo
from classroom.accounts import two_factor
from classroom.accounts.models import Account, Role, School
from classroom.audit.models import AuditEvent
from classroom.backup import services
from classroom.backup.crypto import HEADER
from classroom.db import get_session, utcnow
from classroom.devices.web import cookie_name
from classroom.outbox.models import OutboxMessage
from classroom.outbox.services import enqueue_email
from classroom.parents import delivery
from classroom.parents.models import FeedItem
from classroom.pupils.models import Pupil, SchoolClass
from classroom.worker import tick
from classroom.worries import envelope, evidence
from classroom.worries.evidence_models import Attachment
from tests import two_step
from tests.app_settings import invite_settings
from tests.conftest import Clock, build_app, client_for
from tests.databases import POSTGRES
from tests.factories import make_account, make_device
from tests.schema import expression_indexes_unread
from tests.smtp import Inbox
from tests.worries.test_evidence import new_incident, png_with_metadata
from tests.worry_helpers import make_school, sealed

PASSPHRASE = "pelican orbit tangerine ladder"
ENV = {"CLASSROOM_BACKUP_PASSPHRASE": PASSPHRASE}


def all_rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    metadata = MetaData()
    with engine.connect() as conn, expression_indexes_unread():
        metadata.reflect(conn)
        return {
            name: [
                tuple(row)
                for row in conn.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for name, table in sorted(metadata.tables.items())
        }


def engine_of(app: Flask) -> Engine:
    engine: Engine = app.extensions["db_engine"]
    return engine


def invoke(
    app: Flask, *args: str, env: Mapping[str, str | None] | None = None, **kwargs: Any
) -> Any:
    with app.app_context():  # Flask's CLI runs in the current app context if there is one
        return app.test_cli_runner().invoke(args=["backup", *args], env=env, **kwargs)


@pytest.fixture
def school(app: Flask, session: Session) -> Flask:
    """The demo school, a worry sent by a class iPad, the worry key and a shared photo."""
    app.config["BACKUP_SCRYPT_LOG2_N"] = 14  # quicker; one test below keeps the real cost
    demo.seed(
        session,
        "demo-password-for-backups",
        now=utcnow(),
        instance=Path(app.instance_path),
        secret_key=invite_settings().secret_key,
    )
    oak = session.scalars(select(SchoolClass).where(SchoolClass.name == "Oak")).one()
    pupil = session.scalars(select(Pupil).where(Pupil.class_id == oak.id)).first()
    assert pupil is not None
    _device, token = make_device(session, oak)
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    _key, envelope_ = sealed(app, pupil, what="sad", words="someone said mean things")
    assert ipad.post("/class-ipad/worries", json={"envelope": envelope_}).status_code == 201
    photos = Path(app.instance_path) / "carer_photos"
    photos.mkdir(exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    (photos / name).write_bytes(b"\xff\xd8 not really a jpeg")
    shared = session.scalars(select(FeedItem).order_by(FeedItem.id)).first()
    assert shared is not None
    shared.photo_file = name  # a learning moment's photo: a restore keeps what rows name
    session.commit()
    return app


@pytest.fixture
def empty(tmp_path: Path, template_db: Path, clock: Clock) -> Flask:
    """A second instance, migrated and empty, as a restore target."""
    instance = tmp_path / "restored"
    instance.mkdir()
    return build_app(instance, template_db, clock)


@pytest.fixture
def backup_file(school: Flask, tmp_path: Path) -> Path:
    out = tmp_path / "school.backup"
    result = invoke(school, "create", "--out", str(out), env=ENV)
    assert result.exit_code == 0, result.output
    return out


def test_restore_into_an_empty_instance_matches_every_table_row_by_row(
    school: Flask, empty: Flask, tmp_path: Path
) -> None:
    before = all_rows(engine_of(school))
    out = tmp_path / "school.backup"
    del school.config["BACKUP_SCRYPT_LOG2_N"]  # the real cost: N = 2**17, r = 8 (128 MiB)
    created = invoke(school, "create", "--out", str(out), env=ENV)
    assert created.exit_code == 0, created.output
    assert "AES-256-GCM" in created.output
    assert "does not hold the secret key (CLASSROOM_SECRET_KEY or instance/secret_key)" in (
        created.output
    )
    assert out.read_bytes()[18:21] == bytes([17, 8, 1])

    restored = invoke(empty, "restore", "--in", str(out), env=ENV)

    assert restored.exit_code == 0, restored.output
    assert "verified" in restored.output
    # When it was made, on the school's clock, as the admin reads a time elsewhere.
    assert re.search(r"\(made \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d (GMT|BST)\)", restored.output)
    after = all_rows(engine_of(empty))
    assert len([name for name, rows in before.items() if rows]) >= 15  # not a toy database
    *restored_audit, restore_event = after.pop("audit_events")
    assert restored_audit == before.pop("audit_events")
    assert "backup.restored" in restore_event  # the restore is itself on the record
    assert after == before
    for name in ("worry_key.pem", *[f"carer_photos/{p.name}" for p in photo_files(school)]):
        original = Path(school.instance_path) / name
        copy = Path(empty.instance_path) / name
        assert copy.read_bytes() == original.read_bytes()
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def photo_files(app: Flask) -> list[Path]:
    return sorted((Path(app.instance_path) / "carer_photos").iterdir())


def test_the_restored_instance_still_opens_worries_sealed_before_the_backup(
    school: Flask, session: Session, empty: Flask, backup_file: Path
) -> None:
    """An iPad may hold a sealed worry across the restore: the server's key comes back too."""
    pupil = session.scalars(select(Pupil).order_by(Pupil.id)).first()
    assert pupil is not None
    _key, waiting = sealed(school, pupil, what="hurt")
    assert invoke(empty, "restore", "--in", str(backup_file), env=ENV).exit_code == 0
    opened = envelope.open_envelope(Path(empty.instance_path) / "worry_key.pem", waiting)
    assert opened["what"] == "hurt"


def test_backup_file_is_private_and_holds_no_readable_personal_data(backup_file: Path) -> None:
    data = backup_file.read_bytes()
    assert data[16:21] == bytes([1, 2 if POSTGRES else 1, 14, 8, 1])  # version, kind, scrypt
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    assert data.startswith(b"CLASSROOM-BACKUP\x01")
    for secret in (b"Amira", b"Khan", b"someone said mean things", b"PRIVATE KEY", b"SQLite"):
        assert secret not in data


def test_the_passphrase_can_be_typed_at_a_prompt_instead(school: Flask, tmp_path: Path) -> None:
    out = tmp_path / "prompted.backup"
    env = {"CLASSROOM_BACKUP_PASSPHRASE": None}
    result = invoke(
        school, "create", "--out", str(out), env=env, input=f"{PASSPHRASE}\n{PASSPHRASE}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSPHRASE not in result.output
    restored = invoke(school, "restore", "--in", str(out), "--force", env=env, input="wrong\n")
    assert restored.exit_code == 1
    assert "Wrong passphrase" in restored.output


def test_a_short_passphrase_is_refused(school: Flask, tmp_path: Path) -> None:
    out = tmp_path / "weak.backup"
    result = invoke(school, "create", "--out", str(out), env={"CLASSROOM_BACKUP_PASSPHRASE": "x"})
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output
    assert not out.exists()


def test_an_existing_file_is_never_overwritten(backup_file: Path, school: Flask) -> None:
    before = backup_file.read_bytes()
    result = invoke(school, "create", "--out", str(backup_file), env=ENV)
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert backup_file.read_bytes() == before


def assert_clean_failure(result: Any, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_wrong_passphrase_fails_cleanly_and_restores_nothing(
    backup_file: Path, empty: Flask
) -> None:
    env = {"CLASSROOM_BACKUP_PASSPHRASE": "not the passphrase at all"}
    result = invoke(empty, "restore", "--in", str(backup_file), env=env)
    assert_clean_failure(result, "Wrong passphrase")
    assert nothing_restored(empty)


def nothing_restored(app: Flask) -> bool:
    rows = all_rows(engine_of(app))
    rows.pop("alembic_version", None)
    leftovers = [p for p in Path(app.instance_path).iterdir() if p.name.startswith(".backup-")]
    return not any(rows.values()) and not leftovers


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("middle", "damaged or has been changed"),
        ("last", "damaged or has been changed"),
        ("kind", "damaged or has been changed"),
        ("salt", "Wrong passphrase for this backup (or its header has been changed)"),
        ("magic", "not a classroom backup file"),
    ],
)
def test_a_changed_byte_anywhere_fails_cleanly_and_restores_nothing(
    backup_file: Path, empty: Flask, where: str, message: str
) -> None:
    data = bytearray(backup_file.read_bytes())
    offset = {
        "middle": HEADER.size + (len(data) - HEADER.size) // 2,
        "last": len(data) - 1,
        "kind": 17,
        "salt": 22,
        "magic": 0,
    }[where]
    data[offset] ^= 0x01
    backup_file.write_bytes(bytes(data))
    result = invoke(empty, "restore", "--in", str(backup_file), env=ENV)
    assert_clean_failure(result, message)
    assert nothing_restored(empty)


@pytest.mark.parametrize("keep", [0, 10, HEADER.size, HEADER.size + 8])
def test_a_truncated_or_empty_file_fails_cleanly(
    backup_file: Path, empty: Flask, keep: int
) -> None:
    backup_file.write_bytes(backup_file.read_bytes()[:keep])
    result = invoke(empty, "restore", "--in", str(backup_file), env=ENV)
    assert_clean_failure(result, "")
    assert any(
        words in result.output
        for words in ("not a classroom backup", "ends too early", "damaged or has been changed")
    ), result.output


def test_a_missing_file_fails_cleanly(empty: Flask, tmp_path: Path) -> None:
    result = invoke(empty, "restore", "--in", str(tmp_path / "nope.backup"), env=ENV)
    assert_clean_failure(result, "no backup file")


def test_a_non_empty_instance_is_refused_unless_forced(backup_file: Path, school: Flask) -> None:
    before = all_rows(engine_of(school))
    refused = invoke(school, "restore", "--in", str(backup_file), env=ENV)
    assert_clean_failure(refused, "not empty")
    assert "--force" in refused.output
    assert all_rows(engine_of(school)) == before

    forced = invoke(school, "restore", "--in", str(backup_file), "--force", env=ENV)

    assert forced.exit_code == 0, forced.output
    after = all_rows(engine_of(school))
    # What was written after the backup (its own audit row) is replaced by the restore's row.
    assert after["audit_events"][-1] != before["audit_events"][-1]
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"
    }


def test_the_passphrase_is_never_a_command_line_option(school: Flask) -> None:
    """Arguments show in `ps` and shell history; the passphrase comes from the env or a prompt."""
    for command in ("create", "restore"):
        help_text = invoke(school, command, "--help").output
        options = {word for word in help_text.split() if word.startswith("--")}
        assert options <= {"--out", "--in", "--force", "--help"}, options


def test_the_restored_instance_still_opens_evidence_and_two_step_secrets(
    app: Flask, session: Session, empty: Flask, tmp_path: Path
) -> None:
    """Attachments and authenticator secrets are sealed in the database with the instance's key:
    the key comes back too, so files open and the safeguarding team can still sign in."""
    app.config["BACKUP_SCRYPT_LOG2_N"] = 14
    staff = make_school(session)
    incident = new_incident(session, staff)
    upload = evidence.Upload("chat.png", png_with_metadata(), "Screenshot")
    found = evidence.add_attachment(
        session, staff.dsl, incident, upload, Path(app.instance_path), incident.created_at
    )
    session.commit()
    out = tmp_path / "evidence.backup"
    assert invoke(app, "create", "--out", str(out), env=ENV).exit_code == 0
    assert invoke(empty, "restore", "--in", str(out), env=ENV).exit_code == 0
    with empty.app_context():
        copy = get_session().get(Attachment, found.id)
        dsl = get_session().get(Account, staff.dsl.id)
        assert copy is not None
        assert dsl is not None
        instance = Path(empty.instance_path)
        plain = evidence.read_attachment(get_session(), dsl, copy, instance, "downloaded")
        app_row = two_factor.enrolment(get_session(), dsl)
        assert app_row is not None
        assert two_factor.open_secret(instance, app_row) == two_step.SECRET
    assert plain[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_backup_into_a_missing_folder_says_so_plainly(school: Flask, tmp_path: Path) -> None:
    """Cron pointed at a folder that is not there (an unmounted share): a plain message the
    admin's mail shows, not a traceback, and nothing half-written anywhere."""
    out = tmp_path / "not-mounted" / "school.backup"
    result = invoke(school, "create", "--out", str(out), env=ENV)
    assert_clean_failure(result, "Cannot write the backup in")
    assert "the folder must exist" in result.output
    assert not out.parent.exists()
    assert not [p for p in Path(school.instance_path).iterdir() if p.name.startswith(".backup-")]


def test_a_database_with_no_school_is_not_backed_up(tmp_path: Path, clock: Clock) -> None:
    """A mistyped CLASSROOM_DATABASE_URL opens a new, empty SQLite file: no 'successful' backup
    of nothing (a restore of it would wipe the school), and no traceback."""
    if POSTGRES:
        pytest.skip("an empty SQLite file is what a mistyped path opens")
    instance = tmp_path / "typo"
    instance.mkdir()
    app = create_app(
        {
            "ENV": "testing",
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": f"sqlite:///{instance / 'mistyped.sqlite3'}",
            "SECRET_KEY": "k" * 40,
            "CLOCK": clock,
            "BACKUP_SCRYPT_LOG2_N": 14,
        }
    )
    out = tmp_path / "nothing.backup"
    result = invoke(app, "create", "--out", str(out), env=ENV)
    assert_clean_failure(result, "This database holds no school")
    assert not out.exists()


def test_a_forced_restore_of_another_schools_backup_changes_nothing(
    backup_file: Path, empty: Flask
) -> None:
    """A trust keeps every school's backups side by side; picking the wrong file with --force
    must not replace this school's records, photos and keys with another school's."""
    with empty.app_context():
        db = get_session()
        db.add(School(name="Elm Tree School", created_at=datetime(2024, 9, 1, tzinfo=UTC)))
        db.commit()
    key = Path(empty.instance_path) / "evidence_key"
    key.write_bytes(secrets.token_bytes(32))
    before, key_before = all_rows(engine_of(empty)), key.read_bytes()

    result = invoke(empty, "restore", "--in", str(backup_file), "--force", env=ENV)

    assert_clean_failure(result, "This backup is of Baginton Fields School")
    assert "this instance holds Elm Tree School" in result.output
    assert "nothing was restored" in result.output
    assert all_rows(engine_of(empty)) == before
    assert key.read_bytes() == key_before


def test_a_forced_restore_rolls_a_renamed_school_back_to_its_own_backup(
    backup_file: Path, school: Flask
) -> None:
    """A school is known by its row, not its name: renamed since the backup, still itself."""
    with school.app_context():
        db = get_session()
        db.scalars(select(School)).one().name = "Baginton Fields Academy"
        db.commit()
    result = invoke(school, "restore", "--in", str(backup_file), "--force", env=ENV)
    assert result.exit_code == 0, result.output
    with school.app_context():
        assert get_session().scalars(select(School.name)).one() == "Baginton Fields School (demo)"


NEWER_TABLE = (
    "CREATE TABLE newer_feature (id INTEGER PRIMARY KEY, "
    "account_id INTEGER REFERENCES accounts (id))"
)


def test_an_older_backup_restores_into_a_database_a_newer_app_made(
    school: Flask, backup_file: Path, empty: Flask
) -> None:
    """The new server is set up with `db upgrade` first, by a newer app than the backup's: its
    empty database has tables the backup does not, with keys on tables the backup holds. The
    restore still goes through (then `db upgrade` brings the schema forward)."""
    with engine_of(empty).begin() as conn:
        conn.execute(text(NEWER_TABLE))

    result = invoke(empty, "restore", "--in", str(backup_file), env=ENV)

    assert result.exit_code == 0, result.output
    with engine_of(empty).connect() as conn:
        assert "newer_feature" not in inspect(conn).get_table_names()
    restored = all_rows(engine_of(empty))
    assert restored["pupils"] == all_rows(engine_of(school))["pupils"]


def test_a_forced_restore_over_a_newer_postgres_schema_changes_nothing(
    backup_file: Path, school: Flask
) -> None:
    """A school in use, migrated since the backup: its newer tables (with their rows) would be
    dropped with nothing to bring them back, so the forced restore stops before any change."""
    if not POSTGRES:
        pytest.skip("SQLite's backup API replaces the whole file, newer tables and all")
    with engine_of(school).begin() as conn:
        conn.execute(text(NEWER_TABLE))
    before = all_rows(engine_of(school))

    result = invoke(school, "restore", "--in", str(backup_file), "--force", env=ENV)

    assert_clean_failure(result, "This database has tables the backup does not (newer_feature)")
    assert "restore it into a new empty database" in result.output.lower()
    assert all_rows(engine_of(school)) == before


def test_a_restore_onto_a_server_with_another_secret_key_says_what_that_breaks(
    backup_file: Path, tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    """The secret key is not in the backup (README), but recovery codes' hashes, carers' invite
    codes and email-confirmation links made with it are: restored onto a new server with its
    own key, those stop working and people only read "That code did not work"."""
    instance = tmp_path / "new-server"
    instance.mkdir()
    other_key = build_app(instance, template_db, clock, SECRET_KEY="another-server-" + "k" * 30)
    restored = invoke(other_key, "restore", "--in", str(backup_file), env=ENV)
    assert restored.exit_code == 0, restored.output
    assert "this server's secret key is not the one the backup was made with" in restored.output
    assert "CLASSROOM_SECRET_KEY" in restored.output

    same = tmp_path / "same-key"
    same.mkdir()
    same_key = build_app(same, template_db, clock)  # the tests' own key, as the school's
    again = invoke(same_key, "restore", "--in", str(backup_file), env=ENV)
    assert again.exit_code == 0, again.output
    assert "secret key" not in again.output


def test_a_restore_cut_short_by_a_full_disk_says_so_and_finishes_when_run_again(
    school: Flask, empty: Flask, backup_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills while the photos are written back, after the database was replaced: the
    admin is told plainly what state the school is in and how to finish, and running the same
    restore again with --force brings everything back."""
    before = all_rows(engine_of(school))
    real = services._restore_files

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device", str(Path(empty.instance_path) / "photos"))

    monkeypatch.setattr(services, "_restore_files", disk_full)
    cut = invoke(empty, "restore", "--in", str(backup_file), env=ENV)
    assert_clean_failure(cut, "No space left on device")
    assert "already been replaced" in cut.output
    assert "again with --force" in cut.output

    monkeypatch.setattr(services, "_restore_files", real)
    again = invoke(empty, "restore", "--in", str(backup_file), "--force", env=ENV)
    assert again.exit_code == 0, again.output
    after = all_rows(engine_of(empty))
    after.pop("audit_events"), before.pop("audit_events")
    assert after == before
    for name in ("worry_key.pem", *[f"carer_photos/{p.name}" for p in photo_files(school)]):
        copy = Path(empty.instance_path) / name
        assert copy.read_bytes() == (Path(school.instance_path) / name).read_bytes()


@pytest.mark.usefixtures("mail_server")
def test_emails_to_families_waiting_in_the_backup_are_held_after_a_restore(
    app: Flask, session: Session, empty: Flask, tmp_path: Path, smtp_port: int, inbox: Inbox
) -> None:
    """A backup made while emails to a family waited (a mail outage) cannot say whether they
    went out after: restored, they would be sent again, and the family told the same thing
    twice about their child. They are held for a person to send, or leave unsent if the family
    had them; staff alerts go as they are."""
    app.config["BACKUP_SCRYPT_LOG2_N"] = 14
    staff = make_school(session)
    carer = make_account(session, Role.PARENT, display_name="Mrs Khan", email="khan@example.org")
    now = utcnow()
    later = now + timedelta(hours=9)
    due = {
        "not had": (delivery.item_key(carer.id, 1), carer, now),
        "had": (delivery.item_key(carer.id, 2), carer, now),
        "quiet hours": (delivery.held_key(carer.id, later), carer, later),
        "staff alert": ("incident:1:new:0:1", staff.dsl, now),
    }
    for name, (key, to, when) in due.items():
        assert to.email is not None
        message = enqueue_email(session, key, to.email, name, "b", school_id=to.school_id, now=now)
        assert message is not None
        message.next_attempt_at = when
    session.commit()
    out = tmp_path / "waiting.backup"
    assert invoke(app, "create", "--out", str(out), env=ENV).exit_code == 0

    restored = invoke(empty, "restore", "--in", str(out), env=ENV)

    assert restored.exit_code == 0, restored.output
    assert "2 emails to families waited to be sent when the backup was made" in restored.output
    empty.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_port, WTF_CSRF_ENABLED=False)
    with empty.app_context():
        tick()
    # The DSL's alert went; the family's emails did not, nor (not due yet) the quiet-hours one.
    assert [m["Subject"] for m in inbox.messages] == ["staff alert"]
    dsl = client_for(empty, staff.dsl.username)
    page = dsl.get("/admin/mail").text
    assert "emails to families that were waiting when the backup was made are held" in page
    assert page.count("Held after the restore") == 2
    # Two plain choices for each, as a person decides them: never "again" for an email that
    # may not have gone once.
    assert page.count("Send: they have not had it") == 2
    assert page.count("Leave unsent: they had it") == 2
    assert "Send again" not in page
    with empty.app_context():
        ids = {
            m.subject: m.id
            for m in get_session().scalars(select(OutboxMessage))
        }
    # Only a held email may be left unsent: the staff alert, sent, is not one.
    assert dsl.post(f"/admin/mail/{ids['staff alert']}/leave").status_code == 404
    # The DSL checks with Mrs Khan: she had one, not the other. The other goes, once.
    assert dsl.post(f"/admin/mail/{ids['had']}/leave").status_code == 302
    assert dsl.post(f"/admin/mail/{ids['not had']}/retry").status_code == 302
    with empty.app_context():
        tick()
        tick()
    assert [m["Subject"] for m in inbox.messages] == ["staff alert", "not had"]
    page = dsl.get("/admin/mail").text
    assert "Held after the restore" not in page
    assert "No problems: every email has been sent." in page
    with empty.app_context():
        db = get_session()
        logged = db.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == "backup.restored")
        ).one()
        left = db.scalars(select(AuditEvent).where(AuditEvent.action == "mail.left_unsent")).one()
    assert logged.endswith("; emails to families held: 2")
    assert (left.actor_id, left.object_id) == (staff.dsl.id, ids["had"])


def test_the_safeguarding_queue_says_what_a_restore_cannot_bring_back(
    app: Flask, session: Session, empty: Flask, tmp_path: Path, clock: Clock
) -> None:
    """A worry told on a class iPad after the backup was made is gone after a restore: the
    iPad deleted it once the server had it. Only the DSL, asking staff, can find it again, so
    for two weeks the queue says when the backup was made and what to ask."""
    app.config["BACKUP_SCRYPT_LOG2_N"] = 14
    staff = make_school(session)
    out = tmp_path / "queue.backup"
    assert invoke(app, "create", "--out", str(out), env=ENV).exit_code == 0
    assert "restored from a backup" not in client_for(app, staff.dsl).get("/safeguarding/").text
    clock.advance(hours=6)  # a school day's worries, then the server fails
    restored = invoke(empty, "restore", "--in", str(out), env=ENV)
    assert restored.exit_code == 0, restored.output
    made = re.search(r"\(made (.+?)\)", restored.output)
    assert made is not None
    empty.config["WTF_CSRF_ENABLED"] = False

    queue = client_for(empty, staff.dsl.username).get("/safeguarding/").text

    assert f"The backup was made {made.group(1)}." in queue
    assert "Ask staff about any worry told or concern raised in that time" in queue
    clock.advance(days=13)
    assert "restored from a backup" in client_for(empty, staff.deputy.username).get(
        "/safeguarding/"
    ).text
    clock.advance(days=2)
    assert "restored from a backup" not in client_for(empty, staff.dsl.username).get(
        "/safeguarding/"
    ).text
