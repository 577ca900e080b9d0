"""Writing to the audit log."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.principals import Actor, actor_identity


def record(
    session: Session,
    actor: Actor | None,
    action: str,
    obj: Any = None,
    summary: str = "",
) -> AuditEvent:
    """Append one audit row in the caller's transaction (so it commits or fails with the change)."""
    kind, actor_id, name = actor_identity(actor)
    event = AuditEvent(
        at=utcnow(),
        actor_kind=kind,
        actor_id=actor_id,
        actor_name=name[:120],
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        # Encode line breaks so a crafted value cannot forge a second log line in exports.
        summary=summary.replace("\r", "\\r").replace("\n", "\\n")[:2000],
        ip=request.remote_addr if has_request_context() else None,
    )
    session.add(event)
    return event
