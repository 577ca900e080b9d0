"""How a class's iPads scan their tiles screen, so a switch user can choose their own tile.

Before anyone is signed in the iPad does not know whose switch is pressed, so the setting is the
class's. The screen keeps still and quiet until a switch is pressed (static/js/scan.js, "wake"):
a pupil who taps is never met by a moving highlight or names said over and over.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from classroom import policy
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid
from classroom.principals import Actor
from classroom.pupils.models import Pupil, Scanning, SchoolClass

MODES = {
    Scanning.OFF.value: "Off: pupils tap their tile",
    Scanning.AUTO.value: "One switch: the highlight moves on by itself, the switch chooses",
    Scanning.STEP.value: "Two switches: Space moves the highlight, Enter chooses",
}
# Seconds the highlight rests on each name (one switch): the same range as a pupil's own.
SECONDS = ("1", "1.5", "2", "3", "4", "5", "7", "10")


@dataclass
class TilesScanning:
    scanning: Scanning
    interval_ms: int
    auditory: bool


def shown(school_class: SchoolClass) -> TilesScanning:
    return TilesScanning(
        school_class.tiles_scanning,
        school_class.tiles_scan_interval_ms,
        school_class.tiles_auditory_scanning,
    )


def seconds_choice(interval_ms: int) -> str:
    """The menu's value for an interval ("2" for 2000 ms); the nearest one if set otherwise."""
    return min(SECONDS, key=lambda s: abs(float(s) * 1000 - interval_ms))


def asked(scanning: str, seconds: str, auditory: bool) -> TilesScanning:
    """What the form asks for; a value not offered is refused (Invalid, with its box)."""
    if scanning not in MODES:
        raise Invalid("Choose how the tiles screen is scanned.", "scanning")
    if seconds not in SECONDS:
        raise Invalid("Choose the seconds on each name from the list.", "seconds")
    return TilesScanning(Scanning(scanning), int(float(seconds) * 1000), auditory)


def switch_users(school_class: SchoolClass) -> list[Pupil]:
    """The class's pupils at the school whose own screens are scanned, by the name they use."""
    return sorted(
        (p for p in school_class.pupils if p.active and p.scanning is not Scanning.OFF),
        key=lambda p: p.called.casefold(),
    )


def change(session: Session, actor: Actor, school_class: SchoolClass, new: TilesScanning) -> bool:
    """Set how the class's tiles screen is scanned; each change is audited. False: no change."""
    if not policy.can_manage_class_ipads(session, actor, school_class):
        raise Forbidden("Only staff who look after this class's iPads can change its tiles.")
    old = shown(school_class)
    if new == old:
        return False
    school_class.tiles_scanning = new.scanning
    school_class.tiles_scan_interval_ms = new.interval_ms
    school_class.tiles_auditory_scanning = new.auditory
    said = "said" if new.auditory else "not said"
    record(
        session,
        actor,
        "class.tiles_scanning_changed",
        school_class,
        f"{school_class.name}: {new.scanning.value}, {new.interval_ms} ms, names {said}",
    )
    return True
