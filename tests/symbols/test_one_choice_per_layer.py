"""One picture per word on each layer (school, class, pupil), kept by the database: a double
tap, or two staff saving the same word at once, leaves one choice, the last one made, and the
pupil sees that picture on every page and after every restart."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NamedTuple

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import column, insert, inspect, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import make_engine, utcnow
from classroom.migrate import alembic_config, upgrade
from classroom.pupils.importer import make_upn
from classroom.pupils.models import Pupil, SchoolClass
from classroom.symbols import services
from classroom.symbols.models import SymbolOverride
from classroom.symbols.symboliser import symbolise
from tests import databases, factories
from tests.conftest import client_for
from tests.symbols.races import OtherSave, lands_between

BEFORE = "incident_subject_staff"
INDEXES = {f"uq_symbol_overrides_{layer}_phrase" for layer in ("school", "class", "pupil")}


class OldPupil(NamedTuple):
    """A pupil as the database before the migration holds them: made with the columns it has
    (the model has newer ones, such as known_as, that an ORM insert would name)."""

    id: int
    school_id: int
    class_id: int


class OldClass(NamedTuple):
    """A class as the database before the migration holds it (the model has newer columns, such
    as tiles_scanning, that an ORM insert would name)."""

    id: int
    school_id: int


# Only the columns every revision has: a Core insert on the model's table would add the newer
# columns' defaults.
_OLD_CLASSES = table(
    "classes", column("id"), column("school_id"), column("name"), column("tile_symbol")
)


def _old_class(db: Session, school_id: int) -> OldClass:
    name = f"Old class {next(_old_upns)}"
    values = {"school_id": school_id, "name": name, "tile_symbol": "1F333"}
    found = db.execute(insert(_OLD_CLASSES).values(values).returning(_OLD_CLASSES.c.id))
    return OldClass(found.scalar_one(), school_id)


def _old_pupil(db: Session, school_class: SchoolClass | OldClass) -> OldPupil:
    values = {
        "school_id": school_class.school_id, "upn": make_upn(f"8{next(_old_upns):011d}"),
        "first_name": "Old", "last_name": "Pupil", "date_of_birth": date(2011, 5, 1),
        "class_id": school_class.id, "created_at": utcnow(),
    }  # fmt: skip
    table = Pupil.__table__
    pupil_id = db.execute(insert(table).values(values).returning(table.c.id)).scalar_one()
    return OldPupil(pupil_id, school_class.school_id, school_class.id)


_old_upns = itertools.count(1)


def shown(session: Session, pupil: Pupil | OldPupil, word: str = "cat") -> str | None:
    """The picture the pupil sees for `word`, read afresh as a new page would."""
    session.expire_all()
    layers = services.override_layers(session, pupil)
    return next(t.symbol for t in symbolise(f"my {word}", layers) if t.text == word)


def choices(session: Session) -> list[tuple[int | None, int | None, str, str | None]]:
    rows = session.execute(
        select(
            SymbolOverride.class_id,
            SymbolOverride.pupil_id,
            SymbolOverride.phrase,
            SymbolOverride.symbol,
        ).order_by(SymbolOverride.id)
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


def _choice(at: SchoolClass | OldClass, by: Account, symbol: str, **layer: int) -> SymbolOverride:
    return SymbolOverride(
        school_id=at.school_id, phrase="cat", symbol=symbol, created_by_id=by.id,
        created_at=utcnow(), **layer,
    )  # fmt: skip


# --- The migration: twins an old database holds ---------------------------------------------


def test_twins_already_saved_are_reduced_to_the_newest_the_pupil_saw(tmp_path: Path) -> None:
    url = databases.empty_database(tmp_path)
    upgrade(url, BEFORE)
    engine = make_engine(url)
    with Session(engine) as db:
        school = factories.make_school(db, name="Oak's school")
        oak = _old_class(db, school.id)
        elm = _old_class(db, school.id)  # the same school
        ben, ava = _old_pupil(db, oak), _old_pupil(db, oak)
        other = factories.make_school(db, name="Other")
        other_school = _old_class(db, other.id)
        teacher = factories.make_account(db, school=school)
        elsewhere = factories.make_account(db, school=other)
        rows = [
            # twins on each layer: a double tap, or two staff at once
            _choice(oak, teacher, "1F408"), _choice(oak, teacher, "1F431"),
            _choice(oak, teacher, "1F436", class_id=oak.id),
            _choice(oak, teacher, "1F98A", class_id=oak.id),
            _choice(oak, teacher, "1F981", class_id=oak.id),
            _choice(oak, teacher, "1F42F", pupil_id=ben.id),
            _choice(oak, teacher, "1F42D", pupil_id=ben.id),
            # one choice each: kept as they are
            _choice(oak, teacher, "1F430", class_id=elm.id),
            _choice(oak, teacher, "1F439", pupil_id=ava.id),
            _choice(other_school, elsewhere, "1F43B"),
        ]  # fmt: skip
        db.add_all(rows)
        db.commit()
        seen_before = [shown(db, ben), shown(db, ava)]
        kept_ids = [rows[i].id for i in (1, 4, 6, 7, 8, 9)]
        pupil_ids = [ben.id, ava.id]
        twin = _choice(oak, teacher, "1F436", class_id=oak.id)
    engine.dispose()

    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        ben, ava = (db.get_one(Pupil, pupil_id) for pupil_id in pupil_ids)
        assert [shown(db, ben), shown(db, ava)] == seen_before == ["1F42D", "1F439"]
        assert list(db.scalars(select(SymbolOverride.id).order_by(SymbolOverride.id))) == kept_ids
        assert [row[3] for row in choices(db)] == [
            "1F431", "1F981", "1F42D", "1F430", "1F439", "1F43B"
        ]  # fmt: skip
        db.add(twin)
        with pytest.raises(IntegrityError):  # and no twin can be saved again
            db.flush()
    engine.dispose()

    command.downgrade(alembic_config(url), BEFORE)
    engine = make_engine(url)
    with engine.connect() as conn:
        names = {index["name"] for index in inspect(conn).get_indexes("symbol_overrides")}
    engine.dispose()
    assert not names & INDEXES


@pytest.mark.usefixtures("app")
def test_the_database_refuses_a_second_choice_for_a_word_on_one_layer(session: Session) -> None:
    oak = factories.make_class(session)
    elm = factories.make_class(session)  # the same school
    ben, ava = factories.make_pupil(session, oak), factories.make_pupil(session, oak)
    teacher = factories.make_account(session, classes=[oak])
    session.add_all(
        [
            _choice(oak, teacher, "1F436"),  # the same word on every layer, once each
            _choice(oak, teacher, "1F436", class_id=oak.id),
            _choice(oak, teacher, "1F436", class_id=elm.id),
            _choice(oak, teacher, "1F436", pupil_id=ben.id),
            _choice(oak, teacher, "1F436", pupil_id=ava.id),
        ]
    )
    session.commit()
    for layer in ({}, {"class_id": oak.id}, {"pupil_id": ben.id}):
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(_choice(oak, teacher, "1F98A", **layer))
    assert len(choices(session)) == 5


# --- Saving: a double tap, and two staff at once --------------------------------------------

LAYERS = [("school", Role.HEADTEACHER), ("class", Role.TEACHER), ("pupil", Role.TEACHER)]


def _layer(kind: str, oak: SchoolClass, ben: Pupil) -> tuple[str, dict[str, int]]:
    """The chooser's key for a layer, and the row's columns that name it."""
    if kind == "class":
        return f"class-{oak.id}", {"class_id": oak.id}
    if kind == "pupil":
        return f"pupil-{ben.id}", {"pupil_id": ben.id}
    return "school", {}


@pytest.mark.parametrize(("kind", "role"), LAYERS)
def test_a_double_tap_on_save_keeps_one_choice_and_the_pupil_sees_the_last(
    session: Session, client: FlaskClient, login_as: Callable[..., Account], kind: str, role: Role
) -> None:
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    login_as(role, classes=[oak])
    key, _columns = _layer(kind, oak, ben)
    for symbol in ("1F436", "1F436", "1F98A"):  # the tap, the double tap, then a change of mind
        saved = client.post(
            "/symbols/choices", data={"phrase": "Cat", "symbol": symbol, "layer": key}
        )
        assert saved.status_code == 302
    assert [row[2:] for row in choices(session)] == [("cat", "1F98A")]
    assert shown(session, ben) == "1F98A"


@pytest.mark.parametrize(("kind", "role"), LAYERS)
def test_two_staff_saving_one_word_at_once_leave_one_choice_and_no_error_page(
    app: Flask,
    session: Session,
    client: FlaskClient,
    login_as: Callable[..., Account],
    kind: str,
    role: Role,
) -> None:
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    colleague = factories.make_account(session, role, classes=[oak])
    me = login_as(role, classes=[oak])
    key, columns = _layer(kind, oak, ben)
    other = OtherSave(
        oak.school_id, "cat", "1F436", colleague.id,
        class_id=columns.get("class_id"), pupil_id=columns.get("pupil_id"),
    )  # fmt: skip
    with lands_between(app, other):
        saved = client.post(
            "/symbols/choices", data={"phrase": "cat", "symbol": "1F98A", "layer": key}
        )
    assert other.happened  # the colleague's row was there before this save's insert
    assert saved.status_code == 302
    assert "saved=1" in saved.location
    assert [row[2:] for row in choices(session)] == [("cat", "1F98A")]  # the later save's
    assert shown(session, ben) == "1F98A"
    (row,) = session.scalars(select(SymbolOverride))
    assert row.created_by_id == me.id
    audited = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "symbols.override_set")
    ).all()
    assert audited == [f"{kind}: 'cat' -> 1F98A"]


@pytest.mark.usefixtures("app")
def test_losing_the_race_undoes_only_the_insert_not_the_rest_of_the_unit_of_work(
    app: Flask, session: Session
) -> None:
    """What the request did before (here another word saved) stays, to be committed once."""
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    colleague = factories.make_account(session, classes=[oak])
    me = factories.make_account(session, classes=[oak])
    session.commit()
    folder, now = Path("/nonexistent"), utcnow()
    services.set_override(session, me, "dog", "1F436", pupil=ben, picture_folder=folder, now=now)
    other = OtherSave(oak.school_id, "cat", "1F408", colleague.id, pupil_id=ben.id)
    with lands_between(app, other):
        row = services.set_override(
            session, me, "cat", "1F98A", pupil=ben, picture_folder=folder, now=now
        )
    assert other.happened
    session.commit()
    assert row.symbol == "1F98A"
    assert sorted(r[2:] for r in choices(session)) == [("cat", "1F98A"), ("dog", "1F436")]
    assert [shown(session, ben, "dog"), shown(session, ben)] == ["1F436", "1F98A"]
    audited = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "symbols.override_set")
    ).all()
    assert audited == ["pupil: 'dog' -> 1F436", "pupil: 'cat' -> 1F98A"]


def test_two_staff_tapping_save_together_over_and_over_leave_one_choice_per_word(
    app: Flask, session: Session
) -> None:
    """Real requests on threads, as the server runs them: each round both teachers save the
    same new word at the same moment (a barrier lines them up), one of them double-tapping."""
    oak = factories.make_class(session)
    ben = factories.make_pupil(session, oak)
    staff = [factories.make_account(session, Role.TEACHER, classes=[oak]) for _ in range(2)]
    session.commit()
    clients = [client_for(app, account) for account in staff]
    layer = f"pupil-{ben.id}"
    session.close()  # the test holds no transaction while the threads work
    words = [f"word{n}" for n in range(6)]
    together = threading.Barrier(2, timeout=30)
    answers: list[int] = []

    def taps(client: FlaskClient, symbols: tuple[str, ...]) -> Callable[[], None]:
        def work() -> None:
            for word in words:
                together.wait()
                for symbol in symbols:
                    data = {"phrase": word, "symbol": symbol, "layer": layer}
                    answers.append(client.post("/symbols/choices", data=data).status_code)

        return work

    threads = [
        threading.Thread(target=taps(clients[0], ("1F436", "1F436"))),  # the double tap
        threading.Thread(target=taps(clients[1], ("1F98A",))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [302] * 3 * len(words)  # no error page for anyone
    saved = choices(session)
    assert sorted(phrase for _c, _p, phrase, _s in saved) == words  # one choice per word
    for _class_id, _pupil_id, phrase, symbol in saved:
        assert shown(session, ben, phrase) == symbol  # the one kept is the one the pupil sees
