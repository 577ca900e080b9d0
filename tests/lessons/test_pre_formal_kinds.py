"""Pre-formal steps serve their objectives: stop means stop, a no is honoured, me means me."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.lessons.content import (
    AnticipateStep,
    Catalogue,
    ChooseStep,
    MeStep,
    OnlyIfYesStep,
    Pathway,
    Step,
    StepKind,
    UntilIActStep,
    load_lessons,
)
from classroom.lessons.kinds import KINDS
from classroom.lessons.models import StepResponse
from classroom.pupils.models import Pathway as PupilPathway
from tests.conftest import sign_in
from tests.worry_helpers import make_school, pupil_on_ipad

# What a pre-formal objective asks of the pupil, and the step kind that lets them do it.
OBJECTIVE_KINDS = {
    "stop": StepKind.UNTIL_I_ACT,  # uses a stop cue, presses a button to stop a sound
    "yes or no": StepKind.ONLY_IF_YES,  # gives a yes or no, and the no is honoured
    "own photo": StepKind.ME,
    "anticipates": StepKind.ANTICIPATE,
}


def _pre_formal(catalogue: Catalogue) -> list[tuple[str, str, list[Step]]]:
    return [
        (
            lesson.id,
            lesson.version(Pathway.PRE_FORMAL).objective.text.lower(),
            list(lesson.version(Pathway.PRE_FORMAL).steps),
        )
        for lesson in catalogue
    ]


def test_each_pre_formal_objective_type_has_a_step_kind_that_serves_it() -> None:
    checked = set()
    for lesson_id, objective, steps in _pre_formal(load_lessons(kinds=KINDS)):
        for words, kind in OBJECTIVE_KINDS.items():
            if words in objective:
                checked.add(words)
                assert kind in {step.kind for step in steps}, (lesson_id, words)
    assert checked == set(OBJECTIVE_KINDS)


def test_a_yes_or_no_objective_never_plays_its_reward_regardless_of_the_answer() -> None:
    """The old 07 and 15: "Photo? Yes or no?" then "Click! A photo." whatever was said."""
    for lesson_id, objective, steps in _pre_formal(load_lessons(kinds=KINDS)):
        if "yes or no" in objective:
            kinds = [step.kind for step in steps]
            assert StepKind.CHOOSE not in kinds, lesson_id
            consent = [step for step in steps if isinstance(step, OnlyIfYesStep)]
            assert all(step.if_no.text.startswith("OK.") for step in consent), lesson_id


def test_every_pre_formal_step_tells_staff_what_to_look_for() -> None:
    for lesson_id, _objective, steps in _pre_formal(load_lessons(kinds=KINDS)):
        for step in steps:
            assert step.look_for is not None, (lesson_id, step.id)
            assert step.note.startswith("Look for"), (lesson_id, step.id)


def _pre_formal_ipad(app: Flask, session: Session) -> FlaskClient:
    school = make_school(session)
    school.pupil.pathway = PupilPathway.PRE_FORMAL
    session.commit()
    return pupil_on_ipad(app, school)


def _step_url(ipad: FlaskClient, lesson_id: str, number: int) -> str:
    start = ipad.post(f"/pupil/lessons/{lesson_id}/start").location
    return str(start).replace("/steps/1", f"/steps/{number}")


def _number(app: Flask, lesson_id: str, kind: type) -> int:
    steps = app.extensions["lessons"].get(lesson_id).version(Pathway.PRE_FORMAL).steps
    return next(n for n, step in enumerate(steps, 1) if isinstance(step, kind))


def test_a_no_is_honoured_and_only_a_yes_brings_the_photo(app: Flask, session: Session) -> None:
    ipad = _pre_formal_ipad(app, session)
    number = _number(app, "photos-and-permission", OnlyIfYesStep)
    url = _step_url(ipad, "photos-and-permission", number)
    no = ipad.post(url, data={"answer": "no", "key": "n1"}).data.decode()
    assert 'data-step-result="no"' in no
    assert "No photo" in no
    assert "Click!" not in no
    assert "data-then-sound" not in no
    url = _step_url(ipad, "photos-and-permission", number)
    yes = ipad.post(url, data={"answer": "yes", "key": "y1"}).data.decode()
    assert 'data-step-result="yes"' in yes
    assert "Click!" in yes
    assert 'data-then-sound="pop"' in yes
    answers = session.scalars(select(StepResponse.answer).order_by(StepResponse.id)).all()
    assert answers == ["no", "yes"]


def test_the_sound_plays_until_the_pupil_stops_it(app: Flask, session: Session) -> None:
    ipad = _pre_formal_ipad(app, session)
    url = _step_url(ipad, "stop-and-finish", _number(app, "stop-and-finish", UntilIActStep))
    playing = ipad.get(url).data.decode()
    assert 'data-until-sound="shaker"' in playing
    assert 'value="stop"' in playing
    assert "Next" not in playing  # the pupil ends it themselves; nothing moves on by itself
    assert ipad.post(url, data={"answer": "go", "key": "x"}).status_code == 400
    stopped = ipad.post(url, data={"answer": "stop", "key": "s"}).data.decode()
    assert 'data-step-result="stopped"' in stopped
    assert "data-until-sound" not in stopped
    assert "Next" in stopped
    response = session.scalar(select(StepResponse))
    assert response is not None
    assert response.correct is True


def test_anticipation_waits_then_rewards_the_pupils_tap(app: Flask, session: Session) -> None:
    ipad = _pre_formal_ipad(app, session)
    url = _step_url(ipad, "screen-time", _number(app, "screen-time", AnticipateStep))
    waiting = ipad.get(url).data.decode()
    assert 'data-wait="4"' in waiting
    assert "Ready, steady" in waiting
    reward = ipad.post(url, data={"answer": "tap", "key": "t"}).data.decode()
    assert 'data-step-result="reward"' in reward


def test_a_me_step_shows_the_pupils_own_picture_not_a_smiley(app: Flask, session: Session) -> None:
    ipad = _pre_formal_ipad(app, session)
    url = _step_url(ipad, "online-footprint", _number(app, "online-footprint", MeStep))
    page = ipad.get(url).data.decode()
    school_pupil = session.scalar(select(StepResponse.pupil_id))  # nothing answered yet
    assert school_pupil is None
    # Without a photo (or without carers' app photo consent) it is the pupil's own tile picture,
    # and it is the picture on the one button to tap ("Find my photo. Tap it!").
    button = re.search(r'<button type="submit" name="answer" value="tap".*?</button>', page, re.S)
    assert button is not None
    assert 'class="me-photo"' in button.group(0)
    assert page.count('class="me-photo"') == 1
    done = ipad.post(url, data={"answer": "tap", "key": "m"}).data.decode()
    assert "That is you!" in done


def test_the_preview_shows_staff_what_to_look_for_and_how_a_no_is_honoured(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = app.test_client()
    sign_in(teacher, school.teacher.username)
    number = _number(app, "photos-and-permission", OnlyIfYesStep)
    page = teacher.get(f"/authoring/preview/photos-and-permission/pre_formal/{number}")
    text = page.data.decode()
    assert page.status_code == 200
    assert "For staff, look for responsiveness:" in text
    # The teacher tries the step as the pupil would: the same Yes and No cards, and a No honoured.
    assert 'value="yes"' in text
    assert 'value="no"' in text
    url = f"/authoring/preview/photos-and-permission/pre_formal/{number}"
    no = teacher.get(url, query_string={"answer": "no"}).data.decode()
    assert 'data-step-result="no"' in no
    assert "No photo" in no
    assert "Click!" not in no
    yes = teacher.get(url, query_string={"answer": "yes"}).data.decode()
    assert 'data-step-result="yes"' in yes


def test_more_brings_another_turn_and_only_finished_ends_the_game(
    app: Flask, session: Session
) -> None:
    """Lesson 13's pre-formal game asks "More or finished?": More ended the lesson all the same.
    A request honoured brings another turn; Finished goes on to the end."""
    ipad = _pre_formal_ipad(app, session)
    number = _number(app, "games-chat-spending", ChooseStep)
    step = app.extensions["lessons"].get("games-chat-spending").version(Pathway.PRE_FORMAL)
    options = step.steps[number - 1].options
    more = next(n for n, o in enumerate(options, 1) if o.text.text == "More")
    finished = next(n for n, o in enumerate(options, 1) if o.text.text == "Finished")
    url = _step_url(ipad, "games-chat-spending", number)
    attempt = url.split("/steps/")[0].replace("http://localhost", "")
    again = options[more - 1].again
    assert again is not None
    assert again < number
    for turn in range(2):  # as many turns as the pupil asks for
        page = ipad.post(url, data={"answer": f"o{more}", "key": f"more{turn}"}).text
        assert f'href="{attempt}/steps/{again}"' in page
        assert f'action="{attempt}/finish"' not in page
    page = ipad.post(url, data={"answer": f"o{finished}", "key": "done"}).text
    assert f'action="{attempt}/finish"' in page
    assert f'href="{attempt}/steps/{again}"' not in page
