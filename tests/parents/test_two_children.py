"""A carer with two children (Sara: Amira in Oak, Zara in Willow), reading on a phone.

Each feed item names the child it is about, since on a phone the page's heading has scrolled
away; and each child's page has a plain list of links to the carer's other children (their
own only: never another family's child, and nothing for a carer with one child).
"""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.parents import services
from tests.app_settings import carer_emails
from tests.conftest import client_for
from tests.parents_helpers import Family, moment

SARAS_NOTE = "Is the trip on Friday?"  # Sara's own message, to Zara's class staff


def _page(app: Flask, carer: object, path: str) -> str:
    response = client_for(app, carer).get(path)  # type: ignore[arg-type]
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def _switch(page: str) -> str:
    nav = r'<nav class="child-switch" aria-label="Your children">(.*?)</nav>'
    found = re.search(nav, page, re.S)
    return found.group(1) if found else ""


def test_each_item_names_the_child_it_is_about(
    app: Flask, session: Session, family: Family
) -> None:
    moment(session, family, "Sorted them all.")
    services.send_staff_message(
        session, family.teacher, family.child, "Wellies on Thursday.", now=utcnow(),
        emails=carer_emails(),
    )  # fmt: skip
    services.send_carer_message(
        session, family.carer, family.sister, SARAS_NOTE, now=utcnow(), emails=carer_emails()
    )
    session.commit()
    amiras = _page(app, family.carer, f"/family/children/{family.child.id}")
    assert re.search(r"<strong>Learning moment</strong> for Amira from Ms Lopez", amiras)
    assert re.search(r"<strong>Message</strong> about Amira from Ms Lopez", amiras)
    zaras = _page(app, family.carer, f"/family/children/{family.sister.id}")
    assert re.search(r"<strong>You wrote</strong> to Zara's class staff", zaras)
    assert "Amira" not in zaras.split('id="feed"')[1]  # Zara's items name only Zara


def test_a_carer_moves_between_her_two_children_from_either_page(
    app: Flask, session: Session, family: Family
) -> None:
    services.share_learning_moment(
        session, family.willow_teacher, family.sister, "Sorts kind and unkind messages",
        "Secure (independent)", "Zara matched every picture.", now=utcnow(),
        emails=carer_emails(),
    )  # fmt: skip
    session.commit()
    amiras = _switch(_page(app, family.carer, f"/family/children/{family.child.id}"))
    assert f'href="/family/children/{family.child.id}" aria-current="page">Amira<' in amiras
    assert f'href="/family/children/{family.sister.id}">Zara <span class="new">(1 new)' in amiras
    zaras = _switch(_page(app, family.carer, f"/family/children/{family.sister.id}"))
    assert f'href="/family/children/{family.child.id}">Amira</a>' in zaras  # nothing new
    assert 'aria-current="page">Zara<' in zaras
    # Photo consent is per child too: the switch there leads to each child's consent.
    consent = _switch(_page(app, family.carer, f"/family/children/{family.child.id}/photo-consent"))
    assert f'href="/family/children/{family.sister.id}/photo-consent">Zara</a>' in consent
    # The other child shown is noted as seen by the carer, as on "My children".
    seen = session.scalars(
        select(AuditEvent.object_id).where(
            AuditEvent.actor_id == family.carer.id, AuditEvent.action == "pupil.viewed_by_carer"
        )
    ).all()
    assert family.sister.id in seen


def test_never_another_familys_child_and_no_switch_for_one_child(
    app: Flask, session: Session, family: Family
) -> None:
    services.send_carer_message(
        session, family.carer, family.sister, SARAS_NOTE, now=utcnow(), emails=carer_emails()
    )
    session.commit()
    saras = _page(app, family.carer, f"/family/children/{family.child.id}")
    assert "Ben" not in saras  # in Amira's class, another family's child
    omars = _page(app, family.second_carer, f"/family/children/{family.child.id}")
    assert _switch(omars) == ""  # Amira is his one child here
    for hers in ("Zara", SARAS_NOTE):
        assert hers not in omars
    bens = _page(app, family.other_carer, f"/family/children/{family.other.id}")
    assert _switch(bens) == ""
    assert "Amira" not in bens
