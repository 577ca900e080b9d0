"""A digest queued for a carer (the mail server was down) and not sent when staff disconnect
them from a child: a carer disconnected from their only child (say, by a court order) is
emailed nothing after it; a mum still connected to her other child gets the digest, counting
no more than she may still see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account
from classroom.db import utcnow
from classroom.outbox.models import OutboxMessage
from classroom.parents import delivery, invites, services
from classroom.parents.models import EmailMode
from classroom.pupils.models import ParentLink, Pupil
from tests.app_settings import carer_emails
from tests.conftest import Clock
from tests.parents_helpers import SCHOOL_HOURS, Family, moment


def _daily(session: Session, *carers: Account) -> None:
    for carer in carers:
        services.update_settings(session, carer, EmailMode.DAILY, False, now=utcnow())
    session.commit()


def _digests_queued(session: Session, clock: Clock) -> None:
    """Digest time: the worker queues the digests, and the mail server is down."""
    clock.set(SCHOOL_HOURS.replace(hour=15, minute=45))
    assert delivery.send_digests(session, carer_emails(), now=utcnow()) >= 1
    session.commit()
    clock.advance(minutes=5)


def _disconnect(session: Session, family: Family, carer: Account, child: Pupil) -> None:
    link = session.scalar(
        select(ParentLink).where(ParentLink.parent_id == carer.id, ParentLink.pupil_id == child.id)
    )
    assert link is not None
    invites.revoke_link(session, family.teacher, link, now=utcnow())
    session.commit()


def _unsent_digests(session: Session, carer: Account) -> list[str]:
    return [
        m.body.partition("\n\n")[0]
        for m in session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.dedupe_key.startswith(f"parents:{carer.id}:digest:"),
                OutboxMessage.sent_at.is_(None),
            )
        )
    ]


def test_a_carer_disconnected_from_their_only_child_gets_no_digest_queued_before(
    session: Session, family: Family, clock: Clock
) -> None:
    _daily(session, family.second_carer)
    moment(session, family)
    _digests_queued(session, clock)
    assert _unsent_digests(session, family.second_carer) == [
        "There is 1 new thing for you in the school's parents' app."
    ]
    _disconnect(session, family, family.second_carer, family.child)
    assert _unsent_digests(session, family.second_carer) == []


def test_a_carer_still_connected_to_a_sibling_gets_a_digest_for_what_is_still_theirs(
    session: Session, family: Family, clock: Clock
) -> None:
    _daily(session, family.carer)
    moment(session, family)  # Amira
    services.send_staff_message(
        session, family.willow_teacher, family.sister, "Zara swam a width.",
        now=utcnow(), emails=carer_emails(),
    )  # fmt: skip
    session.commit()
    _digests_queued(session, clock)
    assert _unsent_digests(session, family.carer) == [
        "There are 2 new things for you in the school's parents' app."
    ]
    _disconnect(session, family, family.carer, family.child)
    assert _unsent_digests(session, family.carer) == [
        "There is 1 new thing for you in the school's parents' app."
    ]
