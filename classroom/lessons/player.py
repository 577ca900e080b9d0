"""The lesson player: attempts, errorless answers, and the responses assessment uses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from classroom.audit.services import record
from classroom.db import utcnow
from classroom.devices.models import Device
from classroom.errors import Invalid, checked_key
from classroom.lessons import arrangement, content
from classroom.lessons.content import (
    AnticipateStep,
    CauseEffectStep,
    MeStep,
    OnlyIfYesStep,
    SortStep,
    Step,
    StoryStep,
    UntilIActStep,
    Version,
    WhoCanITellStep,
    YesNoStep,
)
from classroom.lessons.maps import Planned, planned_lesson
from classroom.lessons.models import LessonAttempt, StepResponse
from classroom.localtime import local_time
from classroom.pupils.models import Pupil


def version_for(planned: Planned) -> Version:
    return planned.lesson.version(content.Pathway(planned.pathway.value))


def start(session: Session, pupil: Pupil, device: Device | None, lesson_id: str) -> LessonAttempt:
    """Begin a lesson that is on the pupil's map (anything else is not theirs to open)."""
    planned = planned_lesson(session, pupil, lesson_id)
    if planned is None:
        raise LookupError(lesson_id)
    attempt = LessonAttempt(
        pupil_id=pupil.id,
        lesson_id=lesson_id,
        pathway=planned.pathway,
        started_at=utcnow(),
        device_id=device.id if device else None,
    )
    session.add(attempt)
    session.flush()
    record(session, pupil, "lesson.started", pupil, f"{lesson_id} ({planned.pathway.value})")
    return attempt


def attempt_of(session: Session, pupil: Pupil, attempt_id: int) -> LessonAttempt:
    attempt = session.get(LessonAttempt, attempt_id)
    if attempt is None or attempt.pupil_id != pupil.id:
        raise LookupError(attempt_id)
    return attempt


def version_of(attempt: LessonAttempt, catalogue: content.Catalogue) -> Version:
    """The lesson as taught on the pathway the attempt started with."""
    return catalogue.get(attempt.lesson_id).version(content.Pathway(attempt.pathway.value))


def step_of(attempt: LessonAttempt, number: int, catalogue: content.Catalogue) -> Step:
    version = version_of(attempt, catalogue)
    if not 1 <= number <= len(version.steps):
        raise LookupError(number)
    return version.steps[number - 1]


@dataclass(frozen=True)
class Outcome:
    """What the pupil sees after an answer: errorless, so a wrong answer shows the right one."""

    correct: bool | None  # None: nothing to get right (story, cause and effect, who can I tell)
    right_answer: str | None = None
    step_done: bool = True


def judge(step: Step, answer: str, position: int = 0, seed: int = 0) -> Outcome:
    """Whether an answer is right for a step; unknown answers are Invalid (a 400).

    Answers are judged by what they are ("o2", "yes", "g1"), never by where the card was;
    `position` is how far through a sort step the pupil is, in the attempt's (`seed`) order.
    """
    if isinstance(step, (StoryStep, CauseEffectStep)):
        return Outcome(None)
    if isinstance(step, (UntilIActStep, AnticipateStep, MeStep)):
        return _judge_act(step, answer)
    if isinstance(step, OnlyIfYesStep):
        if answer not in (arrangement.YES, arrangement.NO):
            raise Invalid("Answer yes or no.")
        return Outcome(None)  # any answer is the pupil's to give; the page honours it
    if isinstance(step, WhoCanITellStep):
        return Outcome(True if answer else None)
    if isinstance(step, SortStep):
        return _judge_sort(step, answer, position, seed)
    cards = arrangement.choice_cards(step, seed)
    if answer not in {card.value for card in cards}:
        yes_no = isinstance(step, YesNoStep)
        raise Invalid("Answer yes or no." if yes_no else "Choose one of the pictures.")
    right = next(card.value for card in sorted(cards, key=lambda c: c.value) if card.right)
    ok = next(card.right for card in cards if card.value == answer)
    return Outcome(ok, right, ok)


def _judge_act(step: UntilIActStep | AnticipateStep | MeStep, answer: str) -> Outcome:
    """The pupil acted: stopped or finished the sound, or tapped when ready."""
    expected = step.action.value if isinstance(step, UntilIActStep) else "tap"
    if answer != expected:
        raise Invalid("Press the big button.")
    return Outcome(True if isinstance(step, UntilIActStep) else None)


def sort_item(step: SortStep, position: int, seed: int) -> int:
    """The content index of the item shown at `position` of a sort step in this attempt."""
    order = arrangement.sort_order(step, seed)
    if not 0 <= position < len(order):
        raise Invalid("Choose one of the two groups.")
    return order[position]


def _judge_sort(step: SortStep, answer: str, position: int, seed: int) -> Outcome:
    item = sort_item(step, position, seed)
    if answer not in {arrangement.group_value(i) for i in range(len(step.groups))}:
        raise Invalid("Choose one of the two groups.")
    right = arrangement.group_value(step.items[item].group)
    ok = answer == right
    return Outcome(ok, right, ok and position == len(step.items) - 1)


def respond(
    session: Session,
    attempt: LessonAttempt,
    step: Step,
    answer: str,
    tries: int,
    key: str,
    item: int = 0,
) -> Outcome:
    """Record one tap; the same key (a double tap, a resent form) is recorded once."""
    outcome = judge(step, answer, item, attempt.id)
    exists = session.scalar(select(StepResponse.id).where(StepResponse.key == checked_key(key)))
    if exists is None:
        session.add(
            StepResponse(
                key=key[:64],
                attempt_id=attempt.id,
                pupil_id=attempt.pupil_id,
                lesson_id=attempt.lesson_id,
                step_id=_answered_id(step, item, attempt.id),
                kind=step.kind.value,
                answer=answer[:64],
                correct=outcome.correct,
                tries=max(1, min(tries, 99)),
                at=utcnow(),
                seconds=int((utcnow() - attempt.started_at).total_seconds()),
            )
        )
    return outcome


def _answered_id(step: Step, position: int, seed: int) -> str:
    """The step id, and for a sort step the item's own id ("09.sf.s3.i2"), whatever its place."""
    if isinstance(step, SortStep):
        return f"{step.id}.i{sort_item(step, position, seed) + 1}"
    return step.id


def finish(session: Session, pupil: Pupil, attempt: LessonAttempt) -> None:
    if attempt.finished_at is None:
        attempt.finished_at = utcnow()
        record(session, pupil, "lesson.finished", pupil, attempt.lesson_id)


# --- Progress for teachers --------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    attempts: int
    finished: int
    last: str | None
    answered: int
    first_time: int
    prompted: int

    @property
    def needs_help(self) -> bool:
        """More than a third of answers needed a prompt (a wrong first try) across attempts."""
        return self.answered >= 3 and self.prompted * 3 > self.answered


def progress(session: Session, pupil: Pupil) -> dict[str, Progress]:
    """Per lesson: attempts, finishes, when, and how the answers went (first time or prompted)."""
    attempts: dict[str, list[LessonAttempt]] = {}
    for attempt in session.scalars(
        select(LessonAttempt)
        .where(LessonAttempt.pupil_id == pupil.id)
        .order_by(LessonAttempt.started_at)
    ):
        attempts.setdefault(attempt.lesson_id, []).append(attempt)
    firsts = _first_answers(session, pupil)
    result = {}
    for lesson_id, tries in attempts.items():
        answers = firsts.get(lesson_id, [])
        result[lesson_id] = Progress(
            attempts=len(tries),
            finished=sum(a.finished_at is not None for a in tries),
            last=local_time(tries[-1].started_at, "date"),
            answered=len(answers),
            first_time=sum(answers),
            prompted=len(answers) - sum(answers),
        )
    return result


def _first_answers(session: Session, pupil: Pupil) -> dict[str, list[bool]]:
    """For each lesson, whether each judged question was right at the first try."""
    rows = session.execute(
        select(
            StepResponse.lesson_id,
            StepResponse.attempt_id,
            StepResponse.step_id,
            func.min(StepResponse.tries),
            # max() of a boolean: SQLite allows it, PostgreSQL has no max(boolean).
            func.max(case((StepResponse.correct.is_(True), 1), else_=0)),
        )
        .where(
            StepResponse.pupil_id == pupil.id,
            StepResponse.correct.is_not(None),
            StepResponse.tries == 1,
        )
        .group_by(StepResponse.lesson_id, StepResponse.attempt_id, StepResponse.step_id)
    )
    result: dict[str, list[bool]] = {}
    for lesson_id, _attempt, _step, _tries, correct in rows:
        result.setdefault(lesson_id, []).append(bool(correct))
    return result


def responses(session: Session, pupil: Pupil, lesson_id: str) -> list[StepResponse]:
    return list(
        session.scalars(
            select(StepResponse)
            .where(StepResponse.pupil_id == pupil.id, StepResponse.lesson_id == lesson_id)
            .order_by(StepResponse.id)
        )
    )
