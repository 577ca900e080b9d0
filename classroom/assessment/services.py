"""Recording observations (one pupil or several at once), corrections and proposals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.assessment.models import (
    ENGAGEMENT_AREAS,
    Context,
    Level,
    Observation,
    ObservationReinstatement,
    ObservationShare,
    ObservationWithdrawal,
    Support,
    withdrawn,
)
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid, within
from classroom.lessons import content, maps
from classroom.lessons.models import LessonAttempt, StepResponse
from classroom.localtime import local_today
from classroom.parents.models import FeedItem, FeedKind
from classroom.principals import Actor, require_account_id
from classroom.pupils.models import Pathway, Pupil

MAX_NOTE = 2000  # the note box's limit too (assessment/_observation_form.html)
MAX_REASON = 500  # why an observation was withdrawn (assessment/objective.html)
OLDEST = timedelta(days=730)
# Each box's own problem, saying what is wrong and how to put it right (WCAG 3.3.1, 3.3.3).
LEVEL_PROBLEM = "Level: choose one from the list, from 0 (Not yet) to 4 (Generalised)."


class Problems(Invalid):
    """Problems with several boxes at once, each with its own message (box name: message), so
    a form comes back with every one marked, not only the first."""

    def __init__(self, by_field: dict[str, str]) -> None:
        field, message = next(iter(by_field.items()))
        super().__init__(message, field)
        self.by_field = by_field


def level_problem(level: int) -> str | None:
    """What is wrong with a level, if anything."""
    return None if level in {level.value for level in Level} else LEVEL_PROBLEM


def date_problem(day: date, today: date, kept: date | None = None) -> str | None:
    """What is wrong with the date observed, if anything: after today on the school's clock,
    or older than the two years observations may be dated back (no pupil has a joining date on
    record to go by). `kept`: the date of the observation a correction is of, which it may keep
    however old (correcting a level moves no date)."""
    if day > today:
        return (
            f"Date: {day:%d %B %Y} is in the future (today is {today:%d %B %Y}). "
            "Choose today or an earlier day."
        )
    if day < today - OLDEST and day != kept:
        return (
            f"Date: {day:%d %B %Y} is more than two years ago. Choose a day from "
            f"{today - OLDEST:%d %B %Y} to today."
        )
    return None


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


def engagement_model_for(
    session: Session, pupil: Pupil, lesson_id: str, lessons: content.Catalogue
) -> bool:
    """Whether Engagement Model notes go with this pupil's observations of a lesson: only where
    they work at pre-formal in it (the pathway they are taught it on). Shown a lesson's nearest
    pre-formal version (a teacher's lesson with none for their pathway), a semi-formal pupil
    still works at semi-formal: the Engagement Model is for pupils working at pre-formal."""
    return maps.planned_pathway(session, pupil, lesson_id, lessons) is Pathway.PRE_FORMAL


def for_age_on(pupil: Pupil, lesson: content.Lesson, day: date) -> bool:
    """Whether the pupil was of the lesson's ages on that day (lesson 15 is for 14 to 19)."""
    return lesson.for_age(pupil.age_on(day))


def refuse_if_not_for_age(
    pupil: Pupil, lesson: content.Lesson, observed_on: date, today: date
) -> None:
    """A pupil is never recorded as assessed on a lesson they may not be taught: one for other
    ages on the day observed is not on their map, whatever a form sends. Where they are of its
    ages today, it is the date that is wrong, and the message is on the date's box."""
    if for_age_on(pupil, lesson, observed_on):
        return
    said = (
        f"\u201c{lesson.title.text}\u201d is for pupils {lesson.ages_label}; "
        f"{pupil.first_name} was {pupil.age_on(observed_on)} on {observed_on:%d %B %Y}"
    )
    if for_age_on(pupil, lesson, today):
        raise Invalid(
            f"Date: {said}, the date given. Check the date: choose a day when "
            f"{pupil.first_name} was {lesson.ages_label}.",
            "observed_on",
        )
    raise Invalid(f"{said}, the day observed. Nothing was recorded.", "lesson_id")


def refuse_if_after_withdrawal(
    lesson: content.Lesson, observed_on: date, withdrawn_on: date | None, kept: date | None
) -> None:
    """A withdrawn lesson is taught no more: a session taught on or before the day it was
    withdrawn may still be recorded, a later day is refused, on the date's box. `withdrawn_on`
    is that day on the school's clock; `kept`, a correction's date, which it may keep."""
    if not lesson.withdrawn or withdrawn_on is None:
        return
    if observed_on <= withdrawn_on or observed_on == kept:
        return
    raise Invalid(withdrawn_date_problem(lesson, withdrawn_on, observed_on), "observed_on")


def withdrawn_date_problem(lesson: content.Lesson, withdrawn_on: date, observed_on: date) -> str:
    """Why a withdrawn lesson cannot be recorded for a day after it was withdrawn."""
    return (
        f"Date: “{lesson.title.text}” was withdrawn on {withdrawn_on:%A %d %B %Y}, "
        f"so it is taught no more. {observed_on:%A %d %B %Y} is after that: record only a "
        f"session taught on or before {withdrawn_on:%d %B %Y}, and change the date to that day."
    )


def not_taught_on(pupil: Pupil, lesson: content.Lesson, version: content.Version) -> str:
    """The refusal of an objective of another pathway than the one the lesson is taught on."""
    return (
        f"{pupil.first_name} is taught '{lesson.title.text}' on the "
        f"{version.pathway.value.replace('_', '-')} pathway; record against that objective."
    )


def _check(entry: Entry, today: date, kept: date | None = None) -> None:
    found = {
        "level": level_problem(entry.level),
        "observed_on": date_problem(entry.observed_on, today, kept),
    }
    problems = {field: message for field, message in found.items() if message}
    if problems:
        raise Problems(problems)
    within(entry.note, MAX_NOTE, "Note", "note")
    if any(area not in ENGAGEMENT_AREAS for area in entry.engagement):
        raise Invalid("Unknown Engagement Model area.", "engagement")


def _check_engagement(
    session: Session, pupil: Pupil, lesson_id: str, entry: Entry, lessons: content.Catalogue
) -> None:
    if entry.engagement and not engagement_model_for(session, pupil, lesson_id, lessons):
        taught = maps.planned_pathway(session, pupil, lesson_id, lessons)
        raise Invalid(
            "Engagement Model notes are for pupils working at pre-formal. "
            f"{pupil.first_name} is taught this lesson on the {taught.label.lower()} pathway: "
            "untick those notes, or write what you saw in the note.",
            "engagement",
        )


def _check_earlier_engagement(pupil: Pupil, pathway: Pathway, entry: Entry) -> None:
    """Engagement Model notes on a correction of an earlier pathway's observation: only where
    that observation was of a pre-formal objective."""
    if entry.engagement and pathway is not Pathway.PRE_FORMAL:
        raise Invalid(
            "Engagement Model notes are for pupils working at pre-formal. This observation "
            f"was of {pupil.first_name}'s {pathway.label.lower()} objective: untick those notes, "
            "or write what you saw in the note.",
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
    withdrawn_on: date | None = None,
) -> Observation:
    """Record one observation against the pupil's own objective (never another pathway's).

    `today` is the date on the school's clock: an observation cannot be dated after it.
    `withdrawn_on`: the day a withdrawn lesson was withdrawn (`refuse_if_after_withdrawal`).
    """
    if not policy.can_record_assessment(session, actor, pupil):
        raise Forbidden("not allowed to assess this pupil")
    lesson_id = objective_id.rsplit(".", 1)[0]
    lesson, version = pupil_objective(session, pupil, lesson_id, lessons)
    _check(entry, today, supersedes.observed_on if supersedes else None)
    refuse_if_not_for_age(pupil, lesson, entry.observed_on, today)
    kept = supersedes.observed_on if supersedes else None
    refuse_if_after_withdrawal(lesson, entry.observed_on, withdrawn_on, kept)
    # Notes carried over unchanged from the observation corrected were written then: kept
    # whatever the pathway takes now (see `correct`).
    carried = supersedes is not None and sorted(entry.engagement) == _areas(supersedes)
    if version.objective.id == objective_id:
        pathway = Pathway(version.pathway.value)
        if not carried:
            _check_engagement(session, pupil, lesson.id, entry, lessons)
    elif supersedes is not None and supersedes.objective_id == objective_id:
        # A correction of what was recorded while the lesson was taught on another pathway: a
        # wrong level must not stay on the pupil's record because their pathway moved since.
        pathway = Pathway(supersedes.pathway)
        if not carried:
            _check_earlier_engagement(pupil, pathway, entry)
    else:
        raise Invalid(not_taught_on(pupil, lesson, version), "objective_id")
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
    told = _told_carers(session, supersedes, "corrected") if supersedes else ""
    record(
        session,
        actor,
        "observation.corrected" if supersedes else "observation.recorded",
        pupil,
        f"{objective_id} level {entry.level}{told}",
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
    withdrawn_on: date | None = None,
) -> list[Observation]:
    """One tap of a level for several pupils: each against their own pathway's objective.
    `withdrawn_on`: as `observe`'s."""
    if not pupils:
        raise Invalid("Choose at least one pupil.", "pupil_ids")
    rows = []
    for pupil in pupils:
        _lesson, version = pupil_objective(session, pupil, lesson_id, lessons)
        objective_id = version.objective.id
        rows.append(
            observe(
                session,
                actor,
                pupil,
                objective_id,
                entry,
                lessons,
                now=now,
                today=today,
                withdrawn_on=withdrawn_on,
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
    """A correction is a new observation that supersedes the old one, which is kept.

    One that changes nothing is refused: the form starts as the observation it corrects, and
    saving it unchanged would only add a record saying it was corrected. Engagement Model
    notes where the pathway no longer takes them (a semi-formal observation's, recorded before
    that rule) are not offered to change, and are carried over as they were: nothing a
    teacher wrote is lost by a correction."""
    if session.scalar(select(Observation.id).where(Observation.supersedes_id == old.id)):
        raise Invalid("That observation has already been corrected; correct the newer one.")
    if old.withdrawn:
        raise Invalid(WITHDRAWN_ALREADY)
    pupil = session.get(Pupil, old.pupil_id)
    if pupil is None:
        raise LookupError(old.pupil_id)
    if not entry.engagement and not takes_engagement(session, pupil, old, lessons):
        entry = replace(entry, engagement=_areas(old))
    if _as_entered(old) == _as_entered_entry(entry):
        raise Invalid("Nothing was changed. Change what was wrong, then save the correction.")
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


def takes_engagement(
    session: Session, pupil: Pupil, old: Observation, lessons: content.Catalogue
) -> bool:
    """Whether a correction of `old` takes Engagement Model notes (as `observe` checks them):
    by the pathway the lesson is taught on now, or for an earlier pathway's objective, by that."""
    _lesson, version = pupil_objective(session, pupil, old.lesson_id, lessons)
    if version.objective.id == old.objective_id:
        return engagement_model_for(session, pupil, old.lesson_id, lessons)
    return Pathway(old.pathway) is Pathway.PRE_FORMAL


def _areas(observation: Observation) -> list[str]:
    return sorted(filter(None, observation.engagement.split(",")))


WITHDRAWN_ALREADY = "That observation was withdrawn as recorded in error; it no longer counts."


def withdraw(
    session: Session, actor: Actor, old: Observation, reason: str, *, now: datetime
) -> ObservationWithdrawal:
    """Withdraw an observation in force as recorded in error, saying why. Nothing is deleted:
    it stays in the history, marked, and stops counting (current level, heatmap, summaries,
    spreadsheet). No age rule applies: a withdrawal records no level, and it is how a record
    made for a pupil not of a lesson's ages on the day, which no correction may repeat, stops
    standing."""
    pupil, reason = _recorder_and_reason(
        session, actor, old, reason, "Why it was recorded in error",
        "say what was wrong, for example \u201cthe wrong pupil\u201d or \u201cthis lesson was "
        "not for their age\u201d",
    )  # fmt: skip
    if old.withdrawn:
        raise Invalid(WITHDRAWN_ALREADY)
    if session.scalar(select(Observation.id).where(Observation.supersedes_id == old.id)):
        raise Invalid("That observation was corrected; withdraw the correction instead.")
    row = ObservationWithdrawal(
        observation_id=old.id, number=_withdrawals_before(session, old) + 1,
        withdrawn_by_id=require_account_id(actor), withdrawn_at=now, reason=reason,
    )  # fmt: skip
    session.add(row)
    session.flush()
    session.expire(old, ["withdrawal"])
    told = _told_carers(session, old, "taken back")
    record(
        session, actor, "observation.withdrawn", pupil,
        f"{old.objective_id} level {old.level} of {old.observed_on:%Y-%m-%d}: recorded in error"
        f"{told}",
    )  # fmt: skip
    return row


def _recorder_and_reason(
    session: Session, actor: Actor, old: Observation, reason: str, label: str, how: str
) -> tuple[Pupil, str]:
    """The observation's pupil, if the actor may record for them, and the reason given for
    withdrawing it or putting it back (`label` names the box; `how` says what to write)."""
    pupil = session.get(Pupil, old.pupil_id)
    if pupil is None or not policy.can_record_assessment(session, actor, pupil):
        raise Forbidden("not allowed to assess this pupil")
    reason = within(reason.strip(), MAX_REASON, label, "reason")
    if not reason:
        raise Invalid(f"{label}: {how}.", "reason")
    return pupil, reason


def _withdrawals_before(session: Session, old: Observation) -> int:
    """How many times the observation was withdrawn (each since put back): a withdrawal after
    them is the next, and two at once are one too many (unique observation and number)."""
    found = select(func.count()).where(ObservationWithdrawal.observation_id == old.id)
    return session.scalar(found) or 0


NOT_WITHDRAWN = (
    "That observation is not withdrawn: it counts already, so there is nothing to put back."
)


def not_for_age(pupil: Pupil, old: Observation, lessons: content.Catalogue) -> str | None:
    """Why an observation may not be put back: one of a lesson for other ages on the day (made
    before that rule, and withdrawn as how such a record is put right) never counts again."""
    try:
        lesson, _version = lessons.objective(old.objective_id)
    except KeyError:  # a teacher's lesson since deleted: no ages to go by
        return None
    day = old.observed_on
    if for_age_on(pupil, lesson, day):
        return None
    return (
        f"\u201c{lesson.title.text}\u201d is for pupils {lesson.ages_label}; {pupil.first_name} "
        f"was {pupil.age_on(day)} on {day.day} {day:%B %Y}, the day observed. "
        "An observation of a lesson for other ages does not count, so it cannot be put back."
    )


def put_back(
    session: Session,
    actor: Actor,
    old: Observation,
    reason: str,
    lessons: content.Catalogue,
    *,
    now: datetime,
) -> ObservationReinstatement:
    """Put back an observation withdrawn by mistake (the wrong row tapped), saying why: it
    counts again everywhere, and carers who were given it as a learning moment no longer see
    it taken back. Nothing is deleted: the withdrawal stays in the history, noted as put back.
    By whoever may record for the pupil, as for a withdrawal; the reason as a withdrawal's."""
    pupil, reason = _recorder_and_reason(
        session, actor, old, reason, "Why it should count again",
        "say what happened, for example \u201cI withdrew the wrong row\u201d",
    )  # fmt: skip
    withdrawal = old.withdrawal
    if withdrawal is None:
        raise Invalid(NOT_WITHDRAWN)
    if (refusal := not_for_age(pupil, old, lessons)) is not None:
        raise Invalid(refusal)
    row = ObservationReinstatement(
        withdrawal_id=withdrawal.id, put_back_by_id=require_account_id(actor), put_back_at=now,
        reason=reason,
    )  # fmt: skip
    session.add(row)
    session.flush()
    session.expire(old, ["withdrawal", "withdrawals"])
    session.expire(withdrawal, ["reinstatement"])
    told = _told_carers(session, old, "no longer taken back")
    record(
        session, actor, "observation.reinstated", pupil,
        f"{old.objective_id} level {old.level} of {old.observed_on:%Y-%m-%d}: put back, "
        f"withdrawn by mistake{told}",
    )  # fmt: skip
    return row


def _as_entered(observation: Observation) -> tuple[object, ...]:
    """What a person entered for an observation, as the correction form sends it."""
    areas = _areas(observation)
    return (
        observation.level,
        observation.observed_on,
        observation.context,
        observation.support,
        observation.misconception,
        observation.note.strip(),
        areas,
    )


def _as_entered_entry(entry: Entry) -> tuple[object, ...]:
    return (
        entry.level,
        entry.observed_on,
        entry.context,
        entry.support,
        entry.misconception,
        entry.note.strip(),
        sorted(entry.engagement),
    )


def positive(observation: Observation) -> bool:
    """Whether an observation can be a learning moment: one that carers read as progress, so
    neither "Not yet" nor a misconception (those stay in school)."""
    return observation.level > Level.NOT_YET and not observation.misconception


def shareable(session: Session, observation: Observation) -> bool:
    """A positive observation still in force (neither corrected nor withdrawn) may go home as a
    learning moment."""
    newer = select(Observation.id).where(Observation.supersedes_id == observation.id)
    in_force = not observation.withdrawn and session.scalar(newer) is None
    return positive(observation) and in_force


def moments_home(session: Session, observation: Observation) -> list[FeedItem]:
    """The learning moments carers were given from this observation, or from one it corrects:
    their feed shows what became of it (parents.views `_moment_states`)."""
    chain, earlier = [observation.id], observation.supersedes_id
    while earlier is not None:
        chain.append(earlier)
        earlier = session.scalar(select(Observation.supersedes_id).where(Observation.id == earlier))
    return list(
        session.scalars(
            select(FeedItem)
            .where(FeedItem.kind == FeedKind.LEARNING_MOMENT, FeedItem.observation_id.in_(chain))
            .order_by(FeedItem.deliver_at)
        )
    )


def went_home(session: Session, observation: Observation) -> datetime | None:
    """When carers were first given a learning moment from this observation (or one it
    corrects), or None: the staff forms warn that withdrawing or correcting it changes that."""
    moments = moments_home(session, observation)
    return moments[0].deliver_at if moments else None


def _told_carers(session: Session, observation: Observation, change: str) -> str:
    """For the audit entry of a withdrawal or correction: the carers' learning moments it
    changes (as parents.learning_moment_shared names them), if any went home."""
    items = ", ".join(f"#{item.id}" for item in moments_home(session, observation))
    return f"; carers' learning moment item {items} now shows it {change}" if items else ""


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
    """A level the pupil's answers suggest, for a person to confirm or change."""

    level: Level
    reason: str
    answered_on: date  # the day of the last answers (the school's clock): what it is dated
    # The date of an observation recorded since those answers, if there is one: then they are
    # confirmed, and nothing is offered until the pupil answers again.
    recorded_on: date | None = None

    @property
    def confirmed(self) -> bool:
        return self.recorded_on is not None


NOTHING_NEW = (
    "Those answers have already been recorded. There is nothing new to confirm until the "
    "pupil answers again."
)


def confirm_proposal(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    objective_id: str,
    entry: Entry,
    lessons: content.Catalogue,
    *,
    now: datetime,
    today: date,
    zone: ZoneInfo,
) -> Observation:
    """Record the level a person chose from a proposal (`entry.level`; never assumed).

    It is dated the day of the last answers and seen in a lesson, where the answers were given,
    whatever the form says. Answers already recorded are refused (`NOTHING_NEW`): confirming
    the same answers again on later days would add sessions the pupil never had, and make
    them "maintained" on no new evidence.
    """
    if not policy.can_record_assessment(session, actor, pupil):
        raise Forbidden("not allowed to assess this pupil")
    lesson_id = objective_id.rsplit(".", 1)[0]
    if lesson_id not in lessons:
        raise Invalid("There is no such lesson.", "lesson_id")
    pathway = maps.planned_pathway(session, pupil, lesson_id, lessons)
    found = proposals(session, pupil, [(lesson_id, pathway, objective_id)], zone=zone)
    proposal = found[lesson_id]
    if proposal is None or proposal.confirmed:
        raise Invalid(NOTHING_NEW, "from_proposal")
    from_answers = replace(
        entry, observed_on=proposal.answered_on, context=Context.LESSON, from_proposal=True
    )
    return observe(session, actor, pupil, objective_id, from_answers, lessons, now=now, today=today)


def propose(
    session: Session,
    pupil: Pupil,
    lesson_id: str,
    pathway: Pathway,
    *,
    objective_id: str,
    zone: ZoneInfo,
) -> Proposal | None:
    """A level suggested by the pupil's answers to one lesson (see `proposals`)."""
    return proposals(session, pupil, [(lesson_id, pathway, objective_id)], zone=zone)[lesson_id]


def proposals(
    session: Session,
    pupil: Pupil,
    wanted: Sequence[tuple[str, Pathway, str]],
    *,
    zone: ZoneInfo,
) -> dict[str, Proposal | None]:
    """Per lesson (lesson id, the pathway it is taught on, its objective there): a level
    suggested by the pupil's answers; staff confirm or change it, never automatic. Two
    statements however many lessons.

    Only answers given at the objective's pathway count: a lesson moved from semi-formal to
    formal has a formal objective that nothing the pupil answered at semi-formal shows. A
    session is a day on the school's clock (`zone`). A proposal is confirmed once an
    observation of the objective is in force that was recorded after the last answers and
    dated on or after their day (one recorded later but dated before them was about
    something else).
    """
    if not wanted:
        return {}
    pathways = {lesson_id: pathway for lesson_id, pathway, _objective in wanted}
    answers: dict[str, list[Any]] = {}  # (attempt, step, correct, tries, at) per lesson
    for lesson_id, pathway, *row in session.execute(
        select(
            StepResponse.lesson_id,
            LessonAttempt.pathway,
            StepResponse.attempt_id,
            StepResponse.step_id,
            StepResponse.correct,
            StepResponse.tries,
            StepResponse.at,
        )
        .join(LessonAttempt, LessonAttempt.id == StepResponse.attempt_id)
        .where(StepResponse.pupil_id == pupil.id, StepResponse.lesson_id.in_(list(pathways)))
        .order_by(StepResponse.id)
    ):
        if pathways[lesson_id] == pathway:
            answers.setdefault(lesson_id, []).append(row)
    recorded = _recorded(session, pupil, [objective for _l, _p, objective in wanted])
    return {
        lesson_id: _proposal(answers.get(lesson_id, []), recorded.get(objective_id, []), zone)
        for lesson_id, _pathway, objective_id in wanted
    }


def _recorded(
    session: Session, pupil: Pupil, objective_ids: list[str]
) -> dict[str, list[tuple[date, datetime]]]:
    """Per objective, (dated, recorded at) of each observation in force (neither corrected
    nor withdrawn)."""
    rows = session.execute(
        select(
            Observation.id,
            Observation.supersedes_id,
            Observation.objective_id,
            Observation.observed_on,
            Observation.recorded_at,
            withdrawn(Observation.id),
        ).where(Observation.pupil_id == pupil.id, Observation.objective_id.in_(objective_ids))
    ).all()
    superseded = {row.supersedes_id for row in rows}
    found: dict[str, list[tuple[date, datetime]]] = {}
    for row in rows:
        if row.id not in superseded and not row[-1]:  # withdrawn ones confirm nothing
            found.setdefault(row.objective_id, []).append((row.observed_on, row.recorded_at))
    return found


def _proposal(
    rows: list[Any], recorded: list[tuple[date, datetime]], zone: ZoneInfo
) -> Proposal | None:
    """The proposal from one lesson's answers (attempt, step, correct, tries, at; in the order
    given) and the observations of its objective in force."""
    if not rows:
        return None
    # A question counts once per attempt, by its first answer: Back after a right answer shows
    # the cards again, and a second "first try" there must not count as another question.
    judged: dict[tuple[int, str], bool] = {}
    for attempt_id, step_id, correct, tries, _at in rows:
        if correct is not None and tries == 1:
            judged.setdefault((attempt_id, step_id), correct)
    last = max(at for *_row, at in rows)
    answered_on = local_today(last, zone)
    since = [day for day, at in recorded if at > last and day >= answered_on]
    recorded_on = max(since, default=None)
    sessions = len({local_today(at, zone) for *_row, at in rows})
    if not judged:
        return Proposal(
            Level.EMERGING,
            f"Took part in {sessions} session(s); nothing to "
            "get right or wrong, so look at how they engaged.",
            answered_on,
            recorded_on,
        )
    share = sum(judged.values()) / len(judged)
    text = f"{round(share * 100)}% right first time over {sessions} session(s)"
    if share >= 0.8 and sessions >= 2:
        level = Level.SECURE
    elif share >= 0.5:
        level = Level.DEVELOPING
    else:
        level = Level.EMERGING
    return Proposal(level, text, answered_on, recorded_on)
