"""`flask worker`: background work above every feature (outbox emails, re-alerts, digests)."""

from __future__ import annotations

import time

import click
from flask import current_app

from classroom.db import get_session, utcnow
from classroom.outbox.services import deliver_due, smtp_sender
from classroom.parents.delivery import tick as parents_tick
from classroom.parents.services import note_delivered_notices
from classroom.speech import web as speech
from classroom.worries.services import send_reminders


def tick() -> tuple[int, int, int]:
    """One round of background work; returns (reminders, sent, failed)."""
    session = get_session()
    reminders = send_reminders(session)
    parents_tick(session)  # carers' daily digests; withdraw emails a "do not contact" now blocks
    speech.prune_if_due(session, now=utcnow())  # the clip cache within its age and size
    note_delivered_notices(session)  # the chronology says when a queued notice was delivered
    session.commit()
    config = current_app.config
    sent, failed = deliver_due(
        session, smtp_sender(config), config["MAIL_FROM"], int(config["OUTBOX_MAX_ATTEMPTS"])
    )
    return reminders, sent, failed


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
            click.echo(f"re-alerts: {reminders}, emails sent: {sent}, failed: {failed}")
        if once:
            return
        time.sleep(interval)
