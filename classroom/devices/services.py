"""Class iPads: enrolment links, enrolling, recognising and revoking devices."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account, UserSession
from classroom.accounts.services import token_hash
from classroom.audit.services import record
from classroom.devices.models import Device, DeviceEnrolment
from classroom.errors import Forbidden, Invalid, within
from classroom.principals import Actor, account_id
from classroom.pupils.models import SchoolClass

DEVICE_COOKIE_DAYS = 400  # the longest lifetime browsers allow; staff revoke, not expiry
NAME_LENGTH = 80  # an iPad's name: its boxes' limit (devices/list.html) and the check


def cookie_name(secure: bool) -> str:
    """The iPad cookie's name: `__Host-` (HTTPS only, this host only) when cookies are secure."""
    return "__Host-classroom-ipad" if secure else "classroom-ipad"


def device_for_token(session: Session, token: str) -> Device | None:
    """The live class iPad whose cookie holds this token, if any."""
    if not token:
        return None
    device = session.scalar(select(Device).where(Device.token_hash == token_hash(token)))
    return device if device is not None and device.active else None


def revoked_device_for_token(session: Session, token: str) -> Device | None:
    """The class iPad whose cookie holds this token, only if it has been revoked: a worry a
    pupil was writing on it when it was revoked is still heard (worries.views)."""
    if not token:
        return None
    device = session.scalar(select(Device).where(Device.token_hash == token_hash(token)))
    return device if device is not None and not device.active else None


def clean_device_name(name: str) -> str:
    """The name with its spaces tidied; a name over NAME_LENGTH is refused, never cut short."""
    cleaned = " ".join(within(name, NAME_LENGTH, "iPad name", "name").split())
    if not cleaned:
        raise Invalid("Give the iPad a name, such as 'Oak iPad 3'.", field="name")
    return cleaned


def create_enrolment_link(
    session: Session,
    actor: Actor | None,
    school_class: SchoolClass,
    device_name: str,
    *,
    now: datetime,
    link_hours: int,
) -> str:
    """A one-time code for an enrolment link (valid `link_hours`); only its hash is stored."""
    if actor is not None and not policy.can_manage_class_ipads(session, actor, school_class):
        raise Forbidden("not allowed to enrol iPads for this class")
    code = secrets.token_urlsafe(24)
    link = DeviceEnrolment(
        code_hash=token_hash(code),
        class_id=school_class.id,
        device_name=clean_device_name(device_name),
        created_by_id=account_id(actor),
        created_at=now,
        expires_at=now + timedelta(hours=link_hours),
    )
    session.add(link)
    session.flush()
    record(session, actor, "device.enrolment_link_created", school_class, link.device_name)
    return code


def find_enrolment(session: Session, code: str, *, now: datetime) -> DeviceEnrolment:
    """The unused, unexpired enrolment for a code, or Invalid with a plain reason."""
    link = session.scalar(
        select(DeviceEnrolment).where(DeviceEnrolment.code_hash == token_hash(code))
    )
    if link is None:
        raise Invalid("This enrolment link is not valid. Ask for a new one.")
    if link.used_at is not None:
        raise Invalid("This enrolment link has already been used. Ask for a new one.")
    if now >= link.expires_at:
        raise Invalid("This enrolment link has expired. Ask for a new one.")
    return link


def note_refused_enrolment(session: Session, code: str, reason: str) -> None:
    """A used or expired link tried again on an iPad it did not enrol: the school's log says so
    (a link tried twice may have been passed on). A code that is no link names no school."""
    link = session.scalar(
        select(DeviceEnrolment).where(DeviceEnrolment.code_hash == token_hash(code))
    )
    if link is not None:
        record(session, None, "device.enrolment_refused", link, f"{link.device_name}: {reason}")


def enrolled_here(session: Session, code: str, device: Device | None) -> bool:
    """Whether this link already made `device`, the iPad opening it again, a class iPad."""
    if device is None:
        return False
    found = session.scalar(
        select(DeviceEnrolment.id).where(
            DeviceEnrolment.code_hash == token_hash(code), DeviceEnrolment.device_id == device.id
        )
    )
    return found is not None


def new_device(
    session: Session, class_id: int, name: str, enrolled_by_id: int | None, *, now: datetime
) -> tuple[Device, str]:
    token = secrets.token_urlsafe(32)
    device = Device(
        class_id=class_id,
        name=name,
        token_hash=token_hash(token),
        enrolled_by_id=enrolled_by_id,
        enrolled_at=now,
    )
    session.add(device)
    session.flush()
    return device, token


def enrol_with_link(
    session: Session, code: str, *, now: datetime, replacing: Device | None = None
) -> tuple[Device, str]:
    """Use up an enrolment link; returns the device and the token for its cookie.

    `replacing`: the class iPad this browser was until now (its cookie is about to be
    overwritten), which is revoked so the list never shows one iPad twice."""
    link = find_enrolment(session, code, now=now)
    device, token = new_device(
        session, link.class_id, link.device_name, link.created_by_id, now=now
    )
    link.used_at = now
    link.device_id = device.id
    summary = f"{device.name} by enrolment link{_taken_note(replacing, device)}"
    record(session, None, "device.enrolled", device, summary)
    _replace(session, None, replacing, device, now=now)
    return device, token


def taken_from(device: Device | None, school_class: SchoolClass) -> Device | None:
    """The live class iPad of another class that enrolling it for `school_class` would take
    from that class, if it is one: staff are asked first (its pupils lose their tiles on it)."""
    if device is None or not device.active or device.class_id == school_class.id:
        return None
    return device


def same_school(one: Device, other: SchoolClass) -> bool:
    """Whether a class iPad is of the same school as a class (another school's is never named)."""
    return one.school_class.school_id == other.school_id


def _taken_note(old: Device | None, new: Device) -> str:
    """What an enrolment took from another class of this school, for the audit log."""
    taken = taken_from(old, new.school_class)
    if taken is None or not same_school(taken, new.school_class):
        return ""
    return f", taken from {taken.school_class.name} ({taken.name})"


def _replace(
    session: Session, actor: Actor | None, old: Device | None, new: Device, *, now: datetime
) -> None:
    """The iPad that was `old` is now `new`: `old` can never be used again, so it is revoked.
    The old school's log never names another school's iPad."""
    if old is None or old.id == new.id:
        return
    same_school = old.school_class.school_id == new.school_class.school_id
    reason = f"re-enrolled as {new.name}" if same_school else "re-enrolled for another school"
    revoke(session, actor, old, now=now, reason=reason)


def enrol_directly(
    session: Session,
    actor: Actor,
    school_class: SchoolClass,
    name: str,
    *,
    now: datetime,
    replacing: Device | None = None,
) -> tuple[Device, str]:
    """A signed-in staff member turns the iPad in their hands into a class iPad (`replacing`:
    the class iPad it was until now, revoked as with `enrol_with_link`)."""
    if not policy.can_manage_class_ipads(session, actor, school_class):
        raise Forbidden("not allowed to enrol iPads for this class")
    device, token = new_device(
        session, school_class.id, clean_device_name(name), account_id(actor), now=now
    )
    summary = f"{device.name} for {school_class.name}{_taken_note(replacing, device)}"
    record(session, actor, "device.enrolled", device, summary)
    _replace(session, actor, replacing, device, now=now)
    return device, token


def revoke(
    session: Session, actor: Actor | None, device: Device, *, now: datetime, reason: str = ""
) -> None:
    """Stop an iPad being a class iPad; any pupil signed in on it is signed out (the audit
    entry says how many, so the log shows whose visit the revoking ended)."""
    if device.revoked_at is not None:
        return
    device.revoked_at = now
    ended = 0
    for row in session.scalars(
        select(UserSession).where(
            UserSession.device_id == device.id, UserSession.ended_at.is_(None)
        )
    ):
        row.ended_at = now
        row.end_reason = "device_revoked"
        ended += 1
    notes = [reason] if reason else []
    if ended:
        notes.append(f"signed out {ended} pupil session{'s' if ended > 1 else ''}")
    summary = f"{device.name} ({'; '.join(notes)})" if notes else device.name
    record(session, actor, "device.revoked", device, summary)


@dataclass(frozen=True)
class Move:
    """Where a class iPad went when it was enrolled again: the class iPad it became (`to`, None
    when that is another school's), when, and who did it (`by`, `by_link`)."""

    to: Device | None
    at: datetime
    by: str
    by_link: bool


def moves(session: Session, devices: list[Device]) -> dict[int, Move]:
    """The moves of these revoked iPads, by id. Enrolling an iPad again revokes what it was at
    the very instant the new class iPad is enrolled (`_replace`, one `now`), so the class iPad
    enrolled at an old one's `revoked_at` is what it became: no other record is needed."""
    revoked = {d.revoked_at: d for d in devices if d.revoked_at is not None}
    if not revoked:
        return {}
    found: dict[int, Move] = {}
    for new in session.scalars(select(Device).where(Device.enrolled_at.in_(list(revoked)))):
        old = revoked.get(new.enrolled_at)
        if old is not None and new.id > old.id:
            found[old.id] = _move(session, old, new)
    return found


def _move(session: Session, old: Device, new: Device) -> Move:
    if not same_school(new, old.school_class):
        return Move(to=None, at=new.enrolled_at, by="", by_link=False)
    by_link = session.scalar(
        select(DeviceEnrolment.id).where(DeviceEnrolment.device_id == new.id)
    )
    who = session.get(Account, new.enrolled_by_id) if new.enrolled_by_id is not None else None
    by = who.display_name if who is not None else ""  # "": a link made on the command line
    return Move(to=new, at=new.enrolled_at, by=by, by_link=by_link is not None)


def visible_devices(session: Session, actor: Actor) -> list[Device]:
    class_ids = select(SchoolClass.id).where(
        SchoolClass.id.in_(policy.visible_ipad_classes(actor).with_only_columns(SchoolClass.id))
    )
    return list(
        session.scalars(
            select(Device).where(Device.class_id.in_(class_ids)).order_by(Device.enrolled_at.desc())
        )
    )
