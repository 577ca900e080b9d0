"""Each child's feed: learning moments, messages, tips, notices, quiet hours, seen, export."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import pyzipper
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Forbidden, Invalid
from classroom.lessons import maps
from classroom.lessons.models import LessonAttempt
from classroom.parents import services, tips
from classroom.parents.delivery import QuietHours
from classroom.parents.models import CarerSettings, EmailMode, FeedItem, FeedKind, FeedReceipt
from classroom.worries import services as worries
from classroom.worries.models import IncidentEntry, ParentContact
from tests.app_settings import carer_emails, lesson_files
from tests.conftest import Clock, client_for
from tests.factories import link_parent, make_account, make_pupil
from tests.lesson_helpers import all_lessons
from tests.parents_helpers import (
    NEXT_MORNING,
    QUIET_EVENING,
    Family,
    incident_about,
    moment,
    send_notice,
)


def test_learning_moment_reaches_only_that_childs_carers(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family, note="Amira sorted every message herself.")
    for carer in (family.carer, family.second_carer):
        page = client_for(app, carer).get(f"/family/children/{family.child.id}").data.decode()
        assert "Sorts kind and unkind messages" in page
        assert "Does it on their own" in page  # the level in carers' words
        assert "Amira sorted every message herself." in page
    other = client_for(app, family.other_carer).get(f"/family/children/{family.other.id}")
    assert "Sorts kind and unkind" not in other.data.decode()


def test_staff_share_a_learning_moment_from_the_form(
    app: Flask, session: Session, family: Family
) -> None:
    client = client_for(app, family.ta)
    form = client.get(f"/parents/pupils/{family.child.id}/share").data.decode()
    assert "Kind and unkind" in form
    for name in ("objective", "level"):  # what reaches home is chosen, never assumed
        select_box = form.split(f'name="{name}"')[1].split("</select>")[0]
        assert select_box.split("<option")[1].startswith(' value="">Choose…'), name
        assert "selected" not in select_box, name
    unchosen = client.post(
        f"/parents/pupils/{family.child.id}/share", data={"note": "Well done", "key": "k0"}
    )
    assert unchosen.status_code == 400
    assert "Choose what they were learning." in unchosen.data.decode()
    assert "Choose how they did." in unchosen.data.decode()
    assert session.scalar(select(FeedItem)) is None  # nothing shared
    catalogue = lesson_files()
    objective_id = catalogue.get("kind-and-unkind").versions[1].objective.id
    response = client.post(
        f"/parents/pupils/{family.child.id}/share",
        data={"objective": objective_id, "level": "3", "note": "Well done", "key": "k1"},
    )
    assert response.status_code == 302
    item = session.scalar(select(FeedItem))
    assert item is not None
    assert item.kind == FeedKind.LEARNING_MOMENT
    assert item.level_words.startswith("Secure")
    client.post(
        f"/parents/pupils/{family.child.id}/share",
        data={"objective": objective_id, "level": "3", "note": "Well done", "key": "k1"},
    )
    assert len(list(session.scalars(select(FeedItem)))) == 1  # a double tap shares once


def test_only_that_pupils_class_staff_share_and_message(session: Session, family: Family) -> None:
    with pytest.raises(Forbidden):
        services.share_learning_moment(
            session,
            family.willow_teacher,
            family.child,
            "x",
            "y",
            "",
            now=utcnow(),
            emails=carer_emails(),
        )
    with pytest.raises(Forbidden):
        services.send_staff_message(
            session, family.admin, family.child, "Hello", now=utcnow(), emails=carer_emails()
        )
    services.send_staff_message(
        session, family.dsl, family.child, "Hello from the DSL", now=utcnow(), emails=carer_emails()
    )


def test_a_staff_message_goes_to_every_connected_carer_or_to_one(
    app: Flask, session: Session, family: Family
) -> None:
    services.send_staff_message(
        session, family.teacher, family.child, "To both of you", now=utcnow(), emails=carer_emails()
    )
    services.send_staff_message(
        session,
        family.teacher,
        family.child,
        "Just for mum",
        to_carer_id=family.carer.id,
        now=utcnow(),
        emails=carer_emails(),
    )
    session.commit()
    mum = client_for(app, family.carer).get(f"/family/children/{family.child.id}").data.decode()
    dad = client_for(app, family.second_carer).get(f"/family/children/{family.child.id}")
    assert "To both of you" in mum
    assert "Just for mum" in mum
    assert "To both of you" in dad.data.decode()
    assert "Just for mum" not in dad.data.decode()
    with pytest.raises(Invalid):
        services.send_staff_message(
            session,
            family.teacher,
            family.child,
            "Wrong",
            to_carer_id=family.other_carer.id,
            now=utcnow(),
            emails=carer_emails(),
        )


@pytest.mark.usefixtures("session")
def test_carers_never_see_each_others_messages(app: Flask, family: Family) -> None:
    mum = client_for(app, family.carer)
    response = mum.post(
        f"/family/children/{family.child.id}/messages", data={"body": "Mum's private note"}
    )
    assert response.status_code == 302
    assert "Mum&#39;s private note" in mum.get(f"/family/children/{family.child.id}").data.decode()
    dad = client_for(app, family.second_carer).get(f"/family/children/{family.child.id}")
    assert "private note" not in dad.data.decode()
    staff = client_for(app, family.teacher).get(f"/parents/pupils/{family.child.id}")
    assert "Mum&#39;s private note" in staff.data.decode()


def test_a_new_carer_does_not_see_messages_from_before_they_were_connected(
    session: Session, family: Family, clock: Clock
) -> None:
    services.send_staff_message(
        session,
        family.teacher,
        family.child,
        "Earlier message",
        now=utcnow(),
        emails=carer_emails(),
    )
    moment(session, family)
    clock.advance(minutes=5)
    newcomer = make_account(session, family.carer.role, display_name="Foster carer")
    link_parent(session, newcomer, family.child)
    visible = list(session.scalars(policy.carer_feed_items(newcomer, clock())))
    assert [i.kind for i in visible] == [FeedKind.LEARNING_MOMENT]


def test_quiet_hours_hold_a_message_until_the_morning(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    item = services.send_staff_message(
        session, family.teacher, family.child, "Evening note", now=utcnow(), emails=carer_emails()
    )
    session.commit()
    assert item.deliver_at == NEXT_MORNING
    mum = client_for(app, family.carer)
    assert "Evening note" not in mum.get(f"/family/children/{family.child.id}").data.decode()
    staff = client_for(app, family.teacher).get(f"/parents/pupils/{family.child.id}")
    assert "Waiting for quiet hours to end" in staff.data.decode()
    clock.set(NEXT_MORNING + timedelta(minutes=1))
    mum = client_for(app, family.carer)
    assert "Evening note" in mum.get(f"/family/children/{family.child.id}").data.decode()


@pytest.mark.usefixtures("app")
def test_quiet_hours_rules() -> None:
    hours = QuietHours(time(16, 30), time(8), True, frozenset({date(2027, 2, 15)}), ZoneInfo("UTC"))
    friday_evening = datetime(2027, 2, 12, 18, 0, tzinfo=UTC)
    assert hours.next_open(friday_evening) == datetime(2027, 2, 16, 8, 0, tzinfo=UTC)  # holiday
    assert hours.next_open(datetime(2027, 2, 16, 9, 0, tzinfo=UTC)) == datetime(
        2027, 2, 16, 9, 0, tzinfo=UTC
    )
    assert hours.next_open(datetime(2027, 2, 17, 7, 0, tzinfo=UTC)) == datetime(
        2027, 2, 17, 8, 0, tzinfo=UTC
    )
    summer = QuietHours(time(16, 30), time(8), True, frozenset(), ZoneInfo("Europe/London"))
    evening = datetime(2027, 6, 15, 16, 0, tzinfo=UTC)  # 17:00 in London (BST)
    assert summer.next_open(evening) == datetime(2027, 6, 16, 7, 0, tzinfo=UTC)


def test_carers_messages_reach_staff_at_once(
    session: Session, family: Family, clock: Clock
) -> None:
    clock.set(QUIET_EVENING)
    item = services.send_carer_message(
        session, family.carer, family.child, "Evening question", now=utcnow(), emails=carer_emails()
    )
    assert item.deliver_at == QUIET_EVENING


def test_staff_see_when_each_carer_has_seen_a_message(
    app: Flask, session: Session, family: Family
) -> None:
    services.send_staff_message(
        session,
        family.teacher,
        family.child,
        "Did you see this?",
        now=utcnow(),
        emails=carer_emails(),
    )
    session.commit()
    staff = client_for(app, family.teacher)
    assert "Not seen yet" in staff.get(f"/parents/pupils/{family.child.id}").data.decode()
    client_for(app, family.carer).get(f"/family/children/{family.child.id}")
    page = staff.get(f"/parents/pupils/{family.child.id}").data.decode()
    assert "Seen by Mrs Sara Khan" in page
    assert "Mr Omar Khan (" not in page
    receipts = list(session.scalars(select(FeedReceipt)))
    assert len(receipts) == 1


def test_home_counts_new_things_per_child(app: Flask, session: Session, family: Family) -> None:
    moment(session, family)
    services.send_staff_message(
        session, family.teacher, family.child, "Hello", now=utcnow(), emails=carer_emails()
    )
    session.commit()
    mum = client_for(app, family.carer)
    assert "2 new" in mum.get("/family/children/").data.decode()
    mum.get(f"/family/children/{family.child.id}")
    assert "new</strong>" not in mum.get("/family/children/").data.decode()


def test_the_weeks_tip_follows_what_the_child_is_learning(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    tip = tips.tip_for(session, family.child, clock(), lesson_files())
    assert tip is not None
    first = maps.next_first(session, family.child, all_lessons(session), today=utcnow().date())[0]
    assert tip.lesson_id == first.lesson.id  # next on the map
    assert tip.text == tips.TIPS[tip.lesson_id]
    page = client_for(app, family.carer).get(f"/family/children/{family.child.id}").data.decode()
    assert f"This week in e-safety: {tip.lesson_title}" in page
    session.add(
        LessonAttempt(
            pupil_id=family.child.id,
            lesson_id="stop-block-tell",
            pathway=family.child.pathway,
            started_at=clock(),
        )
    )
    session.commit()
    played = tips.tip_for(session, family.child, clock(), lesson_files())
    assert played is not None
    assert played.lesson_id == "stop-block-tell"
    clock.advance(days=8)
    assert tips.tip_for(session, family.child, clock(), lesson_files()).lesson_id == tip.lesson_id


@pytest.mark.usefixtures("app")
def test_every_lesson_has_a_tip_and_every_tip_a_lesson() -> None:
    assert set(tips.TIPS) == {lesson.id for lesson in lesson_files()}


@pytest.mark.usefixtures("app")
def test_tips_never_choose_a_teacher_enabled_lesson(session: Session, family: Family) -> None:
    enabled_only = {lesson.id for lesson in lesson_files() if lesson.teacher_enabled_only}
    lessons = all_lessons(session)
    for week in range(60):
        when = datetime(2027, 1, 4, tzinfo=UTC) + timedelta(weeks=week)
        assert not set(tips.lessons_this_week(session, family.child, when, lessons)) & enabled_only


def test_symbols_and_read_aloud_for_carers_who_want_them(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family)
    mum = client_for(app, family.carer)
    assert "sym-word" not in mum.get(f"/family/children/{family.child.id}").data.decode()
    response = mum.post("/family/settings", data={"email_mode": "each", "symbols": "y"})
    assert response.status_code == 302
    page = mum.get(f"/family/children/{family.child.id}").data.decode()
    assert "sym-word" in page
    assert "data-read-to-me" in page


def test_carers_choose_their_emails(app: Flask, session: Session, family: Family) -> None:
    mum = client_for(app, family.carer)
    assert mum.get("/family/settings").status_code == 200
    assert mum.post("/family/settings", data={"email_mode": "daily"}).status_code == 302
    prefs = session.get(CarerSettings, family.carer.id)
    assert prefs is not None
    assert prefs.email_mode == EmailMode.DAILY
    assert mum.post("/family/settings", data={"email_mode": "sometimes"}).status_code == 400


# --- Incident notices -------------------------------------------------------------------------


def test_notice_is_sent_only_when_the_decision_is_inform_now(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.NOT_NOW)
    with pytest.raises(Invalid, match="inform parents/carers now"):
        send_notice(session, family.dsl, incident, family.child, "Hello")
    dsl = client_for(app, family.dsl)
    page = dsl.get(f"/parents/incidents/{incident.id}/notice").data.decode()
    assert "Nothing can be sent now" in page
    response = dsl.post(
        f"/parents/incidents/{incident.id}/notice/{family.child.id}",
        data={f"p{family.child.id}-text": "Hello"},
    )
    assert response.status_code == 400
    assert session.scalar(select(FeedItem)) is None


def test_dsl_edits_approves_and_sends_a_depersonalised_notice(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    dsl = client_for(app, family.dsl)
    page = dsl.get(f"/parents/incidents/{incident.id}/notice").data.decode()
    assert "online-safety matter at school that involved Amira" in page
    # The record is still open: the text the DSL starts from reassures nobody of anything.
    assert "safe" not in page.split("online-safety matter", 1)[1].split("</textarea>")[0]
    assert "dealt with" not in page
    text = "We want to let you know about an online-safety matter involving Amira. She is safe."
    response = dsl.post(
        f"/parents/incidents/{incident.id}/notice/{family.child.id}",
        data={f"p{family.child.id}-text": text, f"p{family.child.id}-key": "n1"},
    )
    assert response.status_code == 302
    mum = client_for(app, family.carer).get(f"/family/children/{family.child.id}").data.decode()
    assert "A notice from the school" in mum
    assert text in mum
    entry = session.scalar(select(IncidentEntry).where(IncidentEntry.kind == "parents"))
    assert entry is not None
    assert "Mrs Sara Khan" in entry.text
    # One notice per decision: the incident page no longer offers a second.
    incident_page = dsl.get(f"/safeguarding/{incident.id}").data.decode()
    assert "Send a notice to parents and carers" not in incident_page
    assert "A notice has been sent under this decision. Another needs a new decision." in (
        incident_page
    )


def test_notice_naming_another_pupil_is_refused_with_a_clear_message(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW, family.other)
    for text in ("Ben was unkind to Amira.", "A message from ben taylor upset her.", "Zara too"):
        with pytest.raises(Invalid, match="name of another pupil"):
            send_notice(session, family.dsl, incident, family.child, text)
    dsl = client_for(app, family.dsl)
    response = dsl.post(
        f"/parents/incidents/{incident.id}/notice/{family.child.id}",
        data={f"p{family.child.id}-text": "Ben sent messages."},
    )
    assert response.status_code == 400
    assert "is the name of another pupil" in response.data.decode()
    send_notice(session, family.dsl, incident, family.child, "Amira is safe.")


def test_another_pupil_is_found_however_the_name_was_typed(
    app: Flask, session: Session, family: Family
) -> None:
    """Texts to carers are typed fast: without accents, without apostrophes, as initials.
    Each still points at another child, and each must be refused."""
    make_pupil(session, family.oak, first_name="Zo\u00eb", last_name="Brown")
    session.commit()
    incident = incident_about(session, family, ParentContact.INFORM_NOW, family.other)
    for text in (
        "Zoe showed her the video.",
        "Bens mum phoned us.",
        "We met the Taylors.",
        "B.T. sent the messages.",
        "ZB was there too.",
    ):
        with pytest.raises(Invalid, match="another pupil"):
            send_notice(session, family.dsl, incident, family.child, text)
    client = client_for(app, family.teacher)
    url = f"/parents/pupils/{family.child.id}/messages"
    refused = client.post(url, data={"message-to": "", "message-body": "B. T. was kind"})
    assert refused.status_code == 400
    assert "could be another pupil&rsquo;s initials" in refused.text or (
        "could be another pupil\u2019s initials" in refused.text
    )
    # Her own initials, her sister's surname and the school's own words stay allowed.
    send_notice(
        session, family.dsl, incident, family.child,
        "A.K. and her TA talked in PE. The Khans can phone us.",
    )  # fmt: skip


def test_notice_for_another_linked_pupil_goes_to_their_carers_only(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW, family.other)
    send_notice(session, family.dsl, incident, family.other, "Ben is safe.")
    session.commit()
    # Amira's carers have none yet: the incident page still offers to send one.
    incident_page = client_for(app, family.dsl).get(f"/safeguarding/{incident.id}").text
    assert "Send a notice to parents and carers" in incident_page
    mum = client_for(app, family.carer).get(f"/family/children/{family.child.id}")
    assert "is safe" not in mum.data.decode()
    jo = client_for(app, family.other_carer).get(f"/family/children/{family.other.id}")
    assert "Ben is safe." in jo.data.decode()


def test_only_the_safeguarding_team_sends_notices(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    teacher = client_for(app, family.teacher)
    assert teacher.get(f"/parents/incidents/{incident.id}/notice").status_code == 403
    with pytest.raises(Forbidden):
        send_notice(session, family.teacher, incident, family.child, "x")


def test_do_not_contact_blocks_every_route_about_that_incident(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    send_notice(session, family.dsl, incident, family.child, "Amira is safe.")
    services.send_staff_message(
        session,
        family.dsl,
        family.child,
        "Follow-up about it",
        incident_id=incident.id,
        now=utcnow(),
        emails=carer_emails(),
    )
    session.commit()
    mum = client_for(app, family.carer)
    assert "Follow-up about it" in mum.get(f"/family/children/{family.child.id}").data.decode()

    worries.decide_parent_contact(
        session,
        family.dsl,
        incident,
        ParentContact.DO_NOT_CONTACT,
        "Risk at home",
        None,
        now=utcnow(),
    )
    session.commit()
    page = mum.get(f"/family/children/{family.child.id}").data.decode()
    assert "Amira is safe." not in page
    assert "Follow-up about it" not in page
    with pytest.raises(Invalid, match="do not contact"):
        send_notice(session, family.dsl, incident, family.child, "Again")
    with pytest.raises(Invalid, match="do not contact"):
        services.send_staff_message(
            session,
            family.dsl,
            family.child,
            "Chosen",
            incident_id=incident.id,
            now=utcnow(),
            emails=carer_emails(),
        )
    with pytest.raises(Invalid, match="do not contact"):
        services.send_staff_message(
            session,
            family.dsl,
            family.child,
            f"About {incident.reference}, as discussed",
            now=utcnow(),
            emails=carer_emails(),
        )


def test_class_staff_cannot_mention_a_safeguarding_record(session: Session, family: Family) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    with pytest.raises(Invalid, match="Only the safeguarding team"):
        services.send_staff_message(
            session,
            family.teacher,
            family.child,
            f"Re {incident.reference}: all fine",
            now=utcnow(),
            emails=carer_emails(),
        )


def test_staff_texts_never_name_another_pupil(session: Session, family: Family) -> None:
    with pytest.raises(Invalid, match="another pupil"):
        services.send_staff_message(
            session,
            family.teacher,
            family.child,
            "Played with Ben",
            now=utcnow(),
            emails=carer_emails(),
        )
    with pytest.raises(Invalid, match="another pupil"):
        moment(session, family, note="Worked with Zara Khan")
    services.send_staff_message(
        session,
        family.teacher,
        family.child,
        "Amira Khan did well",
        now=utcnow(),
        emails=carer_emails(),
    )


def test_class_staff_never_see_incident_notices(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    send_notice(session, family.dsl, incident, family.child, "Amira is safe.")
    session.commit()
    page = client_for(app, family.teacher).get(f"/parents/pupils/{family.child.id}")
    assert "Amira is safe." not in page.data.decode()
    dsl_page = client_for(app, family.dsl).get(f"/parents/pupils/{family.child.id}")
    assert "Amira is safe." in dsl_page.data.decode()


# --- Export and audit -----------------------------------------------------------------------


def test_dsl_exports_the_message_log_encrypted(
    app: Flask, session: Session, family: Family
) -> None:
    services.send_staff_message(
        session, family.teacher, family.child, "=1+1 hello", now=utcnow(), emails=carer_emails()
    )
    services.send_carer_message(
        session, family.carer, family.child, "Thanks", now=utcnow(), emails=carer_emails()
    )
    session.commit()
    dsl = client_for(app, family.dsl)
    phrase = "a long passphrase 42"
    response = dsl.post("/parents/export", data={"passphrase": phrase, "confirm": phrase})
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    with pyzipper.AESZipFile(io.BytesIO(response.data)) as archive:
        archive.setpassword(phrase.encode())
        text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    assert "'=1+1 hello" in text  # never a spreadsheet formula
    assert "Thanks" in text
    assert "Amira Khan" in text
    short = dsl.post("/parents/export", data={"passphrase": "short", "confirm": "short"})
    assert short.status_code == 400
    assert client_for(app, family.teacher).get("/parents/export").status_code == 403


def test_every_view_of_a_childs_data_is_audited(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family)
    mum = client_for(app, family.carer)
    mum.get("/family/children/")
    mum.get(f"/family/children/{family.child.id}")
    mum.get(f"/family/children/{family.child.id}/photo-consent")
    client_for(app, family.teacher).get(f"/parents/pupils/{family.child.id}")
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {
        "pupil.viewed_by_carer",
        "parents.feed_viewed",
        "parents.consent_viewed",
        "parents.pupil_viewed",
        "parents.learning_moment_shared",
    } <= actions


def test_class_staff_message_carers_from_the_pupil_page(
    app: Flask, session: Session, family: Family
) -> None:
    client = client_for(app, family.teacher)
    url = f"/parents/pupils/{family.child.id}/messages"
    sent = client.post(url, data={"message-to": "", "message-body": "Hello from Oak"})
    assert sent.status_code == 302
    wrong = client.post(
        url, data={"message-to": str(family.other_carer.id), "message-body": "Hello"}
    )
    assert wrong.status_code == 400
    assert "Not a valid choice" in wrong.data.decode()
    named = client.post(url, data={"message-to": "", "message-body": "Ben was kind"})
    assert named.status_code == 400
    assert "is the name of another pupil" in named.data.decode()
    page = client_for(app, family.carer).get(f"/family/children/{family.child.id}")
    assert "Hello from Oak" in page.data.decode()
    assert len(list(session.scalars(select(FeedItem)))) == 1
