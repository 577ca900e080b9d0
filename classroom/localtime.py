"""The school's clock: every time staff, carers and exports see is local, one formatter for all.

Times are stored in UTC (db.UtcDateTime). Showing them in UTC put the incident record an hour
out for half the year, so every page, export and email formats them here, in the school's zone
(`CLASSROOM_TIMEZONE`), naming the zone (GMT/BST) wherever a time of day is shown.

The zone is a setting and "now" is the caller's: every function here takes them, so a service,
a command and a test format alike. The request layer (classroom.web) hands templates the
`local` filter and `zone_name` with the configured zone, and views `school_zone()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

STYLES = {
    "datetime": "{d:%a} {d.day} {d:%b %Y}, {d:%H:%M} {d:%Z}",  # Mon 30 Nov 2026, 08:05 GMT
    # 30 Nov 08:05 GMT (tables): each its own zone, as a list spans summer and winter time
    "short": "{d.day} {d:%b} {d:%H:%M} {d:%Z}",
    "date": "{d.day} {d:%b %Y}",  # 30 Nov 2026
    "time": "{d:%H:%M} {d:%Z}",  # 08:05 GMT
    "iso": "{d:%Y-%m-%d %H:%M %Z}",  # exports
    "seconds": "{d.day} {d:%b %Y} {d:%H:%M:%S} {d:%Z}",  # logs: 30 Nov 2026 08:05:09 GMT
}


def school_zone(config: Mapping[str, Any]) -> ZoneInfo:
    """The school's zone, from the app's settings (TIMEZONE)."""
    return ZoneInfo(config["TIMEZONE"])


def to_local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A stored (UTC) moment on the school's clock."""
    return moment.astimezone(zone)


def local_time(
    moment: datetime | date | str | None, style: str = "datetime", *, zone: ZoneInfo
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
    return _formatted(moment, style, zone)


@lru_cache(maxsize=8192)  # the same rows' times are shown again on every refresh of a list
def _formatted(moment: datetime, style: str, zone: ZoneInfo) -> str:
    return STYLES[style].format(d=to_local(moment, zone))


def _from_text(text: str) -> datetime | date:
    """An ISO date, or an ISO time (UTC when it names no offset, as the app stores them)."""
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_today(now: datetime, zone: ZoneInfo) -> date:
    """The date `now` falls on, on the school's clock (from 00:00 to 01:00 BST the UTC date is
    yesterday)."""
    return to_local(now, zone).date()


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The first and last moments (in UTC, as stored) of a day on the school's clock."""
    first = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    last = datetime.combine(day, time.max, tzinfo=zone).astimezone(UTC)
    return first, last


def zone_name(now: datetime, zone: ZoneInfo) -> str:
    """The zone's abbreviation at `now` (GMT or BST), for table headers."""
    return to_local(now, zone).strftime("%Z")
