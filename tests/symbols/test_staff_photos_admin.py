"""The admin or head sets another member of staff's photo for pupils, in their own school only."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.photos import find_in
from classroom.symbols import people
from classroom.symbols.models import StaffPhoto
from tests import corpora, factories
from tests.symbol_helpers import people_folder


def jpeg_with_metadata() -> bytes:
    image = Image.new("RGB", (900, 700), "teal")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # the camera make, as a phone would write it
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at 12 Home Road")
    return out.getvalue()


def huge_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (9000, 9000), 0).save(out, "PNG")  # 81 million pixels, a small file
    return out.getvalue()


def upload(client: FlaskClient, account: Account, data: bytes, name: str, **form: str) -> object:
    return client.post(
        f"/symbols/staff-photos/{account.id}",
        data={"photo": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def stored_photo(session: Session, account: Account) -> bytes:
    session.expire_all()
    row = session.get(StaffPhoto, account.id)
    assert row is not None
    path = find_in(people_folder(), row.photo_file)
    assert path is not None
    return path.read_bytes()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.HEADTEACHER])
def test_the_admin_or_head_sets_and_removes_a_teachers_photo_without_metadata(
    session: Session, client: FlaskClient, login_as: Callable[..., Account], role: Role
) -> None:
    teacher = factories.make_account(session, Role.TEACHER, display_name="Mr Hill")
    admin = login_as(role)
    listing = client.get("/symbols/staff-photos")
    assert listing.status_code == 200
    assert b"Mr Hill" in listing.data
    page = client.get(f"/symbols/staff-photos/{teacher.id}")
    assert b"Ask the member of staff first" in page.data
    assert b" checked" not in page.data  # their agreement is never pre-ticked

    unticked = upload(client, teacher, jpeg_with_metadata(), "hill.jpg")
    assert unticked.status_code == 400
    assert b"Tick the box to say they agreed" in unticked.data
    assert session.get(StaffPhoto, teacher.id) is None

    saved = upload(client, teacher, jpeg_with_metadata(), "hill.jpg", agreed="yes")
    assert saved.status_code == 302
    photo = stored_photo(session, teacher)
    assert b"SpyCam" not in photo
    assert b"Home Road" not in photo
    with Image.open(io.BytesIO(photo)) as image:
        assert max(image.size) <= people.PHOTO_SIDE
        assert not image.getexif()
    served = client.get(f"/symbols/people/staff/{teacher.id}.jpg")
    assert served.status_code == 200
    assert served.data == photo

    removed = client.post(f"/symbols/staff-photos/{teacher.id}", data={"remove": "1"})
    assert removed.status_code == 302
    session.expire_all()
    assert session.get(StaffPhoto, teacher.id) is None
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == admin.id).order_by(AuditEvent.id)
    ).all()
    assert actions[-2:] == ["symbols.staff_photo_set", "symbols.staff_photo_removed"]
    agreed = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "symbols.staff_photo_set")
    )
    assert agreed is not None
    assert "agreed" in agreed.summary


@pytest.mark.parametrize("svg", corpora.svgs()[:4], ids=lambda p: p.name)
def test_svg_from_the_attack_corpus_is_refused(
    session: Session, client: FlaskClient, login_as: Callable[..., Account], svg: Path
) -> None:
    teacher = factories.make_account(session, Role.TEACHER)
    login_as(Role.ADMIN)
    refused = upload(client, teacher, svg.read_bytes(), svg.name, agreed="yes")
    assert refused.status_code == 400
    assert b"could not read" in refused.data.lower()
    assert session.get(StaffPhoto, teacher.id) is None


def test_a_huge_picture_is_refused(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    teacher = factories.make_account(session, Role.TEACHER)
    login_as(Role.ADMIN)
    refused = upload(client, teacher, huge_png(), "huge.png", agreed="yes")
    assert refused.status_code == 400
    assert session.get(StaffPhoto, teacher.id) is None


def test_other_schools_staff_and_other_roles_are_refused(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    home = factories.make_school(session, name="Our School")
    elsewhere = factories.make_school(session, name="Other School")
    stranger = factories.make_account(session, Role.TEACHER, school=elsewhere, display_name="Ms X")
    parent = factories.make_account(session, Role.PARENT, school=home)
    admin = login_as(Role.ADMIN, school=home)
    assert admin.school_id != stranger.school_id
    assert client.get(f"/symbols/staff-photos/{stranger.id}").status_code == 404
    assert upload(client, stranger, jpeg_with_metadata(), "x.jpg", agreed="yes").status_code == 404
    assert client.get(f"/symbols/staff-photos/{parent.id}").status_code == 404
    assert b"Ms X" not in client.get("/symbols/staff-photos").data
    assert session.get(StaffPhoto, stranger.id) is None


def test_a_teacher_cannot_use_the_admin_page_but_sets_their_own(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    colleague = factories.make_account(session, Role.TEACHER)
    me = login_as(Role.TEACHER)
    assert client.get("/symbols/staff-photos").status_code == 403
    assert upload(client, colleague, jpeg_with_metadata(), "x.jpg", agreed="yes").status_code == 403
    own = client.post(
        "/symbols/my-photo",
        data={"photo": (io.BytesIO(jpeg_with_metadata()), "me.jpg")},
        content_type="multipart/form-data",
    )
    assert own.status_code == 302
    assert session.get(StaffPhoto, me.id) is not None
