"""The school's own pictures for words: staff uploads and a licensed set imported from a folder.

An upload is never served as sent. It must be a PNG or JPEG (an SVG can carry script, so it is
refused), at most MAX_BYTES and MAX_PIXELS; it is decoded and saved again as a fresh PNG at
most PICTURE_SIDE wide, so no metadata (EXIF, GPS, comments) survives. Its code "pic-<hex>"
is then used like any symbol code, on the school, class or pupil layer (services.set_override).
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import tempfile
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid
from classroom.photos import Stored, named
from classroom.principals import Actor
from classroom.pupils.models import Pupil, SchoolClass
from classroom.symbols import services
from classroom.symbols.models import SchoolPicture, SymbolFlag, SymbolOverride
from classroom.symbols.services import is_picture_code as is_picture_code
from classroom.symbols.services import picture_path as picture_path
from classroom.symbols.vocabulary import normalise

MAX_BYTES = 1_500_000
MAX_PIXELS = 16_000_000  # 4000 x 4000: bigger is refused before it is decoded
PICTURE_SIDE = 512
FORMATS = frozenset({"PNG", "JPEG"})
REFUSED = "Use a picture saved as PNG or JPEG, at most 1.5 MB and 4000 × 4000 pixels."


FOLDER = "school_pictures"
FILE_NAME = re.compile(r"^pic-[0-9a-f]{32}\.png$")  # a picture's file: its code and ".png"


def folder(instance_path: str | Path) -> Path:
    """Where the school's pictures are kept: a folder of the app's instance folder (the
    caller's setting; views pass `current_app.instance_path`)."""
    return Path(instance_path) / FOLDER


def _picture_names(session: Session) -> set[str]:
    # Its code names a picture's file, in the picture's own row, a word's or a flag on it.
    codes = named(session, SchoolPicture.code, SymbolOverride.symbol, SymbolFlag.symbol)
    return {f"{code}.png" for code in codes}


STORED = Stored(FOLDER, FILE_NAME, _picture_names)  # the worker sweeps pictures no row names


def clean_png(data: bytes) -> bytes:
    """The picture decoded, checked and saved again as a plain PNG with no metadata."""
    if not data or len(data) > MAX_BYTES:
        raise Invalid(REFUSED, "picture")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in FORMATS or image.width * image.height > MAX_PIXELS:
                    raise Invalid(REFUSED, "picture")
                upright = ImageOps.exif_transpose(image) or image
                rgba = upright.convert("RGBA")
    except (UnidentifiedImageError, Image.DecompressionBombWarning, OSError, ValueError) as error:
        raise Invalid(REFUSED, "picture") from error
    except Image.DecompressionBombError as error:
        raise Invalid(REFUSED, "picture") from error
    rgba.thumbnail((PICTURE_SIDE, PICTURE_SIDE))
    out = io.BytesIO()
    rgba.save(out, "PNG", optimize=True)  # no pnginfo=, exif= or icc_profile=: nothing kept
    return out.getvalue()


def add_picture(
    session: Session,
    school_id: int,
    data: bytes,
    label: str,
    actor: Account | None,
    *,
    target: Path,
    now: datetime,
) -> SchoolPicture:
    """Clean and store a picture for the school in `target` (`folder`); returns its row (code
    "pic-<hex>")."""
    clean = clean_png(data)
    code = f"pic-{secrets.token_hex(16)}"
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target, suffix=".part")
    with os.fdopen(fd, "wb") as handle:
        handle.write(clean)
    os.replace(temporary, target / f"{code}.png")
    row = SchoolPicture(
        school_id=school_id, code=code, label=normalise(label)[:80],
        uploaded_by_id=actor.id if actor else None, uploaded_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def upload_for_word(
    session: Session,
    actor: Actor,
    phrase: str,
    data: bytes,
    *,
    school_class: SchoolClass | None = None,
    pupil: Pupil | None = None,
    target: Path,
    now: datetime,
) -> SymbolOverride:
    """Staff upload a picture (into `target`, `folder`) and use it for a word on one layer
    (school, class or pupil)."""
    if not isinstance(actor, Account) or not actor.is_staff:
        raise Forbidden("only staff can upload pictures")
    services.check_layer(session, actor, school_class, pupil)  # refuse before storing anything
    if not normalise(phrase):
        raise Invalid("Type the word or phrase the picture is for.", "phrase")
    picture = add_picture(session, actor.school_id, data, phrase, actor, target=target, now=now)
    summary = f"{picture.label!r} -> {picture.code}"
    record(session, actor, "symbols.picture_uploaded", picture, summary)
    return services.set_override(
        session,
        actor,
        phrase,
        picture.code,
        school_class=school_class,
        pupil=pupil,
        picture_folder=target,
        now=now,
    )


@dataclass(frozen=True)
class Imported:
    """What an import did: words given a picture, and lines that could not be used."""

    words: list[str]
    problems: list[str]


def import_school_layer(
    session: Session,
    actor: Account,
    images: Path,
    word_list: Path,
    *,
    target: Path,
    now: datetime,
) -> Imported:
    """A school's licensed symbol set: a CSV of `word,file` rows and a folder of PNG/JPEG files
    become the school layer (stored in `target`, `folder`), in the name of a head or admin.
    Audited, word by word."""
    services.check_layer(session, actor, None, None)
    words: list[str] = []
    problems: list[str] = []
    with word_list.open(encoding="utf-8-sig", newline="") as handle:
        for number, row in enumerate(csv.reader(handle), 1):
            if len(row) < 2 or not row[0].strip() or row[0].strip().casefold() == "word":
                continue
            word, name = row[0].strip(), row[1].strip()
            path = (images / name).resolve()
            if images.resolve() not in path.parents or not path.is_file():
                problems.append(f"line {number}: no file {name!r} in the folder")
                continue
            try:
                data = path.read_bytes()
                picture = add_picture(
                    session, actor.school_id, data, word, actor, target=target, now=now
                )
            except Invalid as problem:
                problems.append(f"line {number}: {name}: {problem.message}")
                continue
            services.set_override(
                session, actor, word, picture.code, picture_folder=target, now=now
            )
            words.append(normalise(word))
    record(session, actor, "symbols.school_layer_imported", None, f"{len(words)} words")
    return Imported(words, problems)


def school_pictures(session: Session, school_id: int) -> list[SchoolPicture]:
    """The school's own pictures, newest first, for the chooser."""
    query = select(SchoolPicture).where(SchoolPicture.school_id == school_id)
    return list(session.scalars(query.order_by(SchoolPicture.id.desc())))


def account_may_see(session: Session, actor: Account, code: str) -> bool:
    """Whether a signed-in account may see the school picture `code` (it may be a pupil's own
    photo): where it is used on the school layer, a class they see (or the class of a pupil
    they see: a carer's child's), or a pupil they see; one used nowhere, only its uploader;
    one flagged and not yet dealt with, those who deal with flags. The chooser's rule too."""
    query = select(SchoolPicture).where(SchoolPicture.code == code)
    picture = session.scalars(query).first()
    if picture is None or picture.school_id != actor.school_id or not actor.active:
        return False
    uses = session.execute(
        select(SymbolOverride.class_id, SymbolOverride.pupil_id).where(
            SymbolOverride.school_id == picture.school_id, SymbolOverride.symbol == code
        )
    ).all()
    if any(_use_seen(session, actor, class_id, pupil_id) for class_id, pupil_id in uses):
        return True
    if not uses and picture.uploaded_by_id == actor.id:
        return True
    return policy.has_right(actor, "manage_accounts") and _flagged(session, picture)


def _use_seen(session: Session, actor: Account, class_id: int | None, pupil_id: int | None) -> bool:
    if pupil_id is not None:
        return policy.visible_pupil(session, actor, pupil_id) is not None
    if class_id is None:
        return True  # the whole school's
    if policy.visible_class(session, actor, class_id) is not None:
        return True
    seen = policy.visible_pupils(actor).with_only_columns(Pupil.id)
    child = select(Pupil.id).where(Pupil.class_id == class_id, Pupil.id.in_(seen)).limit(1)
    return session.scalar(child) is not None


def _flagged(session: Session, picture: SchoolPicture) -> bool:
    query = select(SymbolFlag.id).where(
        SymbolFlag.school_id == picture.school_id,
        SymbolFlag.symbol == picture.code,
        SymbolFlag.resolved_at.is_(None),
    )
    return session.scalar(query.limit(1)) is not None
