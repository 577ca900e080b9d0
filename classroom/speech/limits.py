"""Limits on speech: who may have new clips made, how many a day, and how big the cache grows.

Making a clip costs the server CPU and about a megabyte of disk that is kept, so without limits
any signed-in session could fill the disk. Cache hits cost nothing and are never counted. Carers
only ever hear what the school wrote for them (`may_hear`): its own texts (lessons, worry
screens, tips) and what school wrote in their own children's feeds, whole or a word of it. Text a
carer makes up (or wrote to school) is never spoken, not even from the cache: their pages speak
nothing else, and the server would otherwise voice anything, or another family's news.

A class iPad with nobody signed in (`ClassIpad`: its tiles, a picture password) hears only what
those screens say (`class_ipad_may_hear`), in the school's voice like the pupil's own screens,
and its new clips count against the iPad's own allowance: its cookie, taken off the iPad, is no
free speech engine.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

from flask import Flask
from sqlalchemy import ColumnElement, Text, delete, func, or_, select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account
from classroom.db import serialise
from classroom.principals import Actor, PupilPrincipal
from classroom.pupils.services import PICTURES
from classroom.speech.models import SpeechUsage
from classroom.speech.services import registered_texts

logger = logging.getLogger(__name__)

KNOWN_TEXTS_EXTENSION = "speech.known_texts"
PRUNE_EVERY_SECONDS = 3600
USAGE_KEPT_DAYS = 7
STALE_PART_SECONDS = 3600  # a half-written temporary file this old was abandoned


class SpeechRefused(Exception):  # noqa: N818 - reads as "except SpeechRefused"
    """This person may not have this clip made now; the page uses the device's own voice."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def known_texts(app: Flask) -> frozenset[str]:
    """The school's own texts (lessons, worry screens), read once per process."""
    known = app.extensions.get(KNOWN_TEXTS_EXTENSION)
    if not isinstance(known, frozenset):
        known = frozenset(t.strip() for t in registered_texts(app))
        app.extensions[KNOWN_TEXTS_EXTENSION] = known
    return known


@dataclass(frozen=True)
class ClassIpad:
    """A class iPad (a live device cookie) with nobody signed in on it: the tiles screen, or a
    picture password. Its class's active pupils are on those screens: the names they answer to
    (`Pupil.called`, never a legal name they are not known by) and their own voices (a picture
    password speaks in the pupil's)."""

    device_id: int
    names: frozenset[str]
    voices: frozenset[str]


# Whoever asks for speech: a signed-in person, nobody, or a class iPad with nobody signed in.
Asker: TypeAlias = "Actor | ClassIpad"


def usage_key(actor: Asker) -> str | None:
    """Whose allowance a new clip counts against: an account, a pupil or a class iPad."""
    if isinstance(actor, Account):
        return f"account:{actor.id}"
    if isinstance(actor, PupilPrincipal):
        return f"pupil:{actor.pupil.id}"
    if isinstance(actor, ClassIpad):
        return f"device:{actor.device_id}"
    return None


@dataclass(frozen=True)
class Allowance:
    """How much new speech one person may have made a day (SPEECH_NEW_CLIPS_PER_DAY and
    SPEECH_CHARACTERS_PER_DAY)."""

    clips: int
    characters: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Allowance:
        return cls(
            int(config["SPEECH_NEW_CLIPS_PER_DAY"]), int(config["SPEECH_CHARACTERS_PER_DAY"])
        )


def allow_new_clip(
    session: Session,
    actor: Asker,
    text: str,
    allowance: Allowance,
    known: frozenset[str],
    *,
    now: datetime,
) -> None:
    """Count a new clip against today's allowance, or SpeechRefused (403 or 429).

    `known`: the school's own texts (`known_texts`); carers and class iPads may have made only
    what `may_hear`.
    """
    who = usage_key(actor)
    if who is None:
        raise SpeechRefused("Sign in to hear this.", 403)
    check_may_hear(session, actor, text, known, now=now)
    serialise(session, f"speech:{who}")  # parallel requests must not both take the last clip
    row = _today(session, who, now.date())
    if row.clips >= allowance.clips or row.characters + len(text) > allowance.characters:
        logger.warning("speech allowance used up for %s on %s", who, row.day)
        raise SpeechRefused("Enough new speech for today; this device's voice reads it.", 429)
    row.clips += 1
    row.characters += len(text)
    session.flush()


def check_may_hear(
    session: Session, actor: Asker, text: str, known: frozenset[str], *, now: datetime
) -> None:
    """SpeechRefused (403) unless `may_hear`; asked before the cache too, for carers and class
    iPads."""
    if not may_hear(session, actor, text, known, now=now):
        raise SpeechRefused("Only what the school wrote for you is read aloud here.", 403)


def school_texts_only(actor: Asker) -> bool:
    """Whether this person hears only what the school wrote for them (`may_hear`): carers."""
    return isinstance(actor, Account) and actor.is_parent


def may_hear(
    session: Session, actor: Asker, text: str, known: frozenset[str], *, now: datetime
) -> bool:
    """Whether the server may read `text` aloud to this person.

    Staff and pupils: any text (within their allowance). A class iPad with nobody signed in:
    what its screens say (`class_ipad_may_hear`). A carer: only what the school wrote for
    them, whole or a word or phrase of it (a word they tap): the school's own texts (`known`),
    and the texts of school's items in their own children's feeds as they may see them now
    (`policy.school_texts_for_carer`: not another family's, not one still held back or waiting
    for quiet hours to end, never their own message). Line breaks count as the browser sends
    them: a message typed in a box is kept with CR LF, and read from the page with LF.
    """
    if isinstance(actor, ClassIpad):
        return class_ipad_may_hear(text, actor.names, known)
    if not school_texts_only(actor):
        return True
    spoken = _lines(text).strip()
    if not spoken:
        return False
    if spoken in known:
        return True
    part = re.compile(rf"(?<!\w){re.escape(spoken)}(?!\w)")  # whole words, never part of one
    if any(spoken in own and part.search(own) for own in known):
        return True
    scope = policy.school_texts_for_carer(actor, now)
    # The database finds the items that may hold it; each is then checked exactly here.
    found = scope.where(
        or_(*(_sql_lines(c).contains(spoken, autoescape=True) for c in scope.selected_columns))
    )
    rows = session.execute(found).all()
    return any(part.search(_lines(t)) for row in rows for t in row if isinstance(t, str))


# What a class iPad's screens say before anyone signs in, as speech.js and scan.js ask for it:
# the tiles (templates/pupils/start.html), a picture password (templates/pupils/pictures.html,
# its pictures' words and Back), what is beside both (templates/ipad/_chrome.html: a worry not
# sent yet, the Read to me button's name) and what scan.js calls a group of choices. Names are
# the class's own (`ClassIpad.names`). tests/speech/test_class_ipad_speech.py reads both screens
# and asks for everything they can say, so a word changed there without here is found.
CLASS_IPAD_TEXTS = (
    "Who are you?",
    "There are no pupils in our class yet.",
    "tap your pictures",
    "Let's try again.",
    "Please ask a trusted adult to help you.",
    "Back",
    "Read to me",
    "Choices",
    "A worry is saved on this iPad.",
    "It is not sent yet.",
    *PICTURES.values(),
)
# Where Read to me and scanning join a screen's pieces ("Who are you? Amira. Ben", "Read to me,
# Back"; speech.js readContainer, scan.js groupWords): after a mark, at a space.
_SAID_APART = re.compile(r"(?<=[.?!:;,])\s+")
_MARKS = ".?!:;,"


def class_ipad_may_hear(text: str, names: Iterable[str], known: frozenset[str]) -> bool:
    """Whether a class iPad with nobody signed in may hear `text`: one of the school's own texts
    (`known`), or what its screens say, as one piece ("Dev", "tap", "Who are you?") or as Read
    to me and scanning join them ("Who are you? Amira. Ben. Dev"). Each piece must be a screen's
    text or whole words of one, or a name its class's pupils answer to; nothing else is made or
    played, so the voice can only ever say these screens' words."""
    spoken = _lines(text).strip()
    if spoken in known:
        return True
    phrases = _screen_phrases() | {p for name in names for p in _phrases(name)}
    pieces = [_bare(piece) for piece in _SAID_APART.split(spoken)]
    return bool(spoken) and all(piece in phrases for piece in pieces)


@cache
def _screen_phrases() -> frozenset[str]:
    return frozenset(p for text in CLASS_IPAD_TEXTS for p in _phrases(text))


def _phrases(text: str) -> set[str]:
    """Every run of whole words in each piece of `text` (a word tapped says itself alone)."""
    found = set()
    for piece in _SAID_APART.split(text.strip()):
        words = _bare(piece).split(" ")
        found |= {
            _bare(" ".join(words[i:j]))
            for i in range(len(words))
            for j in range(i + 1, len(words) + 1)
        }
    return found - {""}


def _bare(piece: str) -> str:
    """A piece as it is compared: one space between words, no mark after the last."""
    return " ".join(piece.split()).rstrip(_MARKS)


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _sql_lines(column: ColumnElement[Any]) -> ColumnElement[str]:
    """`_lines` in SQL."""
    crlf = func.replace(column, "\r\n", "\n", type_=Text())
    return func.replace(crlf, "\r", "\n", type_=Text())


def _today(session: Session, who: str, day: date) -> SpeechUsage:
    row = session.scalar(select(SpeechUsage).where(SpeechUsage.who == who, SpeechUsage.day == day))
    if row is None:
        row = SpeechUsage(who=who, day=day, clips=0, characters=0)
        session.add(row)
    return row


# --- Pruning the clip cache -------------------------------------------------------------------


@dataclass(frozen=True)
class CachedClip:
    mp3: Path
    timings: Path
    made_at: float
    size: int
    known: bool


@dataclass
class PruneReport:
    """What a prune removed and what it kept."""

    removed: int = 0
    freed_bytes: int = 0
    kept: int = 0
    kept_bytes: int = 0


def prune_cache(
    directory: Path, known: frozenset[str], max_age: timedelta, max_bytes: int, now: datetime
) -> PruneReport:
    """Remove clips older than `max_age` (except the school's own texts), then the oldest
    clips until the cache is within `max_bytes` (other texts first, the school's own last)."""
    report = PruneReport()
    _remove_leftovers(directory, now.timestamp())
    clips = sorted(_cached_clips(directory, known), key=lambda c: (c.known, c.made_at))
    total = sum(c.size for c in clips)
    oldest_allowed = (now - max_age).timestamp()
    for clip in clips:
        if (not clip.known and clip.made_at < oldest_allowed) or total > max_bytes:
            _remove(clip)
            total -= clip.size
            report.removed += 1
            report.freed_bytes += clip.size
        else:
            report.kept += 1
            report.kept_bytes += clip.size
    return report


def _cached_clips(directory: Path, known: frozenset[str]) -> Iterator[CachedClip]:
    for mp3 in directory.glob("??/*.mp3"):
        timings = mp3.with_suffix(".json")
        try:
            stat = mp3.stat()
            size = stat.st_size + (timings.stat().st_size if timings.exists() else 0)
        except FileNotFoundError:
            continue  # removed by another process meanwhile
        yield CachedClip(mp3, timings, stat.st_mtime, size, _text_of(timings) in known)


def _text_of(timings: Path) -> str | None:
    try:
        text = json.loads(timings.read_text(encoding="utf-8")).get("text")
    except (OSError, ValueError, AttributeError):
        return None
    return text.strip() if isinstance(text, str) else None


def _remove(clip: CachedClip) -> None:
    # Timings first: a clip counts as cached only while its timings file exists.
    for path in (clip.timings, clip.mp3):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _remove_leftovers(directory: Path, now: float) -> None:
    """Half-written files from a crash, and timings whose audio has gone."""
    for part in directory.glob("??/.*.part"):
        with contextlib.suppress(FileNotFoundError):
            if now - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()
    for timings in directory.glob("??/*.json"):
        if not timings.with_suffix(".mp3").exists():
            with contextlib.suppress(FileNotFoundError):
                timings.unlink()


def prune(
    session: Session,
    directory: Path,
    known: frozenset[str],
    max_days: int,
    max_mb: int,
    *,
    now: datetime,
) -> PruneReport:
    """Prune the clip cache in `directory` and forget past days' allowances."""
    report = prune_cache(directory, known, timedelta(days=max_days), max_mb * 1024 * 1024, now)
    cutoff = now.date() - timedelta(days=USAGE_KEPT_DAYS)
    session.execute(delete(SpeechUsage).where(SpeechUsage.day < cutoff))
    return report
