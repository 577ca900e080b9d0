"""Lesson content: read lessons/*.toml, check every rule, return frozen dataclasses.

This is the only code that reads the lessons/ folder (STYLE.md, "Content as data").
One lesson per file, named `NN-<id>.toml` (e.g. `09-kind-and-unkind.toml`):

    id = "kind-and-unkind"          # slug, never changes once pupils have records
    number = 9                      # order on the lesson map; also the text-id prefix
    title = "Kind and unkind"       # pupil-facing tile label
    topic = "Kind and unkind messages"   # staff-facing curriculum topic
    symbol = "1F4AC"                # OpenMoji code (or our own symbols/svg slug)
    strands = ["online_bullying"]   # UKCIS Education for a Connected World strands
    risks = ["cyberbullying"]       # named risks from the school's e-safety policy
    teacher_enabled_only = false    # optional; true hides the lesson until a teacher enables it
    staff_note = "..."              # optional; shown to staff only

    [semi_formal]                   # also [pre_formal] and [formal]; all three required
    objective = { id = "kind-and-unkind.sf", text = "Sorts kind and unkind messages" }

    [[semi_formal.steps]]           # 3 to 7 steps per pathway
    kind = "choose"                 # story | choose | sort | yes_no | who_can_i_tell | cause_effect
    text = "Which message is kind?"
    symbol = "1F4AC"
    options = [ { text = "Well done!", symbol = "1F44F", correct = true }, ... ]   # 2 to 4
    feedback = "'Well done!' is kind."

Kind-specific keys: choose has options + feedback; sort has groups (exactly 2, each
{ label, symbol }), items (3 to 6, each { text, symbol, group = 1 or 2 }) + feedback;
yes_no has answer (true/false) + feedback; cause_effect has sound + animation.

Every pupil-facing text gets a stable id derived from its place, so audio, symbols and
translations can attach to it: `09.title`, then `09.sf.s2.text` (the step's main text),
`09.sf.s2.o1` (option 1), `09.sf.s2.g1` (sort group 1), `09.sf.s2.i3` (sort item 3) and
`09.sf.s2.fb` (feedback). Objective ids are explicit because assessment records keep them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import re
import tomllib
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, TypeAlias, TypeVar

from classroom.config import ROOT
from classroom.lessons.glossary import GLOSSARY_FILE, Glossary, GlossaryError, load_glossary
from classroom.symbols.lesson_check import lesson_picture_problems
from classroom.symbols.library import svg_path

LESSONS_DIR = ROOT / "lessons"


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


class Risk(StrEnum):
    """The risks the school's e-safety policy names; every one must be taught somewhere."""

    COPYRIGHT = "copyright"
    OBSESSIVE_USE = "obsessive_use"
    INAPPROPRIATE_MATERIAL = "inappropriate_material"
    ANTISOCIAL_ILLEGAL_BEHAVIOUR = "antisocial_illegal_behaviour"
    PHYSICAL_DANGER_ABUSE = "physical_danger_abuse"
    CYBERBULLYING = "cyberbullying"
    SOCIAL_NETWORKING = "social_networking"
    EMAIL_ATTACHMENTS = "email_attachments"
    PHISHING = "phishing"


class Pathway(StrEnum):
    """How a pupil learns: sensory and cause-and-effect, symbols and routines, or short text."""

    PRE_FORMAL = "pre_formal"
    SEMI_FORMAL = "semi_formal"
    FORMAL = "formal"

    @property
    def code(self) -> str:
        """The short form used inside text ids: pf, sf or f."""
        return _PATHWAY_CODES[self]


_PATHWAY_CODES = {Pathway.PRE_FORMAL: "pf", Pathway.SEMI_FORMAL: "sf", Pathway.FORMAL: "f"}


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
    """A prompt; the app shows the pupil's own trusted adults' photos beneath it."""

    kind: ClassVar[StepKind] = StepKind.WHO_CAN_I_TELL


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
    versions: tuple[Version, Version, Version]
    source: Path

    def version(self, pathway: Pathway) -> Version:
        """The version for one pathway."""
        return next(v for v in self.versions if v.pathway is pathway)


@dataclass(frozen=True)
class Catalogue:
    """Every lesson, ordered by number, with lookups by lesson id and objective id."""

    lessons: tuple[Lesson, ...]
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
        """Lessons a pupil may see: all but teacher-enabled ones not in `enabled`."""
        return tuple(
            lesson
            for lesson in self.lessons
            if not lesson.teacher_enabled_only or lesson.id in enabled
        )

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


def load_lessons(
    folder: Path = LESSONS_DIR, *, symbol_exists: Callable[[str], bool] | None = None
) -> Catalogue:
    """Read and check every lesson file in `folder`; raise LessonError listing all problems."""
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    files = [path for path in files if path.name != GLOSSARY_FILE.name]
    if not files:
        raise LessonError([Problem(str(folder), None, "no lesson files (*.toml) found here")])
    check_symbol = symbol_exists or _symbol_file_exists
    glossary = _checked_glossary()
    readers = [
        _LessonReader(path, f"{folder.name}/{path.name}", check_symbol, glossary) for path in files
    ]
    lessons = [reader.read() for reader in readers]
    # Files in name order, and each file's problems top to bottom, as a teacher fixes them.
    problems = [p for r in readers for p in sorted(r.problems, key=lambda p: p.line or 0)]
    problems += _duplicates([claim for reader in readers for claim in reader.claims])
    problems += _catalogue_cues(readers)
    if problems:
        raise LessonError(problems)
    ready = [lesson for lesson in lessons if lesson is not None]
    # One picture per word on every screen, cards that agree with the word list (symbols/).
    pictures = lesson_picture_problems(ready)
    if pictures:
        raise LessonError([Problem(f"{folder.name}/{f.name}", None, r) for f, r in pictures])
    return Catalogue(tuple(sorted(ready, key=lambda lesson: lesson.number)))


def check_document(
    data: Mapping[str, Any],
    source_name: str,
    *,
    symbol_exists: Callable[[str], bool] | None = None,
) -> Lesson:
    """Check one lesson given as data (a teacher's, from a form) by the lesson-file rules.

    The app assigns `id` and `number` (teacher lessons are numbered from 100, after the files),
    so those are taken as given; every other rule is the file rule. Raises LessonError.
    """
    reader = _DocumentReader(data, source_name, symbol_exists or _symbol_file_exists)
    reader.glossary = _checked_glossary()
    lesson = reader.read()
    if reader.problems or lesson is None:
        raise LessonError(reader.problems or [Problem(source_name, None, "is empty")])
    return lesson


NO_GLOSSARY = Glossary((), ())


def _checked_glossary() -> Glossary:
    try:
        return load_glossary()
    except GlossaryError as error:
        raise LessonError([Problem(f"lessons/{GLOSSARY_FILE.name}", None, str(error))]) from None


def all_pupil_texts(catalogue: Catalogue) -> Iterator[tuple[str, str]]:
    """Every (text id, text) a pupil can see, for audio pre-generation and symbol checks."""
    for lesson in catalogue:
        yield lesson.title.id, lesson.title.text
        for version in lesson.versions:
            for text in version.texts():
                yield text.id, text.text


def _symbol_file_exists(code: str) -> bool:
    return svg_path(code) is not None


# --- finding the line a value came from --------------------------------------------------
# tomllib reports lines only for syntax errors, so a small scanner re-reads the (already
# valid) source and records the line where each key, table and array element starts.

Key: TypeAlias = tuple[str | int, ...]
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}\n#]")


class _LineMap:
    """Line numbers of every key path in a TOML document, e.g. ('formal', 'steps', 2)."""

    def __init__(self, source: str) -> None:
        self._src = source
        self._pos = 0
        self._newlines = [i for i, ch in enumerate(source) if ch == "\n"]
        self._lines: dict[Key, int] = {}
        self._array_tables: dict[Key, int] = {}
        # Keep whatever was mapped if the scan trips; unmapped paths use their parent's line.
        with contextlib.suppress(IndexError, ValueError):
            self._document()

    def line(self, path: Key) -> int:
        """The line of `path`, or of its nearest mapped parent, or 1."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return 1

    def _here(self) -> int:
        return bisect_right(self._newlines, self._pos - 1) + 1

    def _mark(self, path: Key) -> None:
        self._lines.setdefault(path, self._here())

    def _document(self) -> None:
        table: Key = ()
        while self._skip(newlines=True) < len(self._src):
            if self._src.startswith("[[", self._pos):
                table = self._array_table_header()
            elif self._src[self._pos] == "[":
                table = self._table_header()
            else:
                self._key_value(table)

    def _array_table_header(self) -> Key:
        line = self._here()
        self._pos += 2
        *parents, last = self._key()
        array = (*self._resolve(parents), last)
        index = self._array_tables.get(array, 0)
        self._array_tables[array] = index + 1
        self._pos = self._src.index("]]", self._pos) + 2
        self._lines.setdefault(array, line)
        self._lines[(*array, index)] = line
        return (*array, index)

    def _table_header(self) -> Key:
        line = self._here()
        self._pos += 1
        table = self._resolve(self._key())
        self._pos = self._src.index("]", self._pos) + 1
        self._lines.setdefault(table, line)
        return table

    def _resolve(self, parts: list[str]) -> Key:
        # A name that is an array of tables means "its latest element", as in TOML itself.
        path: Key = ()
        for part in parts:
            path = (*path, part)
            if path in self._array_tables:
                path = (*path, self._array_tables[path] - 1)
        return path

    def _key_value(self, table: Key) -> None:
        path = (*table, *self._key())
        self._mark(path)
        self._skip()
        self._pos += 1  # the "="
        self._value(path)

    def _key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self._skip()
            quote = self._src[self._pos]
            if quote in "\"'":
                end = self._src.index(quote, self._pos + 1)
                parts.append(self._src[self._pos + 1 : end])
                self._pos = end + 1
            else:
                match = _BARE_KEY.match(self._src, self._pos)
                if match is None:
                    raise ValueError("not a key")
                parts.append(match.group())
                self._pos = match.end()
            self._skip()
            if self._src[self._pos] != ".":
                return parts
            self._pos += 1

    def _value(self, path: Key) -> None:
        self._skip()
        ch = self._src[self._pos]
        if ch == "[":
            self._array(path)
        elif ch == "{":
            self._inline_table(path)
        elif ch in "\"'":
            self._string()
        else:
            match = _SCALAR_END.search(self._src, self._pos)
            self._pos = match.start() if match else len(self._src)

    def _array(self, path: Key) -> None:
        self._pos += 1
        index = 0
        while self._skip(newlines=True) < len(self._src) and self._src[self._pos] != "]":
            self._mark((*path, index))
            self._value((*path, index))
            self._skip(newlines=True)
            if self._src[self._pos] == ",":
                self._pos += 1
                index += 1
        self._pos += 1

    def _inline_table(self, path: Key) -> None:
        self._pos += 1
        while self._skip(newlines=True) < len(self._src) and self._src[self._pos] != "}":
            if self._src[self._pos] == ",":
                self._pos += 1
                continue
            self._key_value(path)
        self._pos += 1

    def _string(self) -> None:
        quote = self._src[self._pos]
        delimiter = quote * 3 if self._src.startswith(quote * 3, self._pos) else quote
        self._pos += len(delimiter)
        while not self._src.startswith(delimiter, self._pos):
            # Only basic ("...") strings have escapes; literal ('...') strings do not.
            self._pos += 2 if quote == '"' and self._src[self._pos] == "\\" else 1
        self._pos += len(delimiter)
        while self._src.startswith(quote, self._pos):  # up to two quotes may close a """ string
            self._pos += 1

    def _skip(self, *, newlines: bool = False) -> int:
        """Move past spaces and comments (and newlines if asked); return the new position."""
        space = " \t\r\n" if newlines else " \t"
        while self._pos < len(self._src):
            ch = self._src[self._pos]
            if ch in space:
                self._pos += 1
            elif ch == "#":
                end = self._src.find("\n", self._pos)
                self._pos = len(self._src) if end < 0 else end
            else:
                break
        return self._pos


# --- reading and checking one lesson file -------------------------------------------------

LESSON_KEYS = {"id", "number", "title", "topic", "symbol", "strands", "risks", *Pathway}
LESSON_OPTIONAL = {"teacher_enabled_only", "staff_note"}
STEP_KEYS = {"kind", "text", "symbol"}
STEP_EXTRA_KEYS: dict[StepKind, set[str]] = {
    StepKind.STORY: set(),
    StepKind.CHOOSE: {"options", "feedback"},
    StepKind.SORT: {"groups", "items", "feedback"},
    StepKind.YES_NO: {"answer", "feedback"},
    StepKind.WHO_CAN_I_TELL: set(),
    StepKind.CAUSE_EFFECT: {"sound", "animation"},
    StepKind.UNTIL_I_ACT: {"sound", "animation", "action"},
    StepKind.ONLY_IF_YES: {"then", "then_symbol", "sound", "if_no"},
    StepKind.ANTICIPATE: {"sound", "animation", "wait"},
    StepKind.ME: {"sound"},
}
STAFF_KEYS = {"note", "look_for"}
WAIT_SECONDS = (2, 8)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_OBJECTIVE_ID = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")
_TOML_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$")
E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class _Claim:
    """An id a lesson file uses that must be unique across the whole folder."""

    what: str
    value: str
    file: str
    line: int


@dataclass(frozen=True)
class _At:
    """Where a value sits: its key path (for the line) and how to name it to a teacher."""

    path: Key
    where: str

    def child(self, key: str | int, where: str | None = None) -> _At:
        """A value inside this one."""
        return _At((*self.path, key), where or self.where)


class _LessonReader:
    """Checks one lesson file, collecting every problem rather than stopping at the first."""

    def __init__(
        self,
        path: Path,
        display: str,
        check_symbol: Callable[[str], bool],
        glossary: Glossary = NO_GLOSSARY,
    ) -> None:
        self.path = path
        self.display = display
        self.check_symbol = check_symbol
        self.glossary = glossary
        self.staff_notes_required = True
        self.problems: list[Problem] = []
        self.claims: list[_Claim] = []
        # Pictures on right and wrong answers, for the cue checks across all lessons.
        self.right_pictures: list[tuple[str, int]] = []
        self.wrong_pictures: set[str] = set()
        self.lines = _LineMap("")
        self.prefix = "00"

    def read(self) -> Lesson | None:
        """The lesson, or None if the file could not be parsed at all."""
        data = self._parse()
        return None if data is None else self._lesson(data)

    def fail(self, path: Key, reason: str) -> None:
        """Record a problem at the line where `path` (or its nearest parent) is written."""
        self.problems.append(Problem(self.display, self.lines.line(path), reason))

    def _parse(self) -> dict[str, Any] | None:
        try:
            source = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problems.append(Problem(self.display, None, "is not UTF-8 text"))
            return None
        try:
            data = tomllib.loads(source)
        except tomllib.TOMLDecodeError as error:
            match = _TOML_LINE.search(str(error))
            line = int(match.group(1)) if match else None
            reason = f"this is not valid TOML: {_TOML_LINE.sub('', str(error))}"
            self.problems.append(Problem(self.display, line, reason))
            return None
        self.lines = _LineMap(source)
        return data

    # lesson level ----------------------------------------------------------------------

    def _lesson(self, data: dict[str, Any]) -> Lesson:
        at = _At((), "the lesson")
        self._keys(data, at, LESSON_KEYS, LESSON_OPTIONAL)
        lesson_id, number = self._identity(data)
        self.prefix = f"{number:02d}"
        versions = [self._version(data, pathway) for pathway in Pathway]
        self._cues(versions)
        return Lesson(
            id=lesson_id,
            number=number,
            title=self._text(
                data,
                "title",
                at.child("title", "the title"),
                MAX_TITLE_WORDS,
                f"{self.prefix}.title",
            ),
            topic=self._plain(data, "topic", at.child("topic", "the topic")),
            symbol=self._symbol(data, at),
            strands=self._names(data, "strands", Strand, "UKCIS strand"),
            risks=self._names(data, "risks", Risk, "policy risk", allow_empty=True),
            teacher_enabled_only=self._flag(data, "teacher_enabled_only", at),
            staff_note=self._plain(data, "staff_note", at.child("staff_note", "the staff note")),
            versions=(versions[0], versions[1], versions[2]),
            source=self.path,
        )

    def _cues(self, versions: list[Version]) -> None:
        """Refuse pictures that give the answer away, so a pupil must think, not spot a cue.

        Two cues: the question's own picture repeated only on its right answers, and a picture
        that sits on right answers in two or more steps but never on a wrong one.
        """
        right: dict[str, list[Key]] = {}
        wrong = self.wrong_pictures
        for version in versions:
            for step in version.steps:
                if not isinstance(step, ChooseStep) or all(o.correct for o in step.options):
                    continue  # where every answer is fine, nothing is given away
                path: Key = (version.pathway.value, "steps", step.number - 1, "options")
                for n, option in enumerate(step.options):
                    if option.correct:
                        right.setdefault(option.symbol, []).append((*path, n))
                        self.right_pictures.append((option.symbol, self.lines.line((*path, n))))
                    else:
                        wrong.add(option.symbol)
                self._question_cue(step, path)
        for symbol, places in right.items():
            steps = {place[:3] for place in places}
            if len(steps) >= 2 and symbol not in wrong:
                self.fail(
                    places[-1],
                    f"picture {symbol} is on the right answer in {len(steps)} steps and never on "
                    "a wrong one, so it gives the answer away; use it on a wrong answer too, "
                    "or choose different pictures",
                )

    def _question_cue(self, step: ChooseStep, path: Key) -> None:
        matching = [o for o in step.options if o.symbol == step.symbol]
        if matching and all(o.correct for o in matching):
            self.fail(
                path,
                f"step {step.number} uses its own picture {step.symbol} on its right answer "
                "only, so the picture gives the answer away; choose a different picture",
            )

    def _identity(self, data: dict[str, Any]) -> tuple[str, int]:
        lesson_id = data.get("id", "")
        number = data.get("number", 0)
        if not (isinstance(lesson_id, str) and _SLUG.match(lesson_id)) and "id" in data:
            self.fail(("id",), "id must be lower-case words joined by hyphens, like 'kind-words'")
            lesson_id = ""
        if (type(number) is not int or not 1 <= number <= 99) and "number" in data:
            self.fail(("number",), "number must be a whole number from 1 to 99")
            number = 0
        if lesson_id and number:
            self._claim_identity(lesson_id, number)
        return str(lesson_id), int(number)

    def _claim_identity(self, lesson_id: str, number: int) -> None:
        expected = f"{number:02d}-{lesson_id}.toml"
        if self.path.name != expected:
            self.fail(("id",), f"the file name should be {expected}, to match number and id")
        self._claim("lesson id", lesson_id, ("id",))
        # Text ids start with the number, so a unique number keeps every text id unique.
        self._claim("lesson number", str(number), ("number",))

    def _claim(self, what: str, value: str, path: Key) -> None:
        self.claims.append(_Claim(what, value, self.display, self.lines.line(path)))

    def _names(
        self,
        data: dict[str, Any],
        key: str,
        kind: type[E],
        what: str,
        *,
        allow_empty: bool = False,
    ) -> tuple[E, ...]:
        values = data.get(key, [])
        if not isinstance(values, list) or not (values or allow_empty):
            names = ", ".join(member.value for member in kind)
            self.fail((key,), f"{key} must be a list in square brackets, from: {names}")
            return ()
        known = [member.value for member in kind]
        found: list[E] = []
        for index, value in enumerate(values):
            if value in found:
                self.fail((key, index), f"{what} '{value}' is listed twice")
            elif value in known:
                found.append(kind(value))
            else:
                self.fail((key, index), f"unknown {what} {value!r}{_hint(value, known)}")
        return tuple(found)

    # pathways --------------------------------------------------------------------------

    def _version(self, data: dict[str, Any], pathway: Pathway) -> Version:
        table = data.get(pathway.value)
        at = _At((pathway.value,), pathway.value)
        empty = Version(pathway, Objective("", ""), ())
        if table is None:
            return empty  # the missing pathway is reported by _keys
        if not isinstance(table, dict):
            self.fail(at.path, f"{pathway} must be a table: write [{pathway}] on its own line")
            return empty
        self._keys(table, at, {"objective", "steps"})
        objective = self._objective(table.get("objective"), pathway)
        return Version(pathway, objective, self._steps(table.get("steps"), pathway))

    def _objective(self, table: object, pathway: Pathway) -> Objective:
        at = _At((pathway.value, "objective"), f"the objective of {pathway}")
        if table is None:
            return Objective("", "")
        if not isinstance(table, dict):
            self.fail(at.path, f'{at.where} must look like {{ id = "...", text = "..." }}')
            return Objective("", "")
        self._keys(table, at, {"id", "text"})
        objective_id = self._plain(table, "id", at.child("id", f"the id of {at.where}"))
        if objective_id and not _OBJECTIVE_ID.match(objective_id):
            self.fail(
                (*at.path, "id"),
                f"{at.where} has id {objective_id!r}; use lower-case "
                "words, dots and hyphens, like 'kind-words.sf'",
            )
        elif objective_id:
            self._claim("objective id", objective_id, (*at.path, "id"))
        text = self._plain(table, "text", at.child("text"))
        self._glossary_words(text, at.child("text"))
        return Objective(objective_id, text)

    def _steps(self, steps: object, pathway: Pathway) -> tuple[Step, ...]:
        path: Key = (pathway.value, "steps")
        if steps is None:
            return ()
        if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
            self.fail(path, f"steps of {pathway} must be written as [[{pathway}.steps]] tables")
            return ()
        low, high = STEPS_PER_VERSION
        if not low <= len(steps) <= high:
            self.fail(path, f"{pathway} has {len(steps)} steps; use {low} to {high}")
        built = (self._step(step, pathway, n) for n, step in enumerate(steps, start=1))
        return tuple(step for step in built if step is not None)

    # steps -----------------------------------------------------------------------------

    def _step(self, table: dict[str, Any], pathway: Pathway, number: int) -> Step | None:
        at = _At((pathway.value, "steps", number - 1), f"step {number} of {pathway}")
        kind = self._kind(table, at)
        if kind is None:
            return None
        # Every pre-formal step tells staff what to look for (the Engagement Model).
        required = STEP_KEYS | STEP_EXTRA_KEYS[kind]
        if pathway is Pathway.PRE_FORMAL and self.staff_notes_required:
            required |= STAFF_KEYS
        self._keys(table, _At(at.path, f"{at.where} (a '{kind}' step)"), required, STAFF_KEYS)
        step_id = f"{self.prefix}.{pathway.code}.s{number}"
        text = self._text(table, "text", at.child("text"), MAX_WORDS[pathway], f"{step_id}.text")
        base = _Base(step_id, number, text, self._symbol(table, at))
        feedback = Text(f"{step_id}.fb", "")
        if "feedback" in STEP_EXTRA_KEYS[kind]:
            feedback_at = at.child("feedback", f"the feedback of {at.where}")
            feedback = self._text(table, "feedback", feedback_at, MAX_WORDS[pathway], feedback.id)
        step = self._kind_step(kind, table, at, base, feedback)
        note = self._plain(table, "note", at.child("note", f"the note of {at.where}"))
        look_for = None
        if "look_for" in table:
            look_for = self._choice(table, "look_for", at, Engagement, Engagement.RESPONSIVENESS)
        return dataclasses.replace(step, note=note, look_for=look_for)

    def _kind(self, table: dict[str, Any], at: _At) -> StepKind | None:
        name = table.get("kind")
        known = [kind.value for kind in StepKind]
        if name in known:
            return StepKind(name)
        use = f"; use one of: {', '.join(known)}"
        if name is None:
            self.fail(at.path, f"{at.where} is missing 'kind'{use}")
        else:
            self.fail((*at.path, "kind"), f"{at.where} has kind {name!r}{_hint(name, known)}{use}")
        return None

    def _kind_step(
        self, kind: StepKind, table: dict[str, Any], at: _At, base: _Base, feedback: Text
    ) -> Step:
        fields = (base.id, base.number, base.text, base.symbol)
        if kind is StepKind.CHOOSE:
            return ChooseStep(*fields, self._options(table, at, base.id), feedback)
        if kind is StepKind.SORT:
            groups, items = self._sort(table, at, base.id)
            return SortStep(*fields, groups, items, feedback)
        if kind is StepKind.YES_NO:
            return YesNoStep(*fields, self._flag(table, "answer", at), feedback)
        if kind is StepKind.CAUSE_EFFECT:
            sound = self._choice(table, "sound", at, Sound, Sound.CHIME)
            return CauseEffectStep(
                *fields, sound, self._choice(table, "animation", at, Animation, Animation.GROW)
            )
        if kind is StepKind.WHO_CAN_I_TELL:
            return WhoCanITellStep(*fields)
        return self._pre_formal_step(kind, table, at, base) or StoryStep(*fields)

    def _pre_formal_step(
        self, kind: StepKind, table: dict[str, Any], at: _At, base: _Base
    ) -> Step | None:
        fields = (base.id, base.number, base.text, base.symbol)
        sound = self._choice(table, "sound", at, Sound, Sound.CHIME)
        animation = self._choice(table, "animation", at, Animation, Animation.GROW)
        if kind is StepKind.UNTIL_I_ACT:
            action = self._choice(table, "action", at, Action, Action.STOP)
            return UntilIActStep(*fields, sound, animation, action)
        if kind is StepKind.ONLY_IF_YES:
            limit = MAX_WORDS[Pathway.PRE_FORMAL]
            then = self._text(table, "then", at.child("then"), limit, f"{base.id}.then")
            if_no = self._text(table, "if_no", at.child("if_no"), limit, f"{base.id}.no")
            picture = {"symbol": table.get("then_symbol")}
            then_symbol = self._symbol(picture, at.child("then_symbol"))
            return OnlyIfYesStep(*fields, then, then_symbol, sound, if_no)
        if kind is StepKind.ANTICIPATE:
            return AnticipateStep(*fields, sound, animation, self._wait(table, at))
        if kind is StepKind.ME:
            return MeStep(*fields, sound)
        return None

    def _wait(self, table: dict[str, Any], at: _At) -> int:
        wait = table.get("wait", WAIT_SECONDS[0])
        low, high = WAIT_SECONDS
        if type(wait) is not int or not low <= wait <= high:
            self.fail((*at.path, "wait"), f"wait of {at.where} must be {low} to {high} seconds")
            return low
        return int(wait)

    def _options(self, table: dict[str, Any], at: _At, step_id: str) -> tuple[Option, ...]:
        options = []
        for n, entry in enumerate(self._entries(table, "options", at, OPTIONS_PER_CHOOSE), 1):
            entry_at = at.child("options").child(n - 1, f"option {n} of {at.where}")
            self._keys(entry, entry_at, {"text", "symbol"}, {"correct"})
            text = self._text(
                entry, "text", entry_at.child("text"), MAX_LABEL_WORDS, f"{step_id}.o{n}"
            )
            symbol = self._symbol(entry, entry_at)
            options.append(Option(text, symbol, self._flag(entry, "correct", entry_at)))
        if options and not any(option.correct for option in options):
            self.fail(
                (*at.path, "options"),
                f"{at.where} has no correct option; mark at least one with correct = true",
            )
        return tuple(options)

    def _sort(
        self, table: dict[str, Any], at: _At, step_id: str
    ) -> tuple[tuple[SortGroup, SortGroup], tuple[SortItem, ...]]:
        groups = [
            self._group(entry, at, step_id, n)
            for n, entry in enumerate(self._entries(table, "groups", at, (2, 2)), 1)
        ]
        items = tuple(
            self._item(entry, at, step_id, n)
            for n, entry in enumerate(self._entries(table, "items", at, ITEMS_PER_SORT), 1)
        )
        for index in range(len(groups) if items else 0):
            if all(item.group != index for item in items):
                self.fail(
                    (*at.path, "items"),
                    f"{at.where} has no items in group {index + 1}; give each group at least one",
                )
        blank = SortGroup(Text("", ""), "")
        groups += [blank] * (2 - len(groups))
        return (groups[0], groups[1]), items

    def _group(self, entry: dict[str, Any], at: _At, step_id: str, n: int) -> SortGroup:
        entry_at = at.child("groups").child(n - 1, f"group {n} of {at.where}")
        self._keys(entry, entry_at, {"label", "symbol"})
        label = self._text(
            entry, "label", entry_at.child("label"), MAX_LABEL_WORDS, f"{step_id}.g{n}"
        )
        return SortGroup(label, self._symbol(entry, entry_at))

    def _item(self, entry: dict[str, Any], at: _At, step_id: str, n: int) -> SortItem:
        entry_at = at.child("items").child(n - 1, f"item {n} of {at.where}")
        self._keys(entry, entry_at, {"text", "symbol", "group"})
        group = entry.get("group", 1)
        if type(group) is not int or group not in (1, 2):
            self.fail(
                (*entry_at.path, "group"), f"{entry_at.where} has group {group!r}; use 1 or 2"
            )
            group = 1
        text = self._text(entry, "text", entry_at.child("text"), MAX_LABEL_WORDS, f"{step_id}.i{n}")
        return SortItem(text, self._symbol(entry, entry_at), group - 1)

    def _entries(
        self, table: dict[str, Any], key: str, at: _At, limits: tuple[int, int]
    ) -> list[dict[str, Any]]:
        entries = table.get(key)
        if entries is None:
            return []  # the missing key is reported by _keys
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            self.fail((*at.path, key), f"{key} of {at.where} must be a list of {{ ... }} entries")
            return []
        low, high = limits
        if not low <= len(entries) <= high:
            use = str(low) if low == high else f"{low} to {high}"
            self.fail(
                (*at.path, key),
                f"{at.where} is a '{table['kind']}' step with {len(entries)} {key}; use {use}",
            )
        return entries

    # single values ---------------------------------------------------------------------

    def _keys(
        self,
        table: Mapping[str, Any],
        at: _At,
        required: Collection[str],
        optional: Collection[str] = (),
    ) -> None:
        allowed = sorted({*required, *optional})
        for key in table:
            if key not in allowed:
                self.fail(
                    (*at.path, key), f"unknown key '{key}' in {at.where}{_hint(key, allowed)}"
                )
        for key in sorted(set(required) - table.keys()):
            self.fail(at.path, f"{at.where} is missing '{key}'")

    def _text(self, table: Mapping[str, Any], key: str, at: _At, limit: int, text_id: str) -> Text:
        """Pupil-facing text of at most `limit` words, with its stable id."""
        value = self._plain(table, key, at)
        words = len(value.split())
        if words > limit:
            self.fail(at.path, f"{at.where} has {words} words; pupils need {limit} or fewer")
        self._glossary_words(value, at)
        return Text(text_id, value)

    def _glossary_words(self, value: str, at: _At) -> None:
        for reason in self.glossary.problems(value):
            self.fail(at.path, f"{at.where} {reason} (lessons/glossary.toml)")

    def _plain(self, table: Mapping[str, Any], key: str, at: _At) -> str:
        value = table.get(key)
        if value is None:
            return ""  # missing keys are reported once, by _keys
        if not isinstance(value, str) or not value.strip():
            self.fail(at.path, f"{at.where} must be some text in quotes")
            return ""
        return " ".join(value.split())  # line breaks in the file are not meaningful

    def _flag(self, table: Mapping[str, Any], key: str, at: _At) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.fail((*at.path, key), f"{key} of {at.where} must be true or false, without quotes")
            return False
        return value

    def _choice(self, table: Mapping[str, Any], key: str, at: _At, kind: type[E], default: E) -> E:
        value = table.get(key)
        known = [member.value for member in kind]
        if value is None or value in known:
            return default if value is None else kind(value)
        self.fail(
            (*at.path, key),
            f"{at.where} has {key} {value!r}{_hint(value, known)}; use one of: {', '.join(known)}",
        )
        return default

    def _symbol(self, table: Mapping[str, Any], at: _At) -> str:
        code = table.get("symbol")
        if code is None:
            return ""
        if not isinstance(code, str):
            self.fail((*at.path, "symbol"), f"the symbol of {at.where} must be text in quotes")
            return ""
        if not self.check_symbol(code):
            hint = f" (did you mean '{code.upper()}'?)" if self.check_symbol(code.upper()) else ""
            self.fail(
                (*at.path, "symbol"),
                f"{at.where} has symbol {code!r}, but there is no "
                f"picture {code}.svg in OpenMoji or symbols/svg{hint}",
            )
            return ""
        return code


class _DocumentReader(_LessonReader):
    """Checks a lesson given as data rather than read from a file."""

    def __init__(
        self, data: Mapping[str, Any], display: str, check_symbol: Callable[[str], bool]
    ) -> None:
        super().__init__(Path(display), display, check_symbol)
        self.data = dict(data)
        # The teachers' authoring form has no staff-note fields yet; the shipped files must.
        self.staff_notes_required = False

    def _parse(self) -> dict[str, Any] | None:
        return self.data

    def _identity(self, data: dict[str, Any]) -> tuple[str, int]:
        return str(data.get("id", "")), int(data.get("number", 0))


@dataclass(frozen=True)
class _Base:
    """The fields every step shares, gathered before the kind-specific ones."""

    id: str
    number: int
    text: Text
    symbol: str


def _hint(value: object, known: list[str]) -> str:
    close = difflib.get_close_matches(str(value), known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# Across the whole catalogue a picture on right answers in this many steps, and seldom on a
# wrong one, teaches "tap that picture" (the speaking head was on 27 right answers, no wrong one).
CATALOGUE_CUE_STEPS = 3


def _catalogue_cues(readers: list[_LessonReader]) -> list[Problem]:
    """Pictures that mark the right answer across lessons, reported where last used."""
    wrong: dict[str, int] = {}
    for reader in readers:
        for symbol in reader.wrong_pictures:
            wrong[symbol] = wrong.get(symbol, 0) + 1
    places: dict[str, list[tuple[str, int]]] = {}
    for reader in readers:
        for symbol, line in reader.right_pictures:
            places.setdefault(symbol, []).append((reader.display, line))
    return [
        Problem(
            used[-1][0],
            used[-1][1],
            f"picture {symbol} is on the right answer in {len(used)} steps across the lessons "
            f"but on a wrong one in only {wrong.get(symbol, 0)} lesson(s), so it gives the "
            "answer away; use it on a wrong answer in at least one lesson for every four "
            "right ones, or choose different pictures",
        )
        for symbol, used in places.items()
        if len(used) >= CATALOGUE_CUE_STEPS and wrong.get(symbol, 0) * 4 < len(used)
    ]


def _duplicates(claims: list[_Claim]) -> list[Problem]:
    """Ids that must be unique across all lesson files but are used twice."""
    first: dict[tuple[str, str], _Claim] = {}
    problems = []
    for claim in claims:
        earlier = first.setdefault((claim.what, claim.value), claim)
        if earlier is not claim:
            used = f"{earlier.file}:{earlier.line}"
            reason = f"{claim.what} {claim.value!r} is already used in {used}"
            problems.append(Problem(claim.file, claim.line, reason))
    return problems
