"""Two saves of one word on one layer at once: another save's row lands after this save looked
for the word (and found none) and before it inserts its own.

On PostgreSQL the other save is a real one: its own connection, committed, so this save's
insert meets it in the unique index. SQLite's writers take turns (BEGIN IMMEDIATE), so no other
connection can write meanwhile; there the other row is written on this save's own connection,
outside anything the save itself does, which is what the save then finds in the index.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import Engine, Select, event, insert
from sqlalchemy.engine import Result
from sqlalchemy.orm import ORMExecuteState

from classroom.db import utcnow
from classroom.symbols.models import SymbolOverride


@dataclass
class OtherSave:
    """The row the other member of staff saves: the same word on the same layer."""

    school_id: int
    phrase: str
    symbol: str
    by_id: int
    class_id: int | None = None
    pupil_id: int | None = None
    happened: list[bool] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        return {
            "school_id": self.school_id, "class_id": self.class_id, "pupil_id": self.pupil_id,
            "phrase": self.phrase, "symbol": self.symbol, "created_by_id": self.by_id,
            "created_at": utcnow(),
        }  # fmt: skip


def _looks_for_a_choice(state: ORMExecuteState) -> bool:
    if not isinstance(state.statement, Select):
        return False
    described = state.statement.column_descriptions
    return len(described) == 1 and described[0]["entity"] is SymbolOverride


@contextmanager
def lands_between(app: Flask, other: OtherSave) -> Iterator[OtherSave]:
    """While inside, the first look for a word's choice that finds none is followed, before
    the save goes on, by `other`'s row being saved. `other.happened` says whether it was."""
    engine: Engine = app.extensions["db_engine"]
    sessions = app.extensions["db_sessionmaker"]

    def look(state: ORMExecuteState) -> Result[Any] | None:
        if other.happened or not _looks_for_a_choice(state):
            return None
        found = state.invoke_statement().freeze()
        if not found().all():
            other.happened.append(True)
            statement = insert(SymbolOverride).values(other.row())
            if engine.dialect.name == "postgresql":
                with engine.begin() as conn:  # another request's transaction, committed
                    conn.execute(statement)
            else:
                state.session.connection().execute(statement)
        return found()

    event.listen(sessions, "do_orm_execute", look)
    try:
        yield other
    finally:
        event.remove(sessions, "do_orm_execute", look)
