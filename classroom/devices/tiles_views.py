"""The page where staff say how a class's tiles screen is scanned (classroom/devices/tiles.py)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import BooleanField

from classroom import policy
from classroom.audit.services import record
from classroom.db import get_session, keep
from classroom.devices import tiles
from classroom.errors import Invalid
from classroom.forms import Form, SelectField
from classroom.policy import allow
from classroom.pupils.models import SchoolClass
from classroom.web import current_actor

bp = Blueprint("tiles", __name__)


class TilesScanningForm(Form):
    scanning = SelectField("Switch scanning on the tiles screen", choices=tiles.MODES)
    seconds = SelectField(
        "One switch: seconds on each name",
        choices={s: f"{s} second" if s == "1" else f"{s} seconds" for s in tiles.SECONDS},
        description="How long the highlight stays on each name before it moves on.",
    )
    auditory_scanning = BooleanField("Say each name aloud as the highlight reaches it")


def _class(class_id: int) -> SchoolClass:
    found = get_session().scalar(
        policy.visible_ipad_classes(current_actor()).where(SchoolClass.id == class_id)
    )
    if found is None:
        abort(404)
    return found


@bp.route("/class-ipads/classes/<int:class_id>/tiles", methods=["GET", "POST"])
@allow("manage_class_ipads")
def settings(class_id: int) -> ResponseReturnValue:
    """How the class's iPads scan their tiles screen, beside the pupils who use switches."""
    school_class = _class(class_id)
    db = get_session()
    now = tiles.shown(school_class)
    form = TilesScanningForm(
        data={
            "scanning": now.scanning.value,
            "seconds": tiles.seconds_choice(now.interval_ms),
            "auditory_scanning": now.auditory,
        }
    )
    if form.validate_on_submit():
        try:
            new = tiles.asked(
                form.scanning.data, form.seconds.data, bool(form.auditory_scanning.data)
            )
            tiles.change(db, current_actor(), school_class, new)
            return redirect(url_for("tiles.settings", class_id=class_id, saved=1), 303)
        except Invalid as problem:
            getattr(form, problem.field or "scanning").errors.append(problem.message)
    # The page names the class's switch users and their settings: an access to pupils' records.
    record(db, current_actor(), "class.tiles_viewed", school_class, school_class.name)
    if form.errors:
        keep(db)  # the page shown again is an access too: its audit outlives the 400
    page = render_template(
        "devices/tiles.html",
        school_class=school_class,
        form=form,
        switch_users=tiles.switch_users(school_class),
        saved=request.args.get("saved") == "1" and not form.errors,
        modes=tiles.MODES,
    )
    return page, 400 if form.errors else 200
