"""Parent contact decided per family on a record with several pupils.

A cyberbullying worry: Amira reported unkind messages; the DSL links Ben (alleged to have sent
them). Amira's family is to be told now; Ben's is held back (telling them may put Amira at
risk, or Ben). Before, the decision was one for the whole record: "inform now" let Ben's
carers be told too, and "not now" for Ben's sake held Amira's family back as well. Now a
decision is for every family (no pupil) or for one pupil's carers; the decision in force for a
pupil's carers is the latest made for every family or for theirs.
"""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from classroom import policy
from classroom.db import make_engine, utcnow
from classroom.errors import Invalid
from classroom.migrate import alembic_config, upgrade
from classroom.parents import tips
from classroom.worries import services as worries
from classroom.worries import transfer
from classroom.worries.models import (
    Category,
    Incident,
    IncidentEntry,
    ParentContact,
    ParentContactDecision,
    PupilRole,
    Risk,
)
from classroom.worries.queue import REVIEW, follow_ups_due
from tests import databases, factories
from tests.app_settings import lesson_files
from tests.conftest import Clock, client_for
from tests.lesson_helpers import all_lessons
from tests.parents_helpers import Family, incident_about, make_family, moment, send_notice

FOLLOW_UP = "pressure-secrets-pictures"
NOTICE = "We would like to talk with you about something that happened online this week."


def amira_and_ben(session: Session, family: Family) -> Incident:
    incident = incident_about(session, family, None)
    worries.triage(
        session, family.dsl, incident,
        worries.Triage(Category.CYBERBULLYING, Risk.MEDIUM, "Unkind messages", False, None),
        now=utcnow(),
    )  # fmt: skip
    worries.link_pupil(session, family.dsl, incident, family.other.id, PupilRole.INVOLVED,
                       now=utcnow(), reason="Alleged to have sent them")  # fmt: skip
    session.commit()
    session.refresh(incident)
    return incident


def _decide(
    session: Session,
    family: Family,
    incident: Incident,
    decision: ParentContact,
    pupil_id: int | None,
    reason: str = "Reason text",
) -> None:
    review_on = utcnow().date() + timedelta(days=7) if decision == ParentContact.NOT_NOW else None
    worries.decide_parent_contact(
        session, family.dsl, incident, decision, reason, review_on, now=utcnow(),
        checked=True, pupil_id=pupil_id,
    )  # fmt: skip
    session.commit()
    session.refresh(incident)


def _sees(app: Flask, carer: object, pupil_id: int, words: str) -> bool:
    page = client_for(app, carer).get(f"/family/children/{pupil_id}")  # type: ignore[arg-type]
    assert page.status_code == 200
    return words in page.get_data(as_text=True)


def test_amiras_family_is_told_while_bens_is_held_back_until_a_decision_for_him(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)
    worries.add_follow_up_lesson(
        session, family.dsl, incident, family.other.id, FOLLOW_UP, all_lessons(session),
        "Revisit kind messages", now=utcnow(),
    )  # fmt: skip
    session.commit()
    clock.advance(minutes=5)
    _decide(session, family, incident, ParentContact.INFORM_NOW, family.child.id)
    _decide(session, family, incident, ParentContact.NOT_NOW, family.other.id)

    # Amira's carers: her notice, and what class staff share since the worry.
    send_notice(session, family.dsl, incident, family.child, NOTICE)
    moment(session, family, note="Amira sorted messages")
    session.commit()
    assert policy.may_tell_carers(session, family.child.id)
    assert _sees(app, family.carer, family.child.id, NOTICE)
    assert _sees(app, family.carer, family.child.id, "Amira sorted messages")

    # Ben's carers: nothing new, no weekly tip, and no notice can go to them.
    moment(session, family, note="Ben sorted messages", pupil=family.other)
    assert not policy.may_tell_carers(session, family.other.id)
    assert tips.tip_for(session, family.other, clock(), lesson_files()) is None
    assert not _sees(app, family.other_carer, family.other.id, "Ben sorted messages")
    assert not policy.may_send_notice(session, incident, family.other.id)
    with pytest.raises(Invalid, match="Ben Taylor's parents and carers can be told"):
        send_notice(session, family.dsl, incident, family.other, NOTICE)
    session.rollback()
    assert policy.holding_incidents(session, family.other.id, utcnow()) == [incident.id]
    assert policy.holding_incidents(session, family.child.id, utcnow()) == []

    # A later decision for every family stands for both.
    clock.advance(minutes=5)
    _decide(session, family, incident, ParentContact.INFORM_NOW, None)
    assert policy.may_tell_carers(session, family.other.id)
    assert tips.tip_for(session, family.other, clock(), lesson_files()) is not None
    assert _sees(app, family.other_carer, family.other.id, "Ben sorted messages")
    assert policy.notice_pupils(session, incident) == [family.child.id, family.other.id]

    # And a later "not now" for every family holds Amira's back again.
    clock.advance(minutes=5)
    _decide(session, family, incident, ParentContact.NOT_NOW, None)
    assert not policy.may_tell_carers(session, family.child.id)
    assert not policy.may_tell_carers(session, family.other.id)


def test_do_not_contact_for_ben_only_refuses_his_notice_and_allows_amiras(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)
    _decide(session, family, incident, ParentContact.INFORM_NOW, None)
    early = send_notice(session, family.dsl, incident, family.other, NOTICE)
    session.commit()
    assert _sees(app, family.other_carer, family.other.id, NOTICE)

    clock.advance(minutes=5)
    _decide(session, family, incident, ParentContact.DO_NOT_CONTACT, family.other.id)
    with pytest.raises(Invalid, match="about Ben Taylor's carers is .do not contact"):
        send_notice(session, family.dsl, incident, family.other, NOTICE + " Again.")
    session.rollback()
    # The lock hides what was sent about the incident to Ben's carers, at once.
    assert not _sees(app, family.other_carer, family.other.id, NOTICE)
    assert early.id  # kept in the record, only hidden from them
    item = send_notice(session, family.dsl, incident, family.child, NOTICE)
    session.commit()
    assert item.pupil_id == family.child.id
    assert _sees(app, family.carer, family.child.id, NOTICE)


def _page(client: FlaskClient, incident: Incident) -> str:
    return html.unescape(client.get(f"/safeguarding/{incident.id}").get_data(as_text=True))


def parent_seen(page: str) -> str:
    """The parent-contact form's `seen` (the last entry the page was drawn with)."""
    found = re.search(r'name="parent-seen"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="parent-seen"',
                      page)  # fmt: skip
    assert found is not None
    return found.group(1) or found.group(2)


def _group(page: str) -> str:
    return page[page.index('id="parent-whose"') : page.index("</fieldset>", page.index(
        'id="parent-whose"'))]  # fmt: skip


def test_the_form_asks_whose_carers_with_nothing_chosen_and_keeps_what_was_typed(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)
    dsl = client_for(app, family.dsl)
    page = _page(dsl, incident)
    group = _group(page)
    assert "Whose carers is this for?" in group
    assert "Every family on this record (Amira Khan, affected; Ben Taylor, involved)" in group
    assert "Only Amira Khan's carers (affected)" in group
    assert "Only Ben Taylor's carers (involved)" in group
    assert " checked" not in group  # no family chosen for the DSL
    assert "Each family can have its own decision" in page

    review = (utcnow().date() + timedelta(days=7)).isoformat()
    sent = {
        "parent-decision": "not_now",
        "parent-reason": "Telling Ben's family may put Amira at risk",
        "parent-review_on": review,
        "parent-seen": parent_seen(page),
    }
    refused = dsl.post(f"/safeguarding/{incident.id}/parent-contact", data=sent)
    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    group = _group(page)
    assert 'id="parent-whose-error"' in group
    assert "Choose whose carers this decision is for" in group
    assert 'aria-describedby="parent-whose-error"' in page
    assert "Telling Ben's family may put Amira at risk</textarea>" in page
    assert f'value="{review}"' in page
    assert session.scalar(select(ParentContactDecision.id)) is None

    made = dsl.post(
        f"/safeguarding/{incident.id}/parent-contact",
        data=sent | {"parent-whose": str(family.other.id)},
    )
    assert made.status_code in (302, 303)
    decision = session.scalars(select(ParentContactDecision)).one()
    assert decision.pupil_id == family.other.id
    entry = session.scalars(
        select(IncidentEntry.text).where(IncidentEntry.kind == "parent_contact")
    ).one()
    assert entry.startswith(
        "Parent contact for Ben Taylor's carers: Not now (review later), review on "
    )

    # Amira's family told now: the page names each family's decision.
    seen = parent_seen(_page(dsl, incident))
    told = dsl.post(f"/safeguarding/{incident.id}/parent-contact", data={
        "parent-decision": "inform_now", "parent-reason": "Her mum should know today",
        "parent-seen": seen, "parent-whose": str(family.child.id),
    })  # fmt: skip
    assert told.status_code in (302, 303)
    page = _page(dsl, incident)
    by_family = page[page.index('id="contact-by-family"') : page.index("</ul>", page.index(
        'id="contact-by-family"'))]  # fmt: skip
    assert "Amira Khan's carers (affected):</strong> Inform parents/carers now" in by_family
    assert "Ben Taylor's carers (involved):</strong> Not now (review later), review on" in by_family
    assert "Carers are told nothing new about Ben Taylor</strong>" in page


def test_one_pupil_on_the_record_is_not_asked_whose_carers(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = incident_about(session, family, None)
    dsl = client_for(app, family.dsl)
    page = _page(dsl, incident)
    assert 'name="parent-whose"' not in page
    made = dsl.post(f"/safeguarding/{incident.id}/parent-contact", data={
        "parent-decision": "inform_now", "parent-reason": "Tell her family",
        "parent-seen": parent_seen(page),
    })  # fmt: skip
    assert made.status_code in (302, 303)
    assert session.scalars(select(ParentContactDecision.pupil_id)).one() is None


def test_amiras_child_protection_file_carries_no_decision_made_only_for_ben(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)
    _decide(session, family, incident, ParentContact.NOT_NOW, None, "Waiting to hear more")
    _decide(session, family, incident, ParentContact.DO_NOT_CONTACT, family.other.id,
            "His stepdad may punish him")  # fmt: skip
    _decide(session, family, incident, ParentContact.INFORM_NOW, family.child.id,
            "Her mum should know")  # fmt: skip

    def decisions(pupil_id: int) -> list[dict[str, str]]:
        pupil = session.get_one(type(family.child), pupil_id)
        plain, _n, _files = transfer.build_record(
            session, family.dsl, pupil, utcnow(), Path(app.instance_path)
        )
        record = json.loads(json.loads(plain)["record"])
        (entry,) = record["incidents"]
        return entry["parent_contact"]  # type: ignore[no-any-return]

    amiras = decisions(family.child.id)
    assert [(d["decision"], d["reason"], d["for"]) for d in amiras] == [
        ("Not now (review later)", "Waiting to hear more", "every family on the record"),
        ("Inform parents/carers now", "Her mum should know", "this pupil's carers"),
    ]
    assert "stepdad" not in json.dumps(amiras)
    bens = decisions(family.other.id)
    assert [d["reason"] for d in bens] == ["Waiting to hear more", "His stepdad may punish him"]


def test_closing_under_inform_now_for_amira_asks_only_about_amiras_family(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)
    _decide(session, family, incident, ParentContact.INFORM_NOW, family.child.id)
    _decide(session, family, incident, ParentContact.NOT_NOW, family.other.id)
    assert worries.carers_not_told(session, incident) == [family.child]
    with pytest.raises(Invalid, match="the carers of Amira Khan from this record") as refused:
        worries.close(
            session, family.dsl, incident, "Resolved", "Act sooner", keep_carers_held=True,
            carers_reason="Ben's family not yet", now=utcnow(),
        )  # fmt: skip
    assert "Ben" not in refused.value.message
    session.rollback()
    page = _page(client_for(app, family.dsl), incident)
    close = page[page.index('id="close"') :]
    assert "nothing has reached the carers of Amira Khan from this record" in close
    assert "Carers are being told nothing new about Ben Taylor because" in close


@pytest.mark.usefixtures("app")
def test_bens_not_now_comes_up_for_review_while_amiras_family_is_told(
    session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)
    _decide(session, family, incident, ParentContact.NOT_NOW, family.other.id)
    _decide(session, family, incident, ParentContact.INFORM_NOW, family.child.id)
    day = utcnow().date() + timedelta(days=7)
    scope = policy.visible_incidents(family.dsl)
    due = follow_ups_due(session, scope, day, receipts=False)
    assert [(f.incident_id, f.what) for f in due] == [(incident.id, REVIEW)]
    # A later decision for every family settles Ben's too: nothing to review.
    _decide(session, family, incident, ParentContact.INFORM_NOW, None)
    assert follow_ups_due(session, scope, day, receipts=False) == []


BEFORE = "symbol_overrides_one_per_layer"


def test_the_migration_keeps_every_decision_for_every_family_and_back(tmp_path: Path) -> None:
    url = databases.empty_database(tmp_path)
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as db:
        oak = factories.make_class(db)
        amira, ben = factories.make_pupil(db, oak), factories.make_pupil(db, oak)
        dsl = factories.make_account(db)
        incident = Incident(school_id=oak.school_id, idempotency_key="k", source="staff",
                            created_at=utcnow())  # type: ignore[arg-type]  # fmt: skip
        db.add(incident)
        db.flush()
        rows = [
            (ParentContact.NOT_NOW, None),  # for every family: kept
            (ParentContact.INFORM_NOW, amira.id),  # for Amira's: would speak for all, goes
            (ParentContact.DO_NOT_CONTACT, ben.id),  # for Ben's: kept, holds all back
        ]
        db.add_all(
            ParentContactDecision(incident_id=incident.id, decision=d, reason="r",
                                  decided_by_id=dsl.id, decided_at=utcnow(), pupil_id=p)
            for d, p in rows
        )  # fmt: skip
        db.commit()
    engine.dispose()

    command.downgrade(alembic_config(url), BEFORE)
    engine = make_engine(url)
    with engine.connect() as conn:
        left = conn.execute(
            text("SELECT decision FROM parent_contact_decisions ORDER BY id")
        ).scalars()
        assert list(left) == ["not_now", "do_not_contact"]
    engine.dispose()

    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        pupils = conn.execute(text("SELECT pupil_id FROM parent_contact_decisions")).scalars()
        assert list(pupils) == [None, None]  # each now for every family, as it was read
    engine.dispose()


def test_the_notice_page_says_each_familys_decision_and_whose_carers_cannot_be_sent_one(
    app: Flask, session: Session, clock: Clock
) -> None:
    """The DSL opening "Send a notice" after telling Amira's family and holding Ben's back sees
    each family's decision, and under Ben's why no notice can go, not a form to fill in vain."""
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)
    _decide(session, family, incident, ParentContact.INFORM_NOW, family.child.id)
    _decide(session, family, incident, ParentContact.NOT_NOW, family.other.id)
    dsl = client_for(app, family.dsl)
    page = html.unescape(
        dsl.get(f"/parents/incidents/{incident.id}/notice").get_data(as_text=True)
    )
    assert "each family's is under their notice" in page
    amira_h2, ben_h2 = "Amira Khan's carers (affected)</h2>", "Ben Taylor's carers (involved)</h2>"
    amira = page[page.index(amira_h2) : page.index(ben_h2)]
    ben = page[page.index(ben_h2) :]
    assert "Decision in force for them: <strong>Inform parents/carers now</strong>" in amira
    assert 'name="p' in amira  # Amira's notice form
    assert "Decision in force for them: <strong>Not now (review later)</strong>" in ben
    assert "A notice can go to Ben's carers only while" in ben
    assert f'name="p{family.other.id}-' not in ben
