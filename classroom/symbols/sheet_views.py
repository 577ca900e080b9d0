"""Contact sheets (word + picture) for staff to review and print, and flagged pictures."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from flask import Flask, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from classroom import policy
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.db import get_session, utcnow
from classroom.errors import Invalid, Refusal
from classroom.policy import allow
from classroom.symbols import sheets
from classroom.symbols.forms import LAYER_KEY
from classroom.symbols.models import SymbolFlag
from classroom.symbols.views import (
    Target,
    _layers_of,
    bp,
    listed_pupils,
    printing_targets,
)
from classroom.web import current_actor, not_theirs

PUPIL_KEY = re.compile(r"pupil-(\d{1,9})\Z")


def _actor() -> Account:
    actor = current_actor()
    if not isinstance(actor, Account):
        abort(403)
    return actor


class SheetLesson(NamedTuple):
    id: str
    title: str
    texts: list[str]  # every text a pupil sees in it, title first


# The lessons a member of staff may print come from lessons, a feature above symbols; the app
# factory hands the list in.
LESSONS_EXTENSION = "classroom.sheet_lessons"
LessonSource = Callable[[], list[SheetLesson]]


def register_lessons(app: Flask, source: LessonSource) -> None:
    app.extensions[LESSONS_EXTENSION] = source


@bp.get("/sheet")
@allow("staff")
def sheet() -> ResponseReturnValue:
    """The whole word list, or one lesson's pictured words, as a printable contact sheet: with
    the pictures pupils see, the school's choices, a class's or one pupil's (their own over
    their class's and the school's: their communication book, the strip on their desk)."""
    source: LessonSource = current_app.extensions[LESSONS_EXTENSION]
    found = source()
    lessons = [(lesson.id, lesson.title) for lesson in found]
    targets = printing_targets()
    target = _sheet_target(request.args.get("layer", "") or "school", targets)
    lesson_id = request.args.get("lesson", "")
    lesson = None
    if lesson_id:
        lesson = next((lesson for lesson in found if lesson.id == lesson_id), None)
        if lesson is None:
            abort(404)
    listed_pupils(targets, "the contact sheet")
    if target.pupil is not None:  # their own choices: personal data
        record(get_session(), _actor(), "symbols.pupil_choices_viewed", target.pupil, "sheet")
    layers = _layers_of(target)
    topics = (
        {lesson.title: sheets.text_sheet(lesson.texts, layers)}
        if lesson is not None
        else sheets.vocabulary_sheet(layers)
    )
    return _sheet_page(topics, lessons, lesson, targets, target)


def _sheet_target(layer: str, targets: list[Target]) -> Target:
    """The layer asked for, if the sheet offers it to this person. A pupil they may not see:
    404, audited as refused (`not_theirs`); anything else not offered (a class they do not
    see, a leaver): 404."""
    offered = next((t for t in targets if t.key == layer), None)
    if offered is None:
        pupil = PUPIL_KEY.fullmatch(layer)
        if pupil and policy.visible_pupil(get_session(), _actor(), int(pupil[1])) is None:
            not_theirs()
        abort(404)
    return offered


def _sheet_page(
    topics: dict[str, list[sheets.SheetRow]],
    lessons: list[tuple[str, str]],
    lesson: SheetLesson | None,
    targets: list[Target],
    target: Target,
) -> str:
    return render_template(
        "symbols/sheet.html",
        topics=topics,
        lessons=lessons,
        lesson=lesson,
        targets=targets,
        target=target,
        note_max=sheets.MAX_NOTE,
    )


@bp.post("/flags")
@allow("staff")
def flag() -> ResponseReturnValue:
    """Flag a picture as wrong for its word; it lands on the admin's list (audited)."""
    db = get_session()
    form = request.form
    try:
        sheets.flag_picture(
            db,
            _actor(),
            form.get("phrase", ""),
            form.get("symbol", ""),
            form.get("note", ""),
            now=utcnow(),
        )
    except Invalid as problem:  # the 400 rolls the request back
        # The flag as it was sent, to put right and send again: the note whole, however long.
        page = render_template(
            "symbols/flag_problem.html",
            message=problem.message,
            field=problem.field,
            note_max=sheets.MAX_NOTE,
        )
        return page, 400
    lesson, layer = form.get("lesson", ""), form.get("layer", "")
    layer = layer if LAYER_KEY.fullmatch(layer) and layer != "school" else ""
    return redirect(url_for("symbols.sheet", lesson=lesson or None, layer=layer or None, flagged=1))


@bp.get("/flags")
@allow("manage_accounts")
def flags() -> ResponseReturnValue:
    """The admin's list of flagged pictures not yet dealt with."""
    try:
        rows = sheets.open_flags(get_session(), _actor())
    except Refusal:
        abort(403)
    return render_template("symbols/flags.html", flags=rows)


@bp.post("/flags/<int:flag_id>/resolve")
@allow("manage_accounts")
def resolve(flag_id: int) -> ResponseReturnValue:
    """Mark a flagged picture dealt with."""
    db = get_session()
    row = db.get(SymbolFlag, flag_id)
    if row is None or row.school_id != _actor().school_id:
        abort(404)
    sheets.resolve_flag(db, _actor(), row, now=utcnow())
    return redirect(url_for("symbols.flags", resolved=1, _anchor="saved"))  # the note, focused
