"""Staff symbol overrides: who may set them, the audit trail, and the layers a pupil gets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session

import classroom.models  # noqa: F401 - every table on the metadata, as Alembic sees it
from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.db import make_engine, utcnow
from classroom.errors import Forbidden, Invalid
from classroom.migrate import upgrade
from classroom.principals import Anonymous
from classroom.pupils.models import Pupil
from classroom.symbols import services
from classroom.symbols.models import SymbolOverride
from classroom.symbols.symboliser import HIDDEN, symbolise
from tests import factories
from tests.schema import differences
from tests.symbol_helpers import picture_folder


class World(dict[str, Any]):
    """A class with pupils, and staff created only when a test first asks for them.

    Each account costs a password hash, so making only the ones a test uses keeps this quick.
    """

    ROLES = {
        "teacher": (Role.TEACHER, "class"),
        "ta": (Role.TEACHING_ASSISTANT, "class"),
        "other_teacher": (Role.TEACHER, "other_class"),
        "head": (Role.HEADTEACHER, None),
        "dsl": (Role.DSL, None),
        "parent": (Role.PARENT, None),
    }

    def __init__(self, session: Session) -> None:
        school_class = factories.make_class(session)
        super().__init__(
            {
                "class": school_class,
                "other_class": factories.make_class(session),
                "pupil": factories.make_pupil(session, school_class),
                "classmate": factories.make_pupil(session, school_class),
            }
        )
        self.session = session

    def __missing__(self, name: str) -> Any:
        role, class_key = self.ROLES[name]
        classes = [self[class_key]] if class_key else []
        account = factories.make_account(self.session, role, classes=classes)
        self[name] = account
        return account


@pytest.fixture
def world(session: Session) -> World:
    return World(session)


def cat_symbol(session: Session, pupil: Pupil) -> str | None:
    layers = services.override_layers(session, pupil)
    return next(t.symbol for t in symbolise("my cat", layers) if t.text == "cat")


def test_pupil_beats_class_beats_school(session: Session, world: World) -> None:
    pupil, head, teacher = world["pupil"], world["head"], world["teacher"]
    assert cat_symbol(session, pupil) == "1F431"
    services.set_override(
        session, head, "cat", "1F436", picture_folder=picture_folder(), now=utcnow()
    )
    assert cat_symbol(session, pupil) == "1F436"
    services.set_override(
        session,
        teacher,
        "cat",
        "1F98A",
        school_class=world["class"],
        picture_folder=picture_folder(),
        now=utcnow(),
    )
    assert cat_symbol(session, pupil) == "1F98A"
    services.set_override(
        session, teacher, "Cat", "1F981", pupil=pupil, picture_folder=picture_folder(), now=utcnow()
    )
    assert cat_symbol(session, pupil) == "1F981"
    assert cat_symbol(session, world["classmate"]) == "1F98A"


def test_layers_come_least_specific_first(session: Session, world: World) -> None:
    pupil, teacher = world["pupil"], world["teacher"]
    services.set_override(
        session, world["head"], "dog", "1F415", picture_folder=picture_folder(), now=utcnow()
    )
    services.set_override(
        session,
        teacher,
        "dog",
        None,
        school_class=world["class"],
        picture_folder=picture_folder(),
        now=utcnow(),
    )
    services.set_override(
        session,
        teacher,
        "trusted adult",
        "1F9D1",
        pupil=pupil,
        picture_folder=picture_folder(),
        now=utcnow(),
    )
    services.set_override(
        session,
        world["other_teacher"],
        "fox",
        "1F98A",
        school_class=world["other_class"],
        picture_folder=picture_folder(),
        now=utcnow(),
    )
    layers = services.override_layers(session, pupil)
    assert layers == [{"dog": "1F415"}, {"dog": HIDDEN}, {"trusted adult": "1F9D1"}]
    assert services.class_override_layers(session, world["class"]) == layers[:2]


def test_hidden_shows_the_word_without_a_symbol(session: Session, world: World) -> None:
    services.set_override(
        session,
        world["teacher"],
        "cat",
        HIDDEN,
        pupil=world["pupil"],
        picture_folder=picture_folder(),
        now=utcnow(),
    )
    assert cat_symbol(session, world["pupil"]) is None


def test_setting_again_updates_one_row_and_audits_each_change(
    session: Session, world: World
) -> None:
    pupil, teacher = world["pupil"], world["teacher"]
    first = services.set_override(
        session, teacher, "cat", "1F436", pupil=pupil, picture_folder=picture_folder(), now=utcnow()
    )
    second = services.set_override(
        session,
        world["ta"],
        "CAT ",
        "1F98A",
        pupil=pupil,
        picture_folder=picture_folder(),
        now=utcnow(),
    )
    assert first.id == second.id
    assert second.symbol == "1F98A"
    assert second.created_by_id == world["ta"].id
    assert session.scalar(select(func.count()).select_from(SymbolOverride)) == 1
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "symbols.override_set")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.object_type, e.object_id) for e in events] == [("Pupil", pupil.id)] * 2
    assert events[-1].summary == "pupil: 'cat' -> 1F98A"


def test_clearing_goes_back_to_the_default(session: Session, world: World) -> None:
    pupil, teacher = world["pupil"], world["teacher"]
    services.set_override(
        session, teacher, "cat", "1F436", pupil=pupil, picture_folder=picture_folder(), now=utcnow()
    )
    assert services.clear_override(session, teacher, "cat", pupil=pupil) is True
    assert services.clear_override(session, teacher, "cat", pupil=pupil) is False
    assert cat_symbol(session, pupil) == "1F431"
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("symbols.%")).order_by(AuditEvent.id)
    )
    assert list(actions) == ["symbols.override_set", "symbols.override_cleared"]


def test_staff_list_a_layers_overrides(session: Session, world: World) -> None:
    pupil, teacher = world["pupil"], world["teacher"]
    services.set_override(
        session, teacher, "dog", "1F415", pupil=pupil, picture_folder=picture_folder(), now=utcnow()
    )
    services.set_override(
        session, teacher, "cat", None, pupil=pupil, picture_folder=picture_folder(), now=utcnow()
    )
    listed = services.list_overrides(session, teacher, pupil=pupil)
    assert [(o.phrase, o.symbol, o.layer) for o in listed] == [
        ("cat", None, "pupil"),
        ("dog", "1F415", "pupil"),
    ]


@pytest.mark.parametrize(
    ("who", "layer", "allowed"),
    [
        ("teacher", "pupil", True),
        ("ta", "pupil", True),
        ("head", "pupil", True),
        ("other_teacher", "pupil", False),
        ("dsl", "pupil", False),
        ("parent", "pupil", False),
        ("teacher", "class", True),
        ("ta", "class", True),
        ("head", "class", True),
        ("other_teacher", "class", False),
        ("parent", "class", False),
        ("head", "school", True),
        ("teacher", "school", False),
        ("ta", "school", False),
        ("dsl", "school", False),
        ("parent", "school", False),
    ],
)
def test_who_may_change_which_layer(
    session: Session, world: World, who: str, layer: str, allowed: bool
) -> None:
    target = {"pupil": {"pupil": world["pupil"]}, "class": {"school_class": world["class"]}}
    kwargs = target.get(layer, {})
    if allowed:
        services.set_override(
            session,
            world[who],
            "cat",
            "1F436",
            **kwargs,
            picture_folder=picture_folder(),
            now=utcnow(),
        )
        assert services.clear_override(session, world[who], "cat", **kwargs)
    else:
        with pytest.raises(Forbidden):
            services.set_override(
                session,
                world[who],
                "cat",
                "1F436",
                **kwargs,
                picture_folder=picture_folder(),
                now=utcnow(),
            )
        with pytest.raises(Forbidden):
            services.clear_override(session, world[who], "cat", **kwargs)


def test_a_pupil_and_nobody_cannot_change_symbols(session: Session, world: World) -> None:
    with pytest.raises(Forbidden):
        services.set_override(
            session, Anonymous(), "cat", "1F436", picture_folder=picture_folder(), now=utcnow()
        )
    with pytest.raises(Forbidden):
        services.set_override(
            session,
            Anonymous(),
            "cat",
            "1F436",
            pupil=world["pupil"],
            picture_folder=picture_folder(),
            now=utcnow(),
        )


@pytest.mark.parametrize(
    ("phrase", "symbol", "field"),
    [
        ("", "1F436", "phrase"),
        ("   ", "1F436", "phrase"),
        ("one two three four five six", "1F436", "phrase"),
        ("cat", "1FFFF", "symbol"),
        ("cat", "../../etc/passwd", "symbol"),
    ],
)
def test_bad_input_is_refused_with_a_field(
    session: Session, world: World, phrase: str, symbol: str, field: str
) -> None:
    with pytest.raises(Invalid) as caught:
        services.set_override(
            session,
            world["teacher"],
            phrase,
            symbol,
            pupil=world["pupil"],
            picture_folder=picture_folder(),
            now=utcnow(),
        )
    assert caught.value.field == field


def test_a_class_and_a_pupil_together_is_a_programming_error(
    session: Session, world: World
) -> None:
    with pytest.raises(ValueError, match="not both"):
        services.set_override(
            session,
            world["teacher"],
            "cat",
            "1F436",
            school_class=world["class"],
            pupil=world["pupil"],
            picture_folder=picture_folder(),
            now=utcnow(),
        )


def test_the_migration_builds_the_table_the_model_describes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = differences(conn)
        checks = inspect(conn).get_check_constraints("symbol_overrides")
    engine.dispose()
    assert [d for d in diff if "symbol_overrides" in repr(d)] == []
    assert [c["name"] for c in checks] == ["ck_symbol_overrides_one_layer"]
