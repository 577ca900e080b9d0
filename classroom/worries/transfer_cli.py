"""`flask cp-file import --in FILE --pupil UPN`: import a previous school's child-protection file.

For a DSL without the web page at hand (or a technician doing it with the DSL present). The
passphrase comes from CLASSROOM_CP_FILE_PASSPHRASE or a prompt, never from the command line,
which `ps` and shell history would show.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from classroom.db import get_session, utcnow
from classroom.errors import Invalid
from classroom.pupils.models import Pupil
from classroom.worries import transfer

PASSPHRASE_ENV = "CLASSROOM_CP_FILE_PASSPHRASE"  # noqa: S105 - the variable's name


@click.group("cp-file")
def cli() -> None:
    """Child-protection files from a pupil's previous school."""


def _pupil(upn: str) -> Pupil:
    found = list(get_session().scalars(select(Pupil).where(Pupil.upn == upn)))
    if len(found) != 1:
        raise click.ClickException(f"There is no single pupil with UPN {upn} on this server.")
    return found[0]


@cli.command("import")
@click.option(
    "--in",
    "source",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The .cpfile the previous school sent.",
)
@click.option("--pupil", "upn", required=True, help="The pupil's UPN at this school.")
def import_command(source: Path, upn: str) -> None:
    """Check the file completely, then attach it to the pupil as read-only history."""
    pupil = _pupil(upn)
    passphrase = os.environ.get(PASSPHRASE_ENV) or click.prompt(
        "Passphrase the sending DSL gave you", hide_input=True, err=True
    )
    session = get_session()
    try:
        received = transfer.import_file(
            session,
            None,
            pupil,
            source.read_bytes(),
            passphrase,
            utcnow(),
            Path(current_app.instance_path),
        )
    except transfer.TransferError as problem:
        raise click.ClickException(str(problem)) from None
    except Invalid as problem:
        raise click.ClickException(problem.message) from None
    session.commit()
    files = len(received.files)
    click.echo(
        f"Imported and verified: the file from {received.from_school} is now on "
        f"{pupil.full_name}'s record ({files} attached file{'' if files == 1 else 's'}). Tell "
        "the sending DSL you have received it."
    )
