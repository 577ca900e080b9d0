"""Reads for the assessment pages: one query for a whole class's observations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from classroom.assessment.derive import Obs, State, in_force, states
from classroom.assessment.models import Observation, withdrawn
from classroom.assessment.services import positive
from classroom.db import plain_rows
from classroom.lessons import content, maps
from classroom.lessons.models import MapEntry
from classroom.parents.queries import MomentState
from classroom.pupils.models import Pathway, Pupil


def needs_help_weeks(value: int | None, default: int) -> int:
    """The weeks asked for (or the school's setting), kept between 1 and 52."""
    weeks = value or default
    return max(1, min(weeks, 52))


# Just the columns derivation needs (derive.Obs).
_DERIVED = (
    Observation.id,
    Observation.pupil_id,
    Observation.objective_id,
    Observation.level,
    Observation.observed_on,
    Observation.supersedes_id,
    Observation.misconception,
    withdrawn(Observation.id).label("withdrawn"),  # a withdrawal standing, not put back
)
_OBSERVATIONS = select(*_DERIVED).where(
    Observation.pupil_id.in_(bindparam("ids", expanding=True))
)


def observations_for(session: Session, pupil_ids: Sequence[int]) -> list[Obs]:
    """Just the columns derivation needs, as plain rows: a year of a class is many thousands."""
    if not pupil_ids:
        return []
    return list(plain_rows(session, _OBSERVATIONS, {"ids": list(pupil_ids)}).all())


_ENGAGEMENT = select(*_DERIVED, Observation.engagement).where(
    Observation.pupil_id == bindparam("pupil_id")
)


def engagement_notes(session: Session, pupil_id: int) -> dict[str, list[tuple[date, str]]]:
    """A pupil's Engagement Model notes (PRODUCT.md section 3: notes, not scores), per objective:
    each observation in force that has them, oldest first, as (day, "exploration, anticipation").
    Corrected and withdrawn observations are left out, as everywhere a level is counted."""
    rows = plain_rows(session, _ENGAGEMENT, {"pupil_id": pupil_id}).all()
    live = {o.id for o in in_force(rows)}
    notes: dict[str, list[tuple[date, str]]] = {}
    for row in sorted(rows, key=lambda r: (r.observed_on, r.id)):
        areas = [area for area in row.engagement.split(",") if area]
        if row.id in live and areas:
            notes.setdefault(row.objective_id, []).append((row.observed_on, ", ".join(areas)))
    return notes


class Earlier(NamedTuple):
    """What was recorded against another pathway's objective of a lesson: the pathway it was
    taught on before the pupil's pathway, or the lesson's on their map, changed."""

    objective: content.Objective
    pathway: content.Pathway
    state: State


class Cell(NamedTuple):  # a tuple: a heatmap makes one per pupil per lesson
    lesson: content.Lesson
    objective: content.Objective
    pathway: content.Pathway  # the pathway of the version whose objective this is
    state: State | None
    # Evidence on the lesson's other pathways, most recently assessed first (see `earlier`).
    earlier: tuple[Earlier, ...] = ()
    # The pathway the pupil is taught the lesson on (their map's, else their own), which their
    # answers are recorded at; None when it is `pathway`. It differs only for a lesson with
    # no version written for it, taught from the nearest version (see `_plan`).
    taught: content.Pathway | None = None
    on_map: bool = True  # False: off the pupil's map, shown for what was recorded on it
    hidden: bool = False  # on the pupil's map, but hidden from it (the pupil does not see it)

    @property
    def earlier_only(self) -> bool:
        """Off the pupil's map and assessed only on other pathways than the one it would be
        taught on now: its row on that pathway would be empty, so only the earlier evidence
        is shown. (A lesson on the map keeps that row: it is where the next level goes.)"""
        return not self.on_map and self.state is None and bool(self.earlier)


def earlier(
    pupil_id: int,
    lesson: content.Lesson,
    objective: content.Objective,
    found: dict[tuple[int, str], State],
) -> tuple[Earlier, ...]:
    """What the pupil was assessed on in this lesson on pathways other than the one now planned
    (its `objective`), most recently assessed first: changing a pathway hides nothing."""
    others = [
        Earlier(version.objective, version.pathway, state)
        for version in lesson.versions
        if version.objective.id != objective.id
        and (state := found.get((pupil_id, version.objective.id))) is not None
    ]
    return tuple(sorted(others, key=lambda e: e.state.last_assessed, reverse=True))


class Evidence(NamedTuple):
    """What a pupil's cell for one lesson shows (the class heatmap and summary)."""

    objective_id: str
    state: State
    earlier: bool  # from an earlier pathway: nothing is recorded yet on the one now planned


def evidence(
    pupil_id: int,
    lesson: content.Lesson,
    objective: content.Objective,
    found: dict[tuple[int, str], State],
) -> Evidence | None:
    """The state on the pathway now planned; if nothing is recorded there yet, the latest
    from an earlier pathway (marked); None if the lesson was never assessed."""
    state = found.get((pupil_id, objective.id))
    if state is not None:
        return Evidence(objective.id, state, False)
    before = earlier(pupil_id, lesson, objective, found)
    return Evidence(before[0].objective.id, before[0].state, True) if before else None


class ClassPupil(NamedTuple):
    """A pupil of a class, as the class's heatmap and summary show them."""

    id: int
    first_name: str
    last_name: str
    pathway: Pathway
    class_id: int
    date_of_birth: date

    def age_on(self, day: date) -> int:
        """Their age on a day, as `Pupil.age_on`."""
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


_CLASS_PUPILS = (
    select(
        Pupil.id,
        Pupil.first_name,
        Pupil.last_name,
        Pupil.pathway,
        Pupil.class_id,
        Pupil.date_of_birth,
    )
    .where(Pupil.class_id == bindparam("class_id"), Pupil.active.is_(True))
    .order_by(Pupil.first_name, Pupil.id)
)


def class_pupils(session: Session, class_id: int) -> list[ClassPupil]:
    """A class's active pupils by first name, as plain columns: a heatmap reads five of a
    pupil's thirty, and loading each as a full row was a tenth of the page."""
    return [ClassPupil(*row) for row in plain_rows(session, _CLASS_PUPILS, {"class_id": class_id})]


# A pupil's pathway (a setting) as the lesson content's pathway of the same name. A StrEnum
# member is its value as a key, so a stored value finds it too.
_CONTENT_PATHWAY = {pathway: content.Pathway(pathway.value) for pathway in Pathway}


Plan = list[tuple[content.Lesson, content.Objective, content.Pathway]]
Plans = dict[tuple[content.Pathway, tuple[tuple[str, Pathway], ...]], Plan]


def pupil_row(
    session: Session,
    pupil: maps.OnAPathway,
    lessons: Sequence[content.Lesson],
    found: dict[tuple[int, str], State],
    pathways: dict[str, Pathway] | None = None,
    plans: Plans | None = None,
    *,
    with_earlier: bool = False,
) -> list[Cell]:
    """One pupil's objectives for the given lessons, on the pathway their map gives each;
    `with_earlier`, with what was recorded on each lesson's other pathways (`Cell.earlier`).

    `plans` remembers, across the pupils of a class shown the same `lessons`, the objectives
    of each pupil's own pathway and map: most of a class share one, and it is worked out once.
    """
    if pathways is None:
        pathways = maps.pathways_for(session, [pupil])[pupil.id]
    pupil_id = pupil.id
    own = _CONTENT_PATHWAY[pupil.pathway]
    return [
        Cell(
            lesson,
            objective,
            pathway,
            found.get((pupil_id, objective.id)),
            earlier(pupil_id, lesson, objective, found) if with_earlier else (),
            taught if (taught := _taught(lesson, own, pathways)) is not pathway else None,
        )
        for lesson, objective, pathway in pupil_plan(pupil, lessons, pathways, plans)
    ]


def pupil_plan(
    pupil: maps.OnAPathway,
    lessons: Sequence[content.Lesson],
    pathways: dict[str, Pathway],
    plans: Plans | None = None,
) -> Plan:
    """Each lesson with the objective and pathway the pupil is assessed on (see `pupil_row`)."""
    own = _CONTENT_PATHWAY[pupil.pathway]
    key = (own, tuple(pathways.items()))
    plan = None if plans is None else plans.get(key)
    if plan is None:
        plan = _plan(lessons, own, pathways)
        if plans is not None:
            plans[key] = plan
    return plan


def _plan(
    lessons: Sequence[content.Lesson], own: content.Pathway, pathways: dict[str, Pathway]
) -> Plan:
    """Each lesson's version on the pathway it is taught on, labelled with that version's own
    pathway: a teacher's lesson with no version for it is taught from the nearest one, and
    its objective is that pathway's, not the one asked for."""
    plan = []
    for lesson in lessons:
        version = lesson.version(_taught(lesson, own, pathways))
        plan.append((lesson, version.objective, version.pathway))
    return plan


def _taught(
    lesson: content.Lesson, own: content.Pathway, pathways: dict[str, Pathway]
) -> content.Pathway:
    """The pathway a pupil is taught a lesson on: their map's for it, else their own."""
    chosen = pathways.get(lesson.id)
    return own if chosen is None else _CONTENT_PATHWAY[chosen]


class ClassPlans(NamedTuple):
    """A class's heatmap before it is drawn: its lessons, each pupil's plan, and the states."""

    lessons: list[content.Lesson]
    rows: list[tuple[ClassPupil, Plan]]
    found: dict[tuple[int, str], State]
    # Per pupil, the lessons on their map (hidden ones too), as their progress page lists them:
    # a lesson off it (lesson 15 where a teacher has not put it) was never planned for them.
    on_map: dict[int, frozenset[str]]
    # Per pupil, the lessons on their map that a teacher hid for them: not planned now (their
    # progress page and report say "hidden from the map").
    hidden: dict[int, frozenset[str]]


# Hiding a lesson gives the pupil a map of their own first (`maps.set_hidden`), so only their
# own entries are hidden.
_HIDDEN = select(MapEntry.pupil_id, MapEntry.lesson_id).where(
    MapEntry.pupil_id.in_(bindparam("ids", expanding=True)), MapEntry.hidden.is_(True)
)


def hidden_lessons(session: Session, pupil_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """Per pupil, the lessons a teacher hid on their map, in one query however many pupils."""
    found: dict[int, set[str]] = {pupil_id: set() for pupil_id in pupil_ids}
    for pupil_id, lesson_id in plain_rows(session, _HIDDEN, {"ids": list(pupil_ids)}):
        found.setdefault(pupil_id or 0, set()).add(lesson_id)
    return {pupil_id: frozenset(lessons) for pupil_id, lessons in found.items()}


def on_maps(
    catalogue: content.Catalogue, pathways: dict[int, dict[str, Pathway]]
) -> dict[int, frozenset[str]]:
    """Per pupil (`maps.pathways_for`), the lessons on their map, hidden ones too: a lesson off
    it (lesson 15 where a teacher has not put it) was never planned for them. A pupil with no
    map entries follows the default map, which is never saved."""
    default = frozenset(lesson.id for lesson in catalogue.files().available())
    return {pupil_id: frozenset(lessons) or default for pupil_id, lessons in pathways.items()}


def class_plans(
    session: Session,
    catalogue: content.Catalogue,
    pupils: Sequence[ClassPupil],
    strand: str | None,
    pathway: str | None,
    weeks: int,
    today: date,
) -> ClassPlans:
    """Pupils x objectives for a class, filtered by strand and pathway."""
    lessons = [
        lesson
        for lesson in catalogue
        if not strand or strand in {s.value for s in lesson.strands}
    ]
    chosen = [p for p in pupils if not pathway or p.pathway.value == pathway]
    found = states(observations_for(session, [p.id for p in chosen]), today, weeks)
    pathways = maps.pathways_for(session, chosen)
    plans: Plans = {}
    rows = [(p, pupil_plan(p, lessons, pathways[p.id], plans)) for p in chosen]
    on_map = on_maps(catalogue, pathways)
    hidden = hidden_lessons(session, [p.id for p in chosen])
    return ClassPlans(lessons, rows, found, on_map, hidden)


def history(session: Session, pupil: Pupil, objective_id: str) -> list[Observation]:
    """Every observation of one objective, oldest first, superseded and withdrawn included,
    each with every withdrawal it had and whether it was put back."""
    rows = session.scalars(
        select(Observation)
        .where(Observation.pupil_id == pupil.id, Observation.objective_id == objective_id)
        .order_by(Observation.observed_on, Observation.id)
        .options(selectinload(Observation.withdrawals))
    )
    return list(rows)


_OF_LESSON = _OBSERVATIONS.where(Observation.lesson_id == bindparam("lesson_id"))


def session_levels(
    session: Session, objectives: dict[int, str], lesson_id: str, day: date
) -> dict[int, list[int]]:
    """The levels in force for each pupil (pupil id: their objective's id) on one lesson's
    objective, seen on one day, in the order recorded: who has been recorded in that session.
    Corrections and withdrawals are followed over the lesson's whole history (a correction
    may have moved an observation to another day)."""
    if not objectives:
        return {}
    rows = plain_rows(session, _OF_LESSON, {"ids": list(objectives), "lesson_id": lesson_id})
    levels: dict[int, list[int]] = {}
    for row in sorted(in_force(rows.all()), key=lambda o: o.id):
        if row.observed_on == day and objectives[row.pupil_id] == row.objective_id:
            levels.setdefault(row.pupil_id, []).append(row.level)
    return levels


def timeline(rows: list[Observation]) -> list[Observation]:
    """The observations in force (neither corrected nor withdrawn), oldest first."""
    live = {o.id for o in in_force(rows)}
    return [o for o in rows if o.id in live]


def moment_states(session: Session, observation_ids: list[int]) -> dict[int, MomentState]:
    """What carers are told became of observations that went home as learning moments: per
    observation since withdrawn, or corrected (followed to the latest correction), its state.
    A correction later withdrawn leaves nothing standing: taken back. What a correction says
    now is shown only where it may itself be a learning moment (`services.positive`)."""
    newer: dict[int, Observation] = {}  # each corrected observation's correction
    frontier = list(observation_ids)
    while frontier:
        found = session.scalars(select(Observation).where(Observation.supersedes_id.in_(frontier)))
        rows = list(found)
        newer |= {row.supersedes_id: row for row in rows if row.supersedes_id is not None}
        frontier = [row.id for row in rows]
    shared = session.scalars(select(Observation).where(Observation.id.in_(observation_ids)))
    states: dict[int, MomentState] = {}
    for start in shared:
        latest = start
        while latest.id in newer:
            latest = newer[latest.id]
        if latest.withdrawal is not None:
            states[start.id] = MomentState(True, latest.withdrawal.withdrawn_at)
        elif latest is not start:
            words = latest.level_words if positive(latest) else None
            states[start.id] = MomentState(False, latest.recorded_at, words)
    return states
