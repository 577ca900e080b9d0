"""Staff choosing symbols: set or clear an override for the school, a class or a pupil."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from classroom import policy
from classroom.accounts.models import Account, School
from classroom.audit.services import record
from classroom.db import plain_rows
from classroom.errors import Forbidden, Invalid
from classroom.principals import Actor
from classroom.pupils.models import Pupil, SchoolClass
from classroom.pupils.services import require_at_school
from classroom.symbols.library import svg_path
from classroom.symbols.models import SymbolOverride
from classroom.symbols.symboliser import HIDDEN
from classroom.symbols.vocabulary import MAX_PHRASE_WORDS, normalise

MAX_PHRASE_LENGTH = 80
PICTURE_CODE = re.compile(r"^pic-[0-9a-f]{32}$")  # a school's own picture (symbols/pictures.py)


def is_picture_code(code: str) -> bool:
    return bool(PICTURE_CODE.match(code))


def picture_path(code: str, folder: Path) -> Path | None:
    """The stored PNG for a school picture code in `folder` (pictures.folder), if there is one."""
    if not is_picture_code(code):
        return None
    path = folder / f"{code}.png"
    return path if path.is_file() else None


@dataclass(frozen=True)
class _Layer:
    name: str
    school_id: int
    class_id: int | None
    pupil_id: int | None
    owner: School | SchoolClass | Pupil

    def matches(self) -> ColumnElement[bool]:
        return and_(
            SymbolOverride.school_id == self.school_id,
            _is(SymbolOverride.class_id, self.class_id),
            _is(SymbolOverride.pupil_id, self.pupil_id),
        )


def set_override(
    session: Session,
    actor: Actor,
    phrase: str,
    symbol: str | None,
    *,
    school_class: SchoolClass | None = None,
    pupil: Pupil | None = None,
    picture_folder: Path,
    now: datetime,
) -> SymbolOverride:
    """Show `phrase` with `symbol` (None or "hidden": no symbol) for a pupil, class or school.

    `picture_folder`: where the school's own pictures are (pictures.folder), to check a code.
    """
    layer = _changeable(session, actor, school_class, pupil)
    if not isinstance(actor, Account):  # _layer admits only staff accounts; this narrows the type
        raise Forbidden("only staff can choose symbols")
    key = _checked_phrase(phrase)
    code = _checked_symbol(symbol, picture_folder)
    row = _find(session, layer, key) or _inserted(session, layer, key, code, actor.id, now)
    row.symbol, row.created_by_id, row.created_at = code, actor.id, now
    session.flush()
    shown = code or "no symbol"
    record(session, actor, "symbols.override_set", layer.owner, f"{layer.name}: {key!r} -> {shown}")
    return row


def clear_override(
    session: Session,
    actor: Actor,
    phrase: str,
    *,
    school_class: SchoolClass | None = None,
    pupil: Pupil | None = None,
) -> bool:
    """Go back to the default symbol for `phrase` on this layer; False if nothing was set."""
    layer = _changeable(session, actor, school_class, pupil)
    key = normalise(phrase)
    row = _find(session, layer, key)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    record(session, actor, "symbols.override_cleared", layer.owner, f"{layer.name}: {key!r}")
    return True


def list_overrides(
    session: Session,
    actor: Actor,
    *,
    school_class: SchoolClass | None = None,
    pupil: Pupil | None = None,
) -> list[SymbolOverride]:
    """The overrides set on one layer, by phrase, for the staff page that edits them."""
    layer = _layer(session, actor, school_class, pupil)
    query = select(SymbolOverride).where(layer.matches()).order_by(SymbolOverride.phrase)
    return list(session.scalars(query))


def override_layers(session: Session, pupil: Pupil) -> list[dict[str, str]]:
    """The pupil's override layers, least specific first: [school, class, pupil]."""
    return _layers(session, pupil.school_id, pupil.class_id, pupil.id)


def class_override_layers(session: Session, school_class: SchoolClass) -> list[dict[str, str]]:
    """A class's override layers, least specific first: [school, class]."""
    return _layers(session, school_class.school_id, school_class.id, None)[:2]


def school_override_layers(session: Session, school_id: int) -> list[dict[str, str]]:
    """The school-wide layer alone, as a list of one layer."""
    return _layers(session, school_id, None, None)[:1]


def _layers(
    session: Session, school_id: int, class_id: int | None, pupil_id: int | None
) -> list[dict[str, str]]:
    school: dict[str, str] = {}
    in_class: dict[str, str] = {}
    own: dict[str, str] = {}
    params = {"school_id": school_id, "class_id": class_id, "pupil_id": pupil_id}
    query = _layers_query(class_id is not None, pupil_id is not None)
    for row_pupil, row_class, phrase, symbol in plain_rows(session, query, params):
        # The same rule as SymbolOverride.layer: pupil, else class, else school.
        layer = own if row_pupil is not None else in_class if row_class is not None else school
        layer[phrase] = symbol or HIDDEN
    return [school, in_class, own]


@cache  # every pupil page reads the layers: each shape of the query is built once
def _layers_query(
    has_class: bool, has_pupil: bool
) -> Select[int | None, int | None, str, str | None]:
    school_wide = and_(SymbolOverride.class_id.is_(None), SymbolOverride.pupil_id.is_(None))
    # No class (or no pupil) means no such layer at all, not "rows without a class", which
    # are the school's or other pupils'.
    in_class = SymbolOverride.class_id == bindparam("class_id") if has_class else false()
    own = SymbolOverride.pupil_id == bindparam("pupil_id") if has_pupil else false()
    # Plain columns, not ORM objects: every pupil page reads these rows.
    return (
        select(
            SymbolOverride.pupil_id,
            SymbolOverride.class_id,
            SymbolOverride.phrase,
            SymbolOverride.symbol,
        )
        .where(SymbolOverride.school_id == bindparam("school_id"))
        .where(or_(school_wide, in_class, own))
        .order_by(SymbolOverride.id)
    )


def _is(column: InstrumentedAttribute[int | None], value: int | None) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def check_layer(
    session: Session, actor: Actor, school_class: SchoolClass | None, pupil: Pupil | None
) -> None:
    """Raise Forbidden unless the actor may change symbols on this layer (Invalid: a leaver's)."""
    _changeable(session, actor, school_class, pupil)


SYMBOL_CHOICES = "symbol choices"  # in the sentence saying why a leaver's cannot be changed


def _changeable(
    session: Session, actor: Actor, school_class: SchoolClass | None, pupil: Pupil | None
) -> _Layer:
    """The layer, if the actor may change it now: a leaver's choices are kept as they were, as
    their settings are (pupils.services.require_at_school)."""
    layer = _layer(session, actor, school_class, pupil)
    if pupil is not None:
        require_at_school(pupil, SYMBOL_CHOICES)
    return layer


def _layer(
    session: Session, actor: Actor, school_class: SchoolClass | None, pupil: Pupil | None
) -> _Layer:
    """Which layer the caller means, after checking the actor may change it."""
    if school_class is not None and pupil is not None:
        raise ValueError("an override is for a class or a pupil, not both")
    if pupil is not None:
        layer = _Layer("pupil", pupil.school_id, None, pupil.id, pupil)
        allowed = policy.can_edit_pupil_settings(session, actor, pupil)
    elif school_class is not None:
        layer = _Layer("class", school_class.school_id, school_class.id, None, school_class)
        allowed = policy.can_edit_class_symbols(session, actor, school_class)
    else:
        layer, allowed = _school_layer(session, actor)
    if not allowed:
        raise Forbidden(f"not allowed to change symbols for this {layer.name}")
    return layer


def _school_layer(session: Session, actor: Actor) -> tuple[_Layer, bool]:
    if not isinstance(actor, Account) or (school := session.get(School, actor.school_id)) is None:
        raise Forbidden("not allowed to change symbols for the school")
    allowed = policy.can_edit_school_symbols(actor)
    return _Layer("school", school.id, None, None, school), allowed


def _find(session: Session, layer: _Layer, key: str) -> SymbolOverride | None:
    """The layer's one row for `key`, if any (a unique index per layer allows no twins), read
    as the database has it now, not as this session saw it earlier."""
    query = select(SymbolOverride).where(layer.matches(), SymbolOverride.phrase == key)
    return session.scalars(query.execution_options(populate_existing=True)).one_or_none()


def _inserted(
    session: Session, layer: _Layer, key: str, code: str | None, by_id: int, now: datetime
) -> SymbolOverride:
    """A new row for `key` on the layer; or, when another save (a double tap, a colleague)
    inserted one since `_find` looked, that row, to be updated instead of failing the request.

    The insert is tried inside a SAVEPOINT, so losing the race undoes only the insert, not the
    rest of the request's unit of work."""
    row = SymbolOverride(
        school_id=layer.school_id, class_id=layer.class_id, pupil_id=layer.pupil_id,
        phrase=key, symbol=code, created_by_id=by_id, created_at=now,
    )  # fmt: skip
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        won = _find(session, layer, key)
        if won is None:  # not a twin after all (a missing school, say): a real error
            raise
        return won
    return row


def _checked_phrase(phrase: str) -> str:
    key = normalise(phrase)
    if not key:
        raise Invalid("Type the word or phrase the symbol is for.", "phrase")
    if len(key) > MAX_PHRASE_LENGTH or len(key.split()) > MAX_PHRASE_WORDS:
        raise Invalid(f"A phrase can be at most {MAX_PHRASE_WORDS} words.", "phrase")
    return key


def _checked_symbol(symbol: str | None, picture_folder: Path) -> str | None:
    if symbol is None or symbol == HIDDEN:
        return None
    if svg_path(symbol) is None and picture_path(symbol, picture_folder) is None:
        raise Invalid("Choose one of the symbols shown.", "symbol")
    return symbol
