"""Assessment: fast recording on an iPad, progress pictures, and reports."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any, NamedTuple, TypeVar

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.assessment import derive, queries, services
from classroom.assessment.derive import states
from classroom.assessment.heatmap_cells import HeatRow, planned_columns, shown_row
from classroom.assessment.models import (
    CONTEXT_WORDS,
    ENGAGEMENT_AREAS,
    LEVEL_WORDS,
    SUPPORT_WORDS,
    Context,
    Level,
    Observation,
    ObservationShare,
    Support,
)
from classroom.audit.services import record
from classroom.db import get_session, utcnow
from classroom.errors import Invalid, too_long
from classroom.export import check_passphrase, encrypted_csv, safe_cell
from classroom.lessons import authoring, content, maps
from classroom.lessons.web import request_catalogue
from classroom.localtime import local_today as day_on_school_clock
from classroom.parents import services as parents_services
from classroom.parents import views as parents
from classroom.parents.forms import ExportForm
from classroom.policy import allow
from classroom.pupils.models import Pathway, Pupil, SchoolClass
from classroom.web import apply_form, current_actor, not_theirs, school_zone, whole_number
from classroom.web import school_today as local_today

bp = Blueprint("assessment", __name__, url_prefix="/assessment")
# The heatmap's filters, as (value, label) pairs: the key its kept filters are found by.
STRAND_CHOICES = tuple((s.value, s.value.replace("_", " ").capitalize()) for s in content.Strand)
PATHWAY_CHOICES = tuple((p.value, p.label) for p in Pathway)


def _pupil(pupil_id: int) -> Pupil:
    found = policy.visible_pupil(get_session(), current_actor(), pupil_id)
    if found is None or current_actor().is_parent:
        not_theirs()
    return found


def _class(class_id: int) -> SchoolClass:
    found = policy.visible_class(get_session(), current_actor(), class_id)
    if found is None:
        not_theirs()
    return found


T = TypeVar("T")


def _entry(
    form: Any, prefix: str = "", date_needed: bool = False, kept: date | None = None
) -> services.Entry:
    """An Entry from a form. Every box's problem is found at once, each with its own message
    (`services.Problems`, a 400): the form comes back with each marked, nothing retyped.
    With `date_needed`, a form without a date is refused rather than dated today. `kept`: the
    date of the observation corrected, which a correction may keep (`services.date_problem`)."""
    from_proposal = form.get(prefix + "from_proposal") == "y"
    problems: dict[str, str] = {}
    level = _taken(_level, form.get(prefix + "level", ""), problems)
    observed = _taken(
        lambda given: _observed_on(given, date_needed, kept), form.get(prefix + "observed_on", ""),
        problems,
    )  # fmt: skip
    context = _taken(lambda given: _context(given, from_proposal), form.get(prefix + "context", ""),
                     problems)  # fmt: skip
    support = _taken(_support, form.get(prefix + "support", ""), problems)
    if problems or level is None or observed is None or context is None:
        raise services.Problems(problems)
    return services.Entry(
        level=level,
        observed_on=observed,
        context=context,
        support=support,
        misconception=form.get(prefix + "misconception") == "y",
        note=form.get(prefix + "note", ""),
        engagement=form.getlist(prefix + "engagement"),
        from_proposal=from_proposal,
    )


def _taken(parse: Callable[[str], T], given: str, problems: dict[str, str]) -> T | None:
    """What one box says, or None with its problem noted (box name: message)."""
    try:
        return parse(given)
    except Invalid as problem:
        problems[problem.field or ""] = problem.message
        return None


def _level(given: str) -> int:
    level = int(given) if given.lstrip("-").isdigit() else None
    if level is None or services.level_problem(level):
        raise Invalid(services.LEVEL_PROBLEM, "level")
    return level


def _observed_on(given: str, needed: bool = False, kept: date | None = None) -> date:
    """The date observed: today if none is sent (unless `needed`); as the date box sends it
    (2026-12-04), or typed as the school writes dates (04/12/2026) where a browser shows a
    plain text box."""
    if not given.strip():
        if needed:
            raise Invalid("Date: choose the day these were seen.", "observed_on")
        return local_today()
    day = _day(given)
    if day is None:
        raise Invalid(
            f"Date: \u201c{given.strip()[:40]}\u201d is not a date. Choose the day in the date "
            f"box, or type it as day/month/year, for example {local_today():%d/%m/%Y}.",
            "observed_on",
        )
    problem = services.date_problem(day, local_today(), kept)
    if problem:
        raise Invalid(problem, "observed_on")
    return day


def _day(given: str | None) -> date | None:
    """A date as a form sends it, or None if it is not one."""
    text = (given or "").strip()
    parts = text.split("/")
    try:
        if len(parts) == 3 and all(part.isdigit() for part in parts):
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        return date.fromisoformat(text)
    except ValueError:
        return None


# The support box's own problem: shown on that box, not on the level's.
SUPPORT_PROBLEM = (
    "Support used: choose one from the list ("
    + ", ".join(SUPPORT_WORDS.values())
    + '), or "Not recorded".'
)


def _support(given: str) -> Support | None:
    """The support used; none chosen is "Not recorded" (the box is optional)."""
    if not given:
        return None
    try:
        return Support(given)
    except ValueError:
        raise Invalid(SUPPORT_PROBLEM, "support") from None


def _context(given: str, from_proposal: bool) -> Context:
    """Where it was seen: the person's own choice, never assumed (a level of Generalised rests on
    it). A proposal comes from the pupil's answers in a lesson, so it was seen there."""
    if from_proposal and not given:
        return Context.LESSON
    try:
        return Context(given)
    except ValueError:
        raise Invalid(
            "Choose where it was seen: in a lesson, in class, at home or in the community.",
            "context",
        ) from None


def _weeks() -> int:
    default = int(current_app.config.get("NEEDS_HELP_WEEKS", 6))
    return queries.needs_help_weeks(request.args.get("weeks", type=whole_number), default)


# --- The class: heatmap, fast recording, summary -------------------------------------------------


@bp.get("/classes/<int:class_id>")
@allow("view_pupils")
def class_view(class_id: int) -> ResponseReturnValue:
    """The class heatmap (pupils x objectives), filterable by strand and pathway."""
    school_class = _class(class_id)
    db = get_session()
    strand, pathway = request.args.get("strand") or None, request.args.get("pathway") or None
    if strand and strand not in {s.value for s in content.Strand}:
        abort(400)
    if pathway and pathway not in {p.value for p in Pathway}:
        abort(400)
    pupils = queries.class_pupils(db, school_class.id)
    today = local_today()
    lessons, rows, found, on_map, hidden = queries.class_plans(
        db, request_catalogue(), pupils, strand, pathway, _weeks(), today
    )
    record(db, current_actor(), "assessment.class_viewed", school_class)
    # A lesson for other ages, with nothing recorded, is said apart from "not assessed" (as the
    # summary does), and so is one not on the pupil's map, or hidden from it by a teacher: no
    # work of theirs is missing. Their age today is in the cells, so in the heatmap's key.
    heat = [
        HeatRow(
            p.id,
            p.first_name,
            p.last_name,
            p.pathway.label,
            shown_row(p.id, plan, found, p.age_on(today), on_map[p.id], hidden[p.id]),
        )
        for p, plan in rows
    ]
    kept = planned_columns(heat, len(lessons))
    return render_template(
        "assessment/class.html",
        school_class=school_class,
        heads=tuple((lessons[n].number, lessons[n].title.text) for n in kept),
        rows=tuple(row._replace(cells=tuple(row.cells[n] for n in kept)) for row in heat),
        strands=STRAND_CHOICES,
        pathways=PATHWAY_CHOICES,
        strand=strand,
        pathway=pathway,
        weeks=_weeks(),
        levels=tuple(LEVEL_WORDS.items()),
    )


@bp.route("/classes/<int:class_id>/record", methods=["GET", "POST"])
@allow("record_assessment")
def class_record(class_id: int) -> ResponseReturnValue:
    """Pick a lesson, tap pupils, tap a level: each is recorded against their own objective."""
    school_class = _class(class_id)
    db = get_session()
    pupils = [
        p
        for p in school_class.pupils
        if p.active and policy.can_record_assessment(db, current_actor(), p)
    ]
    lesson_id = request.values.get("lesson_id", "")
    if request.method == "GET":
        # The class's pupils by name, and what was just recorded for them.
        record(db, current_actor(), "assessment.class_record_viewed", school_class)
        return _record_page(school_class, pupils, lesson_id, saved=_recorded(db, pupils))
    chosen_ids = {int(v) for v in request.form.getlist("pupil_ids") if v.isdigit()}
    chosen = [p for p in pupils if p.id in chosen_ids]
    if chosen_ids - {p.id for p in chosen}:
        return _record_page(school_class, pupils, lesson_id, "Choose pupils from this class."), 400

    def refused(message: str | None) -> ResponseReturnValue:
        return _record_page(school_class, pupils, lesson_id, message), 400

    if chosen and _unanswered(request.form):
        return _date_question(school_class, chosen, lesson_id, unanswered=True), 400
    entry = _applied(lambda: _class_entry(request.form, chosen), refused, hide_refusal=False)
    if chosen and _left_from_an_earlier_day(request.form):
        return _date_question(school_class, chosen, lesson_id)
    rows = _applied(
        lambda: services.observe_class(
            db,
            current_actor(),
            chosen,
            lesson_id,
            entry,
            request_catalogue(),
            now=utcnow(),
            today=local_today(),
            withdrawn_on=_withdrawn_on(lesson_id),
        ),
        refused,
        hide_refusal=False,
    )
    db.flush()
    # Redirected, so that reloading the page cannot record the same observations again
    # (observations are append-only: a duplicate would count towards "maintained").
    recorded = ",".join(str(row.id) for row in rows)
    # The date goes with the page drawn again: the next pupils of a lesson recorded days later
    # are of that day too, not dated today unseen (the success message says which day).
    kept = None if entry.observed_on == local_today() else entry.observed_on.isoformat()
    # Where goes with it too: a fact of the session (in class, on a trip), not a judgement, so
    # the next pupils of that session are not asked it again; the level is never kept. The page
    # comes back at the form (#saved), the success message beside it, not at the page's top
    # with the level buttons below the screen: a TA recording pupil after pupil in a lesson.
    return redirect(
        url_for(
            "assessment.class_record",
            class_id=class_id,
            lesson_id=lesson_id,
            recorded=recorded,
            observed_on=kept,
            context=entry.context.value,
            _anchor="saved",
        ),
        303,
    )


NO_PUPIL = "Choose at least one pupil."
NO_LEVEL = "Level: tap a level, from 0 (Not yet) to 4 (Generalised), to record it."


def _class_entry(form: Any, chosen: list[Pupil]) -> services.Entry:
    """The class page's entry: its boxes' problems and no pupil ticked are said at once, each on
    its own box, so a teacher who got two things wrong puts both right in one go."""
    problems = {} if chosen else {"pupil_ids": NO_PUPIL}
    try:
        entry = _entry(form, date_needed=True)
    except services.Problems as found:
        problems |= found.by_field
        if "level" in problems and not form.get("level"):  # Enter pressed: no level tapped
            problems["level"] = NO_LEVEL
        raise services.Problems(problems) from None
    if problems:
        raise services.Problems(problems)
    return entry


# The class page says the day the page was drawn (`opened_on`) beside the date box.
def _left_from_an_earlier_day(form: Any) -> bool:
    """Whether the class page was opened on an earlier day than today and sent with its date
    left as it was: a page opened before midnight, or left open for days, would otherwise
    record that day's date unseen. A page from before the date box had the day it was opened
    as its date, hidden."""
    if form.get("date_confirmed") == "y":
        return False
    opened = _day(form.get("opened_on") or form.get("observed_on"))
    return opened is not None and opened < local_today() and _day(form.get("observed_on")) == opened


def _unanswered(form: Any) -> bool:
    """The question which day they were seen, sent without a day chosen."""
    return form.get("date_confirmed") == "y" and not form.get("observed_on")


def _date_question(
    school_class: SchoolClass, chosen: list[Pupil], lesson_id: str, unanswered: bool = False
) -> str:
    """Which day were these seen: the day the page was opened, or today? Neither is chosen for
    the teacher; everything else they sent goes with the answer."""
    form = request.form
    opened = _day(form.get("opened_on") or form.get("observed_on")) or local_today()
    level = form.get("level", "")
    return render_template(
        "assessment/record_date.html",
        school_class=school_class,
        names=", ".join(_name_in_class(p, list(school_class.pupils)) for p in chosen),
        pupil_ids=[p.id for p in chosen],
        lesson_id=lesson_id,
        level=level,
        level_words=_level_words(level),
        context=form.get("context", ""),
        opened=opened,
        today=local_today(),
        unanswered=unanswered,
    )


def _level_words(given: str) -> str:
    """A level as sent, in words ("" if it is not one)."""
    level = int(given) if given.isdigit() else None
    return "" if level is None or services.level_problem(level) else Level(level).words


class Saved(NamedTuple):
    """One sentence of what the class page says was just done, and the observations it names
    that may still be put right there and then, as (name, observation id)."""

    text: str
    put_right: tuple[tuple[str, int], ...] = ()


def _recorded(db: Session, pupils: list[Pupil]) -> list[Saved]:
    """ "Recorded Secure for Chloe, Amira.": the observations just recorded or corrected
    (`?recorded=` ids), or withdrawn (`?withdrawn=`), read back for this class's pupils only,
    so the address carries no names. Each one still in force can be put right from the
    message: a level tapped by mistake in a lesson is put right then, not hunted for later."""
    names = {p.id: _name_in_class(p, pupils) for p in pupils}
    taken_back = _ids("withdrawn")
    ids = _ids("recorded") + taken_back
    if not ids:
        return []
    rows = list(
        db.scalars(
            select(Observation)
            .where(Observation.id.in_(ids), Observation.pupil_id.in_(names))
            .order_by(Observation.id)
        )
    )
    # What each correction corrected was: "Corrected to Secure (it was Emerging)".
    was = select(Observation.id, Observation.level).where(
        Observation.id.in_([r.supersedes_id for r in rows if r.supersedes_id])
    )
    before: dict[int, int] = dict(db.execute(was).all())
    corrected = set(
        db.scalars(select(Observation.supersedes_id).where(Observation.supersedes_id.in_(ids)))
    )
    # Those recorded together are said together; a correction or a withdrawal on its own.
    shown: dict[tuple[str, int, date, int], list[Observation]] = {}
    for row in rows:
        # A withdrawal is said while it stands; what was recorded, unless withdrawn since.
        if row.withdrawn == (row.id in taken_back):
            kind = "withdrawn" if row.withdrawn else "corrected" if row.supersedes_id else ""
            key = (kind, row.level, row.observed_on, row.id if kind else 0)
            shown.setdefault(key, []).append(row)
    return [
        _saved(kind, level, day, group, names, before, corrected)
        for (kind, level, day, _one), group in shown.items()
    ]


def _ids(name: str) -> list[int]:
    return [int(v) for v in request.args.get(name, "").split(",")[:100] if v.isdigit()]


def _saved(
    kind: str,
    level: int,
    day: date,
    rows: list[Observation],
    names: dict[int, str],
    before: dict[int, int],
    corrected: set[int | None],
) -> Saved:
    """What the class page says of observations of one level and day, just recorded,
    corrected or withdrawn; those still in force offered to put right."""
    who = ", ".join(names[r.pupil_id] for r in rows)
    words, seen = Level(level).words, f"Date seen: {day:%A %d %B %Y}."
    put_right = tuple(
        (names[r.pupil_id], r.id) for r in rows if not r.withdrawn and r.id not in corrected
    )
    if kind == "withdrawn":
        text = (
            f"Withdrawn as recorded in error: {words} for {who}, seen {day:%A %d %B %Y}. "
            "It stays in the history and no longer counts."
        )
        return Saved(text)
    if kind == "corrected":
        was = Level(before[rows[0].supersedes_id or 0]).words
        return Saved(f"Corrected to {words} for {who} (it was {was}). {seen}", put_right)
    return Saved(f"Recorded {words} for {who}. {seen}", put_right)


def _name_in_class(pupil: Pupil, pupils: list[Pupil]) -> str:
    """A pupil's first name, or their full name where another pupil of the class shares it:
    "Recorded Secure for Amira" must say which Amira."""
    shared = sum(p.first_name == pupil.first_name for p in pupils) > 1
    return pupil.full_name if shared else pupil.first_name


def _withdrawal(lesson_id: str) -> authoring.Withdrawal | None:
    """When and by whom a withdrawn lesson of the catalogue was withdrawn; None otherwise."""
    lessons = request_catalogue()
    if lesson_id not in lessons or not lessons.get(lesson_id).withdrawn:
        return None
    return authoring.withdrawal_of(get_session(), lesson_id)


def _withdrawn_on(lesson_id: str, found: authoring.Withdrawal | None = None) -> date | None:
    """The day (on the school's clock) a withdrawn lesson was withdrawn (`found`, if looked up
    already); None for any other lesson."""
    found = found or _withdrawal(lesson_id)
    return None if found is None else day_on_school_clock(found.at, school_zone())


def _date_shown(given: Any, drawn_on: str, withdrawn_on: date | None) -> str:
    """The date box's value: as sent; else the day last recorded for, or today. A withdrawn
    lesson's box is left empty for the teacher to choose rather than hold a day it refuses."""
    if given:
        return str(given.get("observed_on", ""))
    shown = _kept_date() or drawn_on
    if withdrawn_on is not None and date.fromisoformat(shown) > withdrawn_on:
        return ""
    return shown


def _kept_date() -> str | None:
    """The date the page was last recorded for (`?observed_on=`), if it may still be given."""
    day = _day(request.args.get("observed_on"))
    if day is None or services.date_problem(day, local_today()):
        return None
    return day.isoformat()


def _kept_context() -> str | None:
    """Where the pupils last recorded were seen (`?context=`), if it is one: kept for the next
    pupils of the same session, said so beside the box."""
    given = request.args.get("context", "")
    return given if given in {str(value) for value in CONTEXT_WORDS} else None


def _record_page(
    school_class: SchoolClass,
    pupils: list[Pupil],
    lesson_id: str,
    error: str | None = None,
    saved: list[Saved] | None = None,
) -> str:
    lessons = request_catalogue()
    chosen = lessons.get(lesson_id) if lesson_id in lessons else None
    objectives = {
        p.id: services.pupil_objective(get_session(), p, lesson_id, lessons)[1].objective
        for p in (pupils if chosen else [])
    }
    # Not offered to tick: a pupil is never recorded on a lesson they may not be taught.
    not_for_age = {
        p.id for p in pupils if chosen and not services.for_age_on(p, chosen, local_today())
    }
    given = request.form if request.method == "POST" else None
    # A lesson a teacher hid on a pupil's map, or never put on it, may still be recorded (a
    # trip's evidence counts; it then shows on the heatmap): the page says so on that pupil,
    # and asks nothing more. A withdrawn lesson is on no map, and its note says so.
    hidden = queries.hidden_lessons(get_session(), [p.id for p in pupils]) if chosen else {}
    on_map = (
        queries.on_maps(lessons, maps.pathways_for(get_session(), pupils))
        if chosen and not chosen.withdrawn
        else {}
    )
    errors = {box: text for box, text in _problems().items() if box in RECORD_BOXES}
    drawn_on = local_today().isoformat()
    withdrawal = _withdrawal(lesson_id) if chosen else None
    withdrawn_on = _withdrawn_on(lesson_id, withdrawal) if withdrawal else None
    shown = _date_shown(given, drawn_on, withdrawn_on)
    # Who has been recorded on it that day already, said on each of them: going round the
    # class one pupil after another, the next one is the one not yet said so.
    day = _day(shown)
    done = (
        queries.session_levels(
            get_session(), {i: o.id for i, o in objectives.items()}, lesson_id, day
        )
        if chosen and day
        else {}
    )
    return render_template(
        "assessment/record.html",
        school_class=school_class,
        pupils=pupils,
        # A withdrawn lesson is taught no more: listed apart, for sessions taught before.
        lessons=[lesson for lesson in lessons if not lesson.withdrawn],
        withdrawn_lessons=[lesson for lesson in lessons if lesson.withdrawn],
        withdrawal=withdrawal,
        lesson_title=chosen.title.text if chosen else "",
        lesson_number=chosen.number if chosen else "",
        withdrawn_on=withdrawn_on,
        last_day=min(local_today(), withdrawn_on) if withdrawn_on else local_today(),
        lesson_id=lesson_id,
        objectives=objectives,
        not_for_age=not_for_age,
        hidden_for={p.id for p in pupils if lesson_id in hidden.get(p.id, ())},
        off_map_for={p.id for p in pupils if p.id in on_map and lesson_id not in on_map[p.id]},
        ages=chosen.ages_label if chosen else "",
        levels=LEVEL_WORDS,
        contexts=CONTEXT_WORDS,
        where=given.get("context", "") if given else _kept_context() or "",
        kept_where=not given and _kept_context() is not None,
        error=None if error in errors.values() else error,
        errors=errors,
        saved=saved,
        today=local_today(),
        # A refusal keeps what was chosen: the pupils ticked, where and the date, and the day
        # the page was first opened (so a date left as it was is still asked about).
        given=given,
        observed_on=shown,
        done=done,
        done_on=day,
        kept_date=not given and shown == _kept_date(),
        opened_on=(given and (given.get("opened_on") or given.get("observed_on"))) or drawn_on,
    )


@bp.get("/classes/<int:class_id>/summary")
@allow("view_pupils")
def class_summary(class_id: int) -> ResponseReturnValue:
    """For the teacher: how many pupils are at each level of each lesson's objective, and who
    has a misconception on record (a safety skill: named, to follow up)."""
    school_class = _class(class_id)
    db = get_session()
    lessons, rows, found, on_map, hidden = queries.class_plans(
        db,
        request_catalogue(),
        queries.class_pupils(db, school_class.id),
        None,
        None,
        _weeks(),
        local_today(),
    )
    # Levels 0-4 on the pathway now planned, then "only on an earlier pathway", "not assessed".
    # Pupils with nothing recorded in a lesson for other ages (lesson 27 is for 18 and 19) are
    # said apart (`other_ages`), and so are those without it on their map (`off_map`: lesson 15
    # where no teacher put it), and those a teacher hid it from (`kept_off`: not planned now):
    # no work of theirs is missing. A lesson every pupil has off their map or hidden, with
    # nothing recorded, is left out, as the heatmap leaves out its column.
    counts = {lesson.id: [0] * 7 for lesson in lessons}
    other_ages = {lesson.id: 0 for lesson in lessons}
    off_map = {lesson.id: 0 for lesson in lessons}
    kept_off = {lesson.id: 0 for lesson in lessons}
    unsafe: dict[str, list[tuple[queries.ClassPupil, str]]] = {lesson.id: [] for lesson in lessons}
    today = local_today()
    for pupil, plan in rows:
        age = pupil.age_on(today)
        for lesson, objective, _pathway in plan:
            seen = queries.evidence(pupil.id, lesson, objective, found)
            if seen is None:
                if not lesson.for_age(age):
                    other_ages[lesson.id] += 1
                elif not lesson.withdrawn and lesson.id not in on_map[pupil.id]:
                    off_map[lesson.id] += 1
                elif not lesson.withdrawn and lesson.id in hidden[pupil.id]:
                    kept_off[lesson.id] += 1
                else:
                    counts[lesson.id][6] += 1
                continue
            counts[lesson.id][5 if seen.earlier else seen.state.current] += 1
            if seen.state.misconception:
                unsafe[lesson.id].append((pupil, seen.objective_id))
    record(db, current_actor(), "assessment.class_summary_viewed", school_class)
    planned = [
        lesson for lesson in lessons if off_map[lesson.id] + kept_off[lesson.id] < len(rows)
    ]
    return render_template(
        "assessment/class_summary.html",
        school_class=school_class,
        lessons=planned,
        counts=counts,
        other_ages=other_ages,
        off_map=off_map,
        kept_off=kept_off,
        unsafe=unsafe,
        levels=LEVEL_WORDS,
    )


# --- One pupil ------------------------------------------------------------------------------


def _progress_cells(db: Session, pupil: Pupil, today: date) -> list[queries.Cell]:
    """The pupil's objectives: their map's lessons, hidden ones too, then any lesson no longer
    on it that they were assessed on (taken off the class map, what was recorded still shows
    on their progress page and report, marked `on_map=False`); hidden ones are marked
    `hidden=True`. Each carries what was recorded on the lesson's other pathways
    (`Cell.earlier`): a pupil moved to another pathway keeps their evidence."""
    found = states(queries.observations_for(db, [pupil.id]), today, _weeks())
    lessons = request_catalogue()
    planned = maps.pupil_map(db, pupil, lessons, include_hidden=True, today=today)
    shown = [p.lesson for p in planned]
    on_map = {lesson.id for lesson in shown}
    hidden = {p.lesson.id for p in planned if p.hidden}
    assessed = {objective_id.rsplit(".", 1)[0] for _pupil, objective_id in found}
    shown += [lessons.get(i) for i in sorted(assessed - on_map) if i in lessons]
    cells = queries.pupil_row(db, pupil, shown, found, with_earlier=True)
    return [c._replace(on_map=c.lesson.id in on_map, hidden=c.lesson.id in hidden) for c in cells]


@bp.get("/pupils/<int:pupil_id>")
@allow("view_pupils")
def pupil_view(pupil_id: int) -> ResponseReturnValue:
    """A pupil's lesson map coloured by current level, with proposals from their answers."""
    pupil = _pupil(pupil_id)
    db = get_session()
    today = local_today()
    cells = _progress_cells(db, pupil, today)
    # Answers are recorded at the pathway the lesson is taught on (`Cell.taught`), which is
    # not the objective's where the lesson has no version for it.
    proposals = services.proposals(
        db,
        pupil,
        [(c.lesson.id, Pathway((c.taught or c.pathway).value), c.objective.id) for c in cells],
        zone=school_zone(),
    )
    record(db, current_actor(), "assessment.pupil_viewed", pupil)
    return render_template(
        "assessment/pupil.html",
        pupil=pupil,
        cells=cells,
        proposals=proposals,
        **_observation_choices(),
        areas=ENGAGEMENT_AREAS,
        can_record=policy.can_record_assessment(db, current_actor(), pupil),
        age=pupil.age_on(today),
        weeks=_weeks(),
    )


@bp.post("/pupils/<int:pupil_id>/observations")
@allow("record_assessment")
def pupil_record(pupil_id: int) -> ResponseReturnValue:
    """Record one observation, or confirm or change a proposal (always a person's choice)."""
    pupil = _pupil(pupil_id)
    db = get_session()
    objective_id = request.form.get("objective_id", "")[:80]

    def change() -> Observation:
        entry = _entry(request.form)
        if entry.from_proposal:  # dated and placed from the answers, not from the form
            return services.confirm_proposal(
                db, current_actor(), pupil, objective_id, entry, request_catalogue(),
                now=utcnow(), today=local_today(), zone=school_zone(),
            )  # fmt: skip
        return services.observe(
            db, current_actor(), pupil, objective_id, entry, request_catalogue(),
            now=utcnow(), today=local_today(),
            withdrawn_on=_withdrawn_on(objective_id.rsplit(".", 1)[0]),
        )  # fmt: skip

    made = _applied(change, lambda message: _problem_page(pupil, message, objective_id))
    return redirect(_objective_saying(pupil, objective_id, made))


def _just_saved(rows: list[Observation], saved: str) -> str:
    """What the objective's page says of the observation `saved` names, if it is one of this
    page's, as the class page says it: "Recorded Secure." or "Corrected to Secure (it was
    Emerging).", with the date seen. Else only "Recorded." (an address kept from before)."""
    by_id = {row.id: row for row in rows}
    made = by_id.get(int(saved)) if saved.isdigit() and len(saved) < 12 else None
    if made is None:
        return "Recorded."
    seen = f"Date seen: {made.observed_on:%A %d %B %Y}."
    was = by_id.get(made.supersedes_id) if made.supersedes_id else None
    if was is not None:
        return f"Corrected to {Level(made.level).words} (it was {Level(was.level).words}). {seen}"
    return f"Recorded {Level(made.level).words}. {seen}"


def _objective_saying(pupil: Pupil, objective_id: str, made: Observation) -> str:
    """The objective's page, saying what was just recorded or corrected (`_just_saved`) in a
    note that takes the focus: the form was at the page's foot, the note is near its top."""
    return url_for(
        "assessment.objective", pupil_id=pupil.id, objective_id=objective_id, saved=made.id,
        _anchor="saved",
    )  # fmt: skip


@bp.get("/pupils/<int:pupil_id>/objectives/<objective_id>")
@allow("view_pupils")
def objective(pupil_id: int, objective_id: str) -> ResponseReturnValue:
    """A timeline of one objective for one pupil, and every observation (superseded kept)."""
    pupil = _pupil(pupil_id)
    lesson_id = objective_id.rsplit(".", 1)[0]
    if lesson_id not in request_catalogue():
        abort(404)
    try:
        lesson, version = request_catalogue().objective(objective_id)
    except KeyError:
        abort(404)
    db = get_session()
    rows = queries.history(db, pupil, objective_id)
    shared = set(
        db.scalars(
            select(ObservationShare.observation_id).where(
                ObservationShare.observation_id.in_([r.id for r in rows])
            )
        )
    )
    live = queries.timeline(rows)
    # Where the pupil is with it, as the progress page, report and heatmap say (derive.state):
    # a reviewer reading one objective needs the level it adds up to, not only the history.
    now = derive.state(live, local_today(), _weeks()) if live else None
    # An objective of another pathway than the one the lesson is taught on now (the earlier
    # evidence the progress page links to) is shown, but recorded against no more: the
    # service refuses it, so no form offers it.
    taught_now = services.pupil_objective(db, pupil, lesson_id, request_catalogue())[1]
    # The Engagement Model boxes as the service accepts them: by the pathway the pupil is
    # taught the lesson on, not the version shown (which may be the nearest one written).
    em = services.engagement_model_for(db, pupil, lesson_id, request_catalogue())
    may_record = policy.can_record_assessment(db, current_actor(), pupil)
    taught = taught_now.objective.id == objective_id
    # A lesson for other ages (lesson 15 is for 14 to 19) is not recorded on: the service
    # refuses it (by the day observed), so no form offers it.
    of_age = services.for_age_on(pupil, lesson, local_today())
    fixable = not live or services.for_age_on(pupil, lesson, live[-1].observed_on)
    record(db, current_actor(), "assessment.objective_viewed", pupil, objective_id)
    return render_template(
        "assessment/objective.html",
        pupil=pupil,
        just_saved=_just_saved(rows, request.args.get("saved", "")),
        lesson=lesson,
        version=version,
        rows=rows,
        live=live,
        now=now,
        # The latest session's observations, when there are several: one session, whose
        # lowest level is the current one (derive.current_level), whatever order they were
        # typed in.
        same_day=[o for o in live if o.observed_on == live[-1].observed_on] if live else [],
        shared=shared,
        shareable={r.id for r in live if services.positive(r)} - shared,
        **_observation_choices(),
        areas=ENGAGEMENT_AREAS if em else None,
        can_record=taught and may_record and of_age,
        # An earlier pathway's objective: where new observations of the lesson go now.
        taught_now=None if taught else taught_now,
        not_for_age="" if of_age else lesson.ages_label,
        # What was recorded on an earlier pathway is corrected there: a wrong level stays
        # wrong otherwise (its Engagement Model boxes are that pathway's).
        can_correct=may_record and fixable,
        # Every other observation in force is corrected on its own page (a level mistyped
        # weeks ago changes "maintained" as much as the latest does).
        correctable={
            o.id
            for o in live[:-1]
            if may_record and services.for_age_on(pupil, lesson, o.observed_on)
        },
        fix_areas=ENGAGEMENT_AREAS if (em if taught else _pre_formal(live)) else None,
        can_share=policy.can_share_with_carers(db, current_actor(), pupil),
        # Any observation in force may be withdrawn as recorded in error, one no correction
        # may put right (a lesson for other ages on the day) included.
        can_withdraw=may_record,
        unfixable_age=None if fixable else pupil.age_on(live[-1].observed_on),
        # The latest went home as a learning moment: correcting it shows carers it corrected.
        went_home=services.went_home(db, live[-1]) if live else None,
    )


def _pre_formal(live: list[Observation]) -> bool:
    """Whether the latest observation in force was of a pre-formal objective."""
    return bool(live) and live[-1].pathway is Pathway.PRE_FORMAL


def _observation(observation_id: int) -> tuple[Observation, Pupil]:
    row = get_session().get(Observation, observation_id)
    if row is None:
        abort(404)
    return row, _pupil(row.pupil_id)


@bp.route("/observations/<int:observation_id>/correct", methods=["GET", "POST"])
@allow("record_assessment")
def correct(observation_id: int) -> ResponseReturnValue:
    """A correction: a new observation supersedes this one; the old one stays on record. The
    objective's page corrects its latest observation in place; the form (GET) corrects any
    other in force (a level mistyped weeks ago), starting as it, and writes nothing."""
    old, pupil = _observation(observation_id)
    db = get_session()
    if request.method == "GET":
        if not policy.can_record_assessment(db, current_actor(), pupil):
            abort(404)
        record(db, current_actor(), "assessment.correct_form_viewed", pupil, old.objective_id)
        return _correct_page(old, pupil)
    new = _applied(
        lambda: services.correct(
            db,
            current_actor(),
            old,
            _entry(request.form, kept=old.observed_on),
            request_catalogue(),
            now=utcnow(),
            today=local_today(),
        ),
        lambda message: _problem_page(pupil, message, old.objective_id, correcting=True),
    )
    return redirect(
        _back_to_recording(pupil, new, recorded=new.id)
        or _objective_saying(pupil, old.objective_id, new)
    )


@bp.route("/observations/<int:observation_id>/withdraw", methods=["GET", "POST"])
@allow("record_assessment")
def withdraw(observation_id: int) -> ResponseReturnValue:
    """Withdraw an observation as recorded in error, saying why: it stays in the history,
    marked, and stops counting. The form (GET) shows what is withdrawn and writes nothing."""
    old, pupil = _observation(observation_id)
    db = get_session()
    if not policy.can_record_assessment(db, current_actor(), pupil):
        abort(404)
    if request.method == "GET":
        record(db, current_actor(), "assessment.withdraw_form_viewed", pupil, old.objective_id)
        return _withdraw_page(old, pupil)
    _applied(
        lambda: services.withdraw(
            db, current_actor(), old, request.form.get("reason", ""), now=utcnow()
        ),
        lambda message: (_withdraw_page(old, pupil, message), 400),
    )
    return redirect(
        _back_to_recording(pupil, old, withdrawn=old.id)
        or url_for(
            "assessment.objective", pupil_id=pupil.id, objective_id=old.objective_id, withdrawn=1
        )
    )


def _back_to_recording(pupil: Pupil, row: Observation, **done: Any) -> str | None:
    """The class page a correction or withdrawal was asked for from (`back=record`: "Put
    right" in its message, in a lesson), with the session's lesson, where and day kept and
    what was done said there (`done`); None when it was asked for from anywhere else. Built
    here from the observation, never taken from the address."""
    if request.values.get("back") != "record":
        return None
    kept = None if row.observed_on == local_today() else row.observed_on.isoformat()
    return url_for(
        "assessment.class_record",
        class_id=pupil.class_id,
        lesson_id=row.lesson_id,
        context=Context(row.context).value,
        observed_on=kept,
        _anchor="saved",
        **done,
    )


@bp.route("/observations/<int:observation_id>/put-back", methods=["GET", "POST"])
@allow("record_assessment")
def put_back(observation_id: int) -> ResponseReturnValue:
    """Put back an observation withdrawn by mistake, saying why: it counts again, and the
    withdrawal stays in the history, noted. The page (GET) shows what will count again and
    writes nothing but the audit of the view."""
    old, pupil = _observation(observation_id)
    db = get_session()
    if not policy.can_record_assessment(db, current_actor(), pupil):
        abort(404)
    if request.method == "GET":
        record(db, current_actor(), "assessment.put_back_form_viewed", pupil, old.objective_id)
        return _put_back_page(old, pupil)
    _applied(
        lambda: services.put_back(
            db, current_actor(), old, request.form.get("reason", ""), request_catalogue(),
            now=utcnow(),
        ),  # fmt: skip
        lambda message: (_put_back_page(old, pupil, message), 400),
    )
    return redirect(
        url_for(
            "assessment.objective", pupil_id=pupil.id, objective_id=old.objective_id, put_back=1
        )
    )


def _correct_page(old: Observation, pupil: Pupil) -> str:
    """The correction form for one observation, with what it corrects; or, if it no longer
    counts (corrected or withdrawn), what to do instead."""
    db = get_session()
    newer = select(Observation.id).where(Observation.supersedes_id == old.id)
    lesson_id = old.objective_id.rsplit(".", 1)[0]
    lesson = request_catalogue().get(lesson_id) if lesson_id in request_catalogue() else None
    return render_template(
        "assessment/correct.html",
        in_force=not old.withdrawn and db.scalar(newer) is None,
        # A level recorded when the pupil was not of the lesson's ages is withdrawn, not
        # corrected: the service refuses any level on it (see `objective`).
        fixable=lesson is None or services.for_age_on(pupil, lesson, old.observed_on),
        fix_areas=(
            ENGAGEMENT_AREAS
            if lesson and services.takes_engagement(db, pupil, old, request_catalogue())
            else None
        ),
        **_reason_page(old, pupil, None),
    )


def _put_back_page(old: Observation, pupil: Pupil, error: str | None = None) -> str:
    """The form to put a withdrawn observation back, with what will count again."""
    return render_template(
        "assessment/put_back.html",
        # Said before a reason is typed: such an observation may never count again.
        not_for_age=services.not_for_age(pupil, old, request_catalogue()),
        **_reason_page(old, pupil, error),
    )


def _reason_page(old: Observation, pupil: Pupil, error: str | None) -> dict[str, Any]:
    """What the withdraw and put-back pages show: the observation, its objective, whether it
    went home to carers (a withdrawal or put-back changes what they see), and the reason box
    (a refusal keeps what was typed)."""
    try:
        lesson, version = request_catalogue().objective(old.objective_id)
    except KeyError:  # a teacher's lesson since deleted: its id is all there is to show
        lesson, version = None, None
    return {
        "pupil": pupil,
        "observation": old,
        "lesson_title": lesson.title.text if lesson else "",
        "objective": version.objective if version else None,
        "went_home": services.went_home(get_session(), old),
        "error": error,
        "reason_error": _problems().get("reason"),
        "reason": request.form.get("reason", ""),
        "reason_max": services.MAX_REASON,
        # Asked for from the class page's message: back there, as it was left.
        "back_to": _back_to_recording(pupil, old, recorded=old.id),
    } | _observation_choices()


def _withdraw_page(old: Observation, pupil: Pupil, error: str | None = None) -> str:
    """The withdrawal form, with the observation it withdraws; a refusal keeps the reason."""
    newer = select(Observation.id).where(Observation.supersedes_id == old.id)
    return render_template(
        "assessment/withdraw.html",
        in_force=not old.withdrawn and get_session().scalar(newer) is None,
        **_reason_page(old, pupil, error),
    )


def _observation_choices() -> dict[str, Any]:
    """What the observation form (assessment/_observation_form.html) offers, on every page
    that shows it."""
    return {
        "levels": LEVEL_WORDS,
        "supports": SUPPORT_WORDS,
        "contexts": CONTEXT_WORDS,
        "today": local_today(),
        "note_max": services.MAX_NOTE,
    }


# The observation form's boxes (assessment/_observation_form.html): a problem with one of them
# is shown on it; any other (the lesson, the objective) is the page's.
BOXES = ("level", "support", "context", "observed_on", "engagement", "note")
# The class record page's boxes, in the order the page shows them (its error summary's order).
RECORD_BOXES = ("pupil_ids", "context", "observed_on", "level")


def _applied(
    change: Callable[[], T],
    page: Callable[[str | None], ResponseReturnValue],
    hide_refusal: bool = True,
) -> T:
    """`apply_form`, keeping each box's problem for the page drawn again (`_problems`)."""

    def noted() -> T:
        try:
            return change()
        except services.Problems as problems:
            g.assessment_problems = problems.by_field
            raise
        except Invalid as problem:
            g.assessment_problems = {problem.field or "": problem.message}
            raise

    return apply_form(noted, page, hide_refusal=hide_refusal)


def _problems() -> dict[str, str]:
    """The problems of the form just refused, box name: message (see `_applied`)."""
    found: dict[str, str] = g.get("assessment_problems", {})
    return found


def _problem_page(
    pupil: Pupil, message: str | None, objective_id: str, correcting: bool = False
) -> ResponseReturnValue:
    """The refusal, with the observation as it was sent to put right: the note is not lost,
    however long (a note over its limit is marked, and its message leads to it). A level
    chosen from answers is not offered again here: the date and place come from the answers,
    and answers already recorded have nothing to put right. Nor is a lesson the pupil is not
    of an age for: there is nothing to put right either."""
    # Boxes ticked are shown again, ticked (nothing sent is lost), as are the boxes the
    # service accepts for this pupil and lesson.
    pre_formal = bool(request.form.getlist("engagement")) or _engagement_model_for(pupil)
    errors = {box: text for box, text in _problems().items() if box in BOXES}
    note = request.form.get("note", "")
    if len(note) > services.MAX_NOTE:  # said even where another box's problem came first
        errors["note"] = too_long("Note", services.MAX_NOTE, note)
    # A level from answers is all such a form sends: chosen again on the progress page.
    again = request.form.get("from_proposal") != "y" and (
        correcting or _for_their_age(pupil, objective_id)
    )
    general = None if errors and message in errors.values() else message
    recording, general = (
        (None, general) if correcting or not again else _taught_now(pupil, objective_id, general)
    )
    return render_template(
        "assessment/problem.html",
        pupil=pupil,
        message=general,
        errors=errors,
        note_error=errors.get("note"),
        support_error=errors.get("support"),
        again=again,
        recording=recording,
        **_observation_choices(),
        areas=ENGAGEMENT_AREAS if pre_formal else None,
    ), 400


def _for_their_age(pupil: Pupil, objective_id: str) -> bool:
    """Whether the pupil is of an age for the objective's lesson today (or it is unknown)."""
    lesson_id = objective_id.rsplit(".", 1)[0]
    if lesson_id not in request_catalogue():
        return True
    return services.for_age_on(pupil, request_catalogue().get(lesson_id), local_today())


def _taught_now(
    pupil: Pupil, objective_id: str, message: str | None
) -> tuple[content.Version | None, str | None]:
    """The objective a form drawn again records against, and its message. If the pupil's
    pathway for the lesson changed while the form was open, it is the one they are taught
    now, and the message says so: sending the old one again would only be refused again."""
    lesson_id = objective_id.rsplit(".", 1)[0]
    if lesson_id not in request_catalogue():
        return None, message
    lesson, version = services.pupil_objective(get_session(), pupil, lesson_id, request_catalogue())
    if version.objective.id == objective_id:
        return version, message
    if message == services.not_taught_on(pupil, lesson, version):
        message = (
            f"{pupil.first_name}'s pathway for '{lesson.title.text}' changed while this form was "
            "open."
        )
    pathway = version.pathway.value.replace("_", "-")
    moved = (
        f"The form below now records against the objective {pupil.first_name} is "
        f"taught now ({pathway}): \u201c{version.objective.text}\u201d. Everything else is as "
        "you left it: check the level still fits, then record."
    )
    return version, f"{message} {moved}" if message else moved


def _engagement_model_for(pupil: Pupil) -> bool:
    """Whether the service takes Engagement Model notes for the objective this form sent."""
    lesson_id = request.form.get("objective_id", "").rsplit(".", 1)[0]
    if lesson_id not in request_catalogue():
        return False
    return services.engagement_model_for(get_session(), pupil, lesson_id, request_catalogue())


@bp.route("/observations/<int:observation_id>/share", methods=["GET", "POST"])
@allow("share_with_carers")
def share(observation_id: int) -> ResponseReturnValue:
    """Share an observation home as a learning moment, through the share form filled from it:
    a person reads and sends what goes home, and the observation's own note stays in school.
    "Not yet", misconceptions and corrected observations are not shared (not found)."""
    row, pupil = _observation(observation_id)
    db = get_session()
    if not policy.can_share_with_carers(db, current_actor(), pupil):
        abort(404)
    if not services.shareable(db, row):
        abort(404)
    form = parents.moment_form(
        pupil, submitted=request.method == "POST", start=(row.objective_id, row.level)
    )
    if not form.validate_on_submit():
        parents.share_form_viewed(pupil, form)
        return parents.share_page(pupil, form, 400 if form.errors else 200, source=row)
    apply_form(
        lambda: _share_observation(db, row, pupil, form),
        lambda _message: parents.share_page(pupil, form, 400, source=row),
        form,
        field="note",
        validated=True,
    )
    return redirect(
        url_for("assessment.objective", pupil_id=pupil.id, objective_id=row.objective_id, shared=1)
    )


def _share_observation(db: Session, row: Observation, pupil: Pupil, form: Any) -> None:
    # A repeat of this form (a double tap) sends nothing twice; another form sharing the same
    # observation (a second tab) is refused, so one observation goes home once.
    if not parents_services.made_with_key(db, form.key.data):
        if not services.mark_shared(db, current_actor(), row, now=utcnow()):
            raise Invalid("That observation has already been shared home.", "note")
        record(db, current_actor(), "observation.shared_home", pupil, row.objective_id)
    parents.share_moment(db, pupil, form, observation_id=row.id)


@bp.get("/pupils/<int:pupil_id>/report")
@allow("view_pupils")
def report(pupil_id: int) -> ResponseReturnValue:
    """The e-safety progress summary for annual reviews, print-friendly."""
    pupil = _pupil(pupil_id)
    if request.args.get("format") == "csv":
        # The spreadsheet leaves the school only encrypted (PRODUCT.md section 6): an old link
        # or bookmark is sent to the form that makes the encrypted file, and reads nothing.
        return redirect(url_for("assessment.export", pupil_id=pupil.id))
    db = get_session()
    today = local_today()
    cells = _progress_cells(db, pupil, today)
    notes = queries.engagement_notes(db, pupil.id)
    record(db, current_actor(), "assessment.report_viewed", pupil)
    return render_template(
        "assessment/report.html",
        pupil=pupil,
        cells=cells,
        levels=LEVEL_WORDS,
        today=local_today(),
        engagement=_engagement_rows(cells, notes),
    )


class EngagementRow(NamedTuple):
    """One objective's Engagement Model notes, as the printed summary lists them."""

    lesson: content.Lesson
    objective: content.Objective
    pathway: content.Pathway
    earlier: bool  # recorded on the pathway the lesson was taught on before
    notes: list[tuple[date, str]]  # (day seen, the areas noted), oldest first


def _engagement_rows(
    cells: list[queries.Cell], notes: dict[str, list[tuple[date, str]]]
) -> list[EngagementRow]:
    """The Engagement Model notes of the summary's objectives, in its order: a pre-formal
    pupil's review shows them beside the levels, as the observation pages do (PRODUCT.md
    section 3); a pupil moved on from pre-formal keeps those of the earlier pathway."""
    rows = []
    for c in cells:
        shown = [] if c.earlier_only else [(c.objective, c.pathway, False)]
        shown += [(e.objective, e.pathway, True) for e in c.earlier]
        rows += [
            EngagementRow(c.lesson, objective, pathway, before, notes[objective.id])
            for objective, pathway, before in shown
            if objective.id in notes
        ]
    return rows


@bp.route("/pupils/<int:pupil_id>/export", methods=["GET", "POST"])
@allow("view_pupils")
def export(pupil_id: int) -> ResponseReturnValue:
    """The progress summary as a spreadsheet inside an AES-256 zip, with a passphrase the member
    of staff chooses, as the school's other exports of personal data (PRODUCT.md section 6).
    Asking for the form writes nothing; the download is a POST, and audited."""
    pupil = _pupil(pupil_id)
    form = ExportForm()
    if not form.validate_on_submit():
        page = render_template("assessment/export.html", pupil=pupil, form=form)
        return page, 400 if form.errors else 200
    db = get_session()
    today = local_today()
    data = apply_form(
        lambda: _encrypted_progress(db, pupil, form.passphrase.data, today),
        lambda _message: (
            render_template("assessment/export.html", pupil=pupil, form=form),
            400,
        ),
        form,
        field="passphrase",
        validated=True,
    )
    record(db, current_actor(), "assessment.report_exported", pupil, "AES-256 zip")
    # Zip entry names are not encrypted, so neither name says who the pupil is.
    return send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"e-safety-progress-{pupil.id}-{today:%Y-%m-%d}.zip",
    )


def _encrypted_progress(db: Session, pupil: Pupil, passphrase: str, today: date) -> bytes:
    check_passphrase(passphrase)  # before reading a single observation
    cells = _progress_cells(db, pupil, today)
    name = f"e-safety-progress-{pupil.id}-{today:%Y%m%d}.csv"
    notes = queries.engagement_notes(db, pupil.id)
    return encrypted_csv(progress_rows(pupil, cells, notes), name, passphrase)


# One state, one wording, on every page and in the export: the report's, the pupil's page, the
# key, the class summary and the school page (a parent reading two side by side reads one state).
# "Not assessed on this pathway yet" (an earlier pathway's level only) is another state.
NOT_ASSESSED_WORDS = "Not assessed yet"

PROGRESS_HEADER = [
    "pupil",
    "lesson",
    "strands",
    "pathway",
    "objective",
    "current level",
    "maintained",
    "last assessed",
    # Corrected observations are kept on record but not counted: the count is of those in force.
    "observations in force (corrected ones not counted)",
    "misconception",
    "earlier pathway",
    "engagement model notes",  # pre-formal: the areas noted, by day (notes, not scores)
    "on the map now",  # as the report marks each lesson (`_on_the_map`)
]


def _on_the_map(cell: queries.Cell) -> str:
    """Whether the lesson is planned for the pupil now, in the words the report uses."""
    if cell.lesson.withdrawn:
        return "withdrawn by its teacher: taught no more"
    if not cell.on_map:
        return "not on the map now"
    return "hidden from the map" if cell.hidden else "yes"


def progress_rows(
    pupil: Pupil,
    cells: list[queries.Cell],
    notes: dict[str, list[tuple[date, str]]] | None = None,
) -> list[list[str]]:
    """The progress summary as spreadsheet rows, a header first; no cell can run a formula.
    Each lesson's row on the pathway it is taught on now is followed by a row for each
    earlier pathway it was assessed on ("earlier pathway": yes), as on the printed summary;
    a lesson off the map assessed only on earlier pathways has just those rows."""
    rows = [PROGRESS_HEADER]
    noted = notes or {}
    for c in cells:
        shown = [] if c.earlier_only else [(c.objective, c.pathway, c.state, False)]
        shown += [(e.objective, e.pathway, e.state, True) for e in c.earlier]
        for objective, pathway, s, before in shown:
            values = (
                pupil.full_name,
                c.lesson.title.text,
                " ".join(x.value for x in c.lesson.strands),
                pathway.value,
                objective.text,
                LEVEL_WORDS[s.current] if s else NOT_ASSESSED_WORDS,
                # Not assessed yet: no answer, so empty (the report's dash), not "no".
                ("yes" if s.maintained else "no") if s else "",
                s.last_assessed.isoformat() if s else "",
                s.count if s else 0,
                ("yes" if s.misconception else "no") if s else "",
                "yes" if before else "no",
                "; ".join(f"{day:%d %b %Y}: {areas}" for day, areas in noted.get(objective.id, [])),
                _on_the_map(c),
            )
            rows.append([safe_cell(v) for v in values])
    return rows


# --- The whole school ---------------------------------------------------------------------------


@bp.get("/school")
@allow("view_coverage")
def school() -> ResponseReturnValue:
    """How many pupils are at each level per strand; names only for those who may see pupils."""
    db = get_session()
    actor = current_actor()
    pupils = list(
        db.scalars(
            select(Pupil).where(Pupil.school_id == getattr(actor, "school_id", 0), Pupil.active)
        )
    )
    found = states(queries.observations_for(db, [p.id for p in pupils]), local_today(), _weeks())
    coverage = _coverage(db, pupils, found)
    record(db, actor, "assessment.school_viewed")
    return render_template(
        "assessment/school.html",
        coverage=coverage,
        levels=LEVEL_WORDS,
        strands=list(content.Strand),
        names=policy.has_right(actor, "view_pupils"),
        apart_words=(
            ("other_ages", "not for their age"),
            ("off_map", "not on their map"),
            ("hidden", "hidden from their map"),
        ),
    )


EARLIER_ONLY, NOT_ASSESSED = 5, 6  # the coverage columns after the levels 0-4
# Why a pupil with nothing recorded in a strand has no work missing in it: none of its lessons
# is planned for them now (as the class summary says of each lesson, in its order).
APART = ("other_ages", "off_map", "hidden")


def _coverage(db: Any, pupils: list[Pupil], found: dict[Any, Any]) -> dict[str, Any]:
    """Per strand: pupil counts by their best level in its lessons on the pathway each lesson
    is taught on now (0-4), then "earlier pathway only" and "not assessed"; and, where
    allowed, who is in each column (see `_placed`).

    A pupil with nothing recorded in a strand none of whose lessons is planned for them now
    (hidden from their map by a teacher, not on it, or not for their age) is not "not assessed
    yet": no work of theirs is missing, as the class heatmap and summary say. They are counted
    apart (`apart`), by why (see `_unplanned`)."""
    result: dict[str, Any] = {
        s.value: {
            "counts": [0] * 7,
            "who": [[] for _ in range(7)],
            "apart": {why: [] for why in APART},
        }
        for s in content.Strand
    }
    catalogue = request_catalogue()
    lessons = list(catalogue)
    pathways = maps.pathways_for(db, pupils)
    on_map = queries.on_maps(catalogue, pathways)
    hidden = queries.hidden_lessons(db, [p.id for p in pupils])
    today = local_today()
    by_strand = {s: [lesson for lesson in lessons if s in lesson.strands] for s in content.Strand}
    plans: queries.Plans = {}
    for pupil in pupils:
        plan = queries.pupil_plan(pupil, lessons, pathways[pupil.id], plans)
        seen = [
            (lesson.strands, shown)
            for lesson, objective, _pathway in plan
            if (shown := queries.evidence(pupil.id, lesson, objective, found)) is not None
        ]
        age = pupil.age_on(today)
        for strand in content.Strand:
            column, who = _placed(pupil.full_name, [e for on, e in seen if strand in on])
            row = result[strand.value]
            why = None
            if column == NOT_ASSESSED:
                why = _unplanned(by_strand[strand], age, on_map[pupil.id], hidden[pupil.id])
            if why is not None:
                row["apart"][why].append(who)
                continue
            row["counts"][column] += 1
            row["who"][column].append(who)
    return result


def _unplanned(
    lessons: list[content.Lesson], age: int, on_map: frozenset[str], hidden: frozenset[str]
) -> str | None:
    """Why none of a strand's lessons is planned for a pupil now (`APART`), the deliberate
    first: one hidden by a teacher, else one not on their map (a withdrawn lesson is on no
    map), else all for other ages; None if one of them is planned (its work is missing)."""
    reasons = set()
    for lesson in lessons:
        if lesson.withdrawn:
            reasons.add("off_map")
        elif not lesson.for_age(age):
            reasons.add("other_ages")
        elif lesson.id not in on_map:
            reasons.add("off_map")
        elif lesson.id in hidden:
            reasons.add("hidden")
        else:
            return None
    return next((why for why in reversed(APART) if why in reasons), None)


def _placed(name: str, seen: list[queries.Evidence]) -> tuple[int, str]:
    """The coverage column a pupil's evidence in one strand's lessons puts them in, and their
    name as it is listed there.

    A pupil with nothing yet on the pathways now planned but a level from the pathway a
    lesson was taught on before (the heatmap's bracketed levels) was assessed: counted as
    "not assessed", a leader would read their work as missing. They are counted apart, not
    at that level: a level on another pathway's objective is not one on the pupil's own (the
    class summary counts them so too). Their best earlier level is in brackets by their name."""
    now = [e.state.current for e in seen if not e.earlier]
    if now:
        return max(now), name
    if seen:
        return EARLIER_ONLY, f"{name} ({int(max(e.state.current for e in seen))})"
    return NOT_ASSESSED, name
