"""Walk: a pupil's own photo uploaded as their picture for a word stays with the staff who
may see that pupil: another class's teacher choosing a picture for the same word is not
offered it; a picture chosen for the whole school is offered to everyone."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.symbols.models import SchoolPicture
from tests import factories
from tests.symbols.test_school_pictures import png_with_metadata


def _upload(client: FlaskClient, layer: str, phrase: str = "me") -> None:
    sent = client.post(
        "/symbols/pictures",
        data={"phrase": phrase, "layer": layer,
              "picture": (io.BytesIO(png_with_metadata((300, 300))), "ben.png")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert sent.status_code == 302


@pytest.mark.usefixtures("app")
def test_a_pupils_photo_is_not_offered_to_another_class(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak, ash = factories.make_class(session), factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    factories.make_pupil(session, ash)
    login_as(Role.TEACHER, classes=[oak])
    _upload(client, f"pupil-{ben.id}")
    code = session.scalars(select(SchoolPicture.code)).one()
    own = client.get(f"/symbols/choose?phrase=me&layer=class-{oak.id}").get_data(as_text=True)
    assert f'value="{code}"' in own  # Ben's own class staff may use it again
    client.post("/sign-out")

    login_as(Role.TEACHER, classes=[ash])
    page = client.get(f"/symbols/choose?phrase=me&layer=class-{ash.id}")
    assert page.status_code == 200
    assert code not in page.get_data(as_text=True)


@pytest.mark.usefixtures("app")
def test_a_picture_for_the_whole_school_is_offered_to_every_class(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak, ash = factories.make_class(session), factories.make_class(session)
    login_as(Role.HEADTEACHER)
    _upload(client, "school", "hall")
    code = session.scalars(select(SchoolPicture.code)).one()
    client.post("/sign-out")
    login_as(Role.TEACHER, classes=[ash])
    page = client.get(f"/symbols/choose?phrase=hall&layer=class-{ash.id}")
    assert f'value="{code}"' in page.get_data(as_text=True)
    assert oak.id != ash.id
