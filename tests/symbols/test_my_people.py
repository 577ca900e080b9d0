"""My people: a pupil's trusted adults at school and at home, with photos, for that pupil only."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Forbidden, Invalid
from classroom.photos import find_in
from classroom.principals import PupilPrincipal
from classroom.symbols import people
from classroom.symbols.models import Place
from classroom.worries.services import trusted_adults
from tests import factories
from tests.symbol_helpers import people_folder


def jpeg_with_gps() -> bytes:
    """A photo carrying EXIF metadata (a camera make), as a phone would send it."""
    image = Image.new("RGB", (800, 600), "orange")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    oak, ash = factories.make_class(session, name="Oak"), factories.make_class(session, name="Ash")
    teacher = factories.make_account(session, Role.TEACHER, classes=[oak], display_name="Mr Hill")
    other = factories.make_account(session, Role.TEACHER, classes=[ash], display_name="Ms Ash")
    dsl = factories.make_account(session, Role.DSL, display_name="Mrs Lead")
    parent = factories.make_account(session, Role.PARENT)
    ben, dev = factories.make_pupil(session, oak), factories.make_pupil(session, oak)
    factories.link_parent(session, parent, ben)
    session.commit()
    return {"oak": oak, "ash": ash, "teacher": teacher, "other": other, "dsl": dsl,
            "parent": parent, "ben": ben, "dev": dev}  # fmt: skip


def test_by_default_a_pupils_school_adults_are_class_staff_then_the_dsl(
    session: Session, world: dict[str, Any]
) -> None:
    shown = people.my_people(session, world["ben"])
    assert [p.name for p in shown] == ["Mr Hill", "Mrs Lead"]
    assert all(p.place is Place.SCHOOL and p.photo is None for p in shown)
    assert shown[0].symbol == "trusted-adult"


def test_staff_choose_school_adults_and_the_worry_flow_offers_them(
    session: Session, world: dict[str, Any]
) -> None:
    people.add_person(
        session,
        world["teacher"],
        world["ben"],
        Place.SCHOOL,
        account=world["other"],
        folder=people_folder(),
        now=utcnow(),
    )
    assert [a.display_name for a in trusted_adults(session, world["ben"])] == ["Ms Ash", "Mrs Lead"]
    assert [a.display_name for a in trusted_adults(session, world["dev"])] == [
        "Mr Hill",
        "Mrs Lead",
    ]


def test_a_carer_adds_a_home_adult_who_is_never_offered_for_a_worry(
    session: Session, world: dict[str, Any]
) -> None:
    row = people.add_person(
        session,
        world["parent"],
        world["ben"],
        Place.HOME,
        name=" Grandma  Rose ",
        photo=jpeg_with_gps(),
        folder=people_folder(), now=utcnow(),
    )
    session.commit()
    shown = people.my_people(session, world["ben"])
    assert shown[-1].name == "Grandma Rose"
    assert shown[-1].place is Place.HOME
    assert shown[-1].photo == ("person", row.id)
    assert all(a.is_staff for a in trusted_adults(session, world["ben"]))
    assert people.my_people(session, world["dev"])[-1].place is Place.SCHOOL  # Ben's only
    with Image.open(find_in(people_folder(), row.photo_file)) as stored:  # type: ignore[arg-type]
        assert stored.format == "JPEG"
        assert max(stored.size) <= people.PHOTO_SIDE
        assert not stored.getexif()  # metadata stripped
    audit = session.scalars(select(AuditEvent.action)).all()
    assert "symbols.trusted_person_added" in audit


def test_a_carer_cannot_set_school_adults_nor_another_childs(
    session: Session, world: dict[str, Any]
) -> None:
    with pytest.raises(Forbidden):
        people.add_person(
            session,
            world["parent"],
            world["ben"],
            Place.SCHOOL,
            account=world["teacher"],
            folder=people_folder(),
            now=utcnow(),
        )
    with pytest.raises(Forbidden):
        people.add_person(
            session,
            world["parent"],
            world["dev"],
            Place.HOME,
            name="Gran",
            folder=people_folder(),
            now=utcnow(),
        )
    with pytest.raises(Forbidden):
        people.add_person(
            session,
            world["other"],
            world["ben"],
            Place.HOME,
            name="Gran",
            folder=people_folder(),
            now=utcnow(),
        )


def test_bad_names_and_pictures_are_refused(session: Session, world: dict[str, Any]) -> None:
    with pytest.raises(Invalid, match="name"):
        people.add_person(
            session,
            world["teacher"],
            world["ben"],
            Place.HOME,
            name="  ",
            folder=people_folder(),
            now=utcnow(),
        )
    with pytest.raises(Invalid, match="could not read"):
        people.add_person(
            session,
            world["teacher"],
            world["ben"],
            Place.HOME,
            name="Gran",
            photo=b"<svg/>",
            folder=people_folder(),
            now=utcnow(),
        )


def test_a_staff_photo_is_shown_only_to_pupils_in_their_class(
    session: Session, world: dict[str, Any]
) -> None:
    people.set_staff_photo(
        session,
        world["teacher"],
        world["teacher"],
        jpeg_with_gps(),
        folder=people_folder(),
        now=utcnow(),
    )
    session.commit()
    assert people.staff_picture(session, world["ben"], world["teacher"]) == (
        "staff", world["teacher"].id)  # fmt: skip
    ash_pupil = factories.make_pupil(session, world["ash"])
    assert people.staff_picture(session, ash_pupil, world["teacher"]) is None
    with pytest.raises(Forbidden):
        people.set_staff_photo(
            session,
            world["other"],
            world["teacher"],
            jpeg_with_gps(),
            folder=people_folder(),
            now=utcnow(),
        )


def test_photos_are_served_to_the_pupils_carer_and_staff_but_not_others(
    session: Session, client: FlaskClient, world: dict[str, Any], login_as: Callable[..., Account]
) -> None:
    row = people.add_person(
        session,
        world["teacher"],
        world["ben"],
        Place.HOME,
        name="Gran",
        photo=jpeg_with_gps(),
        folder=people_folder(),
        now=utcnow(),
    )
    session.commit()
    url = f"/symbols/people/photo/{row.id}.jpg"
    login_as(Role.TEACHER, classes=[world["ash"]])  # another class's teacher
    assert client.get(url).status_code == 404
    client.post("/sign-out")
    login_as(Role.HEADTEACHER)
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.usefixtures("session")
def test_staff_add_and_remove_people_on_the_page(
    client: FlaskClient, world: dict[str, Any], login_as: Callable[..., Account]
) -> None:
    login_as(Role.TEACHER, classes=[world["oak"]])
    ben = world["ben"]
    page = client.get(f"/symbols/people/{ben.id}")
    assert page.status_code == 200
    assert b"Add an adult at home" in page.data
    assert b" selected" not in page.data  # nobody is pre-chosen
    photo = (io.BytesIO(jpeg_with_gps()), "gran.jpg")
    added = client.post(
        f"/symbols/people/{ben.id}",
        data={"place": "home", "name": "Gran", "photo": photo, "agreed": "yes"},
        content_type="multipart/form-data",
    )
    assert added.status_code == 302
    assert b"Gran" in client.get(f"/symbols/people/{ben.id}").data
    bad = client.post(f"/symbols/people/{ben.id}", data={"place": "home", "name": ""})
    assert bad.status_code == 400
    assert b"Type the adult" in bad.data
    assert client.get(f"/symbols/people/{world['dev'].id + 999}").status_code == 404


def test_the_pupil_sees_their_people_and_the_principal_scope(
    session: Session, world: dict[str, Any]
) -> None:
    row = people.add_person(
        session,
        world["teacher"],
        world["ben"],
        Place.HOME,
        name="Gran",
        folder=people_folder(),
        now=utcnow(),
    )
    ben = PupilPrincipal(world["ben"], None, 0)  # type: ignore[arg-type]
    dev = PupilPrincipal(world["dev"], None, 0)  # type: ignore[arg-type]
    assert policy.can_view_trusted_person(session, ben, row)
    assert not policy.can_view_trusted_person(session, dev, row)


def test_chosen_adults_come_in_the_order_chosen_without_leavers_and_the_lead_once(
    session: Session, world: dict[str, Any]
) -> None:
    """The worry flow's adults, read in one statement (people.offered_adults): what staff
    chose, in that order, only those still working here; the lead last and only once."""
    oak = world["oak"]
    ta = factories.make_account(session, Role.TEACHING_ASSISTANT, classes=[oak],
                                display_name="Ms Aaron")  # fmt: skip
    leaver = factories.make_account(session, Role.TEACHER, classes=[oak], display_name="Mr Gone")
    for adult in (world["other"], leaver, world["dsl"], ta):
        people.add_person(session, world["teacher"], world["ben"], Place.SCHOOL, account=adult,
                          folder=people_folder(), now=utcnow())  # fmt: skip
    leaver.active = False
    session.commit()
    offered = people.offered_adults(session, world["ben"])
    assert [a.name for a in offered] == ["Ms Ash", "Mrs Lead", "Ms Aaron"]
    assert [a.display_name for a in trusted_adults(session, world["ben"])] == [
        "Ms Ash", "Mrs Lead", "Ms Aaron"
    ]
    # Dev has no chosen adults: his class staff (by name, leavers left out), then the lead.
    assert [a.name for a in people.offered_adults(session, world["dev"])] == [
        "Mr Hill", "Ms Aaron", "Mrs Lead"
    ]


def test_an_adults_picture_is_the_photo_set_for_this_pupil_else_their_class_staff_photo(
    session: Session, world: dict[str, Any]
) -> None:
    teacher, ben, dev, lead = world["teacher"], world["ben"], world["dev"], world["dsl"]
    for member in (teacher, lead):  # each sets their own staff photo
        people.set_staff_photo(session, member, member, jpeg_with_gps(),
                               folder=people_folder(), now=utcnow())  # fmt: skip
    row = people.add_person(session, teacher, ben, Place.SCHOOL, account=teacher,
                            photo=jpeg_with_gps(), folder=people_folder(),
                            now=utcnow())  # fmt: skip
    session.commit()
    pictures = {a.name: a.photo for a in people.offered_adults(session, ben)}
    assert pictures["Mr Hill"] == ("person", row.id)  # Ben's own photo of him
    dev_sees = {a.name: a.photo for a in people.offered_adults(session, dev)}
    assert dev_sees["Mr Hill"] == ("staff", teacher.id)  # he works in Dev's class
    assert dev_sees["Mrs Lead"] is None  # she does not: her staff photo is not shown


def test_the_page_warns_when_adults_look_alike_until_each_has_a_photo(
    client: FlaskClient,
    session: Session,
    world: dict[str, Any],
    login_as: Callable[..., Account],
) -> None:
    """With no photos, Mr Hill and Mrs Lead are the same blue person to a pupil who cannot read,
    in "Who do you want to talk to?" too."""
    login_as(Role.TEACHER, classes=[world["oak"]])
    page = client.get(f"/symbols/people/{world['ben'].id}").text
    # Mr Hill, the teacher signed in (both Oak's staff), then the lead: one picture for all.
    assert re.search(r"Mr Hill, Teacher \d+ and Mrs Lead show the same picture", page)
    for member in (world["teacher"], world["dsl"]):
        people.add_person(session, world["teacher"], world["ben"], Place.SCHOOL, account=member,
                          photo=jpeg_with_gps(), folder=people_folder(), now=utcnow())  # fmt: skip
    session.commit()
    assert "show the same picture" not in client.get(f"/symbols/people/{world['ben'].id}").text
