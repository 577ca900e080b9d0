"""Demo content for the parents' app: a live feed for `parent` (Amira) and `parent2` (Grace).

Every name and picture is made up; the photo is drawn here, not taken of anyone.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import photos
from classroom.accounts.models import Account
from classroom.parents import invites
from classroom.parents.models import (
    CarerInvite,
    ConsentPurpose,
    FeedItem,
    FeedKind,
    FeedReceipt,
    PhotoConsent,
)
from classroom.pupils.models import ParentLink, Pupil
from classroom.scale import LEVEL_WORDS, Level

# A code `make run` users can type at /family/join to connect a new carer to Ben (Oak).
DEMO_INVITE_CODE = "BENTY-DEM23"


def _drawing() -> bytes:
    """A cheerful made-up picture (a sun, a tablet and a tick), standing in for a class photo."""
    image = Image.new("RGB", (640, 480), "#fdfbf3")
    draw = ImageDraw.Draw(image)
    draw.ellipse((40, 40, 160, 160), fill="#fcea2b")
    draw.rounded_rectangle((220, 120, 520, 400), radius=24, fill="#0b4f8a")
    draw.rectangle((250, 150, 490, 370), fill="#e6f0fb")
    draw.line((300, 260, 350, 320, 440, 200), fill="#1d6b35", width=18)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _item(
    session: Session, pupil: Pupil, author: Account, at: datetime, **fields: object
) -> FeedItem:
    item = FeedItem(
        school_id=pupil.school_id,
        pupil_id=pupil.id,
        created_at=at,
        deliver_at=at,
        author_id=author.id,
        **fields,
    )
    session.add(item)
    return item


def _consent(
    session: Session,
    pupil: Pupil,
    staff: Account,
    purpose: ConsentPurpose,
    days_ago: int,
    now: datetime,
) -> None:
    given_on = (now - timedelta(days=days_ago)).date()
    session.add(
        PhotoConsent(
            pupil_id=pupil.id,
            purpose=purpose,
            given=True,
            given_by="Sara Khan (mother), signed form",
            given_on=given_on,
            expires_on=given_on + timedelta(days=365),
            recorded_by_id=staff.id,
            recorded_at=now,
        )
    )


def seed(
    session: Session,
    pupils: dict[str, Pupil],
    photo_folder: Path,
    *,
    now: datetime,
    secret_key: str,
) -> None:
    """Learning moments, messages, consent and an invite code, so the demo feed is live.

    The demo's shared photo is kept in `photo_folder` (the carers' photos folder);
    `secret_key` keys the invite code's hash (the app's SECRET_KEY), so the code works.
    """
    by_name = {a.username: a for a in session.scalars(select(Account))}
    teacher, ta, parent = by_name["teacher"], by_name["ta"], by_name["parent"]
    amira = pupils["Amira"]
    for link in session.scalars(select(ParentLink)):
        link.created_at = now - timedelta(days=60)  # connected last term, so they see it all
    _consent(session, amira, teacher, ConsentPurpose.APP, 200, now)
    _consent(session, amira, teacher, ConsentPurpose.WEBSITE, 350, now)  # due for renewal soon
    first = _item(
        session,
        amira,
        teacher,
        now - timedelta(days=3),
        kind=FeedKind.LEARNING_MOMENT,
        objective_text="Sorts kind and unkind messages",
        level_words=LEVEL_WORDS[Level.SECURE],
        body="Amira sorted every message by herself and clapped when she finished.",
    )
    _item(
        session,
        amira,
        teacher,
        now - timedelta(days=2),
        kind=FeedKind.MESSAGE,
        body="Hello! This week we are learning about kind and unkind messages. "
        "Ask Amira to show you the 'kind' symbol.",
    )
    _item(
        session,
        amira,
        parent,
        now - timedelta(days=2, hours=-3),
        kind=FeedKind.MESSAGE,
        from_carer=True,
        body="Thank you! She showed us at tea time.",
    )
    _item(
        session,
        amira,
        ta,
        now - timedelta(days=1),
        kind=FeedKind.LEARNING_MOMENT,
        objective_text="Hides passcode; knows it is secret",
        level_words=LEVEL_WORDS[Level.DEVELOPING],
        body="Amira covered the screen when she typed her passcode.",
        photo_file=photos.store(_drawing(), photo_folder),
    )
    session.flush()
    session.add(FeedReceipt(item_id=first.id, carer_id=parent.id, seen_at=now - timedelta(days=2)))
    _grace(session, pupils["Grace"], by_name["teacher2"], now)
    _invite(session, pupils["Ben"], teacher, now, secret_key)


def _grace(session: Session, grace: Pupil, teacher: Account, now: datetime) -> None:
    _item(
        session,
        grace,
        teacher,
        now - timedelta(days=1),
        kind=FeedKind.LEARNING_MOMENT,
        objective_text="Sorts cartoon and real videos",
        level_words=LEVEL_WORDS[Level.EMERGING],
        body="Grace watched carefully and pointed to the cartoon.",
    )


def _invite(
    session: Session, ben: Pupil, teacher: Account, now: datetime, secret_key: str
) -> None:
    session.add(
        CarerInvite(
            school_id=ben.school_id,
            pupil_id=ben.id,
            code_hash=invites.code_hash(DEMO_INVITE_CODE, secret_key),
            relationship_label="Dad",
            created_by_id=teacher.id,
            created_at=now,
            expires_at=now + timedelta(days=14),
        )
    )
