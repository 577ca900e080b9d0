"""Reading and checking lesson files (and teachers' lesson documents) into the model."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import re
import tomllib
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from classroom.lessons.content.lines import At, Key, LineMap
from classroom.lessons.content.model import (
    ITEMS_PER_SORT,
    LESSONS_DIR,
    MAX_LABEL_WORDS,
    MAX_TITLE_WORDS,
    MAX_WORDS,
    OPTIONS_PER_CHOOSE,
    STEPS_PER_VERSION,
    AgainBreak,
    Catalogue,
    Engagement,
    Lesson,
    LessonError,
    Objective,
    Option,
    Pathway,
    Problem,
    Risk,
    SortGroup,
    SortItem,
    Step,
    StepKind,
    Strand,
    Text,
    Version,
)
from classroom.lessons.glossary import GLOSSARY_FILE, Glossary, GlossaryError, load_glossary
from classroom.risks import NOT_FOR_LESSONS
from classroom.symbols.lesson_check import lesson_picture_problems
from classroom.symbols.library import OWN_SYMBOLS, svg_path
from classroom.symbols.symboliser import symbolise
from classroom.symbols.vocabulary import Vocabulary, VocabularyError, load_vocabulary

if TYPE_CHECKING:
    from classroom.lessons.arrangement import Card
    from classroom.lessons.kinds import KindSpec

# The step kinds a lesson may use, each with the unit that reads and checks its keys: the
# registry in classroom/lessons/kinds.py, handed in by whoever loads lessons (kinds builds on
# this reader, so the reader cannot import it).
Kinds = Mapping[StepKind, "KindSpec"]


def load_lessons(
    folder: Path = LESSONS_DIR,
    *,
    kinds: Kinds,
    symbol_exists: Callable[[str], bool] | None = None,
) -> Catalogue:
    """Read and check every lesson file in `folder`; raise LessonError listing all problems.

    `kinds`: the step-kind registry (`classroom.lessons.kinds.KINDS`).
    """
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    files = [path for path in files if path.name != GLOSSARY_FILE.name]
    if not files:
        raise LessonError([Problem(str(folder), None, "no lesson files (*.toml) found here")])
    check_symbol = symbol_exists or _symbol_file_exists
    glossary = _checked_glossary()
    readers = [
        _LessonReader(path, f"{folder.name}/{path.name}", kinds, check_symbol, glossary)
        for path in files
    ]
    lessons = [reader.read() for reader in readers]
    # Files in name order, and each file's problems top to bottom, as a teacher fixes them.
    problems = [p for r in readers for p in sorted(r.problems, key=lambda p: p.line or 0)]
    problems += _duplicates([claim for reader in readers for claim in reader.claims])
    problems += _catalogue_cues(readers)
    if problems:
        raise LessonError(problems)
    ready = [lesson for lesson in lessons if lesson is not None]
    # The screens' pictures, once every file keeps the file rules: one picture per answer card,
    # one picture per word on every screen, cards that agree with the word list (symbols/).
    pictures = [p for r in readers for p in r.card_problems]
    pictures += [
        Problem(f"{folder.name}/{f.name}", None, r) for f, r in lesson_picture_problems(ready)
    ]
    if pictures:
        raise LessonError(pictures)
    return Catalogue(tuple(sorted(ready, key=lambda lesson: lesson.number)))


# The lesson files' catalogue, kept by what the files were when read: see `lesson_files`.
_files_read: dict[tuple[Any, ...], Catalogue] = {}


def lesson_files(folder: Path = LESSONS_DIR, *, kinds: Kinds) -> Catalogue:
    """`load_lessons(folder)`, read and checked once in a process for as long as the folder's
    files stay as they were.

    A server builds one app per process, so this changes nothing there. The test suite builds
    an app per test, and reading and checking every lesson file was four fifths of building
    one. A lesson file changed, added or removed is read again (its size and modification time
    are part of the key), as is a symbol drawing added or removed; a folder that fails its
    checks is never kept, so every app built on it refuses to start.
    """
    key = (folder, id(kinds), _stamp(folder), OWN_SYMBOLS.stat().st_mtime_ns)
    found = _files_read.get(key)
    if found is None:
        found = load_lessons(folder, kinds=kinds)
        _files_read.clear()  # one folder is served; an older reading is of no more use
        _files_read[key] = found
    return found


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Each file in `folder` with its size and modification time (none if it is no folder:
    `load_lessons` then says so)."""
    if not folder.is_dir():
        return ()
    found = []
    for path in sorted(folder.iterdir()):
        stat = path.stat()
        found.append((path.name, stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def check_document(
    data: Mapping[str, Any],
    source_name: str,
    *,
    kinds: Kinds,
    symbol_exists: Callable[[str], bool] | None = None,
) -> Lesson:
    """Check one lesson given as data (a teacher's, from a form) by the lesson-file rules.

    The app assigns `id` and `number` (teacher lessons are numbered from 100, after the files),
    so those are taken as given; every other rule is the file rule. Raises LessonError.
    """
    reader = _DocumentReader(data, source_name, kinds, symbol_exists or _symbol_file_exists)
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


# --- reading and checking one lesson file -------------------------------------------------

LESSON_KEYS = {"id", "number", "title", "topic", "symbol", "strands", "risks", *Pathway}
LESSON_OPTIONAL = {"teacher_enabled_only", "staff_note", "ages"}
AGES = (11, 25)  # the school's pupils are 11 to 19; a few stay on to 25
STEP_KEYS = {"kind", "text", "symbol"}
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


class _LessonReader:
    """Checks one lesson file, collecting every problem rather than stopping at the first."""

    def __init__(
        self,
        path: Path,
        display: str,
        kinds: Kinds,
        check_symbol: Callable[[str], bool],
        glossary: Glossary = NO_GLOSSARY,
    ) -> None:
        self.path = path
        self.display = display
        self.kinds = kinds
        self.check_symbol = check_symbol
        self.glossary = glossary
        self.staff_notes_required = True
        # Answer cards of one step that share a picture, and questions that show the picture
        # of their right answer (reported with the screens' picture rules); a teacher's lesson
        # is checked for them when saved (`written_card_problems`), never when a saved one is
        # read.
        self.card_checks_required = True
        self.card_problems: list[Problem] = []
        self.every_pathway = True  # a lesson file has all three; a teacher's lesson needs one
        self.problems: list[Problem] = []
        self.claims: list[_Claim] = []
        # Pictures on right and wrong answers, for the cue checks across all lessons.
        self.right_pictures: list[tuple[str, int]] = []
        self.wrong_pictures: set[str] = set()
        self.lines = LineMap("")
        self.prefix = "00"
        self.lesson_name = "the lesson"  # "lesson 1 (feelings-online)", once its id is read

    def read(self) -> Lesson | None:
        """The lesson, or None if the file could not be parsed at all."""
        data = self._parse()
        return None if data is None else self._lesson(data)

    def fail(self, path: Key, reason: str, rule: str = "") -> None:
        """Record a problem at the line where `path` (or its nearest parent) is written."""
        self.problems.append(Problem(self.display, self.lines.line(path), reason, rule, path))

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
        self.lines = LineMap(source)
        return data

    # lesson level ----------------------------------------------------------------------

    def _lesson(self, data: dict[str, Any]) -> Lesson:
        at = At((), "the lesson")
        if self.every_pathway:
            self._keys(data, at, LESSON_KEYS, LESSON_OPTIONAL)
        else:
            self._keys(data, at, LESSON_KEYS - set(Pathway), {*LESSON_OPTIONAL, *Pathway})
            if not any(pathway.value in data for pathway in Pathway):
                self.fail((), "write the lesson for at least one pathway")
        lesson_id, number = self._identity(data)
        self.prefix = f"{number:02d}"
        self.lesson_name = f"lesson {number} ({lesson_id})"
        written = [p for p in Pathway if self.every_pathway or p.value in data]
        versions = [self._version(data, pathway) for pathway in written]
        self._cues(versions)
        return Lesson(
            id=lesson_id,
            number=number,
            title=self.text(
                data,
                "title",
                at.child("title", "the title"),
                MAX_TITLE_WORDS,
                f"{self.prefix}.title",
            ),
            topic=self._plain(data, "topic", at.child("topic", "the topic")),
            symbol=self.symbol(data, at),
            strands=self._names(data, "strands", Strand, "UKCIS strand"),
            risks=self._risks(data),
            teacher_enabled_only=self.flag(data, "teacher_enabled_only", at),
            staff_note=self._plain(data, "staff_note", at.child("staff_note", "the staff note")),
            versions=tuple(versions),
            source=self.path,
            ages=self._ages(data, at),
        )

    def _cues(self, versions: list[Version]) -> None:
        """Refuse pictures that give the answer away, so a pupil must think, not spot a cue.

        Two cues: the question's own picture repeated only on its right answers, and a picture
        that sits on right answers in two or more steps but never on a wrong one. A kind's
        `answer_pictures` says which pictures it puts on answers (classroom/lessons/kinds.py).
        """
        right: dict[str, list[Key]] = {}
        wrong = self.wrong_pictures
        for version in versions:
            for step in version.steps:
                answers = self.kinds[step.kind].answer_pictures(step)
                if all(correct for _, correct in answers):
                    continue  # where every answer is fine, nothing is given away
                path: Key = (version.pathway.value, "steps", step.number - 1, "options")
                taught = _taught_pictures(step)
                for n, (symbol, correct) in enumerate(answers):
                    if correct and symbol in taught:
                        continue  # the answer the lessons teach, not a cue: see TELL_PICTURE
                    if correct:
                        right.setdefault(symbol, []).append((*path, n))
                        self.right_pictures.append((symbol, self.lines.line((*path, n))))
                    else:
                        wrong.add(symbol)
                self._question_cue(step.number, step.symbol, answers, path)
        for symbol, places in right.items():
            steps = {place[:3] for place in places}
            if len(steps) >= 2 and symbol not in wrong:
                self.fail(
                    places[-1],
                    f"picture {symbol} is on the right answer in {len(steps)} steps and never on "
                    "a wrong one, so it gives the answer away; use it on a wrong answer too, "
                    "or choose different pictures",
                )

    def _question_cue(
        self, number: int, picture: str, answers: list[tuple[str, bool]], path: Key
    ) -> None:
        matching = [correct for symbol, correct in answers if symbol == picture]
        if matching and all(matching):
            self.fail(
                path,
                f"step {number} uses its own picture {picture} on its right answer "
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

    def _risks(self, data: dict[str, Any]) -> tuple[Risk, ...]:
        risks = self._names(data, "risks", Risk, "policy risk", allow_empty=True)
        for index, risk in enumerate(risks):
            if risk in NOT_FOR_LESSONS:
                self.fail(("risks", index), f"policy risk '{risk}' is for worries; name the risk")
        return tuple(risk for risk in risks if risk not in NOT_FOR_LESSONS)

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
        at = At((pathway.value,), pathway.value)
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
        at = At((pathway.value, "objective"), f"the objective of {pathway}")
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
        at = At((pathway.value, "steps", number - 1), f"step {number} of {pathway}")
        kind = self._kind(table, at)
        if kind is None:
            return None
        unit = self.kinds[kind]
        # Every pre-formal step tells staff what to look for (the Engagement Model).
        required = STEP_KEYS | unit.keys
        if pathway is Pathway.PRE_FORMAL and self.staff_notes_required:
            required |= STAFF_KEYS
        problems_before = len(self.problems)
        optional = STAFF_KEYS | unit.optional
        self._keys(table, At(at.path, f"{at.where} (a '{kind}' step)"), required, optional)
        step_id = f"{self.prefix}.{pathway.code}.s{number}"
        text = self.text(table, "text", at.child("text"), MAX_WORDS[pathway], f"{step_id}.text")
        base = (step_id, number, text, self.symbol(table, at))
        feedback = Text(f"{step_id}.fb", "")
        if "feedback" in unit.keys:
            feedback_at = at.child("feedback", f"the feedback of {at.where}")
            feedback = self.text(table, "feedback", feedback_at, MAX_WORDS[pathway], feedback.id)
        step = unit.read(self, table, at, base, feedback)
        if self.card_checks_required and len(self.problems) == problems_before:
            # Cards are built from sound steps only.
            self._distinct_cards(step, unit, pathway, at)
            self._giveaways(step, unit, pathway, at)
        note = self._plain(table, "note", at.child("note", f"the note of {at.where}"))
        look_for = None
        if "look_for" in table:
            look_for = self.choice(table, "look_for", at, Engagement, Engagement.RESPONSIVENESS)
        return dataclasses.replace(step, note=note, look_for=look_for)

    def _distinct_cards(self, step: Step, unit: KindSpec, pathway: Pathway, at: At) -> None:
        """Two answer cards of this step with one picture (`card_clashes`), for `load_lessons`
        to refuse with the screens' other picture rules, at the line of the later card."""
        for clash in card_clashes(step, unit):
            first, second = clash.cards
            codes = second.symbol
            if first.symbol != second.symbol:
                codes = f"{first.symbol} and {second.symbol}, one drawing"
            change = "one of them"
            if clash.wrong is not None:
                change = f"the wrong answer {clash.wrong!r}"
            line = self.lines.line((*at.path, *_card_key(second)))
            reason = (
                f"{self.lesson_name} {pathway} step {step.number}: the answers {first.text!r} "
                f"and {second.text!r} both show the picture {codes}, so a pupil who cannot read "
                f"cannot tell them apart; choose a different picture for {change}"
            )
            self.card_problems.append(Problem(self.display, line, reason))

    def _giveaways(self, step: Step, unit: KindSpec, pathway: Pathway, at: At) -> None:
        """A question that shows the picture of its right answer (`answer_giveaways`), for
        `load_lessons` to refuse with the screens' other picture rules, at the question's line."""
        try:
            vocabulary = load_vocabulary()
        except VocabularyError:
            return  # `lesson_picture_problems` reports the broken word list
        for found in answer_giveaways(step, unit, vocabulary):
            card = found.card
            on = ", ".join(f"on {word!r}" if word else "as its own picture" for word in found.words)
            if found.item is None:
                line = self.lines.line((*at.path, "text"))
                asked, answer = "the question", f"its right answer {card.text!r}"
                wrong = "no wrong answer's picture"
                change = "reword the question so that word is not in it"
            else:
                line = self.lines.line((*at.path, "items", found.item))
                asked, answer = f"the item {found.question!r}", f"its group {card.text!r}"
                wrong, change = "not the other group's", "reword the item"
            reason = (
                f"{self.lesson_name} {pathway} step {step.number}: {asked} shows the picture "
                f"{card.symbol} ({on}) of {answer} and {wrong}, so a pupil who cannot read can "
                "find the answer by matching pictures without understanding; "
                f"{change}, or choose a different picture"
            )
            self.card_problems.append(Problem(self.display, line, reason))

    def _kind(self, table: dict[str, Any], at: At) -> StepKind | None:
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

    def wait(self, table: dict[str, Any], at: At) -> int:
        wait = table.get("wait", WAIT_SECONDS[0])
        low, high = WAIT_SECONDS
        if type(wait) is not int or not low <= wait <= high:
            self.fail((*at.path, "wait"), f"wait of {at.where} must be {low} to {high} seconds")
            return low
        return int(wait)

    def options(self, table: dict[str, Any], at: At, step_id: str) -> tuple[Option, ...]:
        options = []
        entries = self._entries(table, "options", at, OPTIONS_PER_CHOOSE)
        number = int(at.path[-1]) + 1
        for n, entry in enumerate(entries, 1):
            entry_at = at.child("options").child(n - 1, f"option {n} of {at.where}")
            self._keys(entry, entry_at, {"text", "symbol"}, {"correct", "again"})
            text = self.text(
                entry, "text", entry_at.child("text"), MAX_LABEL_WORDS, f"{step_id}.o{n}"
            )
            symbol = self.symbol(entry, entry_at)
            correct = self.flag(entry, "correct", entry_at)
            again = entry.get("again")
            options.append(Option(text, symbol, correct, _going_back(again, number)))
        if options and not any(option.correct for option in options):
            self.fail(
                (*at.path, "options"),
                f"{at.where} has no correct option; mark at least one with correct = true",
            )
        answers = [(o.correct, e.get("again")) for o, e in zip(options, entries, strict=True)]
        self._going_back(answers, at, number)
        return tuple(options)

    def _going_back(self, answers: list[tuple[bool, object]], at: At, number: int) -> None:
        """Answers whose `again` could not work in the player (`again_breaks`)."""
        for n, why in again_breaks(answers, number):
            entry_at = at.child("options").child(n - 1, f"option {n} of {at.where}")
            reason = _again_reason(why, entry_at.where, at.where, number)
            self.fail((*entry_at.path, "again"), reason, why)

    def sort(
        self, table: dict[str, Any], at: At, step_id: str
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

    def _group(self, entry: dict[str, Any], at: At, step_id: str, n: int) -> SortGroup:
        entry_at = at.child("groups").child(n - 1, f"group {n} of {at.where}")
        self._keys(entry, entry_at, {"label", "symbol"})
        label = self.text(
            entry, "label", entry_at.child("label"), MAX_LABEL_WORDS, f"{step_id}.g{n}"
        )
        return SortGroup(label, self.symbol(entry, entry_at))

    def _item(self, entry: dict[str, Any], at: At, step_id: str, n: int) -> SortItem:
        entry_at = at.child("items").child(n - 1, f"item {n} of {at.where}")
        self._keys(entry, entry_at, {"text", "symbol", "group"})
        group = entry.get("group", 1)
        if type(group) is not int or group not in (1, 2):
            self.fail(
                (*entry_at.path, "group"), f"{entry_at.where} has group {group!r}; use 1 or 2"
            )
            group = 1
        text = self.text(entry, "text", entry_at.child("text"), MAX_LABEL_WORDS, f"{step_id}.i{n}")
        return SortItem(text, self.symbol(entry, entry_at), group - 1)

    def _entries(
        self, table: dict[str, Any], key: str, at: At, limits: tuple[int, int]
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
        at: At,
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

    def text(self, table: Mapping[str, Any], key: str, at: At, limit: int, text_id: str) -> Text:
        """Pupil-facing text of at most `limit` words, with its stable id."""
        value = self._plain(table, key, at)
        words = len(value.split())
        if words > limit:
            self.fail(at.path, f"{at.where} has {words} words; pupils need {limit} or fewer")
        self._glossary_words(value, at)
        return Text(text_id, value)

    def _glossary_words(self, value: str, at: At) -> None:
        for reason in self.glossary.problems(value):
            self.fail(at.path, f"{at.where} {reason} (lessons/glossary.toml)")

    def _plain(self, table: Mapping[str, Any], key: str, at: At) -> str:
        value = table.get(key)
        if value is None:
            return ""  # missing keys are reported once, by _keys
        if not isinstance(value, str) or not value.strip():
            self.fail(at.path, f"{at.where} must be some text in quotes")
            return ""
        return " ".join(value.split())  # line breaks in the file are not meaningful

    def _ages(self, table: Mapping[str, Any], at: At) -> tuple[int, int] | None:
        value = table.get("ages")
        if value is None:
            return None
        whole = isinstance(value, list) and all(type(v) is int for v in value)
        if whole and len(value) == 2 and AGES[0] <= value[0] <= value[1] <= AGES[1]:
            return value[0], value[1]
        self.fail(
            (*at.path, "ages"),
            f"ages of {at.where} must be the youngest and oldest age it is for, such as "
            f"[14, 19], each from {AGES[0]} to {AGES[1]}",
        )
        return None

    def flag(self, table: Mapping[str, Any], key: str, at: At) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            self.fail((*at.path, key), f"{key} of {at.where} must be true or false, without quotes")
            return False
        return value

    def choice(self, table: Mapping[str, Any], key: str, at: At, kind: type[E], default: E) -> E:
        value = table.get(key)
        known = [member.value for member in kind]
        if value is None or value in known:
            return default if value is None else kind(value)
        self.fail(
            (*at.path, key),
            f"{at.where} has {key} {value!r}{_hint(value, known)}; use one of: {', '.join(known)}",
        )
        return default

    def symbol(self, table: Mapping[str, Any], at: At) -> str:
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


def again_breaks(answers: list[tuple[bool, object]], number: int) -> list[tuple[int, AgainBreak]]:
    """(answer from 1, why) for each answer of step `number` whose `again` could not work, each
    answer given as (right, again). The player moves on only after a right answer, so a wrong
    answer's again would never happen; and a step whose every right answer goes back could
    never be finished: the pupil would go round it for ever."""
    found = []
    for n, (right, again) in enumerate(answers, 1):
        if again is not None and _going_back(again, number) is None:
            found.append((n, AgainBreak.NOT_EARLIER))
        elif again is not None and not right:
            found.append((n, AgainBreak.WRONG_ANSWER))
    right_ones = [(n, again) for n, (right, again) in enumerate(answers, 1) if right]
    if right_ones and all(_going_back(again, number) for _n, again in right_ones):
        found.append((right_ones[-1][0], AgainBreak.NO_WAY_ON))
    return found


def _going_back(again: object, number: int) -> int | None:
    """`again` if it is the number of a step before step `number` (true is not a number)."""
    return again if type(again) is int and 1 <= again < number else None


def _again_reason(why: AgainBreak, option: str, step: str, number: int) -> str:
    """`again_breaks` in a lesson file's words, for the author who edits the file."""
    if why is AgainBreak.NO_WAY_ON:
        return (
            f"every correct option of {step} has again, so a pupil would go back every time and "
            "never get past it; take again out of at least one correct option (such as "
            "'Finished') so that it goes on"
        )
    if why is AgainBreak.WRONG_ANSWER:
        return (
            f"{option} has again but is not correct = true; a pupil goes on only after a right "
            "answer, so a wrong answer never goes back: mark it correct = true or take its "
            "again out"
        )
    if number == 1:
        return f"again of {option} must be the number of an earlier step, but step 1 has none"
    return (
        f"again of {option} must be the number of an earlier step "
        f"(1 to {number - 1}), without quotes"
    )


class _DocumentReader(_LessonReader):
    """Checks a lesson given as data rather than read from a file."""

    def __init__(
        self,
        data: Mapping[str, Any],
        display: str,
        kinds: Kinds,
        check_symbol: Callable[[str], bool],
    ) -> None:
        super().__init__(Path(display), display, kinds, check_symbol)
        self.data = dict(data)
        self.every_pathway = False
        self.card_checks_required = False  # checked when saved: `written_card_problems`

    def _parse(self) -> dict[str, Any] | None:
        return self.data

    def _identity(self, data: dict[str, Any]) -> tuple[str, int]:
        return str(data.get("id", "")), int(data.get("number", 0))


@dataclass(frozen=True)
class CardClash:
    """Two answer cards of one step that show one picture."""

    cards: tuple[Card, Card]  # in the order they are written
    wrong: str | None  # the words of the one that is never a right answer, if only one is not


def card_clashes(step: Step, unit: KindSpec) -> list[CardClash]:
    """Answer cards of `step` that show one picture, each clash with the first card showing it.

    Most pupils cannot read: the big picture on a card is how they tell its answers apart.
    That picture is the answer's own `symbol` (a teacher's answer without one is given the
    picture of its first pictured word when saved: authoring.lesson_data), drawn as it is; the
    symboliser only adds the small pictures over the card's words. So the cards compared are
    the kind's own, as the player shows them (classroom/lessons/kinds.py): a choose step's
    options, a sort step's two groups, yes and no. Two codes with one drawing (OpenMoji has
    some) are one picture. `step` must have passed its checks (a choose step has a right answer).
    """
    # A sort group is right for some items and not others: "wrong" is never right.
    items = range(max(1, unit.items(step)))
    right = {card.value for i in items for card in unit.cards(step, 0, i) if card.right}
    first: dict[str, Card] = {}
    clashes = []
    for card in sorted(unit.cards(step, 0, 0), key=_card_place):
        earlier = first.setdefault(_drawing(card.symbol), card)
        if earlier is not card:
            wrong = [c.text for c in (earlier, card) if c.value not in right]
            clashes.append(CardClash((earlier, card), wrong[0] if len(wrong) == 1 else None))
    return clashes


def written_card_problems(lesson: Lesson, kinds: Kinds) -> list[str]:
    """A teacher's lesson, checked as it is saved for answer cards that share a picture and for
    questions that show the picture of their right answer (`answer_giveaways`), in the words of
    the lesson editor ("Semi-formal, step 2: ..."), with no picture codes."""
    try:
        vocabulary: Vocabulary | None = load_vocabulary()
    except VocabularyError:
        vocabulary = None  # the picture rules (lesson_check) report the broken word list
    problems = []
    for version in lesson.versions:
        for step in version.steps:
            where = f"{version.pathway.label}, step {step.number}"
            for clash in card_clashes(step, kinds[step.kind]):
                first, second = (card.text for card in clash.cards)
                change = "one of them" if clash.wrong is None else f"“{clash.wrong}”"
                problems.append(
                    f"{where}: the cards “{first}” and “{second}” have the same picture, so a "
                    f"pupil who cannot read cannot tell them apart. Choose a different picture "
                    f"for {change}."
                )
            if vocabulary is None:
                continue
            for found in answer_giveaways(step, kinds[step.kind], vocabulary):
                right = found.card.text
                if found.item is None:
                    problems.append(
                        f"{where}: the question shows the picture of the right answer "
                        f"(“{right}”), so a pupil can match pictures instead of understanding: "
                        "reword the question or choose another picture."
                    )
                else:
                    problems.append(
                        f"{where}: “{found.question}” shows the picture of the group it goes in "
                        f"(“{right}”), so a pupil can match pictures instead of understanding: "
                        "reword it or choose another picture."
                    )
    return problems


@dataclass(frozen=True)
class AnswerGiveaway:
    """A question whose pictures include its right answer's picture but no wrong answer's."""

    card: Card  # the right answer card whose picture the question shows
    question: str  # the words asked: a choose step's sentence, or the sort item shown
    # The question's words that show that picture, as written; "" is a sort item's big picture.
    words: tuple[str, ...]
    item: int | None = None  # the sort item (from 0, as written), or None for the sentence


def answer_giveaways(step: Step, unit: KindSpec, vocabulary: Vocabulary) -> list[AnswerGiveaway]:
    """Where `step` shows a pupil the picture of a right answer card while asking, and the
    picture of no wrong one: a pupil who cannot read then finds the answer by matching pictures,
    without understanding, and is recorded as right first time.

    What is asked is what the pupil sees before answering. A step answered one item at a time
    (a sort step) asks each item: its big picture and its words' pictures, against the cards
    with that item's right one (the step's sentence, such as "Kind or unkind?", is the same for
    items of both groups, so it cannot pick out an item's group). Any other step whose answers
    the author pictured (the kind's `answer_pictures`: a choose step's options) asks its
    sentence: each key word with its picture, as the player symbolises it (the word list, with
    no staff choices). Yes/no pictures are the app's own, the same for every sentence, so those
    steps are not asked about. Where every answer is right nothing is given away. Two codes
    with one drawing are one picture. The speaking head on a right answer that names a trusted
    adult is the answer the lessons teach (`TELL_PICTURE`), so it gives nothing away. `step`
    must have passed its checks.
    """
    questions: list[tuple[int | None, str, list[tuple[str, str]]]] = []
    for n, thing in enumerate(getattr(step, "items", ()) if unit.items(step) else ()):
        words = thing.text.text
        own = [("", thing.symbol)]  # its big picture, named by no word
        questions.append((n, words, own + _pictures(words, vocabulary)))
    if not questions and unit.answer_pictures(step):
        questions.append((None, step.text.text, _pictures(step.text.text, vocabulary)))
    found = []
    for item, question, pictures in questions:
        cards = unit.cards(step, 0, item or 0)
        if all(card.right for card in cards):
            continue
        drawings: dict[str, list[str]] = {}
        for word, code in pictures:
            drawings.setdefault(_drawing(code), []).append(word)
        if any(_drawing(card.symbol) in drawings for card in cards if not card.right):
            continue  # a wrong answer's picture is there too: matching does not find the answer
        for card in sorted(cards, key=_card_place):
            shown_on = drawings.get(_drawing(card.symbol))
            if card.right and shown_on and not _taught(card):
                found.append(AnswerGiveaway(card, question, tuple(shown_on), item))
    return found


def _pictures(text: str, vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """(word as written, picture) for each pictured word or phrase of `text`."""
    tokens = symbolise(text, vocabulary=vocabulary)
    return [(token.text, token.symbol) for token in tokens if token.is_word and token.symbol]


_CARD_VALUE = re.compile(r"^([og])([0-9]+)$")  # arrangement.option_value / group_value


def _card_key(card: Card) -> Key:
    """Where a card is written in its step's table: ("options", 1) for "o2", ("groups", 0)
    for "g1"; yes/no cards are the app's own and have no place of their own."""
    match = _CARD_VALUE.match(card.value)
    if match is None:
        return ()
    return ("options" if match.group(1) == "o" else "groups", int(match.group(2)) - 1)


def _card_place(card: Card) -> tuple[str | int, ...]:
    """A card's order in the file (the player shuffles them), so messages read top to bottom."""
    return _card_key(card) or (card.value,)


def _drawing(code: str) -> str:
    """What a picture code draws: its SVG's contents, so two codes for one drawing are one
    picture (a code with no file here, as in tests that replace the symbol check, is itself)."""
    path = svg_path(code) if code else None
    if path is None:
        return f"code:{code}"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _hint(value: object, known: list[str]) -> str:
    close = difflib.get_close_matches(str(value), known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


# The speaking head: the word list's picture for "tell". "Tell (or ask) a trusted adult" is the
# answer most lessons teach, on purpose, so on a right answer that names a trusted adult it is
# not counted by the cue checks. It was once counted, and the checks were met by putting it on
# a wrong card of the same step ("Shout at the iPad"), which left a pupil who cannot read two
# cards with one picture; `card_clashes` refuses that now, and there are not enough steps
# whose right answer is something else for it to sit on a wrong answer instead. Nor is it a
# give-away when the question says "tell" or "says" (`answer_giveaways`): a pupil who taps it
# has learnt the lesson. Anywhere else (a right answer that names no trusted adult) it counts
# like any picture.
TELL_PICTURE = "1F5E3"
TAUGHT_ANSWER = "trusted adult"


def _taught(card: Card) -> bool:
    """A right answer card showing the speaking head and naming a trusted adult."""
    words = " ".join(card.text.lower().split())
    return card.right and card.symbol == TELL_PICTURE and TAUGHT_ANSWER in words


def _taught_pictures(step: Step) -> set[str]:
    """The speaking head, if it is on a right option of this step that names a trusted adult."""
    return {
        option.symbol
        for option in getattr(step, "options", ())
        if option.correct
        and option.symbol == TELL_PICTURE
        and TAUGHT_ANSWER in " ".join(option.text.text.lower().split())
    }


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
