"""Entities made from plain rows (classroom.db `loaded`) behave as the ORM's own.

Every signed-in request reads its session, and the account or the pupil and iPad behind it,
as plain columns and makes them into entities this way. An entity that differed from the
ORM's (a datetime left naive, an enum as a string), that lost a change made to it, or that
was not the session's own copy would show as a wrong name on a page, a session that never
idles out, or two copies of one pupil in one request. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role, UserSession
from classroom.db import Base, entity_columns, loaded, plain_rows, utcnow, writing
from classroom.devices.models import Device
from classroom.pupils.models import ClassStaff, Pathway, Pupil
from tests import factories
from tests.statements import statements


def _values(entity: Any) -> dict[str, Any]:
    return {prop.key: getattr(entity, prop.key) for prop in inspect(type(entity)).column_attrs}


def _read(session: Session, model: type[Base], ident: int) -> tuple[Any, ...]:
    statement = select(*entity_columns(model)).where(inspect(model).primary_key[0] == ident)
    row = plain_rows(session, statement).one()
    return tuple(row)


@pytest.fixture
def people(session: Session) -> dict[type[Base], int]:
    """A teacher with a session, and a formal pupil with a class iPad: one of each model."""
    with writing():
        teacher = factories.make_account(session, Role.TEACHER)
        pupil = factories.make_pupil(session, pathway=Pathway.FORMAL)
        device, _ = factories.make_device(session, pupil.school_class)
        now = utcnow()
        signed_in = UserSession(
            token_hash="a" * 64, account_id=teacher.id, created_at=now, last_seen_at=now,
            expires_at=now, ip="10.0.0.1",
        )  # fmt: skip
        session.add(signed_in)
        session.commit()
        ids = {Account: teacher.id, Pupil: pupil.id, Device: device.id, UserSession: signed_in.id}
    session.expunge_all()
    return ids


@pytest.mark.parametrize("model", [Account, Pupil, Device, UserSession])
def test_an_entity_made_from_a_row_has_the_values_and_types_the_orm_loads(
    session: Session, people: dict[type[Base], int], model: type[Base]
) -> None:
    ident = people[model]
    with Session(bind=session.get_bind()) as elsewhere:
        by_orm = _values(elsewhere.get(model, ident))

    made = _values(loaded(session, model, _read(session, model, ident)))

    assert made == by_orm
    assert {k: type(v) for k, v in made.items()} == {k: type(v) for k, v in by_orm.items()}


def test_a_change_to_a_made_entity_is_written_and_nothing_else_is(
    app: Flask, session: Session, people: dict[type[Base], int]
) -> None:
    with writing():
        pupil = loaded(session, Pupil, _read(session, Pupil, people[Pupil]))
        account = loaded(session, Account, _read(session, Account, people[Account]))
        assert pupil is not None
        assert account is not None
        pupil.first_name = "Renamed"
        with statements(app) as seen:
            session.flush()
        session.commit()

    updates = [s for s in seen if s.startswith("UPDATE")]
    assert len(updates) == 1  # the pupil's name; the untouched account is not written
    assert updates[0].startswith("UPDATE pupils SET first_name=")
    session.expunge_all()
    assert session.get(Pupil, people[Pupil]).first_name == "Renamed"


def test_a_made_entitys_relationships_load_on_first_use(
    session: Session, people: dict[type[Base], int]
) -> None:
    with Session(bind=session.get_bind()) as elsewhere:
        pupil_by_orm = elsewhere.get(Pupil, people[Pupil])
        class_name = pupil_by_orm.school_class.name

    pupil = loaded(session, Pupil, _read(session, Pupil, people[Pupil]))

    assert pupil is not None
    assert pupil.school_class.name == class_name


def test_an_entity_the_session_already_holds_is_returned_as_it_is(
    session: Session, people: dict[type[Base], int]
) -> None:
    held = session.get(Pupil, people[Pupil])
    assert held is not None
    held.first_name = "Changed, not yet written"

    made = loaded(session, Pupil, _read(session, Pupil, people[Pupil]))

    assert made is held
    assert made.first_name == "Changed, not yet written"


def test_an_outer_join_that_found_nothing_is_no_entity(session: Session) -> None:
    nothing = (None,) * len(entity_columns(Device))

    assert loaded(session, Device, nothing) is None


def test_a_model_it_cannot_make_is_refused_at_once() -> None:
    with pytest.raises(TypeError, match="ClassStaff"):
        entity_columns(ClassStaff)  # two columns make its primary key
