"""Photo consent run out a year on: the carer may renew it, or withdraw it and have the photos
deleted.

Consent is renewed annually (PRODUCT.md section 5) and the policy keeps images only while they
are needed (section 6, and the policy's images section). Once consent ran out, the photos shared
under it were kept, hidden, until someone renewed it, and the consent page offered only "Give
consent": a carer who would rather say no had no way to have them deleted. The page now offers
to withdraw and delete them, asked first as for consent in force; the withdrawal is audited,
staff see it, and the files go only once it is committed.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import photos
from classroom.audit.models import AuditEvent
from classroom.parents.models import FeedItem
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, consent, moment

WITHDRAW = "Withdraw consent and delete the photos"


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "purple").save(out, "JPEG")
    return out.getvalue()


def _a_year_on(app: Flask, session: Session, family: Family, clock: Clock) -> list[Path]:
    """Two photos shared under consent signed 1 Sep 2026; then 2 Sep 2027, when it has run out."""
    consent(session, family)
    ids = [moment(session, family, photo=_jpeg()) for _ in range(2)]
    folder = photos.photo_dir(app.instance_path)
    paths = []
    for item_id in ids:
        item = session.get(FeedItem, item_id)
        assert item is not None
        assert item.photo_file is not None
        paths.append(folder / item.photo_file)
    assert all(p.is_file() for p in paths)
    clock.set(datetime(2027, 9, 2, 10, tzinfo=UTC))
    for account in (family.teacher, family.carer, family.second_carer):
        account.password_changed_at = clock()  # changed in the year, as the policy asks
    session.commit()
    return paths


def test_a_carer_whose_consent_ran_out_can_withdraw_it_and_the_photos_are_deleted(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    paths = _a_year_on(app, session, family, clock)
    mum = client_for(app, family.carer)
    url = f"/family/children/{family.child.id}/photo-consent"
    page = mum.get(url).text
    assert "has run out" in page
    assert "2 photos of" in page
    assert "still kept, but nobody can see them" in page
    assert "Give consent for a year" in page  # renewing stays on offer
    assert WITHDRAW in page
    assert f'href="{url}?withdraw=app"' in page
    # Asked first, as it cannot be undone; the link alone deletes nothing (GET writes nothing).
    asked = mum.get(f"{url}?withdraw=app").text
    assert "All 2 photos of Amira" in asked
    assert "will be deleted" in asked
    assert "Consent for the app has run out" in asked
    assert "No, go back" in asked
    assert all(p.is_file() for p in paths)
    answered = mum.post(url, data={"purpose": "app", "given": "no"})
    assert answered.status_code == 302
    assert not any(p.exists() for p in paths)  # deleted once committed
    items = session.scalars(select(FeedItem).where(FeedItem.pupil_id == family.child.id)).all()
    for item in items:
        session.refresh(item)
        assert item.photo_file is None
        assert item.photo_removed_at is not None
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"photo_consent.withdrawn", "parents.photos_deleted"} <= actions
    # After: no photos kept, so no second button; giving consent again stays open to her.
    after = mum.get(url).text
    assert WITHDRAW not in after
    assert "Consent withdrawn by" in after
    # Staff see the withdrawal and what became of each photo.
    staff = client_for(app, family.teacher).get(f"/parents/pupils/{family.child.id}").text
    assert "withdrawn by Mrs Sara Khan (in the app)" in staff
    assert "when photo consent was withdrawn" in staff
    # Dad's feed says the photos were deleted, no longer that they wait for a renewal.
    feed = client_for(app, family.second_carer).get(f"/family/children/{family.child.id}").text
    assert "The photo shared with this was deleted on" in feed
    assert "shows again once consent is renewed" not in feed


def test_renewing_instead_shows_the_kept_photos_again(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    paths = _a_year_on(app, session, family, clock)
    mum = client_for(app, family.carer)
    url = f"/family/children/{family.child.id}/photo-consent"
    assert mum.post(url, data={"purpose": "app", "given": "yes"}).status_code == 302
    assert all(p.is_file() for p in paths)
    page = mum.get(url).text
    assert WITHDRAW not in page  # in force again: the ordinary withdraw button is back
    assert "Withdraw consent" in page


def test_no_kept_photos_no_delete_button(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    consent(session, family)
    clock.set(datetime(2027, 9, 2, 10, tzinfo=UTC))
    family.carer.password_changed_at = clock()
    session.commit()
    mum = client_for(app, family.carer)
    url = f"/family/children/{family.child.id}/photo-consent"
    page = mum.get(url).text
    assert "has run out" in page
    assert WITHDRAW not in page
    # Nothing to delete: the confirmation is not offered (the page is shown as it is).
    assert "will be deleted" not in mum.get(f"{url}?withdraw=app").text
