"""A photo shared home shows that pupil alone: the share form asks, and refuses it unticked.

A carer sees only their own child: never another child's name or image (PRODUCT.md section 5),
and a group photo would carry another child's image under this child's consent. The form asks
the sharer, unticked at first; a photo shared without the tick is refused and nothing is kept.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom import photos
from classroom.audit.models import AuditEvent
from classroom.parents.models import FeedItem
from tests.app_settings import lesson_files
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, consent

LABEL = "Only Amira can be seen in this photo, no other pupil"
HIDDEN = "It is hidden because photo consent for the app has run out"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "teal").save(out, "JPEG")
    return out.getvalue()


def _share(staff: FlaskClient, family: Family, key: str, **extra: object) -> TestResponse:
    objective = lesson_files().get("kind-and-unkind").versions[1].objective.id
    data: dict[str, object] = {
        "objective": objective,
        "level": "2",
        "note": "Sorted every card",
        "key": key,
        "photo": (io.BytesIO(_jpeg()), "IMG_0101.jpg"),
    }
    return staff.post(
        f"/parents/pupils/{family.child.id}/share",
        data=data | extra,
        content_type="multipart/form-data",
    )


def _stored(app: Flask) -> list[Path]:
    folder = photos.photo_dir(app.instance_path)
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_the_share_form_asks_whether_anyone_else_is_in_the_photo(
    app: Flask, session: Session, family: Family
) -> None:
    staff = client_for(app, family.teacher)
    page = staff.get(f"/parents/pupils/{family.child.id}/share").text
    assert LABEL not in page  # no consent: no photo, so nothing to ask
    consent(session, family)
    page = staff.get(f"/parents/pupils/{family.child.id}/share").text
    assert LABEL in page
    assert 'type="checkbox"' in page
    assert 'name="alone"' in page
    assert "checked" not in page.split('name="alone"')[1].split(">")[0]  # not ticked for them
    assert "Taken on a school device, never a personal phone." in page


def test_a_photo_not_ticked_as_this_pupil_alone_is_refused_and_not_kept(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    staff = client_for(app, family.teacher)
    before = _stored(app)
    refused = _share(staff, family, "group-1")
    assert refused.status_code == 400
    assert "Tick that no other pupil can be seen in the photo" in refused.text
    assert 'id="alone-error"' in refused.text  # beside the box to tick
    assert "Sorted every card" in refused.text  # what was typed is kept
    assert session.scalar(select(FeedItem.id)) is None  # nothing went home
    assert _stored(app) == before  # and no photo was kept


def test_a_photo_ticked_as_this_pupil_alone_goes_home_and_the_audit_says_so(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    staff = client_for(app, family.teacher)
    sent = _share(staff, family, "alone-1", alone="y")
    assert sent.status_code == 302
    item = session.scalar(select(FeedItem))
    assert item is not None
    assert item.photo_file is not None
    summaries = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "parents.learning_moment_shared")
    )
    assert f"item #{item.id}, with a photo showing no other pupil (ticked)" in list(summaries)
    mum = client_for(app, family.carer)
    with mum.get(f"/family/photos/{item.id}") as photo:
        assert photo.status_code == 200


def test_a_moment_without_a_photo_needs_no_tick(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    staff = client_for(app, family.teacher)
    sent = _share(staff, family, "no-photo-1", photo=(io.BytesIO(b""), ""))
    assert sent.status_code == 302
    item = session.scalar(select(FeedItem))
    assert item is not None
    assert item.photo_file is None


def test_a_year_on_photos_shared_are_hidden_and_say_why_until_consent_is_renewed(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    consent(session, family)  # the form was signed on 1 Sep 2026, so it runs to 1 Sep 2027
    staff = client_for(app, family.teacher)
    assert _share(staff, family, "before-1", alone="y").status_code == 302
    item = session.scalar(select(FeedItem))
    assert item is not None
    clock.set(datetime(2027, 9, 2, 10, tzinfo=UTC))  # a year on: consent has run out
    for account in (family.teacher, family.carer):
        account.password_changed_at = clock()  # changed in the year, as the policy asks
    session.commit()
    mum, staff = client_for(app, family.carer), client_for(app, family.teacher)  # new sign-ins
    for client, url in (
        (mum, f"/family/children/{family.child.id}"),
        (staff, f"/parents/pupils/{family.child.id}"),
    ):
        page = client.get(url).text
        assert f"/family/photos/{item.id}" not in page
        assert HIDDEN in page  # not silently gone: carers and staff are told why
    # Carers are told where to renew consent, or withdraw it and have the photo deleted.
    feed = mum.get(f"/family/children/{family.child.id}").text
    assert f'href="/family/children/{family.child.id}/photo-consent">Renew or withdraw' in feed
    with mum.get(f"/family/photos/{item.id}") as photo:
        assert photo.status_code == 404
    renewed = mum.post(
        f"/family/children/{family.child.id}/photo-consent", data={"purpose": "app", "given": "yes"}
    )
    assert renewed.status_code == 302
    page = mum.get(f"/family/children/{family.child.id}").text
    assert f"/family/photos/{item.id}" in page
    assert HIDDEN not in page
