"""Keyword-default builders for test data: `make_pupil(session, first_name="Zara")`."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role, School
from classroom.accounts.passwords import hash_password
from classroom.accounts.two_factor import is_required
from classroom.db import utcnow
from classroom.devices.models import Device
from classroom.devices.services import new_device
from classroom.pupils.importer import make_upn
from classroom.pupils.models import ClassStaff, ParentLink, Pupil, SchoolClass
from tests import two_step

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_school(session: Session, **overrides: Any) -> School:
    school = School(**{"name": "Test School", "created_at": utcnow(), **overrides})
    session.add(school)
    session.flush()
    return school


def _school(session: Session, school: School | None) -> School:
    if school is not None:
        return school
    existing = session.scalar(select(School).limit(1))
    return existing or make_school(session)


def make_class(session: Session, school: School | None = None, **overrides: Any) -> SchoolClass:
    values = {"name": f"Class {next(_counter)}", "school_id": _school(session, school).id}
    school_class = SchoolClass(**{**values, **overrides})
    session.add(school_class)
    session.flush()
    return school_class


def make_account(
    session: Session,
    role: Role = Role.TEACHER,
    classes: list[SchoolClass] | None = None,
    school: School | None = None,
    password: str = PASSWORD,
    **overrides: Any,
) -> Account:
    n = next(_counter)
    values: dict[str, Any] = {
        "school_id": _school(session, school).id,
        "username": f"{role.value}{n}",
        "display_name": f"{role.label} {n}",
        "email": f"{role.value}{n}@example.invalid",
        "role": role,
        "password_hash": hash_password(password),
        "password_changed_at": utcnow(),
        "must_change_password": False,
        "active": True,
        "created_at": utcnow(),
    }
    enrol = overrides.pop("two_factor", None)
    account = Account(**{**values, **overrides})
    session.add(account)
    session.flush()
    for school_class in classes or []:
        session.add(ClassStaff(class_id=school_class.id, account_id=account.id))
    session.flush()
    # Roles that must use two-step sign-in come enrolled (tests then type the code) unless a
    # test asks otherwise with two_factor=False; others can ask for it with two_factor=True.
    if is_required(account) if enrol is None else enrol:
        two_step.enrol(session, account)
    return account


def make_pupil(
    session: Session, school_class: SchoolClass | None = None, **overrides: Any
) -> Pupil:
    school_class = school_class or make_class(session)
    n = next(_counter)
    values: dict[str, Any] = {
        "school_id": school_class.school_id,
        "upn": make_upn(f"9{n:011d}"),
        "first_name": f"Pupil{n}",
        "last_name": "Test",
        "date_of_birth": date(2011, 5, 1),
        "class_id": school_class.id,
        "created_at": utcnow(),
    }
    pupil = Pupil(**{**values, **overrides})
    session.add(pupil)
    session.flush()
    return pupil


def link_parent(session: Session, parent: Account, pupil: Pupil) -> ParentLink:
    link = ParentLink(parent_id=parent.id, pupil_id=pupil.id, created_at=utcnow())
    session.add(link)
    session.flush()
    return link


def make_device(
    session: Session, school_class: SchoolClass, name: str = "Test iPad"
) -> tuple[Device, str]:
    """A class iPad and the token its cookie carries."""
    return new_device(session, school_class.id, name, None, now=utcnow())
