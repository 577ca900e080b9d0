"""`flask backup create --out FILE` and `flask backup restore --in FILE [--force]`."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app

from classroom.audit.restores import RESTORED, restored_summary
from classroom.audit.services import record
from classroom.backup import services
from classroom.backup.crypto import LOG2_N, MIN_PASSPHRASE, BackupError
from classroom.db import get_session, utcnow
from classroom.localtime import local_time, school_zone

PASSPHRASE_ENV = "CLASSROOM_BACKUP_PASSPHRASE"  # noqa: S105 - the variable's name


def _passphrase(new: bool) -> str:
    """From CLASSROOM_BACKUP_PASSPHRASE, or asked for; never an option, so never in `ps`."""
    value = os.environ.get(PASSPHRASE_ENV)
    if value is None:
        value = click.prompt(
            "Backup passphrase", hide_input=True, confirmation_prompt=new, err=True
        )
    if new and len(value) < MIN_PASSPHRASE:
        raise click.ClickException(
            f"Use a passphrase of at least {MIN_PASSPHRASE} characters (a few random words)."
        )
    return value


@click.group("backup")
def cli() -> None:
    """Encrypted backups of the database and the instance's files."""


@cli.command("create")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write; it must not exist yet.",
)
def create(out: Path) -> None:
    """Write a consistent, encrypted backup while the app keeps running."""
    passphrase = _passphrase(new=True)
    config, session = current_app.config, get_session()
    cost = int(config.get("BACKUP_SCRYPT_LOG2_N", LOG2_N))
    if not 14 <= cost <= 20:
        raise click.ClickException("CLASSROOM_BACKUP_SCRYPT_LOG2_N must be from 14 to 20.")
    try:
        manifest = services.create(
            session.get_bind().engine,
            config["DATABASE_URL"],
            Path(current_app.instance_path),
            out,
            passphrase,
            utcnow(),
            cost,
            secret_key=str(config["SECRET_KEY"]),
        )
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    record(
        session,
        None,
        "backup.created",
        None,
        f"{manifest.rows} rows and {len(manifest.files)} files to {out.name}",
    )
    session.commit()
    click.echo(
        f"Backup written to {out}: {len(manifest.tables)} tables, {manifest.rows} rows, "
        f"{len(manifest.files)} files, {out.stat().st_size} bytes, AES-256-GCM encrypted."
    )
    click.echo(
        "Keep the passphrase somewhere safe and apart from the file: nothing can read "
        "the backup without it."
    )
    # The backup never holds the key (README "Backups"); a new server without it loses what
    # is keyed with it, and the admin finds out only on the day the old server died.
    click.echo(
        "The backup does not hold the secret key (CLASSROOM_SECRET_KEY or instance/secret_key): "
        "keep one copy of it apart, as safely "
        "as the passphrase. Restored onto a new server without it, staff's two-step recovery "
        "codes, unused carer invite codes and email-confirmation links stop working."
    )


@cli.command("restore")
@click.option(
    "--in",
    "source",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to restore.",
)
@click.option("--force", is_flag=True, help="Replace everything in an instance that is not empty.")
def restore(source: Path, force: bool) -> None:
    """Restore a backup into an empty instance (verified table by table)."""
    passphrase = _passphrase(new=False)
    session = get_session()
    engine = session.get_bind().engine
    session.close()
    try:
        restored = services.restore(
            engine,
            current_app.config["DATABASE_URL"],
            Path(current_app.instance_path),
            source,
            passphrase,
            force,
            now=utcnow(),
        )
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    manifest = restored.manifest
    # When it was made on the school's clock ("Mon 30 Nov 2026, 02:00 GMT"): what the DSL
    # asks staff about is what was told since then.
    made = local_time(manifest.created_at, zone=school_zone(current_app.config))
    record(
        session,
        None,
        RESTORED,
        None,
        restored_summary(source.name, made, len(manifest.files), restored.held),
    )
    session.commit()
    click.echo(
        f"Restored {source} (made {made}): {len(manifest.tables)} tables and "
        f"{manifest.rows} rows verified, {len(manifest.files)} files."
    )
    click.echo("If this app is newer than the backup, run `flask --app classroom db upgrade` now.")
    if restored.held:
        click.echo(HELD.format(n=restored.held, s="" if restored.held == 1 else "s"))
    mark = manifest.key_mark
    if mark and mark != services.secret_key_mark(str(current_app.config["SECRET_KEY"])):
        click.echo(KEY_CHANGED, err=True)


# Said when emails to carers were waiting in the backup (outbox.hold_after_restore).
HELD = (
    "{n} email{s} to families waited to be sent when the backup was made, and may have gone out "
    "after it. They are held, so that no family is told the same thing twice: on the Email "
    "problems page, send each one the family has not had."
)


# Said after a restore onto a server whose secret key is not the backup's server's.
KEY_CHANGED = (
    "Warning: this server's secret key is not the one the backup was made with. Two-step "
    "recovery codes, unused carer invite codes and carers' email-confirmation links made before "
    "will not work, and everyone signs in again. To keep them, stop the app, set "
    "CLASSROOM_SECRET_KEY (or copy instance/secret_key) from the old server, and start it again."
)
