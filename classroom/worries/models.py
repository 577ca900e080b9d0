"""Worries and concerns: incidents, their chronology, actions, referrals and decisions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    false,
    literal_column,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import Grouping

from classroom.accounts.models import Account
from classroom.db import Base, UtcDateTime, str_enum
from classroom.pupils.models import Pupil
from classroom.risks import RISK_LABELS, PolicyRisk


class Source(StrEnum):
    PUPIL = "pupil"  # the pupil's own "Report a worry" button
    STAFF = "staff"  # a concern a member of staff raised


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"  # acknowledged by the safeguarding team
    CLOSED = "closed"


# One list with the lessons' risks (classroom/risks.py): a worry's category is a policy risk.
Category = PolicyRisk
CATEGORY_LABELS = RISK_LABELS


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class PupilRole(StrEnum):
    """A linked pupil's part in the worry. Child-on-child abuse (Keeping Children Safe in
    Education, part 5) needs the child harmed, the child alleged to have caused the harm and
    the children who saw it told apart: each needs a different response (a risk assessment and
    support for the alleged child, their carers told with care, a witness's usually told
    nothing). "Involved" is for any other part; links made before the others existed keep it.
    Stored as its value in a plain string column (db.str_enum): no CHECK, no migration."""

    REPORTED_BY = "reported_by"
    AFFECTED = "affected"
    ALLEGED = "alleged"
    WITNESS = "witness"
    INVOLVED = "involved"


# Said after a pupil's name: on the record, in its chronology and wherever carers are decided.
PUPIL_ROLE_LABELS = {
    PupilRole.REPORTED_BY: "reported it",
    PupilRole.AFFECTED: "affected",
    PupilRole.ALLEGED: "alleged to have caused harm",
    PupilRole.WITNESS: "saw it",
    PupilRole.INVOLVED: "involved",
}

# What each role means, in plain words, where a DSL chooses one (linking a pupil, changing a
# pupil's role). Nothing is chosen at first.
PUPIL_ROLE_MEANINGS = {
    PupilRole.AFFECTED: "Affected: the child harmed, or the child the worry is about",
    PupilRole.ALLEGED: "Alleged to have caused harm: said to have harmed another child "
    "(not proven)",
    PupilRole.WITNESS: "Saw it: a witness, not harmed and not said to have caused it",
    PupilRole.REPORTED_BY: "Reported it: told an adult, or pressed the worry button",
    PupilRole.INVOLVED: "Involved in another way: none of the above",
}


class Agency(StrEnum):
    CHILDRENS_SERVICES = "childrens_services"
    POLICE = "police"
    CEOP = "ceop"
    LADO = "lado"  # the Local Authority Designated Officer: allegations about staff
    OTHER = "other"


AGENCY_LABELS = {
    Agency.CHILDRENS_SERVICES: "Children's Services",
    Agency.POLICE: "Police",
    Agency.CEOP: "CEOP",
    Agency.LADO: "LADO (Local Authority Designated Officer)",
    Agency.OTHER: "Other agency",
}


class ParentContact(StrEnum):
    INFORM_NOW = "inform_now"
    NOT_NOW = "not_now"
    DO_NOT_CONTACT = "do_not_contact"


PARENT_CONTACT_LABELS = {
    ParentContact.INFORM_NOW: "Inform parents/carers now",
    ParentContact.NOT_NOW: "Not now (review later)",
    ParentContact.DO_NOT_CONTACT: "Do not contact parents/carers",
}


class Incident(Base):
    """One worry or concern, and everything the safeguarding team decides about it."""

    __tablename__ = "incidents"
    __table_args__ = (
        # The queue's counts and pages walk one school's open incidents, and "Recently closed"
        # its last closed ones, in this index alone: never the years of closed history.
        Index("ix_incidents_school_status_closed", "school_id", "status", "closed_at", "id"),
        Index("ix_incidents_school_newest", "school_id", "id"),  # a school's, newest first
        # Those still holding carers back after closing (the queue's reviews due): the few kept.
        Index("ix_incidents_school_held", "school_id", "carers_held_after_closing"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[Source] = mapped_column(str_enum(Source, 8))
    status: Mapped[Status] = mapped_column(str_enum(Status, 8), default=Status.NEW)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # What the pupil chose on the iPad (codes from worries.flow), or the staff member's account.
    what: Mapped[str | None] = mapped_column(String(40))
    where: Mapped[str | None] = mapped_column(String(40))
    feeling: Mapped[str | None] = mapped_column(String(40))
    talk_to_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    pupil_words: Mapped[str | None] = mapped_column(Text)
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"))
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    communication: Mapped[str | None] = mapped_column(String(40))
    exact_words: Mapped[str | None] = mapped_column(Text)
    # Triage.
    category: Mapped[Category | None] = mapped_column(str_enum(Category, 32))
    risk: Mapped[Risk | None] = mapped_column(str_enum(Risk, 8))
    risk_rationale: Mapped[str | None] = mapped_column(Text)
    child_protection: Mapped[bool] = mapped_column(Boolean, default=False)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    realerts_sent: Mapped[int] = mapped_column(Integer, default=0)
    pupil_told_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The pupil chose `talk_to`; if the DSL sets that adult aside (not on duty, or the subject of
    # the worry), `will_talk_id` is who will come instead; the pupil sees who at next sign-in.
    talk_to_set_aside: Mapped[str | None] = mapped_column(String(16))
    will_talk_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    # The worry is about this member of staff (an allegation about an adult): the record is
    # closed to them, as to a chosen adult set aside as the subject. Set once; never unset.
    subject_staff_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Whether carers stay held back after closing (policy.holds_carers): the person closing
    # chooses, and someone may let them be told again later. While open, the decision decides.
    carers_held_after_closing: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    outcome: Mapped[str | None] = mapped_column(Text)
    lessons_learnt: Mapped[str | None] = mapped_column(Text)

    pupils: Mapped[list[IncidentPupil]] = relationship(
        back_populates="incident", order_by="IncidentPupil.id"
    )
    entries: Mapped[list[IncidentEntry]] = relationship(order_by="IncidentEntry.id")
    actions: Mapped[list[IncidentAction]] = relationship(order_by="IncidentAction.id")
    referrals: Mapped[list[Referral]] = relationship(order_by="Referral.id")
    talk_to: Mapped[Account | None] = relationship(foreign_keys=[talk_to_id])
    assignee: Mapped[Account | None] = relationship(foreign_keys=[assignee_id])
    will_talk: Mapped[Account | None] = relationship(foreign_keys=[will_talk_id])
    raised_by: Mapped[Account | None] = relationship(foreign_keys=[raised_by_id])
    subject_staff: Mapped[Account | None] = relationship(foreign_keys=[subject_staff_id])

    @property
    def reference(self) -> str:
        return f"W{self.id:05d}"

    @property
    def reporter(self) -> Pupil | None:
        for link in self.pupils:
            if link.role == PupilRole.REPORTED_BY:
                return link.pupil
        return None

    @property
    def alleged(self) -> list[Pupil]:
        """The pupils linked as alleged to have caused the harm: wherever carers may be told,
        the page warns about telling theirs (templates/worries/_alleged_caution.html)."""
        return [link.pupil for link in self.pupils if link.role == PupilRole.ALLEGED]


# The title of a worry sent with nothing chosen (the button pressed, then Send): the most urgent
# kind to follow up, because only talking to the pupil can tell what it is about.
EMPTY_WORRY = "Worry button pressed, nothing chosen — speak to the pupil"


def queue_rank() -> ColumnElement[int]:
    """0 for an empty worry (the button pressed, nothing chosen) that nobody has triaged: it
    leads the queue, however old, until someone speaks to the pupil; 1 for the rest.

    Its values are written into the SQL, not bound, so the index below and the queue's ORDER BY
    are the same expression: that is what lets the database read the queue's first page in
    order from the index instead of sorting every open worry (migration queue_order_index).
    """
    quoted = "'" + EMPTY_WORRY.replace("'", "''") + "'"
    empty = and_(Incident.summary == literal_column(quoted, String), Incident.risk.is_(None))
    return case((empty, literal_column("0", Integer)), else_=literal_column("1", Integer))


# The queue's first page: each open status's first worries, in the DSL's order, straight from
# the index (worries/queue.py `_listing`), however long the backlog.
Index(
    "ix_incidents_queue_order",
    Incident.school_id,
    Incident.status,
    Grouping(queue_rank()),  # in brackets: PostgreSQL indexes an expression only so
    Incident.id.desc(),
)


class IncidentPupil(Base):
    __tablename__ = "incident_pupils"
    __table_args__ = (UniqueConstraint("incident_id", "pupil_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id"), index=True)
    role: Mapped[PupilRole] = mapped_column(str_enum(PupilRole, 16))
    # When a pupil was linked to a record already made (None: when the record was made). A
    # leaver's child-protection file is due again for what was linked after it went
    # (worries.transfer.files_to_send).
    linked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    incident: Mapped[Incident] = relationship(back_populates="pupils")
    pupil: Mapped[Pupil] = relationship()


class IncidentEntry(Base):
    """The chronology: every action, decision and reason, who and when. Never edited."""

    __tablename__ = "incident_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(Text)

    author: Mapped[Account | None] = relationship()


class IncidentAction(Base):
    __tablename__ = "incident_actions"
    # The queue's "Follow-ups due" reads actions not done, by due date, from this index alone:
    # years of done actions cost it nothing.
    __table_args__ = (Index("ix_incident_actions_open_due", "done_at", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Closing with this action still open: it goes on, outside the closed record, for this reason.
    carried_over_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    carry_reason: Mapped[str | None] = mapped_column(Text)

    owner: Mapped[Account] = relationship(foreign_keys=[owner_id])

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.carried_over_at is None


class Referral(Base):
    """A referral to an agency outside school, and its follow-up clock: until the agency's reply
    is recorded, someone must chase it by `follow_up_on` (moved on by each chase)."""

    __tablename__ = "referrals"
    # Replies still awaited, by follow-up day: the queue's follow-ups due read only these.
    __table_args__ = (Index("ix_referrals_awaiting_due", "replied_on", "follow_up_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    agency: Mapped[Agency] = mapped_column(str_enum(Agency, 24))
    reference: Mapped[str] = mapped_column(String(80), default="")
    made_at: Mapped[datetime] = mapped_column(UtcDateTime())
    made_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    follow_up_on: Mapped[date] = mapped_column(Date)
    replied_on: Mapped[date | None] = mapped_column(Date)  # the day the agency's reply came
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # reply recorded
    outcome: Mapped[str | None] = mapped_column(Text)  # what the agency decided

    made_by: Mapped[Account] = relationship(foreign_keys=[made_by_id])

    @property
    def awaiting_reply(self) -> bool:
        return self.replied_on is None


class ParentContactDecision(Base):
    """Parents are never told automatically: each decision, its reason and who made it."""

    __tablename__ = "parent_contact_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    decision: Mapped[ParentContact] = mapped_column(str_enum(ParentContact, 16))
    reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())
    review_on: Mapped[date | None] = mapped_column(Date)
    # Whose carers it is for: None for every pupil linked to the record (a pupil linked later
    # too), else that one pupil's carers only. policy.py says which decision is in force for
    # whom (`decision_in_force`).
    pupil_id: Mapped[int | None] = mapped_column(ForeignKey("pupils.id"))

    decided_by: Mapped[Account] = relationship()
    pupil: Mapped[Pupil | None] = relationship()


class StaffAlert(Base):
    """An in-app alert for one member of the safeguarding team."""

    __tablename__ = "staff_alerts"
    __table_args__ = (
        Index("ix_staff_alerts_account_seen", "account_id", "seen_at"),
        Index("ix_staff_alerts_incident_id", "incident_id"),  # an incident's re-alert ladder
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    # None for an alert about a colleague, not a worry ("work_left"): see `about_id`.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    # new | reminder | chosen (the pupil's adult) | work_left (a colleague deactivated with open
    # work: `about_id` is theirs, `note` says how much, in counts only)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    about_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    note: Mapped[str] = mapped_column(String(300), default="", server_default="")

    account: Mapped[Account] = relationship(foreign_keys=[account_id])


class IncidentFormSent(Base):
    """A form on an incident page that has made its change, by the key the page gave it.

    Sent again (the Wi-Fi dropped before the answer came, and the DSL pressed Save again), it
    makes no second note or action: the key is taken once, in the same unit of work as the
    change, so a refused or failed change leaves it free for the corrected form.
    """

    __tablename__ = "incident_forms_sent"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
