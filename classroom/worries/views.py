"""The pupil's worry button, staff concerns, and the safeguarding team's incident queue."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import Select, bindparam, orm, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.accounts.redirects import safe_path
from classroom.audit.restores import recent_restore
from classroom.audit.services import record
from classroom.db import get_session, plain_rows, to_change, utcnow
from classroom.devices.models import Device
from classroom.devices.web import current_device, revoked_device
from classroom.errors import CSRF_RECOVERY, Invalid
from classroom.forms import Form
from classroom.lessons.content import Lesson
from classroom.lessons.web import request_catalogue
from classroom.paging import page_of
from classroom.policy import allow
from classroom.principals import PupilPrincipal
from classroom.pupils.models import Pupil, SchoolClass
from classroom.symbols.fragments_web import fragment
from classroom.symbols.people import SchoolAdult, offered_adults
from classroom.symbols.people_views import adult_pictures
from classroom.web import (
    apply_form,
    current_actor,
    local_time,
    passive,
    requested_page,
    school_holidays,
    school_today,
    school_zone,
)
from classroom.worries import envelope, flow, offline, services
from classroom.worries.forms import (
    CHOOSE,
    EVERY_FAMILY,
    KEEP_CONTACT,
    ActionForm,
    AssignForm,
    ChosenAdultForm,
    CloseForm,
    ConcernForm,
    DecisionForm,
    FollowUpForm,
    GiveActionForm,
    LinkPupilForm,
    NoteForm,
    ParentContactForm,
    PupilRoleForm,
    ReferralChaseForm,
    ReferralForm,
    ReferralReplyForm,
    ReleaseCarersForm,
    ReopenForm,
    SubjectStaffForm,
    TriageForm,
)
from classroom.worries.models import (
    AGENCY_LABELS,
    CATEGORY_LABELS,
    PARENT_CONTACT_LABELS,
    PUPIL_ROLE_LABELS,
    Agency,
    Category,
    Incident,
    IncidentAction,
    IncidentPupil,
    ParentContact,
    PupilRole,
    Referral,
    Risk,
    Source,
    StaffAlert,
    Status,
)
from classroom.worries.once_web import applied_once
from classroom.worries.queue import (
    STATEMENTS_REMEMBERED,
    Place,
    QueuePage,
    actions_held,
    follow_ups_due,
    open_page,
    open_state,
    recently_closed,
    urgent_elsewhere,
    worries_held,
)

bp = Blueprint("worries", __name__)


def key_path() -> Path:
    return Path(current_app.instance_path) / "worry_key.pem"


def _pupil() -> PupilPrincipal:
    actor = current_actor()
    if not isinstance(actor, PupilPrincipal):
        abort(403)
    return actor


# --- The pupil's "Report a worry" -------------------------------------------------------------


def _base_url() -> str:
    """Where staff sign in, for the links in alert emails (the emails carry no detail)."""
    return str(current_app.config["BASE_URL"])


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt="worry-form")


def _visit() -> int | None:
    """The signed-in pupil's visit (one sign-in on one iPad), or None when no pupil is signed in."""
    actor = current_actor()
    return actor.session_id if isinstance(actor, PupilPrincipal) else None


def _not_now_url() -> str:
    """Where "Not now" goes: the pupil screen they came from (this site only), else home.

    The worry button names its screen (`?back=`), because pages send no Referer (the
    Referrer-Policy is no-referrer); the Referer is a fallback for an old page's button."""
    referrer = urlsplit(request.referrer or "")
    from_referrer = referrer.path if referrer.netloc == request.host else ""
    if referrer.query and from_referrer:
        from_referrer += f"?{referrer.query}"
    for came_from in (request.values.get("back", ""), from_referrer):
        path = safe_path(came_from, "")
        if path.startswith("/pupil/") and not path.startswith("/pupil/worry"):
            return path
    return url_for("ipad.home")


class Choosable(NamedTuple):
    """An adult on the worry flow's last choice step, as the cached step shows them."""

    id: int
    name: str
    picture: str


def _flow_page(
    pupil: Pupil,
    device_id: int,
    key: str,
    chosen: services.WorryChoices | None = None,
    **extra: Any,
) -> str:
    adults = offered_adults(get_session(), pupil)
    pictures = adult_pictures(pupil, adults)
    # Names the pupil, iPad and visit that this form was rendered for: a worry typed slowly still
    # arrives after the pupil's session has timed out, and a form rendered for one pupil can never
    # be sent as the next pupil on a shared iPad.
    # `t`: when it was opened, by the app's clock: a worry written on an iPad revoked after
    # that is still heard (`_opened_before_revoking`).
    reporter = _reporter_token(pupil.id, device_id)
    return render_template(
        "worries/pupil_flow.html",
        not_now=_not_now_url(),
        steps=flow.STEPS,
        adults=tuple(Choosable(a.account_id, a.name, pictures[a.account_id]) for a in adults),
        checked=_checked(chosen, adults),
        chosen=chosen,
        key=key,
        reporter=reporter,
        pupil=pupil,
        public_key=envelope.public_jwk(key_path()),
        max_words=flow.MAX_WORDS,
        **extra,
    )


def _reporter_token(pupil_id: int, device_id: int) -> str:
    """The pupil, iPad and visit a worry form (or a pupil screen's offline worry) is for, and
    when it was opened by the app's clock (`t`: a worry written on an iPad revoked after that is
    still heard, `_opened_before_revoking`)."""
    opened = int(utcnow().timestamp())
    return _signer().dumps({"p": pupil_id, "d": device_id, "v": _visit(), "t": opened})


class OfflineWorry(NamedTuple):
    """What a pupil screen holds to keep a worry told with no network (worries/offline.py)."""

    public_key: str
    reporter: str


def offline_worry() -> OfflineWorry | None:
    """For the pupil signed in now (templates/pupil_base.html): the key the iPad seals a worry
    to, and the same reporter token the worry flow's form carries. None for anyone else."""
    actor = current_actor()
    if not isinstance(actor, PupilPrincipal):
        return None
    return OfflineWorry(
        envelope.public_jwk(key_path()), _reporter_token(actor.pupil.id, actor.device.id)
    )


def _checked(
    chosen: services.WorryChoices | None, adults: list[SchoolAdult]
) -> tuple[tuple[str, str | int], ...]:
    """The (step, choice) pairs a form that came back with a problem shows as chosen: only
    choices the steps offer (the form's values are the browser's, and part of a cache key)."""
    if chosen is None:
        return ()
    picked: list[tuple[str, str | int]] = [
        (field, value) for field, _question, choices in flow.STEPS
        if (value := getattr(chosen, field)) in {choice.code for choice in choices}
    ]  # fmt: skip
    if chosen.talk_to_id in {adult.account_id for adult in adults}:
        picked.append(("talk_to", chosen.talk_to_id))
    return tuple(picked)


@bp.get("/pupil/worry")
@allow("pupil")
def pupil_flow() -> ResponseReturnValue:
    """What happened, where, how I feel, who I want to talk to, say more: every step skippable."""
    me = _pupil()
    return _flow_page(me.pupil, me.device.id, str(uuid.uuid4()))


def _choices_from_form() -> services.WorryChoices:
    talk_to = request.form.get("talk_to", "")
    return services.WorryChoices(
        what=request.form.get("what") or None,
        where=request.form.get("where") or None,
        feeling=request.form.get("feeling") or None,
        talk_to_id=int(talk_to) if talk_to.isdigit() else None,
        words=request.form.get("words") or None,
    )


class OtherVisitError(Exception):
    """The form was rendered for another pupil's visit than the one signed in now."""


def _reporter() -> tuple[Pupil, Device]:
    """The pupil sending the plain form: the visit the form was rendered for, on this class iPad.

    Signed in, the form must have been rendered in this same visit (OtherVisitError otherwise);
    signed out (the session timed out while they wrote), the form names the pupil.
    """
    try:
        signed = _signer().loads(request.form.get("reporter", ""), max_age=86400)
    except BadSignature:
        signed = None
    actor = current_actor()
    if isinstance(actor, PupilPrincipal):
        # Every rendered form carries its token; one rendered in another visit (or forged) is
        # refused. A post without one was never rendered for anybody else.
        rendered_elsewhere = "reporter" in request.form and (
            not isinstance(signed, dict) or signed.get("v") != actor.session_id
        )
        if rendered_elsewhere:
            raise OtherVisitError
        return actor.pupil, actor.device
    if not isinstance(signed, dict):
        abort(403)
    device = current_device() or _opened_before_revoking(signed)
    pupil = get_session().get(Pupil, signed.get("p"))
    if device is None or pupil is None or signed.get("d") != device.id:
        abort(403)
    if not policy.can_pupil_sign_in_on(pupil, device.class_id):
        abort(403)
    return pupil, device


def _opened_before_revoking(signed: object, pupil_id: object = None) -> Device | None:
    """The class iPad this request comes from, revoked (lost, say) after the worry screen it
    sends from was opened on it for that pupil (`signed`: the form's reporter token): what the
    pupil chose and typed is still heard, never dropped with the revoking, and the team is told
    (`_revoked_note`). None for any other revoked iPad, or a form opened after revoking."""
    device = revoked_device()
    if device is None or device.revoked_at is None or not isinstance(signed, dict):
        return None
    opened = signed.get("t")
    if signed.get("d") != device.id or not isinstance(opened, int):
        return None
    if pupil_id is not None and signed.get("p") != pupil_id:
        return None
    return device if opened <= device.revoked_at.timestamp() else None


def _revoked_note(device: Device) -> list[str]:
    """What the team should know of a worry sent from a revoked class iPad."""
    if device.revoked_at is None:
        return []
    return [
        f'Sent from the class iPad "{device.name}" after it was revoked '
        f"({local_time(device.revoked_at)}); the worry screen was opened on it before then. "
        "If the iPad was lost or stolen, check with the class team who sent it."
    ]


@bp.post("/pupil/worry")
@allow("class_ipad_any")
def pupil_send() -> ResponseReturnValue:
    """The same flow without JavaScript: one form, sent once (a repeated key makes nothing new)."""
    try:
        pupil, device = _reporter()
    except OtherVisitError:
        return _other_visit()
    key = request.form.get("key", "")[:64] or str(uuid.uuid4())
    choices = _choices_from_form()
    db = get_session()
    try:
        incident = services.raise_worry(
            db,
            pupil,
            device,
            key,
            choices,
            now=utcnow(),
            base_url=_base_url(),
            saved=_revoked_note(device) or None,  # None: a live iPad's form is checked as sent
        )
    except Invalid as problem:
        return _flow_page(pupil, device.id, key, problem=problem.message, chosen=choices), 400
    if not isinstance(current_actor(), PupilPrincipal):  # the session ended while they wrote
        adults = services.trusted_adults(db, pupil)
        adult = next((a for a in adults if a.id == incident.talk_to_id), None)
        return render_template("worries/pupil_thanks.html", adult=adult, back=_way_back())
    _remember_sent(key, incident.talk_to_id)
    return redirect(url_for("worries.pupil_thanks", key=key, back=_way_back()))


def _way_back() -> str | None:
    """The screen the pupil reported the worry from (a lesson step, say), to go back to after
    "Thank you for telling"; None when that is home, which the page offers anyway."""
    back = _not_now_url()
    return None if back == url_for("ipad.home") else back


def _other_visit() -> ResponseReturnValue:
    """A form rendered for another pupil (Back on a shared iPad): nothing of it is sent or shown.

    The pupil signed in now gets their own empty form; what the other pupil chose or typed is
    dropped, never filed under the wrong child.
    """
    me = _pupil()
    return _flow_page(
        me.pupil, me.device.id, str(uuid.uuid4()), problem="Please start your worry again."
    ), 409


THANKS_KEPT = 5


def _remember_sent(key: str, talk_to_id: int | None) -> None:
    """This visit sent the worry `key`: only this visit may see its thank-you (and the adult)."""
    sent = session.get("worries_sent", {})
    sent = dict(list(sent.items())[-(THANKS_KEPT - 1) :]) if isinstance(sent, dict) else {}
    sent[key] = talk_to_id
    session["worries_sent"] = sent


def _resend() -> ResponseReturnValue:
    """A stale form must not lose a worry: show it again, choices kept, to send once more."""
    try:
        pupil, device = _reporter()
    except OtherVisitError:
        return _other_visit()
    key = request.form.get("key", "")[:64] or str(uuid.uuid4())
    return _flow_page(
        pupil, device.id, key, chosen=_choices_from_form(), problem="Please press Send again."
    ), 400


CSRF_RECOVERY["worries.pupil_send"] = _resend


@bp.get("/pupil/worry/thanks")
@allow("pupil")
def pupil_thanks() -> ResponseReturnValue:
    """Thank you for telling; says who will talk to them and nothing of what they said.

    Only the visit that sent the worry `key` sees it: the next pupil on a shared iPad pressing
    Back (a URL from the previous visit) goes to their own home instead. Without a key it names
    nobody.
    """
    me = _pupil()
    sent = session.get("worries_sent", {})
    key = request.args.get("key")
    if key is not None and (not isinstance(sent, dict) or key not in sent):
        return redirect(url_for("ipad.home"))
    adult_id = sent[key] if key is not None else None
    adults = services.trusted_adults(get_session(), me.pupil)
    adult = next((a for a in adults if a.id == adult_id), None)
    return render_template("worries/pupil_thanks.html", adult=adult, back=_way_back())


@bp.post("/class-ipad/worries")
@allow("class_ipad_any")
def ipad_queue() -> ResponseReturnValue:
    """A class iPad sends a worry it saved (encrypted); repeats are answered, not re-created."""
    device = current_device() or revoked_device()
    if device is None:
        return {"error": "not a class iPad"}, 403
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or len(request.get_data()) > envelope.MAX_ENVELOPE:
        return {"error": "not a saved worry"}, 400
    db = get_session()
    try:
        payload = envelope.open_envelope(key_path(), body.get("envelope"))
        if not device.active and _revoked_sender(payload) is None:
            return {"error": "not a class iPad"}, 403
        device = _saved_on(payload, device)
        pupil, key, choices = _queued_worry(payload, device)
        _remember_if_mine(pupil, key, choices)
        if services.existing(db, key) is not None:
            return {"status": "already received"}, 200
        services.raise_worry(
            db,
            pupil,
            device,
            key,
            choices,
            now=utcnow(),
            base_url=_base_url(),
            saved=_sending_notes(pupil, device, payload, utcnow()),
        )
        db.flush()  # a repeated key fails here, not in the request's commit
    except Invalid as problem:
        return {"error": problem.message}, 400
    except IntegrityError:  # the same key arrived twice at once; the other copy was kept
        db.rollback()  # the failed insert ended the transaction: nothing of it stays
        return {"status": "already received"}, 200
    return {"status": "received"}, 201


def _revoked_sender(payload: dict[str, Any]) -> Device | None:
    """A saved worry sent by a revoked iPad: heard only if its screen was opened on that iPad
    for that pupil before the revoking (the reporter token the page signed, kept in the sealed
    worry). Anything else a lost iPad sends is refused, as from any browser."""
    try:
        signed = _signer().loads(str(payload.get("reporter", "")), max_age=KEPT_ON_IPAD)
    except BadSignature:
        return None
    return _opened_before_revoking(signed, payload.get("pupil_id"))


def _saved_on(payload: dict[str, Any], device: Device) -> Device:
    """The class iPad the worry was told on, by the token its screen signed: not always the one
    sending it. Revoked, then enrolled again for another class, the iPad sends what it saved
    before as its new self; the team must read of the iPad and class it was told in, and that
    the iPad was revoked, not that the pupil had left the new one's class."""
    try:
        signed = _signer().loads(str(payload.get("reporter", "")), max_age=KEPT_ON_IPAD)
    except BadSignature:
        return device
    told_on = signed.get("d") if isinstance(signed, dict) else None
    if not isinstance(told_on, int) or told_on == device.id:
        return device
    if signed.get("p") != payload.get("pupil_id"):
        return device
    before = get_session().get(Device, told_on)
    if before is None or before.school_class.school_id != device.school_class.school_id:
        return device
    return before


# How long a saved worry may wait on an iPad with no network (a lost one, say) and be heard.
KEPT_ON_IPAD = 60 * 86400


def _remember_if_mine(pupil: Pupil, key: str, choices: services.WorryChoices) -> None:
    """Sent by the pupil signed in now, from their own screen: their thank-you names the adult."""
    actor = current_actor()
    if isinstance(actor, PupilPrincipal) and actor.pupil.id == pupil.id:
        _remember_sent(key, choices.talk_to_id)


def _queued_worry(
    payload: dict[str, Any], device: Device
) -> tuple[Pupil, str, services.WorryChoices]:
    def text(name: str, limit: int = 64) -> str | None:
        value = payload.get(name)
        return value[:limit] if isinstance(value, str) and value else None

    pupil_id, talk_to = payload.get("pupil_id"), payload.get("talk_to")
    pupil = get_session().get(Pupil, pupil_id) if isinstance(pupil_id, int) else None
    key = text("key")
    # A pupil of this iPad's school: one who has moved class or left since saving it is still
    # heard (`_sending_notes` tells the team); another school's pupil never is.
    if pupil is None or key is None or pupil.school_id != device.school_class.school_id:
        raise Invalid("The saved worry does not belong to this iPad's school.")
    words = payload.get("words")
    choices = services.WorryChoices(
        what=text("what"),
        where=text("where"),
        feeling=text("feeling"),
        talk_to_id=talk_to if isinstance(talk_to, int) else None,
        words=words if isinstance(words, str) else None,
    )
    return pupil, key, choices


def _sending_notes(
    pupil: Pupil, device: Device, payload: dict[str, Any], now: datetime
) -> list[str]:
    """What the team should know about how a saved worry reached them."""
    notes = []
    if payload.get("left") is True:
        notes.append(
            f"The iPad was left on the worry screen before {pupil.first_name} pressed Send: it "
            "sent what had been chosen and typed when the screen timed out. Speak to "
            f"{pupil.first_name}."
        )
    notes += offline.offline_notes(pupil, payload)  # Report a worry with no network
    notes += _told_earlier(payload, now) + _revoked_note(device)
    if not policy.can_pupil_sign_in_on(pupil, device.class_id):
        gone = "had left the school" if not pupil.active else "was no longer in that class"
        notes.append(
            f'Saved on the class iPad "{device.name}" of {device.school_class.name}, and sent '
            f"when {pupil.first_name} {gone}. Check with the class team who sent it."
        )
    return notes


# Less than this between saving and arriving is only sending; a clock far out is not believed.
SENDING = timedelta(minutes=2)
BELIEVED = timedelta(days=60)


def _told_earlier(payload: dict[str, Any], now: datetime) -> list[str]:
    """When the worry was told, if the iPad could not send it at once (no Wi-Fi, say): the
    record's times are when it arrived, and an iPad offline overnight would put a disclosure on
    the wrong day. By the iPad's own clock, and said so."""
    try:
        saved = datetime.fromisoformat(str(payload.get("saved_at", "")))
    except ValueError:
        return []
    if saved.tzinfo is None or not SENDING < now - saved < BELIEVED:
        return []
    return [
        f"Told on the iPad at {local_time(saved)} (by the iPad's clock); it reached the school "
        f"at {local_time(now)}, when the iPad could send it."
    ]


# --- Staff concerns ---------------------------------------------------------------------------


def _pupil_choices() -> dict[str, str]:
    """Every pupil of the school with their class, read as plain names (not pupils with their
    classes loaded one by one). No pupil is chosen for the member of staff: a rushed concern
    must not land on the first."""
    names = (
        policy.concern_pupils(current_actor())
        .join(SchoolClass, SchoolClass.id == Pupil.class_id)
        .with_only_columns(Pupil.id, Pupil.first_name, Pupil.last_name, SchoolClass.name)
    )
    return {"": "Choose the pupil…"} | {
        str(i): f"{first} {last} ({in_class})"
        for i, first, last, in_class in get_session().execute(names)
    }


@bp.route("/concerns/new", methods=["GET", "POST"])
@allow("raise_concern")
def concern_new() -> ResponseReturnValue:
    """Any member of staff logs a concern about a pupil, with how the pupil communicated it."""
    form = ConcernForm()
    form.pupil_id.choices = _pupil_choices()
    key = request.form.get("key", "")[:64] or str(uuid.uuid4())
    if request.method == "GET":  # every pupil of the school, by name, to choose from
        summary = f"{len(form.pupil_id.choices) - 1} pupils listed, raising a concern"
        record(get_session(), current_actor(), "concern.form_viewed", summary=summary)
    if not form.validate_on_submit():
        return render_template("worries/concern_new.html", form=form, key=key), (
            400 if form.errors else 200
        )
    db = get_session()
    data = services.ConcernInput(
        pupil_id=int(form.pupil_id.data),
        summary=form.summary.data,
        communication=form.communication.data,
        exact_words=form.exact_words.data,
        category=Category(form.category.data) if form.category.data else None,
    )
    try:
        services.raise_concern(db, current_actor(), key, data, now=utcnow(), base_url=_base_url())
    except Invalid as problem:
        if problem.field == "key":
            key = str(uuid.uuid4())  # sent again, the form is new
        getattr(form, problem.field or "summary", form.summary).errors.append(problem.message)
        return render_template("worries/concern_new.html", form=form, key=key), 400
    return redirect(url_for("worries.my_concerns", raised=1))


CONCERNS_PAGE = 30


@bp.get("/concerns/")
@allow("raise_concern")
def my_concerns() -> ResponseReturnValue:
    """What this member of staff raised (their words and its status), not the rest of the file:
    a page at a time, newest first, as a teacher raises concerns year after year."""
    mine = policy.raised_concerns(current_actor()).options(
        selectinload(Incident.pupils).selectinload(IncidentPupil.pupil)
    )
    shown = page_of(get_session(), mine, requested_page(), CONCERNS_PAGE)
    # It names pupils and what was written about them: an access to personal data.
    summary = f"page {requested_page()}: {len(shown.items)} shown"
    record(get_session(), current_actor(), "concern.list_viewed", summary=summary)
    me = policy.holder(current_actor(), "raise_concern")
    # One the team recorded is about them is closed to them (policy.is_subject_of): they keep
    # only that they passed it on, when, and their own words; nothing of what happened after.
    passed_on = {c.id for c in shown.items if me is not None and policy.is_subject_of(me, c)}
    return render_template("worries/my_concerns.html", concerns=shown, passed_on=passed_on)


# --- The safeguarding queue -------------------------------------------------------------------


def _open_page() -> QueuePage:
    """The page of the open queue the DSL asked for (`?after=` or `?before=` a place)."""
    after, before = (Place.of(request.args.get(k)) for k in ("after", "before"))
    scope = policy.visible_incidents(current_actor())
    return open_page(get_session(), scope, after, before)


def _pager(shown: QueuePage) -> Markup:
    return fragment(
        "worries/_queue_rows.html",
        "pager",
        before=shown.before,
        rows=len(shown.rows),
        count=shown.state.count,
        newer=str(shown.newer or ""),
        older=str(shown.older or ""),
    )


@bp.get("/safeguarding/")
@allow("work_incidents")
def queue() -> ResponseReturnValue:
    """New and open worries and concerns; new ones appear without reloading."""
    actor, db = current_actor(), get_session()
    scope = policy.visible_incidents(actor)
    shown = _open_page()
    # The queue names pupils and flags child protection: opening it is an access to their data.
    record(db, actor, "incidents.queue_viewed", summary=f"{len(shown.rows)} open shown")
    return render_template(
        "worries/queue.html",
        shown=shown,
        pager=_pager(shown),
        elsewhere=urgent_elsewhere(db, scope, shown),
        closed=recently_closed(db, scope),
        due=follow_ups_due(
            db,
            scope,
            school_today(),
            school_holidays(),
            # Files sent are the DSL's and deputies' record (policy.visible_cp_transfers).
            receipts=policy.has_right(actor, "transfer_cp_files"),
        ),
        unacknowledged=shown.state.new,  # the badge's count: the queue's own new ones
        late_realert=services.late_realert(
            db,
            actor,
            int(current_app.config["WORRY_ACK_MINUTES"]),
            int(current_app.config["WORKER_INTERVAL_SECONDS"]),
            utcnow(),
        ),
        restored=recent_restore(db, utcnow()),
    )


@bp.get("/safeguarding/queue/rows")
@allow("work_incidents")
@passive
def queue_rows() -> ResponseReturnValue:
    """The open queue's rows and its pager, for the page to swap in when its state changes:
    the pager with the rows, so that "Older" always starts after the last row on the screen."""
    shown = _open_page()
    # Names pupils as the queue does (a poll of its state does not; this runs when it changed).
    summary = f"{len(shown.rows)} open shown, refreshed"
    record(get_session(), current_actor(), "incidents.queue_viewed", summary=summary)
    scope = policy.visible_incidents(current_actor())
    elsewhere = urgent_elsewhere(get_session(), scope, shown)
    return (
        render_template(
            "worries/_queue_live.html", shown=shown, pager=_pager(shown), elsewhere=elsewhere
        ),
        200,
        {"X-Queue-State": shown.state.tag},
    )


@bp.get("/safeguarding/queue/state")
@allow("work_incidents")
@passive
def queue_state() -> ResponseReturnValue:
    """A tiny answer the queue page polls: it changes whenever the open queue does.

    The state is its ETag: a poll sending it back (If-None-Match) gets an empty 304.
    """
    scope = policy.visible_incidents(current_actor())
    state = open_state(get_session(), scope).tag
    if request.if_none_match.contains(state):
        response = Response(status=304)
    else:
        response = jsonify(state=state)
    response.set_etag(state)
    return response


@bp.get("/safeguarding/held-by/<int:account_id>")
@allow("work_incidents")
def work_held(account_id: int) -> ResponseReturnValue:
    """The queue filtered to one colleague's work: the open worries assigned to them and the
    actions they own, to reassign (a "work left" alert links here when they are deactivated)."""
    actor, db = current_actor(), get_session()
    assert isinstance(actor, Account)  # noqa: S101 - the "work_incidents" rule
    colleague = db.scalar(
        select(Account).where(Account.id == account_id, Account.school_id == actor.school_id)
    )
    if colleague is None:
        abort(404)  # another school's staff are not this team's to look up
    scope = policy.visible_incidents(actor)
    held = worries_held(db, scope, colleague.id)
    actions = actions_held(db, scope, colleague.id)
    # It names pupils as the queue does: an access to their data.
    summary = f"held by account #{colleague.id}: {len(held)} open, {len(actions)} actions shown"
    record(db, actor, "incidents.queue_viewed", colleague, summary)
    # This viewer's own alerts about them, not yet seen (one per deactivation: deactivated,
    # reactivated and deactivated again leaves two), offered to mark seen together from here
    # (a POST; opening the page marks nothing).
    alerts = db.scalars(
        select(StaffAlert)
        .where(
            StaffAlert.account_id == actor.id,
            StaffAlert.about_id == colleague.id,
            StaffAlert.incident_id.is_(None),
            StaffAlert.kind == services.WORK_LEFT,
            StaffAlert.seen_at.is_(None),
        )
        .order_by(StaffAlert.id.desc())
    ).all()
    return render_template(
        "worries/work_held.html", colleague=colleague, held=held, actions=actions, alerts=alerts
    )


def _incident(incident_id: int, for_change: bool = False) -> Incident:
    """The incident if this person may see it; otherwise 404, so hidden records stay hidden.

    `for_change`: the row is locked until this request commits (PostgreSQL; SQLite's writers
    already take turns), so two of the team acting on one record at once take turns too, and
    the second's state checks see what the first left (no second "Acknowledged by").
    """
    query = policy.visible_incidents(current_actor()).where(Incident.id == incident_id)
    if for_change:
        query = to_change(query, Incident)
    incident = get_session().scalar(query)
    if incident is None:
        abort(404)
    return incident


# The incident page's choices are read as plain names, not as accounts and pupils with their
# classes loaded beside them: building those entities was a fifth of the page. Each statement is
# built once (per school) and kept, so it is compiled once (see `plain_rows`).


@lru_cache(maxsize=STATEMENTS_REMEMBERED)
def _team_names(school_id: int) -> Select[int, str, Role]:
    return policy.safeguarding_team(school_id).with_only_columns(
        Account.id, Account.display_name, Account.role
    )


_PUPIL_NAMES = (
    select(Pupil.id, Pupil.first_name, Pupil.last_name, SchoolClass.name)
    .join(SchoolClass, SchoolClass.id == Pupil.class_id)
    .where(Pupil.school_id == bindparam("school_id"))
    .order_by(Pupil.first_name, Pupil.last_name, Pupil.id)
)


def _team_choices(incident: Incident) -> dict[str, str]:
    """Only people who may work this incident are offered as its assignee or action owners."""
    team = plain_rows(get_session(), _team_names(incident.school_id))
    closed_to = policy.subjects_of(incident)  # nobody is given a record closed to them
    return {str(i): f"{name} ({role.label})" for i, name, role in team if i not in closed_to}


def _pupil_choices_in_school(incident: Incident) -> dict[str, str]:
    """Every pupil of the incident's school with their class, to link one to it."""
    pupils = plain_rows(get_session(), _PUPIL_NAMES, {"school_id": incident.school_id})
    return {str(i): f"{first} {last} ({in_class})" for i, first, last, in_class in pupils}


def _reopen_carers_choices(incident: Incident) -> dict[str, str]:
    """Keep the decision in force (named, with who made it and when), or make a new one; none
    is chosen until the person reopening chooses."""
    families = services.contact_by_family(get_session(), incident)
    kept = families[0].decision if families else services.parent_contact(get_session(), incident)
    keep = (
        f"Keep each family's decision in force ({services.kept_per_family(families)})"
        if services.families_differ(families)
        else f'Keep "{PARENT_CONTACT_LABELS[kept.decision]}" (decided '
        f"{local_time(kept.decided_at, 'date')} by {kept.decided_by.display_name})"
        if kept is not None
        else "Leave it undecided for now: carers are told nothing new until someone decides"
    )
    new = {d.value: f"New decision: {label}" for d, label in PARENT_CONTACT_LABELS.items()}
    return {"": CHOOSE, KEEP_CONTACT: keep} | new


def _whose_choices(incident: Incident) -> list[tuple[str, str]]:
    """Whose carers a parent-contact decision is for (made on the decision form, or on
    reopening), asked only while more than one pupil is linked: every family on the record, or
    one pupil's carers only. None is chosen."""
    if len(incident.pupils) < 2:
        return []
    # Each with their role: "every family" includes an alleged child's carers, said here too.
    names = "; ".join(
        f"{link.pupil.full_name}, {PUPIL_ROLE_LABELS[link.role]}" for link in incident.pupils
    )
    every = [(EVERY_FAMILY, f"Every family on this record ({names})")]
    return every + [
        (str(link.pupil_id),
         f"Only {link.pupil.full_name}'s carers ({PUPIL_ROLE_LABELS[link.role]})")
        for link in incident.pupils
    ]  # fmt: skip


def _awaited_choices(incident: Incident) -> dict[str, str]:
    """The incident's referrals still awaiting a reply, to record one or a chase against."""
    return {
        str(r.id): f"{AGENCY_LABELS[r.agency]}, made {local_time(r.made_at, 'date')}"
        + (f" (ref {r.reference})" if r.reference else "")
        for r in incident.referrals
        if r.awaiting_reply
    }


def _forms(incident: Incident) -> dict[str, Form]:
    """Every form on the incident page, each prefixed so their fields' ids never clash."""
    classes: dict[str, type[Form]] = {
        "triage": TriageForm,
        "assign": AssignForm,
        "note": NoteForm,
        "action": ActionForm,
        "link": LinkPupilForm,
        "role": PupilRoleForm,
        "referral": ReferralForm,
        "reply": ReferralReplyForm,
        "chase": ReferralChaseForm,
        "parent": ParentContactForm,
        "close": CloseForm,
        "reopen": ReopenForm,
        "release": ReleaseCarersForm,
        "lesson": FollowUpForm,
        "chosen": ChosenAdultForm,
        "subject": SubjectStaffForm,
    }
    forms = {name: cls(prefix=name, formdata=None) for name, cls in classes.items()}
    if incident.risk is not None:  # show the triage in force; never pre-fill one nobody made
        forms["triage"] = TriageForm(prefix="triage", formdata=None, obj=incident)
        forms["triage"].child_protection.data = "yes" if incident.child_protection else "no"
    for a in incident.actions:
        if a.done_at is None:  # each action to do has its own "Give to someone else" form
            name = give_form_name(a.id)
            forms[name] = GiveActionForm(prefix=name, formdata=None)
    _fill_choices(incident, forms)
    return forms


def give_form_name(action_id: int) -> str:
    """The form (and the folded box holding it) that gives action `action_id` to someone else."""
    return f"give-{action_id}"


def _fill_give_choices(incident: Incident, forms: dict[str, Form], team: dict[str, str]) -> None:
    """Each open action may go to anyone on the team but its owner now; nobody is chosen."""
    owners = {give_form_name(a.id): str(a.owner_id) for a in incident.actions}
    for name, form in forms.items():
        if isinstance(form, GiveActionForm):
            mine = owners.get(name)
            others = {value: label for value, label in team.items() if value != mine}
            form.owner_id.choices = {"": "Choose who takes it on…"} | others


def _fill_assign_choices(
    incident: Incident, form: Form, team: dict[str, str], drawn: bool = False
) -> None:
    """The worry may go to anyone on the team (as triage offers) but who holds it now; nobody
    is chosen. A holder whose account is deactivated is named, as the team cannot show them.

    A form sent with its key takes who holds it now too, unless `drawn` (for the page): the
    same form sent again (Save pressed twice) is then told it was recorded once, and one sent
    for who holds it is refused by `services.assign` in words that say so."""
    holder = str(incident.assignee_id) if incident.assignee_id else None
    sent = not drawn and bool(form.once.raw_data and form.once.raw_data[0])
    others = {value: label for value, label in team.items() if sent or value != holder}
    form.assignee_id.choices = {"": "Choose who takes this on…"} | others
    gone = incident.assignee
    if gone is not None and not gone.active:
        hint = f"{gone.display_name}'s account is deactivated: choose who takes this on."
        form.assignee_id.description = hint


def _fill_choices(incident: Incident, forms: dict[str, Form]) -> None:
    giving = any(isinstance(form, GiveActionForm) for form in forms.values())
    wanted = giving or any(name in forms for name in ("triage", "assign", "action"))
    team = _team_choices(incident) if wanted else {}
    _fill_give_choices(incident, forms, team)
    if "assign" in forms:
        _fill_assign_choices(incident, forms["assign"], team)
    if "triage" in forms:
        forms["triage"].assignee_id.choices = {"": "Not assigned yet"} | team
        gone = incident.assignee
        if gone is not None and not gone.active:  # not offered: the box cannot show them
            hint = f"{gone.display_name}'s account is deactivated, so this box cannot show them."
            forms["triage"].assignee_id.description = hint
        if incident.risk is None and incident.category is not None:
            forms[
                "triage"
            ].category.description = (
                f"Suggested by {_suggested_by(incident)}: {CATEGORY_LABELS[incident.category]}."
            )
    if "action" in forms:
        forms["action"].owner_id.choices = {"": "Choose who…"} | team
    if "lesson" in forms:
        _follow_up_choices(incident, forms["lesson"])
    if "parent" in forms:
        forms["parent"].whose.choices = _whose_choices(incident)
    if "chosen" in forms:
        people = services.chosen_alternatives(get_session(), incident)
        forms["chosen"].instead_id.choices = {"": "Choose who…"} | {
            str(a.id): f"{a.display_name} ({a.role.label})" for a in people
        }
    if "subject" in forms:
        staff = services.subject_staff_choices(get_session(), incident)
        forms["subject"].subject_id.choices = {"": CHOOSE} | {
            str(a.id): f"{a.display_name} ({a.role.label})" for a in staff
        }
    for name in ("reply", "chase"):
        if name in forms:
            forms[name].referral_id.choices = {"": "Choose which…"} | _awaited_choices(incident)
    if "reopen" in forms:  # a new decision says whose carers, as on the decision form
        forms["reopen"].carers.choices = _reopen_carers_choices(incident)
        forms["reopen"].whose.choices = _whose_choices(incident)
    if "link" in forms:
        forms["link"].pupil_id.choices = {"": "Choose the pupil…"} | _pupil_choices_in_school(
            incident
        )
    if "role" in forms:
        forms["role"].pupil_id.choices = {"": "Choose the pupil…"} | _linked_choices(incident)


def _linked_choices(incident: Incident) -> dict[str, str]:
    """The pupils linked to the record, each with their role now, to change it. The pupil who
    raised the worry on a class iPad is not offered: they stay its reporter."""
    raised = incident.reporter if incident.source == Source.PUPIL else None
    return {
        str(link.pupil_id): f"{link.pupil.full_name} (now: {PUPIL_ROLE_LABELS[link.role]})"
        for link in incident.pupils
        if link.pupil is not raised
    }


# The decisions a page shows in force, by form: each form carries the one it was drawn with.
SEEN_DECISIONS = {
    "triage": "triage",
    "assign": "assigned",
    "parent": "parent_contact",
    "close": services.WHOLE_RECORD,
}


def _mark_seen(incident: Incident, forms: dict[str, Form]) -> None:
    """What this drawing of the page shows in force is what its decision forms were made on,
    also when a refused form is shown again (the page now shows the newer decision)."""
    for name, kind in SEEN_DECISIONS.items():
        form = forms.get(name)
        if isinstance(form, DecisionForm):
            latest = services.latest_decision(get_session(), incident, kind)
            form.seen.data = str(latest.id if latest else 0)
            form.seen.raw_data = [form.seen.data]


def _release_whom(held: list[str], linked: int) -> str:
    """Whose carers letting carers be told again frees, for its button: the hold kept at
    closing is one for the families it held, so the button names each of them, and says
    "only" when others on the record are not held by it (a DSL then knows it is not theirs)."""
    if not held:
        return ""
    names = [f"{name}'s" for name in held]
    whose = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    if len(held) < linked:
        return f": {whose} only"
    if len(held) > 1:
        return f": {'both' if len(held) == 2 else f'all {len(held)}'} families, {whose}"
    return f": {whose}"


def _detail_page(
    incident: Incident,
    forms: dict[str, Form] | None = None,
    status: int = 200,
    error: str | None = None,
) -> ResponseReturnValue:
    all_forms = _forms(incident) | (forms or {})
    if forms and "assign" in forms:  # drawn again: who holds it is not offered, as at first
        _fill_assign_choices(incident, all_forms["assign"], _team_choices(incident), drawn=True)
    _mark_seen(incident, all_forms)
    linked = services.others_linked(incident)
    db = get_session()
    families = services.contact_by_family(db, incident)
    differ = services.families_differ(families)
    held = set(policy.held_pupils(db, incident))
    notices = _notices(incident)
    sent = {pupil.id for pupil, _item in notices["notices"]}
    allowed = policy.notice_pupils(db, incident)
    held_names = [link.pupil.full_name for link in incident.pupils if link.pupil_id in held]
    # Whose carers closing (or letting them be told again) is about, each with their role.
    held_roles = [
        f"{link.pupil.full_name} ({PUPIL_ROLE_LABELS[link.role]})"
        for link in incident.pupils
        if link.pupil_id in held
    ]
    in_force = families[0].decision if families else services.parent_contact(db, incident)
    return render_template(
        "worries/detail.html",
        not_saved=_not_saved(incident, forms),
        notice_sent=NOTICE_MESSAGES.get(request.args.get("notice", "")),
        **notices,
        incident=incident,
        forms=all_forms,
        flow=flow,
        labels=CATEGORY_LABELS,
        agencies=AGENCY_LABELS,
        contact_labels=PARENT_CONTACT_LABELS,
        # One decision in force for every linked family, said once; or each family's, named.
        contact=None if differ else in_force,
        families=families if differ else [],
        may_send_notice=bool(allowed),
        # One notice per family under its decision: once each allowed has theirs, no link.
        notice_due=any(pupil_id not in sent for pupil_id in allowed),
        carers_held=policy.holds_carers(db, incident),
        held_about=", ".join(held_names) or "the pupil",
        held_roles=held_roles,
        held_alleged=[p for p in incident.alleged if p.id in held],
        release_whom=_release_whom(held_names, len(incident.pupils)),
        carers_not_told=services.carers_not_told(get_session(), incident),
        inform_cautions=services.inform_now_cautions(incident),
        # "Inform now" asks for the tick while an agency has not replied, and while the record
        # has more than one pupil and "inform now" for every family would tell more than one
        # family (services.told_by_every_family); never when it would ask about nothing.
        inform_check=bool(
            services.agencies_not_replied(incident) or services.told_by_every_family(db, incident)
        ),
        linked_families=linked,
        about=", ".join(link.pupil.full_name for link in incident.pupils) or "the pupil",
        communication=services.COMMUNICATION,
        alerts=services.incident_alerts(get_session(), incident),
        next_reminder=services.reminder_due(incident, int(current_app.config["WORRY_ACK_MINUTES"])),
        reminder_late=services.reminder_late(
            incident,
            int(current_app.config["WORRY_ACK_MINUTES"]),
            int(current_app.config["WORKER_INTERVAL_SECONDS"]),
            utcnow(),
        ),
        set_aside=services.SET_ASIDE,
        role_labels=PUPIL_ROLE_LABELS,
        second_part=SECOND_PART,
        today=school_today(),
        error=error,
        assigned_saved=_assigned_saved(incident),
    ), status


def _assigned_saved(incident: Incident) -> str | None:
    """"Saved: assigned to ..." by the "Assigned to" box, after its change (`?assigned=` the
    account chosen); not once someone has given the worry to someone else since."""
    chosen = request.args.get("assigned", "")
    holder = incident.assignee
    if holder is None or not chosen.isdigit() or len(chosen) > 12 or int(chosen) != holder.id:
        return None
    return f"Saved: assigned to {holder.display_name}."


# What the second part of a chronology entry is, where it is not the reason for it (None:
# the text says so itself, as "Lessons learnt: …" does).
SECOND_PART = {
    "closed": None,
    "referral_reply": "Their decision",
    "referral_chased": "What was done",
    "carers_told": "How they were told, or why not",
    "assigned": "Why",
}


NOTICE_MESSAGES = {
    "sent": "Notice approved. Where it is for each carer is shown under "
    "“Contacting parents and carers”.",
    "again": "A notice was already sent under this decision, so nothing new was queued.",
    "twice": "This form was sent twice (perhaps the connection dropped), so it was recorded "
    "once. Check the record below.",
}


# The incident page shows the notices sent to carers under the decision in force, and where each
# is. Parents (a feature above worries: its notices are about worries) supplies them; the app
# factory connects the two. There is no empty default: a page that hid sent notices could lead
# the DSL to think none went.
NOTICES_EXTENSION = "classroom.incident_notices"


class NoticeSource(Protocol):
    def __call__(
        self, session: orm.Session, incident: Incident, *, now: datetime, zone: ZoneInfo
    ) -> dict[str, Any]: ...


def register_notices(app: Flask, source: NoticeSource) -> None:
    """Let `source(session, incident, now=, zone=)` give the page's `notices` and `deliveries`."""
    app.extensions[NOTICES_EXTENSION] = source


def _notices(incident: Incident) -> dict[str, Any]:
    source: NoticeSource = current_app.extensions[NOTICES_EXTENSION]
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    return source(get_session(), incident, now=utcnow(), zone=zone)


def _follow_up_choices(incident: Incident, form: Form) -> None:
    """Linked pupils, and every lesson with the one that fits the category first."""
    form.pupil_id.choices = {"": CHOOSE} | {
        str(link.pupil_id): link.pupil.full_name for link in incident.pupils
    }
    lessons = list(request_catalogue().offered())  # a withdrawn lesson goes on no map
    fits = services.FOLLOW_UP_LESSON.get(incident.category) if incident.category else None
    lessons.sort(key=lambda lesson: lesson.id != fits)  # suggested first, chosen by nobody
    form.lesson_id.choices = {"": CHOOSE} | {
        lesson.id: _follow_up_label(lesson, fits) for lesson in lessons
    }


def _follow_up_label(lesson: Lesson, fits: str | None) -> str:
    ages = f" (for pupils {lesson.ages_label})" if lesson.ages else ""
    return f"{lesson.title.text}{ages}{' (fits this worry)' if lesson.id == fits else ''}"


@bp.get("/safeguarding/<int:incident_id>")
@allow("work_incidents")
def detail(incident_id: int) -> ResponseReturnValue:
    """One incident: what was reported, triage, chronology and every decision (view audited)."""
    incident = _incident(incident_id)
    db = get_session()
    services.view(db, current_actor(), incident, now=utcnow())
    return _detail_page(incident)


def _suggested_by(incident: Incident) -> str:
    if incident.source == Source.STAFF:
        return "whoever raised the concern"
    return "what the pupil chose"


def _not_saved(incident: Incident, forms: dict[str, Form] | None) -> list[tuple[str, str]]:
    """What someone wrote in a form refused because the record is closed (a colleague closed it
    while they wrote): shown back to copy, for a closed record draws none of its forms. So is a
    reason to reopen that a colleague's reopening beat: an open record draws no reopen form."""
    if not forms or (incident.status != Status.CLOSED and "reopen" not in forms):
        return []
    kept = []
    for form in forms.values():
        for field in form:
            if field.type in ("StringField", "TextAreaField") and field.data:
                kept.append((str(field.label.text), str(field.data)))
            elif field.type == "DateField" and field.data:
                kept.append((str(field.label.text), f"{field.data:%d %B %Y}"))
            elif field.type == "SelectField" and field.data:
                chosen = [label for value, label, *_ in field.iter_choices() if value == field.data]
                kept += [(str(field.label.text), str(label)) for label in chosen]
    return kept


def _work(
    incident_id: int,
    name: str,
    form_class: type[Form] | None,
    apply: Callable[[Incident, Any], object],
    after: str | None = None,
    saved: Callable[[Incident], dict[str, str]] | None = None,
) -> ResponseReturnValue:
    """Validate one form on an incident and apply it; errors re-show the page (400). The page
    then opens at `after`, else at the section acted on, with `saved(incident)`'s arguments
    (what the page says was saved there)."""
    incident = _incident(incident_id, for_change=True)
    form = form_class(prefix=name) if form_class else None
    if form is not None:
        _fill_choices(incident, {name: form})
    forms = {name: form} if form is not None else {}

    made = apply_form(
        lambda: applied_once(incident.id, form, lambda: apply(incident, form)),
        lambda message: _detail_page(incident, forms, 400, message),
        form,
    )
    # Back to the section acted on, so a long page keeps its place (where it is after the change).
    anchor = after or AFTER.get(name, name)
    notice = None if made else "twice"
    values: dict[str, Any] = {"incident_id": incident.id, "notice": notice, "_anchor": anchor}
    values |= saved(incident) if saved else {}
    return redirect(url_for("worries.detail", **values))


# Sections that are gone after the change they make: where the page opens instead.
AFTER = {
    "ack": "triage",
    "close": "reopen",
    "reopen": "note",
    "release": "parent",
    "reply": "referral",
    "chase": "referral",
}


@bp.post("/safeguarding/<int:incident_id>/acknowledge")
@allow("work_incidents")
def acknowledge(incident_id: int) -> ResponseReturnValue:
    return _work(
        incident_id,
        "ack",
        None,
        lambda i, _f: services.acknowledge(get_session(), current_actor(), i, now=utcnow()),
    )


@bp.post("/safeguarding/<int:incident_id>/triage")
@allow("work_incidents")
def triage(incident_id: int) -> ResponseReturnValue:
    def apply(incident: Incident, form: Any) -> None:
        services.triage(
            get_session(),
            current_actor(),
            incident,
            services.Triage(
                Category(form.category.data),
                Risk(form.risk.data),
                form.rationale.data,
                form.child_protection.data == "yes",
                int(form.assignee_id.data) if form.assignee_id.data else None,
            ),
            now=utcnow(),
            seen=form.seen_entry(),
        )

    return _work(incident_id, "triage", TriageForm, apply)


@bp.post("/safeguarding/<int:incident_id>/assignee")
@allow("work_incidents")
def assign(incident_id: int) -> ResponseReturnValue:
    """Give the worry to another team member (its holder left), with why: only who holds it
    changes; the triage is not recorded again."""

    def apply(incident: Incident, form: Any) -> None:
        chosen = form.assignee_id.data
        assignee_id = int(chosen) if chosen and chosen.isdigit() and len(chosen) < 12 else None
        services.assign(
            get_session(),
            current_actor(),
            incident,
            assignee_id,
            form.reason.data,
            now=utcnow(),
            seen=form.seen_if_sent(),
        )

    def saved(incident: Incident) -> dict[str, str]:
        return {"assigned": str(incident.assignee_id)} if incident.assignee_id else {}

    return _work(incident_id, "assign", AssignForm, apply, after="assigned", saved=saved)


@bp.post("/safeguarding/<int:incident_id>/notes")
@allow("work_incidents")
def note(incident_id: int) -> ResponseReturnValue:
    return _work(
        incident_id,
        "note",
        NoteForm,
        lambda i, f: services.add_note(
            get_session(), current_actor(), i, f.text.data, f.reason.data, now=utcnow()
        ),
    )


@bp.post("/safeguarding/<int:incident_id>/actions")
@allow("work_incidents")
def action(incident_id: int) -> ResponseReturnValue:
    return _work(
        incident_id,
        "action",
        ActionForm,
        lambda i, f: services.add_action(
            get_session(),
            current_actor(),
            i,
            f.description.data,
            int(f.owner_id.data),
            f.due_on.data,
            now=utcnow(),
            today=school_today(),
            reason=f.reason.data,
        ),
    )


@bp.post("/safeguarding/<int:incident_id>/actions/<int:action_id>/done")
@allow("work_incidents")
def action_done(incident_id: int, action_id: int) -> ResponseReturnValue:
    def apply(incident: Incident, _form: Any) -> None:
        found = get_session().get(IncidentAction, action_id)
        if found is None or found.incident_id != incident.id:
            abort(404)
        services.complete_action(get_session(), current_actor(), found, now=utcnow())

    return _work(incident_id, "action", None, apply)


@bp.post("/safeguarding/<int:incident_id>/actions/<int:action_id>/owner")
@allow("work_incidents")
def action_owner(incident_id: int, action_id: int) -> ResponseReturnValue:
    """Give an open action to another team member (say its owner left), with why."""

    def apply(incident: Incident, form: Any) -> None:
        found = get_session().get(IncidentAction, action_id)
        if found is None or found.incident_id != incident.id:
            abort(404)
        owner = form.owner_id.data
        owner_id = int(owner) if owner and owner.isdigit() and len(owner) < 12 else None
        services.give_action_to(
            get_session(), current_actor(), found, owner_id, form.reason.data, now=utcnow()
        )

    name = give_form_name(action_id)
    return _work(incident_id, name, GiveActionForm, apply, after="action")


def _awaited_referral(incident: Incident, form: Any) -> Referral:
    """The referral the form names: one of this incident's (the choices are its own)."""
    found = get_session().get(Referral, int(form.referral_id.data))
    if found is None or found.incident_id != incident.id:
        abort(404)
    return found


@bp.post("/safeguarding/<int:incident_id>/referrals/reply")
@allow("work_incidents")
def referral_reply(incident_id: int) -> ResponseReturnValue:
    def apply(incident: Incident, form: Any) -> None:
        reply = services.ReferralReply(form.replied_on.data, form.outcome.data, form.reference.data)
        referral = _awaited_referral(incident, form)
        services.record_referral_reply(
            get_session(), current_actor(), referral, reply, now=utcnow(), zone=school_zone()
        )

    return _work(incident_id, "reply", ReferralReplyForm, apply)


@bp.post("/safeguarding/<int:incident_id>/referrals/chase")
@allow("work_incidents")
def referral_chase(incident_id: int) -> ResponseReturnValue:
    def apply(incident: Incident, form: Any) -> None:
        services.chase_referral(
            get_session(),
            current_actor(),
            _awaited_referral(incident, form),
            form.what.data,
            form.again_on.data,
            form.reference.data,
            now=utcnow(),
            today=school_today(),
        )

    return _work(incident_id, "chase", ReferralChaseForm, apply)


@bp.post("/safeguarding/<int:incident_id>/pupils")
@allow("work_incidents")
def link_pupil(incident_id: int) -> ResponseReturnValue:
    return _work(
        incident_id,
        "link",
        LinkPupilForm,
        lambda i, f: services.link_pupil(
            get_session(),
            current_actor(),
            i,
            int(f.pupil_id.data),
            PupilRole(f.role.data),
            now=utcnow(),
            reason=f.reason.data,
        ),
    )


@bp.post("/safeguarding/<int:incident_id>/pupils/role")
@allow("work_incidents")
def pupil_role(incident_id: int) -> ResponseReturnValue:
    return _work(
        incident_id,
        "role",
        PupilRoleForm,
        lambda i, f: services.change_pupil_role(
            get_session(),
            current_actor(),
            i,
            int(f.pupil_id.data),
            PupilRole(f.role.data),
            now=utcnow(),
            reason=f.reason.data,
        ),
    )


@bp.post("/safeguarding/<int:incident_id>/referrals")
@allow("work_incidents")
def referral(incident_id: int) -> ResponseReturnValue:
    return _work(
        incident_id,
        "referral",
        ReferralForm,
        lambda i, f: services.add_referral(
            get_session(),
            current_actor(),
            i,
            Agency(f.agency.data),
            f.reference.data,
            f.reason.data,
            now=utcnow(),
            today=school_today(),
        ),
    )


@bp.post("/safeguarding/<int:incident_id>/parent-contact")
@allow("work_incidents")
def parent_contact(incident_id: int) -> ResponseReturnValue:
    return _work(
        incident_id,
        "parent",
        ParentContactForm,
        lambda i, f: services.decide_parent_contact(
            get_session(),
            current_actor(),
            i,
            ParentContact(f.decision.data),
            f.reason.data,
            f.review_on.data,
            now=utcnow(),
            today=school_today(),
            seen=f.seen_entry(),
            checked=bool(f.checked.data),
            pupil_id=f.family(),
        ),
    )


@bp.post("/safeguarding/<int:incident_id>/close")
@allow("work_incidents")
def close(incident_id: int) -> ResponseReturnValue:
    return _work(
        incident_id,
        "close",
        CloseForm,
        lambda i, f: services.close(
            get_session(),
            current_actor(),
            i,
            f.outcome.data,
            f.lessons_learnt.data,
            _settle(i),
            _keep_carers_held(),
            request.form.get("close-carers-reason"),
            request.form.get("close-carers_told"),
            now=utcnow(),
            seen=f.seen_if_sent(),
        ),
    )


def _keep_carers_held() -> bool | None:
    """What the closing form says about carers held back: kept, let go, or nothing chosen."""
    return {"keep": True, "release": False}.get(request.form.get("close-carers", ""))


def _settle(incident: Incident) -> dict[int, services.Settle]:
    """What the closing form says about each action still open (done, or carried over)."""
    settle = {}
    for action in incident.actions:
        choice = request.form.get(f"close-settle-{action.id}")
        if action.is_open and choice in ("done", "carry"):
            reason = request.form.get(f"close-carry-{action.id}")
            settle[action.id] = services.Settle(choice == "done", reason)
    return settle


@bp.post("/safeguarding/<int:incident_id>/carers-released")
@allow("work_incidents")
def release_carers(incident_id: int) -> ResponseReturnValue:
    return _work(
        incident_id,
        "release",
        ReleaseCarersForm,
        lambda i, f: services.release_carers(
            get_session(), current_actor(), i, f.reason.data, now=utcnow()
        ),
    )


@bp.post("/safeguarding/<int:incident_id>/reopen")
@allow("work_incidents")
def reopen(incident_id: int) -> ResponseReturnValue:
    return _work(
        incident_id,
        "reopen",
        ReopenForm,
        lambda i, f: services.reopen(
            get_session(),
            current_actor(),
            i,
            f.reason.data,
            None if f.carers.data == KEEP_CONTACT else ParentContact(f.carers.data),
            f.review_on.data,
            now=utcnow(),
            today=school_today(),
            checked=bool(f.checked.data),
            pupil_id=f.family(),
        ),
    )


@bp.post("/safeguarding/<int:incident_id>/lesson")
@allow("work_incidents")
def follow_up_lesson(incident_id: int) -> ResponseReturnValue:
    """Learning follows the worry: the fitting lesson goes on the pupil's map, next."""
    return _work(
        incident_id,
        "lesson",
        FollowUpForm,
        lambda i, f: services.add_follow_up_lesson(
            get_session(),
            current_actor(),
            i,
            int(f.pupil_id.data),
            f.lesson_id.data,
            request_catalogue(),
            f.reason.data,
            now=utcnow(),
        ),
    )


# --- The chosen adult -------------------------------------------------------------------------


@bp.post("/safeguarding/<int:incident_id>/chosen-adult")
@allow("work_incidents")
def chosen_adult(incident_id: int) -> ResponseReturnValue:
    """The chosen adult is not on duty or is the subject of the worry: someone else will go."""
    return _work(
        incident_id,
        "chosen",
        ChosenAdultForm,
        lambda i, f: services.set_aside_chosen_adult(
            get_session(),
            current_actor(),
            i,
            f.why.data,
            int(f.instead_id.data),
            now=utcnow(),
            base_url=_base_url(),
        ),
    )


@bp.post("/safeguarding/<int:incident_id>/about-staff")
@allow("work_incidents")
def subject_staff(incident_id: int) -> ResponseReturnValue:
    """The worry is about a member of staff: the record closes to them."""
    return _work(
        incident_id,
        "subject",
        SubjectStaffForm,
        lambda i, f: services.set_subject_staff(
            get_session(),
            current_actor(),
            i,
            _chosen_id(f.subject_id.data),
            now=utcnow(),
            base_url=_base_url(),
        ),
    )


def _chosen_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


# --- Alerts: the badge, and each person's alert list ------------------------------------------


def unacknowledged_count() -> int:
    """The badge on every staff page for the safeguarding team."""
    return services.unacknowledged_count(get_session(), current_actor())


@bp.get("/alerts/count")
@allow("work_incidents")
@passive
def alert_count() -> ResponseReturnValue:
    """A tiny answer the badge polls every few seconds; 304 when nothing changed (ETag)."""
    count = services.unacknowledged_count(get_session(), current_actor())
    response = jsonify(count=count)
    response.set_etag(f"alerts-{count}")
    return response.make_conditional(request)


def _alert_rows(account: Account) -> list[dict[str, Any]]:
    sends = policy.has_right(account, "transfer_cp_files")
    return [
        {
            "alert": alert,
            "text": _alert_text(alert, incident, sends),
            "incident": incident,
            # A file sent without a record: one who may send files sends a complete one.
            "cp_file": services.gap_pupil_id(alert) if sends else None,
        }
        for alert, incident in services.shown_alerts(get_session(), account, now=utcnow())
    ]


def _alert_text(alert: Any, incident: Incident | None, sends: bool = False) -> str:
    if incident is None:  # about a colleague (services.WORK_LEFT): its words were kept
        return str(alert.note)
    if alert.kind == services.CP_FILE_GAP:  # names nobody: the pupil is on the page it opens
        gap = "A child-protection file was sent without a record its sender may not see"
        if sends:
            return f"{gap}: send a complete file"
        return f"{gap} ({incident.reference}): a DSL or deputy who may see it must send it again"
    if alert.kind == "chosen":
        reporter = incident.reporter
        return services.chosen_adult_message(reporter) if reporter else "A pupil chose you"
    if alert.kind == "reminder":
        return f"Still not acknowledged: {incident.reference}"
    if alert.kind == services.STAFF_SUBJECT:
        return f"A worry about a member of staff needs you: {incident.reference}"
    return f"New worry or concern: {incident.reference}"


@bp.get("/alerts/")
@allow("staff")
def alerts() -> ResponseReturnValue:
    """This person's in-app alerts: new worries, re-alerts, and pupils who chose them."""
    actor = current_actor()
    assert isinstance(actor, Account)  # noqa: S101 - the "staff" rule
    return render_template(
        "worries/alerts.html",
        rows=_alert_rows(actor),
        can_open=lambda incident: (
            incident is not None and policy.can_work_incident(actor, incident)
        ),
    )


@bp.post("/alerts/<int:alert_id>/seen")
@allow("staff")
def alert_seen(alert_id: int) -> ResponseReturnValue:
    actor = current_actor()
    assert isinstance(actor, Account)  # noqa: S101 - the "staff" rule
    db = get_session()
    try:
        services.mark_alert_seen(db, actor, alert_id, now=utcnow())
        # The held-work page marks all of this person's alerts about that colleague at once.
        for also in request.form.getlist("also", type=int):
            services.mark_alert_seen(db, actor, also, now=utcnow())
    except LookupError:
        abort(404)
    # Back to the page it was marked from (a colleague's held work), if a path on this site.
    back = safe_path(request.form.get("next"), "")
    return redirect(back or url_for("worries.alerts", _anchor=f"alert-{alert_id}"))
