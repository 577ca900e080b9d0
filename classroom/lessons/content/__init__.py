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
    ages = [14, 19]                 # optional; the youngest and oldest pupils it is for
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

The package: `model` (the data types), `lines` (where in a file a value sits), `reader`
(the checks) and `kinds` is not here but in classroom/lessons/kinds.py (one unit per step kind).
"""

from __future__ import annotations

# The facade: everything other code needs from lesson content, from the one place it always
# came from. model: the data types; lines: where in a file a value sits; reader: the checks.
from classroom.config import ROOT
from classroom.lessons.content.model import (
    ITEMS_PER_SORT,
    LESSONS_DIR,
    MAX_LABEL_WORDS,
    MAX_TITLE_WORDS,
    MAX_WORDS,
    OPTIONS_PER_CHOOSE,
    STEPS_PER_VERSION,
    Action,
    AgainBreak,
    Animation,
    AnticipateStep,
    BaseStep,
    Catalogue,
    CauseEffectStep,
    ChooseStep,
    Engagement,
    Lesson,
    LessonError,
    MeStep,
    Objective,
    OnlyIfYesStep,
    Option,
    Pathway,
    Place,
    Problem,
    Risk,
    SortGroup,
    SortItem,
    SortStep,
    Sound,
    Step,
    StepKind,
    StoryStep,
    Strand,
    Text,
    UntilIActStep,
    Version,
    WhoCanITellStep,
    YesNoStep,
)
from classroom.lessons.content.reader import (
    CATALOGUE_CUE_STEPS,
    LESSON_KEYS,
    LESSON_OPTIONAL,
    NO_GLOSSARY,
    STAFF_KEYS,
    STEP_KEYS,
    WAIT_SECONDS,
    AnswerGiveaway,
    CardClash,
    again_breaks,
    all_pupil_texts,
    answer_giveaways,
    card_clashes,
    check_document,
    lesson_files,
    load_lessons,
    written_card_problems,
)

__all__ = [
    "ROOT",
    "CATALOGUE_CUE_STEPS",
    "ITEMS_PER_SORT",
    "LESSONS_DIR",
    "LESSON_KEYS",
    "LESSON_OPTIONAL",
    "MAX_LABEL_WORDS",
    "MAX_TITLE_WORDS",
    "MAX_WORDS",
    "NO_GLOSSARY",
    "OPTIONS_PER_CHOOSE",
    "STAFF_KEYS",
    "STEPS_PER_VERSION",
    "STEP_KEYS",
    "WAIT_SECONDS",
    "Action",
    "Animation",
    "AnticipateStep",
    "BaseStep",
    "Catalogue",
    "CauseEffectStep",
    "ChooseStep",
    "Engagement",
    "Lesson",
    "LessonError",
    "MeStep",
    "Objective",
    "OnlyIfYesStep",
    "Option",
    "Pathway",
    "Place",
    "Problem",
    "Risk",
    "SortGroup",
    "SortItem",
    "SortStep",
    "Sound",
    "Step",
    "StepKind",
    "StoryStep",
    "Strand",
    "Text",
    "UntilIActStep",
    "Version",
    "WhoCanITellStep",
    "YesNoStep",
    "AgainBreak",
    "AnswerGiveaway",
    "CardClash",
    "again_breaks",
    "all_pupil_texts",
    "answer_giveaways",
    "card_clashes",
    "check_document",
    "lesson_files",
    "load_lessons",
    "written_card_problems",
]
