"""The lesson model: frozen dataclasses for lessons, pathways and steps, and the enums they use."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import ClassVar, TypeAlias

from classroom.config import ROOT
from classroom.pupils.models import Pathway as Pathway  # the app's one Pathway
from classroom.risks import PolicyRisk

LESSONS_DIR = ROOT / "lessons"
# A lesson's risks are the policy risks worries are filed under: one list (classroom/risks.py).
Risk = PolicyRisk


class Strand(StrEnum):
    """The eight strands of UKCIS Education for a Connected World."""

    SELF_IMAGE_IDENTITY = "self_image_identity"
    ONLINE_RELATIONSHIPS = "online_relationships"
    ONLINE_REPUTATION = "online_reputation"
    ONLINE_BULLYING = "online_bullying"
    MANAGING_ONLINE_INFORMATION = "managing_online_information"
    HEALTH_WELLBEING_LIFESTYLE = "health_wellbeing_lifestyle"
    PRIVACY_SECURITY = "privacy_security"
    COPYRIGHT_OWNERSHIP = "copyright_ownership"


class StepKind(StrEnum):
    """What a pupil does on one screen of a lesson."""

    STORY = "story"
    CHOOSE = "choose"
    SORT = "sort"
    YES_NO = "yes_no"
    WHO_CAN_I_TELL = "who_can_i_tell"
    CAUSE_EFFECT = "cause_effect"
    # Pre-formal kinds that match what pre-formal objectives ask of a pupil (issue 12):
    UNTIL_I_ACT = "until_i_act"  # a sound and movement go on until the pupil stops or finishes it
    ONLY_IF_YES = "only_if_yes"  # something happens only after a yes; a no is honoured
    ANTICIPATE = "anticipate"  # wait ... then the reward, when the pupil acts
    ME = "me"  # the pupil's own photo (or their own tile picture)


class Engagement(StrEnum):
    """The Engagement Model's areas: what staff look for on a pre-formal step."""

    RESPONSIVENESS = "responsiveness"
    CURIOSITY = "curiosity"
    DISCOVERY = "discovery"
    ANTICIPATION = "anticipation"
    PERSISTENCE = "persistence"
    INITIATION = "initiation"


class Place(StrEnum):
    """Where the adults a who-can-I-tell step shows are: at school, or at home."""

    SCHOOL = "school"
    HOME = "home"


class Action(StrEnum):
    """What the pupil does to end an until-I-act step."""

    STOP = "stop"
    FINISH = "finish"


class Sound(StrEnum):
    """Cause-and-effect sounds; all gentle, because a startling sound can distress a pupil."""

    CHIME = "chime"
    POP = "pop"
    DRUM = "drum"
    BELL = "bell"
    CLAP = "clap"
    SHAKER = "shaker"


class Animation(StrEnum):
    """Cause-and-effect animations; the app swaps them for a still frame under reduced motion."""

    BOUNCE = "bounce"
    SPARKLE = "sparkle"
    SPIN = "spin"
    GROW = "grow"
    WIGGLE = "wiggle"


# Pupils mostly cannot read and hear every word spoken, so text stays short and literal.
MAX_WORDS = {Pathway.PRE_FORMAL: 12, Pathway.SEMI_FORMAL: 12, Pathway.FORMAL: 25}
MAX_LABEL_WORDS = 8
MAX_TITLE_WORDS = 6
STEPS_PER_VERSION = (3, 7)
OPTIONS_PER_CHOOSE = (2, 4)
ITEMS_PER_SORT = (3, 6)


@dataclass(frozen=True)
class Text:
    """One piece of pupil-facing text and the stable id that audio and symbols attach to."""

    id: str
    text: str


@dataclass(frozen=True)
class Objective:
    """What a pupil on one pathway is learning; staff assess against its id."""

    id: str
    text: str


@dataclass(frozen=True)
class Option:
    """One answer in a choose step."""

    text: Text
    symbol: str
    correct: bool
    # The earlier screen this answer goes back to: "More" in a turn-taking game brings another
    # turn, and only "Finished" goes on (a request honoured, not just recorded).
    again: int | None = None


class AgainBreak(StrEnum):
    """Why an answer's `again` (Next goes back to an earlier step) could not work: the rule
    the lesson reader keeps (`reader.again_breaks`), each caller saying it in its own words."""

    NOT_EARLIER = "not_earlier"  # not the number of an earlier step
    WRONG_ANSWER = "wrong_answer"  # on a wrong answer, after which the pupil never goes on
    NO_WAY_ON = "no_way_on"  # every right answer goes back: the step could never be finished


@dataclass(frozen=True)
class SortGroup:
    """One of the two places items are sorted into."""

    label: Text
    symbol: str


@dataclass(frozen=True)
class SortItem:
    """One thing to sort; group is an index into SortStep.groups (0 or 1)."""

    text: Text
    symbol: str
    group: int


@dataclass(frozen=True)
class BaseStep:
    """Fields every step has: its id, its place (from 1), main text and picture."""

    kind: ClassVar[StepKind]
    id: str
    number: int
    text: Text
    symbol: str
    # For staff: what to look for (required on every pre-formal step), never shown to pupils.
    note: str = field(default="", kw_only=True)
    look_for: Engagement | None = field(default=None, kw_only=True)

    def texts(self) -> Iterator[Text]:
        """Every pupil-facing text on this step, in reading order."""
        yield self.text


@dataclass(frozen=True)
class StoryStep(BaseStep):
    """A sentence with a picture, read aloud."""

    kind: ClassVar[StepKind] = StepKind.STORY


@dataclass(frozen=True)
class ChooseStep(BaseStep):
    """A question with 2 to 4 picture options; feedback always shows the right answer."""

    kind: ClassVar[StepKind] = StepKind.CHOOSE
    options: tuple[Option, ...]
    feedback: Text
    # A question about the pupil's own photo ("Share this photo with home?") shows it above
    # the question, in place of the step's picture (only while carers' photo consent holds).
    own_photo: bool = False

    def texts(self) -> Iterator[Text]:
        """Question, options, then feedback."""
        yield self.text
        yield from (option.text for option in self.options)
        yield self.feedback


@dataclass(frozen=True)
class SortStep(BaseStep):
    """Sort 3 to 6 items into two labelled groups."""

    kind: ClassVar[StepKind] = StepKind.SORT
    groups: tuple[SortGroup, SortGroup]
    items: tuple[SortItem, ...]
    feedback: Text

    def texts(self) -> Iterator[Text]:
        """Prompt, group labels, items, then feedback."""
        yield self.text
        yield from (group.label for group in self.groups)
        yield from (item.text for item in self.items)
        yield self.feedback


@dataclass(frozen=True)
class YesNoStep(BaseStep):
    """A statement the pupil answers yes or no to."""

    kind: ClassVar[StepKind] = StepKind.YES_NO
    answer: bool
    feedback: Text

    def texts(self) -> Iterator[Text]:
        """Statement, then feedback."""
        yield self.text
        yield self.feedback


@dataclass(frozen=True)
class WhoCanITellStep(BaseStep):
    """A prompt; the app shows the pupil's own trusted adults' photos beneath it: only those at
    school, or at home, when the prompt asks about one place ("Who can you tell at home?")."""

    kind: ClassVar[StepKind] = StepKind.WHO_CAN_I_TELL
    place: Place | None = None


@dataclass(frozen=True)
class CauseEffectStep(BaseStep):
    """Tap (or press a switch) anywhere: a sound plays and the symbol animates."""

    kind: ClassVar[StepKind] = StepKind.CAUSE_EFFECT
    sound: Sound
    animation: Animation


@dataclass(frozen=True)
class UntilIActStep(BaseStep):
    """A sound and movement repeat until the pupil presses stop (or finished) themselves."""

    kind: ClassVar[StepKind] = StepKind.UNTIL_I_ACT
    sound: Sound
    animation: Animation
    action: Action


@dataclass(frozen=True)
class OnlyIfYesStep(BaseStep):
    """Asks yes or no; `then` (with its sound) happens only after a yes, `if_no` after a no."""

    kind: ClassVar[StepKind] = StepKind.ONLY_IF_YES
    then: Text
    then_symbol: str
    sound: Sound
    if_no: Text

    def texts(self) -> Iterator[Text]:
        """Question, what happens after yes, what is said after no."""
        yield self.text
        yield self.then
        yield self.if_no


@dataclass(frozen=True)
class AnticipateStep(BaseStep):
    """Ready, steady ... after `wait` seconds the picture is ready; the pupil's tap brings it."""

    kind: ClassVar[StepKind] = StepKind.ANTICIPATE
    sound: Sound
    animation: Animation
    wait: int


@dataclass(frozen=True)
class MeStep(BaseStep):
    """The pupil's own photo (their tile picture if there is none); a tap plays a sound."""

    kind: ClassVar[StepKind] = StepKind.ME
    sound: Sound


Step: TypeAlias = (
    StoryStep
    | ChooseStep
    | SortStep
    | YesNoStep
    | WhoCanITellStep
    | CauseEffectStep
    | UntilIActStep
    | OnlyIfYesStep
    | AnticipateStep
    | MeStep
)


@dataclass(frozen=True)
class Version:
    """A lesson as taught on one pathway."""

    pathway: Pathway
    objective: Objective
    steps: tuple[Step, ...]

    def texts(self) -> Iterator[Text]:
        """Every pupil-facing text in this version, in order."""
        for step in self.steps:
            yield from step.texts()


@dataclass(frozen=True)
class Lesson:
    """One topic with a version for each pathway."""

    id: str
    number: int
    title: Text
    topic: str
    symbol: str
    strands: tuple[Strand, ...]
    risks: tuple[Risk, ...]
    teacher_enabled_only: bool
    staff_note: str
    # Lesson files have all three pathways; a teacher's lesson may have one or two.
    versions: tuple[Version, ...]
    source: Path
    # For pupils of these ages only (inclusive), if set: no one outside them is given it.
    ages: tuple[int, int] | None = None
    # A teacher's lesson its author withdrew: kept so records on it still show, but never
    # offered, added to a map or played (`Catalogue.available`, `maps`).
    withdrawn: bool = False

    def for_age(self, age: int) -> bool:
        return self.ages is None or self.ages[0] <= age <= self.ages[1]

    @property
    def ages_label(self) -> str:
        """"aged 14 to 19" (or "aged 18 and 19"), for staff; empty for every age."""
        if self.ages is None:
            return ""
        low, high = self.ages
        return f"aged {low} {'and' if high == low + 1 else 'to'} {high}"

    def version(self, pathway: Pathway) -> Version:
        """The version for one pathway; for a pathway not written, the nearest one written.

        A lesson a teacher wrote for one pathway is taught as written to whoever it is given.
        """
        for version in self.versions:  # the usual case, asked for every cell of a heatmap
            if version.pathway is pathway:
                return version
        order = list(Pathway)

        def distance(version: Version) -> int:
            return abs(order.index(version.pathway) - order.index(pathway))

        return min(self.versions, key=distance)

    @property
    def pathways(self) -> tuple[Pathway, ...]:
        """The pathways this lesson has a version for."""
        return tuple(v.pathway for v in self.versions)


@dataclass(frozen=True)
class Catalogue:
    """Every lesson, ordered by number, with lookups by lesson id and objective id."""

    lessons: tuple[Lesson, ...]
    # A school's catalogue keeps the lesson files it was built on: a class's default map is
    # made of lesson files only, whatever teachers have shared.
    base: Catalogue | None = field(default=None, repr=False, compare=False)
    _by_id: Mapping[str, Lesson] = field(init=False, repr=False, compare=False)
    _objectives: Mapping[str, tuple[Lesson, Version]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen, so the indexes are set once here rather than by assignment.
        by_id = {lesson.id: lesson for lesson in self.lessons}
        objectives = {
            v.objective.id: (lesson, v) for lesson in self.lessons for v in lesson.versions
        }
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_objectives", objectives)

    def __iter__(self) -> Iterator[Lesson]:
        return iter(self.lessons)

    def files(self) -> Catalogue:
        """The lesson files alone: this catalogue, unless teacher lessons were added to it."""
        return self if self.base is None else self.base

    def __len__(self) -> int:
        return len(self.lessons)

    def __contains__(self, lesson_id: object) -> bool:
        return lesson_id in self._by_id

    def get(self, lesson_id: str) -> Lesson:
        """The lesson with this id; KeyError if there is none."""
        return self._by_id[lesson_id]

    def objective(self, objective_id: str) -> tuple[Lesson, Version]:
        """The lesson and version an objective id belongs to; KeyError if unknown."""
        return self._objectives[objective_id]

    def available(self, enabled: Collection[str] = ()) -> tuple[Lesson, ...]:
        """Lessons a pupil may see: all but withdrawn ones and teacher-enabled ones not in
        `enabled`."""
        return tuple(
            lesson
            for lesson in self.lessons
            if not lesson.withdrawn and (not lesson.teacher_enabled_only or lesson.id in enabled)
        )

    def offered(self) -> tuple[Lesson, ...]:
        """Lessons that may still be put on a map or chosen: all but withdrawn ones."""
        return tuple(lesson for lesson in self.lessons if not lesson.withdrawn)

    def addable(self, lesson_id: object) -> bool:
        """Whether a lesson id is in the catalogue and not withdrawn."""
        found = self._by_id.get(lesson_id) if isinstance(lesson_id, str) else None
        return found is not None and not found.withdrawn

    def strands(self) -> frozenset[Strand]:
        """Strands covered by at least one lesson."""
        return frozenset(s for lesson in self.lessons for s in lesson.strands)

    def risks(self) -> frozenset[Risk]:
        """Policy risks covered by at least one lesson."""
        return frozenset(r for lesson in self.lessons for r in lesson.risks)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson file, phrased for the teacher who will fix it."""

    file: str
    line: int | None
    reason: str
    # For a caller that says a rule in its own words (the lesson editor, beside its boxes):
    # the rule broken (an AgainBreak) and where in the lesson's data the value sits.
    rule: str = ""
    key: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


class LessonError(Exception):
    """The lessons folder has problems; the app refuses to start until they are fixed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the lesson files:"
        super().__init__("\n".join([heading, *(f"  {p}" for p in self.problems)]))


