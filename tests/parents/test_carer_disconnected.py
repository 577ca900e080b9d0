"""A carer whom staff disconnect from a child while they are signed in: their next tap says
so (without naming the child), keeps what they were writing, and is still refused and audited."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.parents import invites
from classroom.parents.models import FeedItem
from classroom.pupils.models import ParentLink
from tests.conftest import client_for
from tests.parents_helpers import Family

CHARGER = "Can Amira bring her charger home?\nThanks, Omar"
NO_LONGER = "You are no longer connected to this child"


def _disconnect(session: Session, family: Family) -> None:
    """The class teacher disconnects Amira's dad (Amira's mum stays connected)."""
    link = session.scalar(
        select(ParentLink).where(
            ParentLink.parent_id == family.second_carer.id,
            ParentLink.pupil_id == family.child.id,
        )
    )
    assert link is not None
    invites.revoke_link(session, family.teacher, link, now=utcnow())
    session.commit()


def _refusals(session: Session, family: Family) -> list[str]:
    return list(
        session.scalars(
            select(AuditEvent.summary)
            .where(
                AuditEvent.action == "carer.access_refused",
                AuditEvent.actor_id == family.second_carer.id,
            )
            .order_by(AuditEvent.id)
        )
    )


def test_a_disconnected_carers_next_tap_says_so_and_keeps_their_message(
    app: Flask, session: Session, family: Family
) -> None:
    client = client_for(app, family.second_carer)  # signed in before staff disconnect him
    feed = f"/family/children/{family.child.id}"
    assert client.get(feed).status_code == 200
    _disconnect(session, family)

    sent = client.post(f"{feed}/messages", data={"body": CHARGER, "key": "k-charger"})
    page = sent.get_data(as_text=True)
    assert sent.status_code == 404
    assert NO_LONGER in page
    assert "contact the school office" in page
    assert "Your message was not sent" in page
    assert "Can Amira bring her charger home?" in page  # his own words, to keep a copy
    assert session.scalar(select(FeedItem).where(FeedItem.body == CHARGER)) is None

    again = client.get(feed)  # a reload, or Back to the feed
    assert again.status_code == 404
    page = again.get_data(as_text=True)
    assert NO_LONGER in page
    assert "Your message was not sent" not in page
    # The child is not named: a child may be renamed for their protection.
    assert "Amira" not in page.split("<main", 1)[1]
    assert "Khan" not in page.split("<main", 1)[1]
    # Still a refused access, in the audit log, for the POST and the GET alike.
    assert _refusals(session, family) == [f"POST {feed}/messages", f"GET {feed}"]


def test_the_disconnected_page_is_only_for_a_child_that_was_theirs(
    app: Flask, session: Session, family: Family
) -> None:
    _disconnect(session, family)
    client = client_for(app, family.second_carer)
    never = client.get(f"/family/children/{family.other.id}")  # another family's child
    assert never.status_code == 404
    assert NO_LONGER not in never.get_data(as_text=True)
    assert "Page not found" in never.get_data(as_text=True)
    mum = client_for(app, family.carer)  # still connected: Amira's mum sees her news
    assert mum.get(f"/family/children/{family.child.id}").status_code == 200
    consent = client.get(f"/family/children/{family.child.id}/photo-consent")
    assert consent.status_code == 404
    assert NO_LONGER in consent.get_data(as_text=True)
