"""Photo consent for the app withdrawn: the photos shared under it are deleted, after commit.

The e-safety policy shares photos with carers only under recorded consent and deletes images
once no longer needed, so a withdrawal deletes them (not only hides them). The learning moment
stays and says its photo was removed; staff see the withdrawal before they choose a picture.
"""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import photos
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.parents import services
from classroom.parents.models import ConsentPurpose, FeedItem
from classroom.pupils import photos as tiles
from classroom.worker import tick
from tests.app_settings import lesson_files, school_today
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, consent, moment


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "orange").save(out, "JPEG")
    return out.getvalue()


def _folder(app: Flask) -> Path:
    return photos.photo_dir(app.instance_path)


def _moment_with_photo(app: Flask, session: Session, family: Family) -> tuple[FeedItem, Path]:
    consent(session, family)
    item = session.get(FeedItem, moment(session, family, photo=_jpeg()))
    assert item is not None
    assert item.photo_file is not None
    path = _folder(app) / item.photo_file
    assert path.is_file()
    return item, path


def _withdraw(carer: FlaskClient, pupil_id: int, purpose: str = "app") -> None:
    response = carer.post(
        f"/family/children/{pupil_id}/photo-consent", data={"purpose": purpose, "given": "no"}
    )
    assert response.status_code == 302


def _withdraw_in_service(app: Flask, session: Session, family: Family) -> None:
    services.carer_consent(
        session,
        family.carer,
        family.child,
        ConsentPurpose.APP,
        False,
        now=utcnow(),
        today=school_today(),
        photo_folder=_folder(app),
    )


def _status(client: FlaskClient, url: str) -> int:
    with client.get(url) as response:
        return response.status_code


def test_a_carers_withdrawal_deletes_the_photos_and_keeps_the_moment(
    app: Flask, session: Session, family: Family
) -> None:
    item, path = _moment_with_photo(app, session, family)
    mum, dad = client_for(app, family.carer), client_for(app, family.second_carer)
    _withdraw(mum, family.child.id)
    assert not path.exists()  # deleted, not only hidden
    session.refresh(item)
    assert item.photo_file is None
    assert item.photo_removed_at is not None
    # Dad, the other carer, sees the moment with a plain note; his link to the photo is gone.
    feed = dad.get(f"/family/children/{family.child.id}").text
    assert "Sorts kind and unkind messages" in feed
    assert "Does it on their own" in feed  # the level in carers' words
    assert "The photo shared with this was deleted on" in feed
    assert f"/family/photos/{item.id}" not in feed
    assert _status(dad, f"/family/photos/{item.id}") == 404
    staff = client_for(app, family.teacher).get(f"/parents/pupils/{family.child.id}").text
    assert "when photo consent was withdrawn" in staff
    deleted = AuditEvent.action == "parents.photos_deleted"
    entry = session.scalar(select(AuditEvent).where(deleted))
    assert entry is not None
    assert f"#{item.id}" in entry.summary


def test_giving_consent_again_does_not_bring_deleted_photos_back(
    app: Flask, session: Session, family: Family
) -> None:
    item, _path = _moment_with_photo(app, session, family)
    mum = client_for(app, family.carer)
    _withdraw(mum, family.child.id)
    response = mum.post(
        f"/family/children/{family.child.id}/photo-consent", data={"purpose": "app", "given": "yes"}
    )
    assert response.status_code == 302
    assert _status(mum, f"/family/photos/{item.id}") == 404
    assert "The photo shared with this was deleted" in mum.get(
        f"/family/children/{family.child.id}"
    ).text


def test_a_withdrawal_staff_record_from_a_letter_deletes_them_too(
    app: Flask, session: Session, family: Family
) -> None:
    _item, path = _moment_with_photo(app, session, family)
    form = {
        "consent-purpose": "app",
        "consent-decision": "withdrawn",
        "consent-given_by": "Omar Khan (father), by letter",
        "consent-given_on": "2027-01-11",
    }
    staff = client_for(app, family.teacher)
    assert staff.post(f"/parents/pupils/{family.child.id}/consent", data=form).status_code == 302
    assert not path.exists()


def test_the_files_go_only_when_the_withdrawal_is_committed(
    app: Flask, session: Session, family: Family
) -> None:
    item, path = _moment_with_photo(app, session, family)
    _withdraw_in_service(app, session, family)
    session.flush()
    assert path.is_file()  # not before the commit
    session.rollback()  # the request failed: its rows come back, and so must their photos
    assert path.is_file()
    session.refresh(item)
    assert item.photo_file == path.name
    session.commit()  # a later commit of something else deletes nothing
    assert path.is_file()
    _withdraw_in_service(app, session, family)
    session.commit()
    assert not path.exists()


def test_a_session_closed_without_committing_deletes_nothing_later(
    app: Flask, session: Session, family: Family
) -> None:
    _item, path = _moment_with_photo(app, session, family)
    _withdraw_in_service(app, session, family)
    session.close()
    session.commit()
    assert path.is_file()


def _age(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_a_file_a_crash_left_behind_is_swept_by_the_worker(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    """The process dies between the commit and the deletion: the file is not kept forever."""
    item, path = _moment_with_photo(app, session, family)
    _withdraw_in_service(app, session, family)
    session.info.pop(photos.PENDING)  # the deletions the crash never made
    session.commit()
    assert path.is_file()
    fresh = _folder(app) / photos.store(_jpeg(), _folder(app))  # a request about to commit
    kept, kept_path = _moment_with_photo(app, session, family)
    now = clock()
    for file in (path, kept_path):
        _age(file, now - timedelta(days=2))
    _age(fresh, now - timedelta(minutes=5))
    tick()
    assert not path.exists()
    assert fresh.is_file()  # too new: its row may still be on its way
    assert kept.photo_file is not None
    assert kept_path.is_file()  # old, but a row names it
    assert item.photo_file is None


def test_staff_see_the_withdrawal_before_they_choose_a_photo(
    app: Flask, session: Session, family: Family
) -> None:
    _moment_with_photo(app, session, family)
    staff = client_for(app, family.teacher)
    before = staff.get(f"/parents/pupils/{family.child.id}/share").text
    assert 'name="photo"' in before
    _withdraw(client_for(app, family.carer), family.child.id)
    page = staff.get(f"/parents/pupils/{family.child.id}/share").text
    assert "Photo consent for the app was withdrawn by Mrs Sara Khan (in the app)" in page
    assert "Share the learning moment without a photo." in page
    assert 'name="photo"' not in page  # nothing to choose a picture with
    objective = lesson_files().get("kind-and-unkind").versions[1].objective.id
    response = staff.post(
        f"/parents/pupils/{family.child.id}/share",
        data={
            "objective": objective,
            "level": "2",
            "note": "Lovely work on sorting",
            "key": "late-tab",
            "photo": (io.BytesIO(_jpeg()), "IMG_0002.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400  # a page left open from before
    assert "was withdrawn by Mrs Sara Khan (in the app)" in response.text
    assert "Lovely work on sorting" in response.text  # what was typed is kept


def test_withdrawing_website_consent_deletes_no_photo_shared_in_the_app(
    app: Flask, session: Session, family: Family
) -> None:
    item, path = _moment_with_photo(app, session, family)
    mum = client_for(app, family.carer)
    _withdraw(mum, family.child.id, "website")
    assert path.is_file()
    assert _status(mum, f"/family/photos/{item.id}") == 200


def test_the_pupils_sign_in_tile_is_hidden_but_left_to_staff(
    app: Flask, session: Session, family: Family
) -> None:
    """The tile is the school's own photo, shown only while this consent is in force; staff
    remove it on the pupil's settings page. The withdrawal does not delete it."""
    _moment_with_photo(app, session, family)
    folder = tiles.photo_dir(app.instance_path)
    tiles.set_photo(session, family.teacher, family.child, _jpeg(), folder)
    session.commit()
    tile = tiles.path_for(family.child.photo_file, folder)
    assert tile is not None
    assert tiles.shows_photo(session, family.child, today=school_today(), folder=folder)
    _withdraw(client_for(app, family.carer), family.child.id)
    assert tile.is_file()
    assert not tiles.shows_photo(session, family.child, today=school_today(), folder=folder)
