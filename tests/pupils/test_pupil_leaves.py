"""Staff record that a pupil has left the school, or is back at it (pupils.leaving)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import get_session, utcnow
from classroom.errors import Forbidden
from classroom.parents.models import FeedItem
from classroom.pupils import services
from classroom.pupils.models import Pupil
from tests.conftest import Clock, build_app, client_for
from tests.factories import make_account, make_class, make_pupil, make_school
from tests.parents_helpers import Family, make_family, moment
from tests.test_one_commit import commits


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    return make_family(session, clock)


def _words(response: TestResponse) -> str:
    """The page's text with each run of spaces and line breaks as one space."""
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def _url(pupil: Pupil) -> str:
    return f"/pupils/{pupil.id}/leaving"


def _answer(client: FlaskClient, pupil: Pupil, answer: str) -> TestResponse:
    return client.post(_url(pupil), data={"answer": answer})


def _audited(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _audit_rows(session: Session) -> int:
    return session.scalar(select(func.count(AuditEvent.id))) or 0


def _is_active(session: Session, pupil: Pupil) -> bool:
    session.expire_all()
    return session.get(Pupil, pupil.id).active  # type: ignore[union-attr]


# --- Recording it ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["head", "admin"])
def test_a_head_or_admin_records_that_a_pupil_has_left_and_it_is_audited(
    app: Flask, session: Session, family: Family, who: str
) -> None:
    actor: Account = getattr(family, who)
    office = client_for(app, actor)
    detail = _words(office.get(f"/pupils/{family.child.id}"))
    assert f'href="{_url(family.child)}">Has left the school</a>' in detail
    response = _answer(office, family.child, "left")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pupils/{family.child.id}?left=1")
    assert not _is_active(session, family.child)
    [entry] = _audited(session, "pupil.left_school")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        actor.id,
        "Pupil",
        family.child.id,
    )
    page = _words(office.get(response.headers["Location"]))
    assert "Recorded: Amira has left the school." in page
    assert "Amira Khan (left the school)" in page
    assert f'href="{_url(family.child)}">Back at the school</a>' in page


@pytest.mark.parametrize("who", ["teacher", "ta", "dsl"])
def test_class_staff_and_the_dsl_cannot_record_a_leaving_and_are_audited(
    app: Flask, session: Session, family: Family, who: str
) -> None:
    actor: Account = getattr(family, who)
    staff = client_for(app, actor)
    detail = staff.get(f"/pupils/{family.child.id}")
    assert detail.status_code == 200  # they may see Amira
    assert _url(family.child) not in _words(detail)
    assert staff.get(_url(family.child)).status_code == 404
    assert _answer(staff, family.child, "left").status_code == 404
    assert _is_active(session, family.child)
    assert _audited(session, "pupil.left_school") == []
    refused = [(e.actor_id, e.summary) for e in _audited(session, "staff.access_refused")]
    assert refused == [
        (actor.id, f"GET {_url(family.child)}"),
        (actor.id, f"POST {_url(family.child)}"),
    ]


def test_another_schools_head_and_class_staff_are_refused_by_the_service_too(
    app: Flask, session: Session, family: Family
) -> None:
    elsewhere = make_account(session, Role.HEADTEACHER, school=make_school(session, name="Other"))
    session.commit()
    assert _answer(client_for(app, elsewhere), family.child, "left").status_code == 404
    assert _is_active(session, family.child)
    for actor in (elsewhere, family.teacher):  # the service refuses them itself too
        with pytest.raises(Forbidden):
            services.record_leaving(
                session, actor, family.child, today=date(2027, 3, 8), now=utcnow(), base_url=""
            )
    assert _is_active(session, family.child)


# --- What it changes ---------------------------------------------------------------------------


def test_the_tile_leaves_the_class_ipad_and_comes_back_when_the_pupil_is_back(
    app: Flask,
    session: Session,
    client: FlaskClient,
    family: Family,
    on_class_ipad: Callable[..., Any],
) -> None:
    on_class_ipad(family.oak)
    tile = f"/class-ipad/pupils/{family.child.id}"
    assert tile in _words(client.get("/class-ipad"))
    head = client_for(app, family.head)
    assert _answer(head, family.child, "left").status_code == 302
    start = _words(client.get("/class-ipad"))
    assert tile not in start
    assert f"/class-ipad/pupils/{family.other.id}" in start  # Ben is still in Oak
    assert client.post(tile).status_code == 404  # an old start screen's tile signs in nobody
    assert _answer(head, family.child, "back").status_code == 302
    assert tile in _words(client.get("/class-ipad"))
    [entry] = _audited(session, "pupil.back_at_school")
    assert (entry.actor_id, entry.object_id) == (family.head.id, family.child.id)
    assert "Recorded: Amira is back at the school." in _words(
        head.get(f"/pupils/{family.child.id}?back=1")
    )


def test_a_carer_of_a_child_who_has_left_reads_the_feed_but_cannot_write(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family, note="Great sorting today.")
    assert _answer(client_for(app, family.head), family.child, "left").status_code == 302
    mum = client_for(app, family.carer)
    feed = mum.get(f"/family/children/{family.child.id}")
    assert feed.status_code == 200
    assert "Great sorting today." in _words(feed)  # what was shared stays theirs to read
    sent = mum.post(
        f"/family/children/{family.child.id}/messages", data={"body": "Hello", "key": "k1"}
    )
    assert 400 <= sent.status_code < 500
    assert session.scalar(select(func.count(FeedItem.id))) == 1  # the moment only


def test_the_pupils_list_shows_pupils_who_have_left_apart_from_the_class(
    app: Flask, family: Family
) -> None:
    head = client_for(app, family.head)
    assert "Left the school" not in _words(head.get("/pupils/"))
    assert _answer(head, family.child, "left").status_code == 302
    page = _words(head.get("/pupils/"))
    [oak] = [card for card in page.split('<section class="card"') if ">Oak</h2>" in card]
    current, left = oak.split("Left the school")
    assert "Amira Khan" not in current
    assert "Ben Taylor" in current
    link = f'href="/pupils/{family.child.id}">Amira Khan</a>'
    said = re.escape(link) + r" \(left \d{1,2} [A-Z][a-z]{2} \d{4}\)"
    assert re.search(said, left)  # when she left, as every list of leavers says
    assert "Ben Taylor" not in left
    assert "Amira Khan" in _words(client_for(app, family.teacher).get("/pupils/"))


# --- The confirmation page ---------------------------------------------------------------------


def test_the_confirmation_page_says_what_happens_chooses_nothing_and_writes_nothing(
    app: Flask, session: Session, family: Family
) -> None:
    head = client_for(app, family.head)
    before = _audit_rows(session)
    page = head.get(_url(family.child))
    assert page.status_code == 200
    words = _words(page)
    assert "Has Amira Khan left the school?" in words
    assert "Amira's tile leaves the class iPads" in words
    assert "can still read everything the school shared with them before" in words
    assert "Nothing new is sent to them through the app" in words
    assert "they cannot send messages to class staff" in words
    assert "records are kept, as the school's rules on keeping records say" in words
    assert 'name="answer"' in words
    assert "checked" not in words  # neither answer is chosen for the person
    assert _audit_rows(session) == before
    assert _is_active(session, family.child)


def test_the_confirmation_page_asks_about_coming_back_once_the_pupil_has_left(
    app: Flask, family: Family
) -> None:
    head = client_for(app, family.head)
    _answer(head, family.child, "left")
    words = _words(head.get(_url(family.child)))
    assert "Is Amira Khan back at the school?" in words
    assert 'value="back"' in words
    assert 'value="left"' not in words


@pytest.mark.parametrize("data", [{}, {"answer": "maybe"}, {"answer": ""}])
def test_no_answer_or_a_wrong_one_is_a_400_that_says_what_to_do(
    app: Flask, session: Session, family: Family, data: dict[str, str]
) -> None:
    response = client_for(app, family.head).post(_url(family.child), data=data)
    assert response.status_code == 400
    assert "Choose yes or no." in _words(response)
    assert _is_active(session, family.child)
    assert _audited(session, "pupil.left_school") == []


def test_no_changes_nothing(app: Flask, session: Session, family: Family) -> None:
    response = _answer(client_for(app, family.head), family.child, "stay")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pupils/{family.child.id}")
    assert _is_active(session, family.child)
    assert _audited(session, "pupil.left_school") == []


def test_an_answer_from_a_page_already_out_of_date_is_a_400_not_a_500(
    app: Flask, session: Session, family: Family
) -> None:
    head = client_for(app, family.head)
    assert _answer(head, family.child, "left").status_code == 302
    again = _answer(head, family.child, "left")  # a second tab, or the form sent twice
    assert again.status_code == 400
    assert "Amira Khan is already recorded as having left the school." in _words(again)
    back = _answer(head, family.child, "back")
    assert back.status_code == 302
    again = _answer(head, family.child, "back")
    assert again.status_code == 400
    assert "Amira Khan is already recorded as at the school." in _words(again)
    assert len(_audited(session, "pupil.left_school")) == 1
    assert len(_audited(session, "pupil.back_at_school")) == 1


def test_recording_commits_once_when_the_view_has_returned(
    app: Flask, session: Session, family: Family, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = client_for(app, family.head)
    url = _url(family.child)
    session.commit()  # the test's own reads end here, so any COMMIT below is the request's
    with commits(app, monkeypatch) as seen:
        assert head.post(url, data={"answer": "left"}).status_code == 302
    assert seen == ["END", "COMMIT"]


def test_recording_needs_the_pages_csrf_token(
    tmp_path: Path, template_db: Path, clock: Clock
) -> None:
    app = build_app(tmp_path, template_db, clock)  # CSRF on, as in production
    app.config["WTF_CSRF_ENABLED"] = False  # only while signing in
    with app.app_context():
        db = get_session()
        pupil = make_pupil(db, make_class(db))
        head = make_account(db, Role.HEADTEACHER)
        db.commit()
        office = client_for(app, head)
        app.config["WTF_CSRF_ENABLED"] = True
        assert _answer(office, pupil, "left").status_code == 400
        assert _is_active(db, pupil)
        page = _words(office.get(_url(pupil)))
        [form] = [f for f in page.split("<form") if 'name="answer"' in f]  # the page's own form
        token = re.findall(r'name="csrf_token" value="([^"]+)"', form)
        sent = office.post(_url(pupil), data={"answer": "left", "csrf_token": token[0]})
        assert sent.status_code == 302
        assert not _is_active(db, pupil)


def test_the_record_of_access_rights_says_who_records_a_pupil_leaving() -> None:
    right = policy.RIGHTS["manage_classes"]
    assert "record that a pupil has left the school, or is back at it" in right.description
    assert right.roles == {Role.ADMIN, Role.HEADTEACHER}
