"""What a carer walking the family pages would notice: an answer the consent page never offers
withdraws nothing, and a notice that shows another child's name on the carer's screen is refused
even when the name carries invisible characters pasted in with it."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.parents.models import FeedItem
from classroom.worries.models import ParentContact
from tests.conftest import client_for
from tests.parents_helpers import Family, consent, incident_about, moment


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), "orange").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize("answer", ["<script>alert(1)</script>", "YES", "maybe", "1"])
def test_a_consent_answer_the_page_never_offers_is_refused_and_deletes_no_photo(
    app: Flask, session: Session, family: Family, answer: str
) -> None:
    consent(session, family)
    item = moment(session, family, photo=_jpeg())
    mum = client_for(app, family.carer)
    url = f"/family/children/{family.child.id}/photo-consent"
    response = mum.post(url, data={"purpose": "app", "given": answer})
    assert response.status_code == 400
    photo = mum.get(f"/family/photos/{item}")
    photo.close()
    assert photo.status_code == 200  # still there: consent was not withdrawn
    assert "Consent given by" in mum.get(url).data.decode()


def test_the_page_own_answers_still_give_and_withdraw(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family)
    mum = client_for(app, family.carer)
    url = f"/family/children/{family.child.id}/photo-consent"
    assert mum.post(url, data={"purpose": "app", "given": "no"}).status_code == 302
    assert "Consent withdrawn by" in mum.get(url).data.decode()
    assert mum.post(url, data={"purpose": "app", "given": "yes"}).status_code == 302
    assert "Consent given by" in mum.get(url).data.decode()


@pytest.mark.parametrize("hidden", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
def test_a_notice_naming_another_child_with_an_invisible_character_is_refused(
    app: Flask, session: Session, family: Family, hidden: str
) -> None:
    """Pasted text can carry zero-width characters: "Be\u200bn" shows as "Ben" to the carer."""
    incident = incident_about(session, family, ParentContact.INFORM_NOW, family.other)
    dsl = client_for(app, family.dsl)
    text = f"Amira was upset after a game with Be{hidden}n at lunch."
    response = dsl.post(
        f"/parents/incidents/{incident.id}/notice/{family.child.id}",
        data={f"p{family.child.id}-text": text, f"p{family.child.id}-key": "n1"},
    )
    assert response.status_code == 400
    assert "is the name of another pupil" in response.data.decode()
    assert session.scalar(select(FeedItem)) is None
    mum = client_for(app, family.carer).get(f"/family/children/{family.child.id}")
    assert "game with" not in mum.data.decode()


def test_a_message_to_one_sibling_carers_cannot_name_the_other_child_hidden_either(
    app: Flask, session: Session, family: Family
) -> None:
    """Zara is Amira's sister, but a message about Amira goes to Amira's dad too."""
    teacher = client_for(app, family.teacher)
    response = teacher.post(
        f"/parents/pupils/{family.child.id}/messages",
        data={
            "message-body": "Amira and Za\u200bra both forgot their coats.",
            "message-to": "",
            "message-key": "m1",
        },
    )
    assert response.status_code == 400
    assert session.scalar(select(FeedItem)) is None
