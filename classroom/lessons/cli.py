"""`flask lessons check`: prove the lesson files load before the app is started with them."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from classroom.lessons import readability
from classroom.lessons.content import (
    LESSONS_DIR,
    Catalogue,
    LessonError,
    Pathway,
    Risk,
    Strand,
    all_pupil_texts,
    load_lessons,
)
from classroom.lessons.glossary import load_glossary
from classroom.lessons.kinds import KINDS
from classroom.risks import NOT_FOR_LESSONS


@click.group("lessons")
def cli() -> None:
    """E-safety lesson content."""


@cli.command("check")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=LESSONS_DIR,
    show_default=True,
    help="The folder of lesson files to check.",
)
def check(folder: Path) -> None:
    """Load every lesson file; print a summary, or every problem and exit with status 1."""
    try:
        catalogue = load_lessons(folder, kinds=KINDS)
    except LessonError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    for line in summary(catalogue):
        click.echo(line)


@cli.command("readability")
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=LESSONS_DIR,
    show_default=True,
    help="The folder of lesson files to measure.",
)
def readability_command(folder: Path) -> None:
    """Print words per screen, sentence length and Flesch figures for each pathway."""
    try:
        catalogue = load_lessons(folder, kinds=KINDS)
    except LessonError as error:
        click.echo(str(error), err=True)
        raise SystemExit(1) from None
    for line in readability.report(catalogue):
        click.echo(line)


def summary(catalogue: Catalogue) -> list[str]:
    """What a teacher wants to know after editing: counts and curriculum coverage."""
    steps = Counter(v.pathway for lesson in catalogue for v in lesson.versions for _ in v.steps)
    gated = [lesson for lesson in catalogue if lesson.teacher_enabled_only]
    enabled = [f"{lesson.number} {lesson.id}" for lesson in gated]
    return [
        f"{len(catalogue)} lessons, {sum(1 for _ in all_pupil_texts(catalogue))} pupil texts",
        "Steps per pathway: " + ", ".join(f"{p} {steps[p]}" for p in Pathway),
        _coverage("UKCIS strands", catalogue.strands(), list(Strand)),
        _coverage("Policy risks", catalogue.risks(), [r for r in Risk if r not in NOT_FOR_LESSONS]),
        "Teacher-enabled only: " + (", ".join(enabled) or "none"),
        _glossary_line(),
    ]


def _glossary_line() -> str:
    # load_lessons already refused any text that breaks the glossary; say that it was checked.
    glossary = load_glossary()
    return (
        f"Glossary: every text keeps to {len(glossary.terms)} key phrases "
        f"and avoids {len(glossary.idioms)} idioms"
    )


def _coverage(label: str, covered: frozenset[Strand] | frozenset[Risk], every: list[str]) -> str:
    missing = [name for name in every if name not in covered]
    line = f"{label}: {len(every) - len(missing)} of {len(every)} covered"
    return f"{line}; not covered: {', '.join(missing)}" if missing else line
