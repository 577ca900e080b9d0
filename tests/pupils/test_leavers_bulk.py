"""The end of July, as the admin: a class's leavers are ticked on one page (none ticked
beforehand), named on the next to confirm, and recorded in one go on the day they left, each
as when one pupil leaves (audited, the DSL told); nothing is recorded before the confirming."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.outbox.models import OutboxMessage
from classroom.pupils.models import Pupil
from tests.conftest import Clock
from tests.factories import make_account, make_class, make_pupil


@pytest.fixture(autouse=True)
def _end_of_july(clock: Clock) -> None:
    """The day after the last day of the summer term: leavers are recorded on 22 July."""
    clock.set(datetime(2026, 7, 23, 9, 0, tzinfo=UTC))


def _words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _left(session: Session) -> list[tuple[str, date | None]]:
    session.expire_all()
    rows = session.execute(
        select(Pupil.first_name, Pupil.left_on).where(Pupil.active.is_(False))
    ).all()
    return sorted((name, on) for name, on in rows)


def test_eight_leavers_are_ticked_confirmed_by_name_and_recorded_in_one_go(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    names = ["Ava", "Ben", "Cal", "Dee", "Eli", "Fay", "Gus", "Hal", "Ivy"]
    pupils = {n: make_pupil(session, oak, first_name=n) for n in names}
    login_as(Role.ADMIN)
    assert f"/admin/classes/{oak.id}/leavers" in client.get("/admin/classes").text
    page = client.get(f"/admin/classes/{oak.id}/leavers")
    assert page.status_code == 200
    assert page.text.count('type="checkbox"') == 9
    assert " checked" not in page.text  # who has left is never ticked for the admin
    leaving = [pupils[n].id for n in names[:8]]
    form = {"pupil_id": leaving, "left_on": "2026-07-22"}
    asked = client.post(f"/admin/classes/{oak.id}/leavers", data=form)
    assert asked.status_code == 200
    words = _words(asked.text)
    assert "Have these 8 pupils left the school on 22 Jul 2026?" in words
    for n in names[:8]:
        assert f"{n} " in words
    assert "Ivy" not in words
    assert _left(session) == []  # nothing recorded before the confirming
    done = client.post(f"/admin/classes/{oak.id}/leavers", data={**form, "step": "confirm"})
    assert done.status_code == 302
    assert "Recorded: 8 pupils left the school." in client.get(done.headers["Location"]).text
    assert _left(session) == [(n, date(2026, 7, 22)) for n in names[:8]]
    session.expire_all()
    audited = session.scalars(
        select(AuditEvent.object_id).where(AuditEvent.action == "pupil.left_school")
    ).all()
    assert sorted(audited) == sorted(leaving)


def test_none_ticked_a_future_day_or_an_old_page_is_refused_and_nothing_is_recorded(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    ava = make_pupil(session, oak, first_name="Ava")
    gone = make_pupil(session, oak, first_name="Ben", active=False)
    login_as(Role.ADMIN)
    url = f"/admin/classes/{oak.id}/leavers"
    none = client.post(url, data={"left_on": "2026-07-22"})
    assert none.status_code == 400
    assert "Choose the pupils who are leaving." in none.text
    later = client.post(url, data={"pupil_id": ava.id, "left_on": "2999-07-22", "step": "confirm"})
    assert later.status_code == 400
    assert "cannot be after today" in later.text
    assert 'aria-invalid="true"' in later.text
    # A year typed wrong, or a day before the pupil was recorded back at the school.
    year = client.post(url, data={"pupil_id": ava.id, "left_on": "2025-07-22"})
    assert year.status_code == 400
    assert "more than a year ago (22/07/2025). Check the year." in year.text
    ava.back_on = date(2026, 6, 1)
    session.commit()
    early = client.post(url, data={"pupil_id": ava.id, "left_on": "2026-05-22"})
    assert early.status_code == 400
    assert "recorded back at the school: Ava Test (01/06/2026)" in html.unescape(early.text)
    bad = client.post(url, data={"pupil_id": ava.id, "left_on": "22/07"})
    assert bad.status_code == 400
    assert "as a date" in bad.text
    stale = client.post(url, data={"pupil_id": [ava.id, gone.id], "left_on": "2026-07-22"})
    assert stale.status_code == 409
    assert [n for n, _ in _left(session)] == ["Ben"]
    back = client.post(url, data={"pupil_id": ava.id, "left_on": "2026-07-22", "step": "change"})
    assert back.status_code == 200
    assert f'value="{ava.id}" checked' in back.text  # back to the list, the ticks kept


def test_class_staff_cannot_record_leavers(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    ava = make_pupil(session, oak, first_name="Ava")
    login_as(Role.TEACHER, classes=[oak])
    url = f"/admin/classes/{oak.id}/leavers"
    assert client.get(url).status_code in (403, 404)
    form = {"pupil_id": ava.id, "left_on": "2026-07-22", "step": "confirm"}
    assert client.post(url, data=form).status_code in (403, 404)
    assert _left(session) == []


def test_the_dsl_and_deputy_get_one_email_for_a_class_s_leavers_naming_nobody(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    team = [make_account(session, Role.DSL), make_account(session, Role.DEPUTY_DSL)]
    pupils = [make_pupil(session, oak, first_name=n) for n in ("Ava", "Ben", "Cal")]
    session.commit()
    login_as(Role.ADMIN)
    form = {"pupil_id": [p.id for p in pupils], "left_on": "2026-07-22", "step": "confirm"}
    assert client.post(f"/admin/classes/{oak.id}/leavers", data=form).status_code == 302
    session.expire_all()
    emails = session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key.startswith("pupil-left:"))
    ).all()
    # One each for the DSL and the deputy, not three each.
    assert sorted(e.to_address for e in emails) == sorted(a.email for a in team)
    for email in emails:
        assert email.subject == "3 pupils have left the school"
        assert email.body.startswith("3 pupils have been recorded as having left the school.")
        assert "If any of them has a safeguarding record" in email.body
        assert not {"Ava", "Ben", "Cal", "Oak"} & set(email.body.replace(".", " ").split())
