"""One unit of work per request: a success commits once, a 4xx or an error undoes everything
except what is kept on purpose (db.keep), and refusals answer the same everywhere."""

from __future__ import annotations

import errno
from collections.abc import Callable

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from classroom.audit.services import record
from classroom.db import get_session, keep, plain_rows, write_intent
from classroom.errors import Forbidden, NotFound
from classroom.policy import allow


def _noted(session: Session, action: str) -> int:
    session.expire_all()
    query = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    return session.scalar(query) or 0


def _os_refusal() -> PermissionError:
    return PermissionError(errno.EACCES, "Permission denied", "/srv/classroom/instance")


def _routes(app: Flask) -> None:
    bp = Blueprint("uow", __name__, url_prefix="/uow")

    @bp.post("/<int:status>")
    @allow("public")
    def change(status: int) -> tuple[str, int]:
        record(get_session(), None, f"test.changed_{status}")
        return "done", status

    @bp.post("/kept")
    @allow("public")
    def kept() -> tuple[str, int]:
        record(get_session(), None, "test.kept")
        keep(get_session())
        record(get_session(), None, "test.not_kept")
        return "refused", 429

    @bp.post("/broken")
    @allow("public")
    def broken() -> str:
        record(get_session(), None, "test.broken")
        raise RuntimeError("a bug half way")

    @bp.get("/refused/<kind>")
    @allow("public")
    def refused(kind: str) -> str:
        refusals: dict[str, Callable[[], Exception]] = {
            "hidden": NotFound,
            "forbidden": Forbidden,
            "builtin": _os_refusal,
        }
        raise refusals[kind]()

    app.register_blueprint(bp)


def test_a_successful_post_is_committed_without_the_view_committing(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    _routes(app)
    assert client.post("/uow/200").status_code == 200
    assert client.post("/uow/302").status_code == 302
    assert _noted(session, "test.changed_200") == 1
    assert _noted(session, "test.changed_302") == 1


def test_a_refused_or_failed_post_leaves_nothing_behind(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    _routes(app)
    assert client.post("/uow/400").status_code == 400
    assert client.post("/uow/404").status_code == 404
    assert client.post("/uow/broken").status_code == 500
    assert _noted(session, "test.changed_400") == 0
    assert _noted(session, "test.changed_404") == 0
    assert _noted(session, "test.broken") == 0


def test_what_is_kept_on_purpose_survives_a_refusal(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    _routes(app)
    assert client.post("/uow/kept").status_code == 429
    assert _noted(session, "test.kept") == 1
    assert _noted(session, "test.not_kept") == 0


def test_refusals_answer_404_for_hidden_records_and_403_otherwise(
    app: Flask, client: FlaskClient
) -> None:
    _routes(app)
    assert client.get("/uow/refused/hidden").status_code == 404
    assert client.get("/uow/refused/forbidden").status_code == 403


def test_the_operating_systems_permission_error_is_a_server_fault_not_a_refusal(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """The built-in PermissionError is an OSError (a file the server may not open): answered
    and logged as the server's fault, not as the person lacking access."""
    _routes(app)
    response = client.get("/uow/refused/builtin")
    assert response.status_code == 500
    assert "unhandled error on GET /uow/refused/builtin" in caplog.text


def test_code_after_a_read_in_the_same_thread_writes_again(app: Flask) -> None:
    """A CLI command or a benchmark that served a GET in-process must not be left read-only."""
    plain = FlaskClient(app)
    assert plain.get("/health").status_code == 200
    assert write_intent.get() is True


def test_plain_rows_see_a_writing_request_own_changes_and_a_read_writes_only_after(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """Reads of plain columns go through Core (db.plain_rows): a writing request still reads
    what it has just changed, and a read still flushes nothing until it has ended."""
    bp = Blueprint("rows", __name__, url_prefix="/rows")
    count = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.rows")

    def noted_then_counted() -> str:
        record(get_session(), None, "test.rows")
        return str(plain_rows(get_session(), count).scalar_one())

    bp.post("/")(allow("public")(noted_then_counted))
    bp.get("/")(allow("public")(noted_then_counted))
    app.register_blueprint(bp)

    assert client.post("/rows/").get_data(as_text=True) == "1"  # its own row, flushed first
    assert client.get("/rows/").get_data(as_text=True) == "1"  # the read's row is not yet in
    assert _noted(session, "test.rows") == 2  # and is written once the read has ended
