"""Pupils' sign-in photos: re-encoded small, kept outside static/, shown only with consent."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from PIL import Image
from sqlalchemy.orm import Session

from classroom import policy
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid
from classroom.photos import (
    NAME,
    ConsentPurpose,
    Stored,
    delete_after_commit,
    find_in,
    named,
    reencode,
    save_in,
)
from classroom.principals import Actor
from classroom.pupils.models import Pupil

TILE_SIDE = 320  # big enough for a 180 px tile on a retina iPad, small for a class of tiles
FOLDER = "pupil_photos"


def photo_dir(instance_path: str | Path) -> Path:
    """Where the tiles are kept: a folder of the app's instance folder (the caller's setting)."""
    return Path(instance_path) / FOLDER


def _tile_names(session: Session) -> set[str]:
    return named(session, Pupil.photo_file)


STORED = Stored(FOLDER, NAME, _tile_names)  # the worker sweeps tiles no pupil names


def _small(data: bytes) -> bytes:
    """A fresh upright JPEG with no metadata (the carers' photo rules), then tile sized."""
    with Image.open(io.BytesIO(reencode(data))) as image:
        image.thumbnail((TILE_SIDE, TILE_SIDE))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def set_photo(
    session: Session, actor: Actor, pupil: Pupil, data: bytes | None, folder: Path
) -> None:
    """Give the pupil a photo tile (or take it away, back to their symbol)."""
    if not policy.can_edit_pupil_settings(session, actor, pupil):
        raise Forbidden("not allowed to change this pupil")
    if data is not None and not pupil.active:
        # A leaver's settings are read-only; taking their photo away is still allowed (images
        # are deleted once no longer used).
        raise Invalid(f"{pupil.first_name} has left the school, so a new photo cannot be set.")
    old = pupil.photo_file
    pupil.photo_file = store_tile(data, folder) if data is not None else None
    if old is not None:
        # Images are deleted once no longer used (the policy), but only once this change is
        # committed: a request rolled back keeps the row naming the old photo, so keep its file.
        delete_after_commit(session, folder, [old])
    record(session, actor, "pupil.photo_set" if data is not None else "pupil.photo_removed", pupil)


def store_tile(data: bytes, folder: Path) -> str:
    """Re-encode a photo to tile size and save it under a random name; returns the name."""
    return save_in(folder, _small(data))


def path_for(name: str | None, folder: Path) -> Path | None:
    return find_in(folder, name)


def shows_photo(session: Session, pupil: Pupil, *, today: date, folder: Path) -> bool:
    """The tile shows the photo only while the carers' consent for use in the app is in force
    (on `today`, the school's date)."""
    consent = policy.photo_consent_in_force(session, pupil.id, ConsentPurpose.APP, today)
    return consent is not None and path_for(pupil.photo_file, folder) is not None
