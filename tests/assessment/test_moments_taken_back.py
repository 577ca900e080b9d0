"""A learning moment whose observation the school withdraws or corrects stays in the carer's
feed, and says so; the staff forms warn first that it went home."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom.accounts.models import Account, Role
from classroom.assessment import services
from classroom.assessment.models import Observation
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from tests.app_settings import school_today
from tests.conftest import Clock, sign_in
from tests.factories import link_parent, make_account, make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import make_school

SF = "stop-block-tell.sf"
TAKEN_BACK = "taken this update back because it was recorded by mistake"


class Setting:
    """A pupil with a carer, another family's pupil and carer, and a teacher signed in."""

    def __init__(self, app: Flask, client: FlaskClient, session: Session) -> None:
        self.school = make_school(session)
        self.carer = make_account(session, Role.PARENT)
        self.other_carer = make_account(session, Role.PARENT)
        other = make_pupil(session, self.school.oak, first_name="Zed", last_name="Other")
        link_parent(session, self.carer, self.school.pupil)
        link_parent(session, self.other_carer, other)
        self.other = other
        self.session, self.app, self.client = session, app, client
        sign_in(client, self.school.teacher.username)

    def observe(self, level: int) -> Observation:
        row = services.observe(
            self.session, self.school.teacher, self.school.pupil, SF,
            services.Entry(level=level, observed_on=utcnow().date()), all_lessons(self.session),
            now=utcnow(), today=school_today(),
        )  # fmt: skip
        self.session.commit()
        return row

    def share(self, row: Observation) -> None:
        sent = {"objective": SF, "level": str(row.level), "note": "Well done", "key": "k-1"}
        response = self.client.post(f"/assessment/observations/{row.id}/share", data=sent)
        assert response.status_code == 302

    def feed(self, carer: Account, pupil_id: int | None = None) -> str:
        family = self.app.test_client()
        sign_in(family, carer.username)
        pupil_id = pupil_id or self.school.pupil.id
        page = family.get(f"/family/children/{pupil_id}").get_data(as_text=True)
        return " ".join(page.split())  # as read, not as the template wraps it

    def correct(self, row: Observation, level: int) -> None:
        data = {"level": str(level), "context": "lesson", "observed_on": row.observed_on}
        response = self.client.post(f"/assessment/observations/{row.id}/correct", data=data)
        assert response.status_code == 302


def _said(response: TestResponse) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _monday(clock: Clock) -> None:
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # not quiet hours


def test_a_withdrawn_moment_stays_in_the_feed_and_says_it_was_taken_back(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    _monday(clock)
    s = Setting(app, client, session)
    row = s.observe(3)
    s.share(row)
    before = s.feed(s.carer)
    assert "Does it on their own" in before
    assert TAKEN_BACK not in before
    emails = session.query(OutboxMessage).count()
    form = _said(client.get(f"/assessment/observations/{row.id}/withdraw"))
    assert "went home to Amira's parents and carers as a learning moment on 30 Nov 2026" in form
    assert "checked" not in form  # nothing chosen for the teacher
    reason = {"reason": "Wrong pupil"}
    posted = client.post(f"/assessment/observations/{row.id}/withdraw", data=reason)
    assert posted.status_code == 302
    after = s.feed(s.carer)
    assert TAKEN_BACK in after
    assert "Taken back on 30 Nov 2026" in after
    assert "Before, it said: Does it on their own" in after  # not as an achievement
    assert '<p class="level">' not in after
    assert "Wrong pupil" not in after  # the school's reason stays in school
    assert session.query(OutboxMessage).count() == emails  # no new email
    summary = session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "observation.withdrawn")
    )
    assert summary is not None
    assert "learning moment item #" in summary
    assert "taken back" in summary


def test_a_corrected_moment_says_it_was_corrected_and_what_it_says_now(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    _monday(clock)
    s = Setting(app, client, session)
    row = s.observe(3)
    s.share(row)
    page = client.get(f"/assessment/pupils/{s.school.pupil.id}/objectives/{SF}")
    assert "carers will see in the app that the school corrected it" in _said(page)
    s.correct(row, 2)
    after = s.feed(s.carer)
    assert "Corrected on 30 Nov 2026" in after
    assert "It now says: Does it with a reminder or after seeing an adult do it." in after
    assert TAKEN_BACK not in after
    summary = session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "observation.corrected")
    )
    assert summary is not None
    assert "now shows it corrected" in summary


def test_a_correction_to_not_yet_says_only_that_it_was_corrected(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    _monday(clock)
    s = Setting(app, client, session)
    row = s.observe(3)
    s.share(row)
    s.correct(row, 0)
    after = s.feed(s.carer)
    assert "The school corrected this" in after
    assert "It now says" not in after
    assert "Not yet" not in after  # stays in school, as it would for a new moment


def test_a_withdrawn_correction_shows_the_moment_taken_back(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    _monday(clock)
    s = Setting(app, client, session)
    row = s.observe(3)
    s.share(row)
    s.correct(row, 2)
    newer = session.scalar(select(Observation).where(Observation.supersedes_id == row.id))
    assert newer is not None
    form = client.get(f"/assessment/observations/{newer.id}/withdraw").get_data(as_text=True)
    assert "went home to" in form  # the one it corrects went home
    client.post(f"/assessment/observations/{newer.id}/withdraw", data={"reason": "Not seen"})
    assert TAKEN_BACK in s.feed(s.carer)


def test_another_familys_carer_sees_nothing_new(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    _monday(clock)
    s = Setting(app, client, session)
    row = s.observe(3)
    s.share(row)
    theirs = _items(s.feed(s.other_carer, s.other.id))
    client.post(f"/assessment/observations/{row.id}/withdraw", data={"reason": "Wrong pupil"})
    after = _items(s.feed(s.other_carer, s.other.id))
    assert after == theirs
    assert TAKEN_BACK not in after
    assert "Taken back" not in after


def _items(page: str) -> str:
    """The feed's list of items, as a carer sees it."""
    return page.split('<ol class="feed">', 1)[1].split("</ol>", 1)[0]


def test_the_staff_forms_warn_only_when_the_observation_went_home(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    _monday(clock)
    s = Setting(app, client, session)
    row = s.observe(3)
    form = client.get(f"/assessment/observations/{row.id}/withdraw").get_data(as_text=True)
    page = client.get(f"/assessment/pupils/{s.school.pupil.id}/objectives/{SF}")
    assert "went home to" not in form
    assert "went home to" not in page.get_data(as_text=True)


def test_staff_read_the_taken_back_moment_as_carers_do(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    """The class team's view of the messages home shows what carers see, not the old claim."""
    _monday(clock)
    s = Setting(app, client, session)
    row = s.observe(3)
    s.share(row)
    messages = f"/parents/pupils/{s.school.pupil.id}"
    assert TAKEN_BACK not in _said(client.get(messages))
    client.post(f"/assessment/observations/{row.id}/withdraw", data={"reason": "Wrong pupil"})
    after = _said(client.get(messages))
    assert TAKEN_BACK in after
    assert "Before, it said: Secure (independent)" in after  # in staff's words
