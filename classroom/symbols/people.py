"""My people: each pupil's trusted adults at school and at home, with names and photos.

Lesson steps ("Who can you tell?") and the worry flow ("Who do you want to talk to?") show
these people, so a pupil sees the faces they know rather than one generic figure. School adults
are members of staff; home adults are a name and a photo set by staff or a connected carer.
Home adults are only ever shown to the pupil: a worry is never sent to them (the school's
safeguarding team decides whether and how a family is told).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from PIL import Image
from sqlalchemy import BindParameter, Select, bindparam, exists, func, literal, select, union_all
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.audit.services import record
from classroom.db import plain_rows
from classroom.errors import Forbidden, Invalid, within
from classroom.photos import NAME, Stored, delete_after_commit, named, reencode, save_in
from classroom.principals import Actor
from classroom.pupils.models import ClassStaff, Pupil
from classroom.symbols.models import Place, StaffPhoto, TrustedPerson

PHOTO_SIDE = 320  # a 180 px card on a retina iPad
NAME_LENGTH = 60  # the name boxes' limit too (symbols/people.html)
FILE_NAME = NAME  # a photo is named as every stored photo is
SCHOOL_SYMBOL = "trusted-adult"
HOME_SYMBOL = "adult"


@dataclass(frozen=True)
class Person:
    """A trusted adult as a pupil screen shows them: a name, a place and a picture."""

    key: str  # the answer value: "staff-<account id>" or "home-<person id>"
    name: str
    place: Place
    account_id: int | None
    photo: tuple[str, int] | None  # ("person", id) or ("staff", account id): see views
    symbol: str  # the picture when there is no photo


def my_people(session: Session, pupil: Pupil) -> list[Person]:
    """The pupil's trusted adults: at school first, then at home."""
    rows = list(session.scalars(_rows(pupil)))
    people = [_school_person(adult, rows) for adult in offered_adults(session, pupil)]
    people += [_home_person(row) for row in rows if row.place is Place.HOME]
    return people


# Where a pupil has nobody recorded at a place, a step asking about it still has an answer.
_ANYONE = {
    Place.SCHOOL: ("school-anyone", "Someone at school", SCHOOL_SYMBOL),
    Place.HOME: ("home-anyone", "Someone at home", HOME_SYMBOL),
}


def people_at(session: Session, pupil: Pupil, place: str | None) -> list[Person]:
    """The trusted adults a step asks about: all the pupil's, or those at one place ("Who can
    you tell at home?" shows no teacher). With nobody recorded there, "Someone at home"."""
    people = my_people(session, pupil)
    if place is None:
        return people
    where = Place(place)
    key, name, symbol = _ANYONE[where]
    return [p for p in people if p.place is where] or [Person(key, name, where, None, None, symbol)]


def answer_names(session: Session, pupil: Pupil) -> dict[str, str]:
    """Each trusted adult a pupil can choose in a lesson, by the answer the card sends."""
    names = {key: name for key, name, _symbol in _ANYONE.values()}
    return names | {person.key: person.name for person in my_people(session, pupil)}


@dataclass(frozen=True)
class SchoolAdult:
    """A school adult a pupil may choose, with the picture to show this pupil for them."""

    account_id: int
    name: str  # the account's display name
    photo: tuple[str, int] | None  # ("person", trusted person id) or ("staff", account id)


def offered_adults(session: Session, pupil: Pupil) -> list[SchoolAdult]:
    """Who a pupil may choose to talk to about a worry: the school adults staff chose for
    them (else their class staff), then the safeguarding lead, who always hears.

    Each comes with their picture: the photo set for this pupil, else their staff photo if
    they work in the pupil's class, else none. One statement, however many adults: the worry
    flow asks on every visit.
    """
    params = {"pupil_id": pupil.id, "class_id": pupil.class_id, "school_id": pupil.school_id}
    offered: dict[int, SchoolAdult] = {}
    for account_id, name, own_photo, teaching, staff_photo in plain_rows(
        session, _offered(), params
    ):
        photo = (
            ("person", own_photo) if own_photo is not None
            else ("staff", account_id) if teaching and staff_photo
            else None
        )  # fmt: skip
        offered.setdefault(account_id, SchoolAdult(account_id, name, photo))
    return list(offered.values())


@cache  # built once: the values are parameters
def _offered() -> Select[int, str, int | None, bool, bool]:
    pupil_id: BindParameter[int] = bindparam("pupil_id")
    class_id: BindParameter[int] = bindparam("class_id")
    active = Account.active.is_(True)
    chosen = (
        select(
            TrustedPerson.account_id.label("account_id"),
            literal(0).label("rank"),
            TrustedPerson.id.label("position"),
        )
        .join(Account, Account.id == TrustedPerson.account_id)
        .where(
            TrustedPerson.pupil_id == pupil_id,
            TrustedPerson.place == Place.SCHOOL,
            active,
            Account.role != Role.PARENT,
        )
    )
    class_staff = (
        select(ClassStaff.account_id, literal(1), literal(0))
        .join(Account, Account.id == ClassStaff.account_id)
        .where(ClassStaff.class_id == class_id, active, ~chosen.exists())
    )
    leads = select(Account.id, literal(2), literal(0)).where(
        Account.school_id == bindparam("school_id"),
        active,
        Account.role.in_(policy.team_roles("lead")),
    )
    offered = union_all(chosen, class_staff, leads).subquery("offered")
    own_photo = (
        select(func.min(TrustedPerson.id))
        .where(
            TrustedPerson.pupil_id == pupil_id,
            TrustedPerson.account_id == Account.id,
            TrustedPerson.photo_file.is_not(None),
        )
        .scalar_subquery()
    )
    teaching = exists().where(ClassStaff.class_id == class_id, ClassStaff.account_id == Account.id)
    staff_photo = exists().where(StaffPhoto.account_id == Account.id)
    return (
        select(Account.id, Account.display_name, own_photo, teaching, staff_photo)
        .join(offered, offered.c.account_id == Account.id)
        .order_by(offered.c.rank, offered.c.position, Account.display_name, Account.id)
    )


def school_adults(session: Session, pupil: Pupil) -> list[Account]:
    """The accounts of `offered_adults`, in the same order."""
    ids = [adult.account_id for adult in offered_adults(session, pupil)]
    found = {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(ids)))}
    return [found[number] for number in ids]


def staff_picture(session: Session, pupil: Pupil, account: Account) -> tuple[str, int] | None:
    """The photo to show this pupil for a member of staff: one set just for the pupil, else
    the staff photo if the member of staff works in the pupil's class; else none."""
    return staff_pictures(session, pupil, [account])[account.id]


def staff_pictures(
    session: Session,
    pupil: Pupil,
    accounts: Sequence[Account],
    rows: Sequence[TrustedPerson] | None = None,
) -> dict[int, tuple[str, int] | None]:
    """`staff_picture` for each of `accounts`, in three statements however many there are
    (`rows`: the pupil's trusted people, when the caller has them already)."""
    ids = [account.id for account in accounts]
    if not ids:
        return {}
    if rows is None:
        rows = list(session.scalars(_rows(pupil).where(TrustedPerson.account_id.in_(ids))))
    own = {row.account_id: row.id for row in reversed(rows) if row.photo_file is not None}
    teaching = set(
        session.scalars(
            select(ClassStaff.account_id).where(
                ClassStaff.class_id == pupil.class_id, ClassStaff.account_id.in_(ids)
            )
        )
    )
    with_photo = set(
        session.scalars(select(StaffPhoto.account_id).where(StaffPhoto.account_id.in_(ids)))
    )
    pictures: dict[int, tuple[str, int] | None] = {}
    for number in ids:
        if number in own:
            pictures[number] = ("person", own[number])
        elif number in teaching and number in with_photo:
            pictures[number] = ("staff", number)
        else:
            pictures[number] = None
    return pictures


def add_person(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    place: Place,
    *,
    name: str = "",
    account: Account | None = None,
    photo: bytes | None = None,
    agreement: str = "",
    folder: Path,
    now: datetime,
) -> TrustedPerson:
    """Add a trusted adult for the pupil: a member of staff at school, a named adult at home.

    `folder`: where people's photos are kept (`photo_dir`); `agreement`: who confirmed the
    adult agreed to their photo, for the audit entry (as `set_staff_photo`'s note).
    """
    allowed = (
        policy.can_set_school_people(session, actor, pupil)
        if place is Place.SCHOOL
        else policy.can_set_home_people(session, actor, pupil)
    )
    if not allowed or not isinstance(actor, Account):
        raise Forbidden("not allowed to change this pupil's trusted adults")
    name, account = _checked(place, name, account, pupil)
    row = TrustedPerson(
        school_id=pupil.school_id,
        pupil_id=pupil.id,
        place=place,
        name=name,
        account_id=account.id if account is not None else None,
        photo_file=store_photo(photo, folder) if photo else None,
        added_by_id=actor.id,
        added_at=now,
    )
    session.add(row)
    session.flush()
    detail = f"{place.value}: {name}" + (" (with photo)" if row.photo_file else "")
    if row.photo_file and agreement:
        detail += f"; {agreement}"
    record(session, actor, "symbols.trusted_person_added", pupil, detail)
    return row


def remove_person(session: Session, actor: Actor, person: TrustedPerson, *, folder: Path) -> None:
    """Take a trusted adult off the pupil's list, and delete their photo."""
    pupil = person.pupil
    allowed = (
        policy.can_set_school_people(session, actor, pupil)
        if person.place is Place.SCHOOL
        else policy.can_set_home_people(session, actor, pupil)
    )
    if not allowed:
        raise Forbidden("not allowed to change this pupil's trusted adults")
    _delete_file(session, person.photo_file, folder)
    session.delete(person)
    session.flush()
    record(
        session,
        actor,
        "symbols.trusted_person_removed",
        pupil,
        f"{person.place.value}: {person.name}",
    )


def set_staff_photo(
    session: Session,
    actor: Actor,
    account: Account,
    data: bytes | None,
    note: str = "",
    *,
    folder: Path,
    now: datetime,
) -> None:
    """Set (or remove, with None) a member of staff's photo; audited (with `note`, e.g. who
    confirmed the member of staff agreed)."""
    if not policy.can_set_staff_photo(actor, account) or not isinstance(actor, Account):
        raise Forbidden("not allowed to set this photo")
    row = session.get(StaffPhoto, account.id)
    if row is not None:
        _delete_file(session, row.photo_file, folder)
        session.delete(row)
        session.flush()
    if data is not None:
        session.add(
            StaffPhoto(
                account_id=account.id,
                school_id=account.school_id,
                photo_file=store_photo(data, folder),
                set_by_id=actor.id,
                set_at=now,
            )
        )
        session.flush()
    action = "symbols.staff_photo_set" if data is not None else "symbols.staff_photo_removed"
    record(session, actor, action, account, note)


FOLDER = "people_photos"


def photo_dir(instance_path: str | Path) -> Path:
    """Where trusted adults' and staff photos are kept: a folder of the app's instance folder
    (the caller's setting; views pass `current_app.instance_path`)."""
    return Path(instance_path) / FOLDER


def _photo_names(session: Session) -> set[str]:
    return named(session, TrustedPerson.photo_file, StaffPhoto.photo_file)


STORED = Stored(FOLDER, FILE_NAME, _photo_names)  # the worker sweeps photos no row names


def store_photo(data: bytes, folder: Path) -> str:
    """Re-encode (no metadata, upright, size-limited), shrink and save; returns the file name."""
    with Image.open(io.BytesIO(reencode(data))) as image:
        image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
        image.info.clear()  # nothing from the file's own info (a JPEG comment) is written back
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85, optimize=True)
    return save_in(folder, out.getvalue())


def _delete_file(session: Session, name: str | None, folder: Path) -> None:
    # A photo no longer used is deleted (the photo policy), but only once the change is
    # committed: a request rolled back keeps the row that names it, so it keeps the file too.
    if name is not None:
        delete_after_commit(session, folder, [name])


def _rows(pupil: Pupil) -> Select[TrustedPerson]:
    return (
        select(TrustedPerson).where(TrustedPerson.pupil_id == pupil.id).order_by(TrustedPerson.id)
    )


def _checked(
    place: Place, name: str, account: Account | None, pupil: Pupil
) -> tuple[str, Account | None]:
    label = f"Name {pupil.first_name} uses"  # the box's label (symbols/people.html)
    if place is Place.SCHOOL:
        if account is None or not account.is_staff or account.school_id != pupil.school_id:
            raise Invalid("Choose a member of staff.", "account")
        typed = " ".join(within(name, NAME_LENGTH, label, "name").split())
        # The account's own name when none is typed: its column allows more than NAME_LENGTH.
        return (typed or account.display_name[:NAME_LENGTH]), account
    name = " ".join(within(name, NAME_LENGTH, label, "name").split())
    if not name:
        raise Invalid("Type the adult's name.", "name")
    return name, None


def _school_person(adult: SchoolAdult, rows: list[TrustedPerson]) -> Person:
    row = next((r for r in rows if r.account_id == adult.account_id), None)
    name = row.name if row is not None else adult.name
    key = f"staff-{adult.account_id}"
    return Person(key, name, Place.SCHOOL, adult.account_id, adult.photo, SCHOOL_SYMBOL)


def _home_person(row: TrustedPerson) -> Person:
    photo = ("person", row.id) if row.photo_file else None
    return Person(f"home-{row.id}", row.name, Place.HOME, None, photo, HOME_SYMBOL)
