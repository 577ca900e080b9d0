"""The restores this instance has had, as its audit log records them: the safeguarding queue
says, for a while after one, which worries and concerns it cannot hold.

A restore brings back the database as it was when the backup was made. A worry told on a class
iPad after that is gone: the iPad deleted it once the server had it, so it cannot send it again.
Nobody but the DSL can find those worries, by asking staff, and the DSL must know to ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent

RESTORED = "backup.restored"  # the audit entry each restore writes (backup.cli)
# How long after a restore the queue says so: two school weeks, long enough for every member of
# staff who took a worry in the gap to be back in school and asked.
SAID_FOR = timedelta(days=14)
_MADE = re.compile(r", made (?P<made>.+?), with \d+ files")


@dataclass(frozen=True)
class Restore:
    at: datetime  # when the restore was run
    made: str | None  # when its backup was made, on the school's clock: "Mon 7 Dec 2026, 02:00 GMT"


def restored_summary(source: str, made: str, files: int, held: int) -> str:
    """The restore's audit entry: read back by `recent_restore` for when its backup was made."""
    return f"from {source}, made {made}, with {files} files; emails to families held: {held}"


def recent_restore(session: Session, now: datetime) -> Restore | None:
    """The last restore, if it was run within SAID_FOR of `now`."""
    event = session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == RESTORED, AuditEvent.at >= now - SAID_FOR)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return None
    found = _MADE.search(event.summary)
    return Restore(event.at, found.group("made") if found else None)
