"""A child's file sent without a record its maker may not see: the rest of the team are told.

Found on a walk: Ms Lopez raised a concern that Mr Bell, the DSL, shouted at Amira; Ms Evans
recorded it is about him, so it is closed to him. Amira left, and Mr Bell made her
child-protection file for the next school: the file left the concern out (as it must, for him)
and nobody knew the new school had an incomplete file.

Now his download is just as before, and nothing he sees says a record exists; the head and the
deputy (who may see it) are alerted and emailed, naming nobody, and the deputy sends a
complete file from the pupil's file page.
"""

from __future__ import annotations

import html
import json
import re
import uuid

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.worries import services, transfer
from classroom.worries.models import Incident, StaffAlert
from classroom.worries.transfer_models import CpTransfer
from tests.app_settings import base_url
from tests.conftest import client_for
from tests.worry_helpers import School, make_school, triaged_worry

PHRASE = "harbour violin pepper seventeen"
SHOUTED = "Mr Bell shouted at Amira in the hall and pulled her by the arm."
ALERT = "A child-protection file was sent without a record its sender may not see"
GAP = "cp_file.sent_without_record"
NEEDS_YOU = "A child-protection file needs you"


def _school(app: Flask, session: Session) -> tuple[School, Incident, Incident]:
    """Amira with a worry the whole team sees, and a concern about `about` (Mr Bell here)."""
    app.config["TRANSFER_SCRYPT_LOG2_N"] = 14
    school = make_school(session)
    worry = triaged_worry(session, school, child_protection=True)
    data = services.ConcernInput(school.pupil.id, SHOUTED, "speech", "", None)
    concern = services.raise_concern(
        session, school.teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
    )
    session.commit()
    return school, worry, concern


def _about(session: Session, school: School, concern: Incident, who: Account) -> None:
    by = school.deputy if who.id == school.dsl.id else school.dsl
    services.set_subject_staff(session, by, concern, who.id, now=utcnow(), base_url=base_url())
    session.commit()


def _export(browser: FlaskClient, school: School) -> list[str]:
    """The file as downloaded and opened: the references of the records in it."""
    response = browser.post(
        f"/safeguarding/pupils/{school.pupil.id}/cp-file/export",
        data={"passphrase": PHRASE, "confirm": PHRASE},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    plain = json.loads(transfer.open_package(response.data, PHRASE))
    record = json.loads(plain["record"])
    return [i["reference"] for i in record["incidents"]]


def _text(browser: FlaskClient, path: str) -> str:
    page = browser.get(path).get_data(as_text=True)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def _gap_alerts(session: Session) -> list[tuple[int, bool]]:
    """Who holds an alert that a file went without a record, oldest first, and seen or not."""
    rows = session.execute(
        select(StaffAlert.account_id, StaffAlert.seen_at)
        .where(StaffAlert.kind == services.CP_FILE_GAP)
        .order_by(StaffAlert.id)
    )
    return [(account_id, seen is not None) for account_id, seen in rows]


def _gap_emails(session: Session) -> list[OutboxMessage]:
    found = select(OutboxMessage).where(OutboxMessage.subject == NEEDS_YOU)
    return list(session.scalars(found.order_by(OutboxMessage.id)))


def test_the_dsl_it_is_about_sends_the_file_and_the_head_and_deputy_are_told(
    app: Flask, session: Session
) -> None:
    school, worry, concern = _school(app, session)
    _about(session, school, concern, school.dsl)
    bell = client_for(app, school.dsl)
    page_before = _text(bell, f"/safeguarding/pupils/{school.pupil.id}/cp-file")
    alerts_before = _text(bell, "/alerts/")
    count_before = bell.get("/alerts/count").json

    # His download is exactly the file he may see: the worry, nothing of the concern.
    assert _export(bell, school) == [worry.reference]
    made = session.scalars(select(CpTransfer)).one()
    assert (made.incidents, made.attachments) == (1, 0)
    # Nothing he sees says the record exists, or that anyone was told.
    page_after = _text(bell, f"/safeguarding/pupils/{school.pupil.id}/cp-file")
    assert "without a record" not in page_after
    assert concern.reference not in page_after
    assert page_after.count(worry.reference) == page_before.count(worry.reference)
    assert _text(bell, "/alerts/") == alerts_before
    assert bell.get("/alerts/count").json == count_before
    his_log = policy.visible_audit_entries(school.dsl).with_only_columns(AuditEvent.action)
    assert GAP not in session.scalars(his_log).all()
    assert GAP in session.scalars(select(AuditEvent.action)).all()

    # The head first, then the deputy; never him.
    head, deputy = school.head, school.deputy
    assert _gap_alerts(session) == [(head.id, False), (deputy.id, False)]
    emails = _gap_emails(session)
    assert [e.to_address for e in emails] == [head.email, deputy.email]
    for email in emails:
        said = f"{email.subject} {email.body}"
        for name in ("Amira", "Khan", "Bell", "Evans", "Shah", "Lopez", concern.reference,
                     worry.reference, school.pupil.upn):  # fmt: skip
            assert name not in said, name
        assert "sent to a pupil's next school without a record" in email.body
        assert f"{base_url()}/alerts/" in email.body
    # The record's audit entry is on the concern: the head reads it, he does not.
    on_concern = select(AuditEvent.summary).where(
        AuditEvent.action == GAP, AuditEvent.object_id == concern.id
    )
    assert "alerted" in session.scalars(on_concern).one()
    head_log = policy.visible_audit_entries(head).with_only_columns(AuditEvent.action)
    assert GAP in session.scalars(head_log).all()

    # The head reads it plainly on her Alerts page, and opens the record left out.
    shah = client_for(app, head)
    assert f"{ALERT} ({concern.reference})" in _text(shah, "/alerts/")
    assert f'href="/safeguarding/{concern.id}"' in shah.get("/alerts/").get_data(as_text=True)

    # The deputy goes from her alert to Amira's file page and sends a complete file.
    evans = client_for(app, deputy)
    alerts_page = evans.get("/alerts/").get_data(as_text=True)
    assert f'href="/safeguarding/pupils/{school.pupil.id}/cp-file"' in alerts_page
    assert f"{ALERT}: send a complete file" in _text(evans, "/alerts/")
    assert "A file of Amira's was sent without a record its sender may not see" in _text(
        evans, f"/safeguarding/pupils/{school.pupil.id}/cp-file"
    )
    assert _export(evans, school) == [worry.reference, concern.reference]
    assert _gap_alerts(session) == [(head.id, False), (deputy.id, True)]  # hers is done
    # Her file's count is not shown to him: it counts the record he may not know of.
    his_page = _text(bell, f"/safeguarding/pupils/{school.pupil.id}/cp-file")
    assert "1 incident, 0 files" in his_page  # his own file, as before
    assert "2 incidents" not in his_page
    assert "2 incidents, 0 files" in _text(evans, f"/safeguarding/pupils/{school.pupil.id}/cp-file")
    assert "A file of Amira's" not in _text(
        evans, f"/safeguarding/pupils/{school.pupil.id}/cp-file"
    )


def test_sending_it_again_does_not_pile_up_alerts(app: Flask, session: Session) -> None:
    school, worry, concern = _school(app, session)
    _about(session, school, concern, school.dsl)
    bell = client_for(app, school.dsl)
    assert _export(bell, school) == [worry.reference]
    assert _export(bell, school) == [worry.reference]
    assert _gap_alerts(session) == [(school.head.id, False), (school.deputy.id, False)]
    assert len(_gap_emails(session)) == 2
    # Once seen, a later file made without it is told again.
    shah = client_for(app, school.head)
    alert = session.scalars(
        select(StaffAlert).where(StaffAlert.kind == services.CP_FILE_GAP).order_by(StaffAlert.id)
    ).first()
    assert alert is not None
    assert shah.post(f"/alerts/{alert.id}/seen").status_code == 302
    assert _export(bell, school) == [worry.reference]
    assert _gap_alerts(session) == [
        (school.head.id, True), (school.deputy.id, False), (school.head.id, False)
    ]  # fmt: skip
    assert len(_gap_emails(session)) == 3


def test_a_file_with_nothing_closed_to_its_maker_alerts_nobody(
    app: Flask, session: Session
) -> None:
    school, worry, concern = _school(app, session)
    _about(session, school, concern, school.teacher)  # about Ms Lopez: not on the team
    bell = client_for(app, school.dsl)
    assert _export(bell, school) == [worry.reference, concern.reference]
    assert _gap_alerts(session) == []
    assert _gap_emails(session) == []
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == GAP)).all() == []


def test_the_one_a_record_is_about_is_never_told_of_it(app: Flask, session: Session) -> None:
    """About the deputy: she makes the file; the head and the DSL are told, never her."""
    school, worry, concern = _school(app, session)
    _about(session, school, concern, school.deputy)
    evans = client_for(app, school.deputy)
    assert _export(evans, school) == [worry.reference]
    assert _gap_alerts(session) == [(school.head.id, False), (school.dsl.id, False)]
    assert [e.to_address for e in _gap_emails(session)] == [school.head.email, school.dsl.email]
    assert ALERT not in _text(evans, "/alerts/")
    assert "A file of Amira's" not in _text(
        evans, f"/safeguarding/pupils/{school.pupil.id}/cp-file"
    )
    # Nor after the DSL, who may see it, sends the complete file.
    bell = client_for(app, school.dsl)
    assert _export(bell, school) == [worry.reference, concern.reference]
    assert school.deputy.id not in [who for who, _seen in _gap_alerts(session)]
