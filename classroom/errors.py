"""Domain exceptions, and the friendly error pages that leak nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from classroom.db import get_session


class Invalid(Exception):  # noqa: N818 - reads as "raise Invalid(...)"
    """Input a person can fix; shown back to them with a 4xx."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def too_long(label: str, limit: int, text: str) -> str:
    """What a person is told about text over its limit: which box, its limit, and how long the
    text is, counted as the box's character count (static/js/char-count.js) counts it: one
    character a line break (web.TextRequest) and one an emoji."""
    return f"{label} must be {limit:,} characters or fewer - it has {len(text):,}."


def within(text: str, limit: int, label: str, field: str | None = None) -> str:
    """`text` if it fits in `limit` characters, else Invalid naming the box (a 400 that gives
    the whole text back): text is never cut short, which would lose the end of it unseen."""
    if len(text) > limit:
        raise Invalid(too_long(label, limit, text), field)
    return text


class Throttled(Exception):  # noqa: N818
    """Too many failed attempts lately."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"Too many attempts. Please wait {minutes} minutes and try again.")
        self.message = str(self)


class Refusal(Exception):  # noqa: N818 - reads as "except Refusal"
    """The policy refused this person: one of the two below, answered by one handler.

    Not the built-in PermissionError, which is an OSError: a file the server may not write (a
    full or read-only disk, a wrong owner) is the server's fault, so it is logged and answered
    as a 500, never shown to the person as "you do not have access".
    """


class Forbidden(Refusal):
    """The person may not do this (a 403)."""


class NotFound(Refusal):
    """The record is hidden from this person, or does not exist: a 404 either way, so hidden
    safeguarding records cannot be told apart from missing ones."""


KEY_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


def checked_key(key: str) -> str:
    """An idempotency key from a form or an iPad: short and plain, or Invalid (a 400)."""
    if not 1 <= len(key) <= 64 or not set(key) <= KEY_CHARACTERS:
        raise Invalid("This form is damaged. Please reload the page and try again.", "key")
    return key


TITLES = {
    400: ("This request could not be understood", "Please go back and try again."),
    403: ("You do not have access to this page", "Ask the school office if you think you should."),
    404: ("Page not found", "The page may have moved, or you may not have access to it."),
    405: ("That did not work", "Please go back and use the buttons on the page."),
    413: ("That is too big", "The file or text you sent is larger than we accept."),
    429: ("Please wait", "There have been too many attempts. Try again in a few minutes."),
    503: ("Busy", "The school server is very busy. Please try again in a moment."),
    500: ("Something went wrong", "Nothing you sent has been lost. Please try again shortly."),
}


# A pupil cannot read the staff error page. The iPad shell (ipad) registers what a pupil (or a
# class iPad between pupils) gets instead; both callables answer None when the request is not
# from a pupil or a class iPad, and the staff page is shown.
@dataclass(frozen=True)
class PupilPages:
    page: Callable[[int], str | None]  # the page in pictures for a status code
    home: Callable[[], str | None]  # the screen a pupil's stray GET goes back to


_pupil_pages: list[PupilPages] = []


def register_pupil_pages(pages: PupilPages) -> None:
    _pupil_pages[:] = [pages]


def _for_pupil(ask: Callable[[PupilPages], str | None]) -> str | None:
    for pages in _pupil_pages:
        try:
            return ask(pages)
        except Exception:  # noqa: BLE001 - an error page must never fail: fall back to the plain one
            current_app.logger.exception("pupil error page failed")
    return None


def _page(code: int, message: str | None = None) -> tuple[str, int]:
    pupil_page = _for_pupil(lambda pages: pages.page(code))
    if pupil_page is not None:
        return pupil_page, code
    title, text = TITLES.get(code, TITLES[500])
    return render_template("error.html", code=code, title=title, text=message or text), code


# What else a refusal (a 403) does besides its page: the request layer audits it
# (web.audit_refusal). Registered, as the layer above; called before the page is made.
_refusal_hooks: list[Callable[[], None]] = []


def on_refusal(hook: Callable[[], None]) -> None:
    _refusal_hooks[:] = [hook]


def report_refusal() -> None:
    """Tell the hooks (the audit log) that this request was refused: once per request is
    theirs to keep."""
    for hook in _refusal_hooks:
        hook()


# Pages that can recover from a stale form by themselves: a pupil cannot read an error page, so
# on a class iPad a form whose token went stale (say, after a quick double tap across a sign-out)
# leads back to a fresh page where the next tap works. Features register their own here.
CSRF_RECOVERY: dict[str, Callable[[], ResponseReturnValue]] = {}


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error: CSRFError) -> ResponseReturnValue:
        recover = CSRF_RECOVERY.get(request.endpoint or "")
        if recover is not None:
            try:
                return recover()
            except (HTTPException, Refusal):
                pass  # not someone the page could recover for (no pupil, another device)
        return _page(400, "This form had expired. Please go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code == 403:  # begin_request's refusal by role, or a view's abort(403)
            report_refusal()
        if request.accept_mimetypes.best == "application/json":
            return {"error": TITLES.get(code, TITLES[500])[0]}, code
        if code == 405 and request.method in ("GET", "HEAD"):
            # A reload, Back or a saved link to a button's address: a pupil goes back to their
            # screen, never to an error (a form sent with PUT still gets the page).
            home = _for_pupil(lambda pages: pages.home())
            if home is not None:
                return redirect(home)
        return _page(code)

    @app.errorhandler(Refusal)
    def refused(error: Refusal) -> ResponseReturnValue:
        # One answer everywhere: NotFound is a 404, any other refusal a 403 (never a 500).
        code = 404 if isinstance(error, NotFound) else 403
        if code == 403:
            report_refusal()
        if request.accept_mimetypes.best == "application/json":
            return {"error": TITLES[code][0]}, code
        return _page(code)

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError) -> ResponseReturnValue:
        # SQLite's write lock stayed taken longer than busy_timeout (a burst of a whole school
        # at once). Nothing was written; say so, and iPads send saved worries again by themselves.
        if "locked" not in str(error.orig):
            return server_error(error)
        app.logger.warning("database busy on %s %s", request.method, request.path)
        page, code = _page(503, "The school server is very busy. Please try again in a moment.")
        return page, code, {"Retry-After": "2"}

    @app.errorhandler(Exception)
    def server_error(_error: Exception) -> tuple[str, int]:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        # A failed statement leaves the session unusable until rolled back (PostgreSQL): the
        # error page reads the signed-in person, and must not fail in turn, or Werkzeug's bare
        # page goes out without the app's headers. Nothing of the failed work is kept anyway.
        get_session().rollback()
        return _page(500)
