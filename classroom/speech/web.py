"""Speech's request layer: what pages, commands and the worker read from the app and hand in.

The speech services (services.py, limits.py) take the synthesiser, the clip folder, the
allowances and the school's own texts as arguments (issue 17); this module reads them from the
running app: its settings, its instance folder, and what it keeps per process in
`app.extensions` (a synthesiser a test or set-up chose, when the cache was last pruned).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from classroom.devices.models import Device
from classroom.speech import limits, services
from classroom.speech.engine import Synthesiser

LAST_PRUNE_EXTENSION = "speech.last_prune"


def current_synthesiser() -> Synthesiser:
    """The app's synthesiser if it set one, else the shared espeak synthesiser."""
    if has_app_context():
        own = current_app.extensions.get(services.SYNTHESISER_EXTENSION)
        if isinstance(own, Synthesiser):
            return own
    return services.shared_synthesiser()


def speech_available() -> bool:
    """Whether the server can make speech now; staff pages warn when it cannot."""
    return current_synthesiser().available()


def clip_folder() -> Path:
    """Where this app keeps clips: SPEECH_CACHE_DIR, or instance/audio."""
    return services.cache_dir(current_app.config, current_app.instance_path)


def known_texts() -> frozenset[str]:
    """The school's own texts (lessons, worry screens), read once per process."""
    return limits.known_texts(current_app)


def allowance() -> limits.Allowance:
    return limits.Allowance.from_config(current_app.config)


def class_ipad(device: Device) -> limits.ClassIpad:
    """A class iPad with nobody signed in, as speech sees it: the pupils on its tiles (its
    class's active pupils, as the tiles screen lists them: classroom/ipad/views.py start)."""
    pupils = [p for p in device.school_class.pupils if p.active]
    return limits.ClassIpad(
        device.id, frozenset(p.called for p in pupils), frozenset(p.voice for p in pupils)
    )


def prune(
    session: Session, *, now: datetime, max_days: int | None = None, max_mb: int | None = None
) -> limits.PruneReport:
    """Prune this app's clip cache (its configured limits unless given)."""
    config = current_app.config
    days = int(config["SPEECH_CACHE_MAX_DAYS"]) if max_days is None else max_days
    megabytes = int(config["SPEECH_CACHE_MAX_MB"]) if max_mb is None else max_mb
    return limits.prune(session, clip_folder(), known_texts(), days, megabytes, now=now)


def prune_if_due(session: Session, *, now: datetime) -> limits.PruneReport | None:
    """Prune at most once an hour in this process (the background worker calls this)."""
    last = current_app.extensions.get(LAST_PRUNE_EXTENSION)
    started = time.monotonic()
    if isinstance(last, float) and started - last < limits.PRUNE_EVERY_SECONDS:
        return None
    current_app.extensions[LAST_PRUNE_EXTENSION] = started
    return prune(session, now=now)
