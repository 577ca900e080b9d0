"""The pupil's lesson player, and the lesson maps and responses teachers see and change."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, NamedTuple

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from classroom import policy
from classroom.audit.services import record
from classroom.db import get_session, keep, utcnow
from classroom.errors import CSRF_RECOVERY, Invalid
from classroom.lessons import arrangement, kinds, maps, player
from classroom.lessons.models import LessonAttempt
from classroom.lessons.web import request_catalogue
from classroom.policy import allow
from classroom.principals import PupilPrincipal
from classroom.pupils import photos_web
from classroom.pupils.models import Pathway, Pupil, SchoolClass
from classroom.pupils.services import left_settings
from classroom.symbols.people import answer_names, people_at
from classroom.symbols.sheet_views import SheetLesson
from classroom.symbols.web import override_layers
from classroom.web import (
    apply_form,
    current_actor,
    not_theirs,
    school_today,
    school_zone,
    whole_number,
)

bp = Blueprint("lessons", __name__)


def _fresh_step() -> ResponseReturnValue:
    """A stale form on a lesson screen: show the screen again (its GET has the same address)."""
    if request.endpoint == "lessons.answer":
        return redirect(request.path)
    return redirect(url_for("ipad.home"))


CSRF_RECOVERY.update(
    dict.fromkeys(("lessons.answer", "lessons.start", "lessons.finish"), _fresh_step)
)


def _me() -> PupilPrincipal:
    actor = current_actor()
    if not isinstance(actor, PupilPrincipal):
        abort(403)
    return actor


# --- The pupil's player -----------------------------------------------------------------------


@bp.get("/pupil/lessons/<lesson_id>")
@allow("pupil")
def intro(lesson_id: str) -> ResponseReturnValue:
    """The lesson's picture and title, and a big Start button."""
    me = _me()
    planned = maps.planned_lesson(
        get_session(), me.pupil, lesson_id[:64], request_catalogue(), today=school_today()
    )
    if planned is None:
        abort(404)
    # A go left part way is offered to carry on (only offered: the choice is the pupil's POST).
    left = player.go_to_carry_on(
        get_session(), me.pupil, planned, today=school_today(), zone=school_zone()
    )
    return render_template(
        "lessons/intro.html",
        planned=planned,
        left=left,
        layers=override_layers(get_session(), me.pupil),
    )


@bp.post("/pupil/lessons/<lesson_id>/start")
@allow("pupil")
def start(lesson_id: str) -> ResponseReturnValue:
    """Start (again) at screen 1, or with `go=on` carry on a go left part way. Posted again
    with nothing answered since (its answer lost on the way back), it goes on in the same go."""
    me = _me()
    db, lessons, now = get_session(), request_catalogue(), utcnow()
    try:
        if request.form.get("go") == "on":
            attempt, number = player.carry_on(
                db, me.pupil, me.device, lesson_id[:64], lessons, now=now, zone=school_zone()
            )
        else:
            attempt = player.start_tapped(
                db, me.pupil, me.device, lesson_id[:64], lessons, now=now, zone=school_zone()
            )
            number = 1
    except LookupError:
        abort(404)
    # A sort screen left part way goes on at its first item not yet placed: its GET finds it.
    return redirect(url_for("lessons.step", attempt_id=attempt.id, number=number))


def _attempt(attempt_id: int) -> LessonAttempt:
    try:
        return player.attempt_of(get_session(), _me().pupil, attempt_id)
    except LookupError:
        abort(404)


def _taken_off(attempt: LessonAttempt | player.ShownAttempt) -> bool:
    """The teacher hid the lesson, took it off the map or withdrew it since the pupil began:
    it stops at once (a lesson is hidden when it is wrong for the pupil now), and nothing more
    of it is recorded."""
    planned = maps.planned_lesson(
        get_session(), _me().pupil, attempt.lesson_id, request_catalogue(), today=school_today()
    )
    return planned is None


def _my_lessons() -> ResponseReturnValue:
    return redirect(url_for("ipad.home"), 303)


def _step_page(attempt: LessonAttempt | player.ShownAttempt, number: int, **state: Any) -> str:
    step = player.step_of(attempt, number, request_catalogue())
    me = _me()
    total = len(player.version_of(attempt, request_catalogue()).steps)
    unit = kinds.spec(step)
    place = getattr(step, "place", None)  # who-can-I-tell may ask about one place
    adults = people_at(get_session(), me.pupil, place) if unit.shows_people else []
    # This attempt's order: fresh each attempt, the same on a reload (see arrangement.py).
    if unit.items(step):
        # A forged item number is kept in range rather than failing.
        state["item"] = min(max(state["item"], 0), unit.items(step) - 1)
    item, thing = kinds.shown_item(step, state["item"], attempt.id)
    # A question about the pupil's own photo shows it above the question (a choose step's).
    photo_question = bool(getattr(step, "own_photo", False))
    return render_template(
        "lessons/step.html",
        attempt=attempt,
        step=step,
        unit=unit,
        number=number,
        total=total,
        lesson=request_catalogue().get(attempt.lesson_id),
        adults=arrangement.arranged(attempt.id, step.id, adults),
        cards=kinds.choice_cards(step, attempt.id, item),
        thing=thing,
        photo_url=_own_photo(me.pupil) if unit.shows_own_photo or photo_question else None,
        photo_question=photo_question,
        next_number=kinds.next_number(step, number, state.get("chosen")),
        key=str(uuid.uuid4()),
        layers=override_layers(get_session(), me.pupil),
        **state,
    )


def _own_photo(pupil: Pupil) -> str | None:
    """The pupil's photo for a step about them, only while their carers' photo consent holds."""
    if not photos_web.shows_photo(get_session(), pupil):
        return None
    return url_for("pupils.photo", pupil_id=pupil.id)


@bp.get("/pupil/lessons/attempts/<int:attempt_id>/steps/<int:number>")
@allow("pupil")
def step(attempt_id: int, number: int) -> ResponseReturnValue:
    """One screen of a lesson: one idea, big targets, no timer, no score."""
    try:
        attempt = player.shown_attempt(get_session(), _me().pupil, attempt_id)
        if _taken_off(attempt):
            return _my_lessons()
        # A sort screen shows the first item this go has not yet placed: "Go on", a reload,
        # Back then Forward and Safari reopening the tab all go on where the pupil was. An
        # `item` in an old address is ignored.
        current = player.step_of(attempt, number, request_catalogue())
        # A screen already finished in this go shows the pupil's answer again, with Next.
        done = player.done_answer(get_session(), attempt.id, current)
        if done is not None:
            return _step_page(
                attempt, number, tries=1, item=done.item, outcome=done.outcome, chosen=done.answer
            )
        item = player.next_unplaced(get_session(), attempt.id, current)
        # Back from Report a worry after a wrong answer: the prompt again, on the same try.
        # Only then (its way back says `prompted`): Back in the lesson asks afresh.
        prompted = request.args.get("prompted") and player.prompted_answer(
            get_session(), attempt.id, current, item
        )
        if prompted:
            return _step_page(
                attempt,
                number,
                tries=prompted.tries,
                item=item,
                outcome=prompted.outcome,
                chosen=prompted.answer,
                worry_back=_prompted_address(attempt.id, number),
            )
        return _step_page(attempt, number, tries=1, item=item)
    except LookupError:
        abort(404)


@bp.post("/pupil/lessons/attempts/<int:attempt_id>/steps/<int:number>")
@allow("pupil")
def answer(attempt_id: int, number: int) -> ResponseReturnValue:
    """Record one tap; a wrong answer gently shows the right one and the pupil tries again."""
    attempt = _attempt(attempt_id)
    if _taken_off(attempt):
        return _my_lessons()
    form = request.form
    tries = form.get("tries", 1, type=whole_number) or 1
    item = form.get("item", 0, type=whole_number) or 0
    db = get_session()
    try:
        current = player.step_of(attempt, number, request_catalogue())
        outcome = player.respond(
            db,
            attempt,
            current,
            form.get("answer", "")[:64],
            tries,
            form.get("key", "") or str(uuid.uuid4()),
            item,
            now=utcnow(),
        )
    except LookupError:
        abort(404)
    except Invalid as problem:
        return _step_page(attempt, number, tries=tries, item=item, problem=problem.message), 400
    if request.headers.get(ANSWER_ONLY) == "1":
        return "", 204  # kept first by player.js; the same form, posted next, shows the screen
    if outcome.correct and not outcome.step_done:  # a sort item placed; the next one comes
        return _step_page(attempt, number, tries=1, item=item + 1, placed=True)
    # A prompt: Report a worry comes back to it (the step's GET finds the wrong answer).
    prompting = outcome.correct is False and not outcome.step_done
    return _step_page(
        attempt,
        number,
        tries=1 if outcome.step_done else tries + 1,
        item=item,
        outcome=outcome,
        chosen=form.get("answer", ""),
        worry_back=_prompted_address(attempt.id, number) if prompting else None,
    )


# Sent by static/js/player.js with an answer it makes sure of before the screen moves on (the
# Wi-Fi may be down): recorded, and nothing drawn, as the same form posted next draws the screen.
ANSWER_ONLY = "X-Answer-Only"


def _prompted_address(attempt_id: int, number: int) -> str:
    """The screen with its prompt: where "Not now" goes back to from a prompted screen."""
    return url_for("lessons.step", attempt_id=attempt_id, number=number, prompted=1)


@bp.post("/pupil/lessons/attempts/<int:attempt_id>/finish")
@allow("pupil")
def finish(attempt_id: int) -> ResponseReturnValue:
    """The last step's Next: well done, and back to My lessons."""
    attempt = _attempt(attempt_id)
    if _taken_off(attempt):
        return _my_lessons()
    db = get_session()
    player.finish(db, _me().pupil, attempt, now=utcnow())
    return render_template(
        "lessons/done.html",
        lesson=request_catalogue().get(attempt.lesson_id),
        layers=override_layers(db, _me().pupil),
    )


# A GET on an action address (a reload, Back, a saved link) shows the right screen, never 405.


@bp.get("/pupil/lessons/<lesson_id>/start")
@allow("pupil")
def start_again(lesson_id: str) -> ResponseReturnValue:
    return redirect(url_for("lessons.intro", lesson_id=lesson_id[:64]))


@bp.get("/pupil/lessons/attempts/<int:attempt_id>/finish")
@allow("pupil")
def finish_address(attempt_id: int) -> ResponseReturnValue:
    """Reloading "Well done": the lesson is finished, so back to My lessons."""
    _attempt(attempt_id)  # another pupil's attempt is a 404, as on every attempt address
    return redirect(url_for("ipad.home"))


# --- Teachers: a pupil's map and responses -------------------------------------------------------


def _visible_pupil(pupil_id: int) -> Pupil:
    pupil = policy.visible_pupil(get_session(), current_actor(), pupil_id)
    if pupil is None:
        not_theirs()
    return pupil


class MapRow(NamedTuple):
    """What one row of a pupil's lesson map shows, as plain values: the rows are the key the
    map's table is kept by (templates/lessons/_map_table.html)."""

    lesson_id: str
    number: int
    title: str
    pathway: str
    pathway_label: str
    personal_pathway: bool
    hidden: bool
    target: bool
    progress: player.Progress | None
    teacher_shows: bool  # hidden, a teacher-enabled lesson: only a teacher shows it again


def _map_rows(
    planned: list[maps.Planned], progress: dict[str, player.Progress], may_enable: bool
) -> tuple[MapRow, ...]:
    return tuple(
        MapRow(
            p.lesson.id,
            p.lesson.number,
            p.lesson.title.text,
            p.pathway.value,
            p.pathway.label,
            p.personal_pathway,
            p.hidden,
            p.target,
            progress.get(p.lesson.id),
            p.hidden and p.lesson.teacher_enabled_only and not may_enable,
        )  # fmt: skip
        for p in planned
    )


@bp.get("/pupils/<int:pupil_id>/lessons")
@allow("view_pupils")
def pupil_map(pupil_id: int) -> ResponseReturnValue:
    """What the pupil will get, in order, and how each lesson went ("needs help" stands out)."""
    return _map_page(_visible_pupil(pupil_id))


def _left_map(pupil_id: int) -> ResponseReturnValue | None:
    """A leaver's map, refused (409) with why, to a change sent from an older page; None for a
    pupil at the school (the rest are refused by the service, as before)."""
    pupil = _visible_pupil(pupil_id)
    if pupil.active or not policy.can_edit_pupil_settings(get_session(), current_actor(), pupil):
        return None
    return _map_page(pupil, refused=True)


def _map_page(pupil: Pupil, refused: bool = False) -> ResponseReturnValue:
    db = get_session()
    record(db, current_actor(), "lesson_map.viewed", pupil)
    if refused:
        keep(db)  # the page shown is an access too: its audit outlives the 409
    # A leaver's map is shown as it is, read-only, saying why (pupils.services.left_settings).
    left = None if pupil.active else left_settings(pupil, maps.LESSON_MAP, "it")
    can_edit = left is None and policy.can_edit_pupil_settings(db, current_actor(), pupil)
    today = school_today()
    shown = maps.teachers_map(db, pupil, request_catalogue(), today=today)
    on_map = {p.lesson.id for p in shown.planned}
    age = pupil.age_on(today)
    may_enable = policy.may_enable_teacher_only_lessons(current_actor())
    offered = [x for x in request_catalogue().offered() if x.id not in on_map and x.for_age(age)]
    rows = _map_rows(shown.planned, player.progress(db, pupil, zone=school_zone()), may_enable)
    return render_template(
        "lessons/pupil_map.html",
        pupil=pupil,
        rows=rows,
        saved_note=_saved_note(rows, pupil, shown.personalised) if can_edit else None,
        personalised=shown.personalised,
        followed_class=None if shown.personalised else maps.followed_class(db, pupil),
        can_edit=can_edit,
        left=left,
        refused=refused,
        addable=tuple(
            (lesson.id, lesson.number, lesson.title.text, lesson.teacher_enabled_only)
            for lesson in offered
            if may_enable or not lesson.teacher_enabled_only
        ),
        # Not offered to a teaching assistant: said instead, so no one wonders where they went.
        teacher_adds=tuple(
            f"{lesson.number}. {lesson.title.text}"
            for lesson in offered
            if lesson.teacher_enabled_only and not may_enable
        ),
        pathways=tuple((pathway.value, pathway.label) for pathway in Pathway),
        withdrawn=maps.recently_withdrawn(db, request_catalogue(), today=today, zone=school_zone()),
        not_yet=shown.not_yet,
        may_enable=may_enable,
        saved_not_yet=_saved_not_yet(shown.not_yet) if can_edit else "",
    ), (409 if refused else 200)


def _saved_not_yet(not_yet: list[maps.NotYet]) -> str:
    """The lesson id of the note just changed ("Keep it off", "Let it reach"), said in the
    note (#lesson-<id>) rather than at the top; "" for none."""
    lesson_id = request.args.get("lesson", "")
    if request.args.get("saved") not in ("hide", "show"):
        return ""
    return lesson_id if any(n.lesson.id == lesson_id for n in not_yet) else ""


def _saved_note(
    rows: tuple[MapRow, ...], pupil: Pupil, personalised: bool
) -> tuple[str, str] | None:
    """(lesson id, what was saved) for the row just changed (`?saved=<action>&lesson=<id>`),
    said in that row where the teacher is; None when no row was changed or it is not shown.
    The change that first gave the pupil a map of their own (`&own=new`) says so: from then on
    the class map's changes no longer reach them, which nothing else on the page made plain."""
    action, lesson_id = request.args.get("saved", ""), request.args.get("lesson", "")
    place = next((i for i, r in enumerate(rows) if r.lesson_id == lesson_id), None)
    if place is None or action not in _SAVED_WORDS:
        return None
    row = rows[place]
    own = "" if row.personal_pathway else f"{pupil.first_name}'s own pathway, "
    now = _SAVED_WORDS[action].format(
        place=place + 1, count=len(rows), pathway=own + row.pathway_label
    )
    sees = f"{pupil.first_name} sees this next time."
    if personalised and request.args.get("own") == "new":
        sees += (
            f" This map is now {pupil.first_name}'s own: changes to the class map no longer"
            " reach it (Follow the class map again, at the end of the page, undoes that)."
        )
    return lesson_id, f"Saved: {row.number}. {row.title} {now}. {sees}"


# What a change on a pupil's map made of the row, by its action (after "Saved: <lesson>").
_SAVED_WORDS = {
    "pathway": "is now {pathway}",
    "hide": "is now hidden",
    "show": "is shown again",
    "up": "is now number {place} of {count}",
    "down": "is now number {place} of {count}",
    "target": "is now the target",
    "add": "is added at number {place} of {count}",
}


@bp.get("/pupils/<int:pupil_id>/lessons/<lesson_id>/responses")
@allow("view_pupils")
def responses(pupil_id: int, lesson_id: str) -> ResponseReturnValue:
    """Every answer the pupil gave in one lesson: when, what, first time or after a prompt,
    and which answer counts, with the lesson map's count of them."""
    pupil = _visible_pupil(pupil_id)
    if lesson_id not in request_catalogue():
        abort(404)
    db = get_session()
    record(db, current_actor(), "lesson_responses.viewed", pupil, lesson_id)
    lesson = request_catalogue().get(lesson_id)
    return render_template(
        "lessons/responses.html",
        pupil=pupil,
        lesson=lesson,
        rows=player.shown_responses(db, pupil, lesson, answer_names(db, pupil)),
        progress=player.progress(db, pupil, zone=school_zone()).get(lesson_id),
    )


def _teacher_only(change: Callable[[], object]) -> maps.TeacherOnly | None:
    """Make the change, or hand back its teacher-only refusal: that one is said plainly, where
    `apply_form` answers any other refusal as a hidden record (404)."""
    try:
        change()
    except maps.TeacherOnly as refused:
        return refused
    return None


def _change(
    pupil_id: int, change: Any, lesson_id: str | None = None, action: str = ""
) -> ResponseReturnValue:
    left = _left_map(pupil_id)
    if left is not None:
        return left
    pupil = _visible_pupil(pupil_id)
    had_own = maps.has_own_map(get_session(), pupil)
    refused = apply_form(
        lambda: _teacher_only(lambda: change(get_session(), pupil)),
        lambda message: (
            render_template("lessons/problem.html", pupil=pupil, message=message),
            400,
        ),
        hide_refusal=True,
    )
    if refused is not None:  # a 403 rolls the request back (nothing half-made is kept)
        return render_template("lessons/problem.html", pupil=pupil, message=refused.message), 403
    # Back to the row just changed, not the top of a long map (issue 15: keep the page position),
    # saying there what changed: "Saved." at the top was off screen for a row far down.
    if lesson_id is None:
        return redirect(url_for("lessons.pupil_map", pupil_id=pupil.id, saved=1))
    became_own = not had_own and maps.has_own_map(get_session(), pupil)
    return redirect(
        url_for(
            "lessons.pupil_map",
            pupil_id=pupil.id,
            saved=action,
            lesson=lesson_id,
            own="new" if became_own else None,  # None: left out of the address
            _anchor=f"lesson-{lesson_id}",
        )
    )


@bp.post("/pupils/<int:pupil_id>/lessons/<lesson_id>/<action>")
@allow("edit_pupil_settings")
def change_lesson(pupil_id: int, lesson_id: str, action: str) -> ResponseReturnValue:
    """Change one lesson on a pupil's map: pathway, hide/show, move, target."""
    actor = current_actor()
    lessons = request_catalogue()
    pathway_value = request.form.get("pathway", "")
    changes = {
        "pathway": lambda db, p: maps.set_pathway(
            db,
            actor,
            p,
            lesson_id,
            Pathway(pathway_value) if pathway_value in {x.value for x in Pathway} else None,
            lessons,
        ),
        "hide": lambda db, p: maps.set_hidden(db, actor, p, lesson_id, True, lessons),
        "show": lambda db, p: maps.set_hidden(db, actor, p, lesson_id, False, lessons),
        "up": lambda db, p: maps.move(db, actor, p, lesson_id, -1, lessons, today=school_today()),
        "down": lambda db, p: maps.move(db, actor, p, lesson_id, 1, lessons, today=school_today()),
        "target": lambda db, p: maps.set_target(db, actor, p, lesson_id, lessons, now=utcnow()),
        "add": lambda db, p: maps.add(
            db, actor, p, _lesson_to_add(), lessons, today=school_today()
        ),
    }
    if action not in changes:
        abort(404)
    changed = request.form.get("lesson_id", "")[:64] if action == "add" else lesson_id
    return _change(pupil_id, changes[action], changed, action)


def _lesson_to_add() -> str:
    """The lesson chosen to add; none chosen is said as such, not as "no such lesson"."""
    lesson_id = request.form.get("lesson_id", "")[:64]
    if not lesson_id:
        raise Invalid("Choose a lesson to add.", "lesson_id")
    return lesson_id


@bp.post("/pupils/<int:pupil_id>/lessons/reset")
@allow("edit_pupil_settings")
def reset(pupil_id: int) -> ResponseReturnValue:
    """Follow the class map again, deleting the pupil's own map: asked first, with what goes
    (one tap beside "Clear the target" deleted a term's choices with no way back)."""
    actor = current_actor()
    lessons, today = request_catalogue(), school_today()
    left = _left_map(pupil_id)
    if left is not None:
        return left
    if request.form.get("confirm") != "yes":
        pupil = _visible_pupil(pupil_id)
        own = maps.teachers_map(get_session(), pupil, lessons, today=today)
        # Said before a teaching assistant confirms, rather than refused after (maps.reset).
        gained = (
            []
            if policy.may_enable_teacher_only_lessons(actor)
            else maps.teacher_only_gained(get_session(), pupil, lessons, today=today)
        )
        return render_template(
            "lessons/reset_confirm.html",
            pupil=pupil,
            personalised=own.personalised,
            chosen=[p.lesson.title.text for p in own.planned if p.personal_pathway],
            # A lesson kept off until a birthday comes back too (on that day).
            hidden=[p.lesson.title.text for p in own.planned if p.hidden]
            + [n.lesson.title.text for n in own.not_yet if n.kept_off and own.personalised],
            teacher_needed=[lesson.title.text for lesson in gained],
        )
    return _change(pupil_id, lambda db, p: maps.reset(db, actor, p, lessons, today=today))


@bp.post("/pupils/<int:pupil_id>/lessons/clear-target")
@allow("edit_pupil_settings")
def clear_target(pupil_id: int) -> ResponseReturnValue:
    actor = current_actor()
    lessons = request_catalogue()
    return _change(
        pupil_id, lambda db, p: maps.set_target(db, actor, p, None, lessons, now=utcnow())
    )


# --- Teachers: a class's default map -----------------------------------------------------------


def _class(class_id: int) -> SchoolClass:
    found = policy.visible_class(get_session(), current_actor(), class_id)
    if found is None or not policy.can_edit_class_map(get_session(), current_actor(), found):
        not_theirs()
    return found


@bp.route("/classes/<int:class_id>/lessons", methods=["GET", "POST"])
@allow("edit_pupil_settings")
def class_map(class_id: int) -> ResponseReturnValue:
    """The class's default map; topic 15 appears only when a teacher turns it on here."""
    school_class = _class(class_id)
    db = get_session()
    if request.method == "POST":
        try:
            maps.set_class_lesson(
                db,
                current_actor(),
                school_class,
                request.form.get("lesson_id", "")[:64],
                request.form.get("on") == "1",
                request_catalogue(),
            )
        except Invalid as problem:
            return render_template("lessons/problem.html", message=problem.message), 400
        except maps.TeacherOnly as refused:
            return render_template("lessons/problem.html", message=refused.message), 403
        # Back to the row just changed, saying there what changed (issue 15).
        lesson_id = request.form.get("lesson_id", "")[:64]
        return redirect(
            url_for(
                "lessons.class_map",
                class_id=class_id,
                saved=1,
                lesson=lesson_id,
                _anchor=f"lesson-{lesson_id}",
            )
        )
    on_map = {e.lesson_id for e in maps.class_entries(db, school_class, request_catalogue())}
    return render_template(
        "lessons/class_map.html",
        school_class=school_class,
        own_maps=maps.own_maps(db, school_class),
        lessons=list(request_catalogue().offered()),  # a withdrawn lesson is on no map
        on_map=on_map,
        # The class's pupils too young for a teacher-enabled lesson on it, and when it reaches
        # each (or that it was kept off their map): the class teacher sees it coming.
        not_yet=maps.class_not_yet(db, school_class, request_catalogue(), today=school_today()),
        saved_id=request.args.get("lesson", "") if request.args.get("saved") else "",
        may_enable=policy.may_enable_teacher_only_lessons(current_actor()),
        withdrawn=maps.recently_withdrawn(
            db, request_catalogue(), today=school_today(), zone=school_zone()
        ),
    )


def sheet_lessons() -> list[SheetLesson]:
    """For the symbols contact sheet: the school's lessons, each with every text a pupil sees."""
    return [
        SheetLesson(
            lesson.id,
            lesson.title.text,
            [lesson.title.text, *(t.text for v in lesson.versions for t in v.texts())],
        )
        for lesson in request_catalogue()
    ]
