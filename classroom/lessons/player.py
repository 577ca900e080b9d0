"""The lesson player: attempts, errorless answers, and the responses assessment uses."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import Session

from classroom import localtime
from classroom.audit.services import record
from classroom.db import plain_rows
from classroom.devices.models import Device
from classroom.errors import Invalid, checked_key
from classroom.lessons import content, kinds
from classroom.lessons.content import Step, Version

# The player judges through each kind's own unit; these names stay importable from here.
from classroom.lessons.kinds import Outcome as Outcome
from classroom.lessons.kinds import judge as judge
from classroom.lessons.kinds import sort_item as sort_item
from classroom.lessons.maps import Planned, planned_lesson
from classroom.lessons.models import LessonAttempt, StepResponse
from classroom.pupils.models import Pathway, Pupil


def version_for(planned: Planned) -> Version:
    return planned.lesson.version(content.Pathway(planned.pathway.value))


def version_digest(version: Version) -> str:
    """A fingerprint of a version's content (its steps, words, pictures and answers): a go is
    carried on only in the very version it began in. A frozen dataclass's repr holds every
    field, the same in every process, for a lesson file and a teacher's lesson alike."""
    return hashlib.sha256(repr(version).encode()).hexdigest()[:16]


def start(
    session: Session,
    pupil: Pupil,
    device: Device | None,
    lesson_id: str,
    lessons: content.Catalogue,
    *,
    now: datetime,
) -> LessonAttempt:
    """Begin a lesson that is on the pupil's map (anything else is not theirs to open)."""
    return _begin(session, pupil, device, _planned(session, pupil, lesson_id, lessons, now), now)


def start_tapped(
    session: Session,
    pupil: Pupil,
    device: Device | None,
    lesson_id: str,
    lessons: content.Catalogue,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> LessonAttempt:
    """The pupil's Start (or Start again): a go at screen 1, taking up their last go instead
    of beginning another when nothing has been done in it yet (`_go_not_begun`). A Start whose
    answer was lost (the Wi-Fi dropped on the way back) is sent again, or tapped again, once
    the network is back: it goes on in the go the first made, not beside an empty one."""
    planned = _planned(session, pupil, lesson_id, lessons, now)
    return _begin_or_take_up(session, pupil, device, planned, now, zone)


def _begin_or_take_up(
    session: Session,
    pupil: Pupil,
    device: Device | None,
    planned: Planned,
    now: datetime,
    zone: ZoneInfo,
) -> LessonAttempt:
    attempt_id = _go_not_begun(session, pupil, planned, now=now, zone=zone)
    if attempt_id is None:
        return _begin(session, pupil, device, planned, now)
    attempt = attempt_of(session, pupil, attempt_id)
    # Nothing in it was measured from its old start: the go begins now, on this iPad.
    attempt.started_at = now
    attempt.device_id = device.id if device else None
    record(
        session,
        pupil,
        "lesson.started",
        pupil,
        f"{planned.lesson.id} ({planned.pathway.value}): go {attempt.id} again, not yet answered",
    )
    return attempt


def _go_not_begun(
    session: Session, pupil: Pupil, planned: Planned, *, now: datetime, zone: ZoneInfo
) -> int | None:
    """The pupil's last go at a lesson, if a Start now would only repeat it: nothing answered
    in it, not finished, in the version they would be given now (content and pathway), and
    begun within `CARRY_ON_DAYS` on the school's calendar (the rule for carrying on a go left
    part way, counted from its start as nothing was answered). A go with an answer in it is
    never taken up: Start again then begins a new go, and Go on is the pupil's choice."""
    params = {"pupil_id": pupil.id, "lesson_id": planned.lesson.id}
    found = plain_rows(session, _last_start(), params).first()
    if found is None:
        return None
    attempt_id, digest, started_at, finished_at, answered = found
    today = localtime.local_today(now, zone)
    if (
        answered
        or finished_at is not None
        or digest != version_digest(version_for(planned))
        or localtime.local_today(started_at, zone) < today - timedelta(days=CARRY_ON_DAYS)
    ):
        return None
    return int(attempt_id)


@cache
def _last_start() -> Select[int, str | None, datetime, datetime | None, bool]:
    """The pupil's latest go at one lesson, and whether anything was answered in it (by the
    answers themselves: a go older than `answered_at` has none set)."""
    answered = (
        select(StepResponse.id).where(StepResponse.attempt_id == LessonAttempt.id).exists()
    )
    return (
        select(
            LessonAttempt.id,
            LessonAttempt.version_digest,
            LessonAttempt.started_at,
            LessonAttempt.finished_at,
            answered,
        )
        .where(
            LessonAttempt.pupil_id == bindparam("pupil_id"),
            LessonAttempt.lesson_id == bindparam("lesson_id"),
        )
        .order_by(LessonAttempt.id.desc())
        .limit(1)
    )


def _planned(
    session: Session, pupil: Pupil, lesson_id: str, lessons: content.Catalogue, now: datetime
) -> Planned:
    planned = planned_lesson(session, pupil, lesson_id, lessons, today=now.date())
    if planned is None:
        raise LookupError(lesson_id)
    return planned


def _begin(
    session: Session, pupil: Pupil, device: Device | None, planned: Planned, now: datetime
) -> LessonAttempt:
    attempt = LessonAttempt(
        pupil_id=pupil.id,
        lesson_id=planned.lesson.id,
        pathway=planned.pathway,
        started_at=now,
        device_id=device.id if device else None,
        version_digest=version_digest(version_for(planned)),
    )
    session.add(attempt)
    session.flush()
    record(
        session, pupil, "lesson.started", pupil, f"{planned.lesson.id} ({planned.pathway.value})"
    )
    return attempt


# --- Carrying on a go left part way -------------------------------------------------------------

# A go left part way (the bell, the iPad idling out, Home) is carried on for this many days on
# the school's calendar after the pupil last answered in it: later the same day, the next day,
# and Friday to Monday. After that a new go starts at screen 1: a lesson is a few short screens
# whose opening ones set the scene its questions rely on, which a pupil with severe learning
# difficulties is unlikely to hold for a week; the old go's answers stay on the record as given.
CARRY_ON_DAYS = 3


@dataclass(frozen=True)
class LeftGo:
    """A go the pupil can carry on: its attempt, the screen they stopped at, and the number of
    screens (for the lesson's first screen to show how far they got)."""

    attempt_id: int
    number: int
    total: int


def go_to_carry_on(
    session: Session, pupil: Pupil, planned: Planned, *, today: date, zone: ZoneInfo
) -> LeftGo | None:
    """The pupil's last go at a lesson, if it is one to carry on: not finished, begun in the
    version they would be given now (the same content, on the same pathway), stopped after its
    first screen, and answered in within `CARRY_ON_DAYS` of `today` (the school's date). Reads
    only: the lesson's first screen asks it on a GET."""
    params = {"pupil_id": pupil.id, "lesson_id": planned.lesson.id}
    found = plain_rows(session, _last_go(), params).first()
    if found is None:
        return None
    attempt_id, digest, finished_at, number, answered_at = found
    version = version_for(planned)
    if (
        finished_at is not None
        or number is None
        or number < 2  # nothing gained by carrying on at screen 1: a new go starts there
        or answered_at is None
        or localtime.local_today(answered_at, zone) < today - timedelta(days=CARRY_ON_DAYS)
        or digest != version_digest(version)  # its words, pictures, answers and pathway
    ):
        return None
    # Every screen answered but Next not pressed: the last screen again, then "Well done".
    return LeftGo(attempt_id, min(number, len(version.steps)), len(version.steps))


@cache
def _last_go() -> Select[int, str | None, datetime | None, int | None, datetime | None]:
    """The pupil's latest go at one lesson: an older go left part way is never carried on."""
    return (
        select(
            LessonAttempt.id,
            LessonAttempt.version_digest,
            LessonAttempt.finished_at,
            LessonAttempt.carry_on_at,
            LessonAttempt.answered_at,
        )
        .where(
            LessonAttempt.pupil_id == bindparam("pupil_id"),
            LessonAttempt.lesson_id == bindparam("lesson_id"),
        )
        .order_by(LessonAttempt.id.desc())
        .limit(1)
    )


class CarriedOn(NamedTuple):
    """Where a go goes on: its attempt and the screen (a sort screen's GET finds the item)."""

    attempt: LessonAttempt
    number: int


def carry_on(
    session: Session,
    pupil: Pupil,
    device: Device | None,
    lesson_id: str,
    lessons: content.Catalogue,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> CarriedOn:
    """Carry on the pupil's go left part way at the screen they stopped at;
    with none to carry on (finished, changed or too old), begin a new go."""
    planned = _planned(session, pupil, lesson_id, lessons, now)
    today = localtime.local_today(now, zone)
    left = go_to_carry_on(session, pupil, planned, today=today, zone=zone)
    if left is None:  # a new go, or the one an earlier "Go on" began (its answer lost)
        return CarriedOn(_begin_or_take_up(session, pupil, device, planned, now, zone), 1)
    record(session, pupil, "lesson.carried_on", pupil, f"{lesson_id} (screen {left.number})")
    return CarriedOn(attempt_of(session, pupil, left.attempt_id), left.number)


def next_unplaced(session: Session, attempt_id: int, step: Step) -> int:
    """On a screen answered item by item (a sort), the first item this go has not yet placed
    (its position, from 0); 0 on any other screen. A go carried on, and the screen opened
    again (a reload, Back then Forward), goes on from there: the step's GET shows this item.
    Asked again, an item already placed would be "answered again", and its first answer the
    one that counts, with the screen begun anew for nothing. Reads only."""
    count = kinds.spec(step).items(step)
    if not count:
        return 0
    items = [kinds.answered_id(step, position, attempt_id) for position in range(count)]
    placed = set(session.scalars(_placed_items(), {"attempt_id": attempt_id, "items": items}))
    # Every item placed is a screen done, carried on at the next screen: 0 is never reached.
    return next((n for n, item in enumerate(items) if item not in placed), 0)


@cache
def _placed_items() -> Select[str]:
    """The items of one sort screen a go has placed in their group (answered right)."""
    return select(StepResponse.step_id).where(
        StepResponse.attempt_id == bindparam("attempt_id"),
        StepResponse.step_id.in_(bindparam("items", expanding=True)),
        StepResponse.correct.is_(True),
    )


class DoneAnswer(NamedTuple):
    """The answer that finished a screen in this go: what the screen shows again."""

    answer: str
    item: int  # on a sort, the last item's position; 0 on any other screen
    outcome: Outcome


def done_answer(session: Session, attempt_id: int, step: Step) -> DoneAnswer | None:
    """How the pupil finished this screen in this go, or None while it is not finished.

    Opened again (back from "Report a worry", a reload, Back then Forward), a finished screen
    shows the pupil's own answer, its feedback and Next: never the question afresh, to be
    answered twice, with a sound that had stopped playing again or "More" forgotten. A screen
    with nothing to answer (a story, tap to make something happen) and a consent question are
    shown as ever: a pupil may always change their mind about consent. Reads only."""
    unit = kinds.spec(step)
    if unit.free_next or unit.asks_again:
        return None
    count = unit.items(step)
    position = 0
    if count:
        items = [kinds.answered_id(step, n, attempt_id) for n in range(count)]
        placed = set(session.scalars(_placed_items(), {"attempt_id": attempt_id, "items": items}))
        if not placed.issuperset(items):
            return None
        position = count - 1
    answer = session.scalar(  # the first column: the answer, not its try
        _last_try(),
        {"attempt_id": attempt_id, "step_id": kinds.answered_id(step, position, attempt_id)},
    )
    if answer is None:
        return None
    try:
        outcome = kinds.judge(step, answer, position, attempt_id)
    except Invalid:  # an answer this screen no longer offers: ask again
        return None
    return DoneAnswer(answer, position, outcome) if outcome.step_done else None


class PromptedAnswer(NamedTuple):
    """A wrong answer the screen is still prompting after: what the screen shows again."""

    answer: str
    tries: int  # the try the pupil is on: the wrong answer's, and one more
    outcome: Outcome


def prompted_answer(
    session: Session, attempt_id: int, step: Step, item: int
) -> PromptedAnswer | None:
    """The prompt a wrong answer left on this screen (on a sort, this item) in this go, or None
    when its last answer was not a wrong one.

    Back from "Report a worry" (Not now, or Back to my lesson once it is sent) the screen shows
    the prompt as the pupil left it: "Let's look again", the right card, the same try. Only
    then: Back within the lesson asks afresh as a first try (not counted again: each question
    counts by its first answer, see `_first_answers`). Reads only."""
    unit = kinds.spec(step)
    if unit.free_next or unit.asks_again:
        return None
    params = {"attempt_id": attempt_id, "step_id": kinds.answered_id(step, item, attempt_id)}
    found = plain_rows(session, _last_try(), params).first()
    answer, tries = found if found is not None else (None, 0)
    if answer is None:
        return None
    try:
        outcome = kinds.judge(step, answer, item, attempt_id)
    except Invalid:  # an answer this screen no longer offers: ask again
        return None
    if outcome.correct is not False or outcome.step_done:
        return None
    return PromptedAnswer(answer, min(tries + 1, 99), outcome)


@cache
def _last_try() -> Select[str | None, int]:
    """A go's latest answer on one step (or one sort item), with the try it was."""
    return (
        select(StepResponse.answer, StepResponse.tries)
        .where(
            StepResponse.attempt_id == bindparam("attempt_id"),
            StepResponse.step_id == bindparam("step_id"),
        )
        .order_by(StepResponse.id.desc())
        .limit(1)
    )


# The pupil's own attempt, by its id: another pupil's is not found.
_OWN_ATTEMPT = (LessonAttempt.id == bindparam("attempt_id")) & (
    LessonAttempt.pupil_id == bindparam("pupil_id")
)


def attempt_of(session: Session, pupil: Pupil, attempt_id: int) -> LessonAttempt:
    """The pupil's own lesson attempt (another pupil's is not found), to record answers on."""
    params = {"attempt_id": attempt_id, "pupil_id": pupil.id}
    attempt = session.scalar(_pupils_attempt(), params)
    if attempt is None:
        raise LookupError(attempt_id)
    return attempt


@cache  # every answer reads it: built once (session.get builds its query on each call)
def _pupils_attempt() -> Select[LessonAttempt]:
    return select(LessonAttempt).where(_OWN_ATTEMPT)


class ShownAttempt(NamedTuple):
    """What showing a step needs of an attempt, as plain values."""

    id: int
    lesson_id: str
    pathway: Pathway


def shown_attempt(session: Session, pupil: Pupil, attempt_id: int) -> ShownAttempt:
    """The pupil's own attempt as a step screen shows it: read as a plain row, since a step
    only reads it (an ORM load was a twentieth of every step); answers use `attempt_of`."""
    params = {"attempt_id": attempt_id, "pupil_id": pupil.id}
    found = plain_rows(session, _shown_attempt(), params).first()
    if found is None:
        raise LookupError(attempt_id)
    return ShownAttempt(*found)


@cache
def _shown_attempt() -> Select[int, str, Pathway]:
    columns = (LessonAttempt.id, LessonAttempt.lesson_id, LessonAttempt.pathway)
    return select(*columns).where(_OWN_ATTEMPT)


def version_of(attempt: LessonAttempt | ShownAttempt, catalogue: content.Catalogue) -> Version:
    """The lesson as taught on the pathway the attempt started with."""
    return catalogue.get(attempt.lesson_id).version(content.Pathway(attempt.pathway.value))


def step_of(
    attempt: LessonAttempt | ShownAttempt, number: int, catalogue: content.Catalogue
) -> Step:
    version = version_of(attempt, catalogue)
    if not 1 <= number <= len(version.steps):
        raise LookupError(number)
    return version.steps[number - 1]


def respond(
    session: Session,
    attempt: LessonAttempt,
    step: Step,
    answer: str,
    tries: int,
    key: str,
    item: int = 0,
    *,
    now: datetime,
) -> Outcome:
    """Record one tap; the same key (a double tap, a resent form) is recorded once."""
    outcome = kinds.judge(step, answer, item, attempt.id)
    exists = session.scalar(select(StepResponse.id).where(StepResponse.key == checked_key(key)))
    if exists is None:
        session.add(
            StepResponse(
                key=key[:64],
                attempt_id=attempt.id,
                pupil_id=attempt.pupil_id,
                lesson_id=attempt.lesson_id,
                step_id=kinds.answered_id(step, item, attempt.id),
                kind=step.kind.value,
                answer=answer[:64],
                correct=outcome.correct,
                tries=max(1, min(tries, 99)),
                at=now,
                seconds=int((now - attempt.started_at).total_seconds()),
            )
        )
        # Where a pupil who leaves now carries on: this screen until it is done, then the next.
        done = outcome.step_done
        attempt.carry_on_at = kinds.next_number(step, step.number, answer) if done else step.number
        attempt.answered_at = now
    return outcome


def finish(session: Session, pupil: Pupil, attempt: LessonAttempt, *, now: datetime) -> None:
    if attempt.finished_at is None:
        attempt.finished_at = now
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


def progress(session: Session, pupil: Pupil, *, zone: ZoneInfo) -> dict[str, Progress]:
    """Per lesson: attempts, finishes, when (a date on the school's clock, `zone`), and how the
    answers went (first time or prompted). Counted by the database, in one statement however
    long the pupil's history."""
    return {
        lesson_id: Progress(
            attempts=attempts,
            finished=finished,
            last=localtime.local_time(last, "date", zone=zone),
            answered=answered,
            first_time=first_time,
            prompted=answered - first_time,
        )
        for lesson_id, attempts, finished, last, answered, first_time in plain_rows(
            session, _progress(), {"pupil_id": pupil.id}
        )
    }


@cache  # built once: the pupil is a parameter
def _progress() -> Select[str, int, int, datetime, int, int]:
    """Per lesson attempted: its attempts (`_attempts`) beside its answers (`_first_answers`),
    none if it has none. One statement: every teacher's view of a pupil's map reads it."""
    attempts, answers = _attempts().subquery(), _first_answers().subquery()
    return select(
        attempts.c.lesson_id,
        attempts.c.attempts,
        attempts.c.finished,
        attempts.c.last,
        func.coalesce(answers.c.answered, 0),
        func.coalesce(answers.c.first_time, 0),
    ).outerjoin_from(attempts, answers, attempts.c.lesson_id == answers.c.lesson_id)


def _attempts() -> Select[str, int, int, datetime]:
    """Per lesson: how many attempts, how many finished, and when the last one started."""
    return (
        select(
            LessonAttempt.lesson_id,
            func.count().label("attempts"),
            func.count(LessonAttempt.finished_at).label("finished"),
            func.max(LessonAttempt.started_at).label("last"),
        )
        .where(LessonAttempt.pupil_id == bindparam("pupil_id"))
        .group_by(LessonAttempt.lesson_id)
    )


def _first_answers() -> Select[str, int, int]:
    """Per lesson: how many judged questions were answered (once per attempt), and how many of
    those were right at the first try.

    A question counts once per attempt, by its first answer: the rule the suggested level
    follows (`assessment.services.propose`) and the Answers page marks (`shown_responses`).
    Back after a wrong answer shows the cards again as a first try; a right answer there is
    "answered again", not right first time."""
    first = (
        select(func.min(StepResponse.id).label("id"))
        .where(
            StepResponse.pupil_id == bindparam("pupil_id"),
            StepResponse.correct.is_not(None),
            StepResponse.tries == 1,
        )
        .group_by(StepResponse.attempt_id, StepResponse.step_id)
        .subquery()
    )
    return (
        select(
            StepResponse.lesson_id,
            func.count().label("answered"),
            func.coalesce(
                func.sum(case((StepResponse.correct.is_(True), 1), else_=0)), 0
            ).label("first_time"),
        )
        .join(first, first.c.id == StepResponse.id)
        .group_by(StepResponse.lesson_id)
    )


@dataclass(frozen=True)
class ShownResponse:
    """One answer as the teacher's Answers page shows it: in words, not codes."""

    at: datetime
    screen: str  # "Screen 3 of semi-formal: Who can you tell?" (and the item, for a sort)
    kind: str  # the kind's plain name
    answer: str  # the card's words
    correct: bool | None
    tries: int
    # An answer to a question already answered in this attempt (a first try again after Back,
    # and any prompted tries after it): listed, but not counted. Each question counts by its
    # first answer (see `_first_answers`).
    again: bool = False


_ITEM = re.compile(r"(?P<step>.+)\.i(?P<item>\d+)")


def shown_responses(
    session: Session, pupil: Pupil, lesson: content.Lesson, people: Mapping[str, str]
) -> list[ShownResponse]:
    """The pupil's answers in a lesson, each with its screen and answer in words, and whether
    it is the answer that counts (`again`: not, for a question answered again after Back)."""
    steps = {s.id: (v.pathway, s) for v in lesson.versions for s in v.steps}
    shown = []
    answered: set[tuple[int, str]] = set()  # (attempt, question) with a first answer already
    reanswered: set[tuple[int, str]] = set()  # ... answered again since, after Back
    for response in responses(session, pupil, lesson.id):
        question = (response.attempt_id, response.step_id)
        if response.correct is not None and response.tries == 1:
            if question in answered:
                reanswered.add(question)
            answered.add(question)
        # The prompted tries that follow an answer given again are not counted either.
        again = response.correct is not None and question in reanswered
        item = _ITEM.fullmatch(response.step_id)
        step_id = item["step"] if item and item["step"] in steps else response.step_id
        found = steps.get(step_id)
        if found is None:  # a screen since taken out of the lesson
            screen, answer = "A screen no longer in the lesson", response.answer or ""
        else:
            pathway, step = found
            screen = f"Screen {step.number} of {pathway.label.lower()}: {step.text.text}"
            sorted_item = kinds.item_words(step, int(item["item"])) if item else None
            screen += f" ({sorted_item})" if sorted_item else ""
            answer = kinds.answer_words(step, response.answer or "", people)
        shown.append(
            ShownResponse(
                response.at,
                screen,
                kinds.KINDS[content.StepKind(response.kind)].name,
                answer,
                response.correct,
                response.tries,
                again,
            )
        )
    return shown


def responses(session: Session, pupil: Pupil, lesson_id: str) -> list[StepResponse]:
    return list(
        session.scalars(
            select(StepResponse)
            .where(StepResponse.pupil_id == pupil.id, StepResponse.lesson_id == lesson_id)
            .order_by(StepResponse.id)
        )
    )

