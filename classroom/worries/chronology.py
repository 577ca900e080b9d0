"""A worry's chronology (the statutory record of what happened, when, by whom): its one writer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from classroom.worries.models import IncidentEntry, IncidentFormSent


def write_entry(
    session: Session,
    incident_id: int,
    author_id: int | None,
    kind: str,
    text: str,
    now: datetime,
    reason: str | None = None,
) -> IncidentEntry:
    """Add one entry; worries, evidence, the body map and the carers' channel all write here."""
    entry = IncidentEntry(
        incident_id=incident_id, at=now, author_id=author_id, kind=kind, text=text, reason=reason
    )
    session.add(entry)
    return entry


def has_entry(session: Session, incident_id: int, kind: str, starting: str) -> bool:
    """Whether the chronology already notes this (so a retried job notes it once)."""
    found = session.scalar(
        select(IncidentEntry.id).where(
            IncidentEntry.incident_id == incident_id,
            IncidentEntry.kind == kind,
            IncidentEntry.text.startswith(starting),
        )
    )
    return found is not None


def first_sending(session: Session, incident_id: int, key: str | None, now: datetime) -> bool:
    """Whether a form on the incident page arrives for the first time, taking its key if so.

    The insert does nothing where the key is taken, so two copies arriving at once never both
    count: on PostgreSQL the second waits for the first's commit, on SQLite for its write lock.
    A form without a key (a page drawn before keys) always counts.
    """
    if key is None:
        return True
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    taken = insert(IncidentFormSent).values(key=key, incident_id=incident_id, sent_at=now)
    new = taken.on_conflict_do_nothing(index_elements=["key"]).returning(IncidentFormSent.key)
    return session.scalar(new) is not None  # no row comes back where the key was taken


def apply_once(
    session: Session, incident_id: int, key: str | None, now: datetime, change: Callable[[], object]
) -> bool:
    """Make the change a form on the incident asks for, unless this copy of it already did."""
    if not first_sending(session, incident_id, key, now):
        return False
    change()
    return True
