"""Staff and parent sign-in, sign-out and password changes."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from classroom.accounts import services
from classroom.accounts.forms import ChangePasswordForm, SignInForm
from classroom.accounts.models import UserSession
from classroom.accounts.redirects import safe_path
from classroom.audit.services import record
from classroom.db import get_session, keep
from classroom.errors import Invalid, Throttled
from classroom.policy import allow
from classroom.web import client_ip

bp = Blueprint("accounts", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@allow("public")
def sign_in() -> ResponseReturnValue:
    """Username and password sign-in for staff and parents/carers."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("accounts/sign_in.html", form=form), 400 if form.errors else 200
    db = get_session()
    try:
        account = services.authenticate(db, form.username.data, form.password.data, client_ip())
    except (Invalid, Throttled) as problem:
        keep(db)  # the failed attempt persists through the 4xx: it is what throttling counts
        code = 429 if isinstance(problem, Throttled) else 401
        return render_template("accounts/sign_in.html", form=form, error=problem.message), code
    new = services.start_session(db, services.staff_session_expiry(), client_ip(), account=account)
    db.commit()
    session.clear()  # a fresh session: nothing carries over from whoever used this browser
    account.flask_login_id = new.token
    login_user(account)
    return redirect(safe_path(request.args.get("next"), url_for("core.home")))


@bp.post("/sign-out")
@allow("signed_in")
def sign_out() -> ResponseReturnValue:
    """End the session on the server, so a copied cookie no longer works."""
    db = get_session()
    row: UserSession | None = g.get("user_session")
    if row is not None:
        services.end_session(db, row, "signed_out")
    record(db, current_user._get_current_object(), "sign_out")  # noqa: SLF001
    db.commit()
    logout_user()
    session.clear()
    response = redirect(url_for("accounts.sign_in"))
    response.headers["Clear-Site-Data"] = '"cache"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@allow("account")
def change_password() -> ResponseReturnValue:
    """Change one's own password (also where an expired or reset password leads)."""
    account = current_user._get_current_object()  # noqa: SLF001
    form = ChangePasswordForm()
    expired = services.password_expired(account)
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("accounts/password.html", form=form, expired=expired), status
    db = get_session()
    try:
        services.change_password(
            db, account, form.current_password.data, form.new_password.data, g.user_session.id
        )
    except Invalid as problem:
        getattr(form, problem.field or "new_password").errors.append(problem.message)
        return render_template("accounts/password.html", form=form, expired=expired), 400
    db.commit()
    return redirect(url_for("core.home", changed=1))
