"""Pages for "my people": staff and carers set a pupil's trusted adults; staff their photo.

Photos are served only to whoever policy lets see them: a pupil their own people (and staff
photos only in classes that person works in), staff and carers a pupil they may see.
"""

from __future__ import annotations

from collections import Counter

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from werkzeug.wrappers import Response

from classroom import policy
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.db import get_session, utcnow
from classroom.errors import Refusal, too_long
from classroom.photos import find_in
from classroom.policy import allow
from classroom.principals import PupilPrincipal
from classroom.pupils.models import Pupil
from classroom.symbols import people
from classroom.symbols.models import Place, StaffPhoto, TrustedPerson
from classroom.symbols.people import Person
from classroom.symbols.views import bp
from classroom.symbols.web import people_folder
from classroom.web import apply_form, current_actor, not_theirs, whole_number


def person_picture(person: Person) -> str:
    """The picture URL for a trusted adult on a pupil screen: their photo, else a symbol."""
    if person.photo is None:
        return url_for("symbols.image", code=person.symbol)
    kind, number = person.photo
    if kind == "staff":
        return url_for("symbols.staff_photo", account_id=number)
    return url_for("symbols.person_photo", person_id=number)


def adult_pictures(pupil: Pupil, adults: list[people.SchoolAdult]) -> dict[int, str]:
    """For the worry flow: each school adult's picture URL as the signed-in pupil may see it
    (their photo where policy lets this pupil see it, else the trusted-adult symbol)."""
    actor = current_actor()
    signed_in = isinstance(actor, PupilPrincipal) and actor.pupil.id == pupil.id
    symbol = url_for("symbols.image", code=people.SCHOOL_SYMBOL)
    return {
        adult.account_id: person_picture(
            Person("", "", Place.SCHOOL, adult.account_id, adult.photo, "")
        )
        if signed_in and adult.photo is not None
        else symbol
        for adult in adults
    }


def _actor() -> Account:
    actor = current_actor()
    if not isinstance(actor, Account):
        abort(403)
    return actor


def _pupil(pupil_id: int) -> Pupil:
    pupil = policy.visible_pupil(get_session(), _actor(), pupil_id)
    if pupil is None:
        not_theirs()
    return pupil


def look_alike(shown: list[Person]) -> list[str]:
    """The adults a pupil sees with the same picture (no photo, the same symbol): a pupil who
    cannot read cannot tell them apart, here nor in "Who do you want to talk to?"."""
    symbols = Counter(person.symbol for person in shown if person.photo is None)
    return [p.name for p in shown if p.photo is None and symbols[p.symbol] > 1]


def _people_page(pupil: Pupil, error: str | None = None) -> ResponseReturnValue:
    db, actor = get_session(), _actor()
    can_school = policy.can_set_school_people(db, actor, pupil)
    can_home = policy.can_set_home_people(db, actor, pupil)
    if not (can_school or can_home):
        abort(404)
    rows = list(
        db.scalars(policy.visible_trusted_people(actor).where(TrustedPerson.pupil_id == pupil.id))
    )
    staff = db.scalars(
        select(Account)
        .where(Account.school_id == pupil.school_id, Account.active)
        .order_by(Account.display_name)
    ).all()
    shown = people.my_people(db, pupil)
    record(db, actor, "symbols.trusted_people_viewed", pupil)
    return render_template(
        "symbols/people.html",
        pupil=pupil,
        rows=rows,
        shown=shown,
        look_alike=look_alike(shown),
        can_set_staff_photos=policy.route_allows("set_staff_photos", actor),
        staff=[a for a in staff if a.is_staff] if can_school else [],
        can_school=can_school,
        can_home=can_home,
        error=error,
        name_max=people.NAME_LENGTH,
        # After a refusal, the form as it was sent (the name whole, however long).
        given=request.form if error else {},
        name_error=_long_name(pupil) if error else None,
        photo_agreed=PHOTO_AGREED,
    ), (400 if error else 200)


def _long_name(pupil: Pupil) -> str | None:
    """What is wrong with the name sent, if it is over its limit."""
    name = request.form.get("name", "")
    if len(name) <= people.NAME_LENGTH:
        return None
    return too_long(f"Name {pupil.first_name} uses", people.NAME_LENGTH, name)


PHOTO_AGREED = "Tick the box to say the adult agreed to their photo, or add them without one."


@bp.get("/people/<int:pupil_id>")
@allow("account")
def people_page(pupil_id: int) -> ResponseReturnValue:
    """A pupil's trusted adults at school and at home, as the pupil sees them, and changes."""
    return _people_page(_pupil(pupil_id))


@bp.post("/people/<int:pupil_id>")
@allow("account")
def people_add(pupil_id: int) -> ResponseReturnValue:
    """Add a school adult (a member of staff) or a home adult (a name and maybe a photo)."""
    pupil, db = _pupil(pupil_id), get_session()
    place = request.form.get("place", "")
    if place not in {p.value for p in Place}:
        return _people_page(pupil, "Choose school or home.")
    account_id = request.form.get("account", type=whole_number)
    account = db.get(Account, account_id) if account_id else None
    upload = request.files.get("photo")
    photo = upload.read() if upload and upload.filename else None
    if photo and request.form.get("agreed") != "yes":
        # As for a staff photo (staff_photo_set): a person's face is shown only with their say.
        return _people_page(pupil, PHOTO_AGREED)
    apply_form(
        lambda: people.add_person(
            db,
            _actor(),
            pupil,
            Place(place),
            name=request.form.get("name", ""),
            account=account,
            photo=photo,
            agreement=f"{_actor().display_name} confirmed they agreed to the photo"
            if photo
            else "",
            folder=people_folder(),
            now=utcnow(),
        ),
        lambda message: _people_page(pupil, message),
        hide_refusal=True,
    )
    return redirect(url_for("symbols.people_page", pupil_id=pupil.id, saved=1, _anchor="saved"))


@bp.post("/people/person/<int:person_id>/remove")
@allow("account")
def people_remove(person_id: int) -> ResponseReturnValue:
    """Take one trusted adult off a pupil's list (their photo is deleted)."""
    db = get_session()
    person = db.scalar(policy.visible_trusted_people(_actor()).where(TrustedPerson.id == person_id))
    if person is None:
        abort(404)
    pupil_id = person.pupil_id
    try:
        people.remove_person(db, _actor(), person, folder=people_folder())
    except Refusal:
        not_theirs()
    return redirect(url_for("symbols.people_page", pupil_id=pupil_id, removed=1, _anchor="saved"))


@bp.get("/people/photo/<int:person_id>.jpg")
@allow("signed_in")
def person_photo(person_id: int) -> ResponseReturnValue:
    """A trusted adult's photo, for the pupil themselves and people who may see the pupil."""
    db = get_session()
    actor = current_actor()
    person = db.scalar(policy.visible_trusted_people(actor).where(TrustedPerson.id == person_id))
    path = find_in(people_folder(), person.photo_file if person is not None else None)
    if path is None:
        abort(404)
    return _private_jpeg(path.read_bytes())


@bp.get("/people/staff/<int:account_id>.jpg")
@allow("signed_in")
def staff_photo(account_id: int) -> ResponseReturnValue:
    """A member of staff's photo: pupils in their classes and the school's staff only."""
    db = get_session()
    account = db.get(Account, account_id)
    row = db.get(StaffPhoto, account_id)
    if (
        account is None
        or row is None
        or not policy.can_see_staff_photo(db, current_actor(), account)
    ):
        abort(404)
    path = find_in(people_folder(), row.photo_file)
    if path is None:
        abort(404)
    return _private_jpeg(path.read_bytes())


def _private_jpeg(data: bytes) -> Response:
    response = Response(data, mimetype="image/jpeg")
    response.cache_control.private = True
    response.cache_control.no_store = True  # a photo of a person stays off shared caches
    return response


@bp.get("/my-photo")
@allow("staff")
def my_photo() -> ResponseReturnValue:
    """A member of staff's own photo, which pupils in their classes see."""
    return _my_photo_page()


def _my_photo_page(error: str | None = None) -> ResponseReturnValue:
    actor = _actor()
    has_photo = get_session().get(StaffPhoto, actor.id) is not None
    return render_template(
        "symbols/my_photo.html", account=actor, has_photo=has_photo, error=error
    ), (400 if error else 200)


@bp.post("/my-photo")
@allow("staff")
def my_photo_set() -> ResponseReturnValue:
    """Set or remove your own photo (re-encoded; no metadata kept); audited."""
    db, actor = get_session(), _actor()
    upload = request.files.get("photo")
    remove = request.form.get("remove") == "1"
    data = None if remove else (upload.read() if upload else b"")
    apply_form(
        lambda: people.set_staff_photo(
            db, actor, actor, data, folder=people_folder(), now=utcnow()
        ),
        lambda message: _my_photo_page(message),
    )
    return redirect(url_for("symbols.my_photo", saved=1, _anchor="saved"))


# --- The admin's page: other staff members' photos -----------------------------------------

CONSENT_NOTE = (
    "Ask the member of staff first: their photo is shown to the pupils in the classes they "
    "work in, and they can remove it themselves at any time on their own photo page."
)


@bp.get("/staff-photos")
@allow("set_staff_photos")
def staff_photos() -> ResponseReturnValue:
    """Every member of staff in the school, with their photo for pupils, to set or remove."""
    db = get_session()
    accounts = db.scalars(policy.photo_staff(_actor()).order_by(Account.display_name)).all()
    with_photo = set(
        db.scalars(
            select(StaffPhoto.account_id).where(StaffPhoto.account_id.in_([a.id for a in accounts]))
        )
    )
    return render_template("symbols/staff_photos.html", accounts=accounts, with_photo=with_photo)


def _photo_account(account_id: int) -> Account:
    """A member of staff whose photo this person may set; anyone else (another school) is 404."""
    scope = policy.photo_staff(_actor()).where(Account.id == account_id)
    account = get_session().scalar(scope)
    if account is None:
        abort(404)
    return account


def _staff_photo_page(account: Account, error: str | None = None) -> ResponseReturnValue:
    has_photo = get_session().get(StaffPhoto, account.id) is not None
    return render_template(
        "symbols/staff_photo.html",
        account=account,
        has_photo=has_photo,
        consent_note=CONSENT_NOTE,
        error=error,
    ), (400 if error else 200)


@bp.get("/staff-photos/<int:account_id>")
@allow("set_staff_photos")
def staff_photo_page(account_id: int) -> ResponseReturnValue:
    """Upload, replace or remove one member of staff's photo."""
    return _staff_photo_page(_photo_account(account_id))


@bp.post("/staff-photos/<int:account_id>")
@allow("set_staff_photos")
def staff_photo_set(account_id: int) -> ResponseReturnValue:
    """Set or remove another member of staff's photo (re-encoded, no metadata kept); audited.
    Setting one needs the box saying they agreed: the audit entry records who said so."""
    account, db, actor = _photo_account(account_id), get_session(), _actor()
    remove = request.form.get("remove") == "1"
    if not remove and request.form.get("agreed") != "yes":
        return _staff_photo_page(account, "Tick the box to say they agreed to their photo.")
    upload = request.files.get("photo")
    data = None if remove else (upload.read() if upload else b"")
    apply_form(
        lambda: people.set_staff_photo(
            db,
            actor,
            account,
            data,
            _agreement(actor, account, data),
            folder=people_folder(),
            now=utcnow(),
        ),
        lambda message: _staff_photo_page(account, message),
        hide_refusal=True,
    )
    # Back at that person's row, which says so and takes the focus: the next row is next.
    anchor = f"staff-{account.id}"
    if remove:
        return redirect(url_for("symbols.staff_photos", who=account.id, removed=1, _anchor=anchor))
    return redirect(url_for("symbols.staff_photos", who=account.id, saved=1, _anchor=anchor))


def _agreement(actor: Account, account: Account, data: bytes | None) -> str:
    if data is None or actor.id == account.id:
        return ""
    return f"{actor.display_name} confirmed {account.display_name} agreed to the photo"
