"""A school picture (which may be a pupil's own photo, uploaded as their symbol for "me") is
served only to a person who may see it: staff who see the layer it is used on, carers of the
child, the pupil on a class iPad (or the class iPad where it is used on the class's layers).
Anyone else, with its address (a leaked link, a shared iPad's history), gets a 404; and no
cache keeps it for the next person."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.devices.web import cookie_name
from classroom.pupils.models import Pupil, SchoolClass
from classroom.symbols import pictures
from tests import factories
from tests.conftest import client_for
from tests.symbol_helpers import picture_folder
from tests.symbols.test_school_pictures import png_with_metadata


@dataclass
class School:
    oak: SchoolClass
    ash: SchoolClass
    ben: Pupil  # in Oak; his own photo is his picture for "me"
    cal: Pupil  # in Oak too
    dee: Pupil  # in Ash
    oak_teacher: Account
    ash_teacher: Account
    head: Account
    bens_carer: Account
    dees_carer: Account
    oak_token: str
    ash_token: str
    ben_photo: str  # the code of Ben's photo, on his own layer
    oak_picture: str  # a picture on Oak's layer


def _picture(
    session: Session, actor: Account, phrase: str, *, school_class: SchoolClass | None = None,
    pupil: Pupil | None = None,
) -> str:  # fmt: skip
    row = pictures.upload_for_word(
        session, actor, phrase, png_with_metadata((200, 200)), school_class=school_class,
        pupil=pupil, target=picture_folder(), now=utcnow(),
    )  # fmt: skip
    assert row.symbol is not None
    return row.symbol


@pytest.fixture
def school(session: Session) -> School:
    oak, ash = factories.make_class(session), factories.make_class(session)
    ben, cal = factories.make_pupil(session, oak), factories.make_pupil(session, oak)
    dee = factories.make_pupil(session, ash)
    oak_teacher = factories.make_account(session, Role.TEACHER, classes=[oak])
    ash_teacher = factories.make_account(session, Role.TEACHER, classes=[ash])
    head = factories.make_account(session, Role.HEADTEACHER)
    bens_carer = factories.make_account(session, Role.PARENT)
    factories.link_parent(session, bens_carer, ben)
    dees_carer = factories.make_account(session, Role.PARENT)
    factories.link_parent(session, dees_carer, dee)
    _, oak_token = factories.make_device(session, oak)
    _, ash_token = factories.make_device(session, ash)
    ben_photo = _picture(session, oak_teacher, "me", pupil=ben)
    oak_picture = _picture(session, oak_teacher, "our garden", school_class=oak)
    session.commit()
    return School(
        oak, ash, ben, cal, dee, oak_teacher, ash_teacher, head, bens_carer, dees_carer,
        oak_token, ash_token, ben_photo, oak_picture,
    )  # fmt: skip


def _ipad(app: Flask, token: str, pupil: Pupil | None = None) -> FlaskClient:
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    if pupil is not None:
        assert ipad.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    return ipad


def _status(browser: FlaskClient, code: str) -> int:
    with browser.get(f"/symbols/{code}.svg") as response:
        return response.status_code


def test_a_pupils_photo_is_not_served_to_someone_not_signed_in(app: Flask, school: School) -> None:
    with app.test_client().get(f"/symbols/{school.ben_photo}.svg") as response:
        assert response.status_code == 404
        assert response.data != (picture_folder() / f"{school.ben_photo}.png").read_bytes()
        assert response.headers["Cache-Control"] == "no-store"
    assert _status(app.test_client(), school.oak_picture) == 404


def test_staff_and_carers_see_it_only_where_they_see_the_child(app: Flask, school: School) -> None:
    seen = {
        "Oak's teacher": client_for(app, school.oak_teacher),
        "the head": client_for(app, school.head),
        "Ben's carer": client_for(app, school.bens_carer),
    }
    for who, browser in seen.items():
        assert _status(browser, school.ben_photo) == 200, who
        assert _status(browser, school.oak_picture) == 200, who
    for who, browser in {
        "Ash's teacher": client_for(app, school.ash_teacher),
        "Dee's carer": client_for(app, school.dees_carer),
    }.items():
        assert _status(browser, school.ben_photo) == 404, who
        assert _status(browser, school.oak_picture) == 404, who


def test_the_pupil_on_a_class_ipad_sees_their_own_and_their_classs_pictures(
    app: Flask, school: School
) -> None:
    ben = _ipad(app, school.oak_token, school.ben)
    assert _status(ben, school.ben_photo) == 200
    assert _status(ben, school.oak_picture) == 200
    cal = _ipad(app, school.oak_token, school.cal)
    assert _status(cal, school.ben_photo) == 404  # another pupil's photo, though in his class
    assert _status(cal, school.oak_picture) == 200
    oak_start = _ipad(app, school.oak_token)  # the tiles screen, nobody signed in
    assert _status(oak_start, school.oak_picture) == 200
    assert _status(oak_start, school.ben_photo) == 404
    ash = _ipad(app, school.ash_token)
    assert _status(ash, school.oak_picture) == 404
    assert _status(_ipad(app, school.ash_token, school.dee), school.ben_photo) == 404


def test_no_cache_keeps_a_picture_for_the_next_person(app: Flask, school: School) -> None:
    with _ipad(app, school.oak_token, school.ben).get(f"/symbols/{school.ben_photo}.svg") as shown:
        assert shown.status_code == 200
        assert shown.mimetype == "image/png"
        control = shown.headers["Cache-Control"]
    assert "private" in control
    assert "no-store" in control  # the iPad's service worker keeps nothing marked no-store
    assert "public" not in control
    assert "max-age" not in control


def test_a_picture_used_nowhere_is_its_uploaders_alone(
    app: Flask, session: Session, school: School
) -> None:
    row = pictures.add_picture(
        session, school.oak_teacher.school_id, png_with_metadata((50, 50)), "spare",
        school.oak_teacher, target=picture_folder(), now=utcnow(),
    )  # fmt: skip
    session.commit()
    assert _status(client_for(app, school.oak_teacher), row.code) == 200
    assert _status(client_for(app, school.ash_teacher), row.code) == 404


def test_ordinary_symbols_are_still_public_and_cached(app: Flask) -> None:
    with app.test_client().get("/symbols/1F333.svg") as response:
        assert response.status_code == 200
        assert "public" in response.headers["Cache-Control"]
