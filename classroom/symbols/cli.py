"""`flask symbols check`: prove the word list and our own pictures are sound before deploying."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from classroom.symbols.library import own_symbol_files
from classroom.symbols.vocabulary import (
    VOCABULARY_FILE,
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
def check(path: Path) -> None:
    """Check every word's picture exists, no word is listed twice and our SVGs are clean."""
    problems = check_vocabulary(path)
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
