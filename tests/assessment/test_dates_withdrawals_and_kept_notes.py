"""What a teacher met recording observations:

1. A bad level and a bad date shared one message ("Choose a level from the scale and a real
   date"), shown on the level: now each box has its own message, saying what is wrong and how
   to put it right, and everything else typed comes back.
2. The class page stamped the date the page was opened, hidden: a page opened before midnight
   and sent after recorded yesterday unseen. Now the date is a box, and a page sent on a later
   day than it was opened, its date left as it was, asks which day they were seen.
3. An observation of a lesson for 14 to 19 recorded for a pupil of 13 (before the age check)
   could not be corrected, so it counted for ever. Now it can be withdrawn as recorded in
   error: kept in the history, marked, and no longer counted.
4. A semi-formal observation's Engagement Model notes (from before they were for pre-formal
   only) were lost when it was corrected. Now they are kept.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta

import pyzipper
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.assessment import queries
from classroom.assessment.derive import in_force, states
from classroom.assessment.models import Observation, ObservationWithdrawal
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.pupils.models import Pathway, Pupil
from tests.app_settings import school_today
from tests.conftest import Clock, client_for
from tests.factories import make_pupil
from tests.worry_helpers import School, make_school

SF = "stop-block-tell.sf"
FOR_14_TO_19 = "pressure-secrets-pictures"
NOON = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)  # Wednesday 10 March 2027
PHRASE = "a long enough passphrase"


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def _observations(session: Session) -> list[Observation]:
    session.expire_all()
    return list(session.scalars(select(Observation).order_by(Observation.id)))


def _audited(session: Session, action: str) -> list[str]:
    rows = session.scalars(select(AuditEvent.summary).where(AuditEvent.action == action))
    return list(rows)


def _stored(
    session: Session, school: School, pupil: Pupil, objective: str, **values: object
) -> int:
    """An observation as it was stored before today's rules (no service checks it)."""
    row = Observation(
        pupil_id=pupil.id,
        lesson_id=objective.rsplit(".", 1)[0],
        objective_id=objective,
        pathway=Pathway.SEMI_FORMAL,
        level=values.pop("level", 3),
        observed_on=values.pop("observed_on", school_today() - timedelta(days=30)),
        recorded_by_id=school.teacher.id,
        recorded_at=utcnow() - timedelta(days=30),
        **values,
    )
    session.add(row)
    session.commit()
    return row.id


# --- 1. Each box its own message --------------------------------------------------------------


def test_a_bad_level_and_an_unreadable_date_each_get_their_own_message_on_their_own_box(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    url = f"/assessment/pupils/{school.pupil.id}/observations"
    sent = {"objective_id": SF, "level": "", "context": "home", "support": "prompted",
            "observed_on": "31/02/2027", "note": "Told her mum <first>"}  # fmt: skip
    refused = teacher.post(url, data=sent)
    assert refused.status_code == 400
    page = _text(refused.text)
    level = "Level: choose one from the list, from 0 (Not yet) to 4 (Generalised)."
    day = "Date: \u201c31/02/2027\u201d is not a date. Choose the day in the date box, or type it"
    assert f'<a href="#again-level">{level}</a>' in page
    assert f'<a href="#again-observed_on">{day}' in page
    assert f'<p class="error" id="again-level-error">{level}</p>' in page
    assert f'<p class="error" id="again-observed_on-error">{day}' in page
    assert 'name="level" aria-invalid="true" aria-describedby="again-level-error"' in page
    assert 'aria-invalid="true" aria-describedby="again-observed_on-error"' in page
    assert "a real date" not in page
    # Everything else as it was typed.
    raw = refused.text
    assert 'value="31/02/2027"' in raw
    assert "Told her mum &lt;first&gt;</textarea>" in raw
    assert '<option value="home" selected>' in raw
    assert '<option value="prompted" selected>' in raw
    assert _observations(session) == []
    # Typed as the school writes dates, it is read.
    ok = teacher.post(url, data=sent | {"level": "2", "observed_on": "01/03/2027"})
    assert ok.status_code == 302
    assert [o.observed_on for o in _observations(session)] == [date(2027, 3, 1)]


def test_a_date_in_the_future_is_said_on_the_date_box_with_today(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    url = f"/assessment/pupils/{school.pupil.id}/observations"
    sent = {"objective_id": SF, "level": "3", "context": "lesson", "observed_on": "2027-03-12"}
    page = _text(teacher.post(url, data=sent).text)
    message = (
        "Date: 12 March 2027 is in the future (today is 10 March 2027). Choose today or an "
        "earlier day."
    )
    assert f'<a href="#again-observed_on">{message}</a>' in page
    assert 'id="again-level-error"' not in page
    assert '<option value="3" selected>' in page  # the level stays chosen
    assert _observations(session) == []


def test_a_correction_dated_before_the_pupil_was_of_the_lessons_ages_is_a_date_problem(
    app: Flask, session: Session, clock: Clock
) -> None:
    """Ben turned 14 on 1 March: a correction moving his observation to February is refused on
    the date box (the lesson is for 14 to 19), keeping what was typed."""
    clock.set(NOON)
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", date_of_birth=date(2013, 3, 1))
    session.commit()
    first = _stored(session, school, ben, f"{FOR_14_TO_19}.sf", observed_on=date(2027, 3, 5))
    teacher = client_for(app, school.teacher)
    sent = {"level": "2", "context": "class", "observed_on": "2027-02-26", "note": "Kept"}
    refused = teacher.post(f"/assessment/observations/{first}/correct", data=sent)
    assert refused.status_code == 400
    page = _text(refused.text)
    assert (
        '<a href="#again-observed_on">Date: \u201cMy body, my choice\u201d is for pupils aged 14 '
        "to 19; Ben was 13 on 26 February 2027, the date given. Check the date: choose a day "
        "when Ben was aged 14 to 19.</a>"
    ) in page
    assert "Kept</textarea>" in refused.text
    assert len(_observations(session)) == 1


# --- 2. The class page's date -----------------------------------------------------------------


def _class_form(page: str) -> dict[str, str]:
    opened = re.search(r'name="opened_on" value="([^"]+)"', page)
    day = re.search(r'id="observed_on" name="observed_on" type="date" value="([^"]+)"', page)
    assert opened is not None, "no opened_on"
    assert day is not None, "no date box"
    return {"opened_on": opened.group(1), "observed_on": day.group(1)}


def test_the_class_page_shows_the_date_and_records_the_date_sent(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    url = f"/assessment/classes/{school.oak.id}/record"
    page = teacher.get(url, query_string={"lesson_id": "stop-block-tell"}).text
    assert '<label for="observed_on">Date seen</label>' in page
    form = _class_form(page)
    assert form == {"opened_on": "2027-03-10", "observed_on": "2027-03-10"}
    assert _observations(session) == []  # the page itself records nothing
    sent = {"lesson_id": "stop-block-tell", "pupil_ids": [str(school.pupil.id)], "level": "3",
            "context": "class", **form, "observed_on": "2027-03-08"}  # fmt: skip
    done = teacher.post(url, data=sent)
    assert done.status_code == 303
    assert [o.observed_on for o in _observations(session)] == [date(2027, 3, 8)]
    shown = _text(teacher.get(done.location).text)
    assert "Recorded Secure (independent) for Amira. Date seen: Monday 08 March 2027." in shown
    # A date box left empty is asked for, not taken as today.
    empty = teacher.post(url, data=sent | {"observed_on": ""})
    assert empty.status_code == 400
    assert '<a href="#observed_on">Date: choose the day these were seen.</a>' in empty.text
    assert len(_observations(session)) == 1


def test_a_class_page_opened_yesterday_asks_which_day_before_recording(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(datetime(2027, 3, 9, 23, 50, tzinfo=UTC))  # Tuesday, ten to midnight
    school = make_school(session)
    zac = make_pupil(session, school.oak, first_name="Zac")
    session.commit()
    teacher = client_for(app, school.teacher)
    url = f"/assessment/classes/{school.oak.id}/record"
    form = _class_form(teacher.get(url, query_string={"lesson_id": "stop-block-tell"}).text)
    assert form["observed_on"] == "2027-03-09"
    clock.set(datetime(2027, 3, 10, 0, 10, tzinfo=UTC))  # sent on Wednesday, the date as it was
    sent = {"lesson_id": "stop-block-tell", "pupil_ids": [str(school.pupil.id), str(zac.id)],
            "level": "2", "context": "lesson", **form}  # fmt: skip
    asked = teacher.post(url, data=sent)
    assert asked.status_code == 200
    page = _text(asked.text)
    assert "Which day were these seen?" in page
    assert "This page was opened on Tuesday 09 March 2027, and today is Wednesday 10 March" in page
    assert "Record Developing (prompted or modelled) for Amira, Zac, seen on" in page
    radios = re.findall(r'<input id="day-\w+" name="observed_on" type="radio"[^>]*>', asked.text)
    assert len(radios) == 2
    assert not any("checked" in radio for radio in radios)  # no answer chosen for them
    assert _observations(session) == []

    answer = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', asked.text))
    answer.pop("csrf_token")
    answer |= {"pupil_ids": [str(school.pupil.id), str(zac.id)], "level": "2"}
    unanswered = teacher.post(url, data=answer)
    assert unanswered.status_code == 400
    assert "Choose the day they were seen" in unanswered.text
    assert _observations(session) == []
    done = teacher.post(url, data=answer | {"observed_on": "2027-03-09"})
    assert done.status_code == 303
    assert {(o.pupil_id, o.observed_on) for o in _observations(session)} == {
        (school.pupil.id, date(2027, 3, 9)),
        (zac.id, date(2027, 3, 9)),
    }
    # A date the teacher changed on such a page is theirs: recorded, not asked about.
    changed = teacher.post(url, data=sent | {"observed_on": "2027-03-10", "level": "3"})
    assert changed.status_code == 303
    assert sorted(o.observed_on for o in _observations(session) if o.level == 3) == [
        date(2027, 3, 10),
        date(2027, 3, 10),
    ]
    # A page from before the date box (its date hidden, the day it was opened) is asked too.
    old_page = {k: v for k, v in sent.items() if k != "opened_on"}
    assert teacher.post(url, data=old_page).status_code == 200
    assert len(_observations(session)) == 4


# --- 3. Withdrawn as recorded in error ---------------------------------------------------------


def test_an_observation_for_a_pupil_below_the_lessons_ages_can_be_withdrawn(
    app: Flask, session: Session, clock: Clock
) -> None:
    clock.set(NOON)
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", date_of_birth=date(2013, 6, 1))
    session.commit()
    objective = f"{FOR_14_TO_19}.sf"
    # Recorded before the age check: Ben was 13 that day, as he is today.
    wrong = _stored(session, school, ben, objective, level=3, note="Said no to the request")
    teacher = client_for(app, school.teacher)
    page_url = f"/assessment/pupils/{ben.id}/objectives/{objective}"
    page = _text(teacher.get(page_url).text)
    assert "Correct the latest observation" not in page  # the age rule refuses any new level
    assert "it cannot be corrected. If it should not have been recorded, withdraw it" in page
    form_url = f"/assessment/observations/{wrong}/withdraw"
    assert f'href="{form_url}">Withdraw' in page
    assert _state(session, ben, objective) == 3
    counted = [r[5] for r in _spreadsheet(teacher, ben) if r[1] == "My body, my choice"]
    assert counted == ["Secure (independent)"]

    form = teacher.get(form_url)
    assert form.status_code == 200
    assert "Said no to the request" in form.text
    assert session.scalar(select(func.count()).select_from(ObservationWithdrawal)) == 0
    blank = teacher.post(form_url, data={"reason": "  "})
    assert blank.status_code == 400
    assert '<a href="#reason">Why it was recorded in error: say what was wrong' in _text(blank.text)
    reason = "Lesson 15 is for 14 to 19; Ben was 13"
    done = teacher.post(form_url, data={"reason": reason})
    assert done.status_code == 302

    # Kept in the history, marked, with who, when and why; no longer counted anywhere.
    assert [o.id for o in _observations(session)] == [wrong]
    page = _text(teacher.get(page_url).text)
    status = _text(re.sub(r"<[^>]+>", " ", page))
    assert "Withdrawn: recorded in error by Ms Lopez," in status
    assert reason in status
    assert "No observations yet." in page  # the timeline
    assert _state(session, ben, objective) is None
    rows = _spreadsheet(teacher, ben)
    # Not on his map (he is 13), and with nothing counted on it, not listed either.
    assert [r[5] for r in rows if r[1] == "My body, my choice"] == []
    assert len(rows) > 1
    assert _audited(session, "observation.withdrawn") == [
        f"{objective} level 3 of 2027-02-08: recorded in error"
    ]
    # Withdrawn once: neither withdrawn again nor corrected.
    again = teacher.post(form_url, data={"reason": reason})
    assert again.status_code == 400
    assert "That observation was withdrawn as recorded in error" in again.text
    fix = teacher.post(
        f"/assessment/observations/{wrong}/correct",
        data={"level": "2", "context": "lesson", "observed_on": "2027-03-01"},
    )
    assert fix.status_code == 400
    assert len(_observations(session)) == 1


def _state(session: Session, pupil: Pupil, objective: str) -> int | None:
    found = states(queries.observations_for(session, [pupil.id]), school_today(), 6)
    state = found.get((pupil.id, objective))
    return None if state is None else int(state.current)


def _spreadsheet(teacher: object, pupil: Pupil) -> list[list[str]]:
    got = teacher.post(  # type: ignore[attr-defined]
        f"/assessment/pupils/{pupil.id}/export",
        data={"passphrase": PHRASE, "confirm": PHRASE},
    )
    assert got.status_code == 200, got.text
    with pyzipper.AESZipFile(io.BytesIO(got.data)) as archive:
        archive.setpassword(PHRASE.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_a_withdrawn_correction_does_not_bring_back_what_it_corrected() -> None:
    class Row:
        def __init__(self, oid: int, supersedes: int | None, withdrawn: bool) -> None:
            self.id, self.supersedes_id, self.withdrawn = oid, supersedes, withdrawn
            self.pupil_id, self.objective_id, self.level = 1, SF, 2
            self.observed_on, self.misconception = date(2027, 3, 1), False

    assert [o.id for o in in_force([Row(1, None, False), Row(2, 1, True)])] == []
    assert [o.id for o in in_force([Row(1, None, False), Row(2, 1, False)])] == [2]


# --- 4. Engagement Model notes kept through a correction ---------------------------------------


def test_a_semi_formal_observations_engagement_notes_are_kept_when_it_is_corrected(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    day = school_today() - timedelta(days=4)
    notes = {"engagement": "exploration,persistence", "note": "Kept going", "context": "class"}
    old = _stored(session, school, school.pupil, SF, level=2, observed_on=day, **notes)
    teacher = client_for(app, school.teacher)
    page = teacher.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    correction = page.split("<h2>Correct the latest observation</h2>", 1)[1].split("</form>")[0]
    assert 'name="engagement"' not in correction  # not to change: she works at semi-formal
    assert "<strong>Engagement Model notes:</strong> exploration, persistence" in correction
    sent = {"level": "3", "context": "class", "observed_on": day.isoformat(), "note": "Kept going"}
    done = teacher.post(f"/assessment/observations/{old}/correct", data=sent)
    assert done.status_code == 302
    fixed = session.scalar(select(Observation).where(Observation.supersedes_id == old))
    assert fixed is not None
    assert (fixed.level, fixed.engagement) == (3, "exploration,persistence")
    assert _audited(session, "observation.corrected") == [f"{SF} level 3"]
    # New notes are still for pre-formal only.
    refused = teacher.post(
        f"/assessment/observations/{fixed.id}/correct", data=sent | {"engagement": "initiation"}
    )
    assert refused.status_code == 400
    assert "Engagement Model notes are for pupils working at pre-formal" in refused.text
