"""`flask symbols check`: prove the word list and our own pictures are sound before deploying."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.errors import Refusal
from classroom.lessons.content import LESSONS_DIR, LessonError, load_lessons
from classroom.lessons.kinds import KINDS
from classroom.symbols.consistency import screen_problems
from classroom.symbols.lesson_check import lesson_step_screens
from classroom.symbols.library import own_symbol_files
from classroom.symbols.vocabulary import (
    VOCABULARY_FILE,
    Vocabulary,
    VocabularyError,
    check_vocabulary,
    load_vocabulary,
)

# A plain group: checking files needs no app, so it also runs before the app can start.
cli = click.Group("symbols", help="Symbol pictures and the word list.")


@cli.command("check")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=VOCABULARY_FILE,
    show_default=True,
    help="The word list to check.",
)
@click.option(
    "--lessons",
    "lessons_folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=LESSONS_DIR,
    show_default=True,
    help="Check every screen of the lessons in this folder: one picture per word, cards "
    "that agree with the word list, no never-share words sharing a picture.",
)
@click.option(
    "--no-lessons",
    "skip_lessons",
    is_flag=True,
    help="Check only the word list and our own pictures.",
)
def check(path: Path, lessons_folder: Path, skip_lessons: bool) -> None:
    """Check every word's picture exists, no word is listed twice, our SVGs are clean and
    every lesson screen keeps one picture per word."""
    problems = check_vocabulary(path)
    if not problems and not skip_lessons:
        problems = _lesson_problems(lessons_folder, load_vocabulary(path))
    if problems:
        count = len(problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''} found:", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(1)
    try:
        vocabulary = load_vocabulary(path)
    except VocabularyError as error:  # cannot happen after a clean check; kept for safety
        raise click.ClickException(str(error)) from error
    topics = Counter(entry.topic for entry in vocabulary.entries.values())
    phrases = sum(1 for phrase in vocabulary.entries if " " in phrase)
    click.echo(
        f"OK: {len(vocabulary)} words and phrases ({phrases} phrases) in {len(topics)} topics, "
        f"{len(vocabulary.function_words)} function words, {len(own_symbol_files())} own pictures."
    )


def _lesson_problems(folder: Path, vocabulary: Vocabulary) -> list[str]:
    # Loading runs the picture checks against the shipped word list; a word list given with
    # --file is then checked against the same screens.
    try:
        catalogue = load_lessons(folder, kinds=KINDS)
    except LessonError as error:
        return [str(problem) for problem in error.problems]
    return [
        problem
        for lesson in catalogue
        for screen in lesson_step_screens(lesson)
        for problem in screen_problems(screen, vocabulary)
    ]


@cli.command("import-pictures")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.argument("word_list", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--as", "username", required=True, help="The head or admin the import is for.")
@with_appcontext
def import_pictures(folder: Path, word_list: Path, username: str) -> None:
    """Use a licensed symbol set as the school layer: WORD_LIST is a CSV of `word,file` rows
    naming PNG or JPEG files in FOLDER. Each picture is cleaned and size-checked; audited."""
    # lazy: pictures (Pillow) load only for this command
    from classroom.symbols import pictures  # noqa: PLC0415

    db = get_session()
    actor = db.scalar(select(Account).where(Account.username == username, Account.active))
    if actor is None:
        raise click.ClickException(f"No active account {username!r}.")
    try:
        target = pictures.folder(current_app.instance_path)
        done = pictures.import_school_layer(
            db, actor, folder, word_list, target=target, now=utcnow()
        )
    except Refusal as error:
        raise click.ClickException(f"{username} may not set the school's pictures.") from error
    db.commit()
    for problem in done.problems:
        click.echo(f"  skipped {problem}", err=True)
    click.echo(f"Imported {len(done.words)} pictures as the school layer.")
