"""The lesson loader refuses bad files, naming the file, the line and a plain reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom.lessons.content import (
    Animation,
    CauseEffectStep,
    ChooseStep,
    LessonError,
    Pathway,
    SortStep,
    Sound,
    Strand,
    YesNoStep,
    load_lessons,
)
from classroom.lessons.kinds import KINDS

VALID = '''\
id = "tiny"
number = 1
title = "Tiny lesson"
topic = "Testing the loader"
symbol = "1F4AC"
strands = ["online_bullying"]
risks = ["cyberbullying"]
staff_note = """
A note for staff, with [brackets], a # hash and "quotes".
"""

[pre_formal]
objective = { id = "tiny.pf", text = "Engages" }

[[pre_formal.steps]]
kind = "cause_effect"
text = "Tap for a sound!"
symbol = "1F514"
sound = "chime"
animation = "sparkle"
look_for = "initiation"
note = "Taps on their own."

[[pre_formal.steps]]
kind = "story"
text = "Hello # not a comment."
symbol = "1F44B"
look_for = "responsiveness"
note = "Looks up."

[[pre_formal.steps]]
kind = "who_can_i_tell"
text = "Who can you tell?"
symbol = "1F5E3"
look_for = "responsiveness"
note = "Looks at an adult."

[semi_formal]
objective = { id = "tiny.sf", text = "Chooses" }

[[semi_formal.steps]]
kind = "story"
text = "Messages can be kind."
symbol = "1F4AC"

[[semi_formal.steps]]
kind = "choose"
text = "Which is kind?"
symbol = "1F914"
options = [
  { text = "Well done!", symbol = "1F44F", correct = true },
  { text = "Go away", symbol = "1F621" },
]
feedback = "'Well done!' is kind."

[[semi_formal.steps]]
kind = "sort"
text = "Kind or unkind?"
symbol = "1F914"
groups = [
  { label = "Kind", symbol = "1FAF6" },
  { label = "Unkind", symbol = "1F494" },
]
items = [
  { text = "Well done!", symbol = "1F44F", group = 1 },
  { text = "Happy birthday!", symbol = "1F382", group = 1 },
  { text = "Go away", symbol = "1F621", group = 2 },
]
feedback = "Kind words make people happy."

[formal]
objective = { id = "tiny.f", text = "Explains" }

[[formal.steps]]
kind = "story"
text = "Words can help or hurt."
symbol = "1F4AC"

[[formal.steps]]
kind = "yes_no"
text = "Unkind words can hurt."
symbol = "1F622"
answer = true
feedback = "Yes. So we use kind words."

[[formal.steps]]
kind = "story"
text = "Be kind online."
symbol = "1F496"
'''
NAME = "01-tiny.toml"


def lesson_folder(tmp_path: Path, text: str = VALID, name: str = NAME) -> Path:
    folder = tmp_path / "lessons"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


def problems(folder: Path) -> list[str]:
    with pytest.raises(LessonError) as caught:
        load_lessons(folder, kinds=KINDS)
    return [str(problem) for problem in caught.value.problems]


def line_of(text: str, snippet: str, after: str = "") -> int:
    """The 1-based line of the first `snippet` that comes after `after`."""
    start = text.index(after)
    return text[: text.index(snippet, start)].count("\n") + 1


def edited(old: str, new: str, text: str = VALID) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_valid_lesson_loads_into_dataclasses(tmp_path: Path) -> None:
    lesson = load_lessons(lesson_folder(tmp_path), kinds=KINDS).get("tiny")
    assert lesson.strands == (Strand.ONLINE_BULLYING,)
    assert lesson.staff_note == 'A note for staff, with [brackets], a # hash and "quotes".'
    assert not lesson.teacher_enabled_only
    pre, semi, formal = lesson.versions
    assert isinstance(pre.steps[0], CauseEffectStep)
    assert (pre.steps[0].sound, pre.steps[0].animation) == (Sound.CHIME, Animation.SPARKLE)
    choose = semi.steps[1]
    assert isinstance(choose, ChooseStep)
    assert [o.correct for o in choose.options] == [True, False]
    assert isinstance(formal.steps[1], YesNoStep)
    assert formal.steps[1].answer is True


def test_text_ids_are_derived_from_number_pathway_and_place(tmp_path: Path) -> None:
    lesson = load_lessons(lesson_folder(tmp_path), kinds=KINDS).get("tiny")
    assert lesson.title.id == "01.title"
    sort = lesson.version(Pathway.SEMI_FORMAL).steps[2]
    assert isinstance(sort, SortStep)
    ids = [text.id for text in sort.texts()]
    assert ids == [
        "01.sf.s3.text",
        "01.sf.s3.g1",
        "01.sf.s3.g2",
        "01.sf.s3.i1",
        "01.sf.s3.i2",
        "01.sf.s3.i3",
        "01.sf.s3.fb",
    ]
    assert [item.group for item in sort.items] == [0, 0, 1]


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    text = edited('title = "Tiny lesson"', 'title = "Tiny lesson')
    [problem] = problems(lesson_folder(tmp_path, text))
    assert problem.startswith(f"lessons/{NAME}:3: this is not valid TOML")


def test_choose_with_five_options_is_refused_at_its_line(tmp_path: Path) -> None:
    extra = '  { text = "Go away", symbol = "1F621" },\n'
    text = edited(extra, extra * 4)
    [problem] = problems(lesson_folder(tmp_path, text))
    line = line_of(text, "options = [")
    assert problem == (
        f"lessons/{NAME}:{line}: step 2 of semi_formal is a 'choose' step "
        "with 5 options; use 2 to 4"
    )


def test_choose_without_a_correct_option_is_refused(tmp_path: Path) -> None:
    text = edited('symbol = "1F44F", correct = true }', 'symbol = "1F44F" }')
    [problem] = problems(lesson_folder(tmp_path, text))
    assert problem.endswith(
        "step 2 of semi_formal has no correct option; mark at least one with correct = true"
    )


def test_unknown_top_level_key_is_refused(tmp_path: Path) -> None:
    text = edited('topic = "Testing the loader"\n', 'topic = "Testing the loader"\ncolour = 1\n')
    [problem] = problems(lesson_folder(tmp_path, text))
    assert problem == f"lessons/{NAME}:5: unknown key 'colour' in the lesson"


def test_misspelt_step_key_gets_a_suggestion(tmp_path: Path) -> None:
    text = edited('feedback = "Yes.', 'feedbak = "Yes.')
    step = "step 2 of formal (a 'yes_no' step)"
    header = line_of(text, "[[formal.steps]]", "Words")
    assert problems(lesson_folder(tmp_path, text)) == [
        f"lessons/{NAME}:{header}: {step} is missing 'feedback'",
        f"lessons/{NAME}:{line_of(text, 'feedbak')}: unknown key 'feedbak' in {step} "
        "(did you mean 'feedback'?)",
    ]


def test_missing_pathway_is_refused(tmp_path: Path) -> None:
    text = VALID[: VALID.index("[formal]")]
    [problem] = problems(lesson_folder(tmp_path, text))
    assert problem == f"lessons/{NAME}:1: the lesson is missing 'formal'"


def test_unknown_step_kind_is_refused_with_the_choices(tmp_path: Path) -> None:
    text = edited('kind = "who_can_i_tell"', 'kind = "quiz"')
    [problem] = problems(lesson_folder(tmp_path, text))
    line = line_of(text, 'kind = "quiz"')
    assert problem.startswith(f"lessons/{NAME}:{line}: step 3 of pre_formal has kind 'quiz'")
    assert "use one of: story, choose, sort, yes_no, who_can_i_tell, cause_effect" in problem


def test_unknown_strand_and_risk_are_refused(tmp_path: Path) -> None:
    text = edited('risks = ["cyberbullying"]', 'risks = ["cyberbullying", "phishing"]')
    text = edited('strands = ["online_bullying"]', 'strands = ["bullying"]', text)
    found = problems(lesson_folder(tmp_path, text))
    assert found == [
        f"lessons/{NAME}:6: unknown UKCIS strand 'bullying' (did you mean 'online_bullying'?)",
        f"lessons/{NAME}:7: unknown policy risk 'phishing' (did you mean 'phishing_scams'?)",
    ]


def test_missing_symbol_file_is_refused_at_the_option_line(tmp_path: Path) -> None:
    text = edited('"Go away", symbol = "1F621" }', '"Go away", symbol = "1F9FF9" }')
    [problem] = problems(lesson_folder(tmp_path, text))
    line = line_of(text, "1F9FF9")
    assert problem == (
        f"lessons/{NAME}:{line}: option 2 of step 2 of semi_formal has symbol "
        "'1F9FF9', but there is no picture 1F9FF9.svg in OpenMoji or symbols/svg"
    )


def test_lower_case_symbol_code_gets_a_suggestion(tmp_path: Path) -> None:
    text = edited('symbol = "1F514"', 'symbol = "1f514"')
    [problem] = problems(lesson_folder(tmp_path, text))
    assert problem.endswith("(did you mean '1F514'?)")


def test_wrong_number_of_steps_is_refused(tmp_path: Path) -> None:
    text = VALID.replace('[[formal.steps]]\nkind = "story"\ntext = "Be kind online."', "#")
    text = text[: text.rindex("#")]
    [problem] = problems(lesson_folder(tmp_path, text))
    line = line_of(text, "[[formal.steps]]")
    assert problem == f"lessons/{NAME}:{line}: formal has 2 steps; use 3 to 7"


def test_bad_sort_groups_and_items_are_refused(tmp_path: Path) -> None:
    text = edited(
        '{ text = "Go away", symbol = "1F621", group = 2 }',
        '{ text = "Go away", symbol = "1F621", group = 3 }',
    )
    found = problems(lesson_folder(tmp_path, text))
    line = line_of(text, "group = 3")
    assert found == [
        f"lessons/{NAME}:{line_of(text, 'items = [')}: step 3 of semi_formal has no items in "
        "group 2; give each group at least one",
        f"lessons/{NAME}:{line}: item 3 of step 3 of semi_formal has group 3; use 1 or 2",
    ]


def test_yes_no_answer_must_be_true_or_false(tmp_path: Path) -> None:
    text = edited("answer = true", 'answer = "yes"')
    [problem] = problems(lesson_folder(tmp_path, text))
    assert problem == (
        f"lessons/{NAME}:{line_of(text, 'answer')}: answer of step 2 of formal "
        "must be true or false, without quotes"
    )


def test_unknown_sound_is_refused(tmp_path: Path) -> None:
    text = edited('sound = "chime"', 'sound = "boom"')
    [problem] = problems(lesson_folder(tmp_path, text))
    assert problem.startswith(
        f"lessons/{NAME}:{line_of(text, 'boom')}: step 1 of pre_formal has sound 'boom'"
    )
    assert "use one of: chime, pop, drum, bell, clap, shaker" in problem


def test_too_many_words_for_the_pathway_is_refused(tmp_path: Path) -> None:
    long = "one two three four five six seven eight nine ten eleven twelve thirteen"
    text = edited('text = "Hello # not a comment."', f'text = "{long}"')
    [problem] = problems(lesson_folder(tmp_path, text))
    assert problem == (
        f"lessons/{NAME}:{line_of(text, long)}: step 2 of pre_formal has 13 "
        "words; pupils need 12 or fewer"
    )


def test_file_name_must_match_number_and_id(tmp_path: Path) -> None:
    [problem] = problems(lesson_folder(tmp_path, name="01-small.toml"))
    assert (
        problem == "lessons/01-small.toml:1: the file name should be 01-tiny.toml, "
        "to match number and id"
    )


def test_ids_used_twice_across_files_are_refused(tmp_path: Path) -> None:
    folder = lesson_folder(tmp_path)
    copy = edited("number = 1", "number = 2")
    lesson_folder(tmp_path, copy, "02-tiny.toml")
    found = problems(folder)
    assert (
        "lessons/02-tiny.toml:1: lesson id 'tiny' is already used in lessons/01-tiny.toml:1"
        in found
    )
    objective_line = line_of(copy, 'id = "tiny.sf"')
    assert (
        f"lessons/02-tiny.toml:{objective_line}: objective id 'tiny.sf' is already used in "
        f"lessons/01-tiny.toml:{objective_line}"
    ) in found


def test_lesson_numbers_used_twice_are_refused(tmp_path: Path) -> None:
    folder = lesson_folder(tmp_path)
    other = VALID.replace('"tiny', '"other')
    lesson_folder(tmp_path, other, "01-other.toml")
    assert (
        "lessons/01-tiny.toml:2: lesson number '1' is already used in "
        "lessons/01-other.toml:2" in problems(folder)
    )


def test_every_problem_in_every_file_is_reported_together(tmp_path: Path) -> None:
    folder = lesson_folder(tmp_path, edited('sound = "chime"', 'sound = "boom"'))
    lesson_folder(tmp_path, "number = ", "02-broken.toml")
    found = problems(folder)
    assert [p.split(":")[0] for p in found] == ["lessons/01-tiny.toml", "lessons/02-broken.toml"]


def test_lesson_error_message_lists_every_problem(tmp_path: Path) -> None:
    text = edited('sound = "chime"', 'sound = "boom"')
    text = edited('animation = "sparkle"', 'animation = "fizz"', text)
    with pytest.raises(LessonError) as caught:
        load_lessons(lesson_folder(tmp_path, text), kinds=KINDS)
    message = str(caught.value)
    assert message.startswith("2 problems in the lesson files:\n")
    assert "sound 'boom'" in message
    assert "animation 'fizz'" in message


def test_text_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    folder = lesson_folder(tmp_path)
    (folder / NAME).write_bytes(b'title = "caf\xe9"\n')
    assert problems(folder) == [f"lessons/{NAME}: is not UTF-8 text"]


def test_empty_or_missing_folder_is_refused(tmp_path: Path) -> None:
    assert problems(tmp_path) == [f"{tmp_path}: no lesson files (*.toml) found here"]
    assert problems(tmp_path / "nowhere") == [
        f"{tmp_path / 'nowhere'}: no lesson files (*.toml) found here"
    ]


def test_symbol_check_can_be_replaced(tmp_path: Path) -> None:
    folder = lesson_folder(tmp_path)
    with pytest.raises(LessonError) as caught:
        load_lessons(folder, symbol_exists=lambda code: code != "1F4AC", kinds=KINDS)
    lines = [problem.line for problem in caught.value.problems]
    assert lines == [
        line_of(VALID, "1F4AC"),
        line_of(VALID, "1F4AC", "[semi_formal]"),
        line_of(VALID, "1F4AC", "[formal]"),
    ]


CHOOSE_AS_TABLES = """\
[[semi_formal.steps]]
kind = 'choose'
text = 'Which is kind? \\o/'
symbol = "1F914"
feedback = '''Well done
is kind.'''

[[semi_formal.steps.options]]
text = "Well done!"
symbol = "1F44F"
correct = true

[[semi_formal.steps.options]]
text = "Go away"   # a comment with "quotes" and [brackets]
symbol = "NOPE"
"""


def test_other_valid_toml_layouts_get_the_right_lines(tmp_path: Path) -> None:
    # Teachers may write options as [[...options]] tables, use dotted keys or 'literal' strings.
    choose = VALID[VALID.index('[[semi_formal.steps]]\nkind = "choose"') :]
    choose = choose[: choose.index("[[semi_formal.steps]]", 1)]
    text = edited(choose, CHOOSE_AS_TABLES + "\n")
    text = edited(
        'objective = { id = "tiny.f", text = "Explains" }',
        'objective.id = "tiny.f"\nobjective.text = "Explains"\nobjective.level = 1',
        text,
    )
    assert problems(lesson_folder(tmp_path, text)) == [
        f"lessons/{NAME}:{line_of(text, 'NOPE')}: option 2 of step 2 of semi_formal has symbol "
        "'NOPE', but there is no picture NOPE.svg in OpenMoji or symbols/svg",
        f"lessons/{NAME}:{line_of(text, 'objective.level')}: unknown key 'level' in the "
        "objective of formal",
    ]


def test_ages_say_who_a_lesson_is_for(tmp_path: Path) -> None:
    text = edited('risks = ["cyberbullying"]', 'risks = ["cyberbullying"]\nages = [14, 19]')
    (lesson,) = load_lessons(lesson_folder(tmp_path, text), kinds=KINDS)
    assert lesson.ages == (14, 19)
    assert lesson.ages_label == "aged 14 to 19"
    assert (lesson.for_age(13), lesson.for_age(14), lesson.for_age(19)) == (False, True, True)
    assert lesson.for_age(20) is False


@pytest.mark.parametrize("ages", ["[19, 14]", "[14]", '["14", 19]', "[10, 19]", "14"])
def test_ages_that_name_no_pupils_are_refused(tmp_path: Path, ages: str) -> None:
    text = edited('risks = ["cyberbullying"]', f'risks = ["cyberbullying"]\nages = {ages}')
    [problem] = problems(lesson_folder(tmp_path, text))
    assert problem == (
        f"lessons/{NAME}:{line_of(text, 'ages =')}: ages of the lesson must be the youngest "
        "and oldest age it is for, such as [14, 19], each from 11 to 25"
    )
