"""What the team said it would do by a date comes back to it on the queue when due: actions,
including those carried over when an incident closed (which can then be marked done), and
reviews of a "not now" decision about telling carers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.worries import services
from classroom.worries.models import Incident, IncidentAction, ParentContact
from tests.conftest import Clock, client_for
from tests.worry_helpers import School, follow_ups_due, make_school, triaged_worry

MONDAY = datetime(2027, 3, 8, 10, 0, tzinfo=UTC)
LATE = "Phone the game's moderators (Ms Evans), due 9 Mar 2027"


def _action(
    session: Session, school: School, incident: Incident, what: str, due: date
) -> IncidentAction:
    return services.add_action(
        session, school.dsl, incident, what, school.deputy.id, due, now=utcnow(), today=due
    )


def test_an_action_comes_back_when_due_even_after_its_incident_closed(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(MONDAY)
    school = make_school(session)
    incident = triaged_worry(session, school)
    phone = _action(session, school, incident, "Phone the game's moderators", date(2027, 3, 9))
    _action(session, school, incident, "Check in with Amira", date(2027, 3, 19))
    session.commit()
    dsl = client_for(app, school.dsl)
    assert follow_ups_due(app, school) == []
    assert "Nothing due today or overdue." in dsl.get("/safeguarding/").data.decode()

    clock.advance(days=2)  # Wednesday: the first is a day late, the second not yet due
    ref = incident.reference
    assert follow_ups_due(app, school) == [f"{ref}: {LATE}"]

    # Closed with both carried over: they go on, and the first still comes back.
    settle = {a.id: services.Settle(False, "Waiting on the moderators") for a in incident.actions}
    services.close(
        session, school.dsl, incident, "Resolved", "None", settle, keep_carers_held=False,
        carers_reason="Decided with the head",
        now=utcnow(),
    )  # fmt: skip
    session.commit()
    assert follow_ups_due(app, school) == [f"{ref}: {LATE}"]
    dsl = client_for(app, school.dsl)
    record = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert "Carried over: Waiting on the moderators" in record
    done = dsl.post(f"/safeguarding/{incident.id}/actions/{phone.id}/done")
    assert done.status_code == 302
    assert follow_ups_due(app, school) == []
    session.expire_all()
    assert (
        incident.entries[-1].text == "Done (carried over at closing): Phone the game's moderators"
    )
    # Closed still means closed for everything else.
    assert (
        dsl.post(f"/safeguarding/{incident.id}/notes", data={"note-text": "x"}).status_code == 400
    )


def test_a_not_now_decision_comes_back_on_its_review_day(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(MONDAY)
    school = make_school(session)
    incident = triaged_worry(session, school)
    services.decide_parent_contact(
        session, school.dsl, incident, ParentContact.NOT_NOW, "Speak to Amira first",
        date(2027, 3, 10), now=utcnow(),
    )  # fmt: skip
    session.commit()
    dsl = client_for(app, school.dsl)
    assert follow_ups_due(app, school) == []
    record = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert "Review on 10 Mar 2027" in record

    clock.advance(days=2)
    assert follow_ups_due(app, school) == [
        f"{incident.reference}: Review \u201cnot now\u201d: should carers be told?, due 10 Mar 2027"
    ]
    services.decide_parent_contact(
        session, school.dsl, incident, ParentContact.INFORM_NOW, "Amira agrees", None,
        now=utcnow(),
    )  # fmt: skip
    session.commit()
    assert follow_ups_due(app, school) == []


def test_not_now_needs_a_review_day_after_today(app: Flask, session: Session, clock: Clock) -> None:
    """Carers stay held back while "not now" stands: without a review day nobody would be
    asked again, so it is refused, as is a day already gone or more than a year away."""
    clock.set(MONDAY)
    school = make_school(session)
    incident = triaged_worry(session, school)
    session.commit()
    dsl = client_for(app, school.dsl)
    url = f"/safeguarding/{incident.id}/parent-contact"
    decision = {"parent-decision": "not_now", "parent-reason": "Speak to Amira first"}
    for review_on, message in (
        ("", "Choose the day to review"),
        ("2027-03-08", "must be after today"),  # MONDAY itself
        ("2020-01-01", "must be after today"),
        ("9999-12-31", "within a year"),
    ):
        refused = dsl.post(url, data={**decision, "parent-review_on": review_on})
        assert refused.status_code == 400, review_on
        assert message in refused.text, review_on
        assert "Speak to Amira first" in refused.text  # what was typed is kept
    assert services.parent_contact(session, incident) is None
    assert dsl.post(url, data={**decision, "parent-review_on": "2027-03-09"}).status_code == 302
    decided = services.parent_contact(session, incident)
    assert decided is not None
    assert decided.review_on == date(2027, 3, 9)
