"""Writing to the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent, AuditTier
from classroom.db import row_inserter, write_after_read, write_intent
from classroom.principals import Actor, PupilPrincipal, actor_identity

if TYPE_CHECKING:
    from classroom.pupils.models import Pupil

AUDIT_TABLE = cast(Table, AuditEvent.__table__)

# Actions about safeguarding records. Anything done to a record from classroom.worries (an
# incident, a referral, a parent-contact decision...) is safeguarding whatever its action name.
# The key in `Session.info` under which the request layer (web.begin_request) puts the address
# of the client the unit of work serves, so `record` never reads the request itself.
CLIENT_ADDRESS = "client_address"

# By name alone, whatever the record: a child-protection file is about a Pupil, and the entry
# still tells a reader that this pupil has one (tests/audit: every action classroom.worries
# records is named so).
SAFEGUARDING_PREFIXES = (
    "incident.",
    "incidents.",
    "concern.",
    "worry.",
    "safeguarding.",
    "cp_file.",
    "evidence.",
    "body_map.",
    "alert.",
)
ACCOUNT_PREFIXES = (
    "account.",
    "accounts.",
    "password.",
    "sign_in.",
    "sign_out",
    "two_factor.",
    "account_change.",
    "device.",
    "backup.",
    "mail.",
    "audit.",
    "class.",
    "demo.",
    "pupils.imported",
    "carer.",
    "carer_invite.",
)


def tier_of(action: str, obj: Any = None) -> AuditTier:
    """How sensitive an entry is, from its action and the record it is about."""
    if action.startswith(SAFEGUARDING_PREFIXES):
        return AuditTier.SAFEGUARDING
    if obj is not None and type(obj).__module__.startswith("classroom.worries"):
        return AuditTier.SAFEGUARDING
    if getattr(obj, "incident_id", None) is not None:  # e.g. a notice to carers about a worry
        return AuditTier.SAFEGUARDING
    if action.startswith(ACCOUNT_PREFIXES):
        return AuditTier.ACCOUNT
    return AuditTier.RECORD


# The columns a record's school is found through, in this order: its pupil, its incident, its
# class. They are followed by foreign key, so audit (below pupils and worries) names no model.
SCHOOL_THROUGH = ("pupil_id", "incident_id", "class_id")


def school_of(session: Session, actor: Actor | Pupil | None, obj: Any) -> int | None:
    """The school an entry belongs to: the actor's, else the record's (through its pupil)."""
    if isinstance(actor, PupilPrincipal):
        return actor.pupil.school_id
    school_id = getattr(actor, "school_id", None) or getattr(obj, "school_id", None)
    if school_id is None:
        school_id = _school_through(session, obj)
    return school_id if isinstance(school_id, int) else None


def _school_through(session: Session, obj: Any) -> int | None:
    table = getattr(obj, "__table__", None)
    for column in SCHOOL_THROUGH:
        value = getattr(obj, column, None)
        if table is None or value is None or column not in table.c:
            continue
        for key in table.c[column].foreign_keys:
            owner = _mapped_class(obj, key.column.table)
            found = session.get(owner, value) if owner is not None else None
            if found is not None and getattr(found, "school_id", None) is not None:
                return int(found.school_id)
    return None


def _mapped_class(obj: Any, table: Any) -> type | None:
    """The model class mapped to `table`, from the registry `obj`'s own class is in."""
    for mapper in type(obj).registry.mappers:
        if mapper.local_table is table:
            owner: type = mapper.class_
            return owner
    return None


def record(
    session: Session,
    actor: Actor | Pupil | None,
    action: str,
    obj: Any = None,
    summary: str = "",
    *,
    tier: AuditTier | None = None,
    school_id: int | None = None,
) -> None:
    """Append one audit row in the caller's transaction (so it commits or fails with the change).

    The row carries its school and tier so the log can be shown per school and only to those
    who may see the kind of record it describes (see `policy.visible_audit_entries`). Its time is
    stamped when it is written (the column's default); the client's address is the one the
    request layer put on the session (`CLIENT_ADDRESS`), so a command or the worker records none.
    """
    kind, actor_id, name = actor_identity(actor)
    values = {
        "actor_kind": kind,
        "actor_id": actor_id,
        "actor_name": name[:120],
        "action": action,
        "object_type": type(obj).__name__ if obj is not None else None,
        "object_id": getattr(obj, "id", None),
        "summary": _one_line(summary),
        "ip": session.info.get(CLIENT_ADDRESS),
        "school_id": school_id if school_id is not None else school_of(session, actor, obj),
        "tier": tier or tier_of(action, obj),
    }
    if write_intent.get():
        session.add(AuditEvent(**values))
    else:
        # A read's row is written after it (db.write_after_read); nothing in the request reads
        # it back, so it goes as plain values: making the entity was a thirtieth of a staff page.
        write_after_read(session, row_inserter(AUDIT_TABLE, values))


def _one_line(summary: str) -> str:
    # Line breaks encoded, so a crafted value cannot forge a second log line in exports; no NUL,
    # which PostgreSQL refuses in text (an address asked for can carry one: "/a%00b").
    plain = summary.replace("\x00", "")
    return plain.replace("\r", "\\r").replace("\n", "\\n")[:2000]


def recorded_since(
    session: Session, actor: Actor | Pupil | None, action: str, summary: str, since: datetime
) -> bool:
    """Whether `actor` has an entry of `action` saying `summary` written at `since` or later: a
    refused address asked for again and again (a page left open that polls it) is recorded
    once a while, not at every poll (web.audit_refusal)."""
    kind, actor_id, _name = actor_identity(actor)
    query = (
        select(AuditEvent.id)
        .where(
            AuditEvent.action == action,
            AuditEvent.actor_kind == kind,
            AuditEvent.actor_id == actor_id,
            AuditEvent.summary == _one_line(summary),
            AuditEvent.at >= since,
        )
        .limit(1)
    )
    return session.scalar(query) is not None
