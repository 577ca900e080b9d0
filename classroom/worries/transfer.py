"""Child-protection file transfer: one encrypted package of a pupil's safeguarding record.

When a pupil leaves, the DSL sends their child-protection file to the next school's DSL,
separately from the main pupil file (Keeping Children Safe in Education). The package holds
every incident the pupil is linked to, with its chronology, actions, referrals, parent-contact
decisions, body map and attached files. Other pupils linked to those incidents are not named.

File layout (integers big-endian):

    magic      16 bytes  b"CLASSROOM-CPFILE"
    version     1 byte   1
    log2 N      1 byte   scrypt cost
    r, p        2 bytes  scrypt block size and parallelism
    salt       16 bytes  for scrypt
    nonce      12 bytes  for AES-GCM
    check       8 bytes  scrypt output bytes 32-39: tells a wrong passphrase from a changed file
    ciphertext  ...      AES-256-GCM (key: scrypt output bytes 0-31; the header is bound in)

The plain text is JSON: a manifest (what, from whom, when, and the SHA-256 of the record and of
every file) beside the record and the files. The receiving school checks the tag (every byte),
then every checksum, before anything is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import struct
import unicodedata
from collections.abc import Callable, Set
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    case,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased, joinedload

from classroom import policy
from classroom.accounts.models import Account, School
from classroom.audit.services import record
from classroom.db import plain_rows
from classroom.errors import Forbidden, Invalid, too_long
from classroom.export import check_passphrase
from classroom.localtime import STYLES, local_today
from classroom.principals import Actor
from classroom.pupils.models import Pupil
from classroom.worries import body_map, evidence_crypto, flow, services
from classroom.worries.evidence_models import MARK_LABELS, Attachment, BodyMark
from classroom.worries.models import (
    AGENCY_LABELS,
    CATEGORY_LABELS,
    PARENT_CONTACT_LABELS,
    PUPIL_ROLE_MEANINGS,
    Incident,
    IncidentEntry,
    IncidentPupil,
    ParentContactDecision,
    Source,
)
from classroom.worries.transfer_models import (
    CpTransfer,
    CpTransferCorrection,
    ReceivedAttachment,
    ReceivedFile,
)

MAGIC = b"CLASSROOM-CPFILE"
VERSION = 1
FORMAT = "classroom-cp-file"
HEADER = struct.Struct(">16sBBBB16s12s8s")
LOG2_N, R, P = 17, 8, 1


class TransferError(Exception):
    """A package that cannot be opened or trusted; the message says why, in plain words."""


# --- The encrypted envelope ---


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    normalised = unicodedata.normalize("NFC", passphrase).encode()
    out = Scrypt(salt=salt, length=40, n=2**log2_n, r=r, p=p).derive(normalised)
    return out[:32], out[32:]


def seal_package(plain: bytes, passphrase: str, log2_n: int = LOG2_N) -> bytes:
    """The whole package: header, then AES-256-GCM under a key scrypt derives from the phrase."""
    check_passphrase(passphrase)
    salt, nonce = os.urandom(16), os.urandom(12)
    key, check = _derive(passphrase, salt, log2_n, R, P)
    header = HEADER.pack(MAGIC, VERSION, log2_n, R, P, salt, nonce, check)
    return header + AESGCM(key).encrypt(nonce, plain, header)


def open_package(package: bytes, passphrase: str) -> bytes:
    """The plain JSON, or TransferError saying whether the phrase or the file is wrong."""
    if len(package) < HEADER.size + 16 or not package.startswith(MAGIC):
        raise TransferError("This is not a child-protection file from this app.")
    header = package[: HEADER.size]
    _magic, version, log2_n, r, p, salt, nonce, check = HEADER.unpack(header)
    if version != VERSION:
        raise TransferError(f"This file uses format version {version}; this app reads {VERSION}.")
    # Bounds first: a changed header must not make scrypt take all the server's memory.
    if not (10 <= log2_n <= 20 and 1 <= r <= 16 and 1 <= p <= 4):
        raise TransferError("The file is damaged or has been changed (bad header).")
    key, expected = _derive(passphrase, salt, log2_n, r, p)
    if not hmac.compare_digest(check, expected):
        raise TransferError("The passphrase is wrong for this file. Nothing was imported.")
    try:
        return AESGCM(key).decrypt(nonce, package[HEADER.size :], header)
    except InvalidTag:
        raise TransferError(
            "The file has been changed or damaged since it was made. Nothing was imported; "
            "ask the sending school to send it again."
        ) from None


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- What goes in the file ---


def _name(account: Account | None) -> str:
    return account.display_name if account else "System"


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _reported(incident: Incident) -> dict[str, Any]:
    return {
        "what": flow.words_for(flow.WHAT, incident.what) if incident.what else None,
        "where": flow.words_for(flow.WHERE, incident.where) if incident.where else None,
        "feeling": flow.words_for(flow.FEELING, incident.feeling) if incident.feeling else None,
        "pupil_words": incident.pupil_words,
        "communication": incident.communication,
        "exact_words": incident.exact_words,
    }


def _decisions(session: Session, incident: Incident, pupil: Pupil) -> list[dict[str, Any]]:
    """The parent-contact decisions that speak for this pupil's carers: those for every family
    on the record and those for theirs, never one made only for another pupil's family."""
    rows = session.scalars(
        select(ParentContactDecision)
        .where(
            ParentContactDecision.incident_id == incident.id,
            policy.speaks_for(ParentContactDecision, pupil.id),
        )
        .order_by(ParentContactDecision.id)
    )
    return [
        {
            "for": "this pupil's carers" if d.pupil_id else "every family on the record",
            "decision": PARENT_CONTACT_LABELS[d.decision],
            "reason": d.reason,
            "by": _name(d.decided_by),
            "at": _when(d.decided_at),
        }
        for d in rows
    ]


def _marks(session: Session, incident: Incident) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(BodyMark).where(BodyMark.incident_id == incident.id).order_by(BodyMark.id)
    )
    return [
        {
            "side": m.side.value,
            "x": m.x,
            "y": m.y,
            "region": m.region,
            "where": body_map.region_words(m.region),
            "type": m.mark_type.value,
            "type_words": MARK_LABELS[m.mark_type],
            "size": m.size,
            "note": m.note,
            "by": _name(m.recorded_by),
            "at": _when(m.recorded_at),
        }
        for m in rows
    ]


def _incident_record(session: Session, incident: Incident, pupil: Pupil) -> dict[str, Any]:
    role = next(link.role for link in incident.pupils if link.pupil_id == pupil.id)
    return {
        "reference": incident.reference,
        "source": incident.source.value,
        "status": incident.status.value,
        "received_at": _when(incident.created_at),
        "pupil_role": role.value,
        "pupil_role_words": PUPIL_ROLE_MEANINGS[role],  # the receiving DSL reads words
        "other_pupils_linked": len(incident.pupils) - 1,  # counted, never named
        "summary": incident.summary,
        "reported": _reported(incident),
        "raised_by": _name(incident.raised_by) if incident.raised_by_id else None,
        "category": CATEGORY_LABELS[incident.category] if incident.category else None,
        "risk": incident.risk.value if incident.risk else None,
        "risk_rationale": incident.risk_rationale,
        "child_protection": incident.child_protection,
        "closed_at": _when(incident.closed_at),
        "outcome": incident.outcome,
        "lessons_learnt": incident.lessons_learnt,
        "chronology": [
            {"at": _when(e.at), "by": _name(e.author), "text": e.text, "reason": e.reason}
            if e.kind != SUBJECT_STAFF_ENTRY
            else {"at": _when(e.at), "by": _name(e.author), "text": STAFF_LINE, "reason": None}
            for e in incident.entries
        ],
        "actions": [
            {
                "description": a.description,
                "owner": _name(a.owner),
                "due_on": _when(a.due_on),
                "done_at": _when(a.done_at),
            }
            for a in incident.actions
        ],
        "referrals": [
            {
                "agency": AGENCY_LABELS[r.agency],
                "reference": r.reference,
                "made_at": _when(r.made_at),
                "follow_up_on": _when(r.follow_up_on),
                "replied_on": _when(r.replied_on),
                "outcome": r.outcome,
            }
            for r in incident.referrals
        ],
        "parent_contact": _decisions(session, incident, pupil),
        "body_map": _marks(session, incident),
        "attachments": [],
    }


def pupil_incidents(session: Session, actor: Actor, pupil: Pupil) -> list[Incident]:
    """Every incident the pupil is linked to, oldest first, that the actor may see."""
    linked = select(IncidentPupil.incident_id).where(IncidentPupil.pupil_id == pupil.id)
    query = policy.visible_incidents(actor).where(Incident.id.in_(linked))
    return list(session.scalars(query.order_by(None).order_by(Incident.id)))


def closed_to_maker(session: Session, account: Account, pupil: Pupil) -> list[Incident]:
    """The pupil's incidents closed to `account` (`pupil_incidents` leaves them out): read
    from the pupil's own records, never the school's history."""
    linked = select(IncidentPupil.incident_id).where(IncidentPupil.pupil_id == pupil.id)
    query = select(Incident).where(Incident.id.in_(linked), Incident.school_id == pupil.school_id)
    found = session.scalars(query.order_by(Incident.id))
    return [i for i in found if policy.is_subject_of(account, i)]


@dataclass(frozen=True)
class Export:
    package: bytes
    transfer: CpTransfer
    filename: str


def _files(
    session: Session, incidents: list[Incident], record_: dict[str, Any], instance: Path
) -> dict[str, str]:
    """Every attachment, unsealed and put in the package (base64), listed on its incident."""
    files: dict[str, str] = {}
    for incident, entry in zip(incidents, record_["incidents"], strict=True):
        rows = session.scalars(
            select(Attachment).where(Attachment.incident_id == incident.id).order_by(Attachment.id)
        )
        for row in rows:
            data = evidence_crypto.unseal(instance, row.token, row.sealed)
            number = str(len(files) + 1)
            files[number] = base64.b64encode(data).decode()
            entry["attachments"].append(
                {
                    "file": number,
                    "filename": row.filename,
                    "media_type": row.media_type,
                    "kind": row.kind.value,
                    "description": row.description,
                    "by": _name(row.uploaded_by),
                    "at": _when(row.uploaded_at),
                    "size": len(data),
                    "sha256": _sha(data),
                }
            )
    return files


def build_record(
    session: Session, actor: Account, pupil: Pupil, now: datetime, instance: Path
) -> tuple[bytes, int, int]:
    """The package's plain JSON, with the number of incidents and of files in it."""
    school = session.get(School, pupil.school_id)
    incidents = pupil_incidents(session, actor, pupil)
    record_: dict[str, Any] = {
        "pupil": {
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "date_of_birth": pupil.date_of_birth.isoformat(),
            "upn": pupil.upn,
        },
        "incidents": [_incident_record(session, i, pupil) for i in incidents],
    }
    files = _files(session, incidents, record_, instance)
    for incident, entry in zip(incidents, record_["incidents"], strict=True):
        if incident.subject_staff is not None:
            _about_staff(entry, incident.subject_staff, pupil, school.name if school else "")
    others = _other_pupils(session, pupil)
    if others is not None:
        record_["incidents"] = _without_other_pupils(record_["incidents"], others)
    record_bytes = json.dumps(record_, sort_keys=True).encode()
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "from_school": school.name if school else "",
        "exported_at": now.isoformat(),
        "exported_by": actor.display_name,
        "record_sha256": _sha(record_bytes),
        "files": {n: _sha(base64.b64decode(data)) for n, data in files.items()},
    }
    plain = {"manifest": manifest, "record": record_bytes.decode(), "files": files}
    return json.dumps(plain).encode(), len(incidents), len(files)


# The file names no other pupil (KCSIE: need to know). Names the team wrote, the pupil said, or
# the app itself put in a line ("Grace Adeyemi linked: involved") read as this instead.
OTHER_PUPIL = "[another pupil]"
_FREE_TEXT = frozenset(
    {"summary", "pupil_words", "exact_words", "risk_rationale", "outcome", "lessons_learnt",
     "text", "reason", "description", "note"}
)  # fmt: skip


def _other_pupils(session: Session, pupil: Pupil) -> re.Pattern[str] | None:
    """Every other pupil of the school by full, first or last name: whole words, any case, with
    or without accents; never a name this pupil shares (a brother's surname is theirs too)."""
    own = {_plain(n) for pair in pupil.name_pairs for n in pair}
    names: set[str] = set()
    rows = session.execute(
        select(Pupil.first_name, Pupil.known_as, Pupil.last_name).where(
            Pupil.school_id == pupil.school_id, Pupil.id != pupil.id
        )
    )
    # A pupil known by another name ("Mo" for Mohammed) is written of by it too.
    for legal, known_as, last in rows:
        for first in (legal, known_as) if known_as else (legal,):
            names.add(f"{first} {last}")
            names.update(n for n in (first, last) if len(n) > 1 and _plain(n) not in own)
    names |= {_plain(n) for n in names}
    if not names:
        return None
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    # "the Adeyemis", "Graces coat": a family, or a possessive without its apostrophe.
    return re.compile(rf"(?<!\w)(?:{alternatives})(?:e?s)?(?!\w)", re.IGNORECASE)


def _plain(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name)
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


def _without_other_pupils(node: Any, others: re.Pattern[str]) -> Any:
    return _rewritten(node, others, OTHER_PUPIL, _FREE_TEXT)


Replacement = str | Callable[[re.Match[str]], str]


def _rewritten(
    node: Any, found: re.Pattern[str], said: Replacement, fields: Set[str], key: str = ""
) -> Any:
    """The file's part `node` with what `found` matches in its `fields` said as `said`."""
    if isinstance(node, dict):
        return {k: _rewritten(v, found, said, fields, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewritten(v, found, said, fields, key) for v in node]
    if isinstance(node, str) and key in fields:
        return found.sub(said, unicodedata.normalize("NFC", node))
    return node


# A worry about a member of staff (an allegation about an adult in school): the record of the
# allegation is kept by the school that employs them, its headteacher with the LADO, and is not
# passed on in a child's file. The file keeps that there was a concern about an adult and what
# was done for the child; the person reads "a member of staff" wherever they are named, in the
# app's lines and in staff's own words alike (the name is the allegation's, not the child's).
STAFF_MEMBER = "a member of staff"
SUBJECT_STAFF_ENTRY = "subject_staff"  # worries.services.set_subject_staff's chronology line
STAFF_LINE = "The worry was recorded as being about a member of staff."
_TITLES = r"(?:Mr|Mrs|Ms|Mx|Miss|Dr|Sir)"
_STAFF_FIELDS = _FREE_TEXT | {"by", "owner", "raised_by", "filename"}


def _about_staff(entry: dict[str, Any], person: Account, pupil: Pupil, school: str) -> None:
    """The incident's part of the file, with the member of staff it is about named nowhere,
    and a line saying who holds the record of the allegation."""
    found = _staff_names(person, pupil)
    if found is not None:
        entry.update(_without_staff(entry, found))
    at = f" at {school}" if school else ""
    entry["about_staff"] = (
        f"A concern about an adult in school: {STAFF_MEMBER}{at}. The record of the "
        f"allegation is held by the headteacher of {school or 'the sending school'}, with the "
        "LADO, and is not in this file. This file keeps what was done for the child."
    )


def _staff_names(person: Account, pupil: Pupil) -> re.Pattern[str] | None:
    """The member of staff's name as the app holds it: whole, or a part of it, with or
    without a title, with or without accents; never a name the pupil shares."""
    own = {_plain(n) for pair in pupil.name_pairs for n in pair}
    words = [
        w
        for w in re.findall(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*", person.display_name)
        if not re.fullmatch(_TITLES, w, re.IGNORECASE)
    ]
    names = {" ".join(words)} if len(words) > 1 else set()
    names |= {w for w in words if len(w) > 1 and _plain(w) not in own}
    # As a name is written, with its capital ("May", not "may"), or in capitals; accents or not.
    names |= {_plain(n).title() for n in names} | {n.upper() for n in names}
    if not names:
        return None
    spaced = (re.escape(n).replace(r"\ ", r"\s+") for n in names)
    alternatives = "|".join(sorted(spaced, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:(?i:{_TITLES})\.?\s+)?(?:{alternatives})(?!\w)")


def _without_staff(node: Any, found: re.Pattern[str]) -> Any:
    return _rewritten(node, found, _staff_member, _STAFF_FIELDS)


def _staff_member(match: re.Match[str]) -> str:
    """The words "a member of staff", with a capital where a sentence starts."""
    before = match.string[: match.start()].rstrip()
    return STAFF_MEMBER.capitalize() if not before or before[-1] in ".!?:" else STAFF_MEMBER


def _transferrer(actor: Actor, pupil: Pupil) -> Account:
    account = policy.holder(actor, "transfer_cp_files")
    if account is None or not policy.can_transfer_cp_file(actor, pupil):
        raise Forbidden("may not transfer this pupil's file")
    return account


def export_file(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    passphrase: str,
    now: datetime,
    instance: Path,
    log2_n: int = LOG2_N,
    *,
    base_url: str | None = None,
) -> Export:
    """Make the encrypted package and record that it was made (the file itself is not kept).

    The file holds what its maker may see, and says nothing of the rest. When a record of the
    pupil's is closed to them (they are who it is about), the rest of the team who may see it
    are told that the file went without it (`services.tell_team_of_file_gap`; emailed too
    when `base_url` is given, as the request layer does); the maker never is."""
    account = _transferrer(actor, pupil)
    plain, incidents, files = build_record(session, account, pupil, now, instance)
    package = seal_package(plain, passphrase, log2_n)
    transfer = CpTransfer(
        school_id=pupil.school_id,
        pupil_id=pupil.id,
        exported_at=now,
        exported_by_id=account.id,
        package_sha256=_sha(package),
        incidents=incidents,
        attachments=files,
    )
    session.add(transfer)
    session.flush()
    record(session, actor, "cp_file.exported", pupil, f"transfer #{transfer.id}")
    left_out = closed_to_maker(session, account, pupil)
    if left_out:
        services.tell_team_of_file_gap(
            session, actor, account, pupil, left_out, transfer.id, now=now, base_url=base_url
        )
    else:
        services.gap_alerts_done(session, account, pupil, now=now)
    filename = f"cp-file-{pupil.upn}-{now:%Y-%m-%d}.cpfile"
    return Export(package, transfer, filename)


# --- Sending and receipt ---


MAX_SAID = 200  # who it went to, how: each box's limit too (transfer_forms)


def _text(value: str | None, label: str, field: str) -> str:
    cleaned = (value or "").replace("\x00", "").strip()
    if not cleaned:
        raise Invalid(f"{label} is needed.", field)
    if len(cleaned) > MAX_SAID:
        raise Invalid(too_long(label, MAX_SAID, cleaned), field)
    return cleaned


class AlreadyRecorded(Exception):  # noqa: N818 - reads as "raise AlreadyRecorded(...)"
    """A sending or receipt already on record, posted again with other details (an old page, a
    retry): nothing is changed (a 409), and the refusal is audited. Correcting a statutory
    record is a separate, deliberate act, not a second post of this form."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _day(day: date) -> str:
    return STYLES["date"].format(d=day)  # 9 Mar 2027, as the page shows it


def _check_sent_on(transfer: CpTransfer, sent_on: date, today: date, zone: ZoneInfo) -> None:
    made_on = local_today(transfer.exported_at, zone)
    if sent_on < made_on:
        raise Invalid(
            f"The file was made on {_day(made_on)}: it cannot have been sent before then.",
            "sent_on",
        )
    if sent_on > today:
        raise Invalid("That date has not come yet.", "sent_on")


def _written(
    session: Session, transfer: CpTransfer, unchanged: list[ColumnElement[bool]], **values: Any
) -> bool:
    """Write `values` to the transfer's row only if `unchanged` still holds there, whatever this
    request read before: two posts at the same moment are settled by the database, one after
    the other (on PostgreSQL the second waits for the first to commit, then finds `unchanged`
    no longer holds). The transfer then reads as its row is; True if this wrote it."""
    done = session.execute(
        update(CpTransfer)
        .where(CpTransfer.id == transfer.id, *unchanged)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(transfer)
    return bool(getattr(done, "rowcount", 0) == 1)


def record_sent(
    session: Session,
    actor: Actor,
    transfer: CpTransfer,
    sent_on: date | None,
    sent_to: str,
    method: str,
    *,
    today: date,
    zone: ZoneInfo,
) -> None:
    """When, to whom and how the file went (e.g. by hand on an encrypted USB stick).

    The day is checked against `today` and the day the file was made (on the school's clock,
    `zone`). Posting what is on record again changes nothing; other details are refused
    (AlreadyRecorded), also when the other post came at the same moment."""
    account = _transferrer(actor, transfer.pupil)
    if sent_on is None:
        raise Invalid("Give the date it was sent.", "sent_on")
    to = _text(sent_to, "The receiving school and DSL", "sent_to")
    how = _text(method, "How it was sent", "method")
    if transfer.sent_on is None:
        _check_sent_on(transfer, sent_on, today, zone)
        values = {"sent_on": sent_on, "sent_to": to, "sent_method": how}
        values["sent_recorded_by_id"] = account.id
        if _written(session, transfer, [CpTransfer.sent_on.is_(None)], **values):
            summary = f"transfer #{transfer.id}"
            record(session, actor, "cp_file.sent_recorded", transfer.pupil, summary)
            return
        # Another post recorded it between this one's check and its write: this one is second.
    if transfer.sent_on is None:  # a sending on record is never taken away: not reached
        raise Invalid(_CHANGED_MEANWHILE, "sent_on")
    if (transfer.sent_on, transfer.sent_to, transfer.sent_method) == (sent_on, to, how):
        return  # a double tap or a retry: already on record, audited once
    record(session, actor, "cp_file.sent_refused", transfer.pupil, f"transfer #{transfer.id}")
    raise AlreadyRecorded(
        f"This was already recorded as sent on {_day(transfer.sent_on)} to "
        f"{transfer.sent_to}: nothing was changed."
    )


def _check_received_on(sent_on: date, received_on: date, today: date) -> None:
    if received_on < sent_on:
        raise Invalid(
            f"It was sent on {_day(sent_on)}: receipt cannot be before then.", "received_on"
        )
    if received_on > today:
        raise Invalid("That date has not come yet.", "received_on")


def record_receipt(
    session: Session,
    actor: Actor,
    transfer: CpTransfer,
    received_on: date | None,
    name: str,
    method: str,
    now: datetime,
    *,
    today: date,
) -> None:
    """The receiving DSL's confirmation: the record the guidance asks the school to keep.

    Not before the file was sent, nor after `today`. Posting what is on record again changes
    nothing; other details are refused, also when the other post came at the same moment."""
    account = _transferrer(actor, transfer.pupil)
    if transfer.sent_on is None:
        raise Invalid("Record how the file was sent first.", "received_on")
    if received_on is None:
        raise Invalid("Give the date they confirmed receipt.", "received_on")
    who = _text(name, "The name of who confirmed", "name")
    how = _text(method, "How they confirmed", "method")
    if transfer.received_on is None:
        _check_received_on(transfer.sent_on, received_on, today)
        values = {"received_on": received_on, "received_by_name": who, "receipt_method": how}
        unchanged = [CpTransfer.received_on.is_(None), CpTransfer.sent_on == transfer.sent_on]
        values |= {"receipt_recorded_by_id": account.id, "receipt_recorded_at": now}
        if _written(session, transfer, unchanged, **values):
            summary = f"transfer #{transfer.id}"
            record(session, actor, "cp_file.receipt_recorded", transfer.pupil, summary)
            return
        # Another post recorded it (or corrected the sending) between this one's check and its
        # write: answered as if it came second.
        if transfer.received_on is None:
            raise Invalid(_CHANGED_MEANWHILE, "received_on")
    on_record = (transfer.received_on, transfer.received_by_name, transfer.receipt_method)
    if on_record == (received_on, who, how):
        return  # a double tap or a retry: already on record, audited once
    record(session, actor, "cp_file.receipt_refused", transfer.pupil, f"transfer #{transfer.id}")
    raise AlreadyRecorded(
        f"Receipt was already recorded as confirmed on {_day(transfer.received_on)} by "
        f"{transfer.received_by_name}: nothing was changed."
    )


_CHANGED_MEANWHILE = (
    "Someone changed this record a moment ago: nothing was changed. Read it again as it is now."
)


# --- Correcting a sending or receipt on record ---

MAX_REASON = 2000  # why a record was corrected (the form's limit too)
SENT, RECEIPT = "sent", "receipt"


@dataclass(frozen=True)
class Corrected:
    """The details a correction form asks for: each left empty keeps what is on record."""

    on: date | None
    who: str | None
    method: str | None
    reason: str | None


def _why(reason: str | None) -> str:
    cleaned = (reason or "").replace("\x00", "").strip()
    if not cleaned:
        raise Invalid("Say why it is being corrected.", "reason")
    if len(cleaned) > MAX_REASON:
        raise Invalid(too_long("The reason", MAX_REASON, cleaned), "reason")
    return cleaned


def _kept(value: str | None, old: str | None, label: str, field: str) -> str:
    """The corrected text, or what is on record where the box was left empty."""
    return _text(value, label, field) if (value or "").strip() else (old or "")


def _on_its_box(check: Callable[[], None]) -> None:
    """A day checked as when it was first recorded, its reason said on the correction's box."""
    try:
        check()
    except Invalid as wrong:
        raise Invalid(wrong.message, "on") from None


def _nothing_changes(old: tuple[date, str, str], new: tuple[date, str, str]) -> None:
    if old == new:
        raise Invalid(
            "That is what the record says already: nothing was changed. Give the detail that "
            "was wrong, corrected."
        )


def _corrected(
    session: Session,
    actor: Actor,
    account: Account,
    transfer: CpTransfer,
    part: str,
    old: tuple[date, str, str],
    new: tuple[date, str, str],
    reason: str,
    now: datetime,
) -> CpTransferCorrection:
    correction = CpTransferCorrection(
        transfer_id=transfer.id,
        part=part,
        old_on=old[0], old_who=old[1], old_method=old[2],
        new_on=new[0], new_who=new[1], new_method=new[2],
        reason=reason,
        corrected_by_id=account.id,
        corrected_at=now,
    )  # fmt: skip
    session.add(correction)
    session.flush()
    summary = f"transfer #{transfer.id}, correction #{correction.id}"
    record(session, actor, f"cp_file.{part}_corrected", transfer.pupil, summary)
    return correction


def _refused_meanwhile(session: Session, actor: Actor, transfer: CpTransfer, part: str) -> None:
    summary = f"transfer #{transfer.id}: changed meanwhile"
    record(session, actor, f"cp_file.{part}_correction_refused", transfer.pupil, summary)
    raise AlreadyRecorded(_CHANGED_MEANWHILE)


def correct_sent(
    session: Session,
    actor: Actor,
    transfer: CpTransfer,
    given: Corrected,
    now: datetime,
    *,
    today: date,
    zone: ZoneInfo,
) -> CpTransferCorrection:
    """Correct the record of how the file was sent, with a reason: the record then says the
    corrected details, and what it said before is kept (CpTransferCorrection). The day follows
    the rules of recording it, and is not after receipt was confirmed."""
    account = _transferrer(actor, transfer.pupil)
    if transfer.sent_on is None or transfer.sent_to is None or transfer.sent_method is None:
        raise Invalid("Nothing is recorded as sent yet: record the sending instead.", "on")
    old = (transfer.sent_on, transfer.sent_to, transfer.sent_method)
    new = (
        given.on or old[0],
        _kept(given.who, old[1], "The receiving school and DSL", "who"),
        _kept(given.method, old[2], "How it was sent", "method"),
    )
    reason = _why(given.reason)
    _nothing_changes(old, new)
    _on_its_box(lambda: _check_sent_on(transfer, new[0], today, zone))
    if transfer.received_on is not None and new[0] > transfer.received_on:
        raise Invalid(
            f"Receipt was confirmed on {_day(transfer.received_on)}: it cannot have been sent "
            "after then.",
            "on",
        )
    unchanged = [
        CpTransfer.sent_on == old[0],
        CpTransfer.sent_to == old[1],
        CpTransfer.sent_method == old[2],
        # Receipt, checked against just above: as it was, or still none.
        CpTransfer.received_on == transfer.received_on
        if transfer.received_on is not None
        else CpTransfer.received_on.is_(None),
    ]
    values = {"sent_on": new[0], "sent_to": new[1], "sent_method": new[2]}
    if not _written(session, transfer, unchanged, **values):
        _refused_meanwhile(session, actor, transfer, SENT)
    return _corrected(session, actor, account, transfer, SENT, old, new, reason, now)


def correct_receipt(
    session: Session,
    actor: Actor,
    transfer: CpTransfer,
    given: Corrected,
    now: datetime,
    *,
    today: date,
) -> CpTransferCorrection:
    """Correct the record of the next school's confirmation of receipt, with a reason, as for
    the sending: not before the file was sent, nor after `today`."""
    account = _transferrer(actor, transfer.pupil)
    sent_on = transfer.sent_on
    if (
        sent_on is None
        or transfer.received_on is None
        or transfer.received_by_name is None
        or transfer.receipt_method is None
    ):
        raise Invalid("No receipt is recorded yet: record the receipt instead.", "on")
    old = (transfer.received_on, transfer.received_by_name, transfer.receipt_method)
    new = (
        given.on or old[0],
        _kept(given.who, old[1], "The name of who confirmed", "who"),
        _kept(given.method, old[2], "How they confirmed", "method"),
    )
    reason = _why(given.reason)
    _nothing_changes(old, new)
    _on_its_box(lambda: _check_received_on(sent_on, new[0], today))
    unchanged = [
        CpTransfer.received_on == old[0],
        CpTransfer.received_by_name == old[1],
        CpTransfer.receipt_method == old[2],
        CpTransfer.sent_on == sent_on,  # checked against just above
    ]
    values = {"received_on": new[0], "received_by_name": new[1], "receipt_method": new[2]}
    if not _written(session, transfer, unchanged, **values):
        _refused_meanwhile(session, actor, transfer, RECEIPT)
    return _corrected(session, actor, account, transfer, RECEIPT, old, new, reason, now)


def corrections(
    session: Session, transfers: list[CpTransfer]
) -> dict[int, list[CpTransferCorrection]]:
    """Each transfer's corrections, oldest first, read at once for the file page."""
    found: dict[int, list[CpTransferCorrection]] = {}
    if transfers:
        rows = session.scalars(
            select(CpTransferCorrection)
            .options(joinedload(CpTransferCorrection.corrected_by))
            .where(CpTransferCorrection.transfer_id.in_([t.id for t in transfers]))
            .order_by(CpTransferCorrection.id)
        )
        for row in rows:
            found.setdefault(row.transfer_id, []).append(row)
    return found


# --- Files to send: pupils who have left with a safeguarding record ---

# KCSIE: the file goes to the new school's DSL within five school days of the move, or of the
# start of the next term. School days are weekdays outside the school's holidays, as set in
# CLASSROOM_PARENT_HOLIDAYS (web.school_holidays): a pupil leaving in July is due in September.
SEND_WITHIN_SCHOOL_DAYS = 5


def school_days_after(day: date, today: date, holidays: frozenset[date] = frozenset()) -> int:
    """School days (weekdays, not `holidays`) after `day`, up to `today`."""
    days = (day + timedelta(days=n) for n in range(1, (today - day).days + 1))
    return sum(one.weekday() < 5 and one not in holidays for one in days)


class FileToSend(NamedTuple):
    """A pupil recorded as having left, linked to a safeguarding record, whose file nobody has
    recorded as sent since they were last at the school, or whose record has grown since."""

    pupil_id: int
    first_name: str
    last_name: str
    left_on: date | None  # None: left before the day was recorded (see Pupil.left_on)
    records: int  # incidents they are linked to
    sent_on: date | None = None  # the day a file went, if one did: what is new goes on too
    new_worries: int = 0  # received or linked after that file was made
    new_concerns: int = 0
    updated_worries: int = 0  # in that file, with something added to their record since
    updated_concerns: int = 0

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def school_days(self, today: date, holidays: frozenset[date] = frozenset()) -> int:
        """School days (weekdays, not `holidays`) after the day they left, up to `today`."""
        if self.left_on is None:
            return 0
        return school_days_after(self.left_on, today, holidays)

    def late(self, today: date, holidays: frozenset[date] = frozenset()) -> bool:
        # The five school days are the move's: what is new after the file went is sent as soon
        # as it is known, and is never late against a leaving long ago.
        if self.sent_on is not None:
            return False
        return self.school_days(today, holidays) > SEND_WITHIN_SCHOOL_DAYS

    def since(self, today: date, holidays: frozenset[date] = frozenset()) -> str:
        """How long ago they left, in words: "today", "3 days ago (2 school days)"."""
        if self.left_on is None:
            return "on a day not recorded"
        days = (today - self.left_on).days
        if days <= 0:
            return "today"
        school = self.school_days(today, holidays)
        counted = f"{days} day{'s' if days != 1 else ''} ago"
        return f"{counted} ({school} school day{'s' if school != 1 else ''})"

    def new(self) -> str:
        """What is new since the file went, in words: "1 worry", "2 worries and 1 concern",
        "1 concern, and updates to 1 worry already in the file"."""
        received = _counted(self.new_worries, self.new_concerns)
        updated = _counted(self.updated_worries, self.updated_concerns)
        parts = [received] if received else []
        if updated:
            parts.append(f"updates to {updated} already in the file")
        return ", and ".join(parts)


def _counted(worries: int, concerns: int) -> str:
    """In words: "1 worry", "2 worries and 1 concern", or "" for none."""
    counts = ((worries, "worry", "worries"), (concerns, "concern", "concerns"))
    return " and ".join(f"{n} {one if n == 1 else many}" for n, one, many in counts if n)


def files_to_send(session: Session, scope: Select[Incident]) -> list[FileToSend]:
    """Leavers linked to an incident of `scope` (policy.visible_incidents) whose file has not
    been recorded as sent since they last came back, or who have been linked to one received
    or linked after the file that went was made, or to one in that file whose record has had
    anything added since it was made; the longest gone first."""
    return list(map(FileToSend._make, plain_rows(session, _to_send(scope))))


def _sent_files() -> Select[Any]:
    """The outer pupil's files recorded as sent since they were last at the school."""
    # A file recorded as sent before the pupil came back went with an earlier move; one sent
    # before the leaving was recorded (the DSL often hears first) counts.
    return select().where(
        CpTransfer.pupil_id == Pupil.id,
        CpTransfer.sent_on.is_not(None),
        or_(Pupil.back_on.is_(None), CpTransfer.sent_on >= Pupil.back_on),
    )


def _made() -> ScalarSelect[Any]:
    """When the outer pupil's newest file sent was made: it holds everything there was then."""
    return _sent_files().add_columns(func.max(CpTransfer.exported_at)).scalar_subquery()


# What is new since the file went: the one definition, for the list of files to send and for
# the pupil's own file page. `made` is _made(); IncidentPupil is the link, `received` its record.


def _received_since(made: ScalarSelect[Any], received: type[Incident]) -> ColumnElement[bool]:
    """The record was received, or linked to the pupil, after the file was made."""
    return func.coalesce(IncidentPupil.linked_at, received.created_at) > made


def _entries_since(made: ScalarSelect[Any]) -> tuple[ColumnElement[bool], ...]:
    """Chronology entries of the linked record written after the file was made."""
    # Every change (a note, an action, a decision, a referral's reply, an escalation, its
    # closing, evidence) is written in the chronology, which a file made now would hold.
    # Reading the record is not: views are audited, not written there.
    return (IncidentEntry.incident_id == IncidentPupil.incident_id, IncidentEntry.at > made)


@lru_cache(maxsize=policy.SCOPES_REMEMBERED)
def _to_send(scope: Select[Incident]) -> Select[Any]:
    # Correlated, so it reads only the leavers' own links and files: the school's history is
    # never scanned (tests/worries/test_history_costs_nothing.py).
    linked = scope.order_by(None).with_only_columns(Incident.id)
    linked = linked.where(Incident.id == IncidentPupil.incident_id)
    made = _made()
    sent_on = _sent_files().add_columns(func.max(CpTransfer.sent_on)).scalar_subquery()
    received = aliased(Incident)  # the link's own record (`scope` reads Incident itself)
    is_new = _received_since(made, received)
    changed = exists(select(IncidentEntry.id).where(*_entries_since(made)))
    new = [
        func.sum(case((and_(is_new, received.source == source), 1), else_=0))
        for source in (Source.PUPIL, Source.STAFF)
    ]
    updated = [
        func.sum(case((is_new, 0), (and_(changed, received.source == source), 1), else_=0))
        for source in (Source.PUPIL, Source.STAFF)
    ]
    news = func.sum(case((is_new, 1), (changed, 1), else_=0))
    return (
        select(Pupil.id, Pupil.first_name, Pupil.last_name, Pupil.left_on, func.count())
        .add_columns(sent_on, *new, *updated)
        .join(IncidentPupil, IncidentPupil.pupil_id == Pupil.id)
        .join(received, received.id == IncidentPupil.incident_id)
        .where(Pupil.active.is_(False), exists(linked))
        .group_by(Pupil.id, Pupil.first_name, Pupil.last_name, Pupil.left_on, Pupil.back_on)
        .having(or_(made.is_(None), news > 0))
        .order_by(Pupil.left_on.is_not(None), Pupil.left_on, Pupil.id)
    )


# What each kind of chronology entry is, in words that say nothing of what it holds: the file
# page says what was added since the file went, never what it says (that is on the record).
ENTRY_WORDS: dict[str, tuple[str, str]] = {
    "raised": ("its raising", "raisings"),
    "acknowledged": ("an acknowledgement", "acknowledgements"),
    "reminder": ("a reminder to the team", "reminders to the team"),
    "chosen_told": ("the chosen adult told", "chosen adults told"),
    "chosen_set_aside": ("the chosen adult set aside", "chosen adults set aside"),
    "subject_staff": ("who on the staff it is about", "who on the staff it is about"),
    "triage": ("a triage", "triages"),
    "assigned": ("a change of who holds it", "changes of who holds it"),
    "note": ("a note", "notes"),
    "action": ("an action", "actions"),
    "action_done": ("an action done", "actions done"),
    "action_carried": ("an action carried over", "actions carried over"),
    "action_given": ("an action given to someone else", "actions given to someone else"),
    "pupil_linked": ("a pupil linked", "pupils linked"),
    "referral": ("a referral", "referrals"),
    "referral_reply": ("the referral's reply", "referrals' replies"),
    "referral_chased": ("a referral chased", "referrals chased"),
    "parent_contact": ("a parent-contact decision", "parent-contact decisions"),
    "parents": ("a notice to carers", "notices to carers"),
    "parents_delivered": ("a notice delivered", "notices delivered"),
    "carers_after_closing": ("a carers decision at closing", "carers decisions at closing"),
    "carers_told": ("carers told", "carers told"),
    "carers_released": ("carers may be told again", "carers may be told again"),
    "body_map": ("a body-map mark", "body-map marks"),
    "evidence_added": ("evidence added", "evidence added"),
    "closed": ("its closing", "closings"),
    "reopened": ("its reopening", "reopenings"),
    "lesson": ("a lesson planned", "lessons planned"),
}


def _entry_words(counts: dict[str, int]) -> str:
    """In words: "2 entries: a note, the referral's reply"; "3 entries: 2 notes, an action"."""
    parts = []
    for kind, n in counts.items():
        one, many = ENTRY_WORDS.get(kind, ("an entry", "entries"))
        parts.append(one if n == 1 else f"{n} {many}")
    total = sum(counts.values())
    return f"{total} entr{'y' if total == 1 else 'ies'}: {', '.join(parts)}"


@dataclass(frozen=True)
class SinceSent:
    """What is new on the pupil's file page since the last file went (the list's definition)."""

    sent_on: date
    sent_to: str | None
    new: frozenset[int]  # incidents received or linked after that file was made
    updated: dict[int, str]  # incidents in it with entries added since, those entries in words


def since_sent(session: Session, pupil: Pupil, incidents: list[Incident]) -> SinceSent | None:
    """For the file page: the last file sent since the pupil was last at the school, and which
    of `incidents` are new or updated since it was made. None if no file has gone."""
    last = session.scalar(
        _sent_files()
        .add_columns(CpTransfer)
        .where(Pupil.id == pupil.id)
        .order_by(CpTransfer.sent_on.desc(), CpTransfer.exported_at.desc(), CpTransfer.id.desc())
        .limit(1)
    )
    if last is None or last.sent_on is None:
        return None
    made = _made()
    received = aliased(Incident)
    is_new = func.max(case((_received_since(made, received), 1), else_=0))
    rows = session.execute(
        select(IncidentPupil.incident_id, is_new, IncidentEntry.kind, func.count(IncidentEntry.id))
        .select_from(Pupil)
        .join(IncidentPupil, IncidentPupil.pupil_id == Pupil.id)
        .join(received, received.id == IncidentPupil.incident_id)
        .outerjoin(IncidentEntry, and_(*_entries_since(made)))
        .where(Pupil.id == pupil.id, IncidentPupil.incident_id.in_([i.id for i in incidents]))
        .group_by(IncidentPupil.incident_id, IncidentEntry.kind)
        .order_by(IncidentPupil.incident_id, func.min(IncidentEntry.id))
    )
    new: set[int] = set()
    added: dict[int, dict[str, int]] = {}
    for incident_id, fresh, kind, count in rows:
        if fresh:  # a new record's own chronology is part of it being new, not an update
            new.add(incident_id)
        elif kind is not None:
            added.setdefault(incident_id, {})[kind] = count
    updated = {i: _entry_words(counts) for i, counts in added.items() if i not in new}
    return SinceSent(last.sent_on, last.sent_to, frozenset(new), updated)


def files_made_not_sent(
    session: Session, actor: Actor, pupil_ids: list[int]
) -> dict[int, CpTransfer]:
    """Each pupil's newest file, if it was made but its sending is not recorded yet."""
    newest: dict[int, CpTransfer] = {}
    if pupil_ids:
        made = policy.visible_cp_transfers(actor).where(CpTransfer.pupil_id.in_(pupil_ids))
        for row in session.scalars(made):  # newest first
            newest.setdefault(row.pupil_id, row)
    return {pupil_id: row for pupil_id, row in newest.items() if row.sent_on is None}


def receipts_awaited(session: Session, actor: Actor) -> list[CpTransfer]:
    """Files recorded as sent whose receipt the next school's DSL has not confirmed yet."""
    awaited = policy.visible_cp_transfers(actor).where(
        CpTransfer.sent_on.is_not(None), CpTransfer.received_on.is_(None)
    )
    return list(session.scalars(awaited.order_by(None).order_by(CpTransfer.sent_on)))


# KCSIE: the sending school gets the next school's confirmation of receipt. With none after as
# many school days as the file itself had to go in, the team is told to ask for it.
CHASE_RECEIPT_AFTER_SCHOOL_DAYS = 5


def receipt_late(sent_on: date, today: date, holidays: frozenset[date] = frozenset()) -> bool:
    """Sent more than five school days before `today` (its receipt still not recorded)."""
    return school_days_after(sent_on, today, holidays) > CHASE_RECEIPT_AFTER_SCHOOL_DAYS


class ReceiptToChase(NamedTuple):
    """A file sent, its receipt not recorded, after the school days it may take."""

    transfer_id: int
    pupil_id: int
    first_name: str
    last_name: str
    sent_on: date
    sent_to: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def receipts_to_chase(
    session: Session, scope: Select[Incident], today: date, holidays: frozenset[date]
) -> list[ReceiptToChase]:
    """Files sent more than five school days ago with no receipt recorded, about pupils linked
    to an incident of `scope` (policy.visible_incidents): the longest waiting first."""
    awaited = map(ReceiptToChase._make, plain_rows(session, _awaited(scope)))
    return [row for row in awaited if receipt_late(row.sent_on, today, holidays)]


@lru_cache(maxsize=policy.SCOPES_REMEMBERED)
def _awaited(scope: Select[Incident]) -> Select[Any]:
    # Led by the files awaiting receipt; each pupil's own links are then read from their index,
    # never the school's history of incidents (tests/worries/test_history_costs_nothing.py).
    in_scope = scope.order_by(None).with_only_columns(Incident.id)
    in_scope = in_scope.where(Incident.id == IncidentPupil.incident_id)
    # Each link is checked against the scope by its incident's id: with both tables in one
    # subquery, SQLite walked the school's incidents first.
    linked = select(IncidentPupil.id).where(
        IncidentPupil.pupil_id == CpTransfer.pupil_id, exists(in_scope)
    )
    return (
        select(CpTransfer.id, Pupil.id, Pupil.first_name, Pupil.last_name)
        .add_columns(CpTransfer.sent_on, CpTransfer.sent_to)
        .select_from(CpTransfer)
        .join(Pupil, Pupil.id == CpTransfer.pupil_id)
        .where(CpTransfer.sent_on.is_not(None), CpTransfer.received_on.is_(None))
        .where(exists(linked))
        .order_by(CpTransfer.sent_on, CpTransfer.id)
    )


# --- Importing a file from another school ---


@dataclass(frozen=True)
class Opened:
    manifest: dict[str, Any]
    record: dict[str, Any]
    files: dict[str, bytes]


def _checked_contents(plain: bytes) -> Opened:
    """Parse the plain JSON and check the manifest's checksums; TransferError if any is off."""
    try:
        outer = json.loads(plain)
        manifest, record_text, encoded = outer["manifest"], outer["record"], outer["files"]
        if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
            raise TransferError("This is not a child-protection file this app can read.")
        if _sha(record_text.encode()) != manifest["record_sha256"]:
            raise TransferError("The record does not match its checksum. Nothing was imported.")
        files = {n: base64.b64decode(data, validate=True) for n, data in encoded.items()}
        if {n: _sha(d) for n, d in files.items()} != manifest["files"]:
            raise TransferError("A file does not match its checksum. Nothing was imported.")
        return Opened(manifest, json.loads(record_text), files)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise TransferError("The file's contents cannot be read. Nothing was imported.") from error


def read_package(package: bytes, passphrase: str) -> Opened:
    """Decrypt and verify a package completely, storing nothing."""
    return _checked_contents(open_package(package, passphrase))


def _same_child(opened: Opened, pupil: Pupil) -> None:
    born = opened.record.get("pupil", {}).get("date_of_birth")
    if born != pupil.date_of_birth.isoformat():
        named = opened.record.get("pupil", {})
        raise Invalid(
            f"This file is for {named.get('first_name', '?')} {named.get('last_name', '?')}, "
            f"born {born}; {pupil.full_name} was born {pupil.date_of_birth.isoformat()}. Choose "
            "the right pupil. Nothing was imported.",
            "pupil_id",
        )


def _store_files(session: Session, received: ReceivedFile, opened: Opened, instance: Path) -> None:
    listed = {
        a["file"]: a for incident in opened.record["incidents"] for a in incident["attachments"]
    }
    for number, data in opened.files.items():
        about = listed.get(number, {})
        token = secrets.token_hex(16)
        session.add(
            ReceivedAttachment(
                received_id=received.id,
                number=int(number),
                filename=str(about.get("filename", f"file-{number}"))[:120],
                media_type=str(about.get("media_type", "application/octet-stream"))[:64],
                kind="image" if about.get("kind") == "image" else "file",
                size=len(data),
                sha256=_sha(data),
                description=str(about.get("description", "")),
                token=token,
                sealed=evidence_crypto.seal(instance, token, data),
            )
        )


def import_file(
    session: Session,
    actor: Actor | None,
    pupil: Pupil,
    package: bytes,
    passphrase: str,
    now: datetime,
    instance: Path,
) -> ReceivedFile:
    """Verify a package from another school and attach it to the pupil as read-only history.

    `actor` is None only for the command line (run by whoever runs the server).
    """
    if actor is not None:
        _transferrer(actor, pupil)
    opened = read_package(package, passphrase)
    _same_child(opened, pupil)
    digest = _sha(package)
    if session.scalar(
        select(ReceivedFile).where(
            ReceivedFile.school_id == pupil.school_id, ReceivedFile.package_sha256 == digest
        )
    ):
        raise Invalid("This file has already been imported.", "package")
    token = secrets.token_hex(16)
    received = ReceivedFile(
        school_id=pupil.school_id,
        pupil_id=pupil.id,
        from_school=str(opened.manifest.get("from_school", ""))[:200],
        exported_at=datetime.fromisoformat(opened.manifest["exported_at"]),
        imported_at=now,
        imported_by_id=actor.id if isinstance(actor, Account) else None,
        package_sha256=digest,
        token=token,
        sealed_record=evidence_crypto.seal(instance, token, json.dumps(opened.record).encode()),
    )
    session.add(received)
    session.flush()
    _store_files(session, received, opened, instance)
    record(session, actor, "cp_file.imported", pupil, f"received #{received.id}")
    return received


def received_record(
    session: Session, actor: Actor, received: ReceivedFile, instance: Path
) -> dict[str, Any]:
    """The history as the previous school wrote it, for reading (audited)."""
    if not policy.can_view_received_file(session, actor, received):
        raise Forbidden("not on the safeguarding team")
    plain = evidence_crypto.unseal(instance, received.token, received.sealed_record)
    record(session, actor, "cp_file.viewed", received.pupil, f"received #{received.id}")
    result: dict[str, Any] = json.loads(plain)
    return result


def received_attachment(
    session: Session, actor: Actor, attachment: ReceivedAttachment, instance: Path
) -> bytes:
    """A file that came with a received history, for download (audited)."""
    received = session.get(ReceivedFile, attachment.received_id)
    if received is None or not policy.can_view_received_file(session, actor, received):
        raise Forbidden("not on the safeguarding team")
    data = evidence_crypto.unseal(instance, attachment.token, attachment.sealed)
    record(session, actor, "cp_file.attachment_downloaded", received.pupil, f"#{attachment.id}")
    return data
