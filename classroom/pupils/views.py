"""The pupil pages staff and carers see; a pupil's own class iPad screens are classroom/ipad."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from classroom import policy
from classroom.audit.services import record
from classroom.db import get_session, keep, utcnow
from classroom.devices.web import current_device
from classroom.errors import Invalid, Refusal
from classroom.policy import allow
from classroom.principals import Actor, PupilPrincipal
from classroom.pupils import photos, photos_web, services
from classroom.pupils.forms import LEFT_THE_SCHOOL, LeavingForm, PupilSettingsForm, left_note
from classroom.pupils.models import CardChoosing, Pathway, Pupil, Scanning, SymbolSize
from classroom.speech.services import voice_choices
from classroom.speech.web import current_synthesiser
from classroom.web import apply_form, current_actor, not_theirs, school_today

bp = Blueprint("pupils", __name__)


def _actor() -> Actor:
    return current_actor()


# --- Staff: pupils and their settings -------------------------------------------------------


@bp.get("/pupils/")
@allow("staff")
def dashboard() -> ResponseReturnValue:
    """Staff home: the classes and pupils this person may see, and their tools."""
    db = get_session()
    actor = _actor()
    classes = services.staff_home(db, actor)
    shown = sum(len(c.pupils) + len(c.left) for c in classes)
    record(db, actor, "pupils.list_viewed", summary=f"{shown} pupils")
    return render_template(
        "pupils/dashboard.html", classes=classes, left_heading=LEFT_THE_SCHOOL, left_note=left_note
    )


def _visible_pupil(pupil_id: int) -> Pupil:
    db = get_session()
    pupil = policy.visible_pupil(db, _actor(), pupil_id)
    if pupil is None:
        not_theirs()
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
        can_record_leaving=services.may_record_leaving(db, _actor(), pupil),
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
    if not pupil.active:
        return _left_settings_page(pupil)
    voices = voice_choices(current_synthesiser())
    form = PupilSettingsForm(
        obj=pupil, lessons_on_home=_home_choice(pupil.home_lessons), voices=voices
    )
    if not form.validate_on_submit():
        record(db, _actor(), "pupil.settings_viewed", pupil)
        if form.errors:
            keep(db)  # the page shown again is an access too: its audit outlives the 400
        return _settings_page(pupil, form), 400 if form.errors else 200
    try:
        services.update_settings(db, _actor(), pupil, _settings_from(form, pupil), voices)
    except Invalid as problem:
        getattr(form, problem.field or "pathway").errors.append(problem.message)
        return _settings_page(pupil, form), 400
    return redirect(url_for("pupils.detail", pupil_id=pupil.id, saved=1))


def _left_settings_page(pupil: Pupil) -> ResponseReturnValue:
    """A leaver's settings, read-only; a change sent from an older page is refused (409)."""
    db = get_session()
    record(db, _actor(), "pupil.settings_viewed", pupil)
    refused = request.method == "POST"
    if refused:
        keep(db)  # the page shown is an access too: its audit outlives the 409
    form = PupilSettingsForm(
        obj=pupil,
        formdata=None,
        lessons_on_home=_home_choice(pupil.home_lessons),
        voices=voice_choices(current_synthesiser()),
    )
    page = render_template(
        "pupils/settings.html",
        pupil=pupil,
        shown=_in_words(form),
        left=services.left_settings(pupil),
        refused=refused,
    )
    return page, 409 if refused else 200


def _left_and_editable(pupil: Pupil) -> bool:
    """A leaver whose settings this person could change if the pupil were at the school (the
    rest are refused by the service, as before)."""
    return not pupil.active and policy.can_edit_pupil_settings(get_session(), _actor(), pupil)


def _in_words(form: PupilSettingsForm) -> list[tuple[str, str]]:
    """Each setting's name and its value as the form would show it chosen."""
    shown = []
    for field in form:
        if field.type == "BooleanField":
            value = "Yes" if field.data else "No"
        elif field.type == "SelectField":
            chosen = [str(label) for _v, label, selected, *_ in field.iter_choices() if selected]
            value = chosen[0] if chosen else str(field.data)
        elif field.type == "IntegerField":
            value = str(field.data)
        elif field.type == "StringField":
            value = field.data or "Not set"
        else:
            continue  # the form's CSRF token
        shown.append((str(field.label.text), value))
    return shown


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
        # A page from before the box existed leaves the name as it is.
        known_as=form.known_as.data if form.known_as.raw_data else pupil.known_as,
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
    # A photo kept while the carers' consent is not in force is not shown on the tile: staff
    # are told so, as it is theirs to remove once it will not be used again.
    hidden = bool(pupil.photo_file) and not photos_web.shows_photo(get_session(), pupil)
    return render_template(
        "pupils/settings.html",
        pupil=pupil,
        form=form,
        pictures=services.PICTURES,
        photo_hidden=hidden,
        # Classmates whose tiles show this pupil's name too: staff are told how to fix it.
        also_called=services.also_called(get_session(), pupil),
        tell_apart=services.name_to_tell_apart(get_session(), pupil),
        names_in_words=services.names_in_words,
    )


@bp.post("/pupils/<int:pupil_id>/picture-password")
@allow("edit_pupil_settings")
def picture_password(pupil_id: int) -> ResponseReturnValue:
    """Set (2-4 pictures in order) or remove a pupil's picture password."""
    pupil = _visible_pupil(pupil_id)
    db = get_session()
    if _left_and_editable(pupil):
        return _left_settings_page(pupil)
    chosen = [request.form.get(f"picture{i}", "") for i in range(1, 5)]
    try:
        services.set_picture_password(db, _actor(), pupil, [c for c in chosen if c])
    except Refusal:
        not_theirs()
    except Invalid as problem:
        form = PupilSettingsForm(obj=pupil, voices=voice_choices(current_synthesiser()))
        return render_template(
            "pupils/settings.html",
            pupil=pupil,
            form=form,
            pictures=services.PICTURES,
            picture_error=problem.message,
        ), 400
    return redirect(url_for("pupils.detail", pupil_id=pupil.id, saved=1))


# --- Leaving the school and coming back ------------------------------------------------------


@bp.route("/pupils/<int:pupil_id>/leaving", methods=["GET", "POST"])
@allow("view_pupils")
def leaving(pupil_id: int) -> ResponseReturnValue:
    """Confirm that a pupil has left the school, or is back at it; the GET changes nothing."""
    pupil = _visible_pupil(pupil_id)
    db = get_session()
    if not services.may_record_leaving(db, _actor(), pupil):
        not_theirs()  # class staff see the pupil, but leaving is the office's to record
    form = LeavingForm(pupil_active=pupil.active, first_name=pupil.first_name)
    if request.method == "GET":
        return _leaving_page(pupil, form)
    done = apply_form(
        lambda: _record_answer(pupil, form.answer.data),
        lambda _message: (_leaving_page(pupil, form), 400),
        form,
        "answer",
    )
    flag: dict[str, Any] = {done: 1} if done else {}  # the page then says what was recorded
    return redirect(url_for("pupils.detail", pupil_id=pupil.id, **flag))


def _record_answer(pupil: Pupil, answer: str | None) -> str | None:
    """Make the change the answer asks for; which one it was (None: nothing changed)."""
    db = get_session()
    if answer == "left":
        base_url = str(current_app.config["BASE_URL"])
        services.record_leaving(
            db, _actor(), pupil, today=school_today(), now=utcnow(), base_url=base_url
        )
    elif answer == "back":
        services.record_return(db, _actor(), pupil, today=school_today())
    elif answer != "stay":
        raise Invalid("Choose yes or no.", "answer")
    return None if answer == "stay" else answer


def _leaving_page(pupil: Pupil, form: LeavingForm) -> str:
    return render_template("pupils/leaving.html", pupil=pupil, form=form)


# --- Parents and carers ---------------------------------------------------------------------


@bp.get("/family/")
@allow("parent")
def my_children() -> ResponseReturnValue:
    """A carer's home is their children's feeds (classroom.parents)."""
    # A password just changed: said on the page she lands on.
    said: dict[str, Any] = {"changed": 1} if request.args.get("changed") else {}
    return redirect(url_for("parents.home", **said))


# --- Sign-in photos -------------------------------------------------------------------------


@bp.post("/pupils/<int:pupil_id>/photo")
@allow("edit_pupil_settings")
def photo_upload(pupil_id: int) -> ResponseReturnValue:
    """Set or remove the photo on the pupil's sign-in tile (re-encoded; needs consent to show)."""
    pupil = _visible_pupil(pupil_id)
    db = get_session()
    upload = request.files.get("photo")
    data = None if request.form.get("remove") == "1" else (upload.read() if upload else b"")
    if data is not None and _left_and_editable(pupil):
        return _left_settings_page(pupil)  # a leaver's photo may be taken away, not replaced
    apply_form(
        lambda: photos.set_photo(db, _actor(), pupil, data, photos_web.photo_folder()),
        lambda message: (
            render_template(
                "pupils/settings.html",
                pupil=pupil,
                form=PupilSettingsForm(obj=pupil, voices=voice_choices(current_synthesiser())),
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
    if pupil is None or not photos_web.shows_photo(db, pupil):
        abort(404)
    actor = _actor()
    if isinstance(actor, PupilPrincipal) and actor.pupil.id != pupil.id:
        abort(404)  # a signed-in pupil never reads another pupil's data, photos included
    device = current_device()
    on_class_ipad = device is not None and policy.can_pupil_sign_in_on(pupil, device.class_id)
    if not on_class_ipad and not policy.can_view_pupil(db, actor, pupil):
        abort(404)
    path = photos.path_for(pupil.photo_file, photos_web.photo_folder())
    if path is None:
        abort(404)
    response = make_response(path.read_bytes())
    response.headers["Content-Type"] = "image/jpeg"
    return response
