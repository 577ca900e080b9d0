"""Answers come in a fresh order each attempt, and nothing but thinking finds the right one."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.lessons import arrangement, kinds, player
from classroom.lessons.content import (
    ChooseStep,
    LessonError,
    Pathway,
    SortStep,
    Step,
    YesNoStep,
    load_lessons,
)
from classroom.lessons.kinds import KINDS
from classroom.lessons.models import StepResponse
from tests.lessons.test_lesson_loader import VALID, edited, lesson_folder, problems
from tests.worry_helpers import make_school, pupil_on_ipad

ATTEMPTS = range(101, 105)  # four attempts in a row, as one pupil taking a lesson again and again


def _judged_steps() -> list[Step]:
    """Every step with a right answer to find (where every answer is fine, none is marked)."""
    return [
        step
        for lesson in load_lessons(kinds=KINDS)
        for version in lesson.versions
        for step in version.steps
        if isinstance(step, (YesNoStep, SortStep))
        or (isinstance(step, ChooseStep) and not all(o.correct for o in step.options))
    ]


def _right_place(step: Step, attempt: int) -> int:
    cards = kinds.choice_cards(step, attempt)
    return next(place for place, card in enumerate(cards) if card.right)


def test_every_choice_steps_right_answer_moves_between_attempts() -> None:
    steps = _judged_steps()
    assert len(steps) > 60
    for step in steps:
        places = {_right_place(step, attempt) for attempt in ATTEMPTS}
        assert len(places) > 1, f"{step.id}: the right answer stays at place {places}"


def test_the_order_is_the_same_within_one_attempt() -> None:
    for step in _judged_steps():
        first = kinds.choice_cards(step, 7)
        assert kinds.choice_cards(step, 7) == first
        if isinstance(step, SortStep):
            assert arrangement.sort_order(step, 7) == arrangement.sort_order(step, 7)


def test_judging_goes_by_the_answer_never_by_its_place() -> None:
    for step in _judged_steps():
        if isinstance(step, SortStep):
            continue
        for attempt in ATTEMPTS:
            for card in kinds.choice_cards(step, attempt):
                assert player.judge(step, card.value, 0, attempt).correct is card.right


def test_sort_items_come_in_a_fresh_order_and_each_is_judged_by_its_own_group() -> None:
    sorts = [step for step in _judged_steps() if isinstance(step, SortStep)]
    assert sorts
    for step in sorts:
        orders = {tuple(arrangement.sort_order(step, attempt)) for attempt in ATTEMPTS}
        assert len(orders) > 1, step.id
        for position, index in enumerate(arrangement.sort_order(step, 101)):
            right = arrangement.group_value(step.items[index].group)
            assert player.judge(step, right, position, 101).correct


def test_no_picture_or_length_marks_the_right_answer() -> None:
    chooses = [s for s in _judged_steps() if isinstance(s, ChooseStep)]
    longest = 0
    for step in chooses:
        right = {o.symbol for o in step.options if o.correct}
        wrong = {o.symbol for o in step.options if not o.correct}
        assert step.symbol not in right - wrong, f"{step.id}: its picture is on the right answer"
        lengths = sorted((len(o.text.text), o.correct) for o in step.options)
        longest += lengths[-1][1] and lengths[-1][0] > lengths[-2][0]
    # Right answers may be longest sometimes, but no more often than the other answers are.
    assert longest * 2 <= len(chooses), f"right answer longest in {longest} of {len(chooses)}"


def test_yes_and_no_are_both_right_answers_often_enough_to_need_thinking() -> None:
    answers = [s.answer for s in _judged_steps() if isinstance(s, YesNoStep)]
    assert answers.count(False) * 5 >= len(answers)


def _cards(page: str) -> list[str]:
    return re.findall(r'<button type="submit" name="answer" value="([^"]+)" class="([^"]+)"', page)


def test_a_pupil_sees_a_fresh_order_each_attempt_and_a_reload_keeps_it(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    version = app.extensions["lessons"].get("stop-block-tell").version(Pathway.SEMI_FORMAL)
    number, step = next((n, s) for n, s in enumerate(version.steps, 1) if isinstance(s, ChooseStep))
    right = next(f"o{n}" for n, o in enumerate(step.options, 1) if o.correct)
    places = set()
    for attempt in range(3):
        start = ipad.post("/pupil/lessons/stop-block-tell/start").location
        url = start.replace("/steps/1", f"/steps/{number}")
        cards = _cards(ipad.get(url).data.decode())
        assert cards == _cards(ipad.get(url).data.decode())  # a reload shows the same order
        assert {css for _value, css in cards} == {"choice-card"}  # no class marks the answer
        values = [value for value, _css in cards]
        places.add(values.index(right))
        for key in ("same", "same"):  # a resent answer is recorded once, judged the same
            page = ipad.post(url, data={"answer": right, "tries": "1", "key": f"{key}{attempt}"})
            assert "pupil-message feedback" in page.data.decode()
    assert len(places) > 1
    rows = session.scalars(select(StepResponse).where(StepResponse.step_id == step.id)).all()
    assert [(row.answer, row.correct) for row in rows] == [(right, True)] * 3


def test_the_loader_refuses_a_picture_that_is_only_ever_on_right_answers(tmp_path: Path) -> None:
    cue = edited(
        '  { text = "Go away", symbol = "1F621" },\n]\nfeedback = "\'Well done!\' is kind."',
        '  { text = "Go away", symbol = "1F621" },\n]\nfeedback = "\'Well done!\' is kind."\n\n'
        '[[semi_formal.steps]]\nkind = "choose"\ntext = "Which is kind too?"\n'
        'symbol = "1F914"\noptions = [\n'
        '  { text = "Great picture!", symbol = "1F44F", correct = true },\n'
        '  { text = "Rubbish", symbol = "1F44E" },\n]\nfeedback = "\'Great picture!\' is kind."',
        VALID,
    )
    found = problems(lesson_folder(tmp_path, cue))
    assert len(found) == 1
    assert "picture 1F44F is on the right answer in 2 steps" in found[0]
    assert found[0].startswith("lessons/01-tiny.toml:")


def test_the_loader_refuses_a_question_picture_repeated_on_its_right_answer(
    tmp_path: Path,
) -> None:
    cue = edited(
        'text = "Which is kind?"\nsymbol = "1F914"', 'text = "Which is kind?"\nsymbol = "1F44F"'
    )
    found = problems(lesson_folder(tmp_path, cue))
    assert any("uses its own picture 1F44F on its right answer" in p for p in found), found


def test_the_real_lessons_load_with_no_cues() -> None:
    try:
        load_lessons(kinds=KINDS)
    except LessonError as error:  # the message lists every cue, file and line
        raise AssertionError(str(error)) from None
