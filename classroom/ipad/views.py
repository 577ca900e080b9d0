"""The pupil's class iPad: start screen, tiles, picture password, home and Finished.

This is the shell a pupil lives in. It gathers lessons, symbols and worries onto one screen, so it
sits above them (docs/ARCHITECTURE.md); the people package (classroom/pupils) stays below them.
Its addresses are the ones class iPads have bookmarked and the installed app starts on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user

from classroom import policy
from classroom.db import get_session, keep, utcnow
from classroom.devices.models import Device
from classroom.devices.web import current_device, revoked_device
from classroom.errors import CSRF_RECOVERY, Invalid, Throttled, register_pupil_pages
from classroom.ipad import error_pages
from classroom.lessons import maps
from classroom.lessons.web import request_catalogue
from classroom.paging import ScreenPages
from classroom.policy import allow
from classroom.principals import Actor, PupilPrincipal
from classroom.pupils import photos_web, services
from classroom.pupils.models import Pupil
from classroom.symbols.web import override_layers
from classroom.web import client_ip, current_actor, school_today, sign_in_settings
from classroom.worries import services as worry_services

bp = Blueprint("ipad", __name__)


def _back_to(endpoint: str) -> Callable[[], ResponseReturnValue]:
    return lambda: redirect(url_for(endpoint))


CSRF_RECOVERY.update(
    {
        "ipad.tap_tile": _back_to("ipad.start"),
        "ipad.pictures": _back_to("ipad.start"),
        "ipad.finished": _back_to("ipad.home"),
    }
)
register_pupil_pages(error_pages.PAGES)


def _actor() -> Actor:
    return current_actor()


def _pupil() -> PupilPrincipal:
    principal = _actor()
    if not isinstance(principal, PupilPrincipal):
        abort(403)
    return principal


# --- The class iPad -------------------------------------------------------------------------


def _device_or_none() -> Device | None:
    return current_device()


def _revoked_here() -> ResponseReturnValue:
    """A tap on a class iPad revoked since its screen was shown (a tile, Back to a picture
    password): its start screen, which says in pictures to ask an adult. Any other browser has
    no tiles (403)."""
    if revoked_device() is None:
        abort(403)
    return redirect(url_for("ipad.start"), 303)


def _class_pupil(device: Device, pupil_id: int) -> Pupil:
    pupil = get_session().get(Pupil, pupil_id)
    if pupil is None or not policy.can_pupil_sign_in_on(pupil, device.class_id):
        abort(404)
    return pupil


@bp.get("/class-ipad")
@allow("class_ipad")
def start() -> ResponseReturnValue:
    """The class iPad's start screen: one big tile per pupil in the class."""
    device = _device_or_none()
    if device is None and revoked_device() is not None:
        # Revoked (lost, or moved on) while a pupil used it: their next tap lands here. Pictures
        # and "Ask an adult", and a worry saved on it still goes (the outbox is on this screen).
        return render_template("ipad/revoked.html"), 403
    if device is None:
        return render_template("pupils/not_enrolled.html"), 403
    # In the order of the names on the tiles (the name each answers to).
    pupils = sorted(
        (p for p in device.school_class.pupils if p.active), key=lambda p: p.called.casefold()
    )
    with_photo = {p.id for p in pupils if photos_web.shows_photo(get_session(), p)}
    return render_template("pupils/start.html", device=device, pupils=pupils, with_photo=with_photo)


@bp.post("/class-ipad/pupils/<int:pupil_id>")
@allow("class_ipad")
def tap_tile(pupil_id: int) -> ResponseReturnValue:
    """A pupil tapped their tile: sign in, or ask for their picture password first."""
    device = _device_or_none()
    if device is None:
        return _revoked_here()
    pupil = _class_pupil(device, pupil_id)
    if pupil.has_picture_password:
        session[PICKING] = pupil.id
        return redirect(url_for("ipad.pictures", pupil_id=pupil.id))
    return _sign_in(pupil, device)


# Whose picture password this iPad is asking for: the tile tapped last, until someone signs in
# or finishes (each clears the session). Back to an earlier pupil's picture screen finds it gone.
PICKING = "picture_password_for"


def _sign_in(pupil: Pupil, device: Device) -> ResponseReturnValue:
    db = get_session()
    new = services.sign_in_pupil(
        db, pupil, device, client_ip(), now=utcnow(), settings=sign_in_settings()
    )
    session.clear()
    principal = PupilPrincipal(pupil=pupil, device=device, session_id=new.row.id)
    principal.flask_login_id = new.token
    login_user(principal)
    return redirect(url_for("ipad.home"))


@bp.route("/class-ipad/pupils/<int:pupil_id>/pictures", methods=["GET", "POST"])
@allow("class_ipad")
def pictures(pupil_id: int) -> ResponseReturnValue:
    """Picture password: the pupil taps their pictures in order, one per tap."""
    device = _device_or_none()
    if device is None:
        return _revoked_here()
    pupil = _class_pupil(device, pupil_id)
    if not pupil.has_picture_password:
        return redirect(url_for("ipad.start"))
    if session.get(PICKING) != pupil.id:
        # Not the tile tapped last here (Back after Dev finished, say): the tiles, so the next
        # pupil's taps never count as Dev's wrong tries and lock Dev out.
        return redirect(url_for("ipad.start"), 303)
    if request.method == "GET":
        return _pictures_page(pupil, [])
    db = get_session()
    try:
        attempt = services.picture_step(
            pupil, request.form.get("chosen", ""), request.form.get("pick", "")
        )
        if not attempt.complete:
            return _pictures_page(pupil, attempt.chosen)
        if services.check_picture_password(
            db, pupil, device, attempt.chosen, now=utcnow(), settings=sign_in_settings()
        ):
            return _sign_in(pupil, device)
    except Throttled:
        keep(db)  # the refused try persists through the 429: it is what throttling counts
        return _pictures_page(pupil, [], "throttled"), 429
    except Invalid:
        return _pictures_page(pupil, []), 400
    keep(db)  # the failed try persists through the 401: it is what throttling counts
    return _pictures_page(pupil, [], "try_again"), 401


def _pictures_page(pupil: Pupil, chosen: list[str], problem: str = "") -> str:
    return render_template(
        "pupils/pictures.html",
        pupil=pupil,
        chosen=chosen,
        pictures=services.PICTURES,
        problem=problem,
    )


# --- Pupil pages ----------------------------------------------------------------------------


class Tile(NamedTuple):
    """A lesson tile on the pupil's home screen, as the cached screen shows it."""

    id: str
    title: str
    symbol: str


# The home screen's lessons: the next one big and two more, then six a page (ScreenPages).
HOME_PAGES = (3, 6)


@bp.get("/pupil/")
@allow("pupil")
def home() -> ResponseReturnValue:
    """The pupil's own start page."""
    principal = _pupil()
    db = get_session()
    news = worry_services.worry_news(db, principal.pupil)
    # The target lesson first, then as many as staff chose for this pupil (their pathway's
    # number when they have not chosen).
    planned = maps.next_first(db, principal.pupil, request_catalogue(), today=school_today())
    lessons = planned[: services.lessons_on_home(principal.pupil)]
    return render_template(
        "pupils/home.html",
        me=principal.pupil,
        news=news,
        tiles=tuple(Tile(p.lesson.id, p.lesson.title.text, p.lesson.symbol) for p in lessons),
        paging=ScreenPages.asked(HOME_PAGES, len(lessons), request.args.get("page", "")),
        layers=override_layers(db, principal.pupil),
    )


@bp.post("/pupil/worry-seen")
@allow("pupil")
def worry_seen() -> ResponseReturnValue:
    """The pupil tapped OK on "an adult has seen your worry": it is not shown again."""
    db = get_session()
    worry_services.mark_seen_message_told(db, _pupil().pupil, now=utcnow())
    return redirect(url_for("ipad.home"))


@bp.get("/class-ipad/pupils/<int:pupil_id>")
@allow("class_ipad")
def tile_again(pupil_id: int) -> ResponseReturnValue:  # noqa: ARG001 - any tile, same answer
    """A GET on a tile's address (Back, reload): the class tiles, never 405."""
    if _device_or_none() is None:
        return _revoked_here()  # only an enrolled class iPad has tiles
    return redirect(url_for("ipad.start"))


@bp.get("/pupil/finished")
@allow("class_ipad_any")
def finish_address() -> ResponseReturnValue:
    """A GET on Finished's address: the pupil's home if still signed in, else the tiles."""
    if _device_or_none() is None:
        return _revoked_here()  # only an enrolled class iPad has tiles
    signed_in = isinstance(_actor(), PupilPrincipal)
    return redirect(url_for("ipad.home" if signed_in else "ipad.start"))


@bp.post("/pupil/finished")
@allow("pupil")
def finished() -> ResponseReturnValue:
    """End the pupil's session and go back to the class tiles for the next pupil."""
    principal = _pupil()
    db = get_session()
    services.finish(db, principal.session_id, now=utcnow())
    logout_user()
    session.clear()
    return redirect(url_for("ipad.start"))
