"""Pupil pages on class iPads, and the pupil pages staff and carers see."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user

from classroom import policy
from classroom.audit.services import record
from classroom.db import get_session, keep
from classroom.devices.models import Device
from classroom.devices.services import current_device
from classroom.errors import CSRF_RECOVERY, Invalid, Throttled, register_pupil_pages
from classroom.lessons import maps
from classroom.policy import allow
from classroom.principals import Actor, PupilPrincipal
from classroom.pupils import error_pages, photos, services
from classroom.pupils.forms import PupilSettingsForm
from classroom.pupils.models import CardChoosing, Pathway, Pupil, Scanning, SymbolSize
from classroom.symbols.cache import override_layers
from classroom.web import apply_form, client_ip, current_actor
from classroom.worries import services as worry_services

bp = Blueprint("pupils", __name__)


def _back_to(endpoint: str) -> Callable[[], ResponseReturnValue]:
    return lambda: redirect(url_for(endpoint))


CSRF_RECOVERY.update(
    {
        "pupils.tap_tile": _back_to("pupils.start"),
        "pupils.pictures": _back_to("pupils.start"),
        "pupils.finished": _back_to("pupils.home"),
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
    if device is None:
        return render_template("pupils/not_enrolled.html"), 403
    pupils = [p for p in device.school_class.pupils if p.active]
    with_photo = {p.id for p in pupils if photos.shows_photo(get_session(), p)}
    return render_template("pupils/start.html", device=device, pupils=pupils, with_photo=with_photo)


@bp.post("/class-ipad/pupils/<int:pupil_id>")
@allow("class_ipad")
def tap_tile(pupil_id: int) -> ResponseReturnValue:
    """A pupil tapped their tile: sign in, or ask for their picture password first."""
    device = _device_or_none()
    if device is None:
        abort(403)
    pupil = _class_pupil(device, pupil_id)
    if pupil.has_picture_password:
        return redirect(url_for("pupils.pictures", pupil_id=pupil.id))
    return _sign_in(pupil, device)


def _sign_in(pupil: Pupil, device: Device) -> ResponseReturnValue:
    db = get_session()
    new = services.sign_in_pupil(db, pupil, device, client_ip())
    session.clear()
    principal = PupilPrincipal(pupil=pupil, device=device, session_id=new.row.id)
    principal.flask_login_id = new.token
    login_user(principal)
    return redirect(url_for("pupils.home"))


@bp.route("/class-ipad/pupils/<int:pupil_id>/pictures", methods=["GET", "POST"])
@allow("class_ipad")
def pictures(pupil_id: int) -> ResponseReturnValue:
    """Picture password: the pupil taps their pictures in order, one per tap."""
    device = _device_or_none()
    if device is None:
        abort(403)
    pupil = _class_pupil(device, pupil_id)
    if not pupil.has_picture_password:
        return redirect(url_for("pupils.start"))
    if request.method == "GET":
        return _pictures_page(pupil, [])
    db = get_session()
    try:
        attempt = services.picture_step(
            pupil, request.form.get("chosen", ""), request.form.get("pick", "")
        )
        if not attempt.complete:
            return _pictures_page(pupil, attempt.chosen)
        if services.check_picture_password(db, pupil, device, attempt.chosen):
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


@bp.get("/pupil/")
@allow("pupil")
def home() -> ResponseReturnValue:
    """The pupil's own start page."""
    principal = _pupil()
    db = get_session()
    seen = worry_services.seen_message_due(db, principal.pupil)
    # The target lesson first, then as many as staff chose for this pupil (their pathway's
    # number when they have not chosen).
    lessons = maps.next_first(db, principal.pupil)[: services.lessons_on_home(principal.pupil)]
    return render_template(
        "pupils/home.html",
        me=principal.pupil,
        worry_seen=seen,
        lessons=lessons,
        layers=override_layers(db, principal.pupil),
    )


@bp.post("/pupil/worry-seen")
@allow("pupil")
def worry_seen() -> ResponseReturnValue:
    """The pupil tapped OK on "an adult has seen your worry": it is not shown again."""
    db = get_session()
    worry_services.mark_seen_message_told(db, _pupil().pupil)
    return redirect(url_for("pupils.home"))


@bp.get("/class-ipad/pupils/<int:pupil_id>")
@allow("class_ipad")
def tile_again(pupil_id: int) -> ResponseReturnValue:  # noqa: ARG001 - any tile, same answer
    """A GET on a tile's address (Back, reload): the class tiles, never 405."""
    if _device_or_none() is None:
        abort(403)  # only an enrolled class iPad has tiles
    return redirect(url_for("pupils.start"))


@bp.get("/pupil/finished")
@allow("class_ipad_any")
def finish_address() -> ResponseReturnValue:
    """A GET on Finished's address: the pupil's home if still signed in, else the tiles."""
    if _device_or_none() is None:
        abort(403)  # only an enrolled class iPad has tiles
    signed_in = isinstance(_actor(), PupilPrincipal)
    return redirect(url_for("pupils.home" if signed_in else "pupils.start"))


@bp.post("/pupil/finished")
@allow("pupil")
def finished() -> ResponseReturnValue:
    """End the pupil's session and go back to the class tiles for the next pupil."""
    principal = _pupil()
    db = get_session()
    services.finish(db, principal.session_id)
    logout_user()
    session.clear()
    return redirect(url_for("pupils.start"))


# --- Staff: pupils and their settings -------------------------------------------------------


@bp.get("/pupils/")
@allow("staff")
def dashboard() -> ResponseReturnValue:
    """Staff home: the classes and pupils this person may see, and their tools."""
    db = get_session()
    actor = _actor()
    classes = list(db.scalars(policy.visible_classes(actor)))
    visible = set(db.scalars(policy.visible_pupils(actor)))
    record(db, actor, "pupils.list_viewed", summary=f"{len(visible)} pupils")
    editable = {c.id for c in classes if policy.can_edit_class_map(db, actor, c)}
    return render_template(
        "pupils/dashboard.html", classes=classes, visible=visible, editable_classes=editable
    )


def _visible_pupil(pupil_id: int) -> Pupil:
    db = get_session()
    pupil = db.scalar(policy.visible_pupils(_actor()).where(Pupil.id == pupil_id))
    if pupil is None:
        abort(404)
    return pupil


@bp.get("/pupils/<int:pupil_id>")
@allow("view_pupils")
def detail(pupil_id: int) -> ResponseReturnValue:
    """One pupil's record: details, carers and settings (each view is audited)."""
    pupil = _visible_pupil(pupil_id)
    db = get_session()
    record(db, _actor(), "pupil.viewed", pupil)
    can_edit = policy.can_edit_pupil_settings(db, _actor(), pupil)
    return render_template(
        "pupils/detail.html",
        pupil=pupil,
        can_edit=can_edit,
        tiles=services.TILE_SYMBOLS,
        lessons_on_home=services.lessons_on_home,
    )


@bp.route("/pupils/<int:pupil_id>/settings", methods=["GET", "POST"])
@allow("edit_pupil_settings")
def settings(pupil_id: int) -> ResponseReturnValue:
    """Staff set the pupil's pathway, tile and accessibility settings."""
    pupil = _visible_pupil(pupil_id)
    db = get_session()
    if not policy.can_edit_pupil_settings(db, _actor(), pupil):
        abort(404)
    form = PupilSettingsForm(obj=pupil, lessons_on_home=_home_choice(pupil.home_lessons))
    if not form.validate_on_submit():
        record(db, _actor(), "pupil.settings_viewed", pupil)
        if form.errors:
            keep(db)  # the page shown again is an access too: its audit outlives the 400
        return _settings_page(pupil, form), 400 if form.errors else 200
    try:
        services.update_settings(db, _actor(), pupil, _settings_from(form, pupil))
    except Invalid as problem:
        getattr(form, problem.field or "pathway").errors.append(problem.message)
        return _settings_page(pupil, form), 400
    return redirect(url_for("pupils.detail", pupil_id=pupil.id, saved=1))


def _settings_from(form: PupilSettingsForm, pupil: Pupil) -> services.PupilSettings:
    return services.PupilSettings(
        pathway=Pathway(form.pathway.data),
        tile_symbol=form.tile_symbol.data,
        symbol_size=SymbolSize(form.symbol_size.data),
        speech_rate=int(form.speech_rate.data),
        auto_read=bool(form.auto_read.data),
        high_contrast=bool(form.high_contrast.data),
        reduced_motion=bool(form.reduced_motion.data),
        scanning=Scanning(form.scanning.data),
        scan_interval_ms=int(form.scan_interval_ms.data),
        auditory_scanning=bool(form.auditory_scanning.data),
        voice=form.voice.data or None,
        card_choosing=_card_choosing(form.card_choosing.raw_data, pupil.card_choosing),
        home_lessons=_home_lessons(form.lessons_on_home.raw_data, pupil.home_lessons),
    )


# A form from before these settings existed leaves them as they are; a bad value is a 400.
def _card_choosing(raw: list[str] | None, kept: CardChoosing) -> CardChoosing:
    if not raw:
        return kept
    try:
        return CardChoosing(raw[0])
    except ValueError:
        raise Invalid("Choose how a tap on an answer card works.", "card_choosing") from None


# "pathway" (None: as the pathway suggests), "all" (0) or a number of lessons.
def _home_choice(home_lessons: int | None) -> str:
    return "pathway" if home_lessons is None else str(home_lessons or "all")


def _home_lessons(raw: list[str] | None, kept: int | None) -> int | None:
    if not raw:
        return kept
    value = raw[0]
    if value == "pathway":
        return None
    if value == "all":
        return 0
    if value and value.isdigit() and value != "0":
        return int(value)  # the service checks the range
    raise Invalid("Choose how many lessons home shows from the list.", "lessons_on_home")


def _settings_page(pupil: Pupil, form: PupilSettingsForm) -> str:
    return render_template(
        "pupils/settings.html", pupil=pupil, form=form, pictures=services.PICTURES
    )


@bp.post("/pupils/<int:pupil_id>/picture-password")
@allow("edit_pupil_settings")
def picture_password(pupil_id: int) -> ResponseReturnValue:
    """Set (2-4 pictures in order) or remove a pupil's picture password."""
    pupil = _visible_pupil(pupil_id)
    db = get_session()
    chosen = [request.form.get(f"picture{i}", "") for i in range(1, 5)]
    try:
        services.set_picture_password(db, _actor(), pupil, [c for c in chosen if c])
    except PermissionError:
        abort(404)
    except Invalid as problem:
        form = PupilSettingsForm(obj=pupil)
        return render_template(
            "pupils/settings.html",
            pupil=pupil,
            form=form,
            pictures=services.PICTURES,
            picture_error=problem.message,
        ), 400
    return redirect(url_for("pupils.detail", pupil_id=pupil.id, saved=1))


# --- Parents and carers ---------------------------------------------------------------------


@bp.get("/family/")
@allow("parent")
def my_children() -> ResponseReturnValue:
    """A carer's home is their children's feeds (classroom.parents)."""
    return redirect(url_for("parents.home"))


# --- Sign-in photos -------------------------------------------------------------------------


@bp.post("/pupils/<int:pupil_id>/photo")
@allow("edit_pupil_settings")
def photo_upload(pupil_id: int) -> ResponseReturnValue:
    """Set or remove the photo on the pupil's sign-in tile (re-encoded; needs consent to show)."""
    pupil = _visible_pupil(pupil_id)
    db = get_session()
    upload = request.files.get("photo")
    data = None if request.form.get("remove") == "1" else (upload.read() if upload else b"")
    apply_form(
        lambda: photos.set_photo(db, _actor(), pupil, data),
        lambda message: (
            render_template(
                "pupils/settings.html",
                pupil=pupil,
                form=PupilSettingsForm(obj=pupil),
                pictures=services.PICTURES,
                photo_error=message,
            ),
            400,
        ),
        hide_refusal=True,
    )
    return redirect(url_for("pupils.detail", pupil_id=pupil.id, saved=1))


@bp.get("/pupils/<int:pupil_id>/photo.jpg")
@allow("public")
def photo(pupil_id: int) -> ResponseReturnValue:
    """The tile photo: for staff who may see the pupil, or the pupil's own class iPad."""
    db = get_session()
    pupil = db.get(Pupil, pupil_id)
    if pupil is None or not photos.shows_photo(db, pupil):
        abort(404)
    actor = _actor()
    if isinstance(actor, PupilPrincipal) and actor.pupil.id != pupil.id:
        abort(404)  # a signed-in pupil never reads another pupil's data, photos included
    device = current_device()
    on_class_ipad = device is not None and policy.can_pupil_sign_in_on(pupil, device.class_id)
    if not on_class_ipad and not policy.can_view_pupil(db, actor, pupil):
        abort(404)
    path = photos.path_for(pupil.photo_file)
    if path is None:
        abort(404)
    response = make_response(path.read_bytes())
    response.headers["Content-Type"] = "image/jpeg"
    return response
