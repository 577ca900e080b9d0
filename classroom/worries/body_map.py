"""The body map: marks seen on a child, placed on a front/back outline and kept as data.

A mark is a point on one side of the outline, stored as fractions (0-1) of the outline's width
and height, so it draws the same at any size; with it go the region it falls in (in words, for
the chronology, a screen reader and a printed file), its type, size and a note. The outline is
drawn as the child faces you on the front and from behind on the back, so the child's right
is on your left on the front and on your right on the back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from classroom import policy
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid
from classroom.principals import Actor
from classroom.worries import chronology
from classroom.worries.evidence_models import MARK_LABELS, BodyMark, MarkType, Side
from classroom.worries.models import Incident

WIDTH, HEIGHT = 200, 400  # the outline's drawing units (see templates/worries/evidence/_body.html)
MAX_NOTE = 2000
MAX_SIZE = 60


@dataclass(frozen=True)
class Region:
    code: str  # "front:left_upper_arm"
    side: Side
    label: str
    x: float  # its centre, 0-1
    y: float


Place = tuple[str, str, int, int]  # code, label, x and y in drawing units


def _regions(side: Side, places: list[Place]) -> list[Region]:
    return [
        Region(f"{side.value}:{code}", side, label, px / WIDTH, py / HEIGHT)
        for code, label, px, py in places
    ]


def _paired(name: str, label: str, px: int, py: int, mirrored: bool) -> list[Place]:
    """A left/right pair: on the front the child's right is on the viewer's left."""
    near, far = ("right", "left") if not mirrored else ("left", "right")
    return [
        (f"{near}_{name}", f"{near.capitalize()} {label}", px, py),
        (f"{far}_{name}", f"{far.capitalize()} {label}", WIDTH - px, py),
    ]


LIMBS = [
    ("shoulder", "shoulder", 70, 90),
    ("upper_arm", "upper arm", 52, 125),
    ("forearm", "forearm and wrist", 40, 195),
    ("hand", "hand", 33, 243),
    ("thigh", "thigh", 84, 255),
    ("knee", "knee", 84, 300),
    ("lower_leg", "lower leg", 84, 342),
    ("foot", "foot", 83, 386),
]


def _side_regions(side: Side, middle: list[Place]) -> list[Region]:
    places = list(middle)
    for name, label, px, py in LIMBS:
        places += _paired(name, label, px, py, mirrored=side == Side.BACK)
    return _regions(side, places)


REGIONS: list[Region] = _side_regions(
    Side.FRONT,
    [
        ("head", "Head and face", 100, 38),
        ("neck", "Neck", 100, 73),
        ("chest", "Chest", 100, 115),
        ("abdomen", "Abdomen", 100, 170),
        ("groin", "Groin and genital area", 100, 210),
    ],
) + _side_regions(
    Side.BACK,
    [
        ("head", "Back of the head", 100, 38),
        ("neck", "Back of the neck", 100, 73),
        ("upper_back", "Upper back", 100, 115),
        ("lower_back", "Lower back", 100, 170),
        ("buttocks", "Buttocks", 100, 210),
    ],
)
REGION_BY_CODE = {region.code: region for region in REGIONS}
SIDE_WORDS = {Side.FRONT: "Front", Side.BACK: "Back"}


def region_words(code: str) -> str:
    region = REGION_BY_CODE.get(code)
    return f"{SIDE_WORDS[region.side]}: {region.label.lower()}" if region else code


def nearest_region(side: Side, x: float, y: float) -> Region:
    """The region whose centre is closest to a point (in drawing units, so not squashed)."""
    return min(
        (r for r in REGIONS if r.side == side),
        key=lambda r: math.hypot((r.x - x) * WIDTH, (r.y - y) * HEIGHT),
    )


BADGE = 13  # a drawn mark's radius, in drawing units (its 12-unit circle and white edge)
# Where a mark's numbered circle may go when its spot is taken: round the spot, nearest first,
# and away from the body's middle first (so it does not take the spot of a mark nearer the
# middle), then up or down, then towards the middle. Angles for a spot right of the middle;
# y grows downwards, so 315 is up and to the right.
_OUTWARD_FIRST = (0, 315, 45, 270, 90, 225, 135, 180)


def _around(x: float) -> list[tuple[float, float]]:
    side = 1 if x >= WIDTH / 2 else -1
    return [
        (side * d * math.cos(math.radians(a)), d * math.sin(math.radians(a)))
        for d in (2 * BADGE + 2, 4 * BADGE + 4)
        for a in _OUTWARD_FIRST
    ]


@dataclass(frozen=True)
class DrawnMark:
    """A mark as the drawing shows it: its number, the spot recorded (x, y) and where its
    numbered circle is drawn (badge_x, badge_y), in drawing units."""

    number: int
    mark: BodyMark
    x: float
    y: float
    badge_x: float
    badge_y: float

    @property
    def moved(self) -> bool:
        return (self.badge_x, self.badge_y) != (self.x, self.y)


def drawn(numbered: list[tuple[int, BodyMark]]) -> list[DrawnMark]:
    """Each mark's numbered circle, clear of the ones before it.

    Two marks at one spot (two bruises chosen as "left upper arm" from the list both go to its
    centre) were drawn one over the other: the drawing showed one mark where two were recorded.
    A circle whose spot is taken is drawn beside it instead, with a line to the spot and a dot
    on it, so the spot stays where it was recorded and every number can be read."""
    placed: list[DrawnMark] = []
    for number, mark in numbered:
        x, y = mark.x * WIDTH, mark.y * HEIGHT
        bx, by = x, y  # its own spot, wherever it is, unless another circle is on it
        if not _apart(x, y, placed):
            tries = ((x + dx, y + dy) for dx, dy in _around(x))
            bx, by = next((spot for spot in tries if _clear(*spot, placed)), (x, y))
        placed.append(DrawnMark(number, mark, x, y, bx, by))
    return placed


def _apart(x: float, y: float, placed: list[DrawnMark]) -> bool:
    return all(math.hypot(x - d.badge_x, y - d.badge_y) >= 2 * BADGE for d in placed)


def _clear(x: float, y: float, placed: list[DrawnMark]) -> bool:
    """A place beside a taken spot: inside the drawing and clear of every circle."""
    inside = BADGE <= x <= WIDTH - BADGE and BADGE <= y <= HEIGHT - BADGE
    return inside and _apart(x, y, placed)


@dataclass(frozen=True)
class MarkInput:
    """What the form sent: a region chosen from the list, and/or a point tapped on the map."""

    region: str | None
    side: str | None
    x: float | None
    y: float | None
    mark_type: str | None
    size: str
    note: str


def _place(data: MarkInput) -> tuple[Side, float, float, Region]:
    """Where the mark goes: the tapped point if there is one, else the chosen region's centre."""
    if data.side in {s.value for s in Side} and data.x is not None and data.y is not None:
        if not (0 <= data.x <= 1 and 0 <= data.y <= 1) or math.isnan(data.x + data.y):
            raise Invalid("That point is outside the body map. Tap on the outline.", "region")
        side = Side(data.side)
        return side, data.x, data.y, nearest_region(side, data.x, data.y)
    region = REGION_BY_CODE.get(data.region or "")
    if region is None:
        raise Invalid("Tap the body map, or choose where the mark is from the list.", "region")
    return region.side, region.x, region.y, region


def _checked(data: MarkInput) -> tuple[MarkType, str, str]:
    if data.mark_type not in {t.value for t in MarkType}:
        raise Invalid("Choose what kind of mark it is.", "mark_type")
    size = data.size.replace("\x00", "").strip()
    if not size:
        raise Invalid("Give its size, for example 3 cm by 2 cm.", "size")
    if len(size) > MAX_SIZE:
        raise Invalid(f"Use at most {MAX_SIZE} characters for the size.", "size")
    note = data.note.replace("\x00", "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid(f"Use at most {MAX_NOTE} characters.", "note")
    return MarkType(data.mark_type), size, note


def add_mark(
    session: Session, actor: Actor, incident: Incident, data: MarkInput, now: datetime
) -> BodyMark:
    """Record one mark; the chronology and audit log say what and where."""
    account = policy.holder(actor, "work_incidents")
    if account is None or not policy.can_work_incident(actor, incident):
        raise Forbidden("not on the safeguarding team")
    if not policy.can_add_evidence(actor, incident):
        raise Invalid("This incident is closed. Reopen it to add to the body map.", "region")
    mark_type, size, note = _checked(data)
    side, x, y, region = _place(data)
    mark = BodyMark(
        incident_id=incident.id,
        side=side,
        x=round(x, 4),
        y=round(y, 4),
        region=region.code,
        mark_type=mark_type,
        size=size,
        note=note,
        recorded_by_id=account.id,
        recorded_at=now,
    )
    session.add(mark)
    session.flush()
    what = f"{MARK_LABELS[mark_type]}, {size}, {region_words(region.code)}"
    text = f"Body map: {what}." + (f" {note}" if note else "")
    chronology.write_entry(session, incident.id, account.id, "body_map", text, now)
    record(session, actor, "body_map.mark_added", incident, f"mark #{mark.id}")
    return mark
