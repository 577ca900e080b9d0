"""The worry flow's "who do you want to talk to?" shows each adult's photo (where the pupil may
see it) in the same statements however many adults the class has: no query per adult."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.symbols import people
from tests.factories import make_account, make_class
from tests.statements import statements
from tests.symbol_helpers import people_folder
from tests.worry_helpers import School, make_school, pupil_on_ipad


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), "teal").save(out, "JPEG")
    return out.getvalue()


def _with_photo(session: Session, school: School, account: Account) -> None:
    people.set_staff_photo(
        session, school.head, account, _photo(), folder=people_folder(), now=utcnow()
    )


def _flow(app: Flask, ipad: FlaskClient) -> tuple[int, dict[str, str]]:
    """(statements run, each adult's name -> the picture shown on their card)."""
    with statements(app) as seen:
        response = ipad.get("/pupil/worry")
    assert response.status_code == 200
    step = response.data.decode().split('data-step="talk_to"')[1].split("</fieldset>")[0]
    cards = re.findall(r'<img src="([^"]+)" alt="">.*?class="sym-label">([^<]+)<', step, re.S)
    return len(seen), {name: picture for picture, name in cards}


def test_each_adults_photo_shows_in_the_same_statements_for_two_adults_or_six(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    _with_photo(session, school, school.teacher)
    session.commit()
    ipad = pupil_on_ipad(app, school)
    ipad.get("/pupil/worry")
    few, cards = _flow(app, ipad)
    assert cards["Ms Lopez"] == f"/symbols/people/staff/{school.teacher.id}.jpg"
    assert "trusted-adult" in cards["Mr Bell"]  # the lead has no photo: the symbol

    elsewhere = make_class(session, name="Ash")
    for name in ("Mr Ng", "Ms Roe", "Mrs Fry", "Mr Day"):
        adult = make_account(
            session, Role.TEACHING_ASSISTANT, classes=[school.oak], display_name=name
        )
        _with_photo(session, school, adult)
    # Another class's adult, with a photo: not one of this pupil's adults.
    other = make_account(session, Role.TEACHER, classes=[elsewhere], display_name="Ms Away")
    _with_photo(session, school, other)
    session.commit()
    many, cards = _flow(app, ipad)

    assert many == few
    for name in ("Mr Ng", "Ms Roe", "Mrs Fry", "Mr Day"):
        assert cards[name].startswith("/symbols/people/staff/"), name
    assert "Ms Away" not in cards  # not one of this pupil's adults
    assert "trusted-adult" in cards["Mr Bell"]
