"""The demo school: two classes, a dozen pupils, staff in every role and two carers.

Every name here is made up.
"""

from __future__ import annotations

import io
import os
import secrets
from datetime import date, datetime
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import photos
from classroom.accounts.models import Account, Role, School
from classroom.accounts.passwords import hash_password
from classroom.audit.services import record
from classroom.parents import demo as parents_demo
from classroom.pupils import photos as pupil_photos
from classroom.pupils.importer import make_upn
from classroom.pupils.models import ClassStaff, ParentLink, Pathway, Pupil, SchoolClass
from classroom.rules import services as rules_services

STAFF = [
    ("admin", "Sam Okafor (IT technician)", Role.ADMIN, []),
    ("head", "Mrs Priya Shah", Role.HEADTEACHER, []),
    ("dsl", "Mr Tom Bell", Role.DSL, []),
    ("deputy", "Ms Ruth Evans", Role.DEPUTY_DSL, []),
    ("senior", "Mr Daniel Price", Role.SENIOR_LEADER, []),
    ("teacher", "Ms Ana Lopez", Role.TEACHER, ["Oak"]),
    ("teacher2", "Mr Owen Hughes", Role.TEACHER, ["Willow"]),
    ("ta", "Mr Lee Chan", Role.TEACHING_ASSISTANT, ["Oak"]),
    ("governor", "Dr Helen Ward", Role.GOVERNOR, []),
]
PUPILS = [
    ("Amira", "Khan", date(2011, 3, 14), "Oak", Pathway.SEMI_FORMAL, "1F981"),
    ("Ben", "Taylor", date(2010, 7, 2), "Oak", Pathway.PRE_FORMAL, "1F422"),
    ("Chloe", "Wright", date(2012, 1, 23), "Oak", Pathway.FORMAL, "1F984"),
    ("Dev", "Patel", date(2011, 11, 5), "Oak", Pathway.SEMI_FORMAL, "1F680"),
    ("Ella", "Murphy", date(2012, 5, 30), "Oak", Pathway.PRE_FORMAL, "1F41D"),
    ("Finn", "Walsh", date(2010, 9, 17), "Oak", Pathway.FORMAL, "26BD"),
    ("Grace", "Adeyemi", date(2008, 2, 11), "Willow", Pathway.SEMI_FORMAL, "1F99C"),
    ("Harry", "Jones", date(2007, 6, 8), "Willow", Pathway.FORMAL, "1F3B8"),
    ("Isla", "Nowak", date(2009, 4, 19), "Willow", Pathway.PRE_FORMAL, "1F30A"),
    ("Jay", "Singh", date(2008, 12, 1), "Willow", Pathway.SEMI_FORMAL, "1F6B2"),
    ("Kayla", "Brown", date(2007, 10, 27), "Willow", Pathway.FORMAL, "1F98A"),
    ("Leo", "Fraser", date(2009, 8, 3), "Willow", Pathway.SEMI_FORMAL, "1F438"),
]
PARENTS = [("parent", "Mrs Sara Khan", "Amira"), ("parent2", "Mr Mark Adeyemi", "Grace")]
USERNAMES = ["admin", "head", "dsl", "teacher", "ta", "governor", "parent", "parent2"]
MORE_USERNAMES = ["deputy", "senior", "teacher2"]  # the README lists these as "also"
SCHOOL_NAME = "Baginton Fields School (demo)"


def _portrait() -> bytes:
    """A made-up portrait (a smiling face) standing in for a pupil's photo."""
    image = Image.new("RGB", (480, 480), "#cfe8ff")
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 70, 390, 410), fill="#f2c9a0")
    draw.ellipse((170, 190, 200, 220), fill="#1b1f24")
    draw.ellipse((280, 190, 310, 220), fill="#1b1f24")
    draw.arc((170, 240, 310, 340), start=20, end=160, fill="#1b1f24", width=10)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed(
    session: Session,
    password: str | None = None,
    *,
    now: datetime,
    instance: Path,
    secret_key: str,
) -> str | None:
    """Create the demo school if there is none; returns the accounts' password, or None.

    `instance` is the app's instance folder, where the demo's photos are kept; `secret_key`
    (the app's SECRET_KEY) keys the demo invite code's hash, so the code works.
    """
    if session.scalar(select(School.id)) is not None:
        return None
    password = password or os.environ.get("CLASSROOM_DEMO_PASSWORD") or secrets.token_urlsafe(9)
    hashed = hash_password(password)
    school = School(name=SCHOOL_NAME, created_at=now)
    session.add(school)
    session.flush()
    classes = {
        n: SchoolClass(school_id=school.id, name=n, tile_symbol=s)
        for n, s in (("Oak", "1F333"), ("Willow", "1F33F"))
    }
    session.add_all(classes.values())
    session.flush()

    def account(username: str, name: str, role: Role) -> Account:
        acc = Account(
            school_id=school.id,
            username=username,
            display_name=name,
            role=role,
            email=f"{username}@demo.invalid",
            password_hash=hashed,
            password_changed_at=now,
            must_change_password=False,
            active=True,
            created_at=now,
        )
        session.add(acc)
        session.flush()
        return acc

    for username, name, role, class_names in STAFF:
        staff = account(username, name, role)
        session.add_all(
            ClassStaff(class_id=classes[c].id, account_id=staff.id) for c in class_names
        )
    pupils = {}
    for n, (first, last, born, class_name, pathway, tile) in enumerate(PUPILS):
        pupil = Pupil(
            school_id=school.id,
            upn=make_upn(f"8231{n:08d}"),
            first_name=first,
            last_name=last,
            date_of_birth=born,
            class_id=classes[class_name].id,
            pathway=pathway,
            tile_symbol=tile,
            created_at=now,
        )
        session.add(pupil)
        pupils[first] = pupil
    session.flush()
    # Staff have chosen "all lessons on home" for most demo pupils; Ella and Isla (pre-formal)
    # keep their pathway's home: just the next lesson, as one big tile.
    for pupil in pupils.values():
        if pupil.first_name not in ("Ella", "Isla"):
            pupil.home_lessons = 0
    # Dev uses a picture password (cat, dog, star) so the demo shows that path too.
    pupils["Dev"].picture_password_hash = hash_password("1F431,1F436,2B50")
    pupils["Dev"].picture_password_length = 3
    for username, name, child in PARENTS:
        carer = account(username, name, Role.PARENT)
        session.add(
            ParentLink(
                parent_id=carer.id,
                pupil_id=pupils[child].id,
                relationship_label="Parent",
                created_at=now,
            )
        )
    session.flush()
    # A live feed for `parent` and an invite code for Ben.
    parents_demo.seed(
        session, pupils, photos.photo_dir(instance), now=now, secret_key=secret_key
    )
    # "Our rules", on display in every classroom
    rules_services.seed_demo(session, school.id, now=now)
    # Amira's tile is a photo (her carers consented to photos in the app); the rest are symbols.
    tiles = pupil_photos.photo_dir(instance)
    pupils["Amira"].photo_file = pupil_photos.store_tile(_portrait(), tiles)
    record(session, None, "demo.seeded", school)
    return password


def is_demo(session: Session) -> bool:
    """Whether this database's school is the demo school (not a real school's)."""
    names = set(session.scalars(select(School.name)))
    return names == {SCHOOL_NAME}
