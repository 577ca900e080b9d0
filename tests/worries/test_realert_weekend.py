"""A worry told at the edges of the school week: re-alerts over a weekend and a clock change.

The ladder re-alerted every WORRY_ACK_MINUTES for as long as nobody acknowledged: a worry told at
15:20 on a Friday sent each of the team 258 emails by Monday 08:00, which teaches people to
ignore them. A worker that had been stopped sent every missed rung, one a round, when it started.
The late banner said only a time ("15:35 GMT"), read on Monday as if it were today's.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.worries import services
from classroom.worries.models import Incident, IncidentEntry, StaffAlert
from tests.app_settings import ack_minutes, base_url
from tests.conftest import Clock, client_for
from tests.worry_helpers import School, make_school, pupil_on_ipad

FRIDAY_1520 = datetime(2026, 11, 20, 15, 20, tzinfo=UTC)  # GMT: the school's clock is UTC
MONDAY_0800 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def _worry(app: Flask, session: Session, school: School) -> Incident:
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k1", "what": "sad"})
    incident = session.scalar(select(Incident))
    assert incident is not None
    return incident


def _worker_round(session: Session) -> int:
    sent = services.send_reminders(
        session, now=utcnow(), ack_minutes=ack_minutes(), base_url=base_url()
    )
    session.commit()
    return sent


def _reminder_emails(session: Session) -> Counter[str]:
    subjects = select(OutboxMessage.to_address).where(OutboxMessage.subject.like("Reminder:%"))
    return Counter(session.scalars(subjects))


def test_a_friday_afternoon_worry_is_re_alerted_a_few_times_a_day_not_every_15_minutes(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(FRIDAY_1520)
    school = make_school(session)
    _worry(app, session, school)
    sent_on: Counter[int] = Counter()  # re-alert rounds by day of the month
    while clock() < MONDAY_0800:
        clock.advance(minutes=5)  # the worker, running all weekend
        sent_on[clock().day] += _worker_round(session)
    assert ack_minutes() == 15
    # The first re-alert still goes at the school's target...
    first = session.scalars(
        select(StaffAlert.created_at).where(StaffAlert.kind == "reminder").order_by(StaffAlert.id)
    ).first()
    assert first == FRIDAY_1520 + timedelta(minutes=15)
    # ...then every 15 minutes for two hours, as in the school day...
    firsts = session.scalars(
        select(StaffAlert.created_at)
        .where(StaffAlert.kind == "reminder", StaffAlert.account_id == school.dsl.id)
        .order_by(StaffAlert.id)
        .limit(9)
    ).all()
    assert [int((at - FRIDAY_1520).total_seconds() // 60) for at in firsts] == [
        15, 30, 45, 60, 75, 90, 105, 120, 150  # then the gaps grow
    ]
    # ...and the worry is never left unseen: Saturday and Sunday each re-alert the team.
    assert sent_on[21] >= 1
    assert sent_on[22] >= 1
    emails = _reminder_emails(session)
    assert set(emails) == {school.dsl.email, school.deputy.email, school.head.email}
    assert max(emails.values()) <= 20  # not 258 each
    alerts = Counter(
        session.scalars(select(StaffAlert.account_id).where(StaffAlert.kind == "reminder"))
    )
    assert max(alerts.values()) <= 20


def test_a_worker_stopped_all_weekend_sends_one_re_alert_when_it_starts(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(FRIDAY_1520)
    school = make_school(session)
    incident = _worry(app, session, school)
    clock.set(MONDAY_0800)  # the worker was stopped from before the first re-alert
    assert [_worker_round(session) for _ in range(3)] == [1, 0, 0]
    assert sum(_reminder_emails(session).values()) == 3  # one each: the DSL, deputy and head
    entries = list(
        session.scalars(select(IncidentEntry.text).where(IncidentEntry.kind == "reminder"))
    )
    assert len(entries) == 1
    assert "did not go out: the background worker had stopped" in entries[0]
    session.refresh(incident)
    assert services.reminder_due(incident, ack_minutes()) > MONDAY_0800  # the ladder goes on


def test_the_late_re_alert_banner_says_which_day_it_was_due(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(FRIDAY_1520)
    school = make_school(session)
    incident = _worry(app, session, school)
    clock.set(MONDAY_0800)  # no worker all weekend
    dsl = client_for(app, school.dsl)
    late = "The re-alert due at Fri 20 Nov 2026, 15:35 GMT has not gone out"
    assert late in dsl.get("/safeguarding/").text
    assert late in dsl.get(f"/safeguarding/{incident.id}").text


def test_a_worry_told_at_half_past_midnight_on_the_clock_change_day(
    app: Flask, session: Session, clock: Clock
) -> None:
    """Sunday 25 October 2026: 02:00 BST becomes 01:00 GMT. A worry at 00:30 BST (23:30 UTC)
    is due a re-alert at 00:45 BST; seen at 03:00 GMT with no worker, the banner says so in the
    summer time it was due in, and the ladder counts real minutes across the change."""
    app.config["TIMEZONE"] = "Europe/London"
    clock.set(datetime(2026, 10, 24, 23, 30, tzinfo=UTC))
    school = make_school(session)
    incident = _worry(app, session, school)
    assert services.reminder_due(incident, ack_minutes()) == datetime(
        2026, 10, 24, 23, 45, tzinfo=UTC
    )
    clock.set(datetime(2026, 10, 25, 3, 0, tzinfo=UTC))
    dsl = client_for(app, school.dsl)
    assert "The re-alert due at Sun 25 Oct 2026, 00:45 BST" in dsl.get("/safeguarding/").text


def test_the_worrys_page_says_which_day_the_next_re_alert_goes(
    app: Flask, session: Session, clock: Clock
) -> None:
    """With gaps of hours, the next re-alert is often tomorrow: "next at 00:50 GMT" read at
    23:00 on Friday looked like a time already gone."""
    clock.set(FRIDAY_1520)
    school = make_school(session)
    incident = _worry(app, session, school)
    while clock() < datetime(2026, 11, 20, 23, 0, tzinfo=UTC):
        clock.advance(minutes=5)
        _worker_round(session)
    page = client_for(app, school.dsl).get(f"/safeguarding/{incident.id}").text
    assert "Re-alerted 11 times; next at Sat 21 Nov 2026, 00:50 GMT" in page
