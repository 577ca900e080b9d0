"""Turning iPads into class iPads, listing and revoking them."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from classroom import policy
from classroom.accounts.models import Account
from classroom.db import get_session, keep, utcnow
from classroom.devices import services, web
from classroom.devices.models import Device, DeviceEnrolment
from classroom.errors import Invalid
from classroom.policy import allow
from classroom.principals import Actor
from classroom.pupils.models import SchoolClass
from classroom.web import current_actor, whole_number

bp = Blueprint("devices", __name__)


def _actor() -> Actor:
    return current_actor()


def _chosen_class(form: str) -> SchoolClass | ResponseReturnValue:
    """The class picked in the form, or the page again saying to pick one: with more than one
    class the menu starts on none, so an iPad never lands in a class nobody chose."""
    class_id = request.form.get("class_id", type=whole_number)
    if class_id is None:
        refused = _refused(form, "class")
        return _page(400, error="Choose the class this iPad is for.", refused=refused)
    return _manageable_class(class_id)


def _manageable_class(class_id: int) -> SchoolClass:
    found = get_session().scalar(
        policy.visible_ipad_classes(_actor()).where(SchoolClass.id == class_id)
    )
    if found is None:
        abort(404)
    return found


def _page(status: int = 200, **extra: object) -> ResponseReturnValue:
    db = get_session()
    classes = list(db.scalars(policy.visible_ipad_classes(_actor())))
    devices = services.visible_devices(db, _actor())
    revoked_id = extra.pop("revoked_id", None)
    this_device, elsewhere = _this_ipad()
    return render_template(
        "devices/list.html",
        classes=classes,
        devices=devices,
        moves=services.moves(db, devices),
        revoked=next((d for d in devices if d.id == revoked_id and not d.active), None),
        this_device=this_device,
        this_device_elsewhere=elsewhere,
        name_max=services.NAME_LENGTH,
        **({"refused": {}, "error": None} | extra),
    ), status


def _this_ipad() -> tuple[Device | None, bool]:
    """The class iPad in the staff member's hands when it is one of their school's (the page
    names it), and whether it is another school's (on a server of several schools): that one is
    never named to this school's staff, only said to be elsewhere."""
    device, actor = web.current_device(), _actor()
    if device is None:
        return None, False
    if isinstance(actor, Account) and device.school_class.school_id == actor.school_id:
        return device, False
    return None, True


@bp.get("/class-ipads/")
@allow("manage_class_ipads")
def index() -> ResponseReturnValue:
    """Class iPads this person looks after, and how to enrol another (`revoked`: the one just
    revoked, named in the message)."""
    revoked_id = request.args.get("revoked", type=whole_number)
    return _page(revoked_id=revoked_id)


@bp.post("/class-ipads/enrol-this")
@allow("manage_class_ipads")
def enrol_this() -> ResponseReturnValue:
    """Make the iPad in the staff member's hands a class iPad (it then shows the class tiles)."""
    school_class = _chosen_class("enrol")
    if not isinstance(school_class, SchoolClass):
        return school_class
    db = get_session()
    try:
        name = services.clean_device_name(request.form.get("name", ""))
    except Invalid as problem:
        return _page(400, error=problem.message, refused=_refused("enrol"))
    taken = services.taken_from(web.current_device(), school_class)
    if taken is not None and request.form.get("take_from") != str(taken.id):
        return _ask_before_taking(taken, school_class, name)
    _device, token = services.enrol_directly(
        db, _actor(), school_class, name, now=utcnow(), replacing=web.current_device()
    )
    response = redirect(url_for("devices.index", enrolled=1))
    web.set_device_cookie(response, token)
    return response


def _ask_before_taking(taken: Device, school_class: SchoolClass, name: str) -> str:
    """This iPad is another class's: say so and ask, as staff would before taking it from
    that class (its pupils lose their tiles on it). The answer names the iPad it was."""
    return render_template(
        "devices/take.html",
        taken=taken,
        school_class=school_class,
        name=name,
        same_school=services.same_school(taken, school_class),
    )


@bp.post("/class-ipads/links")
@allow("manage_class_ipads")
def create_link() -> ResponseReturnValue:
    """A one-time link to open on another iPad (the way a technician sets up many)."""
    school_class = _chosen_class("link")
    if not isinstance(school_class, SchoolClass):
        return school_class
    db = get_session()
    try:
        code = services.create_enrolment_link(
            db,
            _actor(),
            school_class,
            request.form.get("name", ""),
            now=utcnow(),
            link_hours=web.link_hours(),
        )
    except Invalid as problem:
        return _page(400, error=problem.message, refused=_refused("link"))
    return _page(201, new_link=web.enrolment_url(code), new_link_class=school_class)


def _refused(form: str, box: str = "name") -> dict[str, str]:
    """The refused form ("enrol" or "link"), its box at fault ("name" or "class") and what was
    typed in it, to give back whole."""
    return {
        "form": form,
        "field": f"{form}-{box}",
        "class_id": request.form.get("class_id", ""),
        "name": request.form.get("name", ""),
    }


def _manageable_device(device_id: int) -> Device:
    device = get_session().get(Device, device_id)
    if device is None:
        abort(404)
    _manageable_class(device.class_id)
    return device


@bp.get("/class-ipads/<int:device_id>/revoke")
@allow("manage_class_ipads")
def ask_before_revoking(device_id: int) -> ResponseReturnValue:
    """Ask first: revoking signs a pupil out at once, and only re-enrolling undoes it."""
    device = _manageable_device(device_id)
    if not device.active:
        return redirect(url_for("devices.index"))
    return render_template("devices/revoke.html", device=device)


@bp.post("/class-ipads/<int:device_id>/revoke")
@allow("manage_class_ipads")
def revoke(device_id: int) -> ResponseReturnValue:
    """Stop an iPad being a class iPad; a pupil signed in on it is signed out."""
    device = _manageable_device(device_id)
    services.revoke(get_session(), _actor(), device, now=utcnow())
    return redirect(url_for("devices.index", revoked=device.id))


def _confirm_link(link: DeviceEnrolment, taken: Device | None, unanswered: str = "") -> str:
    """The link's question; on an iPad that is another class's, it says whose it is now and
    asks (`unanswered`: why a POST without the answer was refused, shown above the question)."""
    return render_template(
        "devices/enrol.html",
        link=link,
        taken=taken,
        same_school=taken is not None and services.same_school(taken, link.school_class),
        unanswered=unanswered,
    )


def _unanswered(link: DeviceEnrolment, taken: Device) -> str:
    """Why an enrolment link's POST on another class's iPad was refused: nobody chose to take
    it (the page's button sends `take_from`; "Keep it" sends nothing)."""
    keep = (
        taken.school_class.name
        if services.same_school(taken, link.school_class)
        else "that school"
    )
    return (
        f"Nothing has changed: this iPad is still {keep}'s. Choose one: "
        f"Make it {link.school_class.name}'s, or Keep it {keep}'s."
    )


@bp.route("/ipad/enrol/<code>", methods=["GET", "POST"])
@allow("public")
def enrol(code: str) -> ResponseReturnValue:
    """Open an enrolment link on an iPad: confirm, then it becomes that class's iPad. On an
    iPad that is another class's, the POST enrols only with the page's answer (`take_from`,
    as "Make this a class iPad" asks): without it, the question again (409), nothing changed."""
    db, now = get_session(), utcnow()
    if services.enrolled_here(db, code[:64], web.current_device()):
        # Opened again on the iPad it enrolled (a second tap, Back, the link kept open): this
        # iPad is that class iPad already, so its tiles, not "ask for a new link".
        return redirect(url_for("ipad.start"))
    try:
        link = services.find_enrolment(db, code[:64], now=now)
        taken = services.taken_from(web.current_device(), link.school_class)
        if request.method == "GET":
            return _confirm_link(link, taken)
        if taken is not None and request.form.get("take_from") != str(taken.id):
            return _confirm_link(link, taken, _unanswered(link, taken)), 409
        _device, token = services.enrol_with_link(
            db, code[:64], now=now, replacing=web.current_device()
        )
    except Invalid as problem:
        if request.method == "POST":
            services.note_refused_enrolment(db, code[:64], problem.message)
            keep(db)  # the refused try persists through the 410: the log is for such tries
        return render_template("devices/enrol.html", error=problem.message), 410
    response = redirect(url_for("ipad.start"))
    web.set_device_cookie(response, token)
    return response
