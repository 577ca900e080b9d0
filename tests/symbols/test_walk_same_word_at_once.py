"""Walk: two staff save a picture for the same word for a class at the same moment, so the
class layer briefly holds two choices for it. What either then does must reach the pupils:
"Clear" brings the word list's picture back, and a new choice is the one pupils see."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.pupils.models import Pupil, SchoolClass
from classroom.symbols import services
from classroom.symbols.models import SymbolOverride
from classroom.symbols.symboliser import symbolise
from tests import factories


def cat_symbol(session: Session, pupil: Pupil) -> str | None:
    session.expire_all()
    layers = services.override_layers(session, pupil)
    return next(t.symbol for t in symbolise("my cat", layers) if t.text == "cat")


def _saved_at_once(session: Session, oak: SchoolClass, by: Account) -> None:
    """What two requests that both found no row and both inserted one leave behind."""
    for symbol in ("1F436", "1F98A"):
        session.add(
            SymbolOverride(school_id=oak.school_id, class_id=oak.id, phrase="cat",
                           symbol=symbol, created_by_id=by.id, created_at=utcnow())
        )  # fmt: skip
    session.flush()


@pytest.mark.usefixtures("app")
def test_clear_brings_the_word_lists_picture_back_after_two_saves_at_once(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    teacher = login_as(Role.TEACHER, classes=[oak])
    _saved_at_once(session, oak, teacher)
    assert cat_symbol(session, ben) == "1F98A"  # the newer one shows

    cleared = client.post(
        "/symbols/choices/clear", data={"phrase": "cat", "layer": f"class-{oak.id}"}
    )
    assert cleared.status_code == 302
    assert "cleared=1" in cleared.location
    assert cat_symbol(session, ben) == "1F431"  # the word list's cat, as "Cleared" says
    assert session.scalars(select(SymbolOverride)).all() == []


@pytest.mark.usefixtures("app")
def test_a_new_choice_shows_after_two_saves_at_once(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    teacher = login_as(Role.TEACHER, classes=[oak])
    _saved_at_once(session, oak, teacher)

    saved = client.post(
        "/symbols/choices", data={"phrase": "cat", "symbol": "1F981", "layer": f"class-{oak.id}"}
    )
    assert saved.status_code == 302
    assert cat_symbol(session, ben) == "1F981"  # the pupil sees the choice just made
    assert len(session.scalars(select(SymbolOverride)).all()) == 1
