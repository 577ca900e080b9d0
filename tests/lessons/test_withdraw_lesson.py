"""A teacher withdraws a lesson they shared: asked first (a page that says what will happen
and writes nothing), then it comes off every class and pupil map and every target, nobody can
add it again and pupils cannot start or carry on with it; what pupils answered and staff
recorded on it stays, and still shows in progress, reports and the heatmap."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.assessment.models import Observation
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.lessons import maps
from classroom.lessons.authored_models import AuthoredLesson, LessonStatus
from classroom.lessons.content import Catalogue
from classroom.lessons.models import LessonAttempt, MapEntry, PupilTarget, StepResponse
from classroom.pupils.models import Pupil
from tests.authoring_helpers import lesson_form, record_on_class_page
from tests.conftest import Clock, client_for
from tests.factories import make_account, make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import School, make_school, pupil_on_ipad, triaged_worry

TITLE = "Kind words online"
SEMI_FORMAL_OBJECTIVE = "Picks the kind message"


def _count(session: Session, model: type, *where: object) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _shared(teacher: FlaskClient, session: Session) -> AuthoredLesson:
    made = teacher.post("/authoring/new", data=lesson_form(title=TITLE))
    found = re.search(r"/authoring/(\d+)", made.location)
    assert found is not None
    lesson_id = int(found.group(1))
    assert teacher.post(f"/authoring/{lesson_id}/share").status_code == 302
    row = session.get(AuthoredLesson, lesson_id)
    assert row is not None
    return row


def _in_use(app: Flask, session: Session) -> tuple[School, FlaskClient, AuthoredLesson, Pupil]:
    """The lesson on Oak's map and on Ben's own map, Amira's target, Amira part way through it
    (one answer given), and Amira recorded Secure on it."""
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Ode", home_lessons=0)
    session.commit()
    teacher = client_for(app, school.teacher)
    row = _shared(teacher, session)
    on = teacher.post(f"/classes/{school.oak.id}/lessons", data={"lesson_id": row.key, "on": "1"})
    assert on.status_code == 302
    # Hiding another lesson gives Ben a map of his own, with this lesson on it.
    hidden = teacher.post(f"/pupils/{ben.id}/lessons/stop-block-tell/hide")
    assert hidden.status_code == 302
    target = teacher.post(f"/pupils/{school.pupil.id}/lessons/{row.key}/target")
    assert target.status_code == 302
    ipad = pupil_on_ipad(app, school)
    start = ipad.post(f"/pupil/lessons/{row.key}/start")
    assert start.status_code == 302
    choose = start.location.replace("/steps/1", "/steps/2")
    assert ipad.post(choose, data={"answer": "o1", "tries": "1", "key": "k1"}).status_code == 200
    recorded = record_on_class_page(teacher, school.oak.id, row.key, [school.pupil.id])
    assert recorded.status_code == 303
    assert _count(session, MapEntry, MapEntry.lesson_id == row.key) == 2
    return school, teacher, row, ben


def test_the_confirm_page_says_what_will_happen_and_changes_nothing(
    app: Flask, session: Session
) -> None:
    _school, teacher, row, _ben = _in_use(app, session)
    shown = html.unescape(teacher.get(f"/authoring/{row.id}").text)
    assert f'href="/authoring/{row.id}/withdraw">Withdraw this lesson</a>' in shown
    asked = teacher.get(f"/authoring/{row.id}/withdraw")
    assert asked.status_code == 200
    page = html.unescape(asked.text)
    assert f"Withdraw the lesson \u201c{TITLE}\u201d?" in page
    assert "It comes off 1 class map: Oak." in page
    assert "It comes off 1 pupil\u2019s own map." in page
    assert "It is the target (next lesson) of 1 pupil: their target is cleared." in page
    assert "Pupils part way through it can no longer carry on with it (1 pupil now)." in page
    assert "still shows in progress, reports and the heatmap" in page
    assert ">Withdraw the lesson</button>" in page
    assert f'href="/authoring/{row.id}">Cancel</a>' in page
    assert "checked" not in page  # nothing chosen for the teacher
    # Asking changes nothing.
    session.refresh(row)
    assert row.status is LessonStatus.SHARED
    assert _count(session, MapEntry, MapEntry.lesson_id == row.key) == 2
    assert _count(session, PupilTarget) == 1


def test_withdrawing_takes_it_off_every_map_and_target_and_keeps_every_record(
    app: Flask, session: Session
) -> None:
    school, teacher, row, ben = _in_use(app, session)
    responses = _count(session, StepResponse)
    assert responses == 1
    done = teacher.post(f"/authoring/{row.id}/withdraw")
    assert done.status_code == 302
    assert done.location == f"/authoring/{row.id}?withdrawn=1"
    session.refresh(row)
    assert row.status is LessonStatus.WITHDRAWN
    assert _count(session, MapEntry, MapEntry.lesson_id == row.key) == 0
    assert _count(session, PupilTarget) == 0
    audit = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "authored_lesson.withdrawn")
    ).one()
    assert audit.actor_id == school.teacher.id
    assert audit.summary == (
        f"{row.key}: off 1 class maps and 1 pupil maps, 1 targets cleared, 1 pupils part way"
    )
    # Nothing recorded is lost.
    assert _count(session, StepResponse) == responses
    assert _count(session, LessonAttempt) == 1
    assert _count(session, Observation) == 1
    # ... and it still shows wherever records point at it.
    pupil_id = school.pupil.id
    progress = html.unescape(teacher.get(f"/assessment/pupils/{pupil_id}").text)
    assert SEMI_FORMAL_OBJECTIVE in progress
    timeline = teacher.get(f"/assessment/pupils/{pupil_id}/objectives/{row.key}.sf")
    assert timeline.status_code == 200
    assert SEMI_FORMAL_OBJECTIVE in html.unescape(timeline.text)
    answers = teacher.get(f"/pupils/{pupil_id}/lessons/{row.key}/responses")
    assert answers.status_code == 200
    assert TITLE in html.unescape(answers.text)
    heatmap = html.unescape(teacher.get(f"/assessment/classes/{school.oak.id}").text)
    assert TITLE in heatmap
    report = html.unescape(teacher.get(f"/assessment/pupils/{pupil_id}/report").text)
    assert SEMI_FORMAL_OBJECTIVE in report
    summary = teacher.get(f"/assessment/classes/{school.oak.id}/summary")
    assert summary.status_code == 200
    # Nobody's map shows it any more.
    for pupil in (school.pupil, ben):
        shown = html.unescape(teacher.get(f"/pupils/{pupil.id}/lessons").text)
        # Not among its lessons (the line above the table says where it went).
        assert TITLE not in shown.split("<table", 1)[1].split("Add a lesson", 1)[0]


def test_pupils_no_longer_get_it_nor_carry_on_with_it(app: Flask, session: Session) -> None:
    school, teacher, row, _ben = _in_use(app, session)
    ipad = pupil_on_ipad(app, school)
    assert TITLE in html.unescape(ipad.get("/pupil/").text)
    attempt = session.scalars(select(LessonAttempt)).one()
    assert teacher.post(f"/authoring/{row.id}/withdraw").status_code == 302
    assert TITLE not in html.unescape(ipad.get("/pupil/").text)
    assert ipad.get(f"/pupil/lessons/{row.key}").status_code == 404
    assert ipad.post(f"/pupil/lessons/{row.key}/start").status_code == 404
    assert ipad.post(f"/pupil/lessons/{row.key}/start", data={"go": "on"}).status_code == 404
    step = ipad.get(f"/pupil/lessons/attempts/{attempt.id}/steps/2")
    assert step.status_code == 303
    assert step.location.endswith("/pupil/")
    answered = ipad.post(
        f"/pupil/lessons/attempts/{attempt.id}/steps/2",
        data={"answer": "o1", "tries": "1", "key": "k2"},
    )
    assert answered.status_code == 303
    assert _count(session, StepResponse) == 1  # nothing more of it is recorded


def test_nobody_can_put_a_withdrawn_lesson_on_a_map_again(app: Flask, session: Session) -> None:
    school, teacher, row, ben = _in_use(app, session)
    assert teacher.post(f"/authoring/{row.id}/withdraw").status_code == 302
    class_map = html.unescape(teacher.get(f"/classes/{school.oak.id}/lessons").text)
    assert TITLE not in class_map.split("<table", 1)[1]  # above the table: where it went
    on = teacher.post(f"/classes/{school.oak.id}/lessons", data={"lesson_id": row.key, "on": "1"})
    assert on.status_code == 400
    assert f"\u201c{TITLE}\u201d has been withdrawn by its teacher" in html.unescape(on.text)
    pupil_map = html.unescape(teacher.get(f"/pupils/{ben.id}/lessons").text)
    assert TITLE not in pupil_map.split("<table", 1)[1].split("Add a lesson", 1)[0]
    added = teacher.post(f"/pupils/{ben.id}/lessons/x/add", data={"lesson_id": row.key})
    assert added.status_code == 400
    target = teacher.post(f"/pupils/{school.pupil.id}/lessons/{row.key}/target")
    assert target.status_code == 400
    index = html.unescape(teacher.get("/authoring/").text)
    assert f"preview/{row.key}/" not in index  # not offered among the school's lessons
    assert _count(session, MapEntry, MapEntry.lesson_id == row.key) == 0
    assert _count(session, PupilTarget) == 0


def test_the_lesson_says_withdrawn_by_whom_and_offers_only_a_copy(
    app: Flask, session: Session
) -> None:
    _school, teacher, row, _ben = _in_use(app, session)
    assert teacher.post(f"/authoring/{row.id}/withdraw").status_code == 302
    shown = html.unescape(teacher.get(f"/authoring/{row.id}?withdrawn=1").text)
    assert "The lesson was withdrawn: it is on no map now" in shown
    assert "<dt>Status</dt><dd>Withdrawn " in shown
    assert "by Ms Lopez: pupils no longer get it" in shown
    assert f'action="/authoring/{row.id}/copy"' in shown
    assert f'action="/authoring/{row.id}/share"' not in shown
    assert f'href="/authoring/{row.id}/edit"' not in shown
    assert f'href="/authoring/{row.id}/withdraw"' not in shown
    listing = html.unescape(teacher.get("/authoring/").text)
    assert re.search(rf">{TITLE}</a></td>\s*<td>Withdrawn</td>", listing)
    assert teacher.post(f"/authoring/{row.id}/share").status_code == 409
    edited = teacher.post(f"/authoring/{row.id}/edit", data=lesson_form(title="Changed"))
    assert edited.status_code == 409
    session.refresh(row)
    assert row.status is LessonStatus.WITHDRAWN
    assert row.title == TITLE
    copied = teacher.post(f"/authoring/{row.id}/copy")
    assert copied.status_code == 302
    copy = session.scalar(select(AuthoredLesson).where(AuthoredLesson.id != row.id))
    assert copy is not None
    assert copy.status is LessonStatus.DRAFT


def test_withdrawn_already_is_409_a_draft_is_not_withdrawn_and_others_get_404(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _shared(teacher, session)
    other = make_account(session, Role.TEACHER, display_name="Mr Other")
    session.commit()
    stranger = client_for(app, other)
    assert stranger.get(f"/authoring/{row.id}/withdraw").status_code == 404
    assert stranger.post(f"/authoring/{row.id}/withdraw").status_code == 404
    session.refresh(row)
    assert row.status is LessonStatus.SHARED
    assert teacher.post(f"/authoring/{row.id}/withdraw").status_code == 302
    again = teacher.post(f"/authoring/{row.id}/withdraw")
    assert again.status_code == 409
    assert "This lesson has already been withdrawn" in html.unescape(again.text)
    assert teacher.get(f"/authoring/{row.id}/withdraw").status_code == 409
    assert _count(session, AuditEvent, AuditEvent.action == "authored_lesson.withdrawn") == 1
    made = teacher.post("/authoring/new", data=lesson_form(title="Just a draft"))
    draft_id = int(made.location.rsplit("/", 1)[1].split("?")[0])
    assert teacher.get(f"/authoring/{draft_id}/withdraw").status_code == 302
    refused = teacher.post(f"/authoring/{draft_id}/withdraw")
    assert refused.status_code == 409
    assert "Only a shared lesson can be withdrawn" in html.unescape(refused.text)
    draft = session.get(AuthoredLesson, draft_id)
    assert draft is not None
    assert draft.status is LessonStatus.DRAFT


def test_every_worker_sees_the_withdrawal_on_its_next_page(app: Flask, session: Session) -> None:
    """The catalogue a worker keeps is rebuilt when a lesson's status changes, even if its
    revision and time saved stayed the same."""
    school = make_school(session)
    row = _shared(client_for(app, school.teacher), session)
    files = all_lessons(session).files()
    built: dict[int, tuple[maps.Stamps, Catalogue]] = {}
    before = maps.school_catalogue(session, files, row.school_id, built)
    assert before.addable(row.key)
    row.status = LessonStatus.WITHDRAWN  # another worker withdrew it; nothing else changed
    session.commit()
    after = maps.school_catalogue(session, files, row.school_id, built)
    assert row.key in after  # records on it still resolve
    assert after.get(row.key).withdrawn
    assert not after.addable(row.key)
    assert row.key not in {lesson.id for lesson in after.available()}


def test_a_worry_follow_up_cannot_make_a_withdrawn_lesson_a_pupils_target(
    app: Flask, session: Session
) -> None:
    """The safeguarding team's "put a lesson on the pupil's map" goes through the same map
    rules: a withdrawn lesson is refused with why, and nothing is put on the map."""
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _shared(teacher, session)
    assert teacher.post(f"/authoring/{row.id}/withdraw").status_code == 302
    # The worry record's follow-up menu no longer offers it.
    incident = triaged_worry(session, school)
    session.commit()
    page = client_for(app, school.dsl).get(f"/safeguarding/{incident.id}").get_data(as_text=True)
    assert f'value="{row.key}"' not in page
    assert 'value="stop-block-tell"' in page  # the menu is there, with the other lessons
    lessons = all_lessons(session)
    with pytest.raises(Invalid, match="has been withdrawn by its teacher"):
        maps.follow_up_worry(session, school.dsl, school.pupil, row.key, lessons, now=utcnow())
    session.rollback()
    assert _count(session, MapEntry, MapEntry.lesson_id == row.key) == 0
    assert _count(session, PupilTarget) == 0


# A week in the school's winter (GMT, so the school's day is the UTC day): taught on Tuesday,
# withdrawn on Thursday, recorded the next Monday.
TUESDAY = date(2026, 12, 1)
THURSDAY = date(2026, 12, 3)
MONDAY = date(2026, 12, 7)


def _withdrawn_on_thursday(
    app: Flask, session: Session, clock: Clock
) -> tuple[School, FlaskClient, AuthoredLesson]:
    """The lesson on Oak's map, taught on Tuesday (nothing recorded yet), withdrawn on Thursday
    by its teacher, who opens the class record page the next Monday."""
    clock.set(datetime(2026, 12, 3, 10, 0, tzinfo=UTC))
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _shared(teacher, session)
    on = teacher.post(f"/classes/{school.oak.id}/lessons", data={"lesson_id": row.key, "on": "1"})
    assert on.status_code == 302
    assert teacher.post(f"/authoring/{row.id}/withdraw").status_code == 302
    clock.set(datetime(2026, 12, 7, 9, 30, tzinfo=UTC))
    return school, client_for(app, school.teacher), row  # signed in again on Monday


def test_the_record_page_says_a_lesson_is_withdrawn_and_asks_for_a_day_before(
    app: Flask, session: Session, clock: Clock
) -> None:
    school, teacher, row = _withdrawn_on_thursday(app, session, clock)
    page = html.unescape(teacher.get(f"/assessment/classes/{school.oak.id}/record").text)
    # Not among the lessons taught now: listed apart, saying it is withdrawn.
    taught_now, withdrawn = page.split('<optgroup label="Withdrawn', 1)
    assert TITLE not in taught_now
    assert f'value="{row.key}">' in withdrawn
    assert f"{TITLE} (withdrawn)</option>" in withdrawn
    chosen = teacher.get(f"/assessment/classes/{school.oak.id}/record?lesson_id={row.key}")
    shown = html.unescape(chosen.text)
    assert (
        f"\u201c{TITLE}\u201d was withdrawn on Thursday 03 December 2026 by Ms Lopez: it is on "
        "no map and is taught no more."
    ) in shown
    assert "record a session taught on or before Thursday 03 December 2026" in shown
    # The date box holds no day it would refuse: the teacher chooses the day they taught it.
    box = re.search(r'<input id="observed_on"[^>]*>', shown)
    assert box is not None
    assert 'value=""' in box.group(0)
    assert 'max="2026-12-03"' in box.group(0)
    assert 'aria-describedby="observed_on-withdrawn"' in box.group(0)


def test_a_session_taught_before_the_withdrawal_is_recorded_a_later_day_refused(
    app: Flask, session: Session, clock: Clock
) -> None:
    school, teacher, row = _withdrawn_on_thursday(app, session, clock)
    pupil_id = school.pupil.id
    refused = record_on_class_page(
        teacher, school.oak.id, row.key, [pupil_id], level="2", observed_on=MONDAY.isoformat()
    )
    assert refused.status_code == 400
    page = html.unescape(refused.text)
    assert (
        f"Date: \u201c{TITLE}\u201d was withdrawn on Thursday 03 December 2026, so it is taught "
        "no more. Monday 07 December 2026 is after that"
    ) in page
    assert '<a href="#observed_on">Date:' in page  # the summary leads to the date box
    # What they sent comes back: the pupil ticked, where, and the date to change.
    assert f'value="{pupil_id}" checked' in page
    assert '<option value="lesson" selected>' in page
    assert 'value="2026-12-07"' in page
    assert 'aria-invalid="true"' in page
    assert _count(session, Observation) == 0
    for day in (TUESDAY, THURSDAY):
        recorded = record_on_class_page(
            teacher, school.oak.id, row.key, [pupil_id], observed_on=day.isoformat()
        )
        assert recorded.status_code == 303
    days = session.scalars(select(Observation.observed_on).order_by(Observation.id)).all()
    assert days == [TUESDAY, THURSDAY]
    # Where it shows beside lessons taught now, it says it is withdrawn: not a gap to fill.
    summary = html.unescape(teacher.get(f"/assessment/classes/{school.oak.id}/summary").text)
    assert f'{TITLE} <span class="hint">(withdrawn: taught no more)</span></th>' in summary
    progress = html.unescape(teacher.get(f"/assessment/pupils/{pupil_id}").text)
    assert f'{TITLE} <span class="hint">(withdrawn by its teacher: taught no more)' in progress
    assert "(not on the map now)" not in progress


def test_a_pupils_own_form_cannot_record_a_withdrawn_lesson_after_it_was_withdrawn(
    app: Flask, session: Session, clock: Clock
) -> None:
    school, teacher, row = _withdrawn_on_thursday(app, session, clock)
    sent = {
        "objective_id": f"{row.key}.sf",
        "level": "3",
        "context": "lesson",
        "observed_on": MONDAY.isoformat(),
        "note": "Picked it without a prompt.",
    }
    refused = teacher.post(f"/assessment/pupils/{school.pupil.id}/observations", data=sent)
    assert refused.status_code == 400
    page = html.unescape(refused.text)
    assert f"\u201c{TITLE}\u201d was withdrawn on Thursday 03 December 2026" in page
    assert "Picked it without a prompt." in page  # the note is not lost
    assert _count(session, Observation) == 0
    sent["observed_on"] = TUESDAY.isoformat()
    done = teacher.post(f"/assessment/pupils/{school.pupil.id}/observations", data=sent)
    assert done.status_code == 302
    assert _count(session, Observation) == 1


def test_another_teacher_can_read_a_withdrawn_lesson_and_copy_it_but_not_use_it(
    app: Flask, session: Session
) -> None:
    school, teacher, row, ben = _in_use(app, session)
    assert teacher.post(f"/authoring/{row.id}/withdraw").status_code == 302
    other = make_account(session, Role.TEACHER, display_name="Mr Other")
    session.commit()
    colleague = client_for(app, other)
    listing = html.unescape(colleague.get("/authoring/").text)
    assert f'<a href="/authoring/{row.id}">{TITLE}</a> (withdrawn)' in listing
    opened = colleague.get(f"/authoring/{row.id}")
    assert opened.status_code == 200
    shown = html.unescape(opened.text)
    assert "<dt>Status</dt><dd>Withdrawn " in shown
    assert SEMI_FORMAL_OBJECTIVE in shown  # they can read what it teaches
    assert f'action="/authoring/{row.id}/copy"' in shown
    for refused in ("edit", "withdraw", "share"):
        assert f'/authoring/{row.id}/{refused}"' not in shown
    assert colleague.get(f"/authoring/{row.id}/edit").status_code == 404
    assert colleague.post(f"/authoring/{row.id}/share").status_code == 404
    copied = colleague.post(f"/authoring/{row.id}/copy")
    assert copied.status_code == 302
    copy = session.scalar(select(AuthoredLesson).where(AuthoredLesson.author_id == other.id))
    assert copy is not None
    assert copy.status is LessonStatus.DRAFT
    assert copy.title == TITLE
    assert copy.key != row.key
    # The withdrawn lesson itself stays off every map (Oak's staff are refused, as ever) and
    # out of pupils' hands.
    added = teacher.post(f"/pupils/{ben.id}/lessons/x/add", data={"lesson_id": row.key})
    assert added.status_code == 400
    assert _count(session, MapEntry, MapEntry.lesson_id == row.key) == 0
    ipad = pupil_on_ipad(app, school)
    assert ipad.post(f"/pupil/lessons/{row.key}/start").status_code == 404
    session.refresh(row)
    assert row.status is LessonStatus.WITHDRAWN


WITHDRAWN_LINE = (
    f"\u201c{TITLE}\u201d was withdrawn by Ms Lopez on 6 December 2026: it is no longer taught."
)


def test_the_lesson_maps_say_it_was_withdrawn_by_whom_and_when_for_a_term(
    app: Flask, session: Session, clock: Clock
) -> None:
    """It came off Oak's map and Ben's own at once: a teacher opening a map days later reads
    where it went, in one line above the lessons, and a term on it is no longer news."""
    clock.set(datetime(2026, 12, 6, 10, 0, tzinfo=UTC))
    school, teacher, row, ben = _in_use(app, session)
    pages = (
        f"/pupils/{school.pupil.id}/lessons",
        f"/pupils/{ben.id}/lessons",
        f"/classes/{school.oak.id}/lessons",
    )
    for page in pages:  # nothing withdrawn yet, nothing said
        assert "was withdrawn" not in html.unescape(teacher.get(page).text)
    assert teacher.post(f"/authoring/{row.id}/withdraw").status_code == 302
    clock.set(datetime(2026, 12, 9, 9, 0, tzinfo=UTC))
    colleague = client_for(app, make_account(session, Role.TEACHER, classes=[school.oak]))
    before = _count(session, AuditEvent)
    for page in pages:
        shown = html.unescape(colleague.get(page).text)
        assert WITHDRAWN_LINE in shown.split("<table", 1)[0], page
    assert _count(session, AuditEvent) == before + 2  # the pupils' maps' "viewed": no more
    clock.set(datetime(2027, 3, 8, 9, 0, tzinfo=UTC))
    later = client_for(app, make_account(session, Role.TEACHER, classes=[school.oak]))
    for page in pages:
        assert "was withdrawn" not in html.unescape(later.get(page).text)
