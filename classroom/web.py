"""Request plumbing shared by every page: sign-in state, access rules, CSRF and headers."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import (
    Flask,
    Request,
    abort,
    current_app,
    g,
    has_request_context,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask.globals import request_ctx
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.typing import ResponseReturnValue
from flask.wrappers import Response as FlaskResponse
from flask_login import LoginManager, current_user, user_logged_out
from flask_wtf.csrf import CSRFProtect, generate_csrf
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.exceptions import Forbidden, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map, RequestRedirect
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

from classroom import localtime, policy
from classroom.accounts import passwords
from classroom.accounts import services as accounts
from classroom.accounts.models import Account, UserSession
from classroom.audit.models import AuditTier
from classroom.audit.services import CLIENT_ADDRESS, record, recorded_since
from classroom.config import parse_holidays
from classroom.db import (
    end_unit_of_work,
    finish_read,
    get_session,
    keep,
    utcnow,
    write_intent,
)
from classroom.devices import web as devices
from classroom.devices.models import Device
from classroom.errors import Invalid, Refusal, on_refusal, report_refusal
from classroom.forms import Form
from classroom.principals import Actor, Anonymous, PupilPrincipal

csrf = CSRFProtect()
login_manager = LoginManager()

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

# Pages a person with an expired password may still reach.
PASSWORD_CHANGE_ENDPOINTS = {
    "accounts.change_password",
    "accounts.sign_out",
    "static",
    "core.health",
}
READ_ONLY_ENDPOINTS = {"static", "core.health", "symbols.image", "speech.audio", "speech.timings"}
# Responses that set their own caching: symbols and lesson audio hold no personal data.
SELF_CACHED_ENDPOINTS = {"static", "symbols.image", "speech.audio", "speech.timings"}
# The installed app's manifest, root icons and service worker (classroom/installed) likewise.
SELF_CACHED_ENDPOINTS |= {
    "installed.manifest", "installed.favicon", "installed.apple_touch_icon",
    "installed.service_worker",
}
# Requests that read: their transaction begins deferred and never waits for the write lock.
READING_METHODS = {"GET", "HEAD", "OPTIONS"}

# Cached speech clips, served like static files: a session token this worker accepted in the
# last minute lets them through without a database query. (A sign-out in this worker takes
# effect at once; one elsewhere within RECENT_SECONDS, for these clips only.)
FAST_FILE_ENDPOINTS = {"speech.audio", "speech.timings"}
RECENT_SECONDS = 60.0
# Answers to requests for what is not there never save the session (see SessionCookies).
STRAY_STATUSES = {404, 405}
_recent_tokens: dict[str, float] = {}
# The largest number a record's id (or a count) can be: PostgreSQL's integer columns. A number
# past it in a URL or a form can name no record; given to the database it fails the request.
LARGEST_NUMBER = 2**31 - 1
URLS_REMEMBERED = 20_000
# Each session's CSRF token, signed once per worker (see csrf_token).
# Session cookies checked once per worker (SessionCookies.open_session), and the values kept.
COOKIES_REMEMBERED = 10_000
PLAIN = frozenset({str, int, float, bool, type(None)})
# A refused address is audited once in this long per person (audit_refusal): a page left open
# that polls what its viewer may no longer reach (the safeguarding queue after a role change)
# would otherwise write an entry every few seconds all day.
REFUSALS_APART = timedelta(minutes=5)
_signed_csrf: dict[tuple[str, str], str] = {}

View = TypeVar("View", bound=Callable[..., Any])
T = TypeVar("T")


def passive(view: View) -> View:
    """Mark a view a page polls by itself (a live count, a badge): it is no sign of a person.

    A passive request neither notes the session's last-seen time nor renews its cookie, so the
    idle time-out still ends the session of someone who walked away with the page open.
    """
    view.passive = True  # type: ignore[attr-defined]
    return view


def is_passive() -> bool:
    """Whether this request is to a passive view (see `passive`)."""
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "passive", False))


class TextRequest(Request):
    """A request whose form text holds no NUL character and whose line breaks are one
    character each, for every form and view at once.

    No keyboard types a NUL, but pasted or forged text can carry it: SQLite keeps it, and
    PostgreSQL refuses the whole row (a 500, and the note someone wrote was lost). Taken out
    where the text comes in, the same text behaves the same on both.

    A browser sends each line break as CR LF, while a text box's maxlength counts it as one:
    text the box accepted would be over the server's limit by one per line. As LF, the two agree.
    """

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None and any(_unusual(v) for _k, v in form.items(multi=True)):
            cleaned = [(k, _plain_text(v)) for k, v in form.items(multi=True)]
            self.__dict__["form"] = self.parameter_storage_class(cleaned)


def _unusual(value: str) -> bool:
    return "\x00" in value or "\r" in value


def _plain_text(value: str) -> str:
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed cookie, not renewed by a passive request unless the request changed it,
    and checked once per worker while it stays the same (see `open_session`)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}
        # A checked cookie: its values and when it was signed, by (keys, the cookie's text).
        self._opened: dict[tuple[tuple[Any, ...], str], tuple[dict[str, Any], int]] = {}

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Flask's open_session, without checking the signature again of a cookie this worker
        has already checked: the same text signed by the same keys has the same answer.

        A session cookie stays the same from request to request (it is not permanent, so it is
        only set again when it changes), and checking it was a twentieth of a page. Its age is
        still checked every time, as itsdangerous does. Only cookies of plain values are kept,
        so no request can change what the next one finds (flashed messages are a list).
        """
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        text = request.cookies.get(self.get_cookie_name(app))
        if not text:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (self._keys(app), text)
        known = self._opened.get(key)
        if known is None:
            try:
                data, signed = serializer.loads(text, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            known = (data, int(signed.timestamp()))
            if isinstance(data, dict) and all(type(v) in PLAIN for v in data.values()):
                if len(self._opened) >= COOKIES_REMEMBERED:
                    self._opened.clear()  # a bound, not a policy: forgetting costs a check
                self._opened[key] = known
        data, signed_at = known
        if not 0 <= int(time.time()) - signed_at <= max_age:
            return self.session_class()  # expired, as itsdangerous would say
        return self.session_class(data)

    @staticmethod
    def _keys(app: Flask) -> tuple[Any, ...]:
        return (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if is_passive() and not session.modified:
            return False
        return super().should_set_cookie(app, session)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Made once per key, not on every request: it only holds the keys and settings.
        keys = self._keys(app)
        made = self._serializers.get(keys)
        if made is None:
            made = self._serializers[keys] = super().get_signing_serializer(app)
        return made

    def save_session(self, app: Flask, session: SessionMixin, response: FlaskResponse) -> None:
        # A stray request (Safari's apple-touch-icon, Chromium's favicon) can race the page a
        # person is on and carry the cookie from a step before. Its 404 page makes a CSRF token,
        # and saving that session would replace the one the page's form was signed against, so
        # the person's next tap fails as "expired". A page that does not exist changes nobody.
        if response.status_code in STRAY_STATUSES:
            return
        super().save_session(app, session, response)


class RecordNumber(IntegerConverter):
    """The `int` of every route: a number past LARGEST_NUMBER names no page (404), instead of
    reaching the database and failing there (a 500)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_NUMBER)
        super().__init__(url_map, *args, **kwargs)


def whole_number(text: str) -> int:
    """A whole number from a form or query string, as `type=whole_number`: one out of range is
    refused like one that is not a number (the field's default, or None)."""
    value = int(text)
    if not -LARGEST_NUMBER <= value <= LARGEST_NUMBER:
        raise ValueError(text)
    return value


def requested_page() -> int:
    """The page of a list asked for in `?page=`: the first when it is missing, not a whole
    number, or too big to be one (a pager link never makes those)."""
    return max(1, request.args.get("page", 1, type=whole_number))


def init_app(app: Flask) -> None:
    """Configure cookies, CSRF, Flask-Login and the before/after request hooks."""
    secure = app.config["ENV"] == "production"
    app.config.update(
        SESSION_COOKIE_NAME="__Host-classroom" if secure else "classroom",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=int(app.config["STAFF_SESSION_HOURS"])),
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session, so a slow worry form never expires
        WTF_CSRF_SSL_STRICT=secure,
        SEND_FILE_MAX_AGE_DEFAULT=timedelta(days=365),
        SECURE_COOKIES=secure,
    )
    app.wsgi_app = StrictHeaders(  # type: ignore[method-assign]
        app.wsgi_app, strict_headers(secure), strict_headers(secure, microphone=True)
    )
    if int(app.config["TRUSTED_PROXIES"]):
        n = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.url_map.converters["int"] = RecordNumber  # before any route is added
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions live on the server; see load_principal
    login_manager.anonymous_user = Anonymous
    login_manager.user_loader(load_principal)
    app.session_interface = SessionCookies()
    user_logged_out.connect(_forget_token, app)
    passwords.configure(int(app.config.get("ARGON2_MEMORY_KIB", passwords.DEFAULT_MEMORY_KIB)))
    app.before_request(begin_request)
    app.after_request(security_headers)
    app.after_request(end_request)
    app.teardown_request(_forget_write_intent)
    on_refusal(audit_refusal)  # every 403: the error handlers' and a view's own (dispatch)
    _commit_after_the_view(app)
    _remember_urls(app)


def load_principal(token: str) -> Account | PupilPrincipal | None:
    """The account or pupil behind a session token, if that session is still live."""
    session = get_session()
    now = utcnow()
    row = accounts.live_session(session, token, now=now, settings=sign_in_settings())
    principal: Account | PupilPrincipal | None = None
    if row is not None and row.account_id is not None:
        account = row.account  # read with the session (accounts.live_session)
        principal = account if account is not None and account.active else None
    elif row is not None and row.pupil is not None:
        principal = _pupil_principal(row)
    if row is not None and principal is None:
        accounts.end_session(row, "no_longer_allowed", now=now)
    if row is not None and principal is not None:
        if not is_passive():
            # written with the request's work, or after a read (finish_read)
            accounts.touch(row, now=now)
        principal.flask_login_id = token
        g.user_session = row
        _note_token(token)
    else:
        _recent_tokens.pop(token, None)
    return principal


def _note_token(token: str) -> None:
    if len(_recent_tokens) > 10_000:  # a bound, not a policy: forgetting only costs a query
        _recent_tokens.clear()
    _recent_tokens[token] = time.monotonic() + RECENT_SECONDS


def _forget_token(_app: Flask, user: Any = None, **_extra: Any) -> None:
    _recent_tokens.pop(getattr(user, "flask_login_id", ""), None)


def recently_signed_in() -> bool:
    """Whether this request's session token was accepted by this worker in the last minute."""
    token = session.get("_user_id")
    expires = _recent_tokens.get(token, 0.0) if isinstance(token, str) else 0.0
    return expires > time.monotonic()


def _pupil_principal(row: UserSession) -> PupilPrincipal | None:
    # The pupil and the iPad were read with the session (accounts.live_session).
    pupil, device = row.pupil, _this_ipad(row.device)
    if pupil is None or device is None or device.id != row.device_id:
        return None
    if not policy.can_pupil_sign_in_on(pupil, device.class_id):
        return None
    return PupilPrincipal(pupil=pupil, device=device, session_id=row.id)


def _this_ipad(session_device: Device | None) -> Device | None:
    """The iPad this request comes from (devices.current_device): the session's own iPad, read
    with the session, if the request carries its cookie and it is not revoked; else looked up."""
    cookie = request.cookies.get(devices.cookie_name(), "")
    if (
        "device" not in g
        and cookie
        and session_device is not None
        and session_device.active
        and session_device.token_hash == accounts.token_hash(cookie)
    ):
        g.device = session_device  # what current_device() would find, without its query
    return devices.current_device()


def begin_request() -> ResponseReturnValue | None:
    """Enforce the route's access rule and the forced password change, before the view runs."""
    reading = request.method in READING_METHODS or request.endpoint in READ_ONLY_ENDPOINTS
    g.write_intent_token = write_intent.set(not reading)
    db = get_session()
    # A read flushes nothing until it ends: anything it must write is written after (finish_read).
    db.autoflush = not reading
    # Audit rows name the client this unit of work serves (audit.record reads it from here).
    db.info[CLIENT_ADDRESS] = request.remote_addr
    if request.endpoint is None:
        return None  # 404/405 follow
    if request.endpoint in FAST_FILE_ENDPOINTS and recently_signed_in():
        return None
    rule = "public" if request.endpoint == "static" else _rule_for(request.endpoint)
    actor = current_user._get_current_object()  # noqa: SLF001
    if (
        isinstance(actor, Account)
        and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS
        and accounts.password_expired(actor, now=utcnow(), settings=sign_in_settings())
    ):
        return redirect(url_for("accounts.change_password"))
    if policy.route_allows(rule, actor):
        return None
    return _refuse(rule, actor)


def _rule_for(endpoint: str) -> str:
    rule = policy.route_rule(current_app.view_functions[endpoint])
    if rule is None:
        current_app.logger.error("route %s has no access rule; refusing", endpoint)
        abort(403)
    return rule


def _refuse(rule: str, actor: object) -> Response:
    if isinstance(actor, PupilPrincipal):
        return redirect(url_for("ipad.home"))  # a pupil is never shown a staff page
    if isinstance(actor, Anonymous):
        if rule == "pupil":
            return redirect(url_for("ipad.start"))
        return redirect(url_for("accounts.sign_in", next=_back_after_sign_in()))
    if rule == "class_ipad":
        return redirect(url_for("core.home"))
    raise Forbidden


def _back_after_sign_in() -> str:
    """Where sign-in takes a refused request on to: the page itself, or for a form sent after
    her session timed out (the DSL interrupted while writing on a record) the nearest page
    above the form's address ("/safeguarding/7/notes" -> "/safeguarding/7"), never a form's
    address opened as a page ("Method not allowed")."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    adapter = request_ctx.url_adapter
    path = request.path.rstrip("/")
    while path and adapter is not None:
        try:
            adapter.match(path, method="GET")
            return path
        except RequestRedirect as moved:  # the page is at its address with a "/" added
            return urlsplit(moved.new_url).path
        except HTTPException:  # no page here (404), or a form's address only (405)
            path = path.rsplit("/", 1)[0]
    return "/"


# The one page that records a member of staff's voice (symbols.voice: voice-record.js) may ask
# for the microphone; every other page, pupils' included, may not.
MICROPHONE_PATHS = frozenset({"/symbols/voice"})


def strict_headers(secure: bool, *, microphone: bool = False) -> list[tuple[str, str]]:
    """The headers every response carries, errors included: the same for every one (but the
    microphone's, on MICROPHONE_PATHS)."""
    mic = "(self)" if microphone else "()"
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Frame-Options", "DENY"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("Permissions-Policy", f"camera=(), microphone={mic}, geolocation=(), payment=()"),
    ]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
    return headers


class StrictHeaders:
    """WSGI middleware: the strict headers added to every response as it is sent.

    They never change, so they are added to the list the server sends in one step, rather
    than one by one through Werkzeug's Headers after each view (a fortieth of every page).
    Being outside Flask, they are on every answer: errors, files, the ones Flask makes itself.
    """

    def __init__(
        self,
        app: WSGIApplication,
        headers: list[tuple[str, str]],
        microphone: list[tuple[str, str]] | None = None,
    ) -> None:
        self.app = app
        self.headers = headers
        self.microphone = microphone or headers  # for MICROPHONE_PATHS

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        mic = environ.get("PATH_INFO") in MICROPHONE_PATHS
        strict = self.microphone if mic else self.headers

        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            headers.extend(strict)
            return start_response(status, headers, *exc_info)

        return self.app(environ, start)


def security_headers(response: Response) -> Response:
    """No page is kept by the browser (the strict headers are StrictHeaders')."""
    if request.endpoint not in SELF_CACHED_ENDPOINTS or response.status_code not in (200, 206, 304):
        # Shared iPads: the back button must never show the previous person's pages. A file
        # route's refusal or 404 is no file: it must not be cached either.
        response.headers["Cache-Control"] = "no-store"
    return response


def _commit_after_the_view(app: Flask) -> None:
    """One unit of work per request: a writing request commits once, when its view returns a
    success; a 4xx or an error rolls back. Views and services only flush.

    This runs inside dispatch, so a failing commit is handled like an error in the view (a
    locked database answers 503) rather than after the response is final.
    """
    view_dispatch = app.dispatch_request

    def dispatch() -> ResponseReturnValue:
        response = app.make_response(view_dispatch())
        if response.status_code == 403:
            # A view that answers its own refusal with a page saying why (a TA turning on a
            # teacher-only lesson, a carer writing after their child left) is a refusal too.
            report_refusal()
        if write_intent.get() and "db_session" in g:
            end_unit_of_work(get_session(), response.status_code)
        return response

    app.dispatch_request = dispatch  # type: ignore[method-assign]


def _remember_urls(app: Flask) -> None:
    """Build each URL once per worker: the URL map never changes after start-up.

    A pupil page builds some 70 URLs (a symbol picture per word, the same buttons on every
    screen); building them with the URL map was an eighth of the page's time. The key holds
    everything a built URL depends on; what cannot be a key (a list of values) is built as usual.
    """
    build = app.url_for
    built: dict[tuple[Any, ...], str] = {}

    def url_for(endpoint: str, /, **values: Any) -> str:
        adapter = request_ctx.url_adapter if has_request_context() else None
        if adapter is None:
            return build(endpoint, **values)
        relative_to = request.blueprint if endpoint[:1] == "." else None
        key = (endpoint, relative_to, adapter.script_name, adapter.server_name,
               adapter.url_scheme, adapter.subdomain, *sorted(values.items()))  # fmt: skip
        try:
            url = built.get(key)
        except TypeError:  # an unhashable value
            return build(endpoint, **values)
        if url is None:
            url = build(endpoint, **values)
            if len(built) >= URLS_REMEMBERED:
                built.clear()  # a bound, not a policy: forgetting only costs building again
            built[key] = url
        return url

    app.url_for = url_for  # type: ignore[method-assign,assignment]  # templating.py hands it to Jinja


def _forget_write_intent(_error: BaseException | None) -> None:
    # Code that runs after a request in the same thread (a CLI command, a test) writes again,
    # and serves no client.
    token = g.pop("write_intent_token", None)
    if token is not None:
        write_intent.reset(token)
    if "db_session" in g:
        g.db_session.info.pop(CLIENT_ADDRESS, None)


def end_request(response: Response) -> Response:
    """A read ends here, then what it noted (last seen, audit) is written; whatever a writing
    request left uncommitted (its view failed) is rolled back."""
    if "db_session" not in g:
        return response
    if write_intent.get():
        get_session().rollback()
    else:
        finish_read(get_session(), fsync_views=bool(current_app.config["FSYNC_EACH_VIEW_AUDIT"]))
    return response


@cache
def _file_version(path: str, mtime: float) -> str:  # noqa: ARG001 - mtime keys the cache
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def static_url(filename: str) -> str:
    """A static URL with a content hash, so files can be cached for a year and still update.

    Worked out once per worker (the files change only with a new release, which restarts it);
    in debug mode on every call, so an edited file shows at once.
    """
    url = None if current_app.debug else _static_urls.get(filename)
    if url is None:
        url = _static_urls[filename] = _versioned_static_url(filename)
    return url


_static_urls: dict[str, str] = {}


def _versioned_static_url(filename: str) -> str:
    folder = Path(current_app.static_folder or "")
    path = folder / filename
    version = _file_version(str(path), path.stat().st_mtime) if path.exists() else "0"
    return url_for("static", filename=filename, v=version)


def csrf_token() -> str:
    """The template global `csrf_token()`: Flask-WTF's signed token for this session.

    Signing it took a twentieth of a pupil page. A token never expires here
    (WTF_CSRF_TIME_LIMIT is None), so the token signed for a session's secret on its first page
    stays valid for its later ones, and is signed once per worker.
    """
    here = g._get_current_object()  # noqa: SLF001 - looked up once (see db.get_session)
    made = here.get("csrf_token")
    if made is not None:
        return str(made)
    raw = session.get("csrf_token")
    if not isinstance(raw, str) or current_app.config["WTF_CSRF_TIME_LIMIT"] is not None:
        return str(generate_csrf())  # a new session's secret is made (and stored) here
    key = (str(current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key), raw)
    signed = _signed_csrf.get(key)
    if signed is None:
        if len(_signed_csrf) > 10_000:  # a bound, not a policy: forgetting only costs signing
            _signed_csrf.clear()
        signed = _signed_csrf[key] = str(generate_csrf())
    here.csrf_token = signed  # what Flask-WTF's own forms on this page then use
    return signed


def current_actor() -> Actor:
    """Whoever is making this request (Flask-Login's proxy, unwrapped and typed)."""
    actor: Actor = current_user._get_current_object()  # noqa: SLF001
    return actor


def not_theirs() -> NoReturn:
    """A 404 for a record this person may not see, and an audit entry saying what they asked
    for: a carer trying another child's ids, or staff another class's pupils, is a security
    event the school sees (the audit log records every attempt to reach personal data,
    PRODUCT.md section 6). The entry names no child: only the method and path asked for."""
    audit_refusal()
    abort(404)


def audit_refusal() -> None:
    """Record that this request's signed-in member of staff or carer was refused it: a record
    that is not theirs (not_theirs, a 404) or a page their role may not open (a 403, from the
    error handlers: begin_request's refusal, or a view's). Once per request, whoever calls.

    The entry is the one not_theirs has always written: who, and the method and path asked for
    (never the query string, which can carry a name; a path holds ids only). It is all the
    refused request writes: what the view had begun, or noted to write after a read (a "viewed"
    entry for a page that was then refused), is undone first. A refused POST is rolled back at
    the request's end, so its entry is committed here (keep); a refused GET's is written after
    the read, as any page's audit (db.finish_read). The same refusal again within
    REFUSALS_APART (a poll) is not written again.

    Nobody signed in is sent to sign in (sign-in keeps its own log), and a pupil on a class
    iPad sent home, neither with an entry: a pupil's session reaching a staff address is Back
    or history on a shared iPad after an adult used it, not a child trying to get in (most of
    ours cannot read or type an address), and the page was never shown. An entry would put
    the child's name beside "access refused" in the log admins read, and tell nobody anything.
    """
    if g.get("refusal_audited"):
        return
    g.refusal_audited = True
    actor = current_actor()
    if not isinstance(actor, Account):
        return
    db = get_session()
    db.rollback()
    db.info.pop("after_read", None)
    action = "carer.access_refused" if actor.is_parent else "staff.access_refused"
    summary = f"{request.method} {request.path}"[:200]
    if recorded_since(db, actor, action, summary, utcnow() - REFUSALS_APART):
        return
    tier = AuditTier.SAFEGUARDING if names_a_safeguarding_record(request.path) else None
    record(db, actor, action, actor, summary, tier=tier)
    if write_intent.get():
        keep(db)  # the request's end rolls a refusal back: its audit entry must outlive it


def names_a_safeguarding_record(path: str) -> bool:
    """Whether an address names a safeguarding record by its number ("/safeguarding/412", a
    notice's, a piece of evidence's). A refusal there says that the record exists, so its
    entry is kept as the record is, for the safeguarding team, not in the log an admin reads.
    The queue's own address names none: someone trying it stays in the admin's log."""
    return path.startswith(SAFEGUARDING_PATHS) and any(part.isdigit() for part in path.split("/"))


SAFEGUARDING_PATHS = ("/safeguarding/", "/parents/incidents/")


def client_ip() -> str:
    return (request.remote_addr or "unknown")[:64]


def school_zone() -> ZoneInfo:
    """The school's timezone (TIMEZONE), the setting classroom.localtime's functions take."""
    return localtime.school_zone(current_app.config)


def school_today() -> date:
    """Today's date on the school's clock."""
    return localtime.local_today(utcnow(), school_zone())


def school_holidays() -> frozenset[date]:
    """The school's holidays (PARENT_HOLIDAYS): no messages go to carers on them, and they are
    not school days when a child-protection file's five school days are counted."""
    return parse_holidays(str(current_app.config["PARENT_HOLIDAYS"]))


def local_time(moment: datetime | date | str | None, style: str = "datetime") -> str:
    """The template filter `local`: a stored moment on the school's clock, zone named."""
    return localtime.local_time(moment, style, zone=school_zone())


def zone_name() -> str:
    """The template global `zone_name()`: GMT or BST now, for table headers."""
    return localtime.zone_name(utcnow(), school_zone())


def sign_in_settings() -> accounts.SignInSettings:
    """The sign-in settings (throttle, session lengths, password age) the accounts services take."""
    return accounts.SignInSettings.from_config(current_app.config)


def small_file_response(path: Path, mimetype: str, max_age: int) -> Response:
    """A small file (a symbol, a speech clip) from memory, with ETag, 304 and byte ranges.

    Read whole rather than streamed: an iPad that drops the connection half way (it does,
    when the pupil moves on) then leaves no open file behind, and these files are a few KB.
    """
    data = path.read_bytes()
    response = Response(data, mimetype=mimetype)
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    response.cache_control.max_age = max_age
    response.cache_control.public = True
    return response.make_conditional(request, accept_ranges=True, complete_length=len(data))


def apply_form(
    change: Callable[[], T],
    page: Callable[[str | None], ResponseReturnValue],
    form: Form | None = None,
    field: str | None = None,
    hide_refusal: bool = False,
    validated: bool = False,
) -> T:
    """Validate a form on a page and make its change, or answer with the page again.

    `change` only flushes: the request commits once, when the view returns (see
    `_commit_after_the_view`). If the form does not validate (unless the view `validated` it
    already, say to answer a too-big file its own way), or the change is refused
    (`Invalid`), `page(message)` answers instead, with the 4xx status it gives; the reason goes
    on the field named by the problem (else `field`, else the form). With `hide_refusal`, a
    change the policy refuses (`Refusal`) answers 404, as for a hidden record, and is audited
    as one (`not_theirs`).
    """
    if form is not None and not validated and not form.validate_on_submit():
        abort(make_response(page(None)))
    try:
        return change()
    except Refusal:
        if not hide_refusal:
            raise
        not_theirs()
    except Invalid as problem:
        # Undo the half-made change now, not at the request's end: the page drawn again must
        # not show part of what was refused.
        get_session().rollback()
        target = getattr(form, problem.field or field or "", None)
        if target is not None:
            target.errors.append(problem.message)
        elif form is not None:
            form.form_errors.append(problem.message)
        abort(make_response(page(problem.message)))
