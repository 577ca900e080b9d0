"""The school's rules: the headteacher's editor, the pupils' page and the classroom poster."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from classroom import policy
from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.errors import Invalid
from classroom.policy import allow
from classroom.principals import PupilPrincipal
from classroom.rules import services
from classroom.web import current_actor

bp = Blueprint("rules", __name__)
POSTER_SIZES = ("a4", "a3")


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


def _kept() -> list[tuple[str, str]]:
    """The rules to save: a rule ticked "Remove this rule" goes, words and picture together."""
    return [
        ("", "") if request.form.get(f"remove-{n}") else entry
        for n, entry in enumerate(_entries(), 1)
    ]


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
    try:
        services.replace(db, me, _kept(), now=utcnow(), seen=seen)
    except Invalid as problem:  # the page shows what was sent; the 400 rolls back
        return _editor(_entries(), seen or "", problem=problem), 400
    except services.Stale as stale:
        # Given back at the rules saved now, listed to compare: Save again replaces them.
        now_saved = services.shown(db, me.school_id)
        return _editor(
            _entries(), services.stamp(db, me.school_id), stale=stale.message, saved=now_saved
        ), 409
    return redirect(url_for("rules.index", saved=1))


def _editor(
    entries: list[tuple[str, str]],
    seen: str,
    *,
    problem: Invalid | None = None,
    stale: str | None = None,
    saved: list[services.ShownRule] | None = None,
) -> str:
    """The editor: the boxes as given, and the stamp of the rules they were written against."""
    return render_template(
        "rules/edit.html",
        entries=entries,
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
    return render_template("rules/pupil.html", rules=rows, me=actor.pupil)
