"""Teachers' own lessons: write, preview as a pupil, share; and the live symbol preview."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from classroom import policy
from classroom.accounts.models import Account
from classroom.db import get_session, to_change, utcnow
from classroom.errors import Invalid
from classroom.lessons import authoring, kinds
from classroom.lessons.authored_models import AuthoredLesson, LessonStatus
from classroom.lessons.authoring import Document, LessonProblems, Observed, Refused, Stale
from classroom.lessons.content import Action, Animation, Engagement, Pathway, Place, Sound, Step
from classroom.lessons.kinds import Outcome
from classroom.lessons.web import request_catalogue
from classroom.policy import allow
from classroom.symbols import pictures
from classroom.symbols.library import svg_path
from classroom.symbols.queries import MAX_SEARCH_LENGTH, Option, options_for
from classroom.symbols.symboliser import Token, marks_on_words, symbolise
from classroom.symbols.vocabulary import normalise
from classroom.web import current_actor, whole_number

bp = Blueprint("authoring", __name__, url_prefix="/authoring")
# The live preview shows this much of a box: all of a box over its limit (authoring.MAX_FIELD),
# with the part over it marked, unless it is far over.
MAX_PREVIEW = 1000
# Plain words for every menu; the stored values stay the lesson-file keys.
SOUND_CHOICES = [(sound.value, sound.value.capitalize()) for sound in Sound]
ANIMATION_CHOICES = [(animation.value, animation.value.capitalize()) for animation in Animation]
ACTION_CHOICES = [(Action.STOP.value, "Stop"), (Action.FINISH.value, "Finished")]
PLACE_CHOICES = [
    (Place.SCHOOL.value, "Only adults at school"),
    (Place.HOME.value, "Only adults at home"),
]
LOOK_FOR_CHOICES = [(area.value, area.value.capitalize()) for area in Engagement]
MAX_PICTURES = 24
PATHWAY_LABELS = {pathway: pathway.label for pathway in Pathway}  # the one Pathway's words
KIND_NAMES = {kind: unit.name for kind, unit in kinds.KINDS.items()}


@bp.context_processor
def _labels() -> dict[str, object]:
    return {"pathway_labels": PATHWAY_LABELS, "kind_names": KIND_NAMES}


# Whether staff have recorded observations on a lesson: assessment, a feature above lessons,
# answers it, and the app factory hands it in. There is no default: a lesson taken for
# unassessed could be changed under what staff recorded.
OBSERVED_EXTENSION = "classroom.lessons_observed"


def register_observed(app: Flask, source: Observed) -> None:
    """Let `source(session, lesson_key)` say whether any observation points at the lesson."""
    app.extensions[OBSERVED_EXTENSION] = source


def _observed() -> Observed:
    source: Observed = current_app.extensions[OBSERVED_EXTENSION]
    return source


def _locked(row: AuthoredLesson | None) -> str | None:
    """Why the lesson can no longer be changed in place (`authoring.locked`), or None."""
    return None if row is None else authoring.locked(get_session(), row, _observed())


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


def _editable(lesson_id: int, *, to_save: bool = False) -> AuthoredLesson:
    """A lesson the teacher may change; another teacher's is simply not found. `to_save`: read
    locked (PostgreSQL), so two saves at one instant take turns and the second's revision
    check sees the first's (`authoring.Stale`)."""
    query = policy.editable_authored_lessons(_me()).where(AuthoredLesson.id == lesson_id)
    row = get_session().scalar(to_change(query, AuthoredLesson) if to_save else query)
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
        lessons=list(request_catalogue().offered()),  # a withdrawn one is previewed from its page
        pathways=list(Pathway),
        first_number=authoring.FIRST_NUMBER,
    )


# --- Writing a lesson --------------------------------------------------------------------------


def _shown(text: str) -> list[Token]:
    """A text's symbols as the pupil screen shows them: each quote mark, bracket or full stop
    on its word ("'Buy", "gems'."), never a mark standing alone (symbols/cache.py)."""
    return marks_on_words(symbolise(text))


def _previews(values: dict[str, str]) -> dict[str, list[Token]]:
    """Every pupil-facing text in the form, with symbols, for the Preview button."""
    return {
        name: _shown(value) for name, value in values.items() if value and authoring.pupil_box(name)
    }


def _editor(doc: Document, notes: str, row: AuthoredLesson | None, **state: Any) -> str:
    # A form given back keeps each step in the box it was typed in (`authoring.Boxes`), and
    # the revision it was opened at (`_sent_revision`), so a save after fixing it is still
    # checked against what others saved meanwhile.
    boxes = state.pop("boxes", None)
    values = authoring.form_values(doc, boxes)
    kept = {} if boxes is None else authoring.unused_box_values(request.form, boxes)
    values = {**kept, **values}  # a form given back keeps what was typed in boxes with no step
    # Step boxes shown open (not behind "Add a step"): one with a step, with what was typed
    # kept, or with a problem marked on it.
    named = [*kept, *state.get("marked", {}), *state.get("long", {})]
    open_boxes = {box for box in map(authoring.step_box, named) if box is not None}
    revision = state.pop("revision", None)
    return render_template(
        "authoring/edit.html",
        row=row,
        values=values,
        strands=set(doc.get("strands", [])),
        risks=set(doc.get("risks", [])),
        notes=notes,
        revision=row.revision if revision is None and row is not None else revision,
        locked=_locked(row),
        previews=_previews(values) if state.pop("previewing", False) else {},
        kinds=kinds.labels(),
        field_kinds=authoring.FIELD_KINDS,
        sounds=SOUND_CHOICES,
        animations=ANIMATION_CHOICES,
        actions=ACTION_CHOICES,
        places=PLACE_CHOICES,
        look_for=LOOK_FOR_CHOICES,
        finding=state.pop("finding", {}),
        picture_words=_picture_words(values),
        strand_choices=authoring.STRAND_CHOICES,
        risk_choices=authoring.RISK_CHOICES,
        pathways=list(Pathway),
        slots=authoring.STEP_SLOTS,
        box_max=authoring.MAX_FIELD,
        notes_max=authoring.MAX_NOTES,
        long=state.pop("long", {}),
        marked=state.pop("marked", {}),
        links=state.pop("links", {}),
        open_boxes=open_boxes,
        **state,
    )


def _submitted() -> tuple[Document, str]:
    return authoring.document_from_form(request.form), request.form.get("notes", "")


def _sent_revision() -> int | None:
    """The revision of the lesson the editor was opened at (None: not sent). One that is not
    a whole number is never a lesson's revision, so a save with it is refused as stale."""
    if "revision" not in request.form:
        return None
    sent: int | None = request.form.get("revision", type=whole_number)
    return -1 if sent is None else sent


def _save(row: AuthoredLesson | None, *, as_copy: bool = False) -> ResponseReturnValue:
    """Save the editor's form: a new lesson, a change to `row`, or (`as_copy`) a new draft of
    what was typed into `row`, which stays as it is."""
    doc, notes = _submitted()
    boxes = authoring.step_boxes(request.form)  # empty step boxes are not steps
    revision = None if as_copy else _sent_revision()
    action = request.form.get("action", "")
    if action == "preview":
        return _editor(doc, notes, row, previewing=True, boxes=boxes, revision=revision)
    if action.startswith("find:"):
        # Without JavaScript: the pictures for one field's search, to choose from; nothing saved.
        field = action[5:][:40]
        found = _pictures(request.form.get(f"{field}-find", ""))
        return _editor(doc, notes, row, finding={field: found}, boxes=boxes, revision=revision)
    long = authoring.long_boxes(request.form, doc, boxes)
    if long:  # given back whole, each marked, to shorten: nothing is cut short or saved
        problems = list(long.values())
        given = {"problems": problems, "long": long, "boxes": boxes, "revision": revision}
        return _editor(doc, notes, row, **given), 400
    db = get_session()
    try:
        cleaned = authoring.typed_notes(notes)
        if row is None:
            row = authoring.create(db, _me(), doc, cleaned, now=utcnow(), boxes=boxes)
        elif as_copy:
            row = authoring.copy_changed(db, _me(), row, doc, cleaned, now=utcnow(), boxes=boxes)
        else:
            authoring.update(
                db,
                _me(),
                row,
                doc,
                cleaned,
                now=utcnow(),
                observed=_observed(),
                boxes=boxes,
                revision=revision,
            )
    except LessonProblems as problems:
        db.rollback()  # the editor drawn again must not show half the refused change
        marked = problems.fields
        page = _editor(
            doc,
            notes,
            row,
            problems=problems.reasons,
            marked=marked,
            links=problems.links,
            boxes=boxes,
            revision=revision,
        )
        return page, 400
    except Stale as stale:
        db.rollback()
        # Given back at the revision saved now: Save again replaces theirs, knowingly.
        return _editor(doc, notes, row, problems=[stale.message], boxes=boxes, stale=True), 409
    except Refused as refused:
        db.rollback()  # as above
        return _editor(doc, notes, row, problems=[refused.message], boxes=boxes), 409
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
    row = _editable(lesson_id, to_save=request.method == "POST")
    if request.method == "GET":
        return _editor(authoring.document_of(row), authoring.notes_for_editing(row), row)
    return _save(row)


@bp.post("/<int:lesson_id>/save-copy")
@allow("author_lessons")
def save_copy(lesson_id: int) -> ResponseReturnValue:
    """The editor's changes to a lesson that can no longer change (`authoring.locked`), saved
    as a new draft of one's own: nothing typed is lost, and the lesson stays as it is."""
    return _save(_visible(lesson_id), as_copy=True)


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
        locked=_locked(row),
        author=db.get(Account, row.author_id),
        withdrawn=authoring.withdrawal(db, row),
    )


def _change(lesson_id: int, change: str) -> ResponseReturnValue:
    db = get_session()
    try:
        if change == "share":
            row = _editable(lesson_id)
            authoring.share(db, _me(), row, now=utcnow())
        else:
            row = authoring.copy(db, _me(), _visible(lesson_id), now=utcnow())
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


@bp.route("/<int:lesson_id>/delete", methods=["GET", "POST"])
@allow("author_lessons")
def delete(lesson_id: int) -> ResponseReturnValue:
    """Delete a draft: asked first (a GET writes nothing), then done by the POST, audited."""
    row = _editable(lesson_id)
    if request.method == "GET":
        if row.status is not LessonStatus.DRAFT:
            return redirect(url_for("authoring.show", lesson_id=row.id))
        return render_template("authoring/delete.html", row=row)
    try:
        authoring.delete_draft(get_session(), _me(), row, _observed())
    except Refused as refused:  # a 4xx: the request's unit of work rolls back
        return render_template("authoring/problem.html", message=refused.message), 409
    return redirect(url_for("authoring.index", deleted=1))


@bp.route("/<int:lesson_id>/withdraw", methods=["GET", "POST"])
@allow("author_lessons")
def withdraw(lesson_id: int) -> ResponseReturnValue:
    """Withdraw a shared lesson: the GET says what will happen (and writes nothing); the POST
    takes it off every map and target, audited, keeping every record on it (read locked, so
    two at one instant take turns and the second is told it is withdrawn already)."""
    row, db = _editable(lesson_id, to_save=request.method == "POST"), get_session()
    if request.method == "GET":
        if row.status is LessonStatus.WITHDRAWN:
            message = authoring.ALREADY_WITHDRAWN
            return render_template("authoring/problem.html", message=message), 409
        if row.status is not LessonStatus.SHARED:
            return redirect(url_for("authoring.show", lesson_id=row.id))
        return render_template("authoring/withdraw.html", row=row, reach=authoring.reach(db, row))
    try:
        authoring.withdraw(db, _me(), row, now=utcnow())
    except Refused as refused:  # a 4xx: the request's unit of work rolls back
        return render_template("authoring/problem.html", message=refused.message), 409
    return redirect(url_for("authoring.show", lesson_id=row.id, withdrawn=1))


@bp.post("/<int:lesson_id>/copy")
@allow("author_lessons")
def copy(lesson_id: int) -> ResponseReturnValue:
    """Copy a lesson into a new draft of one's own."""
    return _change(lesson_id, "copy")


@bp.post("/files/<lesson_id>/copy")
@allow("author_lessons")
def copy_file(lesson_id: str) -> ResponseReturnValue:
    """Copy one of the school's lesson files into a draft, to change its steps or staff notes."""
    lessons = request_catalogue()
    if lesson_id not in lessons:
        abort(404)
    db = get_session()
    try:
        row = authoring.copy_file_lesson(db, _me(), lessons.get(lesson_id), now=utcnow())
    except Refused as refused:  # a 4xx: the request's unit of work rolls back
        return render_template("authoring/problem.html", message=refused.message), 409
    except LessonProblems as problems:
        return render_template("authoring/problem.html", message=problems.reasons[0]), 400
    return redirect(url_for("authoring.edit", lesson_id=row.id))


@bp.get("/symbols")
@allow("staff")
def symbols() -> ResponseReturnValue:
    """Text with its symbols, as an HTML fragment for the live preview (changes nothing)."""
    sent = request.args.get("text", "")
    text = sent[:MAX_PREVIEW]
    # The box's limit (its data-count-max), so the words past it are marked, not left out.
    limit = request.args.get("limit", type=whole_number)
    if limit is not None and not 0 < limit < MAX_PREVIEW:
        limit = None
    tokens, over = _within(_shown(text), limit or MAX_PREVIEW)
    return render_template(
        "authoring/_symbols.html",
        tokens=tokens,
        over=over,
        limit=limit,
        cut=len(sent) > MAX_PREVIEW,
        max_preview=MAX_PREVIEW,
        typed=authoring.typed_pictures(text),
    )


def _within(tokens: list[Token], limit: int) -> tuple[list[Token], list[Token]]:
    """The tokens that fit in `limit` characters, and the rest: from the word (or space) that
    the box's character count first says is too many."""
    used = 0
    for n, token in enumerate(tokens):
        used += len(token.text)
        if used > limit:
            return tokens[:n], tokens[n:]
    return tokens, []


def _pictures(search: str) -> list[Option]:
    """Pictures a lesson may use for a search: the word list's, then the school's own."""
    term = search.strip()[:MAX_SEARCH_LENGTH]
    if not term:
        return []
    key = normalise(term)
    school = pictures.school_pictures(get_session(), _me().school_id)
    own = [Option(p.code, p.label) for p in school if key in p.label]
    found = [*options_for(term, term), *own]
    # Only pictures the lesson rules accept (a picture file that exists), each once.
    usable = {o.code: o for o in found if svg_path(o.code) is not None}
    return list(usable.values())[:MAX_PICTURES]


def _picture_words(values: dict[str, str]) -> dict[str, str]:
    """The word each chosen picture stands for, so the editor shows words, not codes."""
    words = {}
    for name, code in values.items():
        if name.endswith("symbol") and code:
            words[code] = authoring.picture_word(code) or "chosen picture"
    return words


@bp.get("/pictures")
@allow("author_lessons")
def picture_search() -> ResponseReturnValue:
    """The symbol picker's results as an HTML fragment (changes nothing)."""
    field = request.args.get("field", "")[:40]
    return render_template(
        "authoring/_pictures.html", field=field, found=_pictures(request.args.get("q", ""))
    )


# --- Previewing any lesson as a pupil ----------------------------------------------------------


# A preview has no attempt; it shows one fixed shuffle, as the first attempt of a pupil would.
PREVIEW_SEED = 1


def _preview_step(lesson_id: str, pathway: str, number: int) -> tuple[Any, Step, int]:
    lesson = authoring.preview_lesson(get_session(), _me(), lesson_id[:64], request_catalogue())
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
        outcome = None if answer is None else kinds.judge(step, answer[:64], item, PREVIEW_SEED)
    except Invalid as problem:
        return None, item, problem.message
    if outcome and outcome.correct and not outcome.step_done:  # a sort item placed
        return None, min(item + 1, kinds.spec(step).items(step) - 1), None
    return outcome, item, None


def _next_number(step: Step, number: int, outcome: Outcome | None, chosen: str) -> int:
    """Where the preview's Next goes: where the pupil's would, so after a right answer that
    goes back ("More"), its earlier step; before an answer, or after a wrong one, the next."""
    done = outcome is not None and outcome.step_done
    return kinds.next_number(step, number, chosen if done else None)


@bp.get("/preview/<lesson_id>/<pathway>/<int:number>")
@allow("author_lessons")
def preview(lesson_id: str, pathway: str, number: int) -> ResponseReturnValue:
    """A lesson screen as a pupil on this pathway sees it; answers are judged, never recorded."""
    lesson, step, total = _preview_step(lesson_id, pathway, number)
    unit = kinds.spec(step)
    start = max(0, request.args.get("item", 0, type=whole_number) or 0)
    outcome, item, problem = _judged(step, min(start, max(unit.items(step) - 1, 0)))
    content_item, thing = kinds.shown_item(step, item, PREVIEW_SEED)
    chosen = request.args.get("answer", "")[:64]
    page = render_template(
        "authoring/preview.html",
        lesson=lesson,
        pathway=Pathway(pathway),
        step=step,
        unit=unit,
        number=number,
        total=total,
        item=item,
        cards=kinds.choice_cards(step, PREVIEW_SEED, content_item),
        thing=thing,
        outcome=outcome,
        chosen=chosen,
        next_number=_next_number(step, number, outcome, chosen),
        problem=problem,
        preview=True,
    )
    return page, 400 if problem else 200
