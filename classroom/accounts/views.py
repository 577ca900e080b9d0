"""Staff and parent sign-in, sign-out, and changes to one's own password and email address."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import validate_csrf
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms.validators import ValidationError

from classroom.accounts import email_change, services, two_factor
from classroom.accounts.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmAppForm,
    ConfirmOwnAppForm,
    NewRecoveryCodesForm,
    SignInForm,
    StaffEmailForm,
    StartForm,
)
from classroom.accounts.models import Account, UserSession
from classroom.accounts.redirects import safe_path
from classroom.audit.services import record
from classroom.db import get_session, keep, utcnow
from classroom.devices.web import current_device
from classroom.errors import Invalid, Throttled
from classroom.policy import allow
from classroom.qr import qr_code
from classroom.web import client_ip, passive, school_zone, sign_in_settings

bp = Blueprint("accounts", __name__)

PENDING = "pending_sign_in"
PENDING_MINUTES = 10  # the code step must follow the password step promptly
REMEMBER_COOKIE = "classroom_remembered_ipad"
# Kept in the browser's cleared session at sign-out: the account that signed out here.
LEFT_BY = "signed_out_account"
# The header in which session-watch.js names the session its page was drawn for (session_alive).
PAGE_HEADER = "X-Page-Token"
# In the session while she sets up a new phone: its secret, sealed, until its first code is typed.
NEW_PHONE = "two_step_new_phone"
# Why a half-done sign-in was sent back to sign-in (`changed_since`): said there, and audited.
SIGN_IN_AGAIN = {
    "password": "Your password was changed. Sign in again.",
    "two_step": "Your two-step sign-in was changed. Sign in again.",
}
CHANGED_AFTER = {
    "password": "password changed after the password step",
    "two_step": "two-step sign-in changed after the password step",
}


@bp.route("/sign-in", methods=["GET", "POST"])
@allow("public")
def sign_in() -> ResponseReturnValue:
    """Username and password sign-in for staff and parents/carers."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = SignInForm()
    if not form.validate_on_submit():
        again = SIGN_IN_AGAIN.get(request.args.get("again", "")) if not form.errors else None
        return _sign_in_page(form, again), 400 if form.errors else 200
    db = get_session()
    try:
        account = services.authenticate(
            db,
            form.username.data,
            form.password.data,
            client_ip(),
            now=utcnow(),
            settings=sign_in_settings(),
        )
    except (Invalid, Throttled) as problem:
        keep(db)  # the failed attempt persists through the 4xx: it is what throttling counts
        code = 429 if isinstance(problem, Throttled) else 401
        return _sign_in_page(form, problem.message), code
    target = _where_next(db, account)
    if two_factor.is_enrolled(db, account):
        cookie = request.cookies.get(REMEMBER_COOKIE)
        if two_factor.remembered(db, account, cookie, now=utcnow()):
            record(db, account, "two_factor.remembered_device_used", account)
            return redirect(_finish_sign_in(db, account, target))
        return _second_step(account, target, "accounts.sign_in_code")
    if two_factor.is_required(account):
        return _second_step(account, target, "accounts.sign_in_enrol")
    return redirect(_finish_sign_in(db, account, target))


def _sign_in_page(form: SignInForm, error: str | None = None) -> str:
    """The form; on a class iPad (staff signed out, or Staff sign in tapped by mistake) with
    the way back to its tiles, for the pupil who picks it up next."""
    tiles = current_device() is not None
    return render_template("accounts/sign_in.html", form=form, error=error, class_ipad=tiles)


def _where_next(db: Session, account: Account) -> str:
    """The page sign-in was asked from (`next`), only for whoever was last signed in on this
    browser, or on one nobody was: on a shared phone or iPad, someone pressing Back after
    another signed out (or timed out) is sent home, not to a page of the other's (another
    child's news is "Page not found" for them, and would be audited as their refused look)."""
    home = url_for("core.home")
    before = session.get(LEFT_BY)
    token = session.get("_user_id")
    if not isinstance(before, int) and isinstance(token, str):
        before = services.account_of_token(db, token)
    if isinstance(before, int) and before != account.id:
        return home
    return safe_path(request.args.get("next"), home)


def _finish_sign_in(db: Session, account: Account, target: str) -> str:
    """Start the server-side session; returns where to go next."""
    now = utcnow()
    expires_at = services.staff_session_expiry(now=now, settings=sign_in_settings())
    new = services.start_session(db, expires_at, client_ip(), account=account, now=now)
    session.clear()  # a fresh session: nothing carries over from whoever used this browser
    account.flask_login_id = new.token
    login_user(account)
    if target != url_for("core.home") and services.password_expired(
        account, now=now, settings=sign_in_settings()
    ):
        # Every page waits for the new password; the page she was going to waits with it.
        return url_for("accounts.change_password", next=target)
    return target


def _second_step(account: Account, target: str, endpoint: str) -> ResponseReturnValue:
    """The password was right; nobody is signed in until the code step is done too."""
    session.clear()
    now = utcnow()
    until = now + timedelta(minutes=PENDING_MINUTES)
    session[PENDING] = {
        "id": account.id,
        "next": target,
        "since": now.isoformat(),
        "until": until.isoformat(),
    }
    return redirect(url_for(endpoint))


def _pending_account() -> tuple[Account, str] | Response:
    """The account whose password was just right, and where it was going, if still fresh;
    otherwise the way back to sign-in. A sign-in half done when her password or two-step
    sign-in changed (`services.changed_since`) ends as her other sessions did: it is refused,
    audited, and sign-in says why."""
    start_again = redirect(url_for("accounts.sign_in"))
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or current_user.is_authenticated:
        return start_again
    db = get_session()
    try:
        since = datetime.fromisoformat(str(pending["since"]))
        until = datetime.fromisoformat(str(pending["until"]))
        account = db.get(Account, int(pending["id"]))
    except (KeyError, TypeError, ValueError):
        return start_again
    if account is None or not account.active or utcnow() >= until:
        return start_again
    target = safe_path(pending.get("next"), url_for("core.home"))
    changed = services.changed_since(db, account, since)
    if changed is not None:
        session.pop(PENDING, None)
        record(db, account, "sign_in.refused", account, CHANGED_AFTER[changed])
        going = target if target != url_for("core.home") else None
        return redirect(url_for("accounts.sign_in", again=changed, next=going))
    return account, target


@bp.route("/sign-in/code", methods=["GET", "POST"])
@allow("public")
def sign_in_code() -> ResponseReturnValue:
    """The second step: a code from the authenticator app (or a recovery code)."""
    found = _pending_account()
    if isinstance(found, Response):
        return found
    account, target = found
    form = CodeForm()
    show = {"form": form, "may_remember": two_factor.may_remember(account)}
    if not form.validate_on_submit():
        return render_template("accounts/code.html", **show), 400 if form.errors else 200
    db = get_session()
    try:
        recovery = two_factor.verify(
            db, account, form.code.data, client_ip(), now=utcnow(), settings=sign_in_settings()
        )
    except (Invalid, Throttled) as problem:
        keep(db)  # the failed attempt persists through the 4xx: it is what throttling counts
        code = 429 if isinstance(problem, Throttled) else 401
        return render_template("accounts/code.html", error=problem.message, **show), code
    if recovery:
        # Her phone is likely lost or replaced: the page she lands on says, this once, how
        # many recovery codes are left and where to set up a new phone, then leads her on.
        target = url_for("accounts.two_step", recovered=1, next=target)
    token = None
    if form.remember.data and two_factor.may_remember(account):
        label = request.user_agent.string[:60]
        token = two_factor.remember_device(db, account, label, now=utcnow())
    response = redirect(_finish_sign_in(db, account, target))
    if token:
        _set_remember_cookie(response, token)
    return response


def _set_remember_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        REMEMBER_COOKIE,
        token,
        max_age=two_factor.REMEMBER_DAYS * 86400,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config["SECURE_COOKIES"]),
    )


@bp.route("/sign-in/set-up-app", methods=["GET", "POST"])
@allow("public")
def sign_in_enrol() -> ResponseReturnValue:
    """Safeguarding team, head and admins set up their app before their first page."""
    found = _pending_account()
    if isinstance(found, Response):
        return found
    account, target = found
    if two_factor.is_enrolled(get_session(), account):
        return redirect(url_for("accounts.sign_in_code"))
    return _enrol_step(account, lambda db: _finish_sign_in(db, account, target))


def _enrol_step(
    account: Account, finish: Callable[[Session], str], *, ask_password: bool = False
) -> ResponseReturnValue:
    """Start (a new secret and its QR code) or confirm (a code from the app) enrolment; from
    one's own account page (`ask_password`) confirming needs the password too."""
    db = get_session()
    if request.method == "GET" or not StartForm().validate_on_submit():
        return render_template("accounts/enrol.html", start=StartForm(), account=account)
    confirm = ConfirmOwnAppForm() if ask_password else ConfirmAppForm()
    instance = Path(current_app.instance_path)
    if request.form.get("step") != "confirm":
        secret = two_factor.start_enrolment(db, account, now=utcnow(), instance=instance)
        return _enrol_page(account, secret, confirm)
    row = two_factor.enrolment(db, account)
    shown = (two_factor.open_secret(instance, row) if row else None) or ""
    if row is None or not confirm.validate():
        return _enrol_page(account, shown, confirm, status=400)
    try:
        codes = _confirm(db, account, confirm)
    except (Invalid, Throttled) as problem:
        keep(db)  # a failed password or code persists through the 4xx: throttling counts it
        # Too many tries: said by the first box, the password where the page asks for it.
        first = "password" if ask_password else "code"
        field = getattr(problem, "field", None) or first
        getattr(confirm, field, confirm.code).errors.append(problem.message)
        status = 429 if isinstance(problem, Throttled) else 400
        return _enrol_page(account, shown, confirm, status)
    target = finish(db)
    return render_template("accounts/recovery_codes.html", codes=codes, target=target)


def _confirm(db: Session, account: Account, form: ConfirmAppForm) -> list[str]:
    """Turn two-step sign-in on with the typed code (and password, where the form asks)."""
    settings = sign_in_settings()
    if isinstance(form, ConfirmOwnAppForm):
        return two_factor.confirm_own_enrolment(
            db,
            account,
            form.password.data,
            form.code.data,
            client_ip(),
            now=utcnow(),
            settings=settings,
        )
    return two_factor.confirm_enrolment(
        db, account, form.code.data, client_ip(), now=utcnow(), settings=settings
    )


def _enrol_page(
    account: Account,
    secret: str,
    form: ConfirmAppForm,
    status: int = 200,
    *,
    moving: bool = False,
) -> ResponseReturnValue:
    """The QR code and key of a new secret, and the box for its first code (`moving`: to a
    new phone, two-step sign-in already on)."""
    issuer = str(current_app.config.get("SCHOOL_NAME", two_factor.ISSUER))
    qr = qr_code(two_factor.provisioning_uri(account, secret, issuer)) if secret else None
    spaced = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render_template(
        "accounts/enrol.html",
        account=account,
        qr=qr,
        secret=spaced,
        form=form,
        moving=moving,
        start=StartForm(),
    ), status


@bp.route("/account/two-step", methods=["GET", "POST"])
@allow("staff")
def two_step() -> ResponseReturnValue:
    """Set up two-step sign-in (optional for class staff), see and forget remembered iPads."""
    account = current_user._get_current_object()  # noqa: SLF001
    db = get_session()
    if request.method == "POST" and not two_factor.is_enrolled(db, account):
        # Signed in, not just past the password: someone else may be at this computer.
        back = url_for("accounts.two_step")
        return _enrol_step(account, lambda _db: back, ask_password=True)
    return render_template(
        "accounts/two_step.html",
        recovered=bool(request.args.get("recovered")),
        going_on=safe_path(request.args.get("next"), url_for("core.home")),
        enrolled=two_factor.is_enrolled(db, account),
        required=two_factor.is_required(account),
        devices=two_factor.remembered_devices(db, account, now=utcnow()),
        unused=two_factor.unused_recovery_codes(db, account),
        few=two_factor.FEW_RECOVERY_CODES,
        already_made=two_factor.ALREADY_MADE if request.args.get("codes") == "made" else None,
        start=StartForm(),
    )


@bp.route("/account/two-step/new-phone", methods=["GET", "POST"])
@allow("staff")
def two_step_new_phone() -> ResponseReturnValue:
    """Move two-step sign-in to a new phone: a new secret and its QR code as at enrolment, then
    her password and the new phone's first code; only then does the old phone stop working."""
    account = current_user._get_current_object()  # noqa: SLF001
    db = get_session()
    if not two_factor.is_enrolled(db, account):
        return redirect(url_for("accounts.two_step"))
    instance = Path(current_app.instance_path)
    if request.method == "GET" or not StartForm().validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template(
            "accounts/enrol.html", start=StartForm(), account=account, moving=True, form=None
        ), status
    form = ConfirmOwnAppForm()
    if request.form.get("step") != "confirm":
        secret, fresh = two_factor.start_new_phone(db, account, instance=instance)
        session[NEW_PHONE] = base64.b64encode(fresh).decode("ascii")
        return _enrol_page(account, secret, form, moving=True)
    sealed = _new_phone_sealed()
    shown = two_factor.open_new_phone(instance, account.id, sealed) if sealed else None
    if not sealed or not shown:
        form.code.errors = [two_factor.START_AGAIN]
        return _enrol_page(account, "", form, 400, moving=True)
    if not form.validate():
        return _enrol_page(account, shown, form, 400, moving=True)
    try:
        codes = two_factor.confirm_new_phone(
            db,
            account,
            sealed,
            form.password.data,
            form.code.data,
            client_ip(),
            keep_session_id=g.user_session.id,
            now=utcnow(),
            settings=sign_in_settings(),
        )
    except (Invalid, Throttled) as problem:
        keep(db)  # a failed password or code persists through the 4xx: throttling counts it
        field = getattr(problem, "field", None) or "password"
        getattr(form, field, form.password).errors.append(problem.message)
        status = 429 if isinstance(problem, Throttled) else 400
        return _enrol_page(account, shown, form, status, moving=True)
    session.pop(NEW_PHONE, None)
    target = url_for("accounts.two_step")
    return render_template("accounts/recovery_codes.html", codes=codes, target=target, moved=True)


def _new_phone_sealed() -> bytes | None:
    """The new phone's sealed secret this browser's session holds, if any."""
    held = session.get(NEW_PHONE)
    if not isinstance(held, str):
        return None
    try:
        return base64.b64decode(held.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None


@bp.route("/account/two-step/recovery-codes", methods=["GET", "POST"])
@allow("staff")
def two_step_recovery_codes() -> ResponseReturnValue:
    """Ten new recovery codes (her password first); the old ones stop working."""
    account = current_user._get_current_object()  # noqa: SLF001
    db = get_session()
    if not two_factor.is_enrolled(db, account):
        return redirect(url_for("accounts.two_step"))
    form = NewRecoveryCodesForm()
    if request.method == "GET":
        form.made_after.data = two_factor.recovery_codes_mark(db, account)
    if not form.validate_on_submit():
        page = render_template("accounts/new_recovery_codes.html", form=form)
        return page, 400 if form.errors else 200
    try:
        codes = two_factor.remake_recovery_codes(
            db,
            account,
            form.password.data,
            client_ip(),
            mark=form.made_after.data or "",
            keep_session_id=g.user_session.id,
            now=utcnow(),
            settings=sign_in_settings(),
        )
    except (Invalid, Throttled) as problem:
        if getattr(problem, "field", None) == "made_after":
            return redirect(url_for("accounts.two_step", codes="made"))
        keep(db)  # a wrong password persists through the 4xx: throttling counts it
        form.password.errors.append(problem.message)
        status = 429 if isinstance(problem, Throttled) else 400
        return render_template("accounts/new_recovery_codes.html", form=form), status
    target = url_for("accounts.two_step")
    return render_template("accounts/recovery_codes.html", codes=codes, target=target, remade=True)


@bp.post("/account/two-step/devices/<int:device_id>/forget")
@allow("staff")
def forget_device(device_id: int) -> ResponseReturnValue:
    """Revoke a remembered iPad: it asks for a code again at the next sign-in."""
    account = current_user._get_current_object()  # noqa: SLF001
    db = get_session()
    try:
        two_factor.forget_device(db, account, device_id, now=utcnow())
    except LookupError:
        abort(404)
    return redirect(url_for("accounts.two_step", forgotten=1))


@bp.post("/sign-out")
@allow("signed_in")
def sign_out() -> ResponseReturnValue:
    """End the session on the server, so a copied cookie no longer works.

    A class iPad goes on to its tiles, for the pupil who picks it up next (the teacher enrols
    it, signs out, and the tiles appear); any other browser to the sign-in page. Either way the
    browser's HTTP cache is cleared, so Back fetches a staff page again, and finds no one signed
    in. Only "cache": "cookies" would drop the class iPad's own cookie (un-enrolling it), and
    "storage" would unregister its service worker and wipe the worry outbox of a pupil's worry
    not yet sent.
    """
    db = get_session()
    row: UserSession | None = g.get("user_session")
    if row is not None:
        services.end_session(row, "signed_out", now=utcnow())
    leaving = current_user._get_current_object()  # noqa: SLF001
    record(db, leaving, "sign_out")
    logout_user()
    session.clear()
    if isinstance(leaving, Account):
        session[LEFT_BY] = leaving.id  # whoever signs in next here is not sent to their pages
    on_class_ipad = current_device() is not None
    response = redirect(url_for("ipad.start" if on_class_ipad else "accounts.sign_in"))
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.get("/session/alive")
@allow("account")
@passive
def session_alive() -> ResponseReturnValue:
    """Whether the session a page was shown in still holds (static/js/session-watch.js asks):
    204 if so; once it has ended, the refusal's redirect to sign-in. Passive, so asking never
    keeps a session alive that its idle time-out should end.

    The page sends its form token (header PAGE_HEADER), made for the session it was drawn in.
    On a shared laptop the DSL's session can time out in one tab while the next person signs
    in in another: the browser's cookie is then alive again, but it is the teacher's, and the
    DSL's record must not stay on the screen. A token of another session is a 403.
    """
    token = request.headers.get(PAGE_HEADER)
    if token is not None:
        try:
            validate_csrf(token)
        except ValidationError:
            return "", 403, {"Cache-Control": "no-store"}
    return "", 204, {"Cache-Control": "no-store"}


@bp.route("/account/password", methods=["GET", "POST"])
@allow("account")
def change_password() -> ResponseReturnValue:
    """Change one's own password (also where an expired or reset password leads)."""
    account = current_user._get_current_object()  # noqa: SLF001
    form = ChangePasswordForm()
    expired = services.password_expired(account, now=utcnow(), settings=sign_in_settings())
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("accounts/password.html", form=form, expired=expired), status
    db = get_session()
    try:
        services.change_password(
            db,
            account,
            form.current_password.data,
            form.new_password.data,
            g.user_session.id,
            ip=client_ip(),
            now=utcnow(),
            sign_in=sign_in_settings(),
        )
    except (Invalid, Throttled) as problem:
        _refused(db, problem)
        field = getattr(problem, "field", None) or "current_password"
        getattr(form, field, form.current_password).errors.append(problem.message)
        status = 429 if isinstance(problem, Throttled) else 400
        return render_template("accounts/password.html", form=form, expired=expired), status
    return redirect(_after_password_change(account))


def _after_password_change(account: Account) -> str:
    """The page sign-in was going to when it asked for a new password first, else one's own
    start page, saying the change is made (the staff dashboard says so; core.home would pass
    the browser on to it without saying)."""
    going = safe_path(request.args.get("next"), "")
    if going:
        return going
    if account.is_staff:
        return url_for("pupils.dashboard", changed=1)
    return url_for("core.home", changed=1)


def _refused(db: Session, problem: Invalid | Throttled) -> None:
    """Undo a refused change, keeping a wrong password's count and audit first: throttling
    counts it, and the request's end would roll it back with the 4xx."""
    if isinstance(problem, services.WrongPassword):
        keep(db)
    db.rollback()


@bp.route("/account/email", methods=["GET", "POST"])
@allow("staff")
def change_email() -> ResponseReturnValue:
    """A member of staff changes or removes the address their emails go to (password first), as
    carers do theirs (/family/settings/email): the same steps, in accounts/email_change.py."""
    account = current_user._get_current_object()  # noqa: SLF001
    typed = {"email": account.email or ""} if request.method == "GET" else None
    form = StaffEmailForm(data=typed)
    if not form.validate_on_submit():
        return _email_page(account, form), 400 if form.errors else 200
    db = get_session()
    try:
        outcome = email_change.change_own_staff_email(
            db,
            account,
            form.password.data,
            form.email.data,
            understood=bool(form.understood.data),
            ip=client_ip(),
            now=utcnow(),
            sign_in=sign_in_settings(),
            zone=school_zone(),
            base_url=str(current_app.config["BASE_URL"]),
        )
    except (Invalid, Throttled) as problem:
        _refused(db, problem)
        field = getattr(problem, "field", None) or "password"
        getattr(form, field, form.password).errors.append(problem.message)
        return _email_page(account, form), 429 if isinstance(problem, Throttled) else 400
    return redirect(url_for("accounts.change_email", email=outcome))


def _email_page(account: Account, form: StaffEmailForm) -> str:
    """The page, with the address as it is now and the box as it was typed (the check keeps a
    domain in other alphabets in IDNA, which is stored; the person sees what they typed)."""
    if form.email.raw_data:
        form.email.data = form.email.raw_data[0]
    return render_template(
        "accounts/email.html",
        form=form,
        address=account.email,
        team=email_change.on_the_team(account),
        no_alert_emails=email_change.NO_ALERT_EMAILS,
        done=email_change.OUTCOMES.get(request.args.get("email", "")),
    )
