"""The printed contact sheet shows the pictures pupils see: the school's choices, or a class's.

A pupil who learnt "toilet" with the school's chosen picture on the iPad must see that picture
on the sheet on the classroom wall, not the word list's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.symbols import pictures, services
from classroom.symbols.models import SymbolFlag
from tests import factories
from tests.symbol_helpers import picture_folder
from tests.symbols.test_school_pictures import png_with_metadata


def _picture_of(page: str, word: str) -> str | None:
    """The picture code shown beside `word` on the sheet (None: shown with no picture)."""
    for item in re.findall(r"<li>(.*?)</li>", page, flags=re.DOTALL):
        if f'<span class="word">{word}</span>' in item:
            found = re.search(r'<img src="/symbols/([^"]+)\.svg"', item)
            return found.group(1) if found else None
    raise AssertionError(f"{word!r} is not on the sheet")


def _choose(
    session: Session, actor: Account, phrase: str, symbol: str | None, **layer: object
) -> None:
    services.set_override(
        session, actor, phrase, symbol, picture_folder=picture_folder(), now=utcnow(), **layer
    )  # type: ignore[arg-type]
    session.commit()


def test_the_sheet_shows_the_schools_chosen_picture_not_the_word_lists(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    head = login_as(Role.HEADTEACHER)
    _choose(session, head, "toilet", "1F6BB")  # the word list's is 1F6BD
    _choose(session, head, "stop", None)  # the school shows "stop" with no picture
    _choose(session, head, "forest school", "1F6AB")  # not in the word list
    page = client.get("/symbols/sheet").get_data(as_text=True)
    assert _picture_of(page, "toilet") == "1F6BB"
    assert _picture_of(page, "stop") is None
    assert "Pictures as the whole school sees them" in page
    assert _picture_of(page, "bully") == "bully"  # no choice made: the word list's
    assert "Words staff added" in page
    assert _picture_of(page, "forest school") == "1F6AB"


def test_a_lessons_sheet_uses_the_schools_choices_too(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    head = login_as(Role.HEADTEACHER)
    _choose(session, head, "trusted adult", "1F590")
    page = client.get("/symbols/sheet?lesson=trusted-adults").get_data(as_text=True)
    assert _picture_of(page, "trusted adult") == "1F590"


def test_a_class_sheet_shows_the_class_choices_over_the_schools_to_its_staff_only(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak, ash = factories.make_class(session, name="Oak"), factories.make_class(session)
    head = factories.make_account(session, Role.HEADTEACHER)
    _choose(session, head, "toilet", "1F6BB")
    _choose(session, head, "toilet", "1F6BE", school_class=oak)
    _choose(session, head, "help", "270B")
    login_as(Role.TEACHER, classes=[oak])
    page = client.get(f"/symbols/sheet?layer=class-{oak.id}").get_data(as_text=True)
    assert _picture_of(page, "toilet") == "1F6BE"  # the class's choice wins
    assert _picture_of(page, "help") == "270B"  # the school's where the class chose none
    assert "Pictures as class Oak sees them" in page
    assert f'<option value="class-{oak.id}" selected>' in page
    assert f"class-{ash.id}" not in page  # not this teacher's class: not offered
    assert client.get(f"/symbols/sheet?layer=class-{ash.id}").status_code == 404
    assert client.get("/symbols/sheet?layer=pupil-1").status_code == 404
    assert client.get("/symbols/sheet?layer=nonsense").status_code == 404
    flagged = client.post(
        "/symbols/flags", data={"phrase": "toilet", "symbol": "1F6BE", "layer": f"class-{oak.id}"}
    )
    assert flagged.location.endswith(f"layer=class-{oak.id}&flagged=1")  # back to Oak's sheet
    whole = client.get("/symbols/sheet").get_data(as_text=True)  # default: the school's
    assert _picture_of(whole, "toilet") == "1F6BB"
    assert '<option value="school" selected>' in whole


def test_a_school_picture_on_the_sheet_is_served_to_the_staff_printing_it_and_can_be_flagged(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    head = factories.make_account(session, Role.HEADTEACHER)
    row = pictures.upload_for_word(
        session, head, "toilet", png_with_metadata((200, 200)),
        target=picture_folder(), now=utcnow(),
    )  # fmt: skip
    session.commit()
    code = row.symbol
    assert code is not None
    login_as(Role.TEACHING_ASSISTANT)
    page = client.get("/symbols/sheet").get_data(as_text=True)
    assert _picture_of(page, "toilet") == code
    image = client.get(f"/symbols/{code}.svg")
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    sent = client.post("/symbols/flags", data={"phrase": "toilet", "symbol": code, "note": "x"})
    assert sent.status_code == 302
    assert session.scalars(select(SymbolFlag.symbol)).one() == code


def test_a_picture_the_staff_member_may_not_see_cannot_be_flagged(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak = factories.make_class(session)
    teacher = factories.make_account(session, Role.TEACHER, classes=[oak])
    row = pictures.upload_for_word(
        session, teacher, "toilet", png_with_metadata((200, 200)), school_class=oak,
        target=picture_folder(), now=utcnow(),
    )  # fmt: skip
    session.commit()
    login_as(Role.TEACHER)  # no class: does not see Oak's picture
    sent = client.post("/symbols/flags", data={"phrase": "toilet", "symbol": row.symbol})
    assert sent.status_code == 400
    assert session.scalars(select(SymbolFlag)).first() is None
