"""A class iPad revoked (lost, say) while a pupil is telling a worry on it: what the pupil chose
and typed still reaches the team, with a note that it came from a revoked iPad, by the plain
form and by the iPad's saved (sealed) worry. Nothing else a revoked iPad sends is heard: not a
worry without the screen's own token, nor one with another iPad's or another pupil's."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.devices import services as devices
from classroom.devices.web import cookie_name
from classroom.worries.models import Incident
from tests.conftest import Clock
from tests.factories import make_class, make_device, make_pupil
from tests.worry_helpers import School, make_school, pupil_on_ipad, sealed

REVOKED_NOTE = 'Sent from the class iPad "'


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Incident)) or 0


def _worry_screen(ipad: FlaskClient) -> str:
    """Open Report a worry: the screen's reporter token."""
    page = ipad.get("/pupil/worry").data.decode()
    return page.split('name="reporter" value="')[1].split('"')[0]


def _revoke(session: Session, school: School) -> None:
    devices.revoke(session, school.teacher, school.device, now=utcnow())
    session.commit()


def _notes(session: Session) -> list[str]:
    session.expire_all()
    incident = session.scalars(select(Incident)).one()
    return [entry.text for entry in incident.entries]


def test_the_plain_form_sent_after_the_ipad_was_revoked_is_heard(
    app: Flask, session: Session, clock: Clock
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    reporter = _worry_screen(ipad)
    clock.advance(minutes=3)
    _revoke(session, school)  # reported lost while Amira was telling
    assert ipad.get("/pupil/").status_code == 302  # her visit has ended
    clock.advance(minutes=2)
    response = ipad.post(
        "/pupil/worry",
        data={"key": "told", "what": "sad", "words": "he sent me a photo", "reporter": reporter},
    )
    assert response.status_code == 200
    assert "Thank you for telling." in response.data.decode()
    assert _count(session) == 1
    note = next(n for n in _notes(session) if n.startswith(REVOKED_NOTE))
    assert f'"{school.device.name}" after it was revoked' in note
    assert "check with the class team who sent it" in note
    assert session.scalars(select(Incident)).one().pupil_words == "he sent me a photo"


def test_the_saved_worry_sent_after_the_ipad_was_revoked_is_heard_once(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    reporter = _worry_screen(ipad)
    _revoke(session, school)
    _key, env = sealed(app, school.pupil, what="sad", reporter=reporter)
    first = ipad.post("/class-ipad/worries", json={"envelope": env})
    again = ipad.post("/class-ipad/worries", json={"envelope": env})
    assert (first.status_code, again.status_code) == (201, 200)
    assert _count(session) == 1
    assert any(n.startswith(REVOKED_NOTE) for n in _notes(session))


def test_a_worry_from_a_live_ipad_has_no_such_note(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    reporter = _worry_screen(ipad)
    response = ipad.post("/pupil/worry", data={"key": "k", "what": "sad", "reporter": reporter})
    assert response.status_code == 302
    assert not any(n.startswith(REVOKED_NOTE) for n in _notes(session))


def test_a_revoked_ipad_is_not_heard_without_a_screen_opened_on_it_before(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    other_pupil = make_pupil(session, school.oak, first_name="Dev")
    _other_ipad, other_token = make_device(session, school.oak)
    session.commit()
    ipad = pupil_on_ipad(app, school)
    mine = _worry_screen(ipad)
    elsewhere = app.test_client()  # the same class's other iPad, with Dev signed in
    elsewhere.set_cookie(cookie_name(), other_token)
    elsewhere.post(f"/class-ipad/pupils/{other_pupil.id}")
    theirs = _worry_screen(elsewhere)
    _revoke(session, school)
    refused = [
        {},  # no token: anything a found iPad might make up
        {"reporter": "not-signed"},
        {"reporter": theirs},  # another iPad's screen
    ]
    for extra in refused:
        _key, env = sealed(app, school.pupil, what="sad", **extra)
        assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 403
    # Amira's screen, but sent as Dev's worry.
    _key, env = sealed(app, other_pupil, what="sad", reporter=mine)
    assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 403
    for reporter in ("not-signed", theirs):
        response = ipad.post("/pupil/worry", data={"key": "x", "what": "sad", "reporter": reporter})
        assert response.status_code == 403
    assert _count(session) == 0


def test_a_screen_opened_after_the_revoking_is_not_heard(
    app: Flask, session: Session, clock: Clock
) -> None:
    """Only a screen opened before the revoking is heard: a token for this iPad signed after
    it (no pupil can open the screen then, but a copied or made-up one) is refused."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    _revoke(session, school)
    clock.advance(minutes=5)
    # A token for this iPad signed after it was revoked (as a copied page would carry).
    with app.test_request_context():
        from classroom.worries.views import _signer  # noqa: PLC0415 - the page's own signer

        late = _signer().dumps(
            {"p": school.pupil.id, "d": school.device.id, "v": None, "t": int(utcnow().timestamp())}
        )
    _key, env = sealed(app, school.pupil, what="sad", reporter=late)
    assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 403
    response = ipad.post("/pupil/worry", data={"key": "late", "what": "sad", "reporter": late})
    assert response.status_code == 403
    assert _count(session) == 0


def test_a_worry_sent_after_the_ipad_was_enrolled_again_names_where_it_was_told(
    app: Flask, session: Session
) -> None:
    """Revoked as lost, found, and enrolled for Willow before it was back online: the worry
    Amira saved in Oak goes from the Willow iPad. The team reads of the Oak iPad, revoked, not
    that Amira had left the Willow iPad's class (she is still in Oak)."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    reporter = _worry_screen(ipad)
    _key, env = sealed(app, school.pupil, what="sad", reporter=reporter)
    _revoke(session, school)
    willow = make_class(session, name="Willow")
    again, token = make_device(session, willow, "Willow iPad 9")
    session.commit()
    ipad.set_cookie(cookie_name(), token)

    assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 201
    notes = _notes(session)
    assert any(n.startswith(f'{REVOKED_NOTE}{school.device.name}" after it') for n in notes)
    assert not any("no longer in that class" in n or again.name in n for n in notes)
    assert session.scalars(select(Incident)).one().device_id == school.device.id


def test_a_worry_sent_after_the_pupil_left_says_they_had_left(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    reporter = _worry_screen(ipad)
    _key, env = sealed(app, school.pupil, what="sad", reporter=reporter)
    school.pupil.active = False  # left the school before the iPad was back online
    session.commit()
    assert ipad.post("/class-ipad/worries", json={"envelope": env}).status_code == 201
    note = next(n for n in _notes(session) if n.startswith("Saved on the class iPad"))
    assert f"when {school.pupil.first_name} had left the school." in note
