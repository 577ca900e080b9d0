"""`flask worker`: background work above every feature (outbox emails, re-alerts, digests,
the sweep of stored files no row names)."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import photos
from classroom.accounts.models import School
from classroom.backup.stored import STORED_FILES
from classroom.db import get_session, utcnow
from classroom.outbox.services import deliver_due, smtp_sender
from classroom.parents.delivery import CarerEmails
from classroom.parents.delivery import tick as parents_tick
from classroom.parents.services import note_delivered_notices
from classroom.speech import web as speech
from classroom.worries.services import send_reminders


def _sweep_files(session: Session, now: datetime) -> None:
    """Hourly: stored photos, pictures and recordings no row names (a rollback or crash left).

    Never against a database with no school in it: a worker started with the wrong database
    setting beside the real instance folder would find no row naming any file, and delete them
    all."""
    if session.scalar(select(School.id).limit(1)) is None:
        return
    # STORED_FILES is every folder a feature keeps files in (backups carry the same list).
    photos.sweep_if_due(session, Path(current_app.instance_path), STORED_FILES, now=now)


def tick() -> tuple[int, int, int]:
    """One round of background work; returns (reminders, sent, failed)."""
    session = get_session()
    config = current_app.config
    now = utcnow()  # one moment for the round's due work (the outbox reads the clock per email)
    reminders = send_reminders(
        session,
        now=now,
        ack_minutes=int(config["WORRY_ACK_MINUTES"]),
        base_url=config["BASE_URL"],
    )
    # Carers' daily digests; withdraw emails a "do not contact" now blocks.
    emails = CarerEmails.from_config(config)
    parents_tick(session, emails, now=now)
    speech.prune_if_due(session, now=now)  # the clip cache within its age and size
    _sweep_files(session, now)
    # The chronology says when a queued notice was delivered.
    note_delivered_notices(session, now=now, zone=emails.hours.zone)
    session.commit()
    sent, failed = deliver_due(
        session,
        smtp_sender(config),
        config["MAIL_FROM"],
        int(config["OUTBOX_MAX_ATTEMPTS"]),
        clock=utcnow,
    )
    return reminders, sent, failed


def _report(reminders: int, sent: int, failed: int, *, mail_server: bool) -> str:
    """One round's line. With no mail server set, emails wait (as the README says): not failed."""
    if not mail_server:
        return (
            f"re-alerts: {reminders}, emails waiting: {failed} (no mail server yet: set "
            "CLASSROOM_SMTP_HOST; listed at Email problems)"
        )
    return f"re-alerts: {reminders}, emails sent: {sent}, failed: {failed}"


@click.group("worker")
def cli() -> None:
    """Background work: emails and re-alerts."""


@cli.command("run")
@click.option("--once", is_flag=True, help="Do one round and stop (for cron or tests).")
def run(once: bool) -> None:
    """Send due emails and re-alert about unacknowledged worries, every few seconds."""
    interval = int(current_app.config["WORKER_INTERVAL_SECONDS"])
    while True:
        reminders, sent, failed = tick()
        get_session().close()  # hold no connection or snapshot while sleeping
        if reminders or sent or failed:
            mail_server = bool(current_app.config["SMTP_HOST"])
            click.echo(_report(reminders, sent, failed, mail_server=mail_server))
        if once:
            return
        time.sleep(interval)
