"""A GET writes nothing: every page each kind of person can open, with every SQL statement seen.

The only writes a reading request makes are notes of who saw what (the audit log, a carer's
receipt for a feed item, staff alerts marked seen) and, at most once a minute, the session's
last-seen time: all after the read has ended, in a write transaction of their own
(classroom.db.finish_read), so a read never waits for the write lock nor fails half way.
A page a screen polls by itself (the DSL queue's live state) does not even note the last-seen
time, so a DSL who walks away with the queue open is still signed out when idle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from classroom import create_app, policy
from classroom.accounts.models import Role, UserSession
from classroom.db import get_session
from tests import databases
from tests.app_settings import DAY_ENDED
from tests.conftest import SECRET, RequestIsolatedClient
from tests.security.walk import ACTORS, World, build_world, principal_of, routes, url_for_rule
from tests.security.walk import visitor as signed_in_visitor

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
# What a read may write, after its read has ended (see the module docstring).
ALLOWED = (
    re.compile(r"^INSERT INTO audit_events\b"),
    re.compile(r"^INSERT INTO feed_receipts\b"),
    re.compile(r"^UPDATE staff_alerts SET seen_at=[^,]+ WHERE staff_alerts.id = \S+$"),
    # A pupil's wish to talk, seen once the Alerts page has shown it (worries.shown_alerts).
    re.compile(
        r"^UPDATE staff_alerts SET seen_at=.+ WHERE staff_alerts.id IN \(.+\) "
        r"AND staff_alerts.seen_at IS NULL$"
    ),
    re.compile(r"^UPDATE user_sessions SET last_seen_at=[^,]+ WHERE user_sessions.id = \S+$"),
)
# Everyone who signs in, and a pupil on a class iPad.
READERS = [actor for actor in ACTORS if actor not in ("nobody", "class_ipad")]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, template_db: Any) -> Iterator[World]:
    instance = tmp_path_factory.mktemp("reads")
    app = create_app(
        {
            "ENV": "production",
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": databases.database_for(instance, template_db, lasting=True),
            "SECRET_KEY": SECRET,
            "ARGON2_MEMORY_KIB": 8192,
            "SCHOOL_DAY_END": DAY_ENDED,
            "GC_FREEZE_AT_START": 0,  # a test process, not a worker: nothing frozen
        }
    )
    app.test_client_class = RequestIsolatedClient
    databases.keep_connections(app.extensions["db_engine"])
    yield build_world(app)
    app.extensions["db_engine"].dispose()


def readable_paths(world: World, actor: str) -> list[str]:
    """A real URL for every GET route the actor's access rule lets them open."""
    with world.app.app_context():
        principal = principal_of(world, actor)
        paths = []
        for rule, method in routes(world.app):
            access = policy.route_rule(world.app.view_functions[rule.endpoint])
            if method == "GET" and access and policy.route_allows(access, principal):
                paths.append(url_for_rule(world, rule)[0])
        get_session().close()
    return paths


@pytest.mark.parametrize("actor", READERS)
def test_no_page_a_person_can_open_writes_to_the_database(world: World, actor: str) -> None:
    person = signed_in_visitor(world, actor)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if WRITE.match(statement) or statement.startswith("BEGIN"):
            statements.append(" ".join(statement.split()))

    engine = world.app.extensions["db_engine"]
    event.listen(engine, "before_cursor_execute", seen)
    try:
        found = []
        for path in readable_paths(world, actor):
            statements.clear()
            status = person.request("GET", path).status_code
            writes = [s for s in statements if WRITE.match(s)]
            if [s for s in writes if not any(a.match(s) for a in ALLOWED)]:
                found.append(f"{actor} GET {path} ({status}) wrote: {writes}")
            elif writes and not databases.POSTGRES and not _after_the_read(statements):
                found.append(f"{actor} GET {path} ({status}) wrote inside its read: {writes}")
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert found == [], "\n".join(found)


def _after_the_read(statements: list[str]) -> bool:
    """Whether every write comes after the write transaction began (SQLite's BEGIN IMMEDIATE)."""
    first_write = next(n for n, s in enumerate(statements) if WRITE.match(s))
    return "BEGIN IMMEDIATE" in statements[:first_write]


def _last_seen(session: Session) -> Any:
    session.expire_all()
    return session.scalars(select(UserSession.last_seen_at).order_by(UserSession.id.desc())).first()


@pytest.mark.parametrize("poll_url", ["/safeguarding/queue/state", "/alerts/count"])
@pytest.mark.usefixtures("app")
def test_a_poll_neither_notes_activity_nor_renews_the_cookie(
    client: FlaskClient,
    session: Session,
    login_as: Callable[..., Any],
    clock: Any,
    poll_url: str,
) -> None:
    """The queue's live state and the alert badge poll on every staff page: never activity."""
    login_as(Role.DSL)
    signed_in_at = _last_seen(session)
    clock.set(signed_in_at + timedelta(minutes=5))
    poll = client.get(poll_url)
    assert poll.status_code == 200
    assert "Set-Cookie" not in poll.headers
    assert _last_seen(session) == signed_in_at
    page = client.get("/safeguarding/")
    assert page.status_code == 200
    assert _last_seen(session) == signed_in_at + timedelta(minutes=5)


def test_a_dsl_who_leaves_the_queue_open_is_still_signed_out_when_idle(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Any], clock: Any
) -> None:
    login_as(Role.DSL)
    signed_in_at = _last_seen(session)
    idle = int(app.config["STAFF_IDLE_MINUTES"])
    for minutes in range(1, idle, 2):  # the open queue polls on and on
        clock.set(signed_in_at + timedelta(minutes=minutes))
        assert client.get("/safeguarding/queue/state").status_code == 200
    clock.set(signed_in_at + timedelta(minutes=idle + 1))
    after = client.get("/safeguarding/queue/state")
    assert after.status_code == 302
    assert "/sign-in" in after.headers["Location"]


@pytest.mark.usefixtures("app")
def test_last_seen_is_written_at_most_once_a_minute(
    client: FlaskClient, session: Session, login_as: Callable[..., Any], clock: Any
) -> None:
    login_as(Role.DSL)
    signed_in_at = _last_seen(session)
    clock.set(signed_in_at + timedelta(seconds=30))
    client.get("/safeguarding/")
    assert _last_seen(session) == signed_in_at
    clock.set(signed_in_at + timedelta(seconds=90))
    client.get("/safeguarding/")
    assert _last_seen(session) == signed_in_at + timedelta(seconds=90)
