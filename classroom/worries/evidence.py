"""Attaching evidence to an incident (screenshots, letters, other agencies' files) and reading it.

Pictures are decoded and saved again by the server, so what reaches a browser is only pixels:
no metadata (a phone's GPS, a camera serial), no script hidden in a file that claims to be a
picture. Anything else (a PDF, a Word file, an SVG) is kept exactly as given, because it is
evidence, but it is only ever sent as a download of an opaque type, never shown in a page.
Every file is sealed with the instance's key (`evidence_crypto`); every upload, view and
download is in the audit log and the upload in the incident's chronology.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid
from classroom.principals import Actor
from classroom.worries import chronology, evidence_crypto
from classroom.worries.evidence_models import Attachment, AttachmentKind
from classroom.worries.models import Incident

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel picture; anything larger is refused before decoding
MAX_DESCRIPTION = 2000
# Only these decoders ever run on an upload: Pillow would otherwise also try formats whose
# readers hand the file to other programs (EPS to Ghostscript).
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP")
KIND_WORDS = {AttachmentKind.IMAGE: "picture", AttachmentKind.FILE: "file"}


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    description: str


@dataclass(frozen=True)
class Prepared:
    kind: AttachmentKind
    data: bytes
    media_type: str
    filename: str


def clean_filename(name: str) -> str:
    """The name a person gave the file, without folders or control characters, kept short."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    shown = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    return shown[:100] or "attachment"


def _with_extension(name: str, extension: str) -> str:
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:90]}{extension}"


def _open_image(data: bytes) -> Image.Image | None:
    """The decoded picture, or None if the bytes are not one of the picture formats we read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise Invalid(
                    "That picture is too large (more than 40 megapixels). Save a smaller copy "
                    "and attach that.",
                    "file",
                )
            image.load()
            return image
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        raise Invalid("That picture is too large to open safely.", "file") from error
    except UnidentifiedImageError:
        return None
    except (OSError, ValueError, SyntaxError) as error:
        # It says it is a picture but cannot be decoded: not stored as an opaque file either,
        # since a broken "picture" is far more often an attack than evidence.
        raise Invalid("That picture is damaged and cannot be read.", "file") from error


def _reencode(image: Image.Image, name: str) -> Prepared:
    """A fresh PNG or JPEG with no metadata; screenshots stay PNG so text stays sharp."""
    upright = ImageOps.exif_transpose(image) or image
    out = io.BytesIO()
    if image.format == "JPEG":
        upright.convert("RGB").save(out, "JPEG", quality=92)  # no exif=, no icc_profile=
        return Prepared(AttachmentKind.IMAGE, out.getvalue(), "image/jpeg", _jpeg(name))
    has_alpha = upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info
    upright.convert("RGBA" if has_alpha else "RGB").save(out, "PNG")
    png_name = _with_extension(name, ".png")
    return Prepared(AttachmentKind.IMAGE, out.getvalue(), "image/png", png_name)


def _jpeg(name: str) -> str:
    return name if name.lower().endswith((".jpg", ".jpeg")) else _with_extension(name, ".jpg")


def prepare(filename: str, data: bytes) -> Prepared:
    """Pictures re-encoded; anything else kept byte for byte, typed for download only."""
    name = clean_filename(filename)
    image = _open_image(data)
    if image is not None:
        with image:
            return _reencode(image, name)
    media_type = "application/pdf" if data.startswith(b"%PDF-") else "application/octet-stream"
    return Prepared(AttachmentKind.FILE, data, media_type, name)


def _team_member(actor: Actor, incident: Incident) -> Account:
    account = policy.holder(actor, "work_incidents")
    if account is None or not policy.can_work_incident(actor, incident):
        raise Forbidden("not on the safeguarding team")
    return account


def size_words(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def _checked_upload(upload: Upload, max_bytes: int) -> str:
    description = upload.description.replace("\x00", "").strip()
    if not description:
        raise Invalid("Say what the file is and where it came from.", "description")
    if len(description) > MAX_DESCRIPTION:
        raise Invalid(f"Use at most {MAX_DESCRIPTION} characters.", "description")
    if not upload.data:
        raise Invalid("Choose a file to attach (this one is empty).", "file")
    if len(upload.data) > max_bytes:
        raise Invalid(f"That file is too big: attach files of at most {size_words(max_bytes)}.")
    return description


def add_attachment(
    session: Session,
    actor: Actor,
    incident: Incident,
    upload: Upload,
    instance: Path,
    now: datetime,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Attachment:
    """Check, clean and seal a file onto an incident; chronology and audit say so."""
    account = _team_member(actor, incident)
    if not policy.can_add_evidence(actor, incident):
        raise Invalid("This incident is closed. Reopen it to add evidence.", "file")
    description = _checked_upload(upload, max_bytes)
    ready = prepare(upload.filename, upload.data)
    token = secrets.token_hex(16)
    attachment = Attachment(
        incident_id=incident.id,
        token=token,
        kind=ready.kind,
        filename=ready.filename,
        media_type=ready.media_type,
        size=len(ready.data),
        sha256=hashlib.sha256(ready.data).hexdigest(),
        description=description,
        uploaded_by_id=account.id,
        uploaded_at=now,
        sealed=evidence_crypto.seal(instance, token, ready.data),
    )
    session.add(attachment)
    session.flush()
    words = f"{KIND_WORDS[ready.kind]}, {size_words(attachment.size)}"
    text = f"Evidence attached: {ready.filename} ({words}). {description}"
    chronology.write_entry(session, incident.id, account.id, "evidence_added", text, now)
    record(session, actor, "evidence.attached", incident, f"attachment #{attachment.id} ({words})")
    return attachment


def read_attachment(
    session: Session, actor: Actor, attachment: Attachment, instance: Path, how: str
) -> bytes:
    """The plain bytes for a view or a download, audited; Forbidden for anyone else."""
    if not policy.can_view_attachment(session, actor, attachment):
        raise Forbidden("not on the safeguarding team")
    data = evidence_crypto.unseal(instance, attachment.token, attachment.sealed)
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise evidence_crypto.SealBrokenError("The stored file does not match its checksum.")
    record(session, actor, f"evidence.{how}", attachment, f"incident #{attachment.incident_id}")
    return data
