"""Pages for carers (/family/...) and for staff (/parents/...): one blueprint, "parents"."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_login import login_user
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from classroom import photos, policy
from classroom.accounts import email_change
from classroom.accounts import services as accounts
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.db import get_session, keep, to_change, utcnow
from classroom.errors import Invalid, Refusal, Throttled
from classroom.forms import Form
from classroom.lessons import maps
from classroom.lessons.content import Catalogue
from classroom.lessons.content import Pathway as LessonPathway
from classroom.parents import delivery, invites, queries, services, tips
from classroom.parents.forms import (
    AddChildForm,
    CarerAccountForm,
    CarerConsentForm,
    CarerEmailForm,
    CarerMessageForm,
    ConsentForm,
    EmailLinkAgainForm,
    EmailLinkForm,
    ExportForm,
    InviteForm,
    JoinForm,
    LearningMomentForm,
    NoticeForm,
    SettingsForm,
    StaffMessageForm,
)
from classroom.parents.models import (
    EMAIL_MODE_LABELS,
    CarerInvite,
    ConsentPurpose,
    EmailMode,
    FeedItem,
)
from classroom.policy import allow
from classroom.pupils.forms import LEFT_THE_SCHOOL, left_note
from classroom.pupils.models import ParentLink, Pupil
from classroom.qr import qr_code
from classroom.scale import LEVEL_WORDS, Level, for_carers
from classroom.speech.services import register_text_source
from classroom.symbols.web import override_layers
from classroom.web import (
    apply_form,
    client_ip,
    current_actor,
    not_theirs,
    requested_page,
    school_zone,
    sign_in_settings,
)
from classroom.web import school_today as local_today
from classroom.worries import services as worries
from classroom.worries.models import PARENT_CONTACT_LABELS, PUPIL_ROLE_LABELS, Incident, Status

bp = Blueprint("parents", __name__)
T = TypeVar("T")


@bp.record_once
def _tips_are_school_texts(state: BlueprintSetupState) -> None:
    """This week's tips are the school's own words, as lessons are: carers hear them read aloud
    (classroom/speech/limits.py `known_texts`), and `flask speech pregenerate` makes them."""
    if isinstance(state.app, Flask):
        register_text_source(state.app, lambda: tips.TIPS.values())


# The assessment scale in staff's words, as staff choose and the moment keeps it (carers read
# it in their own words: scale.for_carers); a learning moment is a positive one, so "Not yet" is
# not offered.
MOMENT_LEVELS = {str(int(level)): LEVEL_WORDS[level] for level in Level if level > Level.NOT_YET}


def _account() -> Account:
    actor = current_actor()
    if not isinstance(actor, Account):
        abort(403)
    return actor


def _new_key() -> str:
    return str(uuid.uuid4())


# The settings and lesson files the parents services are handed (they never read the app).


def _zone() -> ZoneInfo:
    return school_zone()


def _today() -> date:
    """Today at the school: consent and its expiry go by the local day."""
    return delivery.school_today(utcnow(), _zone())


def _emails() -> delivery.CarerEmails:
    return delivery.CarerEmails.from_config(current_app.config)


def _photo_folder() -> Path:
    """Where this app keeps the photos shared with carers."""
    return photos.photo_dir(current_app.instance_path)


def _invite_settings() -> invites.InviteSettings:
    return invites.InviteSettings.from_config(current_app.config)


def _lesson_files() -> Catalogue:
    """The lesson files checked at start-up: tips and learning moments are about them."""
    lessons: Catalogue = current_app.extensions["lessons"]
    return lessons


# --- Carers: their children and each child's feed ---------------------------------------------


def _my_child(pupil_id: int) -> Pupil:
    """One of the signed-in carer's own children; any other id is simply not found."""
    pupil = policy.visible_pupil(get_session(), _account(), pupil_id)
    if pupil is None or not _account().is_parent:
        _not_my_child(pupil_id)
    return pupil


class NoLongerConnectedError(Exception):
    """A carer asked for a child staff have disconnected them from (while they were signed in)."""


def _not_my_child(pupil_id: int) -> NoReturn:
    """Not found (and audited, as any other child's id is); a carer staff disconnected from
    this child is told so, not "Page not found" (their next tap after it, say Send)."""
    carer = _account()
    was_theirs = carer.is_parent and queries.was_connected(get_session(), carer, pupil_id)
    try:
        not_theirs()
    except NotFound:
        if was_theirs:
            raise NoLongerConnectedError from None
        raise


@bp.errorhandler(NoLongerConnectedError)
def no_longer_connected(_error: NoLongerConnectedError) -> ResponseReturnValue:
    """The child is not named: a child may be disconnected from a carer, and renamed, for their
    protection. A message the carer was sending is shown back, so their words are not lost."""
    unsent = request.form.get("body", "")[:MESSAGE_SHOWN_BACK] if request.method == "POST" else ""
    return render_template("parents/disconnected.html", unsent=unsent.strip()), 404


MESSAGE_SHOWN_BACK = 4000  # well over a message's limit; a bigger body is no message of theirs


def _for_someone_else(carer: Account) -> bool:
    """An email link for another account (`?for=`), or one not as emails make it."""
    addressee = request.args.get(delivery.FOR_CARER)
    return addressee is not None and addressee != str(carer.id)


@bp.get("/family/children/")
@allow("view_own_children")
def home() -> ResponseReturnValue:
    """A carer's children, each separately, with how many new things each has.

    Opened from an email to another account (`delivery.feed_url`), on a family tablet left
    signed in as the other carer, it shows none of their children: it says to sign out first.
    """
    db, carer = get_session(), _account()
    if _for_someone_else(carer):
        return render_template("parents/someone_else.html")
    children = queries.my_children(db, carer, now=utcnow())
    for child in children:
        record(db, carer, "pupil.viewed_by_carer", child.pupil)
    return render_template("parents/home.html", children=children)


def _children_switch(
    db: Session, carer: Account, pupil: Pupil, now: datetime
) -> list[queries.Child]:
    """The carer's children for the switch on one child's pages (none with only one child);
    the others' names shown are noted, as on "My children"."""
    children = queries.my_children(db, carer, now=now)
    if len(children) < 2:
        return []
    for child in children:
        if child.pupil.id != pupil.id:
            record(db, carer, "pupil.viewed_by_carer", child.pupil)
    return children


def _feed_page(
    pupil: Pupil,
    form: CarerMessageForm,
    status: int = 200,
    page: int = 1,
    problem: str | None = None,
) -> ResponseReturnValue:
    db, carer = get_session(), _account()
    now = utcnow()
    feed = queries.child_feed(db, carer, pupil, _lesson_files(), now=now, today=_today(), page=page)
    services.mark_seen(db, carer, feed.items, now=now)
    record(db, carer, "parents.feed_viewed", pupil)
    layers = override_layers(db, pupil)
    hours = reply_hours(delivery.QuietHours.from_config(current_app.config))
    html = render_template(
        "parents/feed.html",
        feed=feed,
        children=_children_switch(db, carer, pupil, now),
        form=form,
        layers=layers,
        hours=hours,
        problem=problem,
        levels=for_carers,
        moments=_moment_states(db, feed.items),
    )
    return html, status


# Whether a learning moment's observation was since withdrawn or corrected is assessment's to
# say (a feature above parents); the app factory connects the two. There is no empty default: a
# feed that silently lost it would show carers, as progress, what the school took back.
MOMENTS_EXTENSION = "classroom.moment_states"


class MomentSource(Protocol):
    def __call__(
        self, session: Session, observation_ids: list[int]
    ) -> dict[int, queries.MomentState]: ...


def register_moment_states(app: Flask, source: MomentSource) -> None:
    """Let `source(session, observation_ids)` say what became of each shared observation
    (only those withdrawn or corrected are in its answer)."""
    app.extensions[MOMENTS_EXTENSION] = source


def _moment_states(db: Session, items: list[FeedItem]) -> dict[int, queries.MomentState]:
    """Per feed item shared from an observation since withdrawn or corrected, what became of it."""
    source: MomentSource = current_app.extensions[MOMENTS_EXTENSION]
    by_observation = {i.observation_id: i.id for i in items if i.observation_id is not None}
    found = source(db, list(by_observation)) if by_observation else {}
    return {by_observation[observation]: state for observation, state in found.items()}


def reply_hours(hours: delivery.QuietHours) -> str:
    """When class staff reply, as quiet hours say: "08:00 to 16:30, Monday to Friday"."""
    days = "Monday to Friday" if hours.weekends else "every day"
    if hours.holidays:
        days += ", not in the school holidays"
    if hours.start == hours.end:  # no quiet hours in the day
        return days
    return f"{hours.end:%H:%M} to {hours.start:%H:%M}, {days}"


@bp.get("/family/children/<int:pupil_id>")
@allow("view_own_children")
def feed(pupil_id: int) -> ResponseReturnValue:
    """One child's feed: this week's tip, learning moments, messages and notices (audited)."""
    pupil = _my_child(pupil_id)
    page = requested_page()
    return _feed_page(pupil, CarerMessageForm(formdata=None, key=_new_key()), page=page)


@bp.post("/family/children/<int:pupil_id>/messages")
@allow("view_own_children")
def carer_message(pupil_id: int) -> ResponseReturnValue:
    """A carer writes to their child's class staff (not once the child has left the school)."""
    pupil, form = _my_child(pupil_id), CarerMessageForm()
    if not policy.in_touch_with_carers(pupil):
        return _feed_page(pupil, form, 403, problem=services.carer_left_school(pupil))
    apply_form(
        lambda: services.send_carer_message(
            get_session(),
            _account(),
            pupil,
            form.body.data,
            form.key.data,
            now=utcnow(),
            emails=_emails(),
        ),
        lambda _message: _feed_page(pupil, form, 400),
        form,
        field="body",
    )
    return redirect(url_for("parents.feed", pupil_id=pupil.id, sent=1, _anchor="feed"))


@bp.get("/family/children/<int:pupil_id>/photo-consent")
@allow("view_own_children")
def consent(pupil_id: int) -> ResponseReturnValue:
    """Photo consent for one child: what is on record, and give or withdraw it."""
    return _consent_page(_my_child(pupil_id))


def _consent_page(pupil: Pupil, problem: str | None = None) -> str:
    db, me = get_session(), _account()
    statuses = queries.consent_statuses(db, pupil, _today())
    record(db, me, "parents.consent_viewed", pupil)
    held = {
        s.purpose: queries.why_held(s.latest, pupil)
        for s in statuses
        if s.latest is not None and queries.withdrawn_by_another(s.latest, me.id)
    }
    app_consent = next(s for s in statuses if s.purpose == ConsentPurpose.APP)
    count = queries.shared_photo_count(db, pupil)
    # Run out a year on, with the photos shared under it still kept (hidden until it is
    # renewed): the carer may rather say no and have them deleted, as the policy keeps images
    # only while they are needed.
    lapsed = not app_consent.in_force and count > 0
    if _asking_to_withdraw(app_consent.in_force or lapsed, held, problem):
        # Asked first, since it cannot be undone: withdrawing consent for the app deletes every
        # photo of the child, for all their carers, and one tap on a phone can be a slip
        # (WCAG 3.3.4). The button on the consent page leads here; the answer is the same POST.
        return render_template(
            "parents/consent_withdraw.html",
            pupil=pupil,
            count=count,
            purpose=ConsentPurpose.APP,
            lapsed=lapsed,
        )
    return render_template(
        "parents/consent.html",
        pupil=pupil,
        children=_children_switch(db, me, pupil, utcnow()),
        statuses=statuses,
        held=held,
        problem=problem,
        lapsed_photos=count if lapsed else 0,
    )


def _asking_to_withdraw(
    withdrawable: bool, held: dict[ConsentPurpose, str], problem: str | None
) -> bool:
    """A GET of the consent page with ?withdraw=app, while there is consent to withdraw (or,
    run out, photos shared under it still kept)."""
    asked = request.method == "GET" and request.args.get("withdraw") == ConsentPurpose.APP
    return asked and withdrawable and problem is None and ConsentPurpose.APP not in held


# The consent page's two buttons: give (or renew) and withdraw.
CONSENT_ANSWERS = {"yes": True, "no": False}


@bp.post("/family/children/<int:pupil_id>/photo-consent")
@allow("view_own_children")
def consent_change(pupil_id: int) -> ResponseReturnValue:
    """Give, renew or withdraw consent; withdrawing consent for the app deletes shared photos."""
    pupil, form = _my_child(pupil_id), CarerConsentForm()
    purposes = {p.value for p in ConsentPurpose}
    # Only the page's own answers: anything else withdrawing consent would delete the photos.
    given = CONSENT_ANSWERS.get(form.given.data) if form.validate_on_submit() else None
    if form.purpose.data not in purposes or given is None:
        abort(400)
    db = get_session()
    purpose = ConsentPurpose(form.purpose.data)
    try:
        services.carer_consent(
            db,
            _account(),
            pupil,
            purpose,
            given,
            now=utcnow(),
            today=_today(),
            photo_folder=_photo_folder(),
        )
    except Invalid as refused:  # another's withdrawal stands (the page offered no button)
        return _consent_page(pupil, refused.message), 409
    return redirect(url_for("parents.consent", pupil_id=pupil.id, saved=1))


@bp.get("/family/photos/<int:item_id>")
@allow("account")
def photo(item_id: int) -> ResponseReturnValue:
    """A shared photo, for whoever may see its item, only while consent is in force."""
    db, actor, now = get_session(), _account(), utcnow()
    item = db.get(FeedItem, item_id)
    today = _today()
    if item is None or not policy.can_view_feed_item(db, actor, item, now):
        not_theirs()  # another child's photo, for carers and staff (audited)
    if not policy.can_view_photo(db, actor, item, now, today):
        abort(404)  # consent withdrawn or run out: a plain 404, not an attempt to look
    path = photos.path_for(item.photo_file, _photo_folder())
    if path is None:
        abort(404)
    record(db, actor, "parents.photo_viewed", item.pupil, f"item #{item.id}")
    return send_file(path, mimetype="image/jpeg", as_attachment=True, download_name="photo.jpg")


@bp.route("/family/settings", methods=["GET", "POST"])
@allow("view_own_children")
def settings() -> ResponseReturnValue:
    """Emails on or off, or a daily digest; symbols with school news."""
    db, carer = get_session(), _account()
    prefs = delivery.carer_settings(db, carer)
    form = SettingsForm(obj=prefs)
    if not form.validate_on_submit():
        return _settings_page(form), 400 if form.errors else 200
    mode, symbols = EmailMode(form.email_mode.data), bool(form.symbols.data)
    services.update_settings(db, carer, mode, symbols, now=utcnow())
    return redirect(url_for("parents.settings", saved=1))


def _settings_page(form: SettingsForm, problem: str | None = None) -> str:
    db, carer = get_session(), _account()
    return render_template(
        "parents/settings.html",
        form=form,
        labels=EMAIL_MODE_LABELS,
        address=carer.email,
        waiting=delivery.waiting_address(db, carer),  # given, not yet confirmed
        again=EmailLinkAgainForm(),
        problem=problem,
        address_change=EMAIL_CHANGES.get(request.args.get("email", "")),
    )


# What the settings page says after the email address page (`?email=...`): as staff are told,
# and after a link to confirm a new address was sent or opened.
EMAIL_CHANGES = email_change.OUTCOMES | delivery.LINK_OUTCOMES


@bp.route("/family/settings/email", methods=["GET", "POST"])
@allow("view_own_children")
def email() -> ResponseReturnValue:
    """A carer gives a new address (held until they open the link sent to it), corrects one
    waiting to be confirmed, or removes theirs: their password first."""
    db, carer = get_session(), _account()
    waiting = delivery.waiting_address(db, carer)
    typed = waiting or carer.email or ""
    form = CarerEmailForm(data={"email": typed} if request.method == "GET" else None)
    page = {"address": carer.email, "waiting": waiting}
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("parents/email.html", form=form, **page), status
    try:
        outcome = services.change_email(
            db,
            carer,
            form.password.data,
            form.email.data,
            ip=client_ip(),
            now=utcnow(),
            emails=_emails(),
            sign_in=sign_in_settings(),
        )
    except (Invalid, Throttled) as problem:
        if isinstance(problem, email_change.WrongPassword):
            keep(db)  # the failed try persists through the 400: throttling counts it
        db.rollback()
        field = getattr(problem, "field", None) or "password"
        getattr(form, field, form.password).errors.append(problem.message)
        status = 429 if isinstance(problem, Throttled) else 400
        return render_template("parents/email.html", form=form, **page), status
    return redirect(url_for("parents.settings", email=outcome))


@bp.post("/family/settings/email/again")
@allow("view_own_children")
def email_again() -> ResponseReturnValue:
    """Another link to the address waiting to be confirmed (a few an hour at most)."""
    db, carer = get_session(), _account()
    if not EmailLinkAgainForm().validate_on_submit():
        abort(400)
    try:
        outcome = delivery.send_link_again(db, carer, _emails(), now=utcnow())
    except (Invalid, Throttled) as problem:
        db.rollback()
        form = SettingsForm(formdata=None, obj=delivery.carer_settings(db, carer))
        return _settings_page(form, problem.message), 429 if isinstance(problem, Throttled) else 400
    return redirect(url_for("parents.settings", email=outcome))


@bp.route("/family/email/confirm", methods=["GET", "POST"])
@allow("view_own_children")
def confirm_email() -> ResponseReturnValue:
    """The link emailed to a new address: the signed-in carer confirms it with a button
    (opening the link writes nothing)."""
    db, carer = get_session(), _account()
    link = request.args.get("link", "")[:200]
    form = EmailLinkForm(data={"link": link} if request.method == "GET" else None)
    waiting = delivery.waiting_address(db, carer)
    if not form.validate_on_submit():
        if request.method == "POST":
            return _confirm_page(form, problem=delivery.LINK_BROKEN), 400
        return _confirm_page(form, waiting=waiting)
    try:
        outcome = delivery.confirm(db, carer, form.link.data, _emails(), now=utcnow())
    except Invalid as problem:
        db.rollback()
        return _confirm_page(form, problem=problem.message), 400
    return redirect(url_for("parents.settings", email=outcome))


def _confirm_page(
    form: EmailLinkForm, waiting: str | None = None, problem: str | None = None
) -> str:
    return render_template(
        "parents/email_confirm.html", form=form, waiting=waiting, problem=problem
    )


# --- Carers: joining with a code --------------------------------------------------------------


def _code_error(
    form: Form, template: str, problem: Invalid | Throttled
) -> ResponseReturnValue:
    """Show why a code did not work; failed tries are kept, since throttling counts them."""
    db = get_session()
    if isinstance(problem, Throttled | invites.BadCode | invites.CodeOnHold):
        keep(db)  # the failed try (or a held code's audit) persists through the 4xx
    field = getattr(problem, "field", None) or "code"
    (getattr(form, field, None) or form.code).errors.append(problem.message)
    return _form_again(form, template), 429 if isinstance(problem, Throttled) else 400


def _form_again(form: Form, template: str) -> str:
    """The page again, every box holding what was typed (never a password: WTForms leaves those
    empty). The email check puts its IDNA form in the box's data (exämple becomes xn--exmple-cua),
    which is what is stored; the carer is shown the address as they typed it."""
    email = getattr(form, "email", None)
    if email is not None and email.raw_data:
        email.data = email.raw_data[0]
    return render_template(template, form=form)


@bp.route("/family/join", methods=["GET", "POST"])
@allow("public")
def join() -> ResponseReturnValue:
    """Set up a carer account with the one-time code from school (typed or from the QR code)."""
    code = request.args.get("code", "")[:40]
    account = _account_or_none()
    if account is not None:  # a signed-in carer adds the child to their account instead
        adding = account.is_parent and bool(code)
        return redirect(url_for("parents.add_child", code=code) if adding else url_for("core.home"))
    form = JoinForm(data={"code": code} if request.method == "GET" else None)
    if not form.validate_on_submit():
        return _form_again(form, "parents/join.html"), 400 if form.errors else 200
    db = get_session()
    try:
        carer = invites.sign_up(
            db, _sign_up_from(form), client_ip(), _invite_settings(), now=utcnow()
        )
    except (Invalid, Throttled) as problem:
        return _code_error(form, "parents/join.html", problem)
    _start_session(db, carer)
    return redirect(url_for("parents.home", welcome=1))


def _account_or_none() -> Account | None:
    actor = current_actor()
    return actor if isinstance(actor, Account) else None


def _sign_up_from(form: JoinForm) -> invites.SignUp:
    return invites.SignUp(
        code=form.code.data,
        display_name=form.display_name.data,
        username=form.username.data,
        email=form.email.data or None,
        password=form.password.data,
    )


def _start_session(db: Session, carer: Account) -> None:
    now = utcnow()
    expires_at = accounts.staff_session_expiry(now=now, settings=sign_in_settings())
    new = accounts.start_session(db, expires_at, client_ip(), account=carer, now=now)
    session.clear()  # a fresh session: nothing carries over from whoever used this browser
    carer.flask_login_id = new.token
    login_user(carer)


@bp.route("/family/add-child", methods=["GET", "POST"])
@allow("view_own_children")
def add_child() -> ResponseReturnValue:
    """A signed-in carer connects to another of their children with a new code."""
    form = AddChildForm(
        data={"code": request.args.get("code", "")[:40]} if request.method == "GET" else None
    )
    if not form.validate_on_submit():
        return _form_again(form, "parents/add_child.html"), 400 if form.errors else 200
    db = get_session()
    try:
        link = invites.add_child(
            db, _account(), form.code.data, client_ip(), _invite_settings(), now=utcnow()
        )
    except (Invalid, Throttled) as problem:
        return _code_error(form, "parents/add_child.html", problem)
    return redirect(url_for("parents.feed", pupil_id=link.pupil_id, welcome=1))


# --- Staff: the overview and one pupil's page -------------------------------------------------


@bp.get("/parents/")
@allow("staff")
def staff_index() -> ResponseReturnValue:
    """Pupils whose carers this person connects or writes to; consent that needs renewing.
    Pupils who have left come after, apart: nothing new goes to their carers, but what was
    shared stays on their page for the record."""
    db, actor = get_session(), _account()
    rows = queries.overview(db, actor, _today(), now=utcnow())
    record(db, actor, "parents.overview_viewed", summary=f"{len(rows)} pupils")
    return render_template(
        "parents/staff_index.html",
        rows=[row for row in rows if row.pupil.active],
        left=[(row.pupil, left_note(row.pupil)) for row in rows if not row.pupil.active],
        left_heading=LEFT_THE_SCHOOL,
    )


def _staff_pupil(pupil_id: int, *checks: Callable[[Session, Any, Pupil], bool]) -> Pupil:
    """A pupil this person may act for; any other id is not found."""
    db, actor = get_session(), _account()
    pupil = db.get(Pupil, pupil_id)
    rules = checks or (policy.can_manage_carers, policy.can_share_with_carers)
    if pupil is None or not any(rule(db, actor, pupil) for rule in rules):
        abort(404)
    return pupil


def _message_form(pupil: Pupil, submitted: bool = False) -> StaffMessageForm:
    db, actor = get_session(), _account()
    form = (
        StaffMessageForm(prefix="message")
        if submitted
        else StaffMessageForm(prefix="message", formdata=None)
    )
    carers = delivery.connected_carers(db, pupil.id)
    form.to.choices = {"": "All connected carers"} | {str(c.id): c.display_name for c in carers}
    incidents = db.scalars(policy.visible_incidents(actor))
    linked = [i for i in incidents if any(p.pupil_id == pupil.id for p in i.pupils)]
    form.incident_id.choices = {"": "No"} | {str(i.id): i.reference for i in linked}
    if not submitted:
        form.key.data = _new_key()
    return form


def _pupil_forms(pupil: Pupil) -> dict[str, Form]:
    invite = InviteForm(prefix="invite", formdata=None)
    invite.key.data = _new_key()
    return {
        "invite": invite,
        "carer": CarerAccountForm(prefix="carer", formdata=None),
        "consent": ConsentForm(prefix="consent", formdata=None, given_on=_today()),
        "message": _message_form(pupil),
    }


def _pupil_page(
    pupil: Pupil, forms: dict[str, Form] | None = None, status: int = 200, page: int = 1
) -> ResponseReturnValue:
    db, actor = get_session(), _account()
    manage = policy.can_manage_carers(db, actor, pupil)
    share = policy.can_share_with_carers(db, actor, pupil)
    today = _today()
    thread = queries.staff_thread(db, actor, pupil, today, page) if share else None
    record(db, actor, "parents.pupil_viewed", pupil)
    context = {
        "pupil": pupil,
        "manage": manage,
        "share": share,
        "notices": policy.has_right(actor, "send_parent_notices"),
        "links": queries.links(db, pupil) if manage else [],
        "carers": queries.carers_by_id(db, pupil),
        "invites": queries.invites(db, pupil) if manage else [],
        "connecting_paused": manage and not policy.may_tell_carers(db, pupil.id),
        "paused_message": invites.CONNECTING_PAUSED,
        "consents": queries.consent_statuses(db, pupil, today),
        "thread": thread,
        # Staff read the messages as carers do: a moment since taken back or corrected says so.
        "moments": _moment_states(db, thread.items) if thread else {},
        "left": not policy.in_touch_with_carers(pupil),  # nothing new goes to a leaver's carers
        "left_message": invites.LEFT_NO_NEW_CARER.format(name=pupil.first_name),
        "now": utcnow(),
        "forms": _pupil_forms(pupil) | (forms or {}),
    }
    return render_template("parents/pupil.html", **context), status


@bp.get("/parents/pupils/<int:pupil_id>")
@allow("staff")
def pupil(pupil_id: int) -> ResponseReturnValue:
    """Who is connected, codes, photo consent and the messages with this pupil's carers."""
    page = requested_page()
    return _pupil_page(_staff_pupil(pupil_id), page=page)


def _act(pupil: Pupil, name: str, form: Form, apply: Callable[[Session, Account], T]) -> T:
    """Validate one form on the pupil page and apply it; on a problem, show the page again (400)."""
    return apply_form(
        lambda: apply(get_session(), _account()),
        lambda _message: _pupil_page(pupil, {name: form}, 400),
        form,
        hide_refusal=True,
    )


# --- Staff: connecting carers -----------------------------------------------------------------


def _audited_refusal(apply: Callable[[Session, Account], T]) -> Callable[[Session, Account], T]:
    """`apply`, with a refusal to connect a new carer (the child has left, or connecting is
    paused) in the audit log: the 400 rolls the request back, entry and all, so the entry is
    written after undoing the rest and kept, as a refused access is (web.not_theirs)."""

    def change(db: Session, actor: Account) -> T:
        try:
            return apply(db, actor)
        except invites.ConnectingRefused as refused:
            db.rollback()  # nothing half-made is kept
            invites.record_refusal(db, actor, refused)
            keep(db)
            raise

    return change


@bp.post("/parents/pupils/<int:pupil_id>/invites")
@allow("manage_carers")
def issue_invite(pupil_id: int) -> ResponseReturnValue:
    """A one-time code and its QR code, shown once, to print or read out to one carer."""
    pupil, form = _staff_pupil(pupil_id, policy.can_manage_carers), InviteForm(prefix="invite")
    settings = _invite_settings()
    key = str(form.key.data or "")[:64]
    made = session.get("invite_keys", {})
    made = made if isinstance(made, dict) else {}
    earlier = made.get(key) if key else None

    def issue(db: Session, actor: Account) -> tuple[CarerInvite, str, bool]:
        # The slip is shown from this POST, once: a reload sends the form again. Its earlier
        # code (never given out, or given out from a slip now replaced) stops working, so a
        # reload leaves one live code, not two.
        old = db.get(CarerInvite, earlier) if isinstance(earlier, int) else None
        live = old is not None and old.pupil_id == pupil.id and old.outstanding(utcnow())
        if live and old is not None:
            invites.cancel_invite(db, actor, old, now=utcnow())
        invite, code = invites.issue_invite(
            db, actor, pupil, form.relationship.data, settings, now=utcnow()
        )
        return invite, code, live

    invite, code, replaced = _act(pupil, "invite", form, _audited_refusal(issue))
    if key:
        session["invite_keys"] = dict(list(made.items())[-4:]) | {key: invite.id}
    url = invites.join_url(code, settings.base_url)
    return render_template(
        "parents/invite_slip.html",
        pupil=pupil,
        replaced=replaced,
        invite=invite,
        code=code,
        url=url,
        qr=qr_code(url),
    )


@bp.post("/parents/invites/<int:invite_id>/cancel")
@allow("manage_carers")
def cancel_invite(invite_id: int) -> ResponseReturnValue:
    db = get_session()
    invite = db.get(CarerInvite, invite_id)
    if invite is None:
        abort(404)
    try:
        invites.cancel_invite(db, _account(), invite, now=utcnow())
    except Refusal:
        not_theirs()
    return redirect(url_for("parents.pupil", pupil_id=invite.pupil_id, _anchor="codes"))


@bp.post("/parents/links/<int:link_id>/revoke")
@allow("manage_carers")
def revoke_link(link_id: int) -> ResponseReturnValue:
    """Disconnect a carer from this pupil (their next request no longer shows the child)."""
    db = get_session()
    link = db.get(ParentLink, link_id)
    if link is None:
        abort(404)
    try:
        invites.revoke_link(db, _account(), link, now=utcnow())
    except Refusal:
        not_theirs()
    return redirect(url_for("parents.pupil", pupil_id=link.pupil_id, _anchor="carers"))


@bp.post("/parents/pupils/<int:pupil_id>/carers")
@allow("manage_carers")
def create_carer(pupil_id: int) -> ResponseReturnValue:
    """Staff make a carer's account (one-time password to hand over) and connect it."""
    pupil, form = _staff_pupil(pupil_id, policy.can_manage_carers), CarerAccountForm(prefix="carer")
    carer, password = _act(
        pupil,
        "carer",
        form,
        _audited_refusal(
            lambda db, actor: invites.create_carer_account(
                db,
                actor,
                pupil,
                form.display_name.data,
                form.username.data,
                form.email.data or None,
                form.relationship.data,
                _invite_settings(),
                now=utcnow(),
            )
        ),
    )
    waiting = delivery.waiting_address(get_session(), carer)
    return render_template(
        "parents/carer_created.html", pupil=pupil, carer=carer, password=password, waiting=waiting
    )


@bp.post("/parents/pupils/<int:pupil_id>/consent")
@allow("manage_carers")
def record_consent(pupil_id: int) -> ResponseReturnValue:
    """Record photo consent from the signed form, or its withdrawal."""
    pupil, form = _staff_pupil(pupil_id, policy.can_manage_carers), ConsentForm(prefix="consent")
    _act(
        pupil,
        "consent",
        form,
        lambda db, actor: services.record_consent(
            db,
            actor,
            pupil,
            ConsentPurpose(form.purpose.data),
            form.decision.data == "given",
            form.given_by.data,
            form.given_on.data,
            now=utcnow(),
            today=_today(),
            photo_folder=_photo_folder(),
        ),
    )
    return redirect(url_for("parents.pupil", pupil_id=pupil.id, saved=1, _anchor="consent"))


# --- Staff: learning moments and messages -----------------------------------------------------


def moment_form(
    pupil: Pupil, submitted: bool = False, start: tuple[str, int] | None = None
) -> LearningMomentForm:
    """The share form, with each lesson's objective on the pathway this pupil is taught it.
    `start`: (objective id, level) of an observation it is shared from (assessment.share),
    the objective offered even if the pupil's pathway for it has changed since."""
    form = LearningMomentForm() if submitted else LearningMomentForm(formdata=None)
    planned = maps.pathways_for(get_session(), [pupil])[pupil.id]
    objectives = [
        (lesson, lesson.version(LessonPathway(planned.get(lesson.id, pupil.pathway).value)))
        for lesson in _lesson_files()
    ]
    form.objective.choices = {"": "Choose…"} | {
        version.objective.id: f"{lesson.title.text}: {version.objective.text}"
        for lesson, version in objectives
    }
    if start is not None and start[0] not in form.objective.choices:
        lesson, version = _lesson_files().objective(start[0])
        form.objective.choices[start[0]] = f"{lesson.title.text}: {version.objective.text}"
    form.level.choices = {"": "Choose…"} | MOMENT_LEVELS
    form.alone.label.text = f"Only {pupil.first_name} can be seen in this photo, no other pupil"
    if not submitted:
        form.key.data = _new_key()
        if start is not None:
            form.objective.data, form.level.data = start[0], str(start[1])
    return form


def _objective_text(objective_id: str) -> str:
    return _lesson_files().objective(objective_id)[1].objective.text


def share_page(
    pupil: Pupil, form: LearningMomentForm, status: int = 200, source: object = None
) -> ResponseReturnValue:
    """The share form (`source`: the observation it is shared from, shown above it), and
    whether a photo may go with it: staff see a withdrawal before they choose a picture."""
    consent = queries.consent_status(get_session(), pupil, ConsentPurpose.APP, _today())
    page = render_template(
        "parents/share.html", pupil=pupil, form=form, source=source, consent=consent
    )
    return page, status


def share_form_viewed(pupil: Pupil, form: LearningMomentForm) -> None:
    """The form shown (again) is an access to the pupil: audited, even beside a 400."""
    record(get_session(), _account(), "parents.share_form_viewed", pupil)
    if form.errors:
        keep(get_session())  # the page shown again is an access too: its audit outlives the 400


@bp.route("/parents/pupils/<int:pupil_id>/share", methods=["GET", "POST"])
@allow("share_with_carers")
def share(pupil_id: int) -> ResponseReturnValue:
    """Share a learning moment with this pupil's carers (objective, level, note, photo)."""
    pupil = _staff_pupil(pupil_id, policy.can_share_with_carers)
    form = moment_form(pupil, submitted=request.method == "POST")
    if not form.validate_on_submit():
        share_form_viewed(pupil, form)
        return share_page(pupil, form, 400 if form.errors else 200)
    apply_form(
        lambda: share_moment(get_session(), pupil, form),
        lambda _message: share_page(pupil, form, 400),
        form,
        field="note",
        validated=True,
    )
    return redirect(url_for("parents.pupil", pupil_id=pupil.id, shared=1, _anchor="messages"))


def share_moment(
    db: Session, pupil: Pupil, form: LearningMomentForm, observation_id: int | None = None
) -> None:
    """Send the form's learning moment home (a repeat of the form sends nothing twice), from
    the observation it was filled from, if any."""
    services.share_learning_moment(
        db,
        _account(),
        pupil,
        _objective_text(form.objective.data),
        MOMENT_LEVELS[form.level.data],
        form.note.data,
        _upload(form.photo.data),
        form.key.data,
        photo_folder=_photo_folder(),
        now=utcnow(),
        emails=_emails(),
        observation_id=observation_id,
        alone=bool(form.alone.data),
    )


def _upload(data: object) -> bytes | None:
    if isinstance(data, FileStorage) and data.filename:
        content: bytes = data.read()
        return content
    return None


def _incident_choice(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() else None


@bp.post("/parents/pupils/<int:pupil_id>/messages")
@allow("share_with_carers")
def staff_message(pupil_id: int) -> ResponseReturnValue:
    """A message to all of this pupil's connected carers, or to one of them."""
    pupil = _staff_pupil(pupil_id, policy.can_share_with_carers)
    form = _message_form(pupil, submitted=True)
    _act(
        pupil,
        "message",
        form,
        lambda db, actor: services.send_staff_message(
            db,
            actor,
            pupil,
            form.body.data,
            int(form.to.data) if form.to.data else None,
            _incident_choice(form.incident_id.data),
            form.key.data,
            now=utcnow(),
            emails=_emails(),
        ),
    )
    return redirect(url_for("parents.pupil", pupil_id=pupil.id, sent=1, _anchor="messages"))


# --- Safeguarding team: incident notices ------------------------------------------------------


def _notice_incident(incident_id: int, for_change: bool = False) -> Incident:
    """`for_change`: locked until the request commits, as the incident page's changes are
    (worries.views._incident): a notice and a closing at once take turns."""
    actor = _account()
    query = policy.visible_incidents(actor).where(Incident.id == incident_id)
    if for_change:
        query = to_change(query, Incident)
    incident = get_session().scalar(query)
    if incident is None or not policy.can_send_parent_notice(actor, incident):
        abort(404)
    return incident


def _notice_page(
    incident: Incident,
    forms: dict[int, NoticeForm] | None = None,
    status: int = 200,
    error: str | None = None,
) -> ResponseReturnValue:
    """The notice page; `forms`: the one refused, with what was typed; `error`: why."""
    db = get_session()
    pupils = [link.pupil for link in incident.pupils]
    # Each family's decision in force (for every family, or for theirs): said once while they
    # share one, else under each pupil's notice.
    decisions = {p.id: worries.parent_contact(db, incident, p.id) for p in pupils}
    shared = {d.id if d else None for d in decisions.values()}
    decision = next(iter(decisions.values())) if len(shared) == 1 else None
    all_forms = {
        p.id: NoticeForm(
            prefix=f"p{p.id}",
            formdata=None,
            text=services.notice_template(incident, p),
            key=_new_key(),
        )
        for p in pupils
    } | (forms or {})
    carers = {p.id: delivery.connected_carers(db, p.id) for p in pupils}
    sent = {p.id: services.notice_under_decision(db, incident, p) for p in pupils}
    allowed_for = set(policy.notice_pupils(db, incident))
    now = utcnow()
    held = {p.id: services.held_by(policy.holding_incidents(db, p.id, now)) for p in pupils}
    left = {p.id: services.left_school(p) for p in pupils if not policy.in_touch_with_carers(p)}
    # While the police, children's services or CEOP have not replied to a referral, the page
    # says why telling carers may not be safe (the record's words: worries/_inform_caution.html)
    # and each send asks for the tick that "inform now" asked for.
    waiting = worries.agencies_not_replied(incident)
    return render_template(
        "parents/notice.html",
        incident=incident,
        decision=decision,
        labels=PARENT_CONTACT_LABELS,
        pupils=pupils,
        roles={link.pupil_id: PUPIL_ROLE_LABELS[link.role] for link in incident.pupils},
        forms=all_forms,
        carers=carers,
        sent=sent,
        held=held,
        left=left,
        deliveries={
            pid: services.notice_deliveries(db, item, now=utcnow(), zone=_zone())
            for pid, item in sent.items()
            if item
        },
        allowed=bool(allowed_for),
        allowed_for=allowed_for,
        decisions=decisions if len(shared) > 1 else {},
        closed=incident.status == Status.CLOSED,
        refused=list((forms or {}).values()),
        error=error,
        error_at=_field_refused(forms, error),
        inform_cautions=worries.inform_now_cautions(incident) if waiting else [],
        inform_check=bool(waiting),
    ), status


def _field_refused(forms: dict[int, NoticeForm] | None, error: str | None) -> str | None:
    """The id of the box a refusal is about, for the summary's link to it (None: no one box)."""
    for form in (forms or {}).values():
        for box in form:
            if error and error in box.errors:
                return str(box.id)
    return None


@bp.get("/parents/incidents/<int:incident_id>/notice")
@allow("send_parent_notices")
def notice(incident_id: int) -> ResponseReturnValue:
    """Write and approve a depersonalised notice to a linked pupil's carers ("inform now" only)."""
    incident = _notice_incident(incident_id)
    db = get_session()
    record(db, _account(), "incident.parent_notice_viewed", incident)
    return _notice_page(incident)


@bp.post("/parents/incidents/<int:incident_id>/notice/<int:pupil_id>")
@allow("send_parent_notices")
def send_notice(incident_id: int, pupil_id: int) -> ResponseReturnValue:
    incident = _notice_incident(incident_id, for_change=True)
    pupil = next((link.pupil for link in incident.pupils if link.pupil_id == pupil_id), None)
    if pupil is None:
        abort(404)
    form, db = NoticeForm(prefix=f"p{pupil.id}"), get_session()
    item = apply_form(
        lambda: services.send_incident_notice(
            db,
            _account(),
            incident,
            pupil,
            form.text.data,
            form.key.data,
            now=utcnow(),
            emails=_emails(),
            checked=bool(form.checked.data),
        ),
        lambda message: _notice_page(incident, {pupil.id: form}, 400, message),
        form,
        field="text",
    )
    again = "again" if item.key != form.key.data else "sent"  # a second send queued nothing
    return redirect(
        url_for("worries.detail", incident_id=incident.id, notice=again, _anchor="parent")
    )


# --- The DSL's export -------------------------------------------------------------------------


@bp.route("/parents/export", methods=["GET", "POST"])
@allow("export_parent_messages")
def export() -> ResponseReturnValue:
    """Every message with carers, AES-256 encrypted with a passphrase the DSL chooses."""
    form = ExportForm()
    if not form.validate_on_submit():
        return render_template("parents/export.html", form=form), 400 if form.errors else 200
    data = apply_form(
        lambda: services.export_messages(
            get_session(), _account(), form.passphrase.data, today=_today(), zone=_zone()
        ),
        lambda _message: (render_template("parents/export.html", form=form), 400),
        form,
        field="passphrase",
        validated=True,
    )
    name = f"parent-messages-{local_today():%Y-%m-%d}.zip"
    return send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name
    )
