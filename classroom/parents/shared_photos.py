"""Photos shared with carers in learning moments: deleted when consent for the app goes.

The e-safety policy shares photos only with recorded consent and keeps images only while they
are needed, so a withdrawal deletes the photos rather than hiding them until someone says yes
again. Files are deleted only once the change is committed (`photos.delete_after_commit`); the
worker's sweep (`STORED`) deletes any a crash left behind.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import photos
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.parents.models import FeedItem
from classroom.pupils.models import Pupil


def _shared_names(session: Session) -> set[str]:
    return photos.named(session, FeedItem.photo_file)


# The worker sweeps (photos.sweep) shared photos no learning moment names any more.
STORED = photos.Stored(photos.FOLDER, photos.NAME, _shared_names)


def delete_all(
    session: Session, account: Account, pupil: Pupil, *, now: datetime, folder: Path | None
) -> int:
    """Consent for photos in the app is withdrawn: delete every photo shared of this pupil.

    Every photo in a child's feed was shared under that purpose (the share form takes one only
    while it is in force); the website's consent covers no photo kept here, and the pupil's
    sign-in tile is the school's own, hidden while this consent is not in force
    (classroom/pupils/photos.py) and removed by staff on the pupil's settings page. Each
    learning moment stays (what was learnt, how it went, the note) and says its photo was
    removed. Returns how many photos go.
    """
    items = list(
        session.scalars(
            select(FeedItem)
            .where(FeedItem.pupil_id == pupil.id, FeedItem.photo_file.is_not(None))
            .order_by(FeedItem.id)
        )
    )
    if not items:
        return 0
    if folder is None:
        raise ValueError("deleting shared photos needs the folder they are kept in")
    photos.delete_after_commit(session, folder, [i.photo_file for i in items if i.photo_file])
    for item in items:
        item.photo_file, item.photo_removed_at = None, now
    ids = ", ".join(f"#{i.id}" for i in items)
    record(session, account, "parents.photos_deleted", pupil, f"consent withdrawn: items {ids}")
    return len(items)
