"""The lesson player on a class iPad, lesson maps teachers personalise, and recorded responses."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.devices.web import cookie_name
from classroom.lessons import content, player
from classroom.lessons.content import ChooseStep, SortStep, WhoCanITellStep, YesNoStep
from classroom.lessons.models import LessonAttempt, PupilTarget, StepResponse
from classroom.parents.models import ConsentPurpose
from classroom.parents.services import record_consent
from classroom.pupils import photos
from classroom.pupils.models import Pathway
from classroom.symbols import people
from classroom.symbols.models import Place
from tests.app_settings import school_today
from tests.conftest import client_for, sign_in
from tests.factories import make_account, make_class, make_pupil
from tests.symbol_helpers import people_folder
from tests.worry_helpers import make_school, pupil_on_ipad


def _start(ipad: FlaskClient, lesson_id: str) -> str:
    response = ipad.post(f"/pupil/lessons/{lesson_id}/start")
    assert response.status_code == 302, response.data[:500]
    return str(response.location)


def _map_row(page: str, lesson_id: str) -> str:
    found = re.search(rf'<tr id="lesson-{lesson_id}".*?</tr>', page, re.S)
    assert found is not None, lesson_id
    return found.group(0)


def _attempt_id(step_url: str) -> int:
    return int(step_url.split("/attempts/")[1].split("/")[0])


def _version(app: Flask, lesson_id: str, pathway: str):  # type: ignore[no-untyped-def]

    return app.extensions["lessons"].get(lesson_id).version(content.Pathway(pathway))


def test_my_lessons_lists_the_class_map_without_teacher_enabled_topics(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    page = pupil_on_ipad(app, school).get("/pupil/").data.decode()
    assert "My lessons" in page
    assert "Stop, block, tell" in page
    assert "/pupil/lessons/pressure-secrets-pictures" not in page


def test_a_pupil_cannot_open_a_lesson_that_is_not_on_their_map(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    assert ipad.get("/pupil/lessons/pressure-secrets-pictures").status_code == 404
    assert ipad.post("/pupil/lessons/pressure-secrets-pictures/start").status_code == 404


def test_a_pupil_cannot_open_or_answer_another_pupils_lesson(app: Flask, session: Session) -> None:
    school = make_school(session)
    amira_step = _start(pupil_on_ipad(app, school), "stop-block-tell")
    school.pupil = make_pupil(session, school.oak, first_name="Ben", home_lessons=0)
    session.commit()
    ben = pupil_on_ipad(app, school)
    assert ben.get(amira_step).status_code == 404
    assert ben.post(amira_step, data={"answer": "yes"}).status_code == 404
    assert session.scalar(select(func.count()).select_from(StepResponse)) == 0


def test_choose_step_is_errorless_and_records_first_time_or_prompted(
    app: Flask, session: Session
) -> None:
    school = make_school(session)  # the demo-like pupil is semi-formal
    ipad = pupil_on_ipad(app, school)
    step_url = _start(ipad, "stop-block-tell")
    version = _version(app, "stop-block-tell", "semi_formal")
    number = next(i for i, s in enumerate(version.steps, 1) if isinstance(s, ChooseStep))
    step = version.steps[number - 1]
    right = next(i for i, o in enumerate(step.options, 1) if o.correct)
    wrong = next(i for i, o in enumerate(step.options, 1) if not o.correct)
    url = step_url.replace("/steps/1", f"/steps/{number}")
    again = ipad.post(url, data={"answer": f"o{wrong}", "tries": "1", "key": "a"})
    page = again.data.decode()
    assert again.status_code == 200
    assert "Let&#39;s look again. This one." in page or "look again" in page
    assert 'class="choice-card hint"' in page
    assert 'name="tries" value="2"' in page
    done = ipad.post(url, data={"answer": f"o{right}", "tries": "2", "key": "b"})
    assert step.feedback.text.split()[0] in done.data.decode()
    rows = list(session.scalars(select(StepResponse).order_by(StepResponse.id)))
    assert [(r.correct, r.tries) for r in rows] == [(False, 1), (True, 2)]


def test_double_tap_records_one_response(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    url = _start(ipad, "kind-and-unkind")
    version = _version(app, "kind-and-unkind", "semi_formal")
    number = next(i for i, s in enumerate(version.steps, 1) if isinstance(s, ChooseStep))
    url = url.replace("/steps/1", f"/steps/{number}")
    for _ in range(2):
        ipad.post(url, data={"answer": "o1", "tries": "1", "key": "same"})
    assert session.scalar(select(func.count()).select_from(StepResponse)) == 1


def test_an_answer_kept_first_by_the_player_is_recorded_once_and_drawn_once(
    app: Flask, session: Session
) -> None:
    """With no Wi-Fi a tap is made once the server answers: player.js posts the answer first
    (recorded, nothing drawn), then the same form shows the screen and records nothing more."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    url = _start(ipad, "kind-and-unkind")
    version = _version(app, "kind-and-unkind", "semi_formal")
    number = next(i for i, s in enumerate(version.steps, 1) if isinstance(s, ChooseStep))
    url = url.replace("/steps/1", f"/steps/{number}")
    answer = {"answer": "o1", "tries": "1", "key": "kept"}
    kept = ipad.post(url, data=answer, headers={"X-Answer-Only": "1"})
    assert (kept.status_code, kept.data) == (204, b"")
    assert session.scalar(select(func.count()).select_from(StepResponse)) == 1
    shown = ipad.post(url, data=answer)
    assert shown.status_code == 200
    assert b'class="step' in shown.data
    assert session.scalar(select(func.count()).select_from(StepResponse)) == 1


def test_sort_step_goes_item_by_item(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    lesson_id, number, step = next(
        (lesson.id, n, s)
        for lesson in app.extensions["lessons"]
        for n, s in enumerate(
            lesson.version(_version(app, lesson.id, "semi_formal").pathway).steps, 1
        )
        if isinstance(s, SortStep)
    )
    url = _start(ipad, lesson_id).replace("/steps/1", f"/steps/{number}")
    attempt_id = _attempt_id(url)
    for position in range(len(step.items)):
        item = step.items[player.sort_item(step, position, attempt_id)]
        assert item.text.text in ipad.get(url).data.decode() or position > 0
        response = ipad.post(
            url,
            data={
                "answer": f"g{item.group + 1}",
                "item": str(position),
                "tries": "1",
                "key": f"k{position}",
            },
        )
        assert response.status_code == 200
    assert step.feedback.text.split()[0] in response.data.decode()
    assert session.scalar(select(func.count()).select_from(StepResponse)) == len(step.items)


def test_yes_no_and_bad_answers(app: Flask, session: Session) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    lesson_id, number = next(
        (lesson.id, n)
        for lesson in app.extensions["lessons"]
        if not lesson.teacher_enabled_only
        for n, s in enumerate(_version(app, lesson.id, "semi_formal").steps, 1)
        if isinstance(s, YesNoStep)
    )
    url = _start(ipad, lesson_id).replace("/steps/1", f"/steps/{number}")
    assert ipad.post(url, data={"answer": "maybe", "key": "x"}).status_code == 400
    assert ipad.post(url.replace(f"/steps/{number}", "/steps/99")).status_code == 404
    assert ipad.post(url, data={"answer": "yes", "key": "y"}).status_code == 200


def test_finishing_a_lesson_and_my_lessons_puts_unfinished_first(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    url = _start(ipad, "feelings-online")
    attempt_id = url.split("/attempts/")[1].split("/")[0]
    done = ipad.post(f"/pupil/lessons/attempts/{attempt_id}/finish")
    assert b"Well done!" in done.data
    attempt = session.scalar(select(LessonAttempt))
    assert attempt is not None
    assert attempt.finished_at is not None
    page = ipad.get("/pupil/").data.decode()
    assert page.index("/pupil/lessons/trusted-adults") < page.index(
        "/pupil/lessons/feelings-online"
    )


def test_another_pupils_attempt_is_404(app: Flask, session: Session) -> None:
    school = make_school(session)
    other = make_pupil(session, school.oak, first_name="Other")
    session.commit()
    ipad = pupil_on_ipad(app, school)
    url = _start(ipad, "feelings-online")
    ipad.post("/pupil/finished")

    second = app.test_client()
    second.set_cookie(cookie_name(), school.token)
    second.post(f"/class-ipad/pupils/{other.id}")
    assert second.get(url).status_code == 404


def test_teacher_changes_pathway_and_the_pupil_gets_it_next_time(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    assert school.pupil.pathway == Pathway.SEMI_FORMAL
    sign_in(client, school.teacher.username)
    response = client.post(
        f"/pupils/{school.pupil.id}/lessons/stop-block-tell/pathway", data={"pathway": "pre_formal"}
    )
    assert response.status_code == 302
    ipad = pupil_on_ipad(app, school)
    step = ipad.get(_start(ipad, "stop-block-tell")).data.decode()
    first = _version(app, "stop-block-tell", "pre_formal").steps[0]
    assert first.text.text.split()[0] in step
    attempt = session.scalar(select(LessonAttempt))
    assert attempt is not None
    assert attempt.pathway == Pathway.PRE_FORMAL
    # Other lessons stay on the pupil's own pathway.
    ipad.get(_start(ipad, "kind-and-unkind"))
    latest = session.scalar(select(LessonAttempt).order_by(LessonAttempt.id.desc()))
    assert latest is not None
    assert latest.pathway == Pathway.SEMI_FORMAL


def test_teacher_reorders_hides_adds_and_targets(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    base = f"/pupils/{school.pupil.id}/lessons"
    client.post(f"{base}/passwords/hide")
    client.post(f"{base}/_/add", data={"lesson_id": "pressure-secrets-pictures"})
    client.post(f"{base}/stop-block-tell/target")
    page = pupil_on_ipad(app, school).get("/pupil/").data.decode()
    assert "/pupil/lessons/passwords" not in page
    assert "/pupil/lessons/pressure-secrets-pictures" in page
    assert page.index("/pupil/lessons/stop-block-tell") < page.index(
        "/pupil/lessons/feelings-online"
    )
    map_page = client.get(base).data.decode()
    assert "(target)" in map_page
    assert "(hidden)" in map_page
    # Asked first, with what goes; nothing is deleted until the teacher says yes.
    asked = client.post(f"{base}/reset")
    assert asked.status_code == 200
    assert "Amira's own map will be deleted" in asked.text
    assert "hidden lessons, which Amira will see again: " in asked.text
    assert "/pupil/lessons/passwords" not in pupil_on_ipad(app, school).get("/pupil/").text
    assert client.post(f"{base}/reset", data={"confirm": "yes"}).status_code == 302
    assert "/pupil/lessons/passwords" in pupil_on_ipad(app, school).get("/pupil/").data.decode()


def test_teacher_cannot_edit_the_map_of_a_pupil_outside_their_classes(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak, willow = make_class(session), make_class(session)
    pupil = make_pupil(session, willow)
    login_as(Role.TEACHER, classes=[oak])
    assert client.post(f"/pupils/{pupil.id}/lessons/passwords/hide").status_code == 404
    assert client.get(f"/pupils/{pupil.id}/lessons").status_code == 404


def test_ta_sees_progress_but_governor_cannot(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    ta = make_account(session, Role.TEACHING_ASSISTANT, classes=[school.oak])
    governor = make_account(session, Role.GOVERNOR)
    session.commit()
    sign_in(client, ta.username)
    assert client.get(f"/pupils/{school.pupil.id}/lessons").status_code == 200
    other = app.test_client()
    sign_in(other, governor.username)
    assert other.get(f"/pupils/{school.pupil.id}/lessons").status_code == 403


def test_responses_appear_on_the_teachers_view_with_often_needed_a_prompt(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    map_url = f"/pupils/{school.pupil.id}/lessons"
    # The map's rows are kept per worker for what they show: seen before the lesson, the row
    # must still change once she has answered.
    assert "Not started" in _map_row(client.get(map_url).data.decode(), "stop-block-tell")
    ipad = pupil_on_ipad(app, school)
    url = _start(ipad, "stop-block-tell")
    version = _version(app, "stop-block-tell", "semi_formal")
    for number, step in enumerate(version.steps, 1):
        if isinstance(step, ChooseStep):
            wrong = next(i for i, o in enumerate(step.options, 1) if not o.correct)
            ipad.post(
                url.replace("/steps/1", f"/steps/{number}"),
                data={"answer": f"o{wrong}", "tries": "1", "key": f"w{number}"},
            )
    row = _map_row(client.get(map_url).data.decode(), "stop-block-tell")
    assert "Often needed a prompt</span>: 0 of" in row
    assert "0 of 1 tries finished" in row
    answers = client.get(f"/pupils/{school.pupil.id}/lessons/stop-block-tell/responses")
    assert b"Not yet" in answers.data


def test_progress_counts_attempts_finishes_and_first_time_answers_per_lesson(
    session: Session,
) -> None:
    """The teacher's lesson map: counted per lesson over every attempt; a question answered
    twice in one attempt counts once, by its first answer (as the suggested level counts it);
    unjudged steps do not count."""
    school = make_school(session)
    pupil, start = school.pupil, datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 2 July in London
    first = LessonAttempt(pupil_id=pupil.id, lesson_id="stop-block-tell",
                          pathway=Pathway.SEMI_FORMAL, started_at=start - timedelta(days=3),
                          finished_at=start - timedelta(days=3))  # fmt: skip
    second = LessonAttempt(pupil_id=pupil.id, lesson_id="stop-block-tell",
                           pathway=Pathway.SEMI_FORMAL, started_at=start)  # fmt: skip
    other = LessonAttempt(pupil_id=pupil.id, lesson_id="trusted-adults",
                          pathway=Pathway.SEMI_FORMAL, started_at=start)  # fmt: skip
    session.add_all([first, second, other])
    session.flush()
    answers = [  # (attempt, step, tries, correct)
        (first, "s1", 1, True), (first, "s2", 1, False), (first, "s2", 2, True),
        (second, "s1", 1, False), (second, "s1", 1, True),  # right after Back: not counted
        (second, "s3", 1, None),  # a step with no right answer
    ]  # fmt: skip
    for number, (attempt, step, tries, correct) in enumerate(answers):
        session.add(StepResponse(key=f"k{number}", attempt_id=attempt.id, pupil_id=pupil.id,
                                 lesson_id=attempt.lesson_id, step_id=step, kind="choose",
                                 correct=correct, tries=tries, at=start))  # fmt: skip
    session.commit()

    shown = player.progress(session, pupil, zone=ZoneInfo("Europe/London"))
    assert shown["stop-block-tell"] == player.Progress(
        attempts=2, finished=1, last="2 Jul 2026", answered=3, first_time=1, prompted=2
    )
    assert shown["trusted-adults"] == player.Progress(
        attempts=1, finished=0, last="2 Jul 2026", answered=0, first_time=0, prompted=0
    )
    assert "stop-and-finish" not in shown


def test_class_map_turns_topic_15_on_for_the_class(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    response = client.post(
        f"/classes/{school.oak.id}/lessons",
        data={"lesson_id": "pressure-secrets-pictures", "on": "1"},
    )
    assert response.status_code == 302
    page = pupil_on_ipad(app, school).get("/pupil/").data.decode()
    assert "/pupil/lessons/pressure-secrets-pictures" in page


@pytest.mark.parametrize("bad", ["", "../etc", "<script>", "x" * 300])
@pytest.mark.usefixtures("app")
def test_bad_lesson_ids_are_4xx(client: FlaskClient, session: Session, bad: str) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    response = client.post(f"/pupils/{school.pupil.id}/lessons/_/add", data={"lesson_id": bad})
    assert response.status_code == 400


@pytest.mark.usefixtures("app")
def test_a_change_on_a_long_map_comes_back_to_the_row_changed_not_the_top(
    client: FlaskClient, session: Session
) -> None:
    """Issue 15: after "Later" on lesson 12 the teacher sees lesson 12, not the page's top."""
    school = make_school(session)
    sign_in(client, school.teacher.username)
    base = f"/pupils/{school.pupil.id}/lessons"
    moved = client.post(f"{base}/real-or-pretend/down")
    assert moved.headers["Location"].endswith("#lesson-real-or-pretend")
    assert 'id="lesson-real-or-pretend"' in client.get(base).data.decode()
    added = client.post(f"{base}/_/add", data={"lesson_id": "pressure-secrets-pictures"})
    assert added.headers["Location"].endswith("#lesson-pressure-secrets-pictures")
    turned_on = client.post(
        f"/classes/{school.oak.id}/lessons",
        data={"lesson_id": "pressure-secrets-pictures", "on": "1"},
    )
    assert turned_on.headers["Location"].endswith("#lesson-pressure-secrets-pictures")
    assert (
        'id="lesson-pressure-secrets-pictures"'
        in client.get(f"/classes/{school.oak.id}/lessons").data.decode()
    )


@pytest.mark.usefixtures("app")
def test_the_first_lesson_offers_no_earlier_and_the_last_no_later(
    client: FlaskClient, session: Session
) -> None:
    """A button that could do nothing is not offered; sent anyway (an old page), it says why,
    and the map still follows the class map: nothing was written."""
    school = make_school(session)
    sign_in(client, school.teacher.username)
    base = f"/pupils/{school.pupil.id}/lessons"
    page = client.get(base).data.decode()
    ids = re.findall(r'<tr id="lesson-([^"]+)"', page)
    offered = [
        (">Earlier<" in row, ">Later<" in row)
        for row in (_map_row(page, ids[0]), _map_row(page, ids[1]), _map_row(page, ids[-1]))
    ]
    assert offered == [(False, True), (True, True), (True, False)]

    refused = client.post(f"{base}/{ids[0]}/up")
    assert refused.status_code == 400
    assert "already first" in refused.data.decode()
    assert client.post(f"{base}/{ids[-1]}/down").status_code == 400
    page = client.get(base).data.decode()
    assert "This map follows Oak's class map" in page  # not personalised by the refusals
    assert re.findall(r'<tr id="lesson-([^"]+)"', page) == ids
    assert client.post(f"{base}/{ids[1]}/up").status_code == 302
    page = client.get(base).data.decode()
    assert "This map is personalised." in page
    assert "class map until" not in page
    assert re.findall(r'<tr id="lesson-([^"]+)"', page)[:2] == [ids[1], ids[0]]


@pytest.mark.usefixtures("app")
def test_the_target_leads_both_maps_until_hidden_and_the_rest_move_among_themselves(
    client: FlaskClient, session: Session
) -> None:
    """The target is shown first wherever it sits on the map: it offers no Earlier or Later,
    the lesson after it moves among the others (before, "Later" on the target and "Earlier"
    on the next row said "Saved" and nothing moved). Hiding the target clears it, so the
    teacher's map and the pupil's "This one next" never disagree."""
    school = make_school(session)
    sign_in(client, school.teacher.username)
    base = f"/pupils/{school.pupil.id}/lessons"
    ids = re.findall(r'<tr id="lesson-([^"]+)"', client.get(base).text)
    target = ids[2]
    assert client.post(f"{base}/{target}/target").status_code == 302
    page = client.get(base).text
    shown = re.findall(r'<tr id="lesson-([^"]+)"', page)
    assert shown[:3] == [target, ids[0], ids[1]]
    assert (">Earlier<" in _map_row(page, target), ">Later<" in _map_row(page, target)) == (
        False,
        False,
    )
    assert ">Earlier<" not in _map_row(page, ids[0])  # first after the target
    assert client.post(f"{base}/{target}/down").status_code == 400
    assert client.post(f"{base}/{ids[0]}/up").status_code == 400
    assert client.post(f"{base}/{ids[1]}/up").status_code == 302
    assert re.findall(r'<tr id="lesson-([^"]+)"', client.get(base).text)[:3] == [
        target,
        ids[1],
        ids[0],
    ]
    assert client.post(f"{base}/{target}/hide").status_code == 302
    page = client.get(base).text
    assert "(target)" not in page
    assert session.get(PupilTarget, school.pupil.id) is None


ADDABLE = re.compile(r'<select id="add-id"[^>]*>(.*?)</select>', re.S)


@pytest.mark.usefixtures("app")
def test_the_add_list_offers_only_lessons_not_on_the_map_and_start_again_follows_the_map(
    client: FlaskClient, session: Session
) -> None:
    """The part below the map is kept per worker for what it offers: a change shows at once,
    and its forms carry this page's own token."""
    school = make_school(session)
    sign_in(client, school.teacher.username)
    base = f"/pupils/{school.pupil.id}/lessons"
    page = client.get(base).data.decode()
    offered = ADDABLE.search(page)
    assert offered is not None
    assert 'value="pressure-secrets-pictures"' in offered.group(1)
    assert "Follow the class map again" not in page  # it follows the class map already

    client.post(f"{base}/_/add", data={"lesson_id": "pressure-secrets-pictures"})
    page = client.get(base).data.decode()
    offered = ADDABLE.search(page)
    assert offered is None or 'value="pressure-secrets-pictures"' not in offered.group(1)
    assert "Follow the class map again" in page
    meta = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert meta is not None
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
    assert tokens == {meta.group(1)}



def _hide_for_pupil(client: FlaskClient, school, put_back: bool) -> None:  # type: ignore[no-untyped-def]
    action = "show" if put_back else "hide"
    response = client.post(f"/pupils/{school.pupil.id}/lessons/stop-block-tell/{action}")
    assert response.status_code == 302


def _take_off_class_map(client: FlaskClient, school, put_back: bool) -> None:  # type: ignore[no-untyped-def]
    form = {"lesson_id": "stop-block-tell", "on": "1" if put_back else "0"}
    assert client.post(f"/classes/{school.oak.id}/lessons", data=form).status_code == 302


@pytest.mark.parametrize("take_off", [_hide_for_pupil, _take_off_class_map])
def test_a_lesson_taken_off_mid_lesson_stops_there_and_records_nothing_more(
    app: Flask, client: FlaskClient, session: Session, take_off: Callable[..., None]
) -> None:
    """A teacher hides a lesson that has become wrong for the pupil (a worry about the very
    thing it teaches): the iPad must not carry on with it from an open step or Back."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    step_url = _start(ipad, "stop-block-tell")
    assert ipad.get(step_url).status_code == 200
    sign_in(client, school.teacher.username)
    take_off(client, school, put_back=False)
    shown = ipad.get(step_url)
    assert shown.status_code == 303
    assert shown.location.endswith("/pupil/")
    answered = ipad.post(step_url, data={"answer": "yes", "tries": "1", "key": "k"})
    assert answered.status_code == 303
    finish_url = step_url.split("/steps/")[0] + "/finish"
    assert ipad.post(finish_url).status_code == 303
    assert session.scalar(select(func.count()).select_from(StepResponse)) == 0
    attempt = session.scalar(select(LessonAttempt))
    assert attempt is not None
    session.refresh(attempt)
    assert attempt.finished_at is None
    # Back on the map, the same screen plays again.
    take_off(client, school, put_back=True)
    assert ipad.get(step_url).status_code == 200


def test_who_can_you_tell_at_home_shows_home_adults_and_at_school_school_adults(
    app: Flask, session: Session
) -> None:
    """"Who can you tell at home?" with Ms Lopez's photo under it teaches the wrong thing to a
    literal learner; with nobody recorded at home, the pupil can still answer."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    first = _start(ipad, "trusted-adults")
    version = _version(app, "trusted-adults", "semi_formal")
    at = {
        step.place: first.replace("/steps/1", f"/steps/{n}")
        for n, step in enumerate(version.steps, 1)
        if isinstance(step, WhoCanITellStep) and step.place
    }
    home = ipad.get(at[content.Place.HOME]).text
    assert "Someone at home" in home
    assert "Lopez" not in home
    answered = ipad.post(at[content.Place.HOME], data={"answer": "home-anyone", "key": "h1"})
    assert "Yes! You can tell them." in answered.text
    people.add_person(
        session, school.teacher, school.pupil, Place.HOME, name="Grandma Rose",
        folder=people_folder(), now=utcnow(),
    )  # fmt: skip
    session.commit()
    # A new go (the answered screen shows its answer kept, not the adults to choose again).
    again = _start(ipad, "trusted-adults")
    at = {
        place: again.replace("/steps/1", url[url.rindex("/steps/") :])
        for place, url in at.items()
    }
    home = ipad.get(at[content.Place.HOME]).text
    assert "Grandma" in home
    assert "Someone at home" not in home
    assert "Lopez" not in home
    school_step = ipad.get(at[content.Place.SCHOOL]).text
    assert "Lopez" in school_step
    assert "Grandma" not in school_step
    # "Who can you tell?" names no place: everyone.
    other = _version(app, "stop-block-tell", "semi_formal")
    n = next(n for n, s in enumerate(other.steps, 1) if isinstance(s, WhoCanITellStep))
    assert other.steps[n - 1].place is None
    everyone = ipad.get(_start(ipad, "stop-block-tell").replace("/steps/1", f"/steps/{n}")).text
    assert "Grandma" in everyone
    assert "Lopez" in everyone
    # The teacher reads who the pupil chose, not "home-anyone".
    answers = client_for(app, school.teacher).get(
        f"/pupils/{school.pupil.id}/lessons/trusted-adults/responses"
    )
    assert "<td>Someone at home</td>" in answers.text


def test_the_answers_page_says_each_screen_and_answer_in_words(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """A teacher read "09.sf.s3 | choose | o2": the screen's question and the card's words now."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    first = _start(ipad, "kind-and-unkind")
    version = _version(app, "kind-and-unkind", "semi_formal")
    answered = []
    for number, step in enumerate(version.steps, 1):
        url = first.replace("/steps/1", f"/steps/{number}")
        if isinstance(step, ChooseStep):
            ipad.post(url, data={"answer": "o2", "key": f"c{number}"})
            answered.append((step, step.options[1].text.text))
        elif isinstance(step, SortStep):
            item = player.sort_item(step, 0, _attempt_id(first))
            ipad.post(url, data={"answer": "g1", "key": f"s{number}", "item": "0"})
            answered.append((step, step.groups[0].label.text))
            sorted_item = step.items[item].text.text
    sign_in(client, school.teacher.username)
    page = client.get(f"/pupils/{school.pupil.id}/lessons/kind-and-unkind/responses").text
    rows = re.findall(r"<tr><td>.*?</tr>", page, re.S)
    assert len(rows) == len(answered)
    for row, (step, words) in zip(rows, answered, strict=True):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        screen = f"Screen {step.number} of semi-formal: {step.text.text}"
        assert cells[1].startswith(html.escape(screen, quote=True)), cells[1]
        assert cells[3] == html.escape(words, quote=True)
        assert not re.fullmatch(r"[og]\d", cells[3])
    assert {type(step) for step, _ in answered} == {ChooseStep, SortStep}
    assert f"({html.escape(sorted_item, quote=True)})" in page  # the item that was sorted


def test_share_this_photo_with_home_shows_the_pupils_photo(
    app: Flask, session: Session
) -> None:
    """"Share this photo with home?" asked about no photo at all: the question now shows the
    pupil's own photo while carers' consent holds, and their tile picture otherwise."""
    school = make_school(session)
    photos.set_photo(
        session, school.teacher, school.pupil, _png(), photos.photo_dir(app.instance_path)
    )
    session.commit()
    ipad = pupil_on_ipad(app, school)
    first = _start(ipad, "online-footprint")
    version = _version(app, "online-footprint", "semi_formal")
    n = next(
        n for n, s in enumerate(version.steps, 1) if isinstance(s, ChooseStep) and s.own_photo
    )
    url = first.replace("/steps/1", f"/steps/{n}")
    photo = f'src="/pupils/{school.pupil.id}/photo.jpg'
    page = ipad.get(url).text
    head = page.split('class="step-text"')[0]
    assert photo not in page  # no consent yet: their own tile picture, never the photo
    assert f"/{school.pupil.tile_symbol}.svg" in head
    assert f"/{version.steps[n - 1].symbol}.svg" not in head  # not the camera it showed
    record_consent(
        session, school.teacher, school.pupil, ConsentPurpose.APP, True, "Mum",
        utcnow().date(), now=utcnow(), today=school_today(),
    )  # fmt: skip
    session.commit()
    page = ipad.get(url).text
    head = page.split('class="step-text"')[0]
    assert photo in head
    assert 'alt="Your photo"' in head


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), "orange").save(out, "PNG")
    return out.getvalue()
