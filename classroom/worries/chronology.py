"""A worry's chronology (the statutory record of what happened, when, by whom): its one writer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.worries.models import IncidentEntry


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
