"""The request side of an incident form's key (`forms.IncidentForm`): a form sent twice makes
its change once."""

from __future__ import annotations

from collections.abc import Callable

from classroom.db import get_session, utcnow
from classroom.forms import Form
from classroom.worries import chronology
from classroom.worries.forms import once_key


def applied_once(incident_id: int, form: Form | None, change: Callable[[], object]) -> bool:
    """Make the change a form on the incident asks for, in this request's unit of work, unless
    this copy of the form already made it (`chronology.apply_once`)."""
    return chronology.apply_once(get_session(), incident_id, once_key(form), utcnow(), change)
