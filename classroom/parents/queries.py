"""Reads for the carers' and staff pages: children, feeds, connections and consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account
from classroom.lessons.content import Catalogue
from classroom.paging import page_of
from classroom.parents import delivery, tips
from classroom.parents.models import (
    CONSENT_PURPOSE_LABELS,
    CarerInvite,
    ConsentPurpose,
    FeedItem,
    PhotoConsent,
)
from classroom.principals import Actor
from classroom.pupils.models import ParentLink, Pupil

RENEW_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class Child:
    """One of a carer's children, with how many new things are waiting."""

    pupil: Pupil
    unseen: int
    left: bool = False  # the child has left the school (policy.in_touch_with_carers)


def my_children(session: Session, carer: Account, *, now: datetime) -> list[Child]:
    """The carer's connected children, each separately."""
    pupils = session.scalars(policy.visible_pupils(carer))
    return [
        Child(
            p,
            delivery.unseen_count(session, carer, pupil_id=p.id, now=now),
            not policy.in_touch_with_carers(p),
        )
        for p in pupils
    ]


FEED_PAGE = 30


@dataclass(frozen=True)
class MomentState:
    """What became of the observation a learning moment was shared from, as carers are told:
    taken back (withdrawn as recorded in error, or corrected into one that was), or corrected.
    Assessment reads it from the observations (parents.views.register_moment_states)."""

    taken_back: bool
    on: datetime  # when the school took it back or corrected it
    # The level it says now, in staff's words, where the correction may still go home as a
    # learning moment (assessment.services.positive); None otherwise.
    now_level_words: str | None = None


@dataclass(frozen=True)
class Feed:
    """What a carer sees for one child: this week's tip and the child's items, newest first."""

    pupil: Pupil
    items: list[FeedItem]
    tip: tips.Tip | None
    photos: frozenset[int]  # items whose photo may be shown now
    symbols: bool
    page: int = 1  # FEED_PAGE items a page, newest first
    older: bool = False  # whether there is a page of older items after this one
    # The child has left the school: the feed stays readable, nothing new comes or goes.
    left: bool = False


def child_feed(
    session: Session,
    carer: Account,
    pupil: Pupil,
    lessons: Catalogue,
    *,
    now: datetime,
    today: date,
    page: int = 1,
) -> Feed:
    """One page of a child's feed for a carer; `lessons` are the lesson files (for this week's
    tip). A page, not the whole feed: years of learning moments would make one page of
    hundreds of kilobytes, read and drawn on every visit."""
    mine = policy.carer_feed_items(carer, now).where(FeedItem.pupil_id == pupil.id)
    shown = page_of(session, mine, page, FEED_PAGE)
    in_touch = policy.in_touch_with_carers(pupil)
    return Feed(
        pupil,
        shown.items,
        tips.tip_for(session, pupil, now, lessons) if in_touch else None,  # no new tip either
        _showable_photos(session, pupil, shown.items, today),
        delivery.carer_settings(session, carer).symbols,
        page,
        shown.older,
        not in_touch,
    )


def _showable_photos(
    session: Session, pupil: Pupil, items: list[FeedItem], today: date
) -> frozenset[int]:
    if policy.photo_consent_in_force(session, pupil.id, ConsentPurpose.APP, today) is None:
        return frozenset()  # withdrawn or out of date: every photo disappears at once
    return frozenset(i.id for i in items if i.photo_file)


@dataclass(frozen=True)
class Thread:
    """One page of a pupil's items as staff see them, newest first."""

    items: list[FeedItem]
    photos: frozenset[int]  # items whose photo may be shown now
    page: int = 1
    older: bool = False  # whether there is a page of older items after this one


def staff_thread(
    session: Session, actor: Actor, pupil: Pupil, today: date, page: int = 1
) -> Thread:
    """A page of a pupil's items as staff see them, and which photos may be shown."""
    theirs = policy.staff_feed_items(actor).where(FeedItem.pupil_id == pupil.id)
    shown = page_of(session, theirs, page, FEED_PAGE)
    return Thread(
        shown.items, _showable_photos(session, pupil, shown.items, today), page, shown.older
    )


# --- Connections and consent ----------------------------------------------------------------


def links(session: Session, pupil: Pupil) -> list[ParentLink]:
    """Every connection to the pupil, current first, with revoked ones kept for the record."""
    return list(
        session.scalars(
            select(ParentLink)
            .where(ParentLink.pupil_id == pupil.id)
            .order_by(ParentLink.revoked_at.is_not(None), ParentLink.created_at.desc())
        )
    )


def was_connected(session: Session, carer: Account, pupil_id: int) -> bool:
    """Whether the carer was once connected to this child (staff have since disconnected them)."""
    link = select(ParentLink.id).where(
        ParentLink.parent_id == carer.id,
        ParentLink.pupil_id == pupil_id,
        ParentLink.revoked_at.is_not(None),
    )
    return session.scalar(link.limit(1)) is not None


def carers_by_id(session: Session, pupil: Pupil) -> dict[int, Account]:
    ids = [link.parent_id for link in links(session, pupil)]
    return {a.id: a for a in session.scalars(select(Account).where(Account.id.in_(ids)))}


def invites(session: Session, pupil: Pupil) -> list[CarerInvite]:
    return list(
        session.scalars(
            select(CarerInvite)
            .where(CarerInvite.pupil_id == pupil.id)
            .order_by(CarerInvite.created_at.desc())
            .limit(20)
        )
    )


@dataclass(frozen=True)
class ConsentStatus:
    purpose: ConsentPurpose
    latest: PhotoConsent | None
    in_force: bool
    due: bool  # none on record, withdrawn, run out, or running out within 30 days

    @property
    def label(self) -> str:
        return CONSENT_PURPOSE_LABELS[self.purpose]


def shared_photo_count(session: Session, pupil: Pupil) -> int:
    """How many photos of this child are kept in the app (withdrawing consent deletes them)."""
    query = select(func.count(FeedItem.id)).where(
        FeedItem.pupil_id == pupil.id, FeedItem.photo_file.is_not(None)
    )
    return session.scalar(query) or 0


def latest_consent(
    session: Session, pupil_id: int, purpose: ConsentPurpose
) -> PhotoConsent | None:
    """The consent decision on record now (the latest, given or withdrawn)."""
    return session.scalar(
        select(PhotoConsent)
        .where(PhotoConsent.pupil_id == pupil_id, PhotoConsent.purpose == purpose)
        .order_by(PhotoConsent.id.desc())
        .limit(1)
    )


def withdrawn_by_another(latest: PhotoConsent, account_id: int) -> bool:
    """The decision on record is a withdrawal someone else made (another carer in the app, or
    the school from a form): this carer may not give consent over it."""
    return not latest.given and latest.recorded_by_id != account_id


def why_held(withdrawal: PhotoConsent, pupil: Pupil) -> str:
    """What a carer is told when another's withdrawal stands, and what they can do."""
    made_by = withdrawal.recorded_by
    who = f"{made_by.display_name}, who withdrew it," if made_by.is_parent else "the school"
    # Once the child has left there is no class teacher to talk to: the office, as carers are
    # told everywhere else about a leaver (services.CARER_LEFT_SCHOOL).
    ask = (
        f"{pupil.first_name}'s class teacher"
        if policy.in_touch_with_carers(pupil)
        else "the school office"
    )
    return (
        f"Only {who} can give this consent again. Please talk to {ask}: the school records "
        f"consent again once it has spoken with everyone who looks after {pupil.first_name}."
    )


def consent_statuses(session: Session, pupil: Pupil, today: date) -> list[ConsentStatus]:
    return [consent_status(session, pupil, purpose, today) for purpose in ConsentPurpose]


def consent_status(
    session: Session, pupil: Pupil, purpose: ConsentPurpose, today: date
) -> ConsentStatus:
    """Where consent for one purpose stands (the share form shows the app's above its photo)."""
    latest = latest_consent(session, pupil.id, purpose)
    in_force = policy.photo_consent_in_force(session, pupil.id, purpose, today) is not None
    ends = latest.expires_on if latest and latest.given else None
    due = not in_force or ends is None or ends - today <= RENEW_WITHIN
    return ConsentStatus(purpose, latest, in_force, due)


@dataclass(frozen=True)
class PupilRow:
    """One line of the staff overview."""

    pupil: Pupil
    carers: int
    outstanding_codes: int
    consent_due: bool
    last_from_carer: datetime | None
    consent_recorded: bool = True  # False: no consent decision on record for any purpose


def overview(session: Session, actor: Actor, today: date, *, now: datetime) -> list[PupilRow]:
    """Pupils the actor may connect carers to or write to, with what needs doing."""
    managed = set(session.scalars(policy.carer_managed_pupils(actor)))
    shared = set(session.scalars(policy.shareable_pupils(actor)))
    pupils = sorted(
        managed | shared, key=lambda p: (p.school_class.name, p.first_name, p.last_name)
    )
    rows = []
    for p in pupils:
        consents = consent_statuses(session, p, today)
        rows.append(
            PupilRow(
                p,
                len(p.carers),
                sum(1 for i in invites(session, p) if i.outstanding(now)),
                any(s.due for s in consents),
                _last_from_carer(session, p),
                any(s.latest is not None for s in consents),
            )
        )
    return rows


def _last_from_carer(session: Session, pupil: Pupil) -> datetime | None:
    return session.scalar(
        select(func.max(FeedItem.created_at)).where(
            FeedItem.pupil_id == pupil.id, FeedItem.from_carer.is_(True)
        )
    )


def carers_named_in_words(session: Session, school_id: int) -> list[str]:
    """Carers as the school's records name them in words, in one read: who gave or withdrew
    photo consent ("Sara Khan (mother)"), and whom an invite code or a connection is for
    ("Grandma Pat"). A carer with no account is named only here; the governors' review hides
    these names (review.views `register_carers_named`)."""
    consent = (
        select(PhotoConsent.given_by)
        .join(Pupil, PhotoConsent.pupil_id == Pupil.id)
        .where(Pupil.school_id == school_id)
    )
    invites = select(CarerInvite.relationship_label).where(CarerInvite.school_id == school_id)
    links = (
        select(ParentLink.relationship_label)
        .join(Pupil, ParentLink.pupil_id == Pupil.id)
        .where(Pupil.school_id == school_id)
    )
    return list(session.scalars(union_all(consent, invites, links)))
