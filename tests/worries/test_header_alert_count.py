"""The header's Alerts link says how many of the viewer's own alerts are not seen yet, on every
staff page: an alert sent only in the app (a colleague deactivated with work to reassign, to a
deputy with no email address) is otherwise found only by someone who opens /alerts/. The count
is inside the link, so a screen reader reads one name: "Alerts (2 not seen)"."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.worries.models import Incident, Source, StaffAlert, Status
from tests.conftest import Clock, client_for
from tests.factories import make_account

NOW = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)
LINK = re.compile(r'<a href="/alerts/">([^<]*)</a>')


def _alert(session: Session, to: Account, incident: Incident | None = None) -> StaffAlert:
    alert = StaffAlert(
        account_id=to.id,
        incident_id=None if incident is None else incident.id,
        kind="work_left" if incident is None else "new",
        created_at=NOW,
        note="Ms Ruth Evans's account was deactivated; they had 2 open worries to reassign",
    )
    session.add(alert)
    session.flush()
    return alert


def _link(app: Flask, who: Account, path: str = "/rules/") -> str:
    """The Alerts link's name on a staff page, as a screen reader would read it."""
    response = client_for(app, who).get(path)
    assert response.status_code == 200
    found = LINK.findall(response.text)
    assert len(found) == 1
    return html.unescape(" ".join(found[0].split()))


def test_a_dsl_sees_how_many_alerts_are_not_seen_until_each_is_marked(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOW)
    dsl = make_account(session, Role.DSL, email=None)
    first = _alert(session, dsl)
    _alert(session, dsl)
    session.commit()
    assert _link(app, dsl) == "Alerts (2 not seen)"
    assert _link(app, dsl, "/alerts/") == "Alerts (2 not seen)"

    marked = client_for(app, dsl).post(f"/alerts/{first.id}/seen")
    assert marked.status_code == 302
    assert _link(app, dsl) == "Alerts (1 not seen)"


def test_plain_alerts_when_none_is_unseen(app: Flask, session: Session, clock: Clock) -> None:
    clock.set(NOW)
    dsl = make_account(session, Role.DSL)
    teacher = make_account(session, Role.TEACHER)
    _alert(session, dsl).seen_at = NOW
    session.commit()
    assert _link(app, dsl) == "Alerts"
    assert _link(app, teacher) == "Alerts"


def test_another_persons_alerts_are_never_counted(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOW)
    dsl = make_account(session, Role.DSL)
    deputy = make_account(session, Role.DEPUTY_DSL)
    for _ in range(3):
        _alert(session, deputy)
    session.commit()
    assert _link(app, dsl) == "Alerts"
    assert _link(app, deputy) == "Alerts (3 not seen)"


def test_only_alerts_their_alerts_page_shows_are_counted(
    app: Flask, session: Session, clock: Clock
) -> None:
    """A count the Alerts page cannot bring to none would never go away: an alert about a worry
    they are the subject of, or a colleague's work left to one no longer on the team, is not
    shown there (services.shown_alerts), so it is not counted."""
    clock.set(NOW)
    dsl = make_account(session, Role.DSL)
    moved = make_account(session, Role.DEPUTY_DSL)
    about_them = Incident(
        school_id=dsl.school_id,
        idempotency_key=str(uuid.uuid4()),
        source=Source.STAFF,
        status=Status.NEW,
        created_at=NOW,
        summary="About the DSL",
        talk_to_id=dsl.id,
        talk_to_set_aside=policy.SUBJECT,
    )
    other = Incident(
        school_id=dsl.school_id,
        idempotency_key=str(uuid.uuid4()),
        source=Source.STAFF,
        status=Status.NEW,
        created_at=NOW,
        summary="Another worry",
    )
    session.add_all([about_them, other])
    session.flush()
    _alert(session, dsl, about_them)
    _alert(session, dsl, other)
    _alert(session, moved)  # a colleague's work, from when they were on the team
    _alert(session, moved, other)
    moved.role = Role.TEACHER
    session.commit()
    assert _link(app, dsl) == "Alerts (1 not seen)"
    assert _link(app, moved) == "Alerts (1 not seen)"
