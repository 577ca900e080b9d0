"""The school's clock: every time staff, carers and exports see is local, one formatter for all.

Times are stored in UTC (db.UtcDateTime). Showing them in UTC put the incident record an hour
out for half the year, so every page, export and email formats them here, in the school's zone
(`CLASSROOM_TIMEZONE`), naming the zone (GMT/BST) wherever a time of day is shown.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app

from classroom.db import utcnow

STYLES = {
    "datetime": "{d:%a} {d.day} {d:%b %Y}, {d:%H:%M} {d:%Z}",  # Mon 30 Nov 2026, 08:05 GMT
    "short": "{d.day} {d:%b} {d:%H:%M}",  # 30 Nov 08:05 (tables, where the zone is in the header)
    "date": "{d.day} {d:%b %Y}",  # 30 Nov 2026
    "time": "{d:%H:%M} {d:%Z}",  # 08:05 GMT
    "iso": "{d:%Y-%m-%d %H:%M %Z}",  # exports
    "seconds": "{d.day} {d:%b %Y} {d:%H:%M:%S} {d:%Z}",  # logs: 30 Nov 2026 08:05:09 GMT
}


def school_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(moment: datetime) -> datetime:
    """A stored (UTC) moment on the school's clock."""
    return moment.astimezone(school_zone())


def local_time(
    moment: datetime | date | str | None, style: str = "datetime", *, zone: ZoneInfo | None = None
) -> str:
    """Format a moment on the school's clock, e.g. "Mon 30 Nov 2026, 08:05 GMT"; "" for None.

    An ISO text with an offset (as a transferred file carries its times) is read first.
    """
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = _from_text(moment)
    if not isinstance(moment, datetime):  # a plain date has no zone to convert
        return f"{moment.day} {moment:%b %Y}"
    return STYLES[style].format(d=moment.astimezone(zone) if zone else to_local(moment))


def _from_text(text: str) -> datetime | date:
    """An ISO date, or an ISO time (UTC when it names no offset, as the app stores them)."""
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_today() -> date:
    """Today's date on the school's clock (from 00:00 to 01:00 BST the UTC date is yesterday)."""
    return to_local(utcnow()).date()


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """The first and last moments (in UTC, as stored) of a day on the school's clock."""
    zone = school_zone()
    first = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    last = datetime.combine(day, time.max, tzinfo=zone).astimezone(UTC)
    return first, last


def zone_name() -> str:
    """The zone's current abbreviation (GMT or BST), for table headers."""
    return to_local(utcnow()).strftime("%Z")
