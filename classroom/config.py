"""Settings: defaults, then instance/config.py, then CLASSROOM_* environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

# The project folder: lessons/, symbols/, templates/, static/ and the default instance/ live here.
ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "ENV": "production",
    "SCHOOL_NAME": "Baginton Fields School",
    "TIMEZONE": "Europe/London",
    "SCHOOL_DAY_END": "16:00",
    "PUPIL_IDLE_MINUTES": 5,
    "STAFF_IDLE_MINUTES": 60,
    "STAFF_SESSION_HOURS": 10,
    "PASSWORD_MAX_AGE_DAYS": 182,
    "LOGIN_WINDOW_MINUTES": 15,
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
    "PICTURE_MAX_FAILURES": 5,
    "ENROLMENT_LINK_HOURS": 24,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,  # one file attached to an incident
    "DATABASE_URL": "",
    # 1: flush to disk each audit row of a page view as it is written, as every change is; 0:
    # let the next change (or the kernel, within about 30 s) flush them (see db.py).
    "FSYNC_EACH_VIEW_AUDIT": 0,
    # 1: a production app leaves what it built at start-up out of the garbage collector's full
    # passes (gc.freeze, see create_app); the test suite, which builds many apps, sets 0.
    "GC_FREEZE_AT_START": 1,
    "BASE_URL": "http://127.0.0.1:5000",
    "TRUSTED_PROXIES": 0,
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": 0,
    "SMTP_TIMEOUT": 10,
    "MAIL_FROM": "classroom@school.invalid",
    "WORRY_ACK_MINUTES": 15,
    "QUEUE_POLL_SECONDS": 5,  # how often an open DSL queue asks whether it changed (304 if not)
    "ALERT_POLL_SECONDS": 8,  # how often staff pages ask for the unacknowledged-worries badge
    "NEEDS_HELP_WEEKS": 6,
    "WORKER_INTERVAL_SECONDS": 5,
    # Tries before an email the mail server refuses (a 5xx) is given up and left to staff. One
    # that cannot be sent for now (no server, a 4xx) is never given up: its retries slow to hourly.
    "OUTBOX_MAX_ATTEMPTS": 12,
    # Parents and carers: the school's quiet hours hold messages and emails until they end.
    "PARENT_QUIET_START": "16:30",
    "PARENT_QUIET_END": "08:00",
    "PARENT_QUIET_WEEKENDS": 1,
    "PARENT_HOLIDAYS": "",  # e.g. "2026-12-21..2027-01-03, 2027-02-15..2027-02-19"
    "PARENT_DIGEST_TIME": "15:30",
    "PARENT_INVITE_DAYS": 14,
    "PARENT_INVITE_MAX_FAILURES": 5,
    # Speech: new clips each account or pupil may have made a day (cache hits are free), and
    # how long and how large the clip cache may grow before the worker prunes it.
    "SPEECH_NEW_CLIPS_PER_DAY": 300,
    "SPEECH_CHARACTERS_PER_DAY": 60000,
    "SPEECH_CACHE_MAX_DAYS": 180,
    "SPEECH_CACHE_MAX_MB": 2048,
}

INT_KEYS = {k for k, v in DEFAULTS.items() if isinstance(v, int)}


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Merge defaults, instance/config.py and CLASSROOM_* environment variables."""
    cfg = dict(DEFAULTS)
    cfg.update(_from_instance_file(instance_path / "config.py"))
    for key, value in os.environ.items():
        if key.startswith("CLASSROOM_"):
            name = key.removeprefix("CLASSROOM_")
            cfg[name] = int(value) if name in INT_KEYS else value
    cfg.update(overrides or {})
    cfg["INSTANCE_PATH"] = str(instance_path)  # for services handed settings, not the app
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = f"sqlite:///{instance_path / 'classroom.sqlite3'}"
    if not cfg.get("SECRET_KEY"):
        cfg["SECRET_KEY"] = _stored_secret(instance_path / "secret_key")
    validate(cfg)
    return cfg


def validate(cfg: dict[str, Any]) -> None:
    """Refuse to start with settings that would be unsafe or meaningless."""
    if cfg["ENV"] not in {"production", "development", "testing"}:
        raise ValueError(
            f"CLASSROOM_ENV must be production, development or testing, not {cfg['ENV']!r}"
        )
    for key in ("SCHOOL_DAY_END", "PARENT_QUIET_START", "PARENT_QUIET_END", "PARENT_DIGEST_TIME"):
        time.fromisoformat(cfg[key])
    parse_holidays(str(cfg["PARENT_HOLIDAYS"]))
    if len(str(cfg["SECRET_KEY"])) < 32:
        raise ValueError("CLASSROOM_SECRET_KEY must be at least 32 characters")
    for key in INT_KEYS:
        if int(cfg[key]) < 0:
            raise ValueError(f"CLASSROOM_{key} must not be negative")


def parse_holidays(text: str) -> frozenset[date]:
    """School holidays as dates, from "YYYY-MM-DD" and "YYYY-MM-DD..YYYY-MM-DD" items."""
    days: set[date] = set()
    for item in filter(None, (part.strip() for part in text.split(","))):
        first, _, last = item.partition("..")
        start, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
        if end < start or (end - start).days > 366:
            raise ValueError(f"CLASSROOM_PARENT_HOLIDAYS: {item!r} is not a sensible date range")
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(days)


def _from_instance_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    namespace: dict[str, Any] = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)  # noqa: S102 - admin-owned file
    return {k: v for k, v in namespace.items() if k.isupper()}


def _stored_secret(path: Path) -> str:
    """A random key kept in instance/ so sessions survive restarts and workers agree. A new
    instance folder is the app's user's alone (it holds the keys and, by default, the database)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()
