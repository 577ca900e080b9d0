"""Lesson maps: each class has a default; a teacher personalises any pupil's map."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, exists, literal_column, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import CompoundSelect

from classroom import policy
from classroom.audit.models import AuditTier
from classroom.audit.services import record
from classroom.db import plain_rows, to_change
from classroom.errors import Forbidden, Invalid
from classroom.lessons import authoring
from classroom.lessons.authored_models import AuthoredLesson
from classroom.lessons.content import Catalogue, Lesson
from classroom.lessons.models import LessonAttempt, MapEntry, PupilTarget
from classroom.principals import Actor, require_account_id
from classroom.pupils.models import Pathway, Pupil, SchoolClass
from classroom.pupils.services import require_at_school


def catalogue(session: Session, files: Catalogue, school_id: int | None = None) -> Catalogue:
    """The lesson files checked at start-up, then the school's shared teacher lessons.

    With no school (CLI commands, tests calling services) every school's shared lessons are
    included. A page asks `lessons.web.request_catalogue()`, worked out once per request.
    """
    return authoring.merged(files, authoring.shared_lessons(session, school_id))


# Which shared (or withdrawn) teacher lessons a school has, at which revision and status: a few
# small columns, read on every request instead of every lesson document.
_SHARED_STAMPS = (
    select(
        AuthoredLesson.id,
        AuthoredLesson.revision,
        AuthoredLesson.updated_at,
        AuthoredLesson.status,
    )
    .where(
        AuthoredLesson.status.in_(authoring.IN_CATALOGUE),
        AuthoredLesson.school_id == bindparam("school_id"),
    )
    .order_by(AuthoredLesson.id)
)
Stamps = tuple[tuple[int, int, datetime, str], ...]


def school_catalogue(
    session: Session, files: Catalogue, school_id: int, built: dict[int, tuple[Stamps, Catalogue]]
) -> Catalogue:
    """The school's catalogue, built once per worker (kept in `built`) until its shared
    lessons change.

    Lesson files never change while the server runs. Teacher lessons change in the database,
    maybe through another worker, so each request compares the stamps (id, revision, time
    saved, status) of the school's shared lessons with those the cached catalogue was built
    from: a lesson shared, edited or withdrawn anywhere shows so on the next page in every
    worker.
    """
    stamps: Stamps = tuple(
        (row.id, row.revision, row.updated_at, str(row.status))
        for row in plain_rows(session, _SHARED_STAMPS, {"school_id": school_id})
    )
    cached = built.get(school_id)
    if cached is not None and cached[0] == stamps:
        return cached[1]
    shared = authoring.shared_lessons(session, school_id) if stamps else []
    lessons = authoring.merged(files, shared)
    built[school_id] = (stamps, lessons)
    return lessons


@dataclass(frozen=True)
class Planned:
    """One lesson on a pupil's map, as that pupil will get it."""

    lesson: Lesson
    pathway: Pathway
    hidden: bool
    target: bool
    personal_pathway: bool  # a teacher chose this pathway for this lesson


def default_entries(school_class: SchoolClass, lessons: Catalogue) -> list[MapEntry]:
    """Every lesson file except teacher-enabled ones, in number order, on each pupil's own pathway.

    Teacher-written lessons join a map only when a teacher adds them, so a class's starting
    map is the same whenever it is first made. The rows are not saved: see `ensure_class_map`.
    """
    return [
        MapEntry(class_id=school_class.id, lesson_id=lesson.id, position=n)
        for n, lesson in enumerate(lessons.files().available())
    ]


def ensure_class_map(
    session: Session, school_class: SchoolClass, lessons: Catalogue
) -> list[MapEntry]:
    """The class's saved map, saving the default first if it has none (a class is created, or
    its map first edited). Reading a map never saves one: a GET writes nothing."""
    entries = _saved_class_entries(session, school_class)
    if entries:
        return entries
    entries = default_entries(school_class, lessons)
    session.add_all(entries)
    session.flush()
    return entries


def _saved_class_entries(session: Session, school_class: SchoolClass) -> list[MapEntry]:
    query = select(MapEntry).where(MapEntry.class_id == school_class.id).order_by(MapEntry.position)
    return list(session.scalars(query))


def class_entries(
    session: Session, school_class: SchoolClass, lessons: Catalogue
) -> list[MapEntry]:
    """The class's map as saved, or the default it starts from (unsaved) if it has none."""
    return _saved_class_entries(session, school_class) or default_entries(school_class, lessons)


def _pupil_entries(session: Session, pupil: Pupil) -> list[MapEntry]:
    query = select(MapEntry).where(MapEntry.pupil_id == pupil.id).order_by(MapEntry.position)
    return list(session.scalars(query))


def own_maps(session: Session, school_class: SchoolClass) -> list[Pupil]:
    """The class's pupils at the school with a map of their own, by name: a change to the class
    map does not reach them, so the class map names them."""
    has_own = select(MapEntry.id).where(MapEntry.pupil_id == Pupil.id).exists()
    query = (
        select(Pupil)
        .where(Pupil.class_id == school_class.id, Pupil.active, has_own)
        .order_by(Pupil.first_name, Pupil.last_name)
    )
    return list(session.scalars(query))


def has_own_map(session: Session, pupil: Pupil) -> bool:
    """Whether a teacher has given the pupil a map of their own (else they follow the class's)."""
    query = select(MapEntry.id).where(MapEntry.pupil_id == pupil.id).limit(1)
    return session.scalar(query) is not None


_CLASS_NAME = select(SchoolClass.name).where(SchoolClass.id == bindparam("class_id"))


def followed_class(session: Session, pupil: Pupil) -> str:
    """The name of the class whose map the pupil follows (their own class), read alone."""
    return str(plain_rows(session, _CLASS_NAME, {"class_id": pupil.class_id}).scalar_one())


@dataclass(frozen=True)
class NotYet:
    """A teacher-enabled lesson on a pupil's map that is not for their age yet. It reaches them
    on the day they are old enough with nobody acting, so their teacher's map says so first,
    and a teacher can keep it off (hide it) for that pupil."""

    lesson: Lesson
    on: date  # the day the pupil is old enough
    age: int  # how old they are that day
    kept_off: bool  # hidden on their map (or not on their own map): it will not reach them


@dataclass(frozen=True)
class PupilMap:
    """A pupil's map as their teacher sees it: every lesson, hidden ones too."""

    planned: list[Planned]
    personalised: bool  # a teacher gave the pupil a map of their own (else the class's)
    not_yet: list[NotYet]  # teacher-enabled lessons on it that reach the pupil when older


@dataclass(frozen=True)
class _MapRow:
    """One saved map entry as a pupil's pages need it, with what the pupil has done in it."""

    lesson_id: str
    pathway: Pathway | None
    hidden: bool
    own: bool  # on the pupil's personalised map (otherwise on their class's)
    target: bool
    finished: bool


_PUPIL: BindParameter[int] = bindparam("pupil_id")
# The pupil's own map and their class's, their target and the lessons they have finished, in
# one statement built once: pupil home and every lesson step read it.
_MAP_ROWS = (
    select(
        MapEntry.lesson_id,
        MapEntry.pathway,
        MapEntry.hidden,
        MapEntry.pupil_id.is_not(None),
        MapEntry.lesson_id
        == select(PupilTarget.lesson_id).where(PupilTarget.pupil_id == _PUPIL).scalar_subquery(),
        exists().where(
            LessonAttempt.pupil_id == _PUPIL,
            LessonAttempt.lesson_id == MapEntry.lesson_id,
            LessonAttempt.finished_at.is_not(None),
        ),
    )
    .where(or_(MapEntry.pupil_id == _PUPIL, MapEntry.class_id == bindparam("class_id")))
    .order_by(MapEntry.position)
)


def _map_rows(session: Session, pupil: Pupil, lessons: Catalogue) -> list[_MapRow]:
    """The pupil's map in order: their own if a teacher personalised it, else their class's."""
    found = [
        _MapRow(lesson_id, pathway, bool(hidden), bool(own), bool(target), bool(finished))
        for lesson_id, pathway, hidden, own, target, finished in plain_rows(
            session, _MAP_ROWS, {"pupil_id": pupil.id, "class_id": pupil.class_id}
        )
    ]
    if not found:
        return _default_rows(session, pupil, lessons)
    own = [row for row in found if row.own]
    return own or found


# For a class still on the default map: the pupil's target and the lessons they have finished.
_TARGET_AND_FINISHED: CompoundSelect[str, str] = union_all(
    select(literal_column("'target'"), PupilTarget.lesson_id).where(PupilTarget.pupil_id == _PUPIL),
    select(literal_column("'finished'"), LessonAttempt.lesson_id).where(
        LessonAttempt.pupil_id == _PUPIL, LessonAttempt.finished_at.is_not(None)
    ),
)


def _default_rows(session: Session, pupil: Pupil, lessons: Catalogue) -> list[_MapRow]:
    """A class whose map was never saved follows the default (see `default_entries`)."""
    done = [
        (kind, lesson_id)
        for kind, lesson_id in plain_rows(session, _TARGET_AND_FINISHED, {"pupil_id": pupil.id})
    ]
    targets = {lesson_id for kind, lesson_id in done if kind == "target"}
    finished = {lesson_id for kind, lesson_id in done if kind == "finished"}
    return [
        _MapRow(lesson.id, None, False, False, lesson.id in targets, lesson.id in finished)
        for lesson in lessons.files().available()
    ]


def _reaches(lesson_id: str, lessons: Catalogue, age: int) -> bool:
    """Whether a lesson on a map reaches the pupil at all: it is still in the catalogue, not
    withdrawn, and for their age. The teacher's map lists only these (hidden ones too)."""
    return lessons.addable(lesson_id) and lessons.get(lesson_id).for_age(age)


def _planned(
    rows: list[_MapRow], pupil: Pupil, lessons: Catalogue, include_hidden: bool, today: date
) -> list[Planned]:
    """The rows as lessons, leaving out lessons no longer in the catalogue and those for other
    ages (lesson 15 is for 14 to 19, however a class map or a follow-up put it there)."""
    age = pupil.age_on(today)
    planned = [
        Planned(
            lessons.get(row.lesson_id),
            row.pathway or pupil.pathway,  # read as a Pathway already
            row.hidden,
            row.target,
            row.pathway is not None,
        )
        for row in rows
        if (include_hidden or not row.hidden) and _reaches(row.lesson_id, lessons, age)
    ]
    return sorted(planned, key=lambda p: not p.target)


def birthday(pupil: Pupil, age: int) -> date:
    """The day the pupil is `age` (one born on 29 February is a year older on 1 March in other
    years, as `Pupil.age_on` counts)."""
    born = pupil.date_of_birth
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


def _not_yet_for(lesson: Lesson, pupil: Pupil, today: date, kept_off: bool) -> NotYet | None:
    """The lesson as one that reaches the pupil when older; None if it is for them already, or
    is not teacher-enabled (or they are past its ages: it never reaches them)."""
    if not lesson.teacher_enabled_only or lesson.ages is None or lesson.withdrawn:
        return None
    first = lesson.ages[0]
    if pupil.age_on(today) >= first:
        return None
    return NotYet(lesson, birthday(pupil, first), first, kept_off)


def _not_yet(rows: list[_MapRow], pupil: Pupil, lessons: Catalogue, today: date) -> list[NotYet]:
    found = (
        _not_yet_for(lessons.get(row.lesson_id), pupil, today, row.hidden)
        for row in rows
        if lessons.addable(row.lesson_id)
    )
    return [note for note in found if note is not None]


def teachers_map(session: Session, pupil: Pupil, lessons: Catalogue, *, today: date) -> PupilMap:
    """The pupil's map with hidden lessons, whether it is their own, and the teacher-enabled
    lessons on it that reach them when they are older, from one read."""
    rows = _map_rows(session, pupil, lessons)
    personalised = any(row.own for row in rows)
    return PupilMap(
        _planned(rows, pupil, lessons, True, today),
        personalised,
        _not_yet(rows, pupil, lessons, today),
    )


@dataclass(frozen=True)
class PupilNotYet:
    """One pupil of a class too young for a teacher-enabled lesson on the class map."""

    name: str
    on: date  # the day they are old enough
    kept_off: bool  # hidden on their own map, or not on it: it will not reach them


_OWN_ENTRIES = select(MapEntry.pupil_id, MapEntry.lesson_id, MapEntry.hidden).where(
    MapEntry.pupil_id.in_(bindparam("ids", expanding=True))
)


def class_not_yet(
    session: Session, school_class: SchoolClass, lessons: Catalogue, *, today: date
) -> dict[str, list[PupilNotYet]]:
    """For each teacher-enabled lesson on the class map, the class's pupils too young for it
    today: the day it reaches each, or that a teacher kept it off their own map."""
    on_map = [
        lessons.get(e.lesson_id)
        for e in class_entries(session, school_class, lessons)
        if lessons.addable(e.lesson_id)
    ]
    limited = [lesson for lesson in on_map if lesson.teacher_enabled_only and lesson.ages]
    if not limited:
        return {}
    pupils = [p for p in school_class.pupils if p.active]
    own: dict[int, dict[str, bool]] = {}
    for pupil_id, lesson_id, hidden in plain_rows(
        session, _OWN_ENTRIES, {"ids": [p.id for p in pupils]}
    ):
        own.setdefault(pupil_id or 0, {})[lesson_id] = bool(hidden)
    found: dict[str, list[PupilNotYet]] = {}
    for lesson in limited:
        for pupil in pupils:
            entries = own.get(pupil.id)
            kept_off = entries is not None and entries.get(lesson.id, True)
            note = _not_yet_for(lesson, pupil, today, kept_off)
            if note is not None:
                found.setdefault(lesson.id, []).append(
                    PupilNotYet(pupil.full_name, note.on, note.kept_off)
                )
    return found


def pupil_map(
    session: Session,
    pupil: Pupil,
    lessons: Catalogue,
    include_hidden: bool = False,
    *,
    today: date,
) -> list[Planned]:
    """The pupil's lessons in order, target first; lessons no longer in the catalogue, and
    those for other ages on `today`, drop out.

    `lessons`: the pupil's school's catalogue (`catalogue`, or a page's `request_catalogue`).
    """
    return _planned(_map_rows(session, pupil, lessons), pupil, lessons, include_hidden, today)


def planned_pathway(session: Session, pupil: Pupil, lesson_id: str, lessons: Catalogue) -> Pathway:
    """The pathway the pupil is taught a lesson on: their map's, else their own (whatever
    their age, for recording what they did)."""
    row = next((r for r in _map_rows(session, pupil, lessons) if r.lesson_id == lesson_id), None)
    return Pathway(row.pathway if row and row.pathway else pupil.pathway)


def planned_lesson(
    session: Session, pupil: Pupil, lesson_id: str, lessons: Catalogue, *, today: date
) -> Planned | None:
    """The lesson if it is on the pupil's (visible) map; a pupil can open nothing else."""
    shown = pupil_map(session, pupil, lessons, today=today)
    return next((p for p in shown if p.lesson.id == lesson_id), None)


# --- Lessons withdrawn by their teacher -----------------------------------------------------

# A withdrawn lesson leaves every map at once (`authoring.withdraw`). The lesson maps say so
# for about a term, so no teacher wonders where it went: long enough for each teacher of a class
# to open a map, with nothing written when they read it, and then it is no longer news.
WITHDRAWN_NOTICE_DAYS = 91


@dataclass(frozen=True)
class WithdrawnNote:
    """A lesson of the school's that its teacher withdrew: when, and by whom."""

    title: str
    by: str  # who withdrew it ("" if the log no longer says)
    on: date  # the school's day


def recently_withdrawn(
    session: Session, lessons: Catalogue, *, today: date, zone: ZoneInfo
) -> list[WithdrawnNote]:
    """The school's lessons withdrawn in the last `WITHDRAWN_NOTICE_DAYS`, newest first. Every
    map says them (a lesson shared with the school may have been on any): withdrawals are
    rare, and one line each. No query while nothing is withdrawn."""
    since = today - timedelta(days=WITHDRAWN_NOTICE_DAYS)
    notes = []
    for lesson in lessons:
        if not lesson.withdrawn:
            continue
        when = authoring.withdrawal_of(session, lesson.id)
        day = when.at.astimezone(zone).date() if when is not None else None
        if when is not None and day is not None and day >= since:
            notes.append(WithdrawnNote(lesson.title.text, when.by, day))
    return sorted(notes, key=lambda note: note.on, reverse=True)


# --- Changing a pupil's map -----------------------------------------------------------------


class TeacherOnly(Forbidden):
    """Someone who may not (a teaching assistant) tried to put a teacher-enabled lesson in
    front of a pupil. A refusal (403) whose message is said to them, not hidden as a 404."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _refuse_teacher_only(actor: Actor, lesson_id: str, lessons: Catalogue) -> None:
    """Only a teacher turns on a teacher-enabled lesson (`policy.may_enable_teacher_only_lessons`).

    Taking one off or hiding it is never refused: that is the safe direction.
    """
    if lesson_id not in lessons or policy.may_enable_teacher_only_lessons(actor):
        return
    lesson = lessons.get(lesson_id)
    if lesson.teacher_enabled_only:
        raise TeacherOnly(
            f'Only a teacher can turn on "{lesson.title.text}": a teacher decides who '
            "is taught it, once the pupil's plan and home context have been checked. "
            "Ask the class teacher."
        )


LESSON_MAP = "lesson map"  # in the sentence saying why a leaver's cannot be changed


def _require_pupil(session: Session, actor: Actor, pupil: Pupil) -> None:
    if not policy.can_edit_pupil_settings(session, actor, pupil):
        raise Forbidden("not allowed to change this pupil's lessons")
    # A leaver's map is the record of what they were taught, kept as their settings are.
    require_at_school(pupil, LESSON_MAP, "it")


def _personalise(session: Session, pupil: Pupil, lessons: Catalogue) -> list[MapEntry]:
    """Copy the class map the first time a teacher changes this pupil's map.

    The pupil's row is locked first, and their own map read after the lock: two teachers making
    the first change at once on PostgreSQL would otherwise both copy the class map, putting
    every lesson on it twice (nothing in the database stops that)."""
    session.execute(to_change(select(Pupil).where(Pupil.id == pupil.id), Pupil))
    entries = _pupil_entries(session, pupil)
    if entries:
        return entries
    copies = [
        MapEntry(
            pupil_id=pupil.id,
            lesson_id=e.lesson_id,
            position=e.position,
            pathway=e.pathway,
            hidden=e.hidden,
        )
        for e in class_entries(session, pupil.school_class, lessons)
    ]
    session.add_all(copies)
    session.flush()
    return copies


def _entry(session: Session, pupil: Pupil, lesson_id: str, lessons: Catalogue) -> MapEntry:
    entries = _personalise(session, pupil, lessons)
    entry = next((e for e in entries if e.lesson_id == lesson_id), None)
    if entry is None:
        raise Invalid("That lesson is not on this pupil's map.", "lesson_id")
    return entry


def set_pathway(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    lesson_id: str,
    pathway: Pathway | None,
    lessons: Catalogue,
) -> None:
    """Teach one lesson on a different pathway for this pupil (None: their own pathway)."""
    _require_pupil(session, actor, pupil)
    _entry(session, pupil, lesson_id, lessons).pathway = pathway
    record(
        session,
        actor,
        "lesson_map.pathway_changed",
        pupil,
        f"{lesson_id}: {pathway.value if pathway else 'own pathway'}",
    )


def set_hidden(
    session: Session, actor: Actor, pupil: Pupil, lesson_id: str, hidden: bool, lessons: Catalogue
) -> None:
    _require_pupil(session, actor, pupil)
    if not hidden:  # showing a hidden lesson gives it to the pupil again
        _refuse_teacher_only(actor, lesson_id, lessons)
    _entry(session, pupil, lesson_id, lessons).hidden = hidden
    record(session, actor, "lesson_map.hidden" if hidden else "lesson_map.shown", pupil, lesson_id)
    target = session.get(PupilTarget, pupil.id)
    if hidden and target is not None and target.lesson_id == lesson_id:
        # A hidden target would lead the teacher's map while the pupil's iPad showed another.
        session.delete(target)
        record(session, actor, "lesson_map.target_cleared", pupil, f"{lesson_id} hidden")


def move(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    lesson_id: str,
    step: int,
    lessons: Catalogue,
    *,
    today: date,
) -> None:
    """Move a lesson one place earlier (-1) or later (+1) on the pupil's map, among the
    lessons after the target (which is shown first wherever it is, until it is cleared).

    It moves past the next lesson the teacher's map shows for this pupil on `today`: one for
    other ages, or no longer in the catalogue, is stepped over where it is, since swapping
    with it would change nothing anyone sees and still say "Saved"."""
    _require_pupil(session, actor, pupil)
    target = session.get(PupilTarget, pupil.id)
    if target is not None and target.lesson_id == lesson_id:
        raise Invalid("The target is always first. Clear the target to move this lesson.")
    age = pupil.age_on(today)
    entries = [
        e
        for e in _personalise(session, pupil, lessons)
        if (target is None or e.lesson_id != target.lesson_id)
        and _reaches(e.lesson_id, lessons, age)
    ]
    index = next((i for i, e in enumerate(entries) if e.lesson_id == lesson_id), None)
    if index is None or step not in (-1, 1):
        raise Invalid("That lesson is not on this pupil's map.", "lesson_id")
    other = index + step
    if not 0 <= other < len(entries):
        # Nothing moves, so nothing is written (the request's rollback undoes the personalising).
        raise Invalid(f"That lesson is already {'first' if step < 0 else 'last'} on the map.")
    entries[index].position, entries[other].position = (
        entries[other].position,
        entries[index].position,
    )
    record(session, actor, "lesson_map.moved", pupil, f"{lesson_id} {'up' if step < 0 else 'down'}")


def add(
    session: Session, actor: Actor, pupil: Pupil, lesson_id: str, lessons: Catalogue, *, today: date
) -> None:
    """Add a lesson to the end of the pupil's map (a teacher-enabled one only by a teacher)."""
    _require_pupil(session, actor, pupil)
    _append(session, actor, pupil, lesson_id, lessons, today)


def follow_up_worry(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    lesson_id: str,
    lessons: Catalogue,
    *,
    now: datetime,
) -> None:
    """After a worry, put the lesson that fits it on the pupil's map as their next target.

    The caller (the safeguarding team's incident page) has checked the actor may act on the
    incident; the pupil is linked to it. Teachers see the change on the pupil's map.
    """
    today = now.date()
    refuse_if_not_for_age(pupil, lessons.get(lesson_id), today)
    if not any(p.lesson.id == lesson_id for p in pupil_map(session, pupil, lessons, today=today)):
        _append(session, actor, pupil, lesson_id, lessons, today, AuditTier.SAFEGUARDING)
        session.flush()
    target = session.get(PupilTarget, pupil.id)
    if target is None:
        target = PupilTarget(pupil_id=pupil.id, lesson_id=lesson_id)
        session.add(target)
    target.lesson_id, target.set_by_id, target.set_at = lesson_id, _actor_id(actor), now
    # Which lesson followed a worry tells a reader what the worry was about: safeguarding tier.
    record(
        session,
        actor,
        "lesson_map.target_set",
        pupil,
        f"{lesson_id} after a worry",
        tier=AuditTier.SAFEGUARDING,
    )


def _append(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    lesson_id: str,
    lessons: Catalogue,
    today: date,
    tier: AuditTier = AuditTier.RECORD,
) -> None:
    if lesson_id not in lessons:
        raise Invalid("There is no such lesson.", "lesson_id")
    refuse_if_withdrawn(lesson_id, lessons)
    _refuse_teacher_only(actor, lesson_id, lessons)
    refuse_if_not_for_age(pupil, lessons.get(lesson_id), today)
    entries = _personalise(session, pupil, lessons)
    if any(e.lesson_id == lesson_id for e in entries):
        raise Invalid("That lesson is already on the map.", "lesson_id")
    position = max((e.position for e in entries), default=-1) + 1
    session.add(MapEntry(pupil_id=pupil.id, lesson_id=lesson_id, position=position))
    record(session, actor, "lesson_map.added", pupil, lesson_id, tier=tier)


def refuse_if_withdrawn(lesson_id: str, lessons: Catalogue) -> None:
    """A withdrawn lesson is put on no map and made nobody's target again."""
    if lesson_id in lessons and lessons.get(lesson_id).withdrawn:
        raise Invalid(
            f"\u201c{lessons.get(lesson_id).title.text}\u201d has been withdrawn by its "
            "teacher, so it cannot be added to a map.",
            "lesson_id",
        )


def refuse_if_not_for_age(pupil: Pupil, lesson: Lesson, today: date) -> None:
    age = pupil.age_on(today)
    if not lesson.for_age(age):
        raise Invalid(
            f"\u201c{lesson.title.text}\u201d is for pupils {lesson.ages_label}; "
            f"{pupil.first_name} is {age}.",
            "lesson_id",
        )


def set_target(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    lesson_id: str | None,
    lessons: Catalogue,
    *,
    now: datetime,
) -> None:
    """Make a lesson the pupil's current target (shown first), or clear the target."""
    _require_pupil(session, actor, pupil)
    current = session.get(PupilTarget, pupil.id)
    if lesson_id is None:
        if current is not None:
            session.delete(current)
        record(session, actor, "lesson_map.target_cleared", pupil)
        return
    if planned_lesson(session, pupil, lesson_id, lessons, today=now.date()) is None:
        raise Invalid("Choose a lesson that is on the pupil's map and not hidden.", "lesson_id")
    if current is None:
        current = PupilTarget(pupil_id=pupil.id, lesson_id=lesson_id)
        session.add(current)
    current.lesson_id, current.set_by_id, current.set_at = lesson_id, _actor_id(actor), now
    record(session, actor, "lesson_map.target_set", pupil, lesson_id)


def teacher_only_gained(
    session: Session, pupil: Pupil, lessons: Catalogue, *, today: date
) -> list[Lesson]:
    """Teacher-enabled lessons the pupil would get by following the class map again: on the
    class map (a teacher turned them on for the class) but not shown on the pupil's own map
    (a teacher left them off, or hid them, for this pupil), for the pupil's age now or when
    older (one kept off until a birthday would reach them on it again)."""
    own = _pupil_entries(session, pupil)
    if not own:
        return []  # already following the class map: nothing changes
    shown = {e.lesson_id for e in own if not e.hidden}
    age = pupil.age_on(today)
    gained = (
        lessons.get(e.lesson_id)
        for e in class_entries(session, pupil.school_class, lessons)
        if not e.hidden and e.lesson_id not in shown and e.lesson_id in lessons
    )
    return [
        lesson
        for lesson in gained
        if lesson.teacher_enabled_only
        and (lesson.for_age(age) or (lesson.ages is not None and age < lesson.ages[0]))
    ]


def reset(
    session: Session, actor: Actor, pupil: Pupil, lessons: Catalogue, *, today: date
) -> None:
    """Go back to following the class map (which may give the pupil a teacher-enabled lesson:
    refused, then, to anyone who may not turn one on)."""
    _require_pupil(session, actor, pupil)
    gained = teacher_only_gained(session, pupil, lessons, today=today)
    if gained and not policy.may_enable_teacher_only_lessons(actor):
        titles = ", ".join(f'"{lesson.title.text}"' for lesson in gained)
        raise TeacherOnly(
            f"Following the class map again would give {pupil.first_name} {titles}, which only "
            "a teacher turns on. Ask the class teacher."
        )
    session.execute(delete(MapEntry).where(MapEntry.pupil_id == pupil.id))
    record(session, actor, "lesson_map.reset", pupil)


def _actor_id(actor: Actor) -> int:
    return require_account_id(actor)


# --- Changing a class's map ---------------------------------------------------------------------


def set_class_lesson(
    session: Session,
    actor: Actor,
    school_class: SchoolClass,
    lesson_id: str,
    on: bool,
    lessons: Catalogue,
) -> None:
    """Put a lesson on (or take it off) the class map; topic 15 comes on only this way, and
    only by a teacher (anyone who may change the map may take it off)."""
    if not policy.can_edit_class_map(session, actor, school_class):
        raise Forbidden("not allowed to change this class's lessons")
    if lesson_id not in lessons:
        raise Invalid("There is no such lesson.", "lesson_id")
    if on:
        refuse_if_withdrawn(lesson_id, lessons)
        _refuse_teacher_only(actor, lesson_id, lessons)
    entries = ensure_class_map(session, school_class, lessons)
    found = next((e for e in entries if e.lesson_id == lesson_id), None)
    if on and found is None:
        position = _class_place(entries, lesson_id, lessons)
        session.add(MapEntry(class_id=school_class.id, lesson_id=lesson_id, position=position))
    elif not on and found is not None:
        session.delete(found)
    record(
        session,
        actor,
        "class_map.lesson_on" if on else "class_map.lesson_off",
        school_class,
        lesson_id,
    )


def _class_place(entries: list[MapEntry], lesson_id: str, lessons: Catalogue) -> int:
    """Where a lesson turned on goes on the class map: in number order, where the class map
    page lists it, before the first lesson on the map that comes after it (the ones after it
    move down one). "Take off" by mistake then "Turn on" put it back where it was; at the end
    instead, every pupil following the class map got it last."""
    rank = {lesson.id: n for n, lesson in enumerate(lessons.lessons)}
    mine = rank[lesson_id]
    later = [e for e in entries if rank.get(e.lesson_id, -1) > mine]
    if not later:
        return max((e.position for e in entries), default=-1) + 1
    place = min(e.position for e in later)
    for entry in entries:
        if entry.position >= place:
            entry.position += 1
    return place


def next_first(session: Session, pupil: Pupil, lessons: Catalogue, *, today: date) -> list[Planned]:
    """My lessons: the target, then lessons not finished yet, then the rest, in map order."""
    rows = _map_rows(session, pupil, lessons)
    finished = {row.lesson_id for row in rows if row.finished}
    planned = _planned(rows, pupil, lessons, False, today)
    return sorted(planned, key=lambda p: (not p.target, p.lesson.id in finished))


class OnAPathway(Protocol):
    """What a pupil's pathways are worked out from: a `Pupil`, or the same three plain columns."""

    @property
    def id(self) -> int: ...
    @property
    def pathway(self) -> Pathway: ...
    @property
    def class_id(self) -> int: ...


def pathways_for(session: Session, pupils: Sequence[OnAPathway]) -> dict[int, dict[str, Pathway]]:
    """Each pupil's pathway per lesson, in a fixed number of queries however many pupils."""
    ids = [p.id for p in pupils]
    # Plain columns: a class's map rows are pupils x lessons, and only these three are read.
    own: dict[int, list[tuple[str, Pathway | None]]] = {}
    for pupil_id, lesson_id, pathway in plain_rows(session, _OWN_PATHWAYS, {"ids": ids}):
        own.setdefault(pupil_id or 0, []).append((lesson_id, pathway))
    class_ids = list({p.class_id for p in pupils if p.id not in own})
    by_class: dict[int, list[tuple[str, Pathway | None]]] = {}
    for class_id, lesson_id, pathway in plain_rows(session, _CLASS_PATHWAYS, {"ids": class_ids}):
        by_class.setdefault(class_id or 0, []).append((lesson_id, pathway))
    result = {}
    for pupil in pupils:
        entries = own.get(pupil.id) or by_class.get(pupil.class_id, [])
        result[pupil.id] = {lesson_id: pathway or pupil.pathway for lesson_id, pathway in entries}
    return result


_OWN_PATHWAYS = select(MapEntry.pupil_id, MapEntry.lesson_id, MapEntry.pathway).where(
    MapEntry.pupil_id.in_(bindparam("ids", expanding=True))
)
_CLASS_PATHWAYS = select(MapEntry.class_id, MapEntry.lesson_id, MapEntry.pathway).where(
    MapEntry.class_id.in_(bindparam("ids", expanding=True))
)
