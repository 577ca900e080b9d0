"""A carer's walk through the family pages: what they notice, and what the school must see."""

from __future__ import annotations

import html
import io
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.parents import invites, queries, services
from classroom.parents.models import ConsentPurpose, FeedItem
from tests.app_settings import invite_settings, school_today
from tests.conftest import client_for
from tests.factories import PASSWORD
from tests.parents_helpers import Family, consent, moment


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "orange").save(out, "JPEG")
    return out.getvalue()


def _status(client: FlaskClient, url: str) -> int:
    """GET a page or file, closing the response (a photo is a file left open otherwise)."""
    response = client.get(url)
    response.close()
    return int(response.status_code)


def _words(response: TestResponse) -> str:
    """The page's text with each run of spaces and line breaks as one space."""
    return re.sub(r"\s+", " ", response.data.decode())


def _refusals(session: Session) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.action == "carer.access_refused"))
    )


def test_a_carer_trying_another_childs_ids_is_refused_and_the_school_can_see_it(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family, family.other)
    bens_photo = moment(session, family, pupil=family.other, note="Ben's day", photo=_jpeg())
    mum = client_for(app, family.carer)
    ben = family.other.id
    tries = [
        ("GET", f"/family/children/{ben}"),
        ("GET", f"/family/children/{ben}/photo-consent"),
        ("POST", f"/family/children/{ben}/messages"),
        ("POST", f"/family/children/{ben}/photo-consent"),
        ("GET", f"/family/photos/{bens_photo}"),
    ]
    form = {"body": "Hello", "key": "k", "purpose": "app", "given": "no"}
    for method, url in tries:
        response = mum.open(url, method=method, data=form if method == "POST" else None)
        response.close()
        assert response.status_code == 404, url
    refused = _refusals(session)
    assert [(e.actor_id, e.summary) for e in refused] == [
        (family.carer.id, f"{method} {url}") for method, url in tries
    ]
    assert all("Ben" not in (e.summary or "") for e in refused)  # the log names no child


def test_a_carer_opening_their_own_childs_pages_is_not_logged_as_refused(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    item = moment(session, family, photo=_jpeg())
    mum = client_for(app, family.carer)
    assert _status(mum, f"/family/children/{family.child.id}") == 200
    assert _status(mum, f"/family/photos/{item}") == 200
    url = f"/family/children/{family.child.id}/photo-consent"
    assert mum.post(url, data={"purpose": "app", "given": "no"}).status_code == 302
    assert _status(mum, f"/family/photos/{item}") == 404  # gone with consent: not "refused"
    assert _refusals(session) == []


def test_withdrawing_photo_consent_asks_first_and_says_the_photos_will_be_deleted(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    first, second = (moment(session, family, photo=_jpeg()) for _ in range(2))
    mum = client_for(app, family.carer)
    url = f"/family/children/{family.child.id}/photo-consent"
    page = mum.get(url).data.decode()
    # One tap on the consent page deletes nothing: it leads to a question.
    assert not re.search(r'value="app">\s*<input type="hidden" name="given" value="no"', page)
    assert f'href="{url}?withdraw=app"' in page
    question = mum.get(f"{url}?withdraw=app")
    text = _words(question)
    assert question.status_code == 200
    assert "All 2 photos of Amira in this app will be deleted" in text
    assert "You cannot get them back." in text
    assert "Yes, withdraw consent and delete the photos" in text
    assert f'href="{url}"' in text  # "No, keep consent" goes back
    assert _status(mum, f"/family/photos/{first}") == 200  # asking changed nothing
    answered = mum.post(url, data={"purpose": "app", "given": "no"})
    assert answered.status_code == 302
    for item in (first, second):
        assert _status(mum, f"/family/photos/{item}") == 404
        assert session.get(FeedItem, item).photo_file is None  # type: ignore[union-attr]


def test_the_question_is_not_asked_when_there_is_no_consent_to_withdraw(
    app: Flask, family: Family
) -> None:
    mum = client_for(app, family.carer)
    url = f"/family/children/{family.child.id}/photo-consent"
    page = mum.get(f"{url}?withdraw=app").data.decode()
    assert "No consent on record." in page
    assert "Withdraw photo consent for Amira?" not in page


def test_a_carer_who_uses_their_own_code_again_is_told_they_are_connected(
    app: Flask, session: Session, family: Family
) -> None:
    _invite, code = invites.issue_invite(
        session, family.teacher, family.other, "Mum", invite_settings(), now=utcnow()
    )
    session.commit()
    mum = client_for(app, family.carer)
    assert mum.post("/family/add-child", data={"code": code}).status_code == 302
    again = mum.post("/family/add-child", data={"code": code})  # the slip scanned again
    text = again.data.decode()
    assert again.status_code == 400
    assert "You used this code already: you are connected to Ben." in text
    assert "ask your child&#39;s class teacher for a new one" not in text


def test_someone_else_using_a_spent_code_is_still_told_to_ask_for_a_new_one(
    app: Flask, session: Session, family: Family
) -> None:
    _invite, code = invites.issue_invite(
        session, family.teacher, family.other, "Mum", invite_settings(), now=utcnow()
    )
    session.commit()
    mum = client_for(app, family.carer)
    assert mum.post("/family/add-child", data={"code": code}).status_code == 302
    dad = client_for(app, family.second_carer)
    text = dad.post("/family/add-child", data={"code": code}).data.decode()
    assert "That code has already been used" in text
    assert "Ben" not in text


def test_consent_running_out_soon_can_be_renewed_before_the_photos_disappear(
    app: Flask, session: Session, family: Family
) -> None:
    services.record_consent(
        session,
        family.teacher,
        family.child,
        ConsentPurpose.APP,
        True,
        "Sara Khan (mother)",
        school_today() - timedelta(days=350),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    mum = client_for(app, family.carer)
    url = f"/family/children/{family.child.id}/photo-consent"
    page = _words(mum.get(url))
    assert "This consent runs out soon." in page
    assert "Renew consent for another year" in page
    renewed = mum.post(url, data={"purpose": "app", "given": "yes"})
    assert renewed.status_code == 302
    latest = queries.latest_consent(session, family.child.id, ConsentPurpose.APP)
    assert latest is not None
    assert latest.expires_on is not None
    assert latest.expires_on > school_today() + timedelta(days=360)
    assert "runs out soon" not in _words(mum.get(url))


def test_a_code_opened_on_a_family_tablet_says_whose_account_it_joins(
    app: Flask, session: Session, family: Family
) -> None:
    _invite, code = invites.issue_invite(
        session, family.teacher, family.other, "Dad", invite_settings(), now=utcnow()
    )
    session.commit()
    mum = client_for(app, family.carer)  # still signed in when Dad scans his slip
    opened = mum.get(f"/family/join?code={code}")
    assert opened.status_code == 302
    page = _words(mum.get(opened.headers["Location"]))
    assert "You are signed in as <strong>Mrs Sara Khan</strong>" in page
    assert "If the code is for someone else, sign out first." in page


def test_a_carer_with_an_account_signs_in_from_the_slip_and_the_code_is_kept(
    app: Flask, session: Session, family: Family
) -> None:
    """Mum scans the slip for her second child on a phone not signed in: the join page's
    Sign in takes her, once signed in, to adding the child with the slip's code filled in."""
    _invite, code = invites.issue_invite(
        session, family.teacher, family.other, "Mum", invite_settings(), now=utcnow()
    )
    session.commit()
    phone = app.test_client()
    join = phone.get(f"/family/join?code={code}").text
    link = re.search(r'Already have an account\? <a href="([^"]+)">Sign in</a>', join)
    assert link is not None
    assert "it is kept for you" in join
    signed_in = phone.post(
        html.unescape(link.group(1)),
        data={"username": family.carer.username, "password": PASSWORD},
    )
    assert signed_in.status_code == 302
    adding = phone.get(signed_in.location)
    assert adding.status_code == 302
    page = phone.get(adding.location).text
    assert f'value="{code}"' in page
