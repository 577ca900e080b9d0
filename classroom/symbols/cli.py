"""`flask symbols check`: prove the word list and our own pictures are sound before deploying."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from classroom.lessons.content import LessonError
from classroom.symbols.consistency import screen_problems
from classroom.symbols.lesson_screens import lesson_screens
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
    default=None,
    help="Also check every screen of the lessons in this folder: one picture per word, cards "
    "that agree with the word list, no never-share words sharing a picture.",
)
def check(path: Path, lessons_folder: Path | None) -> None:
    """Check every word's picture exists, no word is listed twice and our SVGs are clean."""
    problems = check_vocabulary(path)
    if not problems and lessons_folder is not None:
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
    try:
        screens = list(lesson_screens(folder))
    except LessonError as error:
        return [str(problem) for problem in error.problems]
    return [problem for screen in screens for problem in screen_problems(screen, vocabulary)]
