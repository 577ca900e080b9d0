"""Photos of pupils and staff (shared with carers, "my people", pupil tiles): re-encoded,
stripped, stored outside static/; and the purposes a carer consents to photos for.

Every upload is decoded and saved again as a new JPEG, so whatever came with it (EXIF, GPS,
a camera serial, a script disguised as a picture) is gone. Files get random names in the
instance folder and are only ever served through a view that checks policy and consent.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import tempfile
import warnings
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event, select
from sqlalchemy.orm import InstrumentedAttribute, Session, SessionTransaction

from classroom.errors import Invalid


class ConsentPurpose(StrEnum):
    APP = "app"  # photos shared with this child's own carers in the app
    WEBSITE = "website"  # photos on the school website (never with names)


FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_SIDE = 1600
MAX_PIXELS = 50_000_000
NAME = re.compile(r"^[0-9a-f]{32}\.jpg$")
UNREADABLE = "We could not read that picture. Use a photo saved as JPEG or PNG."


FOLDER = "carer_photos"


def photo_dir(instance_path: str | Path) -> Path:
    """Where carers' photos are kept: a folder of the app's instance folder (the caller's
    setting; views pass `current_app.instance_path`)."""
    return Path(instance_path) / FOLDER


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on a white background (JPEG has no transparency)."""
    if image.mode in {"RGBA", "LA", "P", "PA"}:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def reencode(data: bytes) -> bytes:
    """The picture as a fresh JPEG, turned upright, at most 1600 px, with no metadata at all."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in FORMATS or image.width * image.height > MAX_PIXELS:
                    raise Invalid(UNREADABLE, "photo")
                upright = ImageOps.exif_transpose(image) or image
                flat = _flatten(upright)
    except (UnidentifiedImageError, Image.DecompressionBombWarning, OSError, ValueError) as error:
        raise Invalid(UNREADABLE, "photo") from error
    except Image.DecompressionBombError as error:
        raise Invalid(UNREADABLE, "photo") from error
    flat.thumbnail((MAX_SIDE, MAX_SIDE))
    flat.info.clear()  # convert() copies info, and Pillow writes a JPEG comment (COM) from it
    out = io.BytesIO()
    flat.save(out, "JPEG", quality=85, optimize=True)  # no exif= or icc_profile=: none kept
    return out.getvalue()


def store(data: bytes, folder: Path) -> str:
    """Re-encode and save a photo in `folder` under a random name; returns the name."""
    return save_in(folder, reencode(data))


def path_for(name: str | None, folder: Path) -> Path | None:
    """Where a stored photo is in `folder`, if the name is one of ours and the file exists."""
    return find_in(folder, name)


def save_in(folder: Path, clean: bytes) -> str:
    """Save already re-encoded JPEG bytes in `folder` under a random name; returns the name.
    Written to a temporary file and renamed, so a crash never leaves half a photo."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.jpg"
    fd, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(clean)
    os.replace(temporary, folder / name)
    return name


def find_in(folder: Path, name: str | None) -> Path | None:
    """The photo `name` in `folder`, if the name is one of ours (no path tricks) and it exists."""
    if name is None or not NAME.match(name):
        return None
    path = folder / name
    return path if path.is_file() else None


# --- Deleting photos: only once the change that lets them go is committed --------------------

PENDING = "photos_to_delete"  # the session's info key: files to delete when it commits
# A file no row names is deleted by the sweep only once it is this old: a request stores a photo
# before its row is committed, and no request takes a day.
SWEEP_GRACE = timedelta(days=1)


def delete_after_commit(
    session: Session, folder: Path, names: Iterable[str], *, pattern: re.Pattern[str] = NAME
) -> None:
    """Delete these files (names of ours, `pattern`: a photo's by default) from `folder` when
    the session's transaction commits, never before.

    A rollback (or a session closed without committing) keeps every file, so the rows it
    restores still find their photos. A crash between the commit and the deletion leaves a file
    no row names: `sweep_unreferenced` deletes it later.
    """
    pending: list[Path] = session.info.setdefault(PENDING, [])
    pending.extend(folder / name for name in names if pattern.match(name))
    if not event.contains(session, "after_commit", _delete_pending):
        event.listen(session, "after_commit", _delete_pending)
        event.listen(session, "after_soft_rollback", _forget_pending)
        event.listen(session, "after_transaction_end", _forget_at_end)


def _delete_pending(session: Session) -> None:
    for path in session.info.pop(PENDING, []):
        # The change is committed: a file that cannot go now is one no row names, and the sweep
        # deletes it later. Failing here would answer 500 for a change that was made.
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def _forget_pending(session: Session, _previous: SessionTransaction) -> None:
    # Any rollback, a savepoint's too, forgets them all: a file kept a day too long is swept,
    # while a file deleted under a row that still names it would be lost.
    session.info.pop(PENDING, None)


def _forget_at_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # after a commit nothing is left; after close(), forget
        session.info.pop(PENDING, None)


# What tempfile.mkstemp(suffix=".part") names a file being written (save_in and the like).
PART = re.compile(r"^tmp[a-z0-9_]{8}\.part$")


def sweep_unreferenced(
    folder: Path,
    referenced: Collection[str],
    *,
    now: datetime,
    grace: timedelta = SWEEP_GRACE,
    pattern: re.Pattern[str] = NAME,
) -> int:
    """Delete files in `folder` that no row names (and half-written ones) older than `grace`.

    They are left by a crash between a commit and its deletions, or by a request that stored a
    file and then rolled back. Only names of ours (`pattern`, or a `.part` file being written)
    are touched. Returns how many files were deleted.
    """
    if not folder.is_dir():
        return 0
    cutoff = (now - grace).astimezone(UTC).timestamp()
    deleted = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            ours = pattern.match(entry.name) is not None or PART.match(entry.name) is not None
            if ours and entry.name not in referenced and _older(entry, cutoff):
                # A file that cannot go now is tried again at the next sweep.
                with contextlib.suppress(OSError):
                    Path(entry.path).unlink()
                    deleted += 1
    return deleted


def _older(entry: os.DirEntry[str], cutoff: float) -> bool:
    """A plain file (never a link or a folder) last written before `cutoff`."""
    try:
        plain = entry.is_file(follow_symlinks=False)
        return plain and entry.stat(follow_symlinks=False).st_mtime < cutoff
    except OSError:  # gone since the folder was read
        return False


# --- The worker's hourly sweep of every folder of stored files ------------------------------

SWEEP_EVERY = timedelta(hours=1)
_swept: dict[Path, datetime] = {}  # when this process last swept each instance folder


@dataclass(frozen=True)
class Stored:
    """A folder of the instance folder where a feature keeps files that its rows name."""

    folder: str
    pattern: re.Pattern[str]  # the names of its files: nothing else in the folder is touched
    named: Callable[[Session], set[str]]  # every name its rows hold, in every school


def named(session: Session, *columns: InstrumentedAttribute[str | None]) -> set[str]:
    """Every value in these columns, in every school (a `Stored`'s names)."""
    names: set[str] = set()
    for column in columns:
        names.update(n for n in session.scalars(select(column).where(column.is_not(None))) if n)
    return names


def sweep(
    session: Session,
    instance: Path,
    stored: Iterable[Stored],
    *,
    now: datetime,
    grace: timedelta = SWEEP_GRACE,
) -> dict[str, int]:
    """Delete the files no row names, older than `grace` (a day), in each folder; how many
    went where.

    The photo policy keeps images only while they are needed; a rolled-back upload or a crash
    between a commit and its deletions leaves files that nothing shows or deletes otherwise.
    """
    return {
        kind.folder: sweep_unreferenced(
            instance / kind.folder, kind.named(session), now=now, grace=grace, pattern=kind.pattern
        )
        for kind in stored
    }


def sweep_if_due(
    session: Session, instance: Path, stored: Iterable[Stored], *, now: datetime
) -> dict[str, int] | None:
    """`sweep`, at most once an hour in this process (the worker's round calls it)."""
    last = _swept.get(instance)
    if last is not None and now - last < SWEEP_EVERY:
        return None
    _swept[instance] = now
    return sweep(session, instance, stored, now=now)
