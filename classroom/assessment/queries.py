"""Reads for the assessment pages: one query for a whole class's observations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.assessment.derive import Obs, State, states
from classroom.assessment.models import Observation
from classroom.lessons import content, maps
from classroom.pupils.models import Pathway, Pupil


def needs_help_weeks(value: int | None, default: int) -> int:
    """The weeks asked for (or the school's setting), kept between 1 and 52."""
    weeks = value or default
    return max(1, min(weeks, 52))


def observations_for(session: Session, pupil_ids: Sequence[int]) -> list[Obs]:
    """Just the columns derivation needs, as plain rows: a year of a class is many thousands."""
    if not pupil_ids:
        return []
    columns = (
        Observation.id,
        Observation.pupil_id,
        Observation.objective_id,
        Observation.level,
        Observation.observed_on,
        Observation.supersedes_id,
        Observation.misconception,
    )
    rows = session.execute(select(*columns).where(Observation.pupil_id.in_(pupil_ids)))
    return list(rows.all())


@dataclass(frozen=True)
class Cell:
    lesson: content.Lesson
    objective: content.Objective
    pathway: content.Pathway
    state: State | None


# A pupil's pathway (a setting) as the lesson content's pathway of the same name. A StrEnum
# member is its value as a key, so a stored value finds it too.
_CONTENT_PATHWAY = {pathway: content.Pathway(pathway.value) for pathway in Pathway}


def pupil_row(
    session: Session,
    pupil: Pupil,
    lessons: Sequence[content.Lesson],
    found: dict[tuple[int, str], State],
    pathways: dict[str, Pathway] | None = None,
) -> list[Cell]:
    """One pupil's objectives for the given lessons, on the pathway their map gives each."""
    if pathways is None:
        pathways = maps.pathways_for(session, [pupil])[pupil.id]
    cells = []
    own = _CONTENT_PATHWAY[pupil.pathway]
    for lesson in lessons:
        chosen = pathways.get(lesson.id)
        pathway = own if chosen is None else _CONTENT_PATHWAY[chosen]
        objective = lesson.version(pathway).objective
        cells.append(Cell(lesson, objective, pathway, found.get((pupil.id, objective.id))))
    return cells


def heatmap(
    session: Session,
    catalogue: content.Catalogue,
    pupils: Sequence[Pupil],
    strand: str | None,
    pathway: str | None,
    weeks: int,
    today: date,
) -> tuple[list[content.Lesson], list[tuple[Pupil, list[Cell]]]]:
    """Pupils x objectives for a class, filtered by strand and pathway."""
    lessons = [
        lesson
        for lesson in catalogue
        if not strand or strand in {s.value for s in lesson.strands}
    ]
    chosen = [p for p in pupils if not pathway or p.pathway.value == pathway]
    found = states(observations_for(session, [p.id for p in chosen]), today, weeks)
    pathways = maps.pathways_for(session, chosen)
    return lessons, [(p, pupil_row(session, p, lessons, found, pathways[p.id])) for p in chosen]


def history(session: Session, pupil: Pupil, objective_id: str) -> list[Observation]:
    """Every observation of one objective, oldest first, superseded ones included."""
    rows = session.scalars(
        select(Observation)
        .where(Observation.pupil_id == pupil.id, Observation.objective_id == objective_id)
        .order_by(Observation.observed_on, Observation.id)
    )
    return list(rows)


def timeline(rows: list[Observation]) -> list[Observation]:
    superseded = {o.supersedes_id for o in rows if o.supersedes_id is not None}
    return [o for o in rows if o.id not in superseded]
