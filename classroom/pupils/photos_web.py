"""The request's side of pupils' photo tiles (issue 17 item 3).

classroom.pupils.photos takes the folder and the school's date as arguments; this module,
part of the request layer, reads them from the app (its instance folder, its timezone) and the
clock, so views ask one line.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.localtime import local_today, school_zone
from classroom.pupils import photos
from classroom.pupils.models import Pupil


def photo_folder() -> Path:
    """This app's folder of pupils' photo tiles."""
    return photos.photo_dir(current_app.instance_path)


def shows_photo(session: Session, pupil: Pupil) -> bool:
    """Whether the pupil's tile shows their photo today (carers' consent in force)."""
    today = local_today(utcnow(), school_zone(current_app.config))
    return photos.shows_photo(session, pupil, today=today, folder=photo_folder())
