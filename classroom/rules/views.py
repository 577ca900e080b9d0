"""The school's rules: the headteacher's editor, the pupils' page and the classroom poster."""

from __future__ import annotations

import re

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from classroom import policy
from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.errors import Invalid
from classroom.paging import ScreenPages
from classroom.policy import allow
from classroom.principals import PupilPrincipal
from classroom.rules import services
from classroom.web import current_actor

bp = Blueprint("rules", __name__)
POSTER_SIZES = ("a4", "a3")
MOVE = re.compile(r"(up|down)-(\d{1,2})")


PUPIL_PAGES = (1, 1)  # Our rules for pupils: one rule a screen (paging.ScreenPages)


def _account() -> Account:
    actor = current_actor()
    if not isinstance(actor, Account):
        abort(403)
    return actor


@bp.get("/rules/")
@allow("staff")
def index() -> ResponseReturnValue:
    """The rules as pupils see them, with posters to print."""
    me = _account()
    return render_template(
        "rules/index.html",
        rules=services.shown(get_session(), me.school_id),
        can_edit=policy.can_edit_school_rules(me, me.school_id),
        sizes=POSTER_SIZES,
    )


def _entries() -> list[tuple[str, str]]:
    """The rules as sent, whole: one over its limit is refused and shown back as typed."""
    form = request.form
    return [
        (form.get(f"rule-{n}", ""), form.get(f"symbol-{n}", ""))
        for n in range(1, services.MAX_RULES + 1)
    ]


def _removing() -> set[int]:
    """The rules ticked "Remove this rule when I save", by box number."""
    return {n for n in range(1, services.MAX_RULES + 1) if request.form.get(f"remove-{n}")}


def _kept() -> list[tuple[str, str]]:
    """The rules to save: a rule ticked "Remove this rule" goes, words and picture together."""
    removing = _removing()
    return [("", "") if n in removing else entry for n, entry in enumerate(_entries(), 1)]


def _moving(move: str, seen: str) -> ResponseReturnValue:
    """The editor again with one rule swapped with the one above or below it, as typed and
    with its tick: nothing is saved until Save, so a head can try an order and then Cancel."""
    found = MOVE.fullmatch(move)
    if found is None:
        abort(400)
    way, number = found.group(1), int(found.group(2))
    other = number - 1 if way == "up" else number + 1
    if not (1 <= number <= services.MAX_RULES and 1 <= other <= services.MAX_RULES):
        abort(400)
    entries, removing = _entries(), _removing()
    entries[number - 1], entries[other - 1] = entries[other - 1], entries[number - 1]
    ticked = {number, other} & removing
    removing = (removing - {number, other}) | {number + other - n for n in ticked}
    moved = f"Rule {number} is now rule {other}. Save the rules to keep this order."
    return _editor(entries, seen, removing=removing, moved=(other, way, moved))


@bp.route("/rules/edit", methods=["GET", "POST"])
@allow("edit_school_rules")
def edit() -> ResponseReturnValue:
    """Write the rules: a short list of plain rules, each with an optional symbol."""
    me, db = _account(), get_session()
    if request.method == "GET":
        rows = services.rules(db, me.school_id)
        entries = [(r.text, r.symbol or "") for r in rows]
        return _editor(entries, services.stamp(db, me.school_id))
    seen = request.form.get("seen") or None  # None: a form from before the stamp, unchecked
    move = request.form.get("move")
    if move is not None:
        return _moving(move, seen or "")
    try:
        services.replace(db, me, _kept(), now=utcnow(), seen=seen)
    except Invalid as problem:  # the page shows what was sent; the 400 rolls back
        return _editor(_entries(), seen or "", removing=_removing(), problem=problem), 400
    except services.Stale as stale:
        # Given back at the rules saved now, listed to compare: Save again replaces them.
        now_saved = services.shown(db, me.school_id)
        stamp = services.stamp(db, me.school_id)
        return _editor(
            _entries(), stamp, removing=_removing(), stale=stale.message, saved=now_saved
        ), 409
    return redirect(url_for("rules.index", saved=1))


def _editor(
    entries: list[tuple[str, str]],
    seen: str,
    *,
    removing: set[int] | None = None,
    moved: tuple[int, str, str] | None = None,
    problem: Invalid | None = None,
    stale: str | None = None,
    saved: list[services.ShownRule] | None = None,
) -> str:
    """The editor: the boxes as given, and the stamp of the rules they were written against.
    `moved`: the box a rule was just moved to, which way, and the words saying so."""
    return render_template(
        "rules/edit.html",
        entries=entries,
        removing=removing or set(),
        moved=moved,
        seen=seen,
        slots=services.MAX_RULES,
        rule_max=services.MAX_LENGTH,
        problem=problem,
        stale=stale,
        saved=saved or [],
    )


@bp.get("/rules/poster/<size>")
@allow("staff")
def poster(size: str) -> ResponseReturnValue:
    """A poster for a classroom wall: large symbols, one rule a line, A4 or A3."""
    if size not in POSTER_SIZES:
        abort(404)
    me = _account()
    return render_template(
        "rules/poster.html", rules=services.shown(get_session(), me.school_id), size=size
    )


@bp.get("/pupil/rules")
@allow("pupil")
def pupil() -> ResponseReturnValue:
    """Our rules, for pupils: each with a big picture, every word symbolised and spoken."""
    actor = current_actor()
    if not isinstance(actor, PupilPrincipal):
        abort(403)
    rows = services.shown(get_session(), actor.pupil.school_id)
    paging = ScreenPages.asked(PUPIL_PAGES, len(rows), request.args.get("page", ""))
    return render_template("rules/pupil.html", rules=rows, me=actor.pupil, paging=paging)
