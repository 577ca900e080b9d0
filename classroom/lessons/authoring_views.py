"""Teachers' own lessons: write, preview as a pupil, share; and the live symbol preview."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from classroom import policy
from classroom.accounts.models import Account
from classroom.db import get_session
from classroom.errors import Invalid
from classroom.lessons import arrangement, authoring, maps, player
from classroom.lessons.authored_models import AuthoredLesson, LessonStatus
from classroom.lessons.authoring import Document, LessonProblems, Refused
from classroom.lessons.content import Animation, Pathway, SortStep, Sound, Step
from classroom.lessons.player import Outcome
from classroom.policy import allow
from classroom.symbols.symboliser import Token, symbolise
from classroom.web import current_actor

bp = Blueprint("authoring", __name__, url_prefix="/authoring")
MAX_PREVIEW = 300
KIND_LABELS = [
    ("story", "Story: words and a picture, read aloud"),
    ("choose", "Choose: pick the right answer from 2 to 4"),
    ("sort", "Sort: put 3 to 6 things into two groups"),
    ("yes_no", "Yes or no"),
    ("who_can_i_tell", "Who can I tell: the pupil's own trusted adults"),
    ("cause_effect", "Cause and effect: tap for a sound and a moving picture"),
]
PATHWAY_LABELS = {
    Pathway.PRE_FORMAL: "Pre-formal",
    Pathway.SEMI_FORMAL: "Semi-formal",
    Pathway.FORMAL: "Formal",
}


@bp.context_processor
def _labels() -> dict[str, object]:
    return {"pathway_labels": PATHWAY_LABELS}


def _me() -> Account:
    actor = current_actor()
    if not isinstance(actor, Account):
        abort(403)
    return actor


def _visible(lesson_id: int) -> AuthoredLesson:
    row = get_session().scalar(
        policy.visible_authored_lessons(_me()).where(AuthoredLesson.id == lesson_id)
    )
    if row is None:
        abort(404)
    return row


def _editable(lesson_id: int) -> AuthoredLesson:
    """A lesson the teacher may change; another teacher's is simply not found."""
    row = get_session().scalar(
        policy.editable_authored_lessons(_me()).where(AuthoredLesson.id == lesson_id)
    )
    if row is None:
        abort(404)
    return row


@bp.get("/")
@allow("author_lessons")
def index() -> ResponseReturnValue:
    """My lessons, the school's shared lessons, and every lesson to preview as a pupil."""
    db, me = get_session(), _me()
    rows = list(db.scalars(policy.visible_authored_lessons(me)))
    return render_template(
        "authoring/index.html",
        mine=[r for r in rows if r.author_id == me.id],
        others=[r for r in rows if r.author_id != me.id],
        lessons=list(maps.catalogue()),
        pathways=list(Pathway),
    )


# --- Writing a lesson --------------------------------------------------------------------------


def _previews(values: dict[str, str]) -> dict[str, list[Token]]:
    """Every pupil-facing text in the form, with symbols, for the Preview button."""
    pupil_facing = ("title", "-text", "-feedback", "-label")
    return {
        name: symbolise(value)
        for name, value in values.items()
        if value and name.endswith(pupil_facing) and not name.endswith("-symbol")
    }


def _editor(doc: Document, notes: str, row: AuthoredLesson | None, **state: Any) -> str:
    values = authoring.form_values(doc)
    locked = (
        row is not None
        and row.status is LessonStatus.SHARED
        and authoring.attempted(get_session(), row)
    )
    return render_template(
        "authoring/edit.html",
        row=row,
        values=values,
        strands=set(doc.get("strands", [])),
        risks=set(doc.get("risks", [])),
        notes=notes,
        locked=locked,
        previews=_previews(values) if state.pop("previewing", False) else {},
        kinds=KIND_LABELS,
        sounds=[sound.value for sound in Sound],
        animations=[animation.value for animation in Animation],
        strand_choices=authoring.STRAND_CHOICES,
        risk_choices=authoring.RISK_CHOICES,
        pathways=list(Pathway),
        slots=authoring.STEP_SLOTS,
        **state,
    )


def _submitted() -> tuple[Document, str]:
    return authoring.document_from_form(request.form), request.form.get("notes", "")


def _save(row: AuthoredLesson | None) -> ResponseReturnValue:
    doc, notes = _submitted()
    if request.form.get("action") == "preview":
        return _editor(doc, notes, row, previewing=True)
    db = get_session()
    try:
        if row is None:
            row = authoring.create(db, _me(), doc, notes)
        else:
            authoring.update(db, _me(), row, doc, notes)
    except LessonProblems as problems:
        db.rollback()  # the editor drawn again must not show half the refused change
        return _editor(doc, notes, row, problems=problems.reasons), 400
    except Refused as refused:
        db.rollback()  # as above
        return _editor(doc, notes, row, problems=[refused.message]), 409
    return redirect(url_for("authoring.show", lesson_id=row.id, saved=1))


@bp.route("/new", methods=["GET", "POST"])
@allow("author_lessons")
def new() -> ResponseReturnValue:
    """Write a lesson: saved as a draft only when it meets every lesson rule."""
    if request.method == "GET":
        return _editor({}, "", None)
    return _save(None)


@bp.route("/<int:lesson_id>/edit", methods=["GET", "POST"])
@allow("author_lessons")
def edit(lesson_id: int) -> ResponseReturnValue:
    row = _editable(lesson_id)
    if request.method == "GET":
        return _editor(authoring.document_of(row), row.notes_html, row)
    return _save(row)


@bp.get("/<int:lesson_id>")
@allow("author_lessons")
def show(lesson_id: int) -> ResponseReturnValue:
    """One teacher lesson: its steps on each pathway, the notes, and what can be done next."""
    row, db = _visible(lesson_id), get_session()
    try:
        lesson, problems = authoring.lesson_of(row), []
    except LessonProblems as broken:
        lesson, problems = None, broken.reasons
    return render_template(
        "authoring/show.html",
        row=row,
        lesson=lesson,
        problems=problems,
        notes=authoring.notes_markup(row),
        can_edit=policy.can_edit_authored_lesson(db, _me(), row),
        locked=row.status is LessonStatus.SHARED and authoring.attempted(db, row),
        author=db.get(Account, row.author_id),
    )


def _change(lesson_id: int, change: str) -> ResponseReturnValue:
    db = get_session()
    try:
        if change == "share":
            row = _editable(lesson_id)
            authoring.share(db, _me(), row)
        else:
            row = authoring.copy(db, _me(), _visible(lesson_id))
    except Refused as refused:  # a 4xx rolls the request back
        return render_template("authoring/problem.html", message=refused.message), 409
    except LessonProblems as problems:
        return render_template("authoring/problem.html", message=problems.reasons[0]), 400
    return redirect(url_for("authoring.show", lesson_id=row.id, saved=1))


@bp.post("/<int:lesson_id>/share")
@allow("author_lessons")
def share(lesson_id: int) -> ResponseReturnValue:
    """Share a draft with the school, so it can go on class and pupil maps."""
    return _change(lesson_id, "share")


@bp.post("/<int:lesson_id>/copy")
@allow("author_lessons")
def copy(lesson_id: int) -> ResponseReturnValue:
    """Copy a lesson into a new draft of one's own."""
    return _change(lesson_id, "copy")


@bp.get("/symbols")
@allow("staff")
def symbols() -> ResponseReturnValue:
    """Text with its symbols, as an HTML fragment for the live preview (changes nothing)."""
    text = request.args.get("text", "")[:MAX_PREVIEW]
    return render_template("authoring/_symbols.html", tokens=symbolise(text))


# --- Previewing any lesson as a pupil ----------------------------------------------------------


# A preview has no attempt; it shows one fixed shuffle, as the first attempt of a pupil would.
PREVIEW_SEED = 1


def _preview_step(lesson_id: str, pathway: str, number: int) -> tuple[Any, Step, int]:
    lesson = authoring.preview_lesson(get_session(), _me(), lesson_id[:64], maps.catalogue())
    if lesson is None or pathway not in set(Pathway):
        abort(404)
    steps = lesson.version(Pathway(pathway)).steps
    if not 1 <= number <= len(steps):
        abort(404)
    return lesson, steps[number - 1], len(steps)


def _judged(step: Step, item: int) -> tuple[Outcome | None, int, str | None]:
    """The answer in the query string judged as the player would; the sort moves on when right."""
    answer = request.args.get("answer")
    try:
        outcome = None if answer is None else player.judge(step, answer[:64], item, PREVIEW_SEED)
    except Invalid as problem:
        return None, item, problem.message
    if isinstance(step, SortStep) and outcome and outcome.correct and not outcome.step_done:
        return None, min(item + 1, len(step.items) - 1), None
    return outcome, item, None


@bp.get("/preview/<lesson_id>/<pathway>/<int:number>")
@allow("author_lessons")
def preview(lesson_id: str, pathway: str, number: int) -> ResponseReturnValue:
    """A lesson screen as a pupil on this pathway sees it; answers are judged, never recorded."""
    lesson, step, total = _preview_step(lesson_id, pathway, number)
    start = max(0, request.args.get("item", 0, type=int) or 0)
    last = max(len(step.items) - 1, 0) if isinstance(step, SortStep) else 0
    outcome, item, problem = _judged(step, min(start, last))
    content_item = player.sort_item(step, item, PREVIEW_SEED) if isinstance(step, SortStep) else 0
    page = render_template(
        "authoring/preview.html",
        lesson=lesson,
        pathway=Pathway(pathway),
        step=step,
        number=number,
        total=total,
        item=item,
        cards=arrangement.choice_cards(step, PREVIEW_SEED, content_item),
        thing=step.items[content_item] if isinstance(step, SortStep) else None,
        outcome=outcome,
        problem=problem,
    )
    return page, 400 if problem else 200
