"""Command-line tools: migrations, the demo school, and class iPad enrolment links."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from classroom import migrate
from classroom.backup.cli import cli as backup_cli
from classroom.db import get_session, utcnow
from classroom.lessons.cli import cli as lessons_cli
from classroom.speech.cli import cli as speech_cli
from classroom.symbols.cli import cli as symbols_cli
from classroom.worker import cli as worker_cli
from classroom.worries.transfer_cli import cli as cp_file_cli


def register_cli(app: Flask) -> None:
    """Attach every command group to `flask --app classroom`."""
    app.cli.add_command(db_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(devices_group)
    app.cli.add_command(lessons_cli)
    app.cli.add_command(worker_cli)
    app.cli.add_command(symbols_cli)
    app.cli.add_command(speech_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(cp_file_cli)


@click.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema."""
    migrate.upgrade()
    click.echo("Database is up to date.")


@click.group("demo")
def demo_group() -> None:
    """The demo school."""


@demo_group.command("seed")
def demo_seed() -> None:
    """Create the demo school once (synthetic people only) and print how to use it."""
    from classroom import demo  # noqa: PLC0415 - lazy: the demo seeder loads only for this command

    session = get_session()
    password = demo.seed(
        session,
        now=utcnow(),
        instance=Path(current_app.instance_path),
        secret_key=str(current_app.config["SECRET_KEY"]),
    )
    session.commit()
    base = current_app.config["BASE_URL"]
    if password is None and not demo.is_demo(session):
        # A real school's database: no demo is added, and no demo advice applies to it.
        click.echo("This database already has a school; the demo school is not added to it.")
        return
    if password is None:
        click.echo("Demo school already exists; keeping its accounts and passwords.")
        click.echo(
            "Lost the password it printed when it was made? Stop the app, delete the instance "
            f"folder ({current_app.instance_path}) and start again: a new demo school gets a new "
            "password (CLASSROOM_DEMO_PASSWORD, if you set it)."
        )
    else:
        click.echo(f"Demo school created. Staff and parent accounts: {', '.join(demo.USERNAMES)}")
        click.echo(f"(also {', '.join(demo.MORE_USERNAMES)})")
        click.echo(f"Their password: {password}")
    click.echo(f"Open {base}/ and sign in.")
    click.echo(
        "dsl, deputy, head and admin set up two-step sign-in at their first sign-in: scan the "
        "QR code with any authenticator app (or type the key shown) and keep the recovery codes."
    )
    click.echo(f"A carer can join at {base}/family/join with Ben's demo code BENTY-DEM23.")
    click.echo(
        "To enrol a class iPad: sign in as 'teacher' on the iPad and choose 'Class iPads', "
        "or run:  .venv/bin/flask --app classroom devices enrol-link --class Oak"
    )


@click.group("devices")
def devices_group() -> None:
    """Class iPads."""


@devices_group.command("enrol-link")
@click.option("--class", "class_name", required=True, help="The class the iPad belongs to.")
@click.option("--name", "device_name", default="", help="A name for the iPad, e.g. 'Oak iPad 3'.")
def enrol_link(class_name: str, device_name: str) -> None:
    """Print a one-time link that turns the iPad that opens it into a class iPad."""
    # lazy: only this command needs devices; `flask --help` stays quick
    from classroom.devices.services import create_enrolment_link  # noqa: PLC0415
    from classroom.devices.web import enrolment_url, link_hours  # noqa: PLC0415
    from classroom.pupils.models import SchoolClass  # noqa: PLC0415

    session = get_session()
    school_class = session.scalar(select(SchoolClass).where(SchoolClass.name == class_name))
    if school_class is None:
        raise click.ClickException(f"No class called {class_name!r}.")
    name = device_name or f"{class_name} iPad"
    code = create_enrolment_link(
        session, None, school_class, name, now=utcnow(), link_hours=link_hours()
    )
    session.commit()
    click.echo(enrolment_url(code))
