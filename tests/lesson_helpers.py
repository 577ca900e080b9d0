"""The lesson catalogue a test hands the lesson services (issue 17: services take it).

Pages get theirs from `classroom.lessons.web.request_catalogue()`; a test calling a service
directly, inside the app context, gets what a CLI command would: the lesson files and every
school's shared teacher lessons.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from classroom.lessons import maps
from classroom.lessons.content import Catalogue


def all_lessons(session: Session) -> Catalogue:
    files: Catalogue = current_app.extensions["lessons"]
    return maps.catalogue(session, files)
