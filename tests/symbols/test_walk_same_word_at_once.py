"""Walk: two staff save a picture for the same word for a class at the same moment (the other's
row lands between one save's look for the word and its insert). The class layer keeps one
choice, the later one, and what either then does reaches the pupils: "Clear" brings the word
list's picture back, and a new choice is the one pupils see."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.pupils.models import Pupil, SchoolClass
from classroom.symbols import services
from classroom.symbols.models import SymbolOverride
from classroom.symbols.symboliser import symbolise
from tests import factories
from tests.symbols.races import OtherSave, lands_between


def cat_symbol(session: Session, pupil: Pupil) -> str | None:
    session.expire_all()
    layers = services.override_layers(session, pupil)
    return next(t.symbol for t in symbolise("my cat", layers) if t.text == "cat")


def _saved_at_once(client: FlaskClient, app: Flask, oak: SchoolClass, other: Account) -> None:
    """The signed-in teacher saves the fox while `other` saves the dog for the same word."""
    dog = OtherSave(oak.school_id, "cat", "1F436", other.id, class_id=oak.id)
    with lands_between(app, dog):
        saved = client.post(
            "/symbols/choices",
            data={"phrase": "cat", "symbol": "1F98A", "layer": f"class-{oak.id}"},
        )
    assert dog.happened
    assert saved.status_code == 302  # no error page for the one who saved second


def test_clear_brings_the_word_lists_picture_back_after_two_saves_at_once(
    app: Flask, session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    colleague = factories.make_account(session, Role.TEACHER, classes=[oak])
    login_as(Role.TEACHER, classes=[oak])
    _saved_at_once(client, app, oak, colleague)
    assert cat_symbol(session, ben) == "1F98A"  # the later save shows
    assert len(session.scalars(select(SymbolOverride)).all()) == 1

    cleared = client.post(
        "/symbols/choices/clear", data={"phrase": "cat", "layer": f"class-{oak.id}"}
    )
    assert cleared.status_code == 302
    assert "cleared=1" in cleared.location
    assert cat_symbol(session, ben) == "1F431"  # the word list's cat, as "Cleared" says
    assert session.scalars(select(SymbolOverride)).all() == []


def test_a_new_choice_shows_after_two_saves_at_once(
    app: Flask, session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    colleague = factories.make_account(session, Role.TEACHER, classes=[oak])
    login_as(Role.TEACHER, classes=[oak])
    _saved_at_once(client, app, oak, colleague)

    saved = client.post(
        "/symbols/choices", data={"phrase": "cat", "symbol": "1F981", "layer": f"class-{oak.id}"}
    )
    assert saved.status_code == 302
    assert cat_symbol(session, ben) == "1F981"  # the pupil sees the choice just made
    assert len(session.scalars(select(SymbolOverride)).all()) == 1
