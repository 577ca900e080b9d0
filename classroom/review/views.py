"""Review pages (anonymised) and the DSL's encrypted export."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Protocol

from flask import Blueprint, Flask, abort, current_app, render_template, request, send_file
from flask.typing import ResponseReturnValue
from sqlalchemy import orm

from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.db import get_session, utcnow
from classroom.errors import Invalid
from classroom.policy import allow
from classroom.review import disclosure, services
from classroom.web import current_actor, school_today, school_zone

bp = Blueprint("review", __name__, url_prefix="/safeguarding/review")


# Carers as the school's records name them in words: who gave photo consent, whom an invite
# code is for. Parents (a feature above the review) keeps them and the app factory hands them
# in. No empty default: a review missing them would show governors a carer's name.
CARERS_EXTENSION = "classroom.review_carers_named"


class CarersNamed(Protocol):
    def __call__(self, session: orm.Session, school_id: int) -> list[str]: ...


def register_carers_named(app: Flask, source: CarersNamed) -> None:
    """Let `source(session, school_id)` give the carers named in words, in one read."""
    app.extensions[CARERS_EXTENSION] = source


def _account() -> Account:
    actor = current_actor()
    if not isinstance(actor, Account):
        abort(403)
    return actor


def _periods() -> tuple[services.Period, services.Period, list[services.Period]]:
    """The period asked for (this academic year, or the term holding ?term=YYYY-MM-DD, any day
    in it), its academic year and that year's terms."""
    day_text = request.args.get("term", "")
    try:
        day = date.fromisoformat(day_text[:10]) if day_text else school_today()
        period = services.term_of(day) if day_text else services.academic_year_of(day)
        # The terms offered are those of the academic year the page names, not the calendar
        # year's. A day in January of year 1 has no academic year before it: a 400, not a 500.
        year = services.academic_year_of(period.start)
        return period, year, services.terms_of_year(year)
    except ValueError:
        abort(400)


def _page(template: str) -> ResponseReturnValue:
    period, year, terms = _periods()
    db = get_session()
    reader = _account()
    school, now, zone = reader.school_id, utcnow(), school_zone()
    carers: CarersNamed = current_app.extensions[CARERS_EXTENSION]
    year_review, *term_reviews = services.build_all(
        db,
        school,
        [year, *terms],
        now=now,
        zone=zone,
        carers=carers(db, school),
        reader=reader,
        # the re-alert ladder's first rung is the school's target for acknowledging a worry
        ack_minutes=int(current_app.config["WORRY_ACK_MINUTES"]),
    )
    record(db, current_actor(), "incidents.reviewed", summary=period.label)
    # Small counts suppressed for every reader, the year and its terms together.
    pages = disclosure.publish(year_review, term_reviews)
    # The autumn meeting reviews the summer term just ended: offer the term before this year.
    earlier = services.term_of(year.start - timedelta(days=1))
    return render_template(template, review=pages[period], year=year, terms=terms, earlier=earlier)


@bp.get("/")
@allow("review_incidents")
def index() -> ResponseReturnValue:
    """Trends by category, month and pathway, response times, overdue actions, lessons learnt."""
    return _page("review/index.html")


@bp.get("/termly")
@allow("review_incidents")
def termly() -> ResponseReturnValue:
    """A printable summary for governors: of the term holding ?term, or without it of this
    school year (the year's review page links here so)."""
    return _page("review/termly.html")


@bp.route("/export", methods=["GET", "POST"])
@allow("export_incident_log")
def export() -> ResponseReturnValue:
    """The full log for the DSL, AES-256 encrypted with a passphrase they choose."""
    if request.method == "GET":
        return render_template("review/export.html")
    passphrase = request.form.get("passphrase", "")
    if passphrase != request.form.get("confirm", ""):
        return render_template("review/export.html", error="The passphrases do not match."), 400
    db = get_session()
    try:
        data = services.encrypted_export(
            db, current_actor(), passphrase, now=utcnow(), zone=school_zone()
        )
    except Invalid as problem:
        return render_template("review/export.html", error=problem.message), 400
    record(db, current_actor(), "incidents.exported", summary="AES-256 zip")
    name = f"incident-log-{school_today():%Y-%m-%d}.zip"
    return send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name
    )
