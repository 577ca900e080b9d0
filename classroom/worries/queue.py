"""The safeguarding queue's listings: its open incidents a page at a time, the recently closed,
and the small aggregate its live view polls.

A page of the open queue is asked for by a place in the order the DSL works it (the rows after
the last one she was shown, or before the first), never as "the second hundred". Worries are
closed by colleagues while she reads: with numbered pages, the second hundred moved up by as
many as were closed, and those rows were on neither page she opened. A worry she was never
shown is a worry nobody may act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    orm,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import CompoundSelect

from classroom import policy
from classroom.accounts.models import Account
from classroom.db import plain_rows
from classroom.localtime import STYLES
from classroom.pupils.models import Pupil
from classroom.worries import transfer
from classroom.worries.models import (
    AGENCY_LABELS,
    CATEGORY_LABELS,
    Agency,
    Category,
    Incident,
    IncidentAction,
    IncidentPupil,
    ParentContact,
    ParentContactDecision,
    Referral,
    Risk,
    Source,
    Status,
    queue_rank,
)

QUEUE_PAGE = 100
RECENTLY_CLOSED = 50
# "Open" as the statuses it is, not as "not closed": an index walks each of these alone, where
# "status != closed" made it walk the school's whole history, closed incidents and all.
OPEN_STATUSES = tuple(status for status in Status if status is not Status.CLOSED)
# Statements kept per (scope, listing), so each is built and its SQL cache key worked out once
# (that was a fifth of the queue page). A scope is one school's: bounded by the schools.
STATEMENTS_REMEMBERED = 256


class QueueRow(NamedTuple):
    """What a queue row shows of an incident: read as plain columns in one statement, not as
    incident rows with their pupils and accounts loaded beside them. A named tuple, not a
    dataclass: the page's rows key its cached table, and a tuple is made, hashed and compared
    in C (a frozen dataclass did each in Python, a twentieth of the queue page)."""

    id: int
    rank: int  # its place before the rest: see `_rank`
    status: Status
    child_protection: bool
    created_at: datetime
    closed_at: datetime | None
    source: Source
    raised_by: str | None  # the member of staff who raised a concern
    pupil: str | None  # the first pupil named on it
    category: Category | None
    risk: Risk | None
    assignee: str | None

    @property
    def reference(self) -> str:
        return f"W{self.id:05d}"

    @property
    def category_label(self) -> str | None:
        return CATEGORY_LABELS[self.category] if self.category else None

    @property
    def place(self) -> Place:
        return Place(self.rank, self.id)


@dataclass(frozen=True)
class Place:
    """A row's place in the order the DSL works the open queue: its rank, then newest first."""

    rank: int
    id: int

    def __str__(self) -> str:
        return f"{self.rank}-{self.id}"

    @classmethod
    def of(cls, text: str | None) -> Place | None:
        """The place a pager link names, or None for none and for text no pager link makes."""
        found = re.fullmatch(r"([01])-([1-9][0-9]{0,17})", text or "")
        return cls(int(found[1]), int(found[2])) if found else None


@dataclass(frozen=True)
class OpenState:
    count: int  # new or open
    newest: int  # the newest one's id
    new: int  # not yet triaged
    urgent: int = 0  # of high risk or child protection (an escalation changes it)
    shown: int = 0  # a sum over the rows of what a colleague changes in place (see below)

    @property
    def tag(self) -> str:
        """Changes whenever the open queue does: the live view's ETag."""
        return f"{self.newest}-{self.count}-{self.new}-{self.urgent}-{self.shown}"


@dataclass(frozen=True)
class QueuePage:
    """Some of the open queue, and where it sits in the whole of it."""

    rows: tuple[QueueRow, ...]  # a tuple: the rows key the table's cache (_queue_rows.html)
    state: OpenState
    before: int  # how many open ones come before these rows

    @property
    def newer(self) -> Place | None:
        """Where the page before this one ends, if there is one."""
        return self.rows[0].place if self.before and self.rows else None

    @property
    def older(self) -> Place | None:
        """Where the page after this one starts, if there is one."""
        more = self.before + len(self.rows) < self.state.count
        return self.rows[-1].place if more and self.rows else None


Direction = Literal["first", "after", "before"]


def open_page(
    session: Session, scope: Select[Incident], after: Place | None, before: Place | None
) -> QueuePage:
    """The page of `scope`'s open queue that follows `after`, or leads up to `before`, or the
    first. When that page would start the queue, or would be empty because the rest was closed
    meanwhile, it is the first page: a row shown twice costs a glance, a row skipped a child."""
    state = open_state(session, scope)
    if after is not None:
        rows = _rows(session, _listing(scope, "after"), _at(after))
        if rows:
            remaining = _count(session, _counting(scope, "after"), _at(after))
            return QueuePage(rows, state, state.count - remaining)
    elif before is not None:
        earlier = _count(session, _counting(scope, "before"), _at(before))
        if earlier > QUEUE_PAGE:
            rows = _rows(session, _listing(scope, "before"), _at(before))
            return QueuePage(rows, state, earlier - len(rows))
    return QueuePage(_rows(session, _listing(scope, "first")), state, 0)


# Worries that need someone first, listed above the open table when they are not on the page
# shown: the table goes newest first, so with more than a page open, one nobody has acknowledged
# yet or a high-risk one can be on a page the DSL has not opened.
URGENT_LISTED = 20


@dataclass(frozen=True)
class Elsewhere:
    """Open worries not yet acknowledged, or of high risk, that are not on the page shown."""

    rows: tuple[QueueRow, ...]  # the first URGENT_LISTED of them, in the queue's order
    more: bool  # there are more than those

    @property
    def count(self) -> int:
        """How many are listed: all of them, unless there are `more`."""
        return len(self.rows)


def urgent_elsewhere(session: Session, scope: Select[Incident], shown: QueuePage) -> Elsewhere:
    """What needs attention first and is not among `shown`'s rows, however many pages away.
    One row past the list tells whether there are more (no count of its own to run)."""
    params = {"shown": [row.id for row in shown.rows] or [0]}
    rows = tuple(map(QueueRow._make, plain_rows(session, _urgent(scope), params)))
    return Elsewhere(rows[:URGENT_LISTED], len(rows) > URGENT_LISTED)


@dataclass(frozen=True)
class FollowUp:
    """Something the team said it would do by a date, now due: an action, or a review; or a
    leaver's child-protection file to send, or its receipt to chase (about a pupil, not one
    incident)."""

    incident_id: int | None  # None: a file to send, for `pupil_id`
    what: str
    who: str | None
    due_on: date
    section: str  # where on the incident's page it is done ("cp-receipt": a receipt to chase)
    pupil_id: int | None = None
    transfer_id: int | None = None  # a file sent, for "cp-receipt"
    action_id: int | None = None  # an action, to give to someone else from a leaver's work

    @property
    def reference(self) -> str:
        return f"W{self.incident_id:05d}" if self.incident_id is not None else ""


FOLLOW_UPS_SHOWN = 50
REVIEW = "Review \u201cnot now\u201d: should carers be told?"


def follow_ups_due(
    session: Session,
    scope: Select[Incident],
    today: date,
    holidays: frozenset[date] = frozenset(),
    *,
    receipts: bool,
) -> list[FollowUp]:
    """Actions not done, referrals still awaiting a reply and "not now" decisions to review,
    due by `today`, oldest first.

    Actions carried over when an incident closed are among them: they go on after closing,
    and someone must still do them; so does chasing a referral's reply. A review counts while
    "not now" is the decision in force and carers are still held back by it (open, or kept so
    at closing). Leavers' files to send come first, then files sent more than five school days
    ago whose receipt nobody has recorded, if `receipts` (those who send them, and only they,
    can record a receipt). `holidays` are not school days, in counting either.
    """
    day = {"today": today}
    due = list(plain_rows(session, _work_due(), day))
    ids = [incident_id for incident_id, *_rest in due]
    mine = set(plain_rows(session, _in_scope(scope), {"ids": ids}).scalars()) if ids else set()
    actions = [
        _work_follow_up(incident_id, section, what, reference, who, due_on)
        for incident_id, section, what, reference, who, due_on in due
        if incident_id in mine
    ]
    reviews = [
        FollowUp(incident_id, REVIEW, None, review_on, "parent")
        for incident_id, review_on in set(plain_rows(session, _reviews_due(scope), day))
    ]
    files = [_file_to_send(f, today, holidays) for f in transfer.files_to_send(session, scope)]
    chased = transfer.receipts_to_chase(session, scope, today, holidays) if receipts else []
    to_chase = [_receipt_to_chase(r, today, holidays) for r in chased]
    dated = sorted([*actions, *reviews], key=lambda f: (f.due_on, f.incident_id or 0))
    return [*files, *to_chase, *dated][:FOLLOW_UPS_SHOWN]


def _file_to_send(
    file: transfer.FileToSend, today: date, holidays: frozenset[date]
) -> FollowUp:
    """A leaver's file is due from the day they left: listed first, until it is sent."""
    left = f" on {STYLES['date'].format(d=file.left_on)}" if file.left_on else ""
    late = " - late" if file.late(today, holidays) else ""
    what = f"{file.full_name} left the school{left}, {file.since(today, holidays)}{late}"
    if file.sent_on is not None:
        what += f"; new since the file was sent on {STYLES['date'].format(d=file.sent_on)}: "
        what += file.new()
    return FollowUp(None, what, None, file.left_on or today, "cp-file", file.pupil_id)


def _receipt_to_chase(
    file: transfer.ReceiptToChase, today: date, holidays: frozenset[date]
) -> FollowUp:
    """A file sent with no word of its receipt: the DSL asks the next school to confirm."""
    days = transfer.school_days_after(file.sent_on, today, holidays)
    what = (
        f"{file.full_name}'s child-protection file went to {file.sent_to} on "
        f"{STYLES['date'].format(d=file.sent_on)}, {days} school days ago: no receipt yet - "
        "ask them to confirm"
    )
    return FollowUp(None, what, None, file.sent_on, "cp-receipt", file.pupil_id, file.transfer_id)


def recently_closed(session: Session, scope: Select[Incident]) -> tuple[QueueRow, ...]:
    return _rows(session, _closed_listing(scope))


def open_state(session: Session, scope: Select[Incident]) -> OpenState:
    """How many are open, the newest, how many new: one indexed aggregate, whatever the backlog."""
    count, newest, new, urgent, shown = plain_rows(session, _open_aggregate(scope)).one()
    return OpenState(count or 0, newest or 0, new or 0, urgent or 0, int(shown or 0))


class OpenWork(NamedTuple):
    """How much of a school's open work one member of the safeguarding team holds: counts only,
    so whoever is told (an admin deactivating them) learns nothing of any record."""

    worries: int  # open worries assigned to them
    actions: int  # actions they own not yet done (carried over at closing too: still to do)

    @property
    def total(self) -> int:
        return self.worries + self.actions


def open_work_of(session: Session, school_id: int, account_id: int) -> OpenWork:
    """What would be left with nobody were this account to go: one count each, no row loaded."""
    params = {"school": school_id, "account": account_id}
    return OpenWork(
        _count(session, _assigned_open(), params), _count(session, _owned_open(), params)
    )


def worries_held(
    session: Session, scope: Select[Incident], account_id: int
) -> tuple[QueueRow, ...]:
    """`scope`'s open worries assigned to one account, newest first: what is theirs to hand on
    (a colleague deactivated with work left). Not paged: one person's share of the queue."""
    held = scope.where(Incident.status.in_(OPEN_STATUSES), Incident.assignee_id == account_id)
    return _rows(session, _row_query(held))


def actions_held(session: Session, scope: Select[Incident], account_id: int) -> list[FollowUp]:
    """Actions not done that one account owns, on `scope`'s worries (closed ones too: carried
    over at closing, they are still to do), soonest due first."""
    ids = scope.order_by(None).with_only_columns(Incident.id)
    query = (
        select(
            IncidentAction.incident_id,
            IncidentAction.description,
            IncidentAction.due_on,
            IncidentAction.id,
        )
        .where(
            IncidentAction.done_at.is_(None),
            IncidentAction.owner_id == account_id,
            IncidentAction.incident_id.in_(ids.scalar_subquery()),
        )
        .order_by(IncidentAction.due_on, IncidentAction.id)
    )
    return [
        FollowUp(incident_id, what, None, due_on, "action", action_id=action_id)
        for incident_id, what, due_on, action_id in session.execute(query)
    ]


# --- The statements ----------------------------------------------------------------------------


@cache
def _rank() -> ColumnElement[int]:
    """The first key of the DSL's order (models.queue_rank), made once; then the newest first."""
    return queue_rank()


def _beside_place(direction: Direction) -> ColumnElement[bool]:
    """Later ("after") or earlier ("before") in the DSL's order than the place bound as `rank`
    and `id`."""
    rank, id_ = bindparam("rank", type_=Integer), bindparam("id", type_=Integer)
    if direction == "after":
        return or_(_rank() > rank, and_(_rank() == rank, Incident.id < id_))
    return or_(_rank() < rank, and_(_rank() == rank, Incident.id > id_))


def _at(place: Place) -> dict[str, int]:
    return {"rank": place.rank, "id": place.id}


@lru_cache(maxsize=STATEMENTS_REMEMBERED)
def _listing(scope: Select[Incident], direction: Direction) -> Select[Any]:
    """A page of `scope`'s open incidents in the DSL's order: the first, the one after a place
    or the one before it.

    The page's ids are chosen first, from the incidents table alone; names and the first pupil
    are then read for those rows only, not for every incident in the backlog. The ids are the
    nearest of each open status's own nearest, each read in order from ix_incidents_queue_order
    and stopped at a page: one status at a time, because the index is in order within a
    status. With 4,000 open, sorting them all for every page was most of the queue's time.
    """
    order = (_rank(), Incident.id.desc())
    nearest_first = (_rank().desc(), Incident.id.asc()) if direction == "before" else order
    parts = []
    for status in OPEN_STATUSES:
        which: ColumnElement[bool] = Incident.status == status
        if direction != "first":
            which = and_(which, _beside_place(direction))
        chosen = scope.where(which).with_only_columns(Incident.id, _rank().label("rank"))
        part = chosen.order_by(None).order_by(*nearest_first).limit(QUEUE_PAGE).subquery()
        parts.append(select(part.c.id, part.c.rank))
    each = union_all(*parts).subquery()
    if direction == "before":
        nearest = (each.c.rank.desc(), each.c.id.asc())
    else:
        nearest = (each.c.rank.asc(), each.c.id.desc())
    ids = select(each.c.id).order_by(*nearest).limit(QUEUE_PAGE)
    shown = select(Incident).where(Incident.id.in_(ids.scalar_subquery())).order_by(*order)
    return _row_query(shown)


@lru_cache(maxsize=STATEMENTS_REMEMBERED)
def _counting(scope: Select[Incident], direction: Direction) -> Select[Any]:
    """How many of `scope`'s open incidents come after a place, or before it."""
    which = and_(Incident.status.in_(OPEN_STATUSES), _beside_place(direction))
    return scope.where(which).order_by(None).with_only_columns(func.count())


@lru_cache(maxsize=STATEMENTS_REMEMBERED)
def _urgent(scope: Select[Incident]) -> Select[Any]:
    """`scope`'s open incidents not yet acknowledged or of high risk, but those bound as
    `shown`: the first URGENT_LISTED and one more, in the DSL's order."""
    which = and_(
        Incident.status.in_(OPEN_STATUSES),
        or_(Incident.status == Status.NEW, Incident.risk == Risk.HIGH),
        Incident.id.not_in(bindparam("shown", expanding=True, type_=Integer)),
    )
    chosen = scope.where(which).order_by(None).order_by(_rank(), Incident.id.desc())
    return _row_query(chosen.limit(URGENT_LISTED + 1))


@lru_cache(maxsize=STATEMENTS_REMEMBERED)
def _closed_listing(scope: Select[Incident]) -> Select[Any]:
    """The most recently closed first, not the newest raised: an old worry closed today is
    recently closed."""
    order = (Incident.closed_at.desc(), Incident.id.desc())
    ids = scope.where(Incident.status == Status.CLOSED).with_only_columns(Incident.id)
    ids = ids.order_by(None).order_by(*order).limit(RECENTLY_CLOSED)
    shown = select(Incident).where(Incident.id.in_(ids.scalar_subquery())).order_by(*order)
    return _row_query(shown)


def _work_follow_up(
    incident_id: int, section: str, what: str, reference: str | None, who: str, due_on: date
) -> FollowUp:
    if section == "action":
        return FollowUp(incident_id, what, who, due_on, section)
    agency = AGENCY_LABELS[Agency(what)]
    ref = f" (ref {reference})" if reference else ""
    return FollowUp(
        incident_id, f"Chase the referral to {agency}{ref}: no reply yet", who, due_on, section
    )


# Actions not done and referrals not replied to, due by a day, each read from its own index
# ((done_at, due_on) and (replied_on, follow_up_on)): only what is still to do is touched, never
# the school's history. Their incidents are then checked against the actor's scope by id. Led
# by the incidents table, a join walked every incident the school ever had.
@cache
def _work_due() -> CompoundSelect[*tuple[Any, ...]]:
    """(incident id, section, what or agency, their reference, who, due on) of each."""
    person = _row_accounts()[1]
    nothing = cast(null(), String)
    actions = (
        select(
            IncidentAction.incident_id,
            literal_column("'action'"),
            IncidentAction.description,
            nothing,
            person.display_name,
            IncidentAction.due_on,
        )
        .join(person, person.id == IncidentAction.owner_id)
        .where(IncidentAction.done_at.is_(None), IncidentAction.due_on <= bindparam("today"))
    )
    referrals = (
        select(
            Referral.incident_id,
            literal_column("'referral'"),
            cast(Referral.agency, String),
            Referral.reference,
            person.display_name,
            Referral.follow_up_on,
        )
        .join(person, person.id == Referral.made_by_id)
        .where(Referral.replied_on.is_(None), Referral.follow_up_on <= bindparam("today"))
    )
    return union_all(actions, referrals)


@lru_cache(maxsize=STATEMENTS_REMEMBERED)
def _in_scope(scope: Select[Incident]) -> Select[int]:
    ids = bindparam("ids", expanding=True, type_=Integer)
    return scope.order_by(None).with_only_columns(Incident.id).where(Incident.id.in_(ids))


@lru_cache(maxsize=STATEMENTS_REMEMBERED)
def _reviews_due(scope: Select[Incident]) -> CompoundSelect[*tuple[Any, ...]]:
    """ "Not now" in force with its review day come, on incidents that hold carers back: open
    ones (their index) and those kept so at closing (theirs), never the closed history. In
    force for any linked family's carers (policy.in_force_for_a_family): Ben's "not now" is
    reviewed on its day while Amira's family is under "inform now"."""
    in_force = policy.in_force_for_a_family()

    def reviews(which: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
        return (
            scope.order_by(None)
            .where(which)
            .join(ParentContactDecision, ParentContactDecision.incident_id == Incident.id)
            .where(
                ParentContactDecision.review_on <= bindparam("today"),
                ParentContactDecision.decision == ParentContact.NOT_NOW,
                in_force,
            )
            .with_only_columns(Incident.id, ParentContactDecision.review_on)
        )

    return union_all(
        reviews(Incident.status.in_(OPEN_STATUSES)),
        reviews(Incident.carers_held_after_closing.is_(True)),  # its own index: the few kept
    )


@lru_cache(maxsize=STATEMENTS_REMEMBERED)
def _open_aggregate(scope: Select[Incident]) -> Select[int, int, Any, Any, Any]:
    is_new = case((Incident.status == Status.NEW, 1), else_=0)
    # An escalation (to high risk, or to child protection) changes the live view's state, so a
    # colleague's open queue shows it, and what needs attention first, within seconds.
    is_urgent = case((or_(Incident.risk == Risk.HIGH, Incident.child_protection), 1), else_=0)
    open_ = scope.where(Incident.status.in_(OPEN_STATUSES)).order_by(None)
    return open_.with_only_columns(
        func.count(),
        func.max(Incident.id),
        func.sum(is_new),
        func.sum(is_urgent),
        func.sum(_assigned_and_category()),
    )


def _assigned_and_category() -> ColumnElement[int]:
    """Each row's assignee and category as one number, weighted by its id: their sum changes
    when a colleague assigns or re-categorises a worry, so two DSLs sharing the queue see who
    has taken which within seconds (nothing else in the polled state moves for it)."""
    category = case(
        {c.value: n for n, c in enumerate(Category, 1)}, value=Incident.category, else_=0
    )
    assigned = func.coalesce(Incident.assignee_id, 0) * (len(Category) + 1) + category
    return cast(Incident.id, BigInteger) * assigned


@cache
def _row_accounts() -> tuple[Any, Any]:
    """Who raised it and who has it: made once (on first use, once every model is mapped),
    as aliasing a mapped class copies every column, too slow to do per request."""
    return orm.aliased(Account, name="raised_by"), orm.aliased(Account, name="assignee")


def _row_query(scope: Select[Incident]) -> Select[Any]:
    """`scope` (a query of incidents the actor may see) as QueueRow columns."""
    raised, assignee = _row_accounts()
    first_pupil = (
        select(Pupil.first_name + " " + Pupil.last_name)
        .join(IncidentPupil, IncidentPupil.pupil_id == Pupil.id)
        .where(IncidentPupil.incident_id == Incident.id)
        .order_by(IncidentPupil.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        scope.with_only_columns(
            Incident.id,
            _rank(),
            Incident.status,
            Incident.child_protection,
            Incident.created_at,
            Incident.closed_at,
            Incident.source,
            raised.display_name,
            first_pupil,
            Incident.category,
            Incident.risk,
            assignee.display_name,
        )
        .outerjoin(raised, raised.id == Incident.raised_by_id)
        .outerjoin(assignee, assignee.id == Incident.assignee_id)
    )


@cache
def _assigned_open() -> Select[Any]:
    """How many of a school's open worries are assigned to one account."""
    return select(func.count(Incident.id)).where(
        Incident.school_id == bindparam("school"),
        Incident.status.in_(OPEN_STATUSES),
        Incident.assignee_id == bindparam("account"),
    )


@cache
def _owned_open() -> Select[Any]:
    """How many actions not done on a school's worries one account owns."""
    return (
        select(func.count(IncidentAction.id))
        .join(Incident, Incident.id == IncidentAction.incident_id)
        .where(
            IncidentAction.done_at.is_(None),
            IncidentAction.owner_id == bindparam("account"),
            Incident.school_id == bindparam("school"),
        )
    )


def _rows(
    session: Session, query: Select[*tuple[Any, ...]], params: dict[str, int] | None = None
) -> tuple[QueueRow, ...]:
    return tuple(map(QueueRow._make, plain_rows(session, query, params)))


def _count(session: Session, query: Select[Any], params: dict[str, int]) -> int:
    return int(plain_rows(session, query, params).scalar_one() or 0)
