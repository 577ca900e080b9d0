"""What the safeguarding queue's rows say (read as plain columns in one statement), and
"Recently closed" in the order things were closed."""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Category, Incident, Risk
from tests.app_settings import base_url
from tests.conftest import client_for, sign_in
from tests.factories import make_account, make_pupil
from tests.factories import make_school as make_other_school
from tests.worry_helpers import School, make_school


def _worry(session: Session, school: School, **choices: object) -> Incident:
    incident = services.raise_worry(
        session, school.pupil, school.device, str(uuid.uuid4()), services.WorryChoices(**choices),
        now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    session.commit()
    return incident


def _triage_and_close(session: Session, school: School, incident: Incident, days_ago: int) -> None:
    when = utcnow() - timedelta(days=days_ago)
    triage = services.Triage(Category.CYBERBULLYING, Risk.LOW, "Spoke to her", False, None)
    services.triage(session, school.dsl, incident, triage, now=when)
    services.close(
        session, school.dsl, incident, "Resolved", "Check settings", keep_carers_held=False,
        carers_reason="Decided with the head",
        now=when,
    )  # fmt: skip
    session.commit()


def _row(page: str, incident: Incident) -> list[str]:
    found = re.search(rf"<tr[^>]*>\s*<td><a [^>]*>{incident.reference}</a>.*?</tr>", page, re.S)
    assert found is not None, incident.reference
    cells = re.findall(r"<td>(.*?)</td>", found.group(0), re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]  # as read


def test_each_open_row_names_the_pupil_who_it_came_from_and_who_has_it(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    worry = _worry(session, school, what="unkind")
    triage = services.Triage(
        Category.CYBERBULLYING, Risk.MEDIUM, "Spoke to her", False, school.deputy.id
    )
    services.triage(session, school.dsl, worry, triage, now=utcnow())
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Ode")
    concern = services.raise_concern(
        session, school.teacher, str(uuid.uuid4()),
        services.ConcernInput(ben.id, "Upset after break", "speech", None, None),
        now=utcnow(), base_url=base_url(),
    )  # fmt: skip
    session.commit()
    sign_in(client, school.dsl.username)
    page = client.get("/safeguarding/").data.decode()

    _ref, status, _received, source, pupil, category, risk, assigned = _row(page, worry)
    assert (status, source, pupil, risk, assigned) == (
        "Open", "Pupil (iPad)", "Amira Khan", "Medium", "Ms Evans")  # fmt: skip
    assert category == "Cyberbullying"
    _ref, status, _received, source, pupil, category, risk, assigned = _row(page, concern)
    assert (status, source, pupil, risk, assigned) == ("New", "Ms Lopez", "Ben Ode", "—", "—")


def test_recently_closed_shows_the_last_closed_first_even_an_old_worry(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    old = _worry(session, school, what="unkind")
    newer = _worry(session, school, what="sad")
    _triage_and_close(session, school, newer, days_ago=3)
    _triage_and_close(session, school, old, days_ago=0)  # raised first, closed last
    sign_in(client, school.dsl.username)
    page = client.get("/safeguarding/").data.decode()
    closed = page.split('id="closed-heading"')[1]
    assert closed.index(old.reference) < closed.index(newer.reference)
    assert "Amira Khan" in closed


def test_a_kept_row_changes_at_once_and_the_live_rows_say_the_same(
    app: Flask, session: Session
) -> None:
    """The rows are rendered once per worker for what they show: triage, then the page and the
    live view's rows both show the new risk and who has it, never the row kept before."""
    school = make_school(session)
    worry = _worry(session, school, what="unkind")
    dsl = client_for(app, school.dsl)
    assert _row(dsl.get("/safeguarding/").data.decode(), worry)[6:] == ["—", "—"]

    deputy = school.deputy.id
    triage = services.Triage(Category.CYBERBULLYING, Risk.HIGH, "Spoke to her", False, deputy)
    services.triage(session, school.dsl, worry, triage, now=utcnow())
    session.commit()
    page = dsl.get("/safeguarding/").data.decode()
    live = dsl.get("/safeguarding/queue/rows").data.decode()
    assert _row(page, worry)[1:2] + _row(page, worry)[6:] == ["Open", "High", "Ms Evans"]
    assert _row(live, worry) == _row(page, worry)


def test_each_schools_team_sees_only_its_own_rows_from_the_kept_tables(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ours = _worry(session, school, what="unkind")
    _triage_and_close(session, school, _worry(session, school, what="sad"), days_ago=1)
    other = make_other_school(session, name="Other")
    other_dsl = make_account(session, Role.DSL, school=other)
    session.commit()
    assert ours.reference in client_for(app, school.dsl).get("/safeguarding/").data.decode()

    theirs = client_for(app, other_dsl)
    page = theirs.get("/safeguarding/").data.decode()
    assert "Nothing new or open." in page
    assert "None yet." in page
    assert "Amira" not in page
    assert "Amira" not in theirs.get("/safeguarding/queue/rows").data.decode()


def test_opening_the_queue_is_in_the_audit_log_for_the_team_only(
    app: Flask, session: Session
) -> None:
    """The queue names pupils and flags child protection: who opened it, and when, is kept,
    and only the safeguarding team can read that entry."""
    school = make_school(session)
    _worry(session, school, what="unkind")
    admin = make_account(session, Role.ADMIN, display_name="Mr Admin")
    session.commit()
    assert client_for(app, school.dsl).get("/safeguarding/").status_code == 200
    entry = session.scalar(select(AuditEvent).where(AuditEvent.action == "incidents.queue_viewed"))
    assert entry is not None
    assert (entry.actor_id, entry.summary) == (school.dsl.id, "1 open shown")
    assert "incidents.queue_viewed" in client_for(app, school.dsl).get("/admin/audit").data.decode()
    assert "incidents.queue_viewed" not in client_for(app, admin).get("/admin/audit").data.decode()


def test_an_open_queue_asks_for_changes_every_five_seconds_unless_the_school_sets_it(
    app: Flask, session: Session
) -> None:
    """A worry reaches an open queue within one poll: the page tells its script how often."""
    school = make_school(session)
    page = client_for(app, school.dsl).get("/safeguarding/").data.decode()
    assert 'data-interval="5"' in page
    app.config["QUEUE_POLL_SECONDS"] = 2
    page = client_for(app, school.dsl).get("/safeguarding/").data.decode()
    assert 'data-interval="2"' in page
