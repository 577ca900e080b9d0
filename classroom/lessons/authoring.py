"""Teachers write lessons in the browser, checked by exactly the rules lesson files meet.

A form becomes a *document*: the same keys a lesson file holds, minus what the app assigns
(`id`, `number`, objective ids). `content.check_document` then reads it with the file
loader's own reader, so a teacher sees the same plain messages a file's author does, and a
lesson that breaks any rule is refused whole: nothing is half-saved. An answer's "Next goes
back to step" (a file's `again`) is checked by the reader's rules (an earlier step; only a
right answer moves on, so only a right answer can go back; a step whose every right answer
goes back could never be finished) and said in the editor's words, beside its box.

A step box left empty between filled ones is not a step: the lesson leaves it out, so box 4
can be the pupil's step 3. Every message still names the box the teacher filled (`Boxes`), a
"goes back" number is the box the teacher sees, saved as the step that box became, and one
naming an empty box is refused: a pupil is never sent to a screen the teacher did not choose.

Pupil-facing text is plain and escaped wherever it is shown. The teacher's notes are the one
piece of rich text; they are cleaned with bleach to a small allow-list when saved, and again
when shown.

Once pupils have played a shared lesson, or staff have recorded an observation on it, it is
never changed in place: their responses and the objectives staff assess against point at its
exact steps, so an edit is refused with a message and the teacher makes a copy instead (see
`locked` and `update`).
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import bleach
from bleach.html5lib_shim import Filter  # type: ignore[attr-defined]  # not in the stubs
from markupsafe import Markup
from sqlalchemy import delete, distinct, func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from classroom import policy
from classroom.accounts.models import Account
from classroom.audit.models import AuditEvent
from classroom.audit.services import record
from classroom.errors import Forbidden, too_long
from classroom.lessons import kinds
from classroom.lessons.authored_models import AuthoredLesson, LessonStatus
from classroom.lessons.content import (
    ITEMS_PER_SORT,
    OPTIONS_PER_CHOOSE,
    STAFF_KEYS,
    STEPS_PER_VERSION,
    AgainBreak,
    Catalogue,
    Lesson,
    LessonError,
    Pathway,
    Problem,
    Risk,
    StepKind,
    Strand,
    check_document,
    written_card_problems,
)
from classroom.lessons.models import LessonAttempt, MapEntry, PupilTarget
from classroom.principals import Actor
from classroom.pupils.models import Pupil, SchoolClass
from classroom.risks import NOT_FOR_LESSONS
from classroom.symbols.lesson_check import written_lesson_problems
from classroom.symbols.symboliser import symbolise
from classroom.symbols.vocabulary import load_vocabulary

STEP_SLOTS = 7
OPTION_SLOTS = 4
ITEM_SLOTS = 6
MAX_FIELD = 300  # each text box's limit (authoring/edit.html); the loader's words are far fewer
MAX_NOTES = 5000  # the teacher's notes box's limit
FIRST_NUMBER = 100  # teacher lessons come after the numbered lesson files
DEFAULT_SYMBOLS = {"lesson": "1F4D6", "step": "1F4AC", "answer": "2753"}
NOTE_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a"})
_SLUG_WORD = re.compile(r"[a-z0-9]+")

Document = dict[str, Any]
# The editor's box number of each step a pathway's document holds, by pathway code: a box
# left empty between filled ones is not a step, so box 4 can be the pupil's step 3.
# Without it (a saved lesson, shown again), step n is box n.
Boxes = Mapping[str, Sequence[int]]


class LessonProblems(Exception):  # noqa: N818 - reads as "raise LessonProblems(...)"
    """The lesson breaks the lesson rules; `reasons` are the loader's messages, in order, then
    the editor's own (`fields`: the boxes those are about)."""

    def __init__(
        self,
        reasons: list[str],
        fields: dict[str, str] | None = None,
        links: dict[str, str] | None = None,
    ) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        # The editor's boxes that hold a problem, by field name, each with its message.
        self.fields = fields or {}
        # Reasons said in the loader's words whose box is marked with the editor's (`fields`):
        # the box each is about, so the list of problems can link to it.
        self.links = links or {}


class Refused(Exception):  # noqa: N818
    """A change the lesson's state does not allow, with a message for the teacher."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Form <-> document ------------------------------------------------------------------


def _get(form: Mapping[str, str], name: str) -> str:
    """A field's text, whole: one over MAX_FIELD is refused (`long_boxes`), never cut short."""
    return " ".join(str(form.get(name, "")).split())


# The editor's text boxes (the `text` macro of authoring/edit.html) by the end of their names,
# and what a message calls them; any other field is not a text box.
_STEP_BOX = re.compile(
    r"(?:pf|sf|f)-(\d{1,2})-(text|feedback|then|if_no|note|[oi]\d-text|g\d-label)"
)
_STEP_BOX_WORDS = {
    "text": "words on the screen",
    "feedback": "feedback",
    "then": "what happens after a yes",
    "if_no": "what the pupil hears after a no",
    "note": "what to look for",
}
_STEP_PARTS = {"o": "answer", "i": "thing", "g": "group"}


def box_label(name: str) -> str | None:
    """What a message calls one of the editor's text boxes; None for any other field."""
    if name in ("title", "topic"):
        return name.capitalize()
    pathways = {pathway.code: pathway.label for pathway in Pathway}
    code, _dash, rest = name.partition("-")
    if code not in pathways:
        return None
    if rest == "objective":
        return f"{pathways[code]} objective"
    found = _STEP_BOX.fullmatch(name)
    if found is None:
        return None
    step, part = found.groups()
    what = _STEP_BOX_WORDS.get(part) or f"{_STEP_PARTS[part[0]]} {part[1]}"
    return f"{pathways[code]} step {step}, {what}"


def long_boxes(
    form: Mapping[str, str], doc: Document, boxes: Boxes | None = None
) -> dict[str, str]:
    """The lesson's text boxes (those its document keeps) and the teacher's notes whose text,
    as sent, is over its limit, each with its message: the editor gives them back whole."""
    found = {}
    for name in form_values(doc, boxes):
        label, text = box_label(name), str(form.get(name, ""))
        if label is not None and len(text) > MAX_FIELD:
            found[name] = too_long(label, MAX_FIELD, text)
    notes = str(form.get("notes", "")).replace("\r\n", "\n").replace("\r", "\n")
    if len(notes) > MAX_NOTES:
        found["notes"] = too_long("Teacher's notes", MAX_NOTES, notes)
    return found


# The editor's boxes whose words a pupil sees and hears (each gets a symbol preview); any
# other box (topic, objective, "for staff") is for staff.
PUPIL_BOXES = ("title", "-text", "-feedback", "-label", "-then", "-if_no")
# What joins an emoji to the next or changes it: a zero-width joiner, the text and emoji
# variation selectors, a keycap, skin tones, the tags of a flag.
_EMOJI_PARTS = re.compile("[\u200d\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f]")
# Why an emoji is refused, said by the lesson editor and the class rules' (rules.services).
TYPED_PICTURE_WHY = (
    "Pupils see a picture typed in with the words stuck to a word, with no symbol of its "
    "own, and hear it oddly or not at all. Write it as a word instead: each word shows its "
    "own symbol and is read aloud."
)
TYPED_PICTURE = (
    "{label}: take out {found}. " + TYPED_PICTURE_WHY + " To change a word's picture, "
    "preview the lesson and use “Change a picture on this screen”."
)


def pupil_box(name: str) -> bool:
    """Whether the editor's box `name` holds words a pupil sees."""
    return name.endswith(PUPIL_BOXES)


def _picture_character(character: str) -> bool:
    # Emoji and the other pictures in text ("❗", "★", "✔", flags): "other symbols" from the
    # arrows on. "£", "°", "©" and punctuation are not pictures.
    return unicodedata.category(character) == "So" and ord(character) >= 0x2190


def typed_pictures(text: str) -> list[str]:
    """The emoji (and other picture characters) typed into `text`, each once, in order: a
    pupil sees one stuck to the word before it, with that word's symbol, and hears it said
    only by some voices ("grinning face") or not at all (`symboliser.marks_on_words`)."""
    found: list[str] = []
    run = ""
    for character in f"{text} ":
        if _picture_character(character) or (run and _EMOJI_PARTS.fullmatch(character)):
            run += character
        else:
            if run and run not in found:
                found.append(run)
            run = ""
    return found


def picture_boxes(doc: Document, boxes: Boxes | None = None) -> dict[str, str]:
    """The pupil boxes (`pupil_box`) with an emoji typed in, each with its message: refused
    on saving, so every word a pupil sees has a symbol and is said."""
    found = {}
    for name, text in form_values(doc, boxes).items():
        pictures = typed_pictures(text) if pupil_box(name) else []
        label = box_label(name)
        if pictures and label is not None:
            shown = " and ".join(f"“{picture}”" for picture in pictures)
            found[name] = TYPED_PICTURE.format(label=label, found=shown)
    return found


def _put(table: Document, key: str, value: Any) -> None:
    """Blank values are left out, so the loader says plainly what is missing."""
    if value not in ("", None):
        table[key] = value


def document_from_form(form: Any) -> Document:
    """The teacher's lesson as a lesson document (a werkzeug MultiDict in).

    A pathway with no objective and no steps is left out: a lesson may be written for one
    pathway only (the others are optional).
    """
    doc: Document = {}
    for key in ("title", "topic", "symbol"):
        _put(doc, key, _get(form, key))
    doc["strands"] = [s for s in form.getlist("strands") if isinstance(s, str)][:8]
    doc["risks"] = [r for r in form.getlist("risks") if isinstance(r, str)][:12]
    for pathway in Pathway:
        table = _pathway_from_form(form, pathway.code)
        if table["steps"] or "objective" in table:
            doc[pathway.value] = table
    return doc


def step_boxes(form: Mapping[str, str]) -> dict[str, list[int]]:
    """The editor's boxes that hold a step, by pathway code (`Boxes`): empty ones are left out."""
    return {pathway.code: _used_boxes(form, pathway.code) for pathway in Pathway}


_IN_STEP_BOX = re.compile(r"(pf|sf|f)-(\d{1,2})-\w")


def step_box(name: str) -> str | None:
    """The step box ("pf-4") an editor field is in; None for a field of the whole lesson."""
    found = _IN_STEP_BOX.match(name)
    return None if found is None else f"{found.group(1)}-{found.group(2)}"


def unused_box_values(form: Mapping[str, str], boxes: Boxes) -> dict[str, str]:
    """What was typed into step boxes that hold no step (no kind chosen, no words: a note
    written first, say), as the editor's values: not part of the lesson, but given back with
    a refused form, so nothing she typed is lost."""
    kept = {}
    for name in form:
        found = _IN_STEP_BOX.match(name)
        if found is None or int(found.group(2)) in boxes.get(found.group(1), ()):
            continue
        sent = form.getlist(name) if isinstance(form, MultiDict) else [form.get(name, "")]
        typed = " ".join(str(value) for value in sent if value)
        if typed:
            kept[name] = typed
    return kept


def _used_boxes(form: Mapping[str, str], code: str) -> list[int]:
    """A pathway's boxes with a kind or words chosen: any other box is "No step here"."""
    return [
        n
        for n in range(1, STEP_SLOTS + 1)
        if _get(form, f"{code}-{n}-kind") or _get(form, f"{code}-{n}-text")
    ]


def _pathway_from_form(form: Mapping[str, str], code: str) -> Document:
    used = _used_boxes(form, code)
    slots = {n: _step_from_form(form, f"{code}-{n}") for n in used}
    table: Document = {"steps": [slots[n] for n in used]}
    for slot in used:
        _number_again(slots[slot], slot, used)
    _put(table, "objective", _get(form, f"{code}-objective"))
    return table


_STEP_NUMBER = re.compile(r"[0-9]{1,2}")


def _number_again(step: Document, slot: int, used: list[int]) -> None:
    """Each answer's "Next goes back to step" as the number the pupil's step has: the teacher
    types the number of an editor step box, and an empty box between steps is not a step.
    A number that is not an earlier step in use (an empty box, say) is kept as typed, for
    `check` to refuse: a pupil is never sent to a screen the teacher did not choose."""
    for option in step.get("options", []):
        typed = option.get("again")
        if isinstance(typed, str) and _STEP_NUMBER.fullmatch(typed):
            target = int(typed)
            if target < slot and target in used:
                option["again"] = used.index(target) + 1


def _step_from_form(form: Mapping[str, str], at: str) -> Document:
    kind = _get(form, f"{at}-kind")
    step: Document = {}
    for key in ("kind", "text", "symbol"):
        _put(step, key, _get(form, f"{at}-{key}"))
    # The kind's own keys (registered with the kind), then what staff look for.
    keys = kinds.KINDS[StepKind(kind)].all_keys if kind in set(StepKind) else frozenset()
    for key in sorted(keys | STAFF_KEYS):
        FIELDS[key].read(form, at, key, step)
    return step


def _text_field(form: Mapping[str, str], at: str, key: str, step: Document) -> None:
    _put(step, key, _get(form, f"{at}-{key}"))


def _wait_field(form: Mapping[str, str], at: str, key: str, step: Document) -> None:
    wait = _get(form, f"{at}-{key}")
    _put(step, key, int(wait) if wait.isdigit() else wait)


def _answer_field(form: Mapping[str, str], at: str, key: str, step: Document) -> None:
    _put(step, key, {"yes": True, "no": False}.get(_get(form, f"{at}-{key}")))


def _options_field(form: Mapping[str, str], at: str, key: str, step: Document) -> None:
    step[key] = _options_from_form(form, at)


def _groups_field(form: Mapping[str, str], at: str, key: str, step: Document) -> None:
    step[key] = [_entry(form, f"{at}-g{n}", "label") for n in (1, 2)]


def _items_field(form: Mapping[str, str], at: str, key: str, step: Document) -> None:
    step[key] = _items_from_form(form, at)


def _entry(form: Mapping[str, str], at: str, key: str) -> Document:
    entry: Document = {}
    _put(entry, key, _get(form, f"{at}-{key}"))
    _put(entry, "symbol", _get(form, f"{at}-symbol"))
    return entry


def _ticked(form: Mapping[str, str], name: str) -> set[str]:
    """The values of a group of tick boxes (the editor's own values may be space-separated)."""
    sent = form.getlist(name) if isinstance(form, MultiDict) else [form.get(name, "")]
    return {part for value in sent for part in str(value).split()}


def _options_from_form(form: Mapping[str, str], at: str) -> list[Document]:
    # More than one answer can be right: "More" and "Finished" both are, when the pupil is
    # asking for another turn and "More" goes back for it.
    correct = _ticked(form, f"{at}-correct")
    options = []
    for n in range(1, OPTION_SLOTS + 1):
        option = _entry(form, f"{at}-o{n}", "text")
        _put(option, "again", _get(form, f"{at}-o{n}-again"))
        if option:
            if str(n) in correct:
                option["correct"] = True
            options.append(option)
    return options


def _items_from_form(form: Mapping[str, str], at: str) -> list[Document]:
    items = []
    for n in range(1, ITEM_SLOTS + 1):
        item = _entry(form, f"{at}-i{n}", "text")
        if item:
            group = _get(form, f"{at}-i{n}-group")
            item["group"] = int(group) if group in ("1", "2") else group
            items.append(item)
    return items


def form_values(doc: Document, boxes: Boxes | None = None) -> dict[str, str]:
    """The document flattened back to form field names, to fill the editor again: each step
    in the box it came from (`boxes`, when a refused form is given back), with the "goes
    back" numbers the teacher typed."""
    values = {key: str(doc.get(key, "")) for key in ("title", "topic", "symbol")}
    for pathway in Pathway:
        table = doc.get(pathway.value) or {}
        values[f"{pathway.code}-objective"] = str(table.get("objective", ""))
        steps = table.get("steps", [])
        numbers = _box_numbers(boxes, pathway.code, len(steps))
        for step, box in zip(steps, numbers, strict=True):
            values.update(_step_values(_again_as_boxes(step, numbers), f"{pathway.code}-{box}"))
    return values


def _box_numbers(boxes: Boxes | None, code: str, count: int) -> list[int]:
    """The editor box of each of a pathway's `count` steps (step n is box n without `boxes`)."""
    numbers = list((boxes or {}).get(code, ()))
    return numbers if len(numbers) == count else list(range(1, count + 1))


def _again_as_boxes(step: Document, numbers: list[int]) -> Document:
    """The step with each "goes back" step number (the pupil's) as the box the teacher typed."""
    if numbers == list(range(1, len(numbers) + 1)):
        return step
    shown = deepcopy(step)
    for option in shown.get("options", []):
        again = option.get("again")
        if type(again) is int and 1 <= again <= len(numbers):
            option["again"] = numbers[again - 1]
    return shown


def _step_values(step: Document, at: str) -> Iterator[tuple[str, str]]:
    for key in ("kind", "text", "symbol"):
        yield f"{at}-{key}", str(step.get(key, ""))
    for key in sorted(set(step) & set(FIELDS)):
        yield from FIELDS[key].values(step[key], at, key)


def _scalar_values(value: Any, at: str, key: str) -> Iterator[tuple[str, str]]:
    yield f"{at}-{key}", str(value)


def _flag_field(form: Mapping[str, str], at: str, key: str, step: Document) -> None:
    """A tick box: ticked is true; unticked leaves the key out (its default, false)."""
    _put(step, key, True if _get(form, f"{at}-{key}") == "yes" else None)


def _flag_values(value: Any, at: str, key: str) -> Iterator[tuple[str, str]]:
    if value:
        yield f"{at}-{key}", "yes"


def _answer_values(value: Any, at: str, key: str) -> Iterator[tuple[str, str]]:
    yield f"{at}-{key}", "yes" if value else "no"


def _options_values(options: Any, at: str, key: str) -> Iterator[tuple[str, str]]:
    for n, option in enumerate(options, 1):
        yield f"{at}-o{n}-text", str(option.get("text", ""))
        yield f"{at}-o{n}-symbol", str(option.get("symbol", ""))
        if "again" in option:
            yield f"{at}-o{n}-again", str(option["again"])
    right = [str(n) for n, option in enumerate(options, 1) if option.get("correct")]
    if right:
        yield f"{at}-correct", " ".join(right)


def _groups_values(groups: Any, at: str, key: str) -> Iterator[tuple[str, str]]:
    for n, group in enumerate(groups, 1):
        yield f"{at}-g{n}-label", str(group.get("label", ""))
        yield f"{at}-g{n}-symbol", str(group.get("symbol", ""))


def _items_values(items: Any, at: str, key: str) -> Iterator[tuple[str, str]]:
    for n, item in enumerate(items, 1):
        yield f"{at}-i{n}-text", str(item.get("text", ""))
        yield f"{at}-i{n}-symbol", str(item.get("symbol", ""))
        yield f"{at}-i{n}-group", str(item.get("group", ""))


@dataclass(frozen=True)
class FormField:
    """How one lesson-document key is read from the form and written back to it."""

    read: Callable[[Mapping[str, str], str, str, Document], None]
    values: Callable[[Any, str, str], Iterator[tuple[str, str]]]


_TEXT = FormField(_text_field, _scalar_values)
# Keyed by document key, not by kind: each kind lists its keys in classroom/lessons/kinds.py.
FIELDS: dict[str, FormField] = {
    "feedback": _TEXT,
    "sound": _TEXT,
    "animation": _TEXT,
    "action": _TEXT,
    "place": _TEXT,
    "own_photo": FormField(_flag_field, _flag_values),
    "then": _TEXT,
    "then_symbol": _TEXT,
    "if_no": _TEXT,
    "note": _TEXT,
    "look_for": _TEXT,
    "wait": FormField(_wait_field, _scalar_values),
    "answer": FormField(_answer_field, _answer_values),
    "options": FormField(_options_field, _options_values),
    "groups": FormField(_groups_field, _groups_values),
    "items": FormField(_items_field, _items_values),
}


# Which kinds show each field in the editor (the editor's script hides the rest).
FIELD_KINDS = {
    key: " ".join(kind.value for kind, unit in kinds.KINDS.items() if key in unit.all_keys)
    for key in FIELDS
}


@lru_cache(maxsize=1)
def _words_by_picture() -> dict[str, str]:
    words: dict[str, str] = {}
    for entry in load_vocabulary().entries.values():
        for code in entry.symbols:
            words.setdefault(code, entry.phrase)
    return words


def picture_word(code: str) -> str | None:
    """The word-list word a picture stands for (the first one that uses it)."""
    return _words_by_picture().get(code)


# --- Document -> checked Lesson ----------------------------------------------------------------


def auto_symbol(text: str, fallback: str) -> str:
    """The picture of the first word in `text` that has one (what the preview shows)."""
    return next((t.symbol for t in symbolise(text) if t.symbol), fallback)


def lesson_data(doc: Document, key: str, number: int) -> Document:
    """The full lesson-file document: the teacher's content plus the app's ids and pictures."""
    data = deepcopy(doc)
    data.update(id=key, number=number)
    data.setdefault("symbol", auto_symbol(str(data.get("title", "")), DEFAULT_SYMBOLS["lesson"]))
    for pathway in Pathway:
        table = data.get(pathway.value)
        if not isinstance(table, dict):
            continue
        objective = {"id": f"{key}.{pathway.code}"}
        _put(objective, "text", table.get("objective"))
        table["objective"] = objective
        for step in table.get("steps", []):
            _fill_symbols(step)
    return data


def _fill_symbols(step: Document) -> None:
    step.setdefault("symbol", auto_symbol(str(step.get("text", "")), DEFAULT_SYMBOLS["step"]))
    if "then" in step:  # only-if-yes: the picture of what happens after a yes
        step.setdefault("then_symbol", auto_symbol(str(step["then"]), DEFAULT_SYMBOLS["step"]))
    entries = [*step.get("options", []), *step.get("groups", []), *step.get("items", [])]
    for entry in entries:
        words = str(entry.get("text", entry.get("label", "")))
        entry.setdefault("symbol", auto_symbol(words, DEFAULT_SYMBOLS["answer"]))


def check(
    doc: Document, key: str = "t-0-new", number: int = FIRST_NUMBER, boxes: Boxes | None = None
) -> Lesson:
    """The lesson, checked by the lesson-file rules; LessonProblems lists what is wrong, each
    step named by its editor box (`boxes`: the form's, when empty boxes were left out)."""
    try:
        return check_document(lesson_data(doc, key, number), "your lesson", kinds=kinds.KINDS)
    except LessonError as error:
        # The file reader's "goes back" problems are said in the editor's words, by its box.
        going_back = dict(
            _going_back(p, doc, boxes) for p in error.problems if p.rule in AGAIN_BREAKS
        )
        fields, links, said = dict(going_back), {}, []
        for problem in error.problems:
            if problem.rule in AGAIN_BREAKS:
                continue
            said_here = editor_problem(problem, doc, boxes)
            if said_here.reason in said:
                continue  # said once
            said.append(said_here.reason)
            if said_here.box is not None and said_here.box not in fields:
                fields[said_here.box] = said_here.reason
            if said_here.target is not None:
                links[said_here.reason] = said_here.target
        raise LessonProblems(said + list(going_back.values()), fields, links) from None


# --- The lesson file's words said in the editor's ------------------------------------------
# The reader (classroom/lessons/content) says a problem as a lesson file's author needs it:
# "step 1 of pre_formal (a '<kind>' step) is missing 'look_for'", "pre_formal has 1 steps".
# A teacher in the editor sees "Pre-formal", "step 1" (the box she filled, `Boxes`) and the
# label of the box to change, beside that box. This is the one place that mapping is made:
# from where the problem sits (`Problem.key`), not from the reader's wording.

NO_STRAND = "Tick at least one UKCIS strand: what the lesson is about."
NO_PATHWAY = (
    "Please write the lesson for at least one pathway (Pre-formal, Semi-formal or Formal): "
    "an objective and 3 to 7 steps."
)
FILL_IN = "please fill this in."
CHOOSE_ONE = "please choose one."
# A step's menus and choices, by document key: what a message calls each, and what it asks.
_STEP_CHOICES = {
    "kind": ("what the pupil does", CHOOSE_ONE),
    "look_for": ("engagement area it shows", CHOOSE_ONE),
    "answer": ("the right answer", "please choose Yes or No."),
    "sound": ("sound", CHOOSE_ONE),
    "animation": ("moving picture", CHOOSE_ONE),
    "action": ("the button the pupil presses to end it", CHOOSE_ONE),
    "place": ("which trusted adults the pupil sees", CHOOSE_ONE),
    "wait": ("wait before the reward is ready", "use 2 to 8 seconds."),
}
# A step's answers, things to sort and groups: the editor's words, box letter and text key.
_ENTRIES = {
    "options": ("answer", "o", "text"),
    "items": ("thing", "i", "text"),
    "groups": ("group", "g", "label"),
}
_ENTRY_SLOTS = {"options": OPTION_SLOTS, "items": ITEM_SLOTS, "groups": 2}
_FILE_MISSING = re.compile(r" is missing '(\w+)'")
# A step as a lesson file names it: "option 2 of step 3 of semi_formal (a '<kind>' step)",
# "the feedback of step 3 of semi_formal", "step 3" (the pathway is in the problem's key).
_FILE_STEP = re.compile(
    r"(?:the (feedback|note|symbol) of )?(?:(option|item|group) (\d+) of )?"
    r"(?<![\w'-])step (\d+)(?: of (pre_formal|semi_formal|formal))?(?: \(a '\w+' step\))?"
)
_FILE_PATHWAY = re.compile(r"(?:the objective of )?(?<![\w-])(pre_formal|semi_formal|formal)\b")
_ENTRY_WORDS = {"option": "answer", "item": "thing", "group": "group"}


@dataclass(frozen=True)
class Said:
    """A problem as the editor says it: `box` (a field name) is marked with it; `target` (an
    element id, less its "f-") is where the list of problems links, when not `box` itself."""

    reason: str
    box: str | None = None
    target: str | None = None


def editor_problem(problem: Problem, doc: Document, boxes: Boxes | None = None) -> Said:
    """One of the lesson reader's problems in the editor's words, with the box it is about."""
    path = problem.key
    missing = _FILE_MISSING.search(problem.reason)
    if path == ():
        if missing is not None and box_label(missing.group(1)) is not None:
            name = missing.group(1)
            return Said(f"{box_label(name)}: {FILL_IN}", name)
        if not any(pathway.value in doc for pathway in Pathway):
            return Said(NO_PATHWAY, target=f"{Pathway.PRE_FORMAL.code}-objective")
        return Said(_file_words(problem.reason, doc, boxes))
    if path[0] == "strands":
        return Said(NO_STRAND, target=f"strand-{next(iter(Strand)).value}")
    if len(path) == 1 and path[0] in ("title", "topic"):  # the title's words, say
        return Said(_file_words(problem.reason, doc, boxes), str(path[0]))
    try:
        pathway = Pathway(str(path[0]))
    except ValueError:
        return Said(_file_words(problem.reason, doc, boxes))
    code, rest = pathway.code, path[1:]
    if rest[:1] == ("objective",):
        name = f"{code}-objective"
        if missing is not None and missing.group(1) == "text":
            return Said(f"{box_label(name)}: {FILL_IN}", name)
        if rest == ("objective", "text"):
            return Said(_file_words(problem.reason, doc, boxes), name)
        return Said(_file_words(problem.reason, doc, boxes))
    steps = (doc.get(pathway.value) or {}).get("steps", [])
    numbers = _box_numbers(boxes, code, len(steps))
    if rest == ("steps",):
        return _step_count(pathway, numbers, len(steps))
    if len(rest) < 2 or not isinstance(rest[1], int) or rest[1] >= len(numbers):
        return Said(_file_words(problem.reason, doc, boxes))
    at, label = f"{code}-{numbers[rest[1]]}", f"{pathway.label} step {numbers[rest[1]]}"
    return _in_step(problem, rest[2:], (at, label, steps[rest[1]]), missing, doc, boxes)


def _step_count(pathway: Pathway, numbers: list[int], count: int) -> Said:
    """Too few steps on a pathway: marked on the first box with no step in it."""
    low, high = STEPS_PER_VERSION
    has = "no steps" if count == 0 else f"{count} step{'s' if count != 1 else ''}"
    reason = (
        f"{pathway.label} has {has}: each pathway needs {low} to {high}. Fill in more steps, "
        f"or leave {pathway.label} empty (no objective, no steps) if the lesson is not for it."
    )
    free = next((n for n in range(1, STEP_SLOTS + 1) if n not in numbers), None)
    return Said(reason, None if free is None else f"{pathway.code}-{free}-kind")


def _in_step(
    problem: Problem,
    inside: tuple[str | int, ...],
    place: tuple[str, str, Document],
    missing: re.Match[str] | None,
    doc: Document,
    boxes: Boxes | None,
) -> Said:
    """A problem inside a step: `place` is its box (`at`: "pf-2"), what a message calls it
    (`label`: "Pre-formal step 2") and the step."""
    at, label, step = place
    if inside == () and missing is not None:
        # The picture after a yes is the first key word's of its words (`_fill_symbols`): with
        # no words, the words box is what to fill, said once.
        key = {"then_symbol": "then"}.get(missing.group(1), missing.group(1))
        if key in _STEP_CHOICES:
            words, ask = _STEP_CHOICES[key]
            target = f"{at}-answer-yes" if key == "answer" else None
            return Said(f"{label}, {words}: {ask}", f"{at}-{key}", target)
        name = f"{at}-{key}"
        if box_label(name) is not None:
            return Said(f"{box_label(name)}: {FILL_IN}", name)
    if len(inside) == 1 and inside[0] in _ENTRIES:
        return _entry_list(problem, str(inside[0]), at, label, step)
    if len(inside) >= 2 and inside[0] in _ENTRIES and isinstance(inside[1], int):
        what, letter, text_key = _ENTRIES[str(inside[0])]
        entry = f"{at}-{letter}{inside[1] + 1}"
        name = f"{entry}-{inside[2] if len(inside) > 2 else text_key}"
        if inside[2:] == () and missing is not None:
            return Said(f"{label}, {what} {inside[1] + 1}: {FILL_IN}", f"{entry}-{text_key}")
        shown = inside[2:] in ((), (text_key,), ("group",))  # boxes that show a message
        return Said(_file_words(problem.reason, doc, boxes), name if shown else None)
    if len(inside) == 1 and str(inside[0]) in {*_STEP_BOX_WORDS, *_STEP_CHOICES}:
        return Said(_file_words(problem.reason, doc, boxes), f"{at}-{inside[0]}")
    return Said(_file_words(problem.reason, doc, boxes))


def _entry_list(problem: Problem, key: str, at: str, label: str, step: Document) -> Said:
    """A step's answers (or things) too few, or none right: marked on the box to change (the
    box after those written: the editor's boxes are filled from the first)."""
    what, letter, text_key = _ENTRIES[key]
    if key == "options" and "correct" in problem.reason:
        reason = f"{label}: tick “Answer n is right” for at least one answer."
        return Said(reason, f"{at}-correct", f"{at}-correct-1")
    if key == "items" and "no items in group" in problem.reason:
        return Said(f"{label}: put at least one thing in each group.", f"{at}-i1-group")
    low, high = OPTIONS_PER_CHOOSE if key == "options" else ITEMS_PER_SORT
    written = len(step.get(key, []))
    has = "none" if written == 0 else str(written)
    reason = (
        f"{label}: write {low} to {high} {what}s (there {'is' if written == 1 else 'are'} {has})."
    )
    slot = written + 1 if written < _ENTRY_SLOTS[key] else 1
    return Said(reason, f"{at}-{letter}{slot}-{text_key}")


def _file_words(reason: str, doc: Document, boxes: Boxes | None) -> str:
    """A reason the editor has no words of its own for, with its places in the editor's:
    "step 3 of semi_formal (a '<kind>' step)" is "Semi-formal step 3" (the box's number),
    "option 2 of" it is its "answer 2", "pre_formal" is "Pre-formal"."""

    def step(found: re.Match[str]) -> str:
        part, entry, n, number, where = found.groups()
        if where is None:
            return found.group(0)  # a step the problem's key names the pathway of (rare)
        pathway = Pathway(where)
        count = len((doc.get(pathway.value) or {}).get("steps", []))
        numbers = _box_numbers(boxes, pathway.code, count)
        box = numbers[int(number) - 1] if 1 <= int(number) <= len(numbers) else int(number)
        said = f"{pathway.label} step {box}"
        if entry is not None:
            said += f", {_ENTRY_WORDS[entry]} {n}"
        return f"{said}, {part}" if part else said

    def pathway(found: re.Match[str]) -> str:
        words = Pathway(found.group(1)).label
        return f"{words} objective" if found.group(0).startswith("the objective") else words

    said = _FILE_PATHWAY.sub(pathway, _FILE_STEP.sub(step, reason))
    said = said.removesuffix(" (lessons/glossary.toml)")  # the school's word list, not hers
    return said[:1].upper() + said[1:]


AGAIN_BREAKS = frozenset(AgainBreak)
WRONG_ANSWER_GOES_BACK = (
    "only a right answer lets the pupil go on, so only a right answer can go back to an "
    "earlier step. Tick answer {n} as right, or empty its “Next goes back to step” box."
)
EVERY_RIGHT_ANSWER_GOES_BACK = (
    "every right answer goes back to an earlier step, so the pupil could never finish the "
    "lesson. Leave the box empty on at least one right answer (such as “Finished”), so that "
    "it goes on."
)


def _going_back(problem: Problem, doc: Document, boxes: Boxes | None) -> tuple[str, str]:
    """(editor box, reason) for an answer's "Next goes back to step" that the file reader
    found could not work (`again_breaks`: the rule is the reader's; the words are the
    editor's). `problem.key` is where the value sits: (pathway, "steps", i, "options", j, ...);
    the step is named by the box the teacher filled, which an empty box before it moves on."""
    pathway, _steps, step, _options, option = problem.key[:5]
    where = Pathway(str(pathway))
    steps = doc[where.value]["steps"]
    numbers = _box_numbers(boxes, where.code, len(steps))
    number, n = numbers[int(step)], int(option) + 1
    box = f"{where.code}-{number}-o{n}-again"
    why = AgainBreak(problem.rule)
    if why is AgainBreak.NO_WAY_ON:
        reason = EVERY_RIGHT_ANSWER_GOES_BACK
    elif why is AgainBreak.WRONG_ANSWER:
        reason = f"answer {n}: {WRONG_ANSWER_GOES_BACK.format(n=n)}"
    else:
        typed = steps[int(step)]["options"][int(option)].get("again")
        reason = f"answer {n}: {_earlier_steps(number, numbers[: int(step)], typed)}"
    return box, f"{where.label}, step {number}, {reason}"


def _earlier_steps(number: int, earlier: list[int], typed: object) -> str:
    """Why `typed` is not a step to go back to, from box `number`; `earlier`: the boxes
    before it that hold a step."""
    if number == 1:
        return (
            "the first step has no earlier step to go back to; empty its "
            "“Next goes back to step” box."
        )
    if not earlier:
        return (
            f"every step before step {number} is empty, so there is no earlier step to go "
            "back to; empty its “Next goes back to step” box."
        )
    if earlier == list(range(1, number)):
        return (
            "“Next goes back to step” must be the number of an earlier step "
            f"(1 to {number - 1}), or left empty to go on to the next step."
        )
    empty = ""
    if isinstance(typed, str) and typed.isdigit() and 1 <= int(typed) < number:
        empty = f"step {int(typed)} is empty, so Next cannot go back to it: "
    return (
        f"{empty}“Next goes back to step” must be the number of an earlier step that is not "
        f"empty ({_either(earlier)}), or left empty to go on to the next step."
    )


def _either(numbers: list[int]) -> str:
    """1 → "1"; 1, 2 → "1 or 2"; 1, 2, 4 → "1, 2 or 4"."""
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def in_box_numbers(reasons: list[str], doc: Document, boxes: Boxes | None) -> list[str]:
    """The reader's and picture rules' messages with each step named by its editor box: they
    count the steps the pupil sees ("step 3 of semi_formal", "Semi-formal, step 3"), and an
    empty box between filled ones is not one of them."""
    for pathway in Pathway:
        count = len((doc.get(pathway.value) or {}).get("steps", []))
        numbers = _box_numbers(boxes, pathway.code, count)
        if numbers == list(range(1, count + 1)):
            continue
        for named in (
            re.compile(rf"((?<![\w-])step )(\d+)(?= of {pathway.value}\b)"),
            re.compile(rf"((?<![\w-]){re.escape(pathway.label)}, step )(\d+)\b"),
        ):
            reasons = [_renumbered(named, reason, numbers) for reason in reasons]
    return reasons


def _renumbered(named: re.Pattern[str], reason: str, numbers: list[int]) -> str:
    """`reason` with each step number `named` finds (its group 2) as that step's box."""

    def box(found: re.Match[str]) -> str:
        step = int(found.group(2))
        return f"{found.group(1)}{numbers[step - 1] if step <= len(numbers) else step}"

    return named.sub(box, reason)


def check_for_saving(
    doc: Document, key: str = "t-0-new", number: int = FIRST_NUMBER, boxes: Boxes | None = None
) -> Lesson:
    """`check`, then the picture rules every lesson file meets: one picture per word on a
    screen, a card naming a word-list word shows that word's picture, and no two answer cards
    of a step show one picture; and no emoji typed into a pupil's words (`picture_boxes`).

    Run when a teacher saves, not when a saved lesson is read, so a lesson saved before these
    rules still reaches the pupils it is on the maps of; its next edit is checked.
    """
    typed = picture_boxes(doc, boxes)  # said with the rest, not after they are fixed
    try:
        lesson = check(doc, key, number, boxes)
    except LessonProblems as broken:
        if not typed:
            raise
        reasons = broken.reasons + list(typed.values())
        raise LessonProblems(reasons, {**broken.fields, **typed}, broken.links) from None
    problems = written_lesson_problems(lesson) + written_card_problems(lesson, kinds.KINDS)
    if problems or typed:
        raise LessonProblems(in_box_numbers(problems, doc, boxes) + list(typed.values()), typed)
    return lesson


@lru_cache(maxsize=256)
def _built(key: str, number: int, document: str) -> Lesson:
    return check(json.loads(document), key, number)


def lesson_of(row: AuthoredLesson) -> Lesson:
    """The checked lesson a saved row holds (cached: the same document gives the same lesson)."""
    return _built(row.key, FIRST_NUMBER + row.id, row.document)


def document_of(row: AuthoredLesson) -> Document:
    loaded: Document = json.loads(row.document)
    return loaded


# --- The teacher's notes: the only rich text ------------------------------------------------


class _NoOpener(Filter):  # type: ignore[misc]
    """Every kept link opens without giving the new page a handle on ours."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in Filter.__iter__(self):
            if token["type"] in ("StartTag", "EmptyTag") and token["name"] == "a":
                attrs = dict(token["data"] or {})
                attrs[(None, "rel")] = "noopener noreferrer"
                token["data"] = attrs
            yield token


class _Emphasis(Filter):  # type: ignore[misc]
    """Bold and italics as Word and most pages paste them (<b>, <i>) kept as the emphasis the
    notes allow (<strong>, <em>), not dropped: the editor's hint promises bold and italics."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for token in Filter.__iter__(self):
            if token["type"] in ("StartTag", "EndTag") and token["name"] in _AS_EMPHASIS:
                token["name"] = _AS_EMPHASIS[token["name"]]
            yield token


_AS_EMPHASIS = {"b": "strong", "i": "em"}

_CLEANER = bleach.sanitizer.Cleaner(
    tags=NOTE_TAGS | _AS_EMPHASIS.keys(),
    attributes={"a": ["href"]},
    protocols={"http", "https"},
    strip=True,
    strip_comments=True,
    filters=[_NoOpener, _Emphasis],
)


def clean_notes(html: str) -> str:
    """Teacher's notes cut down to paragraphs, emphasis, lists and http(s) links."""
    return _CLEANER.clean(html).strip()


def typed_notes(text: str) -> str:
    """The notes a teacher typed, cleaned, or LessonProblems if they are too long to keep whole.

    Counted as the text box counts them: a browser sends each line break as two characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_NOTES:
        raise LessonProblems([too_long("Teacher's notes", MAX_NOTES, text)])
    return clean_notes(text)


_ENTITY = re.compile(r"&(amp|gt|quot|#39|#x27);|&lt;(?![a-zA-Z/!?])")
_TYPED = {"amp": "&", "gt": ">", "quot": '"', "#39": "'", "#x27": "'", None: "<"}


def notes_for_editing(row: AuthoredLesson) -> str:
    """The saved notes as the teacher typed them, for the editor's box: cleaning wrote a
    typed "&", "<" or ">" as an entity ("Tom &amp; Jerry"), which the box would show as
    such. Each is put back as typed, except a "<" that would start a tag; cleaning the box's
    text again when it is saved gives the same notes."""

    def typed(found: re.Match[str]) -> str:
        return _TYPED[found.group(1)]

    return _ENTITY.sub(typed, row.notes_html)


_BLOCK_TAG = re.compile(r"<(p|br|ul|ol|li)\b", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _paragraphs(html: str) -> str:
    """Notes typed as plain lines, shown as typed: a blank line starts a paragraph, a line
    break stays one. Notes written with paragraphs or lists are left as they are."""
    if _BLOCK_TAG.search(html):
        return html
    parts = (part.strip() for part in _BLANK_LINE.split(html))
    return "".join(f"<p>{part.replace(chr(10), '<br>')}</p>" for part in parts if part)


def notes_markup(row: AuthoredLesson) -> Markup:
    """The notes for a template; cleaned again on the way out, so stored HTML is never trusted
    (and once more after the paragraphs are made, so their tags nest properly)."""
    return Markup(clean_notes(_paragraphs(clean_notes(row.notes_html))))  # noqa: S704 - bleach


# --- Changing lessons -------------------------------------------------------------------------


def _author(actor: Actor) -> Account:
    account = policy.holder(actor, "author_lessons")
    if account is None:
        raise Forbidden("not allowed to write lessons")
    return account


def _slug(title: str) -> str:
    words = _SLUG_WORD.findall(title.lower().encode("ascii", "ignore").decode())
    return "-".join(words)[:40].strip("-") or "lesson"


def create(
    session: Session,
    actor: Actor,
    doc: Document,
    notes: str,
    *,
    now: datetime,
    boxes: Boxes | None = None,
) -> AuthoredLesson:
    """Save a new draft, only if it meets every lesson rule (`boxes`: the editor's, to name
    each step in a refusal by the box it was typed in)."""
    author = _author(actor)
    lesson = check_for_saving(doc, boxes=boxes)
    row = AuthoredLesson(
        school_id=author.school_id,
        author_id=author.id,
        key=f"new-{uuid.uuid4().hex}",
        title=lesson.title.text[:200],
        status=LessonStatus.DRAFT,
        document=json.dumps(doc, sort_keys=True),
        notes_html=clean_notes(notes),
        revision=1,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    # Pupils' records keep this id for ever, so it is made once, from the first title.
    row.key = f"t-{row.id}-{_slug(lesson.title.text)}"
    record(session, actor, "authored_lesson.created", row, row.key)
    return row


def attempted(session: Session, row: AuthoredLesson) -> bool:
    """Whether any pupil has started this lesson (so their records point at its steps)."""
    found = session.scalar(select(LessonAttempt.id).where(LessonAttempt.lesson_id == row.key))
    return found is not None


# Whether staff have recorded any observation on a lesson (its key): assessment sits above
# lessons, so the app factory hands it in (`authoring_views.register_observed`).
Observed = Callable[[Session, str], bool]

PLAYED = "Pupils have already played this lesson"
WITHDRAWN = "This lesson has been withdrawn"
ASSESSED = "Staff have already recorded assessments on this lesson"
EDIT_REFUSED = (
    f"{PLAYED}, so it cannot be changed: their answers and "
    "assessments point at these exact steps. Make a copy, change the copy, and share that."
)
ASSESSED_REFUSED = (
    f"{ASSESSED}, so it cannot be changed: what they recorded points at its objectives and "
    "steps as they are now. Make a copy, change the copy, and share that."
)


WITHDRAWN_REFUSED = (
    f"{WITHDRAWN}, so it cannot be changed or shared again. Make a copy, change the copy, "
    "and share that."
)
_EDIT_REFUSALS = {PLAYED: EDIT_REFUSED, ASSESSED: ASSESSED_REFUSED, WITHDRAWN: WITHDRAWN_REFUSED}


def locked(session: Session, row: AuthoredLesson, observed: Observed) -> str | None:
    """Why a shared lesson can no longer be changed in place (`PLAYED` or `ASSESSED`; a
    withdrawn one never can: `WITHDRAWN`), or None.

    Pupils' answers and staff's observations both point at its objectives and steps: changed
    in place, an objective's old levels would sit under new words, and a pathway taken out
    would leave its observations under another pathway's objective."""
    if row.status is LessonStatus.WITHDRAWN:
        return WITHDRAWN
    if row.status is not LessonStatus.SHARED:
        return None
    if attempted(session, row):
        return PLAYED
    if observed(session, row.key):
        return ASSESSED
    return None


def _require_edit(session: Session, actor: Actor, row: AuthoredLesson) -> None:
    if not policy.can_edit_authored_lesson(session, actor, row):
        raise Forbidden("not this teacher's lesson")


DELETE_REFUSED = (
    "Only a draft nobody has used can be deleted: this lesson has been shared with the school, "
    "or pupils have played it or staff have assessed it."
)


def delete_draft(session: Session, actor: Actor, row: AuthoredLesson, observed: Observed) -> None:
    """Delete a draft (a try-out, a copy made by mistake), by whoever may change it. A shared
    lesson may be on pupils' maps, and one played or assessed has records that point at it, so
    those are never deleted (Refused)."""
    _require_edit(session, actor, row)
    used = attempted(session, row) or observed(session, row.key)
    if row.status is not LessonStatus.DRAFT or used:
        raise Refused(DELETE_REFUSED)
    record(session, actor, "authored_lesson.deleted", row, f"{row.key}: {row.title}")
    session.delete(row)
    session.flush()


class Stale(Refused):
    """The lesson was saved by someone else (or in another tab) after this editor opened it."""


STALE = (
    "Someone saved a change to this lesson after you opened it, so your changes were not "
    "saved over theirs. What you typed is below. Open the lesson in another tab to see their "
    "change; then Save again to replace it with yours, or save yours as a new draft."
)


def update(
    session: Session,
    actor: Actor,
    row: AuthoredLesson,
    doc: Document,
    notes: str,
    *,
    now: datetime,
    observed: Observed,
    boxes: Boxes | None = None,
    revision: int | None = None,
) -> None:
    """Change a lesson, only if it still meets every rule and nothing has been recorded on it
    (no pupil has played it and no one has assessed a pupil on it: `locked`); and, given the
    `revision` the editor was opened at, only if nobody has saved it since (`Stale`): a
    second teacher's save never silently lays over the first's."""
    _require_edit(session, actor, row)
    reason = locked(session, row, observed)
    if reason is not None:
        raise Refused(_EDIT_REFUSALS[reason])
    if revision is not None and revision != row.revision:
        raise Stale(STALE)
    lesson = check_for_saving(doc, row.key, FIRST_NUMBER + row.id, boxes)
    row.title = lesson.title.text[:200]
    row.document = json.dumps(doc, sort_keys=True)
    row.notes_html = clean_notes(notes)
    row.revision += 1
    row.updated_at = now
    record(session, actor, "authored_lesson.updated", row, f"{row.key} revision {row.revision}")


def share(session: Session, actor: Actor, row: AuthoredLesson, *, now: datetime) -> None:
    """Share a draft with the school: it can then go on class and pupil maps."""
    _require_edit(session, actor, row)
    if row.status is LessonStatus.SHARED:
        raise Refused("This lesson is already shared with the school.")
    if row.status is LessonStatus.WITHDRAWN:
        raise Refused(WITHDRAWN_REFUSED)
    lesson_of(row)  # a row that no longer meets the rules (say, a symbol removed) stays a draft
    row.status, row.shared_at = LessonStatus.SHARED, now
    record(session, actor, "authored_lesson.shared", row, row.key)


@dataclass(frozen=True)
class Reach:
    """Where a shared lesson is in front of pupils: what withdrawing it takes away."""

    classes: tuple[str, ...]  # the classes whose map it is on, by name
    pupil_maps: int  # pupils' own (personalised) maps it is on, of pupils at the school
    targets: int  # pupils at the school it is the target (next lesson) of
    part_way: int  # pupils with a go at it not finished


# Pupils at the school: a leaver's map is the record of what they were taught, kept as it is.
_AT_SCHOOL = select(Pupil.id).where(Pupil.active.is_(True))
_ON_CLASS_MAPS = (
    select(SchoolClass.name)
    .join(MapEntry, MapEntry.class_id == SchoolClass.id)
    .order_by(SchoolClass.name)
)


def reach(session: Session, row: AuthoredLesson) -> Reach:
    """What withdrawing the lesson would take off pupils' maps (reads only)."""
    key = row.key
    classes = session.scalars(
        _ON_CLASS_MAPS.where(MapEntry.lesson_id == key, SchoolClass.school_id == row.school_id)
    )
    pupil_maps = session.scalar(
        select(func.count(MapEntry.id)).where(
            MapEntry.lesson_id == key, MapEntry.pupil_id.in_(_AT_SCHOOL)
        )
    )
    targets = session.scalar(
        select(func.count())
        .select_from(PupilTarget)
        .where(PupilTarget.lesson_id == key, PupilTarget.pupil_id.in_(_AT_SCHOOL))
    )
    part_way = session.scalar(
        select(func.count(distinct(LessonAttempt.pupil_id))).where(
            LessonAttempt.lesson_id == key, LessonAttempt.finished_at.is_(None)
        )
    )
    return Reach(tuple(classes), pupil_maps or 0, targets or 0, part_way or 0)


ALREADY_WITHDRAWN = (
    "This lesson has already been withdrawn: it is on no map and pupils cannot get it."
)
NOT_SHARED = (
    "Only a shared lesson can be withdrawn: a draft nobody has used can be deleted instead."
)


def withdraw(session: Session, actor: Actor, row: AuthoredLesson, *, now: datetime) -> Reach:
    """Withdraw a shared lesson, by whoever may change it: it comes off every class and pupil
    map and is no pupil's target, so no pupil gets it and nobody can add it again. It stays in
    the school's catalogue (marked withdrawn), so every answer and observation on it still
    shows in progress, reports and the heatmap. Flushes only; the request commits."""
    _require_edit(session, actor, row)
    if row.status is LessonStatus.WITHDRAWN:
        raise Refused(ALREADY_WITHDRAWN)
    if row.status is not LessonStatus.SHARED:
        raise Refused(NOT_SHARED)
    taken = reach(session, row)
    on_maps = MapEntry.class_id.is_not(None) | MapEntry.pupil_id.in_(_AT_SCHOOL)
    session.execute(delete(MapEntry).where(MapEntry.lesson_id == row.key, on_maps))
    session.execute(
        delete(PupilTarget).where(
            PupilTarget.lesson_id == row.key, PupilTarget.pupil_id.in_(_AT_SCHOOL)
        )
    )
    # A new status and time: every worker's catalogue stamp changes (`maps.school_catalogue`).
    row.status, row.updated_at = LessonStatus.WITHDRAWN, now
    session.flush()
    summary = (
        f"{row.key}: off {len(taken.classes)} class maps and {taken.pupil_maps} pupil maps, "
        f"{taken.targets} targets cleared, {taken.part_way} pupils part way"
    )
    record(session, actor, "authored_lesson.withdrawn", row, summary)
    return taken


@dataclass(frozen=True)
class Withdrawal:
    """When a lesson was withdrawn, and by whom (from the audit log)."""

    at: datetime
    by: str


def withdrawal(session: Session, row: AuthoredLesson) -> Withdrawal | None:
    """When and by whom a withdrawn lesson was withdrawn; None for any other lesson."""
    if row.status is not LessonStatus.WITHDRAWN:
        return None
    found = session.execute(
        select(AuditEvent.at, AuditEvent.actor_name)
        .where(
            AuditEvent.action == "authored_lesson.withdrawn",
            AuditEvent.object_type == AuthoredLesson.__name__,
            AuditEvent.object_id == row.id,
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    return Withdrawal(found[0], found[1]) if found else Withdrawal(row.updated_at, "")


def withdrawal_of(session: Session, key: str) -> Withdrawal | None:
    """`withdrawal` of the teacher lesson with this lesson id; None for any other lesson."""
    row = session.scalar(select(AuthoredLesson).where(AuthoredLesson.key == key))
    return None if row is None else withdrawal(session, row)


def copy(session: Session, actor: Actor, row: AuthoredLesson, *, now: datetime) -> AuthoredLesson:
    """A new draft with the same content, to change a lesson that is `locked`."""
    if not policy.can_view_authored_lesson(session, actor, row):
        raise Forbidden("not a lesson this teacher can see")
    made = create(session, actor, document_of(row), row.notes_html, now=now)
    record(session, actor, "authored_lesson.copied", made, f"from {row.key}")
    return made


def copy_changed(
    session: Session,
    actor: Actor,
    row: AuthoredLesson,
    doc: Document,
    notes: str,
    *,
    now: datetime,
    boxes: Boxes | None = None,
) -> AuthoredLesson:
    """A new draft of what a teacher typed into a lesson that is `locked`: their changes are
    kept, and the lesson itself (and what was recorded on it) stays as it is."""
    if not policy.can_view_authored_lesson(session, actor, row):
        raise Forbidden("not a lesson this teacher can see")
    made = create(session, actor, doc, notes, now=now, boxes=boxes)
    record(session, actor, "authored_lesson.copied", made, f"from {row.key}, with changes")
    return made


def document_of_file(lesson: Lesson) -> Document:
    """A school lesson file as a teacher's document: its words, pictures and staff notes."""
    data = tomllib.loads(lesson.source.read_text(encoding="utf-8"))
    doc: Document = {key: data[key] for key in ("title", "topic", "symbol", "strands", "risks")}
    for pathway in lesson.pathways:
        table = data[pathway.value]
        doc[pathway.value] = {"objective": table["objective"]["text"], "steps": table["steps"]}
    return doc


def copy_file_lesson(
    session: Session, actor: Actor, lesson: Lesson, *, now: datetime
) -> AuthoredLesson:
    """A draft copy of one of the school's lesson files, so a teacher can change its steps
    and its staff notes for their pupils; the file itself never changes."""
    if lesson.number >= FIRST_NUMBER:
        raise Refused("This is a teacher's lesson: open it and make a copy there.")
    made = create(session, actor, document_of_file(lesson), "", now=now)
    record(session, actor, "authored_lesson.copied", made, f"from lesson file {lesson.id}")
    return made


# --- Reading lessons -------------------------------------------------------------------------


IN_CATALOGUE = (LessonStatus.SHARED, LessonStatus.WITHDRAWN)


def shared_lessons(session: Session, school_id: int | None) -> list[Lesson]:
    """The school's shared teacher lessons (every school's when none is given), oldest first,
    with those withdrawn marked so (`Lesson.withdrawn`): what was recorded on them still shows,
    and nothing offers them."""
    query = select(AuthoredLesson).where(AuthoredLesson.status.in_(IN_CATALOGUE))
    if school_id is not None:
        query = query.where(AuthoredLesson.school_id == school_id)
    lessons = []
    for row in session.scalars(query.order_by(AuthoredLesson.id)):
        try:
            lesson = lesson_of(row)
        except LessonProblems:
            continue  # e.g. a symbol since removed: the lesson drops out, as a deleted file would
        # The cached lesson is shared by every caller: a withdrawn one is a marked copy.
        withdrawn = row.status is LessonStatus.WITHDRAWN
        lessons.append(replace(lesson, withdrawn=True) if withdrawn else lesson)
    return lessons


def merged(files: Catalogue, extra: list[Lesson]) -> Catalogue:
    """File lessons first (they win any clash of ids), then teacher lessons."""
    added = tuple(lesson for lesson in extra if lesson.id not in files)
    return Catalogue(files.lessons + added, base=files.files()) if added else files


def preview_lesson(
    session: Session, actor: Actor, lesson_id: str, lessons: Catalogue
) -> Lesson | None:
    """Any lesson the actor may preview: on the school's catalogue, or a draft they can see."""
    if lesson_id in lessons:
        return lessons.get(lesson_id)
    row = session.scalar(
        policy.visible_authored_lessons(actor).where(AuthoredLesson.key == lesson_id)
    )
    try:
        return lesson_of(row) if row is not None else None
    except LessonProblems:
        return None  # it no longer meets the rules (a symbol removed, say): nothing to show


STRAND_LABELS = {
    Strand.SELF_IMAGE_IDENTITY: "Self-image and identity",
    Strand.ONLINE_RELATIONSHIPS: "Online relationships",
    Strand.ONLINE_REPUTATION: "Online reputation",
    Strand.ONLINE_BULLYING: "Online bullying",
    Strand.MANAGING_ONLINE_INFORMATION: "Managing online information",
    Strand.HEALTH_WELLBEING_LIFESTYLE: "Health, well-being and lifestyle",
    Strand.PRIVACY_SECURITY: "Privacy and security",
    Strand.COPYRIGHT_OWNERSHIP: "Copyright and ownership",
}
STRAND_CHOICES = [(strand.value, STRAND_LABELS[strand]) for strand in Strand]
RISK_CHOICES = [(risk.value, risk.label) for risk in Risk if risk not in NOT_FOR_LESSONS]
