"""The lesson catalogue of whoever is signed in, worked out once per request.

The request layer's part of `maps.catalogue` (issue 17): it reads who is asking and the app's
lesson files and per-worker cache, memoises the answer in `g`, and hands it to the services.
"""

from __future__ import annotations

from flask import current_app, g

from classroom.db import get_session
from classroom.lessons import maps
from classroom.lessons.content import Catalogue
from classroom.principals import PupilPrincipal
from classroom.web import current_actor

SCHOOL_CATALOGUES_EXTENSION = "school_catalogues"  # each school's catalogue, per worker


def request_catalogue() -> Catalogue:
    """The signed-in person's school's lessons: the files, then its shared teacher lessons.

    Someone with no school (signed out) sees the lesson files only.
    """
    if "lesson_catalogue" not in g:
        files: Catalogue = current_app.extensions["lessons"]
        school_id = _request_school()
        g.lesson_catalogue = (
            maps.school_catalogue(get_session(), files, school_id, _built()) if school_id else files
        )
    lessons: Catalogue = g.lesson_catalogue
    return lessons


def _built() -> dict[int, tuple[maps.Stamps, Catalogue]]:
    built: dict[int, tuple[maps.Stamps, Catalogue]] = current_app.extensions.setdefault(
        SCHOOL_CATALOGUES_EXTENSION, {}
    )
    return built


def _request_school() -> int | None:
    actor = current_actor()
    if isinstance(actor, PupilPrincipal):
        return actor.pupil.school_id
    school_id = getattr(actor, "school_id", None)
    return school_id if isinstance(school_id, int) else None
