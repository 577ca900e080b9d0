"""`flask speech check` and `flask speech pregenerate`: prove speech works, fill the cache."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from classroom.db import get_session, utcnow
from classroom.speech import services, web
from classroom.speech.engine import DEFAULT_RATE, SpeechUnavailable
from classroom.symbols.vocabulary import load_vocabulary

cli = AppGroup("speech", help="Text to speech (espeak-ng) and the audio cache.")

SAMPLE = "Tell a trusted adult if something online worries you."


@cli.command("check")
def check() -> None:
    """Make one clip from scratch and report the engine, voices, speed and audio size."""
    synthesiser = web.current_synthesiser()
    if not synthesiser.available():
        click.echo(
            "Server speech is NOT available: pages will use the iPad's own voice.\n"
            "Install espeak-ng and libespeak-ng1 (apt-get install espeak-ng libespeak-ng1).",
            err=True,
        )
        raise SystemExit(1)
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        clip = services.make_clip(SAMPLE, directory=Path(scratch), synthesiser=synthesiser)
        elapsed_ms = (time.perf_counter() - started) * 1000
    folder = web.clip_folder()
    cached = list(folder.glob("*/*.mp3")) if folder.is_dir() else []
    click.echo(f"Engine: {synthesiser.version}")
    click.echo(f"Voices: {', '.join(synthesiser.voices())} (default {synthesiser.default_voice()})")
    click.echo(
        f"Sample: {clip.duration_ms} ms of speech made in {elapsed_ms:.0f} ms, "
        f"{clip.audio_bytes} bytes ({clip.audio_bytes * 1000 // max(clip.duration_ms, 1)} "
        f"bytes a second), {len(clip.words)} words timed"
    )
    size_kb = sum(p.stat().st_size for p in cached) // 1024
    click.echo(f"Cache: {folder} holds {len(cached)} clips, {size_kb} KB")


@cli.command("pregenerate")
@click.option("--text", "texts", multiple=True, help="A text to make audio for (repeatable).")
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A UTF-8 file with one text per line (repeatable).",
)
@click.option("--vocabulary", is_flag=True, help="Also every word and phrase in the word list.")
@click.option(
    "--sources/--no-sources",
    default=True,
    show_default=True,
    help="Also the texts other features registered (such as lessons).",
)
@click.option("--voice", "voices", multiple=True, help="Voice id (repeatable); default British.")
@click.option("--rate", "rates", multiple=True, type=int, help="Words a minute (repeatable).")
def pregenerate_command(
    texts: tuple[str, ...],
    files: tuple[Path, ...],
    vocabulary: bool,
    sources: bool,
    voices: tuple[str, ...],
    rates: tuple[int, ...],
) -> None:
    """Make and cache audio ahead of time, so no pupil waits for the first play."""
    wanted = _texts(texts, files, vocabulary, sources)
    try:
        report = services.pregenerate(
            wanted,
            voices=voices or (None,),
            rates=rates or (DEFAULT_RATE,),
            directory=web.clip_folder(),
            synthesiser=web.current_synthesiser(),
        )
    except SpeechUnavailable as error:
        raise click.ClickException(f"Server speech is not available: {error}") from error
    click.echo(
        f"{report.created} clips made, {report.cached} already cached, "
        f"{report.audio_bytes // 1024} KB of audio in total."
    )
    for text, reason in report.failed:
        click.echo(f"  skipped {text[:60]!r}: {reason}", err=True)
    if report.failed:
        raise SystemExit(1)


@cli.command("prune")
@click.option("--max-days", type=int, help="Remove other clips older than this (default: config).")
@click.option("--max-mb", type=int, help="Keep the cache within this size (default: config).")
def prune_command(max_days: int | None, max_mb: int | None) -> None:
    """Prune the clip cache by age and total size; the school's own texts are kept longest."""
    session = get_session()
    report = web.prune(session, now=utcnow(), max_days=max_days, max_mb=max_mb)
    session.commit()
    click.echo(
        f"{report.removed} clips removed ({report.freed_bytes // 1024} KB), "
        f"{report.kept} kept ({report.kept_bytes // 1024} KB)."
    )


def _texts(
    texts: Iterable[str], files: Iterable[Path], vocabulary: bool, sources: bool
) -> Iterator[str]:
    yield from texts
    for path in files:
        yield from path.read_text(encoding="utf-8").splitlines()
    if vocabulary:
        yield from load_vocabulary().entries
    if sources:
        yield from services.registered_texts(current_app)
