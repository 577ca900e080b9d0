"""Photos and consent: re-encoded without metadata, served by policy, hidden when withdrawn."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from classroom import ROOT, photos
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.parents import queries, services
from classroom.parents.models import ConsentPurpose, FeedItem
from tests import corpora
from tests.app_settings import lesson_files, school_today
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, consent, moment


def _status(client: FlaskClient, url: str) -> int:
    with client.get(url) as response:
        return response.status_code


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (3000, 2000), "orange")
    exif = Image.Exif()
    exif[0x010F] = "Staff Phone Maker"  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90
    exif[0x8825] = {1: "N", 2: (52.0, 24.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photos_are_reencoded_upright_small_and_without_metadata() -> None:
    clean = photos.reencode(_photo_with_gps())
    with Image.open(io.BytesIO(clean)) as image:
        assert image.format == "JPEG"
        assert image.size == (1067, 1600)  # turned upright, at most 1600 px
        assert not image.getexif()
        assert "exif" not in image.info
        assert "icc_profile" not in image.info
    assert b"Staff Phone Maker" not in clean


def test_transparent_png_and_webp_are_accepted() -> None:
    for fmt, mode in (("PNG", "RGBA"), ("PNG", "P"), ("WEBP", "RGB")):
        out = io.BytesIO()
        Image.new(mode, (40, 30)).save(out, fmt)
        with Image.open(io.BytesIO(photos.reencode(out.getvalue()))) as image:
            assert image.format == "JPEG"


@pytest.mark.parametrize("name", [p.name for p in corpora.svgs()])
def test_svg_and_other_files_are_refused(name: str) -> None:
    with pytest.raises(Invalid, match="JPEG or PNG"):
        photos.reencode((corpora.CORPORA / "svg" / name).read_bytes())


@pytest.mark.parametrize(
    "data", [b"", b"GIF89a" + b"\0" * 40, b"<script>alert(1)</script>", b"\xff\xd8\xff\xe0broken"]
)
def test_junk_is_refused_with_a_message(data: bytes) -> None:
    with pytest.raises(Invalid):
        photos.reencode(data)


def test_a_huge_picture_is_refused_not_decoded() -> None:
    out = io.BytesIO()
    Image.new("1", (12000, 9000)).save(out, "PNG")
    with pytest.raises(Invalid):
        photos.reencode(out.getvalue())


def test_a_photo_needs_consent_on_record_and_in_date(
    session: Session, family: Family, clock: Clock
) -> None:
    with pytest.raises(Invalid, match="no photo consent"):
        moment(session, family, photo=_photo_with_gps())
    consent(session, family)
    moment(session, family, photo=_photo_with_gps())
    clock.set(clock() + timedelta(days=300))  # the form was signed on 1 Sep 2026
    with pytest.raises(Invalid, match="no photo consent"):
        moment(session, family, photo=_photo_with_gps())


def test_photos_live_outside_static_under_random_names(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    moment(session, family, photo=_photo_with_gps())
    item = session.scalar(select(FeedItem))
    assert item is not None
    assert item.photo_file is not None
    path = photos.path_for(item.photo_file, photos.photo_dir(app.instance_path))
    assert path is not None
    assert not path.is_relative_to(ROOT / "static")
    assert path.is_relative_to(Path(app.instance_path))
    assert len(item.photo_file) == 36
    assert photos.path_for("../secret_key", photos.photo_dir(app.instance_path)) is None


def test_photo_is_served_by_policy_with_nosniff(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    moment(session, family, photo=_photo_with_gps())
    item = session.scalar(select(FeedItem))
    assert item is not None
    mum = client_for(app, family.carer)
    assert (
        f"/family/photos/{item.id}" in mum.get(f"/family/children/{family.child.id}").data.decode()
    )
    with mum.get(f"/family/photos/{item.id}") as response:
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        assert "attachment" in response.headers["Content-Disposition"]
    assert _status(client_for(app, family.other_carer), f"/family/photos/{item.id}") == 404
    assert _status(client_for(app, family.teacher), f"/family/photos/{item.id}") == 200
    assert _status(client_for(app, family.willow_teacher), f"/family/photos/{item.id}") == 404


def test_withdrawing_consent_hides_shared_photos_on_the_next_request(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    moment(session, family, photo=_photo_with_gps())
    item = session.scalar(select(FeedItem))
    assert item is not None
    mum, dad = client_for(app, family.carer), client_for(app, family.second_carer)
    assert _status(dad, f"/family/photos/{item.id}") == 200
    page = mum.get(f"/family/children/{family.child.id}/photo-consent").data.decode()
    assert "Withdraw consent" in page
    response = mum.post(
        f"/family/children/{family.child.id}/photo-consent", data={"purpose": "app", "given": "no"}
    )
    assert response.status_code == 302
    assert _status(dad, f"/family/photos/{item.id}") == 404
    feed = dad.get(f"/family/children/{family.child.id}").data.decode()
    assert f"/family/photos/{item.id}" not in feed
    assert "Sorts kind and unkind messages" in feed  # the moment stays, without its photo
    staff = client_for(app, family.teacher)
    assert _status(staff, f"/family/photos/{item.id}") == 404


@pytest.mark.usefixtures("session", "clock")
def test_carer_gives_consent_in_the_app_for_a_year(app: Flask, family: Family) -> None:
    mum = client_for(app, family.carer)
    mum.post(
        f"/family/children/{family.child.id}/photo-consent",
        data={"purpose": "website", "given": "yes"},
    )
    page = mum.get(f"/family/children/{family.child.id}/photo-consent").data.decode()
    assert "Consent given by Mrs Sara Khan (in the app)" in page
    assert "12 January 2028" in page
    bad = mum.post(
        f"/family/children/{family.child.id}/photo-consent", data={"purpose": "x", "given": "yes"}
    )
    assert bad.status_code == 400


def test_staff_record_consent_and_see_which_are_due(
    app: Flask, session: Session, family: Family
) -> None:
    staff = client_for(app, family.teacher)
    before = staff.get("/parents/").data.decode()
    row = before.split(f"/parents/pupils/{family.child.id}")[1].split("</tr>")[0]
    assert "None on record" in row  # nothing was ever asked: not "due for renewal"
    response = staff.post(
        f"/parents/pupils/{family.child.id}/consent",
        data={
            "consent-purpose": "app",
            "consent-decision": "given",
            "consent-given_by": "Sara Khan (mother)",
            "consent-given_on": "2027-01-10",
        },
    )
    assert response.status_code == 302
    index = staff.get("/parents/").data.decode()
    row = index.split(f"/parents/pupils/{family.child.id}")[1].split("</tr>")[0]
    assert "Due for renewal" in row  # one purpose of two on record
    services.record_consent(
        session,
        family.teacher,
        family.child,
        ConsentPurpose.WEBSITE,
        True,
        "Sara",
        date(2027, 1, 10),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    index = staff.get("/parents/").data.decode()
    row = index.split(f"/parents/pupils/{family.child.id}")[1].split("</tr>")[0]
    assert "In date" in row
    future = staff.post(
        f"/parents/pupils/{family.child.id}/consent",
        data={
            "consent-purpose": "app",
            "consent-decision": "given",
            "consent-given_by": "Sara",
            "consent-given_on": "2030-01-01",
        },
    )
    assert future.status_code == 400
    assert "cannot be in the future" in future.data.decode()


def test_staff_choose_what_consent_is_for_and_whether_it_was_given(
    app: Flask, session: Session, family: Family
) -> None:
    """Nothing is chosen for them: a form saved in a hurry records no consent nobody gave."""
    staff = client_for(app, family.teacher)
    page = staff.get(f"/parents/pupils/{family.child.id}").data.decode()
    for name in ("consent-purpose", "consent-decision"):
        select_box = page.split(f'name="{name}"')[1].split("</select>")[0]
        assert select_box.split("<option")[1].startswith(' value="">Choose…'), name
        assert "selected" not in select_box, name
    data = {"consent-given_by": "Sara Khan (mother)", "consent-given_on": "2027-01-10"}
    unchosen = staff.post(f"/parents/pupils/{family.child.id}/consent", data=data)
    assert unchosen.status_code == 400
    assert "Choose what the consent is for." in unchosen.data.decode()
    assert "Choose whether consent was given or withdrawn." in unchosen.data.decode()
    statuses = queries.consent_statuses(session, family.child, date(2027, 1, 12))
    assert not any(status.in_force for status in statuses)


def test_consent_due_within_a_month_is_flagged(session: Session, family: Family) -> None:
    services.record_consent(
        session, family.teacher, family.child, ConsentPurpose.APP, True, "Sara", date(2026, 2, 1),
        now=utcnow(),
        today=school_today(),
    )
    statuses = {
        s.purpose: s for s in queries.consent_statuses(session, family.child, date(2027, 1, 12))
    }
    assert statuses[ConsentPurpose.APP].in_force
    assert statuses[ConsentPurpose.APP].due
    assert not statuses[ConsentPurpose.WEBSITE].in_force


def test_uploading_a_photo_through_the_form(app: Flask, session: Session, family: Family) -> None:
    consent(session, family)
    objective = lesson_files().get("kind-and-unkind").versions[1].objective.id
    client = client_for(app, family.teacher)
    response = client.post(
        f"/parents/pupils/{family.child.id}/share",
        data={
            "objective": objective,
            "level": "2",
            "note": "",
            "key": "up1",
            "alone": "y",  # no other pupil in it
            "photo": (io.BytesIO(_photo_with_gps()), "IMG_0001.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    bad = client.post(
        f"/parents/pupils/{family.child.id}/share",
        data={
            "objective": objective,
            "level": "2",
            "key": "up2",
            "alone": "y",  # no other pupil in it
            "photo": (io.BytesIO((corpora.CORPORA / "svg" / "SVG_XSS1.svg").read_bytes()), "x.svg"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert "JPEG or PNG" in bad.data.decode()


def _consent_as(carer: FlaskClient, pupil_id: int, given: str) -> TestResponse:
    return carer.post(
        f"/family/children/{pupil_id}/photo-consent", data={"purpose": "app", "given": given}
    )


@pytest.mark.usefixtures("clock")
def test_one_carers_withdrawal_stands_until_they_or_the_school_give_consent_again(
    app: Flask, session: Session, family: Family
) -> None:
    """Mum says no to photos in the app: Dad cannot quietly turn them back on."""
    consent(session, family)
    moment(session, family, photo=_photo_with_gps())
    item = session.scalar(select(FeedItem))
    assert item is not None
    mum, dad = client_for(app, family.carer), client_for(app, family.second_carer)
    assert _consent_as(mum, family.child.id, "no").status_code == 302
    page = dad.get(f"/family/children/{family.child.id}/photo-consent").text
    app_card = page.split('id="consent-app"')[1].split("</section>")[0]
    assert "Consent withdrawn by Mrs Sara Khan (in the app)" in app_card
    assert "Only Mrs Sara Khan, who withdrew it, can give this consent again." in app_card
    assert "Give consent" not in app_card
    # A page left open from before (or a forged form) is refused, and says why.
    refused = _consent_as(dad, family.child.id, "yes")
    assert refused.status_code == 409
    assert "Only Mrs Sara Khan, who withdrew it, can give" in refused.text
    assert _status(dad, f"/family/photos/{item.id}") == 404
    # The carer who withdrew it may change their mind.
    assert "Give consent for a year" in mum.get(
        f"/family/children/{family.child.id}/photo-consent"
    ).text.split('id="consent-app"')[1].split("</section>")[0]
    assert _consent_as(mum, family.child.id, "yes").status_code == 302
    # The withdrawal deleted the photo: consent given again covers new photos, not that one.
    assert _status(dad, f"/family/photos/{item.id}") == 404


@pytest.mark.usefixtures("clock")
def test_a_withdrawal_the_school_recorded_is_not_overturned_in_the_app(
    app: Flask, session: Session, family: Family
) -> None:
    staff = client_for(app, family.teacher)
    form = {
        "consent-purpose": "app",
        "consent-decision": "withdrawn",
        "consent-given_by": "Sara Khan (mother), by letter",
        "consent-given_on": "2027-01-11",
    }
    assert staff.post(f"/parents/pupils/{family.child.id}/consent", data=form).status_code == 302
    for carer in (family.carer, family.second_carer):
        refused = _consent_as(client_for(app, carer), family.child.id, "yes")
        assert refused.status_code == 409
        assert "Only the school can give this consent again." in refused.text
    statuses = queries.consent_statuses(session, family.child, date(2027, 1, 12))
    assert not any(status.in_force for status in statuses)
    # Withdrawing is never held back: the safe direction.
    website = {"purpose": "website", "given": "no"}
    dad = client_for(app, family.second_carer)
    path = f"/family/children/{family.child.id}/photo-consent"
    assert dad.post(path, data=website).status_code == 302
