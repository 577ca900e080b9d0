"""Recording observations (one pupil or several at once), corrections and proposals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.assessment.models import (
    ENGAGEMENT_AREAS,
    Context,
    Level,
    Observation,
    ObservationShare,
    Support,
)
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid
from classroom.lessons import content, maps
from classroom.lessons.models import LessonAttempt, StepResponse
from classroom.principals import Actor, require_account_id
from classroom.pupils.models import Pathway, Pupil

MAX_NOTE = 2000
OLDEST = timedelta(days=730)


@dataclass
class Entry:
    """What staff record: the level and its circumstances."""

    level: int
    observed_on: date
    context: Context = Context.LESSON
    support: Support | None = None
    misconception: bool = False
    note: str = ""
    engagement: list[str] = field(default_factory=list)
    from_proposal: bool = False


def pupil_objective(
    session: Session, pupil: Pupil, lesson_id: str, lessons: content.Catalogue
) -> tuple[content.Lesson, content.Version]:
    """The lesson's objective on the pathway this pupil is taught it (their map decides)."""
    if lesson_id not in lessons:
        raise Invalid("There is no such lesson.", "lesson_id")
    pathway = maps.planned_pathway(session, pupil, lesson_id, lessons)
    lesson = lessons.get(lesson_id)
    return lesson, lesson.version(content.Pathway(pathway.value))


def _check(entry: Entry, pathway: Pathway, today: date) -> None:
    if entry.level not in {level.value for level in Level}:
        raise Invalid("The level must be one of 0 to 4 on the school's scale.", "level")
    if entry.observed_on > today:
        raise Invalid("The date cannot be in the future.", "observed_on")
    if entry.observed_on < today - OLDEST:
        raise Invalid("The date is more than two years ago.", "observed_on")
    if len(entry.note) > MAX_NOTE:
        raise Invalid(f"Notes are at most {MAX_NOTE} characters.", "note")
    if any(area not in ENGAGEMENT_AREAS for area in entry.engagement):
        raise Invalid("Unknown Engagement Model area.", "engagement")
    if entry.engagement and pathway != Pathway.PRE_FORMAL:
        raise Invalid(
            "Engagement Model notes are for lessons taught on the pre-formal pathway.",
            "engagement",
        )


def observe(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    objective_id: str,
    entry: Entry,
    lessons: content.Catalogue,
    supersedes: Observation | None = None,
    *,
    now: datetime,
    today: date,
) -> Observation:
    """Record one observation against the pupil's own objective (never another pathway's).

    `today` is the date on the school's clock: an observation cannot be dated after it.
    """
    if not policy.can_record_assessment(session, actor, pupil):
        raise Forbidden("not allowed to assess this pupil")
    lesson_id = objective_id.rsplit(".", 1)[0]
    lesson, version = pupil_objective(session, pupil, lesson_id, lessons)
    if version.objective.id != objective_id:
        raise Invalid(
            f"{pupil.first_name} is taught '{lesson.title.text}' on the "
            f"{version.pathway.value.replace('_', '-')} pathway; record against that "
            "objective.",
            "objective_id",
        )
    pathway = Pathway(version.pathway.value)
    _check(entry, pathway, today)
    row = Observation(
        pupil_id=pupil.id,
        lesson_id=lesson.id,
        objective_id=objective_id,
        pathway=pathway,
        level=entry.level,
        misconception=entry.misconception,
        support=entry.support,
        context=entry.context,
        note=entry.note.strip(),
        engagement=",".join(entry.engagement),
        observed_on=entry.observed_on,
        recorded_by_id=require_account_id(actor),
        recorded_at=now,
        supersedes_id=supersedes.id if supersedes else None,
        from_proposal=entry.from_proposal,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "observation.corrected" if supersedes else "observation.recorded",
        pupil,
        f"{objective_id} level {entry.level}",
    )
    return row


def observe_class(
    session: Session,
    actor: Actor,
    pupils: list[Pupil],
    lesson_id: str,
    entry: Entry,
    lessons: content.Catalogue,
    *,
    now: datetime,
    today: date,
) -> list[Observation]:
    """One tap of a level for several pupils: each against their own pathway's objective."""
    if not pupils:
        raise Invalid("Choose at least one pupil.", "pupil_ids")
    rows = []
    for pupil in pupils:
        _lesson, version = pupil_objective(session, pupil, lesson_id, lessons)
        rows.append(
            observe(
                session, actor, pupil, version.objective.id, entry, lessons, now=now, today=today
            )
        )
    return rows


def correct(
    session: Session,
    actor: Actor,
    old: Observation,
    entry: Entry,
    lessons: content.Catalogue,
    *,
    now: datetime,
    today: date,
) -> Observation:
    """A correction is a new observation that supersedes the old one, which is kept."""
    if session.scalar(select(Observation.id).where(Observation.supersedes_id == old.id)):
        raise Invalid("That observation has already been corrected; correct the newer one.")
    pupil = session.get(Pupil, old.pupil_id)
    if pupil is None:
        raise LookupError(old.pupil_id)
    return observe(
        session,
        actor,
        pupil,
        old.objective_id,
        entry,
        lessons,
        supersedes=old,
        now=now,
        today=today,
    )


def positive(observation: Observation) -> bool:
    """Whether an observation can be a learning moment: one that carers read as progress, so
    neither "Not yet" nor a misconception (those stay in school)."""
    return observation.level > Level.NOT_YET and not observation.misconception


def shareable(session: Session, observation: Observation) -> bool:
    """A positive observation still in force (not corrected) may go home as a learning moment."""
    newer = select(Observation.id).where(Observation.supersedes_id == observation.id)
    return positive(observation) and session.scalar(newer) is None


def mark_shared(session: Session, actor: Actor, observation: Observation, *, now: datetime) -> bool:
    """Note that an observation went home as a learning moment (False if it already had)."""
    if session.get(ObservationShare, observation.id) is not None:
        return False
    shared_by = require_account_id(actor)
    session.add(
        ObservationShare(observation_id=observation.id, shared_by_id=shared_by, shared_at=now)
    )
    return True


# --- Proposals from lesson responses ----------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    level: Level
    reason: str


def propose(
    session: Session, pupil: Pupil, lesson_id: str, pathway: Pathway
) -> Proposal | None:
    """A level suggested by the pupil's answers; staff confirm or change it, never automatic.

    Only answers given at the objective's pathway count: a lesson moved from semi-formal to
    formal has a formal objective that nothing the pupil answered at semi-formal shows."""
    rows = list(
        session.scalars(
            select(StepResponse)
            .join(LessonAttempt, LessonAttempt.id == StepResponse.attempt_id)
            .where(
                StepResponse.pupil_id == pupil.id,
                StepResponse.lesson_id == lesson_id,
                LessonAttempt.pathway == pathway,
            )
        )
    )
    # A question counts once per attempt, by its first answer: Back after a right answer shows
    # the cards again, and a second "first try" there must not count as another question.
    judged: dict[tuple[int, str], bool] = {}
    for r in sorted(rows, key=lambda r: r.id):
        if r.correct is not None and r.tries == 1:
            judged.setdefault((r.attempt_id, r.step_id), r.correct)
    sessions = {r.at.date() for r in rows}
    if not rows:
        return None
    if not judged:
        return Proposal(
            Level.EMERGING,
            f"Took part in {len(sessions)} session(s); nothing to "
            "get right or wrong, so look at how they engaged.",
        )
    share = sum(judged.values()) / len(judged)
    text = f"{round(share * 100)}% right first time over {len(sessions)} session(s)"
    if share >= 0.8 and len(sessions) >= 2:
        return Proposal(Level.SECURE, text)
    if share >= 0.5:
        return Proposal(Level.DEVELOPING, text)
    return Proposal(Level.EMERGING, text)
