"""Assessment: the scale, append-only observations, derivations, proposals and reports."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import pyzipper
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.assessment import derive, services
from classroom.assessment.models import Level, Observation, ObservationShare
from classroom.db import utcnow
from classroom.lessons import maps
from classroom.lessons.content import ChooseStep
from classroom.lessons.content import Pathway as ContentPathway
from classroom.pupils.models import Pathway
from tests.app_settings import school_today
from tests.conftest import Clock, sign_in
from tests.factories import link_parent, make_account, make_class, make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import make_school, pupil_on_ipad

SF = "stop-block-tell.sf"
ZONE = ZoneInfo("Europe/London")


def _obs(
    pupil_id: int,
    level: int,
    day: date,
    objective: str = SF,
    oid: int = 0,
    supersedes: int | None = None,
) -> Observation:
    return Observation(
        id=oid,
        pupil_id=pupil_id,
        objective_id=objective,
        level=level,
        observed_on=day,
        supersedes_id=supersedes,
        misconception=False,
    )


def test_maintained_needs_three_secure_sessions_over_two_weeks() -> None:
    start = date(2026, 9, 1)
    rows = [_obs(1, 3, start, oid=1), _obs(1, 3, start + timedelta(days=7), oid=2)]
    assert not derive.maintained(rows)
    rows.append(_obs(1, 3, start + timedelta(days=13), oid=3))
    assert not derive.maintained(rows)  # three sessions, but under two weeks
    rows.append(_obs(1, 4, start + timedelta(days=14), oid=4))
    assert derive.maintained(rows)


def test_a_correction_supersedes_and_the_old_observation_is_kept() -> None:
    day = date(2026, 10, 1)
    rows = [_obs(1, 3, day, oid=1), _obs(1, 1, day, oid=2, supersedes=1)]
    live = derive.in_force(rows)
    assert [o.id for o in live] == [2]
    found = derive.states(rows, day, 6)
    assert found[(1, SF)].current == Level.EMERGING


def test_needs_help_when_no_progress_over_the_span() -> None:
    today = date(2026, 11, 28)
    stuck = [_obs(1, 1, today - timedelta(weeks=10), oid=1), _obs(1, 1, today, oid=2)]
    assert derive.needs_help(derive.in_force(stuck), today, 6)
    moving = [*stuck[:1], _obs(1, 2, today, oid=3)]
    assert not derive.needs_help(derive.in_force(moving), today, 6)
    new = [_obs(1, 0, today - timedelta(weeks=2), oid=4)]
    assert not derive.needs_help(new, today, 6)  # not assessed long enough to say
    assert not derive.needs_help(derive.in_force(stuck), today, 12)  # staff set a longer span


@pytest.mark.usefixtures("app")
def test_observations_are_against_the_pupils_own_pathway(session: Session) -> None:
    school = make_school(session)
    entry, lessons = services.Entry(level=2, observed_on=utcnow().date()), all_lessons(session)
    when = {"now": utcnow(), "today": school_today()}
    services.observe(session, school.teacher, school.pupil, SF, entry, lessons, **when)
    with pytest.raises(services.Invalid, match="semi-formal pathway"):
        services.observe(
            session, school.teacher, school.pupil, "stop-block-tell.f", entry, lessons, **when
        )


@pytest.mark.parametrize(
    ("level", "day", "message"),
    [
        (5, 0, r"0 \(Not yet\) to 4"),
        (-1, 0, r"0 \(Not yet\) to 4"),
        (2, -1, "future"),
        (2, 800, "two years"),
    ],
)
@pytest.mark.usefixtures("app")
def test_bad_levels_and_dates_are_refused(
    session: Session, level: int, day: int, message: str
) -> None:
    school = make_school(session)
    entry = services.Entry(level=level, observed_on=utcnow().date() - timedelta(days=day))
    with pytest.raises(services.Invalid, match=message):
        services.observe(
            session,
            school.teacher,
            school.pupil,
            SF,
            entry,
            all_lessons(session),
            now=utcnow(),
            today=school_today(),
        )


@pytest.mark.usefixtures("app")
def test_engagement_notes_are_for_pre_formal_pupils(session: Session) -> None:
    school = make_school(session)
    entry = services.Entry(level=1, observed_on=utcnow().date(), engagement=["exploration"])
    lessons, when = all_lessons(session), {"now": utcnow(), "today": school_today()}
    with pytest.raises(services.Invalid, match="pre-formal"):
        services.observe(session, school.teacher, school.pupil, SF, entry, lessons, **when)
    pf = make_pupil(session, school.oak, pathway="pre_formal")
    services.observe(session, school.teacher, pf, "stop-block-tell.pf", entry, lessons, **when)


def test_fast_recording_three_pupils_on_different_pathways(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    others = [make_pupil(session, school.oak, pathway=p) for p in ("pre_formal", "formal")]
    session.commit()
    sign_in(client, school.teacher.username)
    heatmap_url = f"/assessment/classes/{school.oak.id}"
    # The heatmap is kept per worker for what it shows: seen before, it must still change.
    assert 'class="lvl-2"' not in client.get(heatmap_url).data.decode()
    ids = [school.pupil.id, *(p.id for p in others)]
    response = client.post(
        f"/assessment/classes/{school.oak.id}/record",
        data={"lesson_id": "stop-block-tell", "pupil_ids": [str(i) for i in ids], "level": "2",
              "context": "lesson", "observed_on": school_today().isoformat()},  # fmt: skip
    )
    # Redirected: reloading the page it lands on must not record the three again.
    assert response.status_code == 303
    assert "Amira" not in response.headers["Location"]  # ids in the address, never names
    for _reload in range(2):
        page = client.get(response.headers["Location"]).data.decode()
        names = ", ".join(p.first_name for p in sorted([school.pupil, *others], key=lambda p: p.id))
        assert f"Recorded Developing (prompted or modelled) for {names}." in page
    assert session.scalar(select(func.count(Observation.id))) == 3
    objectives = set(session.scalars(select(Observation.objective_id)))
    assert objectives == {"stop-block-tell.sf", "stop-block-tell.pf", "stop-block-tell.f"}
    heatmap = client.get(heatmap_url).data.decode()
    assert heatmap.count('class="lvl-2"') == 6  # three pupils: the picture and the table


def test_heatmap_filters_show_what_was_chosen_and_only_those_pupils(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    formal = make_pupil(session, school.oak, first_name="Aaliyah", pathway="formal")
    make_pupil(session, school.oak, first_name="Bea", pathway="pre_formal")
    make_pupil(session, school.oak, first_name="Cal", pathway="formal", active=False)
    session.commit()
    sign_in(client, school.teacher.username)
    url = f"/assessment/classes/{school.oak.id}"
    everyone = client.get(url).data.decode()
    assert "Aaliyah" in everyone
    assert "Bea" in everyone
    assert "Cal" not in everyone  # left the class
    assert everyone.index("Aaliyah") < everyone.index("Bea")  # by first name
    # The filters are kept per worker for what they show: each choice shows as chosen.
    chosen = client.get(f"{url}?pathway=formal&strand=online_bullying&weeks=9").data.decode()
    assert '<option value="formal" selected>' in chosen
    assert '<option value="online_bullying" selected>Online bullying</option>' in chosen
    assert 'name="weeks" type="number" min="1" max="52" value="9"' in chosen
    assert formal.first_name in chosen
    assert "Bea" not in chosen
    other = client.get(f"{url}?pathway=pre_formal&weeks=4").data.decode()
    assert '<option value="pre_formal" selected>' in other
    assert '<option value="formal" selected>' not in other
    assert " selected>Online" not in other
    assert 'value="4"' in other
    assert "Bea" in other
    assert "Aaliyah" not in other


@pytest.mark.usefixtures("login_as")
def test_teacher_sees_only_their_classes_and_governors_only_aggregates(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    willow = make_class(session, name="Willow")
    stranger = make_pupil(session, willow, first_name="Zed")
    services.observe(
        session,
        school.teacher,
        school.pupil,
        SF,
        services.Entry(level=3, observed_on=utcnow().date()),
        all_lessons(session),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    sign_in(client, school.teacher.username)
    assert client.get(f"/assessment/classes/{willow.id}").status_code == 404
    assert client.get(f"/assessment/pupils/{stranger.id}").status_code == 404
    denied = client.post(
        f"/assessment/pupils/{stranger.id}/observations",
        data={"objective_id": "stop-block-tell.sf", "level": "2", "context": "lesson"},
    )
    assert denied.status_code == 404
    governor = app.test_client()
    account = make_account(session, Role.GOVERNOR)
    session.commit()
    sign_in(governor, account.username)
    assert governor.get(f"/assessment/pupils/{school.pupil.id}").status_code == 403
    page = governor.get("/assessment/school").data.decode()
    assert "Online bullying" in page
    assert "Amira" not in page
    assert "Khan" not in page
    client.post("/sign-out")
    sign_in(client, school.head.username)
    assert "Amira Khan" in client.get("/assessment/school").data.decode()


def test_proposal_from_responses_is_confirmed_by_a_person(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    school = make_school(session)
    version = (
        app.extensions["lessons"]
        .get("stop-block-tell")
        .version(__import__("classroom.lessons.content", fromlist=["Pathway"]).Pathway.SEMI_FORMAL)
    )
    for day in range(2):
        ipad = pupil_on_ipad(app, school)
        url = ipad.post("/pupil/lessons/stop-block-tell/start").location
        for n, step in enumerate(version.steps, 1):
            if isinstance(step, ChooseStep):
                right = next(i for i, o in enumerate(step.options, 1) if o.correct)
                ipad.post(
                    url.replace("/steps/1", f"/steps/{n}"),
                    data={"answer": f"o{right}", "tries": "1", "key": f"{day}-{n}"},
                )
        ipad.post("/pupil/finished")
        clock.advance(days=1)
    proposal = services.propose(
        session, school.pupil, "stop-block-tell", Pathway.SEMI_FORMAL, objective_id=SF, zone=ZONE
    )
    assert proposal is not None
    assert proposal.level == Level.SECURE
    assert session.scalar(select(func.count()).select_from(Observation)) == 0  # never automatic
    sign_in(client, school.teacher.username)
    page = client.get(f"/assessment/pupils/{school.pupil.id}").data.decode()
    assert "100% right first time over 2 session(s)" in page
    client.post(
        f"/assessment/pupils/{school.pupil.id}/observations",
        data={"objective_id": SF, "level": "3", "from_proposal": "y"},
    )
    row = session.scalar(select(Observation))
    assert row is not None
    assert row.from_proposal
    assert row.recorded_by_id == school.teacher.id


def test_correction_through_the_page_keeps_the_old_one(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    first = services.observe(
        session,
        school.teacher,
        school.pupil,
        SF,
        services.Entry(level=3, observed_on=utcnow().date()),
        all_lessons(session),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    sign_in(client, school.teacher.username)
    fix = f"/assessment/observations/{first.id}/correct"
    client.post(fix, data={"level": "1", "context": "lesson"})
    rows = list(session.scalars(select(Observation).order_by(Observation.id)))
    assert [(r.level, r.supersedes_id) for r in rows] == [(3, None), (1, first.id)]
    again = client.post(fix, data={"level": "2", "context": "lesson"})
    assert again.status_code == 400
    page = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").data.decode()
    level_box = page.split('name="level">')[1].split("</select>")[0]
    assert level_box.startswith('<option value="">Choose&hellip;</option>')  # no level assumed
    assert "selected" not in level_box
    assert "Corrected" in page
    assert "In force" in page


def test_csv_report_cannot_run_formulas(client: FlaskClient, session: Session) -> None:
    school = make_school(session)
    school.pupil.first_name = "=CMD"
    services.observe(
        session,
        school.teacher,
        school.pupil,
        SF,
        services.Entry(level=2, observed_on=utcnow().date(), note="=1+1"),
        all_lessons(session),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    sign_in(client, school.teacher.username)
    phrase = "a long enough passphrase"
    response = client.post(
        f"/assessment/pupils/{school.pupil.id}/export",
        data={"passphrase": phrase, "confirm": phrase},
    )
    assert response.status_code == 200
    with pyzipper.AESZipFile(io.BytesIO(response.data)) as archive:
        archive.setpassword(phrase.encode())
        body = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    assert "'=CMD Khan" in body
    assert "\n=CMD" not in body
    assert (
        b"E-safety progress summary"
        in client.get(f"/assessment/pupils/{school.pupil.id}/report").data
    )


@pytest.mark.parametrize(
    "data",
    [
        {"objective_id": SF, "level": "9", "context": "lesson"},
        {"objective_id": SF, "level": "x"},
        {"objective_id": SF, "level": ""},  # the form's "Choose…": no level is assumed
        {"objective_id": SF, "level": "2", "context": "lesson", "observed_on": "2999-01-01"},
        {"objective_id": "stop-block-tell.f", "level": "2", "context": "lesson"},
        {"objective_id": "nonsense", "level": "2", "context": "lesson"},
    ],
)
def test_bad_input_gets_a_clear_4xx(
    client: FlaskClient, session: Session, data: dict[str, str]
) -> None:
    school = make_school(session)
    sign_in(client, school.teacher.username)
    response = client.post(f"/assessment/pupils/{school.pupil.id}/observations", data=data)
    assert response.status_code == 400
    assert b"That was not recorded" in response.data


def test_a_learning_moment_goes_to_that_pupils_carers_only(
    app: Flask, client: FlaskClient, session: Session, clock: Clock
) -> None:
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # a Monday morning: not quiet hours
    school = make_school(session)
    other = make_pupil(session, school.oak, first_name="Zed", last_name="Other")
    carer = make_account(session, Role.PARENT)
    other_carer = make_account(session, Role.PARENT)
    link_parent(session, carer, school.pupil)
    link_parent(session, other_carer, other)
    row = services.observe(
        session,
        school.teacher,
        school.pupil,
        SF,
        services.Entry(
            level=3, observed_on=utcnow().date(), note="Showed the stop card by herself"
        ),
        all_lessons(session),
        now=utcnow(),
        today=school_today(),
    )
    named = services.observe(
        session,
        school.teacher,
        school.pupil,
        "kind-and-unkind.sf",
        services.Entry(level=2, observed_on=utcnow().date(), note="Worked with Zed Other"),
        all_lessons(session),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    sign_in(client, school.teacher.username)
    share = f"/assessment/observations/{row.id}/share"
    # The observation's page links to the share form, filled from it; the note is not sent
    # as it is: it is shown as the observation's, and what goes home is written on the form.
    objective_page = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    assert f'href="{share}"' in objective_page
    form = client.get(share).text
    assert f'<option selected value="{SF}">' in form
    assert '<option selected value="3">' in form
    assert "Its note stays in school" in form
    assert "Showed the stop card by herself</textarea>" not in form
    sent = {"objective": SF, "level": "3", "note": "Showed the stop card by herself", "key": "k-1"}
    shared = client.post(share, data=sent)
    assert shared.headers["Location"].endswith(f"/objectives/{SF}?shared=1")
    assert client.post(share, data=sent).status_code == 302  # a double tap: still one moment
    again = client.post(share, data={**sent, "key": "k-share-2"})  # a second tab
    assert again.status_code == 400
    assert "already been shared home" in again.text
    after = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    assert "Shared home" in after
    assert f'href="{share}"' not in after
    named_share = f"/assessment/observations/{named.id}/share"
    refused = client.post(
        named_share,
        data={"objective": "kind-and-unkind.sf", "level": "2", "note": named.note, "key": "k-3"},
    )
    assert refused.status_code == 400
    assert b"Zed" in refused.data
    still = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/kind-and-unkind.sf")
    assert f'href="{named_share}"' in still.text  # refused: not marked as shared
    family = app.test_client()
    sign_in(family, carer.username)
    feed = family.get(f"/family/children/{school.pupil.id}").data.decode()
    assert feed.count("Showed the stop card by herself") == 1
    assert "Does it on their own" in feed  # Secure, in carers' words
    other_family = app.test_client()
    sign_in(other_family, other_carer.username)
    theirs = other_family.get(f"/family/children/{other.id}").data.decode()
    assert "Showed the stop card" not in theirs


def test_not_yet_and_misconceptions_stay_in_school(client: FlaskClient, session: Session) -> None:
    """A learning moment is progress: "Not yet", a misconception and a corrected observation
    are not offered, and their ids cannot be pushed through the share form."""
    school = make_school(session)
    other = make_pupil(session, make_class(session, name="Willow"), first_name="Zed")
    lessons, when = all_lessons(session), {"now": utcnow(), "today": school_today()}
    day = utcnow().date()
    unsafe = services.observe(
        session,
        school.teacher,
        school.pupil,
        SF,
        services.Entry(
            level=2,
            observed_on=day,
            misconception=True,
            note="Thinks it is fine to send a photo to a stranger",
        ),
        lessons,
        **when,
    )
    not_yet = services.observe(
        session,
        school.teacher,
        school.pupil,
        "kind-and-unkind.sf",
        services.Entry(level=0, observed_on=day),
        lessons,
        **when,
    )
    corrected = services.observe(
        session,
        school.teacher,
        school.pupil,
        "trusted-adults.sf",
        services.Entry(level=3, observed_on=day),
        lessons,
        **when,
    )
    services.correct(
        session,
        school.teacher,
        corrected,
        services.Entry(level=2, observed_on=day),
        lessons,
        **when,
    )
    theirs = services.observe(  # another class's pupil: not this teacher's to share
        session,
        school.head,
        other,
        SF,
        services.Entry(level=3, observed_on=day),
        lessons,
        **when,
    )
    session.commit()
    sign_in(client, school.teacher.username)
    for objective in (SF, "kind-and-unkind.sf"):
        page = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{objective}").text
        assert "Share as learning moment" not in page
    for row in (unsafe, not_yet, corrected, theirs):
        share = f"/assessment/observations/{row.id}/share"
        assert client.get(share).status_code == 404
        posted = client.post(share, data={"objective": SF, "level": "2", "key": f"k-{row.id}"})
        assert posted.status_code == 404
    assert session.scalar(select(func.count(ObservationShare.observation_id))) == 0


def test_the_share_form_offers_each_lesson_on_the_pupils_own_pathway_for_it(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)  # Amira: semi-formal
    maps.set_pathway(
        session,
        school.teacher,
        school.pupil,
        "stop-block-tell",
        Pathway.FORMAL,
        all_lessons(session),
    )
    session.commit()
    sign_in(client, school.teacher.username)
    form = client.get(f"/parents/pupils/{school.pupil.id}/share").text
    assert 'value="stop-block-tell.f"' in form  # the lesson she is taught formally
    assert 'value="stop-block-tell.sf"' not in form
    assert 'value="kind-and-unkind.sf"' in form  # the rest on her own pathway


def test_a_lesson_taken_off_the_class_map_keeps_its_assessment_on_the_pupils_pages(
    client: FlaskClient, session: Session
) -> None:
    """What was recorded stays on the progress page and the report for annual reviews, even
    after the class stops doing the lesson."""
    school = make_school(session)
    lessons = all_lessons(session)
    services.observe(
        session, school.teacher, school.pupil, SF,
        services.Entry(level=3, observed_on=utcnow().date(), note="Used the stop card"),
        lessons, now=utcnow(), today=school_today(),
    )  # fmt: skip
    maps.set_class_lesson(session, school.teacher, school.oak, SF.rsplit(".", 1)[0], False, lessons)
    session.commit()
    sign_in(client, school.teacher.username)
    objective = f"/assessment/pupils/{school.pupil.id}/objectives/{SF}"
    for page in (
        f"/assessment/pupils/{school.pupil.id}",
        f"/assessment/pupils/{school.pupil.id}/report",
    ):
        shown = client.get(page).text
        assert objective in shown or "Secure (independent)" in shown, page
        assert lessons.get(SF.rsplit(".", 1)[0]).title.text in shown, page


def test_engagement_boxes_follow_the_pathway_the_lesson_is_taught_on(
    client: FlaskClient, session: Session
) -> None:
    """The form offered the boxes by the pupil's own pathway and the save checked the
    lesson's: a pre-formal pupil taught one lesson formally was shown boxes that were then
    refused, and a formal pupil taught one pre-formally never saw them."""
    school = make_school(session)
    lessons = all_lessons(session)
    ben = make_pupil(session, school.oak, first_name="Ben", pathway="pre_formal")
    cal = make_pupil(session, school.oak, first_name="Cal", pathway="formal")
    maps.set_pathway(session, school.teacher, ben, "stop-block-tell", Pathway.FORMAL, lessons)
    maps.set_pathway(session, school.teacher, cal, "stop-block-tell", Pathway.PRE_FORMAL, lessons)
    session.commit()
    sign_in(client, school.teacher.username)
    ben_page = client.get(f"/assessment/pupils/{ben.id}/objectives/stop-block-tell.f").text
    assert 'name="engagement"' not in ben_page
    cal_page = client.get(f"/assessment/pupils/{cal.id}/objectives/stop-block-tell.pf").text
    assert 'name="engagement"' in cal_page
    saved = client.post(
        f"/assessment/pupils/{cal.id}/observations",
        data={
            "objective_id": "stop-block-tell.pf",
            "level": "1",
            "context": "lesson",
            "observed_on": school_today().isoformat(),
            "engagement": ["exploration"],
        },
    )
    assert saved.status_code == 302


def test_a_refused_observation_comes_back_as_it_was_left_to_put_right(
    client: FlaskClient, session: Session
) -> None:
    """No level chosen: the note a teacher wrote comes back with the refusal, not retyped."""
    school = make_school(session)
    sign_in(client, school.teacher.username)
    path = f"/assessment/pupils/{school.pupil.id}/observations"
    sent = {"objective_id": SF, "level": "", "support": "prompted", "context": "lesson",
            "note": "Pointed to the <worried> face, then to Ms Lopez"}  # fmt: skip
    refused = client.post(path, data=sent)
    assert refused.status_code == 400
    page = refused.data.decode()
    assert f'<form method="post" action="{path}"' in page
    assert "Pointed to the &lt;worried&gt; face, then to Ms Lopez</textarea>" in page
    assert f'name="objective_id" value="{SF}"' in page
    assert "<option value=\"prompted\" selected>" in page
    assert client.post(path, data=sent | {"level": "2"}).status_code == 302
    note = session.scalar(select(Observation.note))
    assert note == "Pointed to the <worried> face, then to Ms Lopez"


def test_where_it_was_seen_is_never_assumed(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """Every observation form starts on "Choose..." for where; sent without it, the observation
    is refused with a message and comes back as it was left. A proposal from the pupil's
    answers needs none: they were given in a lesson."""
    school = make_school(session)
    _answer_stop_block_tell(app, school)
    session.commit()
    sign_in(client, school.teacher.username)
    form = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    where = form.split('name="context">', 1)[1].split("</select>", 1)[0]
    assert where.startswith('<option value="">Choose&hellip;</option>')
    assert "selected" not in where
    assert "At home" in where
    path = f"/assessment/pupils/{school.pupil.id}/observations"
    sent = {"objective_id": SF, "level": "4", "note": "Told her mum at the shop"}
    refused = client.post(path, data=sent)
    assert refused.status_code == 400
    assert "Choose where it was seen" in refused.text
    assert "Told her mum at the shop</textarea>" in refused.text
    assert session.scalar(select(func.count(Observation.id))) == 0
    proposal = {"objective_id": SF, "level": "3", "from_proposal": "y"}
    assert client.post(path, data=proposal).status_code == 302
    assert client.post(path, data=sent | {"context": "community"}).status_code == 302
    contexts = session.scalars(select(Observation.context).order_by(Observation.id)).all()
    assert contexts == ["lesson", "community"]
    shown = client.get(f"/assessment/pupils/{school.pupil.id}/objectives/{SF}").text
    assert "<td>In the community</td>" in shown


def test_fast_recording_without_where_keeps_the_pupils_ticked(
    client: FlaskClient, session: Session
) -> None:
    school = make_school(session)
    other = make_pupil(session, school.oak, first_name="Zac")
    session.commit()
    sign_in(client, school.teacher.username)
    path = f"/assessment/classes/{school.oak.id}/record"
    page = client.get(path, query_string={"lesson_id": "stop-block-tell"}).text
    where = page.split('name="context" required>', 1)[1].split("</select>", 1)[0]
    assert where.startswith('<option value="">Choose&hellip;</option>')
    assert "selected" not in where
    sent = {"lesson_id": "stop-block-tell", "pupil_ids": [str(other.id)], "level": "3",
            "observed_on": school_today().isoformat()}  # fmt: skip
    refused = client.post(path, data=sent)
    assert refused.status_code == 400
    assert "Choose where it was seen" in refused.text
    assert f'name="pupil_ids" value="{other.id}" checked>' in refused.text
    assert f'name="pupil_ids" value="{school.pupil.id}">' in refused.text
    assert session.scalar(select(func.count(Observation.id))) == 0
    assert client.post(path, data=sent | {"context": "home"}).status_code == 303
    assert session.scalar(select(Observation.context)) == "home"


def _answer_stop_block_tell(app: Flask, school: object, *, back_then_wrong: bool = False) -> None:
    """One semi-formal attempt, every choose step right first time; with `back_then_wrong`, the
    pupil then presses Back on each and taps a wrong card (the page gives a new first try)."""
    version = app.extensions["lessons"].get("stop-block-tell").version(ContentPathway.SEMI_FORMAL)
    ipad = pupil_on_ipad(app, school)
    url = ipad.post("/pupil/lessons/stop-block-tell/start").location
    for n, step in enumerate(version.steps, 1):
        if isinstance(step, ChooseStep):
            right = next(i for i, o in enumerate(step.options, 1) if o.correct)
            wrong = next(i for i, o in enumerate(step.options, 1) if not o.correct)
            step_url = url.replace("/steps/1", f"/steps/{n}")
            ipad.post(step_url, data={"answer": f"o{right}", "tries": "1", "key": f"r{n}"})
            if back_then_wrong:
                ipad.post(step_url, data={"answer": f"o{wrong}", "tries": "1", "key": f"w{n}"})


def test_a_proposal_counts_only_answers_given_at_the_objective_s_pathway(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    _answer_stop_block_tell(app, school)
    semi = services.propose(
        session, school.pupil, "stop-block-tell", Pathway.SEMI_FORMAL, objective_id=SF, zone=ZONE
    )
    assert semi is not None
    assert "100% right first time" in semi.reason
    # The lesson moved to formal: nothing the pupil did shows the formal objective.
    formal = services.propose(
        session, school.pupil, "stop-block-tell", Pathway.FORMAL,
        objective_id="stop-block-tell.f", zone=ZONE,
    )  # fmt: skip
    assert formal is None


def test_back_and_a_second_tap_on_an_answered_question_does_not_lower_the_proposal(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    _answer_stop_block_tell(app, school, back_then_wrong=True)
    proposal = services.propose(
        session, school.pupil, "stop-block-tell", Pathway.SEMI_FORMAL, objective_id=SF, zone=ZONE
    )
    assert proposal is not None
    assert "100% right first time over 1 session(s)" in proposal.reason
