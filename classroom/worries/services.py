"""Raising worries and concerns, alerting the safeguarding team, and working each incident."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from typing import NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from classroom import localtime, policy
from classroom.accounts.models import Account, Role
from classroom.audit.services import record
from classroom.db import plain_rows, write_after_read
from classroom.devices.models import Device
from classroom.errors import Forbidden, Invalid, checked_key
from classroom.lessons import maps
from classroom.lessons.content import Catalogue
from classroom.outbox.models import OutboxMessage
from classroom.outbox.services import enqueue_email
from classroom.principals import Actor
from classroom.pupils.models import Pupil
from classroom.symbols.people import school_adults
from classroom.worries import chronology, flow
from classroom.worries.models import (
    AGENCY_LABELS,
    CATEGORY_LABELS,
    EMPTY_WORRY,
    PARENT_CONTACT_LABELS,
    PUPIL_ROLE_LABELS,
    Agency,
    Category,
    Incident,
    IncidentAction,
    IncidentEntry,
    IncidentPupil,
    ParentContact,
    ParentContactDecision,
    PupilRole,
    Referral,
    Risk,
    Source,
    StaffAlert,
    Status,
)
from classroom.worries.queue import OpenWork

MAX_TEXT = 5000
COMMUNICATION = {
    "speech": "Spoken words",
    "signs": "Signs (e.g. Makaton)",
    "aac": "Voice-output aid (AAC) or symbols",
    "gesture": "Gesture or pointing",
    "behaviour": "Behaviour",
    "writing": "Writing or typing",
    "monitoring": "Web-filter monitoring alert",
    "other": "Other",
}


@dataclass
class WorryChoices:
    """What a pupil chose in the worry flow; any step may have been skipped (None)."""

    what: str | None = None
    where: str | None = None
    feeling: str | None = None
    talk_to_id: int | None = None
    words: str | None = None


def _clean(text: str | None, limit: int, label: str) -> str | None:
    if text is None:
        return None
    text = text.replace("\x00", "").strip()
    if len(text) > limit:
        raise Invalid(f"{label} is too long: at most {limit} characters.", label.lower())
    return text or None


def trusted_adults(session: Session, pupil: Pupil) -> list[Account]:
    """Who the pupil can choose to talk to: their school trusted adults ("my people", else
    their class staff), then the safeguarding lead. Never a home adult."""
    return school_adults(session, pupil)


def validate_choices(session: Session, pupil: Pupil, choices: WorryChoices) -> WorryChoices:
    """Keep only known codes and one of the pupil's own trusted adults; refuse over-long text."""
    for field, options in (("what", flow.WHAT), ("where", flow.WHERE), ("feeling", flow.FEELING)):
        if not flow.valid(options, getattr(choices, field)):
            raise Invalid(f"Unknown choice for {field}.", field)
    adults = {a.id for a in trusted_adults(session, pupil)}
    if choices.talk_to_id is not None and choices.talk_to_id not in adults:
        raise Invalid("Choose one of the adults shown.", "talk_to")
    choices.words = _clean(choices.words, flow.MAX_WORDS, "Say more")
    return choices


def settle_saved_choices(session: Session, pupil: Pupil, choices: WorryChoices) -> list[str]:
    """A worry saved on an iPad is never refused for what changed before it arrived (it could
    not be sent again any other way): an answer this version does not know, or an adult no
    longer offered to the pupil, is left out, and the team is told so in the chronology."""
    notes = []
    for field, question, options in flow.STEPS:
        if not flow.valid(options, getattr(choices, field)):
            setattr(choices, field, None)
            notes.append(f'The answer to "{question}" could not be read, so it is left out.')
    offered = {a.id for a in trusted_adults(session, pupil)}
    if choices.talk_to_id is not None and choices.talk_to_id not in offered:
        adult = session.get(Account, choices.talk_to_id)
        who = adult.display_name if adult and adult.school_id == pupil.school_id else "an adult"
        notes.append(
            f"{pupil.first_name} chose {who} to talk to, who was no longer one of "
            f"{pupil.first_name}'s adults when the worry arrived, so nobody was told. "
            f"Decide who will talk to {pupil.first_name}."
        )
        choices.talk_to_id = None
    return notes


def _worry_title(choices: WorryChoices) -> str:
    chosen = (choices.what, choices.where, choices.feeling, choices.talk_to_id, choices.words)
    if all(value is None for value in chosen):
        return EMPTY_WORRY
    if choices.what is None:
        return "Worry: what happened was not chosen"
    return flow.words_for(flow.WHAT, choices.what)


def existing(session: Session, key: str) -> Incident | None:
    """The incident a repeated send already made (checks the key is well formed first)."""
    return session.scalar(select(Incident).where(Incident.idempotency_key == checked_key(key)))


def raise_worry(
    session: Session,
    pupil: Pupil,
    device: Device | None,
    key: str,
    choices: WorryChoices,
    *,
    now: datetime,
    base_url: str,
    saved: list[str] | None = None,
) -> Incident:
    """Record a pupil's worry and alert the team in one transaction; a repeated key is a no-op.

    `saved`: the worry was saved on an iPad and sent later, with what the team should know
    about its sending; what no longer holds is then noted, not refused (`settle_saved_choices`).
    """
    found = existing(session, key)
    if found is not None:
        return found
    notes = None if saved is None else [*saved, *settle_saved_choices(session, pupil, choices)]
    choices = validate_choices(session, pupil, choices)
    incident = Incident(
        school_id=pupil.school_id,
        idempotency_key=key,
        source=Source.PUPIL,
        status=Status.NEW,
        created_at=now,
        what=choices.what,
        where=choices.where,
        feeling=choices.feeling,
        talk_to_id=choices.talk_to_id,
        pupil_words=choices.words,
        device_id=device.id if device else None,
        category=flow.SUGGESTED_CATEGORY.get(choices.what or ""),
        summary=_worry_title(choices),
    )
    session.add(incident)
    session.flush()
    session.add(
        IncidentPupil(incident_id=incident.id, pupil_id=pupil.id, role=PupilRole.REPORTED_BY)
    )
    _entry(session, incident, None, "raised", "Reported by the pupil on a class iPad", now=now)
    for note in notes or ():
        _entry(session, incident, None, "note", note, now=now)
    _alert_team(session, incident, "new", now=now, base_url=base_url)
    if incident.talk_to_id is not None:
        _tell_chosen_adult(
            session, incident, pupil, incident.talk_to_id, now=now, base_url=base_url
        )
    record(session, pupil, "worry.reported", incident, f"by pupil #{pupil.id}")
    return incident


@dataclass
class ConcernInput:
    pupil_id: int
    summary: str
    communication: str
    exact_words: str | None
    category: Category | None


def raise_concern(
    session: Session, actor: Actor, key: str, data: ConcernInput, *, now: datetime, base_url: str
) -> Incident:
    """A member of staff logs a concern about any pupil of their school."""
    account = policy.holder(actor, "raise_concern")
    pupil = session.scalar(policy.concern_pupils(actor).where(Pupil.id == data.pupil_id))
    if account is None or pupil is None:
        raise Invalid("Choose a pupil from the list.", "pupil_id")
    found = existing(session, key)
    if found is not None and found.raised_by_id == account.id:
        return found  # their own concern sent again: kept once
    if found is not None:  # another's key (a replayed form): never drop this concern silently
        raise Invalid(
            "This form had already been used. Nothing you wrote is lost: check it and send it "
            "again.",
            "key",
        )
    summary = _clean(data.summary, MAX_TEXT, "What happened")
    if not summary:
        raise Invalid("Say what happened.", "summary")
    if data.communication not in COMMUNICATION:
        raise Invalid("Choose how the pupil communicated it.", "communication")
    incident = Incident(
        school_id=account.school_id,
        idempotency_key=key,
        source=Source.STAFF,
        status=Status.NEW,
        created_at=now,
        raised_by_id=account.id,
        summary=summary,
        communication=data.communication,
        exact_words=_clean(data.exact_words, MAX_TEXT, "Exact words or signs"),
        category=data.category,
    )
    session.add(incident)
    session.flush()
    session.add(IncidentPupil(incident_id=incident.id, pupil_id=pupil.id, role=PupilRole.AFFECTED))
    _entry(
        session, incident, account, "raised", f"Concern raised by {account.display_name}", now=now
    )
    _alert_team(session, incident, "new", now=now, base_url=base_url)
    record(session, actor, "concern.raised", incident, f"about pupil #{pupil.id}")
    return incident


# --- Alerts -----------------------------------------------------------------------------------


def _alert_team(
    session: Session, incident: Incident, kind: str, *, now: datetime, base_url: str
) -> None:
    """In-app alerts and emails (via the outbox) to the DSL and deputies; reminders add the head."""
    team = policy.safeguarding_team(incident.school_id, "team" if kind == "reminder" else "alerted")
    round_ = incident.realerts_sent
    for account in session.scalars(team).all():
        if policy.is_subject_of(account, incident):
            continue  # the record is closed to them: they are not told it is waiting either
        session.add(
            StaffAlert(account_id=account.id, incident_id=incident.id, kind=kind, created_at=now)
        )
        if account.email:
            # No detail in the email: it says there is something new and to sign in.
            enqueue_email(
                session,
                f"incident:{incident.id}:{kind}:{round_}:{account.id}",
                account.email,
                f"{'Reminder: ' if kind == 'reminder' else ''}"
                f"New worry or concern {incident.reference}",
                f"There is {'still an unacknowledged' if kind == 'reminder' else 'a new'} worry or "
                f"concern ({incident.reference}) in the safeguarding queue.\n\n"
                f"Please sign in to see it: {_record_link(base_url, incident)}\n",
                school_id=incident.school_id,
                base_url=base_url,
                now=now,
            )


def _record_link(base_url: str, incident: Incident) -> str:
    """The record's own address, for an email to the team: after sign-in (two-step on a phone
    after school) it opens there, not at the queue. Its number names nobody."""
    return f"{base_url}/safeguarding/{incident.id}"


def send_reminders(session: Session, *, now: datetime, ack_minutes: int, base_url: str) -> int:
    """Alert again (and the headteacher too) about reports nobody acknowledged in time.

    Exactly once even with two `flask worker run` processes: the rows are claimed with a lock
    (FOR UPDATE SKIP LOCKED on PostgreSQL, so the other worker passes over them; SQLite's BEGIN
    IMMEDIATE makes the other wait), and read fresh once locked, so a round already sent is seen.
    """
    count = 0
    claimed = session.scalars(
        select(Incident)
        .where(Incident.status == Status.NEW)
        .order_by(Incident.id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    for incident in list(claimed):
        if now >= reminder_due(incident, ack_minutes):
            incident.realerts_sent += 1
            # Rungs the worker slept through (it was stopped) are passed over, not sent one a
            # round: one re-alert now, then the ladder goes on from where the clock is.
            missed = 0
            while now >= reminder_due(incident, ack_minutes):
                incident.realerts_sent += 1
                missed += 1
            _alert_team(session, incident, "reminder", now=now, base_url=base_url)
            waited = _span(_rung_offset(incident.realerts_sent, ack_minutes))
            late = (
                f" ({plural(missed, 'earlier re-alert', 'earlier re-alerts')} did not go out: "
                "the background worker had stopped)"
                if missed
                else ""
            )
            _entry(
                session,
                incident,
                None,
                "reminder",
                f"Not acknowledged within {waited}; "
                f"the team and headteacher were alerted again{late}",
                now=now,
            )
            count += 1
    return count


# The re-alert ladder: a rung every WORRY_ACK_MINUTES (the school's target) for the first
# REALERT_STEADY, as before; then each gap twice the one before, up to REALERT_MAX_GAP. Every 15
# minutes for as long as nobody looks (a Friday-afternoon worry sent each of the team 258 emails
# by Monday morning) teaches people to ignore them; a few a day out of hours still chase it and
# never leave it unseen, and a worry told in the school day is chased as hard as ever at first.
REALERT_STEADY = timedelta(hours=2)
REALERT_MAX_GAP = timedelta(hours=8)


def _rung_offset(rung: int, minutes: int) -> timedelta:
    """How long after the report its `rung`th re-alert goes (rung 1: after `minutes`)."""
    gap = timedelta(minutes=minutes)
    cap = max(REALERT_MAX_GAP, gap)
    offset = timedelta(0)
    for _ in range(rung):
        offset += gap
        if offset >= REALERT_STEADY:
            gap = min(gap * 2, cap)
    return offset


def _span(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes < 120:
        return plural(minutes, "minute", "minutes")
    return plural(minutes // 60, "hour", "hours")


def reminder_due(incident: Incident, minutes: int) -> datetime:
    """When the next re-alert goes out if nobody acknowledges it (the ladder's next rung)."""
    return incident.created_at + _rung_offset(incident.realerts_sent + 1, minutes)


# An alert about a colleague deactivated with open work: it has no incident (StaffAlert.about_id).
WORK_LEFT = "work_left"


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def work_left_words(work: OpenWork) -> str:
    """Counts in words, as "2 open worries and 1 open action": never a pupil nor a record."""
    worries = plural(work.worries, "open worry", "open worries")
    return f"{worries} and {plural(work.actions, 'open action', 'open actions')}"


@dataclass(frozen=True)
class TeamTold:
    """How many of the rest of the team were alerted in the app, and how many also emailed."""

    alerted: int
    emailed: int


def tell_team_of_work_left(
    session: Session, account: Account, work: OpenWork, *, now: datetime, base_url: str
) -> TeamTold:
    """The rest of the team are told that a deactivated colleague's open work needs a new owner:
    an in-app alert each (some have no email address, or read none) and an email through the
    outbox (so after commit) to those who have one. Only the counts: the admin who deactivated
    them may see the failed email, and may not read child-protection records."""
    team = policy.safeguarding_team(account.school_id).where(Account.id != account.id)
    note = (
        f"{account.display_name}'s account was deactivated; they had "
        f"{plural(work.worries, 'open worry', 'open worries')} and "
        f"{plural(work.actions, 'open action', 'open actions')} to reassign"
    )
    alerted = emailed = 0
    for member in session.scalars(team):
        alerted += 1
        session.add(
            StaffAlert(
                account_id=member.id, kind=WORK_LEFT, about_id=account.id, note=note, created_at=now
            )
        )
        if member.email:
            emailed += 1
            _email_work_left(session, account, member, work, now=now, base_url=base_url)
    return TeamTold(alerted, emailed)


def _email_work_left(
    session: Session,
    account: Account,
    member: Account,
    work: OpenWork,
    *,
    now: datetime,
    base_url: str,
) -> None:
    enqueue_email(
        session,
        f"work-left:{account.id}:{now.isoformat()}:{member.id}",
        member.email or "",
        "Open safeguarding work to reassign",
        f"{account.display_name}'s account was deactivated with {work_left_words(work)} "
        "still assigned to them: reassign them.\n\n"
        f"Please sign in to the safeguarding queue to do it: {base_url}/safeguarding/\n",
        school_id=account.school_id,
        base_url=base_url,
        now=now,
    )


def reminder_late(incident: Incident, minutes: int, worker_seconds: int, now: datetime) -> bool:
    """The next re-alert should have gone out by now (a worker round and a minute's grace
    after it was due) and has not: the worker that sends alerts and emails may have stopped.
    The team must be told, not shown a time in the past as if it were still to come."""
    late_after = reminder_due(incident, minutes) + timedelta(seconds=worker_seconds + 60)
    return incident.status == Status.NEW and now > late_after


def late_realert(
    session: Session, actor: Actor, minutes: int, worker_seconds: int, now: datetime
) -> datetime | None:
    """When a re-alert that has not gone out was due, if one is late (see `reminder_late`).

    The oldest new worry is the one to ask: while the worker runs, each re-alert goes on time,
    so that one's is never late; once the worker stops, it is the first to be.
    """
    oldest = session.scalar(
        policy.visible_incidents(actor)
        .where(Incident.status == Status.NEW)
        .order_by(None)
        .order_by(Incident.created_at, Incident.id)
        .limit(1)
    )
    if oldest is None or not reminder_late(oldest, minutes, worker_seconds, now):
        return None
    return reminder_due(oldest, minutes)


def unacknowledged_count(session: Session, actor: Actor) -> int:
    """The badge: worries and concerns nobody on the team has acknowledged yet."""
    count = _unacknowledged(policy.visible_incidents(actor))
    return int(plain_rows(session, count).scalar_one() or 0)


@lru_cache(maxsize=policy.SCOPES_REMEMBERED)  # every staff page shows the badge: built once
def _unacknowledged(scope: Select[Incident]) -> Select[int]:
    new = scope.where(Incident.status == Status.NEW)
    return new.with_only_columns(func.count()).order_by(None)


def my_alerts(session: Session, account: Account, limit: int = 100) -> list[StaffAlert]:
    """This person's in-app alerts, newest first (unseen ones first)."""
    return list(
        session.scalars(
            select(StaffAlert)
            .where(StaffAlert.account_id == account.id)
            .order_by(StaffAlert.seen_at.is_not(None), StaffAlert.id.desc())
            .limit(limit)
        )
    )


_ALERT_OWNER: BindParameter[int] = bindparam("account_id")
# This person's unseen alerts that their Alerts page shows (as `shown_alerts` chooses): none
# about a record they are the subject of. Read by ix_staff_alerts_account_seen; the incident
# by its key.
_UNSEEN_SHOWN = (
    select(func.count())
    .select_from(StaffAlert)
    .outerjoin(Incident, Incident.id == StaffAlert.incident_id)
    .where(
        StaffAlert.account_id == _ALERT_OWNER,
        StaffAlert.seen_at.is_(None),
        or_(
            Incident.talk_to_set_aside.is_distinct_from(policy.SUBJECT),
            Incident.talk_to_id.is_distinct_from(_ALERT_OWNER),
        ),
        Incident.subject_staff_id.is_distinct_from(_ALERT_OWNER),
    )
)
# One who has left the team no longer sees a colleague's work left to reassign.
_UNSEEN_SHOWN_OFF_TEAM = _UNSEEN_SHOWN.where(StaffAlert.incident_id.is_not(None))


def unseen_alert_count(session: Session, account: Account) -> int:
    """How many of this person's alerts are not seen yet, for the header's Alerts link: those
    their Alerts page would show, so the number can always be brought to none there."""
    team = policy.is_safeguarding_team(account)
    statement = _UNSEEN_SHOWN if team else _UNSEEN_SHOWN_OFF_TEAM
    found = plain_rows(session, statement, {"account_id": account.id})
    return int(found.scalar_one() or 0)


def shown_alerts(
    session: Session, account: Account, *, now: datetime
) -> list[tuple[StaffAlert, Incident | None]]:
    """This person's alerts for their Alerts page, but none about a record closed to them.

    A pupil's wish to talk to them is the whole of its alert, so it is seen once it is shown:
    marked after the read (one plain UPDATE, which passes over an alert the team has just
    withdrawn), so the team setting this adult aside learns that they know.
    """
    alerts: list[tuple[StaffAlert, Incident | None]] = []
    for alert in my_alerts(session, account):
        if alert.incident_id is None:
            # A colleague's work left to reassign is the team's business: one who has since
            # left the team (a new role) no longer sees it.
            if policy.is_safeguarding_team(account):
                alerts.append((alert, None))
            continue
        incident = session.get_one(Incident, alert.incident_id)
        if not policy.is_subject_of(account, incident):
            alerts.append((alert, incident))
    unseen = [a.id for a, _ in alerts if a.kind == "chosen" and a.seen_at is None]
    if unseen:
        seen = (
            update(StaffAlert)
            .where(StaffAlert.id.in_(unseen), StaffAlert.seen_at.is_(None))
            .values(seen_at=now)
        )

        def mark(connection: Connection) -> None:
            connection.execute(seen)

        write_after_read(session, mark)
    return alerts


def mark_alert_seen(
    session: Session, account: Account, alert_id: int, *, now: datetime
) -> StaffAlert:
    """Mark one of this person's own alerts seen (someone else's is simply not found)."""
    alert = session.get(StaffAlert, alert_id)
    if alert is None or alert.account_id != account.id:
        raise LookupError("no such alert")
    if alert.seen_at is None:
        alert.seen_at = now
        record(session, account, "alert.seen", None, f"alert #{alert.id}")
    return alert


def incident_alerts(session: Session, incident: Incident) -> list[StaffAlert]:
    """The re-alert ladder for the incident page: who was alerted, when, and who has seen it."""
    return list(
        session.scalars(
            select(StaffAlert).where(StaffAlert.incident_id == incident.id).order_by(StaffAlert.id)
        )
    )


# --- The adult the pupil chose ----------------------------------------------------------------

SET_ASIDE = {
    "not_on_duty": "not on duty",
    policy.SUBJECT: "the subject of the worry",
}


def _tell_chosen_adult(
    session: Session,
    incident: Incident,
    pupil: Pupil,
    adult_id: int,
    *,
    now: datetime,
    base_url: str,
) -> None:
    """The promise made on the iPad ("Ms Lopez will talk to you") is passed to Ms Lopez.

    Content-free, as every alert email is: the in-app alert says who would like to talk, and
    to see the DSL first; the email only that a pupil would, and to sign in.
    """
    adult = session.get(Account, adult_id)
    if adult is None or not adult.active:
        return
    session.add(
        StaffAlert(account_id=adult.id, incident_id=incident.id, kind="chosen", created_at=now)
    )
    text = chosen_adult_message(pupil)
    if adult.email:
        # Depersonalised (the e-safety policy on email): the name waits behind the sign-in.
        enqueue_email(
            session,
            f"incident:{incident.id}:chosen:{adult.id}",
            adult.email,
            "A pupil would like to talk to you",
            "A pupil would like to talk to you \u2014 see the DSL first.\n\n"
            f"Sign in to see who: {base_url}/alerts/\n",
            school_id=incident.school_id,
            base_url=base_url,
            now=now,
        )
    told = "in-app alert, and an email naming no pupil" if adult.email else "in-app alert"
    _entry(
        session,
        incident,
        None,
        "chosen_told",
        f"{adult.display_name} was told \u201c{text}\u201d ({told})",
        now=now,
    )


def chosen_adult_message(pupil: Pupil) -> str:
    return f"{pupil.first_name} would like to talk to you \u2014 see the DSL"


def chosen_alternatives(session: Session, incident: Incident) -> list[Account]:
    """Who may go instead: the pupil's trusted adults and the safeguarding team, not the chosen."""
    reporter = incident.reporter
    people = trusted_adults(session, reporter) if reporter else []
    people += list(session.scalars(policy.safeguarding_team(incident.school_id)))
    unique: dict[int, Account] = {}
    closed_to = policy.subjects_of(incident)  # nobody the worry is about goes instead
    for person in people:
        if person.id != incident.talk_to_id and person.id not in closed_to:
            unique.setdefault(person.id, person)
    return list(unique.values())


def set_aside_chosen_adult(
    session: Session,
    actor: Actor,
    incident: Incident,
    why: str,
    instead_id: int | None,
    *,
    now: datetime,
    base_url: str,
) -> None:
    """The chosen adult is not on duty or is the subject of the worry: someone else will come."""
    account = _worker(actor, incident)
    if incident.talk_to_id is None or incident.reporter is None:
        raise Invalid("The pupil did not choose an adult.", "why")
    if why not in SET_ASIDE:
        raise Invalid("Choose why the chosen adult cannot talk to the pupil.", "why")
    instead = next((a for a in chosen_alternatives(session, incident) if a.id == instead_id), None)
    if instead is None:
        raise Invalid("Choose who will talk to the pupil instead.", "instead_id")
    incident.talk_to_set_aside, incident.will_talk_id = why, instead.id
    chosen = incident.talk_to.display_name if incident.talk_to else "The chosen adult"
    withdrawn = _withdraw_chosen_alert(session, incident, incident.talk_to_id, why, now=now)
    _entry(
        session,
        incident,
        account,
        "chosen_set_aside",
        " ".join(
            filter(
                None,
                [
                    f"{chosen} is {SET_ASIDE[why]}; {instead.display_name} will talk to "
                    f"{incident.reporter.first_name} instead.",
                    withdrawn,
                    _closed_to(why),
                ],
            )
        ),
        now=now,
    )
    _tell_chosen_adult(session, incident, incident.reporter, instead.id, now=now, base_url=base_url)
    record(session, actor, "incident.chosen_adult_set_aside", incident, why)


def _closed_to(why: str) -> str:
    """What the team is told when the adult is the subject (policy.visible_incidents)."""
    return "This record is now closed to them." if why == policy.SUBJECT else ""


def _withdraw_chosen_alert(
    session: Session, incident: Incident, adult_id: int, why: str, *, now: datetime
) -> str:
    """Take back what told the set-aside adult that the pupil wants to talk to them: their
    alert while unseen, their email while unsent. Should the worry be about them, everything
    still waiting to tell them of it goes too (a new worry's or a reminder's alert and email).
    What cannot be taken back is said, so the team knows what that adult may already know."""
    chosen_key = f"incident:{incident.id}:chosen:{adult_id}"
    subject = why == policy.SUBJECT
    alerts = session.execute(
        delete(StaffAlert).where(
            StaffAlert.incident_id == incident.id,
            StaffAlert.account_id == adult_id,
            StaffAlert.kind == "chosen",
            StaffAlert.seen_at.is_(None),
        )
    )
    emails = session.execute(
        delete(OutboxMessage).where(OutboxMessage.dedupe_key == chosen_key, _unsent(now))
    )
    if subject:
        _withdraw_all_alerts(session, incident, adult_id, now=now)
    seen = session.scalar(
        select(StaffAlert.id).where(
            StaffAlert.incident_id == incident.id,
            StaffAlert.account_id == adult_id,
            StaffAlert.kind == "chosen",
        )
    )
    sent = session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == chosen_key))
    said = []
    if getattr(alerts, "rowcount", 0):
        said.append("Their alert was withdrawn before they saw it.")
    elif seen is not None:
        said.append("They had already seen their alert.")
    if getattr(emails, "rowcount", 0):
        said.append("Their email was not sent.")
    elif sent is not None:
        said.append("Their email had already gone.")
    return " ".join(said)


def _unsent(now: datetime) -> ColumnElement[bool]:
    """An email still waiting in the outbox, and not being sent this moment."""
    return and_(
        OutboxMessage.sent_at.is_(None),
        or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
    )


def _withdraw_all_alerts(
    session: Session, incident: Incident, account_id: int, *, now: datetime
) -> tuple[int, int]:
    """The worry is about this person: every alert about it they have not seen, and every
    email about it not sent to them yet, goes (how many of each)."""
    alerts = session.execute(
        delete(StaffAlert).where(
            StaffAlert.incident_id == incident.id,
            StaffAlert.account_id == account_id,
            StaffAlert.seen_at.is_(None),
        )
    )
    # Every alert email's key ends with who it is to (see _alert_team, _tell_chosen_adult).
    mine = OutboxMessage.dedupe_key.like(f"incident:{incident.id}:%:{account_id}")
    emails = session.execute(delete(OutboxMessage).where(mine, _unsent(now)))
    return getattr(alerts, "rowcount", 0) or 0, getattr(emails, "rowcount", 0) or 0


# --- A worry about a member of staff ----------------------------------------------------------

# The alert to the headteacher when the worry is about the DSL, or about the last lead left.
STAFF_SUBJECT = "staff_subject"


def subject_staff_choices(session: Session, incident: Incident) -> list[Account]:
    """Who the worry may be about: any active member of the school's staff (the team and the
    headteacher too), by name."""
    return list(
        session.scalars(
            select(Account)
            .where(
                Account.school_id == incident.school_id,
                Account.active.is_(True),
                Account.role.in_(policy.STAFF_ROLES),
            )
            .order_by(Account.display_name, Account.id)
        )
    )


def set_subject_staff(
    session: Session,
    actor: Actor,
    incident: Incident,
    subject_id: int | None,
    *,
    now: datetime,
    base_url: str,
) -> Account:
    """Record that the worry is about a member of staff: from then on the record is closed to
    them, as to a chosen adult set aside as the subject (policy.is_subject_of). Set once: a
    wrong choice is put right by the headteacher, never by the app, so nobody can open a
    record to its subject again by changing who it is about."""
    account = _worker(actor, incident)
    if incident.subject_staff_id is not None:
        raise Invalid(
            "Who this worry is about has already been recorded and cannot be changed here. "
            "If it is wrong, tell the headteacher.",
            "subject_id",
        )
    subject = next(
        (a for a in subject_staff_choices(session, incident) if a.id == subject_id), None
    )
    if subject is None:
        raise Invalid("Choose the member of staff the worry is about.", "subject_id")
    if subject.id == account.id:
        raise Invalid(
            "You cannot record that a worry is about you: the record would close to you while "
            "you work it. Tell the headteacher or another member of the safeguarding team now.",
            "subject_id",
        )
    incident.subject_staff_id = subject.id
    said = [
        f"The worry is about a member of staff: {subject.display_name}. "
        "This record is now closed to them."
    ]
    alerts, emails = _withdraw_all_alerts(session, incident, subject.id, now=now)
    if alerts or emails:
        said.append(
            f"Withdrawn before they saw them: {plural(alerts, 'alert', 'alerts')} and "
            f"{plural(emails, 'email', 'emails')}."
        )
    if incident.assignee_id == subject.id:
        incident.assignee_id = None
        said.append("It was assigned to them: it is not assigned to anyone now.")
    said += _actions_taken_from(session, incident, subject, account)
    told = _tell_head_of_subject(session, incident, account, now=now, base_url=base_url)
    if told:
        said.append(f"Alerted: {', '.join(told)}.")
    _entry(session, incident, account, "subject_staff", " ".join(said), now=now)
    record(session, actor, "incident.subject_staff_set", incident, f"account #{subject.id}")
    return subject


def _actions_taken_from(
    session: Session, incident: Incident, subject: Account, account: Account
) -> list[str]:
    """The record's open actions the one it is about owned go to whoever recorded it: closed
    to their owner, they would otherwise wait for someone who can no longer see them."""
    theirs = session.scalars(
        select(IncidentAction).where(
            IncidentAction.incident_id == incident.id,
            IncidentAction.owner_id == subject.id,
            IncidentAction.done_at.is_(None),
        )
    ).all()
    for action in theirs:
        action.owner_id = account.id
    if not theirs:
        return []
    listed = "; ".join(action.description for action in theirs)
    return [f"Their open actions go to {account.display_name}: {listed}."]


def _tell_head_of_subject(
    session: Session,
    incident: Incident,
    account: Account,
    *,
    now: datetime,
    base_url: str,
) -> list[str]:
    """The headteacher is alerted (as of a worry nobody acknowledged): the school's policy has
    staff report concerns about colleagues to the head, and the one it is about may be the DSL
    or the last lead its alerts go to. Not the one recording it, nor a head it is about."""
    alerted_roles = policy.team_roles("alerted")
    told = []
    for head in session.scalars(policy.safeguarding_team(incident.school_id)):
        if head.role in alerted_roles or head.id == account.id:
            continue
        if policy.is_subject_of(head, incident):
            continue
        told.append(head.display_name)
        session.add(
            StaffAlert(
                account_id=head.id, incident_id=incident.id, kind=STAFF_SUBJECT, created_at=now
            )
        )
        if head.email:  # no detail: only that there is something to see, and to sign in
            enqueue_email(
                session,
                f"incident:{incident.id}:{STAFF_SUBJECT}:{head.id}",
                head.email,
                f"A worry or concern needs you: {incident.reference}",
                f"A worry or concern ({incident.reference}) in the safeguarding queue needs "
                f"you.\n\nPlease sign in to see it: {_record_link(base_url, incident)}\n",
                school_id=incident.school_id,
                base_url=base_url,
                now=now,
            )
    return told


# --- A child-protection file sent without a record closed to its sender ----------------------

# The alert when a pupil's file was made by one of the team a record of theirs is closed to
# (policy.is_subject_of): the file left it out, as it must, and the rest of the team must know.
CP_FILE_GAP = "cp_file_gap"
CP_FILE_GAP_EMAIL = (
    "A child-protection file was sent to a pupil's next school without a record that the "
    "person who made it may not see. It needs you: a complete file must be sent."
)


def gap_note(pupil: Pupil) -> str:
    """The alert's note: the pupil whose file it is, by number only (the words name nobody)."""
    return f"pupil #{pupil.id}"


def gap_pupil_id(alert: StaffAlert) -> int | None:
    """The pupil of a CP_FILE_GAP alert (see `gap_note`)."""
    number = alert.note.removeprefix("pupil #")
    return int(number) if alert.kind == CP_FILE_GAP and number.isdigit() else None


def tell_team_of_file_gap(
    session: Session,
    actor: Actor,
    account: Account,
    pupil: Pupil,
    left_out: list[Incident],
    transfer_id: int,
    *,
    now: datetime,
    base_url: str | None,
) -> list[Account]:
    """The rest of the team who may see every record `account`'s file of the pupil left out
    (the headteacher first; never anyone a record is about) get an alert, and an email through
    the outbox (so after commit) that names nobody. Whoever made the file is not told: the
    record is closed to them, and so is this. An alert still unseen is not given again."""
    about = set().union(*(policy.subjects_of(i) for i in left_out))
    team = [
        member
        for member in session.scalars(policy.safeguarding_team(pupil.school_id))
        if member.id != account.id and member.id not in about
    ]
    team.sort(key=lambda member: member.role != Role.HEADTEACHER)  # stable: by name after
    anchor, note = left_out[0], gap_note(pupil)
    told = []
    for member in team:
        unseen = select(StaffAlert.id).where(
            StaffAlert.account_id == member.id,
            StaffAlert.kind == CP_FILE_GAP,
            StaffAlert.note == note,
            StaffAlert.seen_at.is_(None),
        )
        if session.scalar(unseen.limit(1)) is not None:
            continue  # told already, and not seen yet: once is enough
        told.append(member)
        # Tied to a record left out, so closed with it to anyone it comes to be about.
        session.add(
            StaffAlert(
                account_id=member.id,
                incident_id=anchor.id,
                kind=CP_FILE_GAP,
                note=note,
                created_at=now,
            )
        )
        if member.email and base_url is not None:
            enqueue_email(
                session,
                f"incident:{anchor.id}:{CP_FILE_GAP}:{transfer_id}:{member.id}",
                member.email,
                "A child-protection file needs you",
                f"{CP_FILE_GAP_EMAIL}\n\nPlease sign in to see it: {base_url}/alerts/\n",
                school_id=pupil.school_id,
                base_url=base_url,
                now=now,
            )
    alerted = ", ".join(f"account #{member.id}" for member in told) or "nobody new"
    for incident in left_out:  # on the records left out: closed to their subjects in the log
        summary = f"transfer #{transfer_id}: sent without this record; alerted {alerted}"
        record(session, actor, "cp_file.sent_without_record", incident, summary)
    return told


def file_gap_unseen(session: Session, account: Account, pupil: Pupil) -> bool:
    """Whether this person has an unseen alert that the pupil's file went without a record
    (one they may see: never one about a record closed to them), for the file's page."""
    found = select(StaffAlert.incident_id).where(
        StaffAlert.account_id == account.id,
        StaffAlert.kind == CP_FILE_GAP,
        StaffAlert.note == gap_note(pupil),
        StaffAlert.seen_at.is_(None),
    )
    anchors = [session.get_one(Incident, i) for i in session.scalars(found) if i is not None]
    return any(not policy.is_subject_of(account, i) for i in anchors)


def gap_alerts_done(session: Session, account: Account, pupil: Pupil, *, now: datetime) -> None:
    """This person's alerts that the pupil's file went without a record, seen: they have just
    made a complete file themselves."""
    session.execute(
        update(StaffAlert)
        .where(
            StaffAlert.account_id == account.id,
            StaffAlert.kind == CP_FILE_GAP,
            StaffAlert.note == gap_note(pupil),
            StaffAlert.seen_at.is_(None),
        )
        .values(seen_at=now)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class WorryNews:
    """What the pupil's start page tells them about worries they reported."""

    seen_due: bool  # "an adult has seen your worry", until they tap OK
    coming: str | None  # who will come to talk instead of the adult they chose, on an open one


def worry_news(session: Session, pupil: Pupil) -> WorryNews:
    """Both pieces of the pupil's news in one statement (the start page asks on every visit)."""
    seen_due, name = plain_rows(session, _worry_news(), {"pupil_id": pupil.id}).one()
    return WorryNews(bool(seen_due), name)


@cache  # every visit to the start page runs it: built once, with the pupil as a parameter
def _worry_news() -> Select[bool, str | None]:
    pupil_id: BindParameter[int] = bindparam("pupil_id")
    seen = _seen_not_told(pupil_id).with_only_columns(Incident.id).exists()
    coming = (
        select(Account.display_name)
        .join(Incident, Incident.will_talk_id == Account.id)
        .join(IncidentPupil, IncidentPupil.incident_id == Incident.id)
        .where(
            IncidentPupil.pupil_id == pupil_id,
            IncidentPupil.role == PupilRole.REPORTED_BY,
            Incident.status != Status.CLOSED,
        )
        .order_by(Incident.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return select(seen, coming)


# --- Working an incident ----------------------------------------------------------------------


def _entry(
    session: Session,
    incident: Incident,
    author: Account | None,
    kind: str,
    text: str,
    reason: str | None = None,
    *,
    now: datetime,
) -> IncidentEntry:
    author_id = author.id if author else None
    return chronology.write_entry(session, incident.id, author_id, kind, text, now, reason)


def _worker(actor: Actor, incident: Incident, changing: bool = True) -> Account:
    """The team member working the incident; a closed incident refuses every change."""
    account = policy.holder(actor, "work_incidents")
    if account is None or not policy.can_work_incident(actor, incident):
        raise Forbidden("not on the safeguarding team")
    if changing:
        refuse_if_closed(incident)
    return account


def refuse_if_closed(incident: Incident) -> None:
    """Closed means closed: the record stays as it was closed until someone reopens it."""
    if incident.status == Status.CLOSED:
        raise Invalid(
            f"{incident.reference} is closed, so it cannot be changed. "
            "Reopen it with a reason first.",
            "closed",
        )


def _team_member(session: Session, incident: Incident, account_id: int | None) -> Account | None:
    """An account that may work this incident (the only people offered as owners/assignees)."""
    if account_id is None:
        return None
    member = session.scalar(
        policy.safeguarding_team(incident.school_id).where(Account.id == account_id)
    )
    # Nobody is given a record that is closed to them (policy.is_subject_of).
    return None if member is None or policy.is_subject_of(member, incident) else member


def _required(text: str | None, label: str) -> str:
    cleaned = _clean(text, MAX_TEXT, label)
    if not cleaned:
        raise Invalid(f"{label} is needed.", label.lower().replace(" ", "_"))
    return cleaned


def view(session: Session, actor: Actor, incident: Incident, *, now: datetime) -> None:
    """Opening an incident: logged, and it marks this person's alerts for it as seen."""
    account = _worker(actor, incident, changing=False)
    for alert in session.scalars(
        select(StaffAlert).where(
            StaffAlert.account_id == account.id,
            StaffAlert.incident_id == incident.id,
            StaffAlert.seen_at.is_(None),
            StaffAlert.kind != CP_FILE_GAP,  # done by sending a complete file, not by reading
        )
    ):
        alert.seen_at = now
    record(session, actor, "incident.viewed", incident)


def acknowledge(session: Session, actor: Actor, incident: Incident, *, now: datetime) -> None:
    account = _worker(actor, incident)
    if incident.status != Status.NEW:
        return
    incident.status = Status.OPEN
    incident.acknowledged_at = now
    incident.acknowledged_by_id = account.id
    _entry(
        session,
        incident,
        account,
        "acknowledged",
        f"Acknowledged by {account.display_name}",
        now=now,
    )
    record(session, actor, "incident.acknowledged", incident)


@dataclass
class Triage:
    category: Category
    risk: Risk
    rationale: str
    child_protection: bool
    assignee_id: int | None


# The "kind" of decision closing is made on: the whole record, as the last entry anyone on the
# team made (not the system's own notes, such as an email delivered, which change no decision).
WHOLE_RECORD = "record"


# Entries that change what a decision's form shows, besides the decision itself: a change of
# who holds the worry (`assign`) changes the triage's "Assigned to", so a triage saved on a
# page drawn before it would quietly give the worry back.
ALSO_CHANGES = {"triage": ("assigned",), "assigned": ("triage",)}


def latest_decision(session: Session, incident: Incident, kind: str) -> IncidentEntry | None:
    """The chronology entry of the decision of this kind ("triage", "parent_contact") in force
    (or the later change to what its form shows, ALSO_CHANGES), or for WHOLE_RECORD the last
    entry a person made."""
    kinds = (kind, *ALSO_CHANGES.get(kind, ()))
    which = (
        IncidentEntry.author_id.is_not(None)
        if kind == WHOLE_RECORD
        else IncidentEntry.kind.in_(kinds)
    )
    return session.scalar(
        select(IncidentEntry)
        .where(IncidentEntry.incident_id == incident.id, which)
        .order_by(IncidentEntry.id.desc())
        .limit(1)
    )


def _refuse_if_changed(session: Session, incident: Incident, kind: str, seen: int | None) -> None:
    """Two of the team on one record: a decision made on a page drawn before the other's
    decision would quietly undo it ("do not contact" back to "inform now", an escalated risk
    back down). `seen`: the decision entry the page showed (0: none); None: not from a page."""
    latest = latest_decision(session, incident, kind)
    if seen is None or seen == (latest.id if latest else 0):
        return
    who = latest.author.display_name if latest and latest.author else "Someone"
    what = latest.text if latest else "a change"
    where = "in the chronology below" if kind == WHOLE_RECORD else "shown in force above"
    if latest and latest.kind == "assigned":
        where = 'shown under "Assigned to"'
    raise Invalid(
        f"Since you opened this page, {who} recorded: {what}. It is {where}. "
        "If your decision still stands, record it again."
    )


def triage(
    session: Session,
    actor: Actor,
    incident: Incident,
    data: Triage,
    *,
    now: datetime,
    seen: int | None = None,
) -> None:
    """Category, risk with its rationale, child-protection flag and who owns it."""
    account = _worker(actor, incident)
    _refuse_if_changed(session, incident, "triage", seen)
    rationale = _required(data.rationale, "Risk rationale")
    assignee = _team_member(session, incident, data.assignee_id)
    if data.assignee_id and assignee is None:
        raise Invalid("Assign it to a member of the safeguarding team.", "assignee_id")
    acknowledge(session, actor, incident, now=now)
    incident.category, incident.risk, incident.risk_rationale = data.category, data.risk, rationale
    incident.child_protection = data.child_protection
    incident.assignee_id = data.assignee_id
    text = (
        f"Triage: {CATEGORY_LABELS[data.category]}, {data.risk.value} risk, "
        f"{'a child-protection concern' if data.child_protection else 'not child protection'}"
        f"{', assigned to ' + assignee.display_name if assignee else ''}"
    )
    _entry(session, incident, account, "triage", text, rationale, now=now)
    record(session, actor, "incident.triaged", incident, text)


def assign(
    session: Session,
    actor: Actor,
    incident: Incident,
    assignee_id: int | None,
    reason: str | None,
    *,
    now: datetime,
    seen: int | None = None,
) -> Account:
    """Give the worry to another team member (its holder left, or the DSL hands it on), with
    why: only who holds it changes, so no triage is recorded again. Returns who holds it now.
    `seen`: the change of holder (or triage) the page showed; a later one refuses this."""
    account = _worker(actor, incident)
    _refuse_if_changed(session, incident, "assigned", seen)
    assignee = _team_member(session, incident, assignee_id)
    if assignee is None:
        raise Invalid(
            "Choose someone on this school's safeguarding team to take it on.", "assignee_id"
        )
    if assignee.id == incident.assignee_id:
        raise Invalid(
            f"{assignee.display_name} holds it already: choose someone else to take it on.",
            "assignee_id",
        )
    why = _clean(reason, MAX_TEXT, "Why")
    if not why:
        raise Invalid("Say why it goes to them.", "reason")
    # Handing on a worry nobody had acknowledged is acting on it, as a triage is: the team is
    # no longer re-alerted that it waits, and the time to acknowledge counts from now.
    acknowledge(session, actor, incident, now=now)
    was = incident.assignee.display_name if incident.assignee else "not assigned"
    incident.assignee, incident.assignee_id = assignee, assignee.id  # the id is read at once
    text = f"Assigned to {assignee.display_name} (was {was})"
    _entry(session, incident, account, "assigned", text, why, now=now)
    record(session, actor, "incident.reassigned", incident, text)
    return assignee


def add_note(
    session: Session,
    actor: Actor,
    incident: Incident,
    text: str,
    reason: str | None,
    *,
    now: datetime,
) -> None:
    """An action taken or decision made, and why: the chronology statutory guidance asks for."""
    account = _worker(actor, incident)
    _entry(
        session,
        incident,
        account,
        "note",
        _required(text, "Note"),
        _clean(reason, MAX_TEXT, "Reason"),
        now=now,
    )
    record(session, actor, "incident.note_added", incident)


def add_action(
    session: Session,
    actor: Actor,
    incident: Incident,
    description: str,
    owner_id: int,
    due_on: date,
    *,
    now: datetime,
    today: date,
    reason: str | None = None,
) -> IncidentAction:
    """An action for a team member, due on a day on the school's clock (`today` or later),
    with why it is needed (the incident page asks for it; the chronology keeps it)."""
    account = _worker(actor, incident)
    owner = _team_member(session, incident, owner_id)
    if owner is None:
        raise Invalid("Choose a member of the safeguarding team to own the action.", "owner_id")
    if due_on < today:
        raise Invalid("The due date cannot be in the past.", "due_on")
    if due_on > today + timedelta(days=366):
        raise Invalid("The due date must be within a year.", "due_on")
    action = IncidentAction(
        incident_id=incident.id,
        description=_required(description, "Action"),
        owner_id=owner.id,
        due_on=due_on,
        created_at=now,
        created_by_id=account.id,
    )
    session.add(action)
    session.flush()
    _entry(
        session,
        incident,
        account,
        "action",
        f"Action for {owner.display_name}, due {due_on:%d %b %Y}: {action.description}",
        _clean(reason, MAX_TEXT, "Why"),
        now=now,
    )
    record(session, actor, "incident.action_added", incident)
    return action


def complete_action(
    session: Session, actor: Actor, action: IncidentAction, *, now: datetime
) -> None:
    """Mark an action done; one carried over at closing may be, after closing too."""
    incident = session.get(Incident, action.incident_id)
    assert incident is not None  # noqa: S101 - foreign key
    account = _worker(actor, incident, changing=action.carried_over_at is None)
    if action.done_at is None:
        action.done_at = now
        after = " (carried over at closing)" if action.carried_over_at else ""
        text = f"Done{after}: {action.description}"
        _entry(session, incident, account, "action_done", text, now=now)
        record(session, actor, "incident.action_done", incident)


def give_action_to(
    session: Session,
    actor: Actor,
    action: IncidentAction,
    owner_id: int | None,
    reason: str | None,
    *,
    now: datetime,
) -> None:
    """Give an open action to another team member (its owner left, or cannot do it), with why;
    one carried over at closing may be given on after closing too."""
    incident = session.get(Incident, action.incident_id)
    assert incident is not None  # noqa: S101 - foreign key
    account = _worker(actor, incident, changing=action.carried_over_at is None)
    if action.done_at is not None:
        raise Invalid("This action is already done, so it stays with who did it.", "owner_id")
    owner = _team_member(session, incident, owner_id)
    if owner is None:
        raise Invalid("Choose a member of the safeguarding team to take it on.", "owner_id")
    if owner.id == action.owner_id:
        raise Invalid("They own it already: choose someone else to take it on.", "owner_id")
    why = _clean(reason, MAX_TEXT, "Why")
    if not why:
        raise Invalid("Say why it goes to someone else.", "reason")
    was = action.owner.display_name
    action.owner = owner
    text = f"Action given to {owner.display_name} (was {was}): {action.description}"
    _entry(session, incident, account, "action_given", text, why, now=now)
    record(session, actor, "incident.action_reassigned", incident)


def link_pupil(
    session: Session,
    actor: Actor,
    incident: Incident,
    pupil_id: int,
    role: PupilRole,
    *,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Link another pupil to the record, with why (the incident page asks for it)."""
    account = _worker(actor, incident)
    pupil = session.get(Pupil, pupil_id)
    if pupil is None or pupil.school_id != incident.school_id:
        raise Invalid("Choose a pupil from the list.", "pupil_id")
    if any(link.pupil_id == pupil.id for link in incident.pupils):
        raise Invalid(f"{pupil.full_name} is already linked.", "pupil_id")
    session.add(
        IncidentPupil(incident_id=incident.id, pupil_id=pupil.id, role=role, linked_at=now)
    )
    _entry(
        session,
        incident,
        account,
        "pupil_linked",
        f"{pupil.full_name} linked: {PUPIL_ROLE_LABELS[role]}",
        _clean(reason, MAX_TEXT, "Why"),
        now=now,
    )
    summary = f"pupil #{pupil.id}: {PUPIL_ROLE_LABELS[role]}"
    record(session, actor, "incident.pupil_linked", incident, summary)


def change_pupil_role(
    session: Session,
    actor: Actor,
    incident: Incident,
    pupil_id: int,
    role: PupilRole,
    *,
    now: datetime,
    reason: str | None,
) -> None:
    """A linked pupil's role changed, with why: a link made as "involved" before the roles for
    child-on-child harm existed stays so until a DSL says who was alleged or saw it (nothing is
    guessed). The pupil who raised the worry on a class iPad stays its reporter: the record's
    "Reported by", and who their chosen adult talks to, are theirs."""
    account = _worker(actor, incident)
    link = next((link for link in incident.pupils if link.pupil_id == pupil_id), None)
    if link is None:
        raise Invalid("Choose a pupil linked to this record.", "pupil_id")
    name = link.pupil.full_name
    if incident.source == Source.PUPIL and link.role == PupilRole.REPORTED_BY:
        raise Invalid(f"{name} raised this worry on a class iPad: they stay its reporter.",
                      "pupil_id")  # fmt: skip
    if link.role == role:
        raise Invalid(f"{name} is already linked as {PUPIL_ROLE_LABELS[role]}.", "role")
    why = _clean(reason, MAX_TEXT, "Why")
    if not why:
        raise Invalid("Say why their role changes.", "reason")
    was = PUPIL_ROLE_LABELS[link.role]
    link.role = role
    text = f"{name}'s role changed from {was} to {PUPIL_ROLE_LABELS[role]}"
    _entry(session, incident, account, "pupil_role_changed", text, why, now=now)
    summary = f"pupil #{pupil_id}: {was} to {PUPIL_ROLE_LABELS[role]}"
    record(session, actor, "incident.pupil_role_changed", incident, summary)


def add_referral(
    session: Session,
    actor: Actor,
    incident: Incident,
    agency: Agency,
    reference: str,
    reason: str,
    *,
    now: datetime,
    today: date,
) -> Referral:
    """An external referral; follow-up is due the next working day (statutory acknowledgement)."""
    account = _worker(actor, incident)
    referral = Referral(
        incident_id=incident.id,
        agency=agency,
        reference=(_clean(reference, 80, "Reference") or ""),
        made_at=now,
        made_by_id=account.id,
        follow_up_on=next_working_day(today),
    )
    session.add(referral)
    session.flush()
    _entry(
        session,
        incident,
        account,
        "referral",
        f"Referred to {AGENCY_LABELS[agency]} (ref {referral.reference or 'none yet'})",
        _required(reason, "Reason"),
        now=now,
    )
    record(session, actor, "incident.referred", incident, agency.value)
    return referral


def _agency_of(referral: Referral) -> str:
    ref = f" (ref {referral.reference})" if referral.reference else ""
    return f"{AGENCY_LABELS[referral.agency]}{ref}"


def _awaited(session: Session, actor: Actor, referral: Referral) -> tuple[Incident, Account]:
    """The referral's incident and the team member acting on it, if its reply is still awaited.

    A reply often comes after the incident has closed, and until it does someone must chase
    it, so both may be recorded on a closed incident too: the follow-up clock runs on.
    """
    incident = session.get(Incident, referral.incident_id)
    assert incident is not None  # noqa: S101 - foreign key
    account = _worker(actor, incident, changing=False)
    if not referral.awaiting_reply:
        raise Invalid(
            f"The reply from {_agency_of(referral)} is already recorded. "
            "Add a note for anything that came later.",
            "referral_id",
        )
    return incident, account


def record_referral_reply(
    session: Session,
    actor: Actor,
    referral: Referral,
    reply: ReferralReply,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """The agency's reply: the day it came and what they decided. It stops the follow-up clock."""
    incident, account = _awaited(session, actor, referral)
    made_on = localtime.to_local(referral.made_at, zone).date()
    if reply.replied_on > localtime.local_today(now, zone):
        raise Invalid("The reply cannot have come on a day still to come.", "replied_on")
    if reply.replied_on < made_on:
        raise Invalid(
            f"The reply cannot have come before the referral was made ({made_on:%d %b %Y}).",
            "replied_on",
        )
    referral.reference = _clean(reply.reference, 80, "Reference") or referral.reference
    referral.outcome = _required(reply.outcome, "What they decided")
    referral.replied_on, referral.acknowledged_at = reply.replied_on, now
    text = f"Reply from {_agency_of(referral)}, received {reply.replied_on:%d %b %Y}"
    _entry(session, incident, account, "referral_reply", text, referral.outcome, now=now)
    record(session, actor, "incident.referral_reply", incident, referral.agency.value)


def chase_referral(
    session: Session,
    actor: Actor,
    referral: Referral,
    what: str,
    again_on: date,
    reference: str | None = None,
    *,
    now: datetime,
    today: date,
) -> None:
    """Chased, no reply yet: what was done, the day to follow up again if none comes, and
    their reference if they gave one (often the first thing they give, before any decision)."""
    incident, account = _awaited(session, actor, referral)
    if again_on < today:
        raise Invalid("The day to follow up again cannot be in the past.", "again_on")
    done = _required(what, "What you did")
    referral.reference = _clean(reference, 80, "Reference") or referral.reference
    referral.follow_up_on = again_on
    text = f"Chased {_agency_of(referral)}: no reply yet; follow up again by {again_on:%d %b %Y}"
    _entry(session, incident, account, "referral_chased", text, done, now=now)
    record(session, actor, "incident.referral_chased", incident, referral.agency.value)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


# Agencies that may ask the school not to tell carers yet: while one has not replied, telling
# them could warn whoever harmed the child, or spoil what the agency is doing.
ASK_BEFORE_TELLING = (Agency.POLICE, Agency.CHILDRENS_SERVICES, Agency.CEOP)


def agencies_not_replied(incident: Incident) -> list[str]:
    """The agencies in ASK_BEFORE_TELLING this record was referred to that have not replied."""
    waiting = {r.agency for r in incident.referrals if r.awaiting_reply}
    return [AGENCY_LABELS[agency] for agency in ASK_BEFORE_TELLING if agency in waiting]


def inform_now_cautions(incident: Incident) -> list[str]:
    """What on the record says telling carers now could put the child at risk, said above the
    parent-contact decision: a child-protection concern (it may be about a parent or carer),
    and each referral to the police, children's services or CEOP with no reply yet. For the
    referrals "inform now" also asks the person deciding to tick that they have checked."""
    cautions = ["it is recorded as a child-protection concern"] if incident.child_protection else []
    waiting = agencies_not_replied(incident)
    return cautions + [f"the referral to {agency} has no reply yet" for agency in waiting]


def others_linked(incident: Incident) -> list[str]:
    """While more than one pupil is linked, each of them with their role ("Ben Taylor
    (involved)"): a parent-contact decision for every family on the record lets each linked
    pupil's carers be told again under "inform now" (the pupil alleged to have sent the
    messages too). The decision form asks whose carers a decision is for, and for the tick
    when it is "inform now" for every family."""
    if len(incident.pupils) < 2:
        return []
    return [
        f"{link.pupil.full_name} ({PUPIL_ROLE_LABELS[link.role]})" for link in incident.pupils
    ]


def told_by_every_family(session: Session, incident: Incident) -> list[str]:
    """The linked pupils (with their role, as `others_linked`) whose carers "inform now" for
    every family would let be told again, those not under "inform now" already; only when that
    is more than one family. The tick asks about them: were it one family, "every family" tells
    no more carers than a decision for that family's only, and the tick would ask about nothing
    (Amira's family told, reopening to tell Ben's)."""
    if len(incident.pupils) < 2:
        return []
    told = ParentContact.INFORM_NOW
    named = zip(incident.pupils, others_linked(incident), strict=True)
    names = {link.pupil_id: name for link, name in named}
    untold = [
        names[f.pupil.id]
        for f in contact_by_family(session, incident)
        if f.decision is None or f.decision.decision != told
    ]
    return untold if len(untold) > 1 else []


def _all_families(linked: list[str]) -> str:
    return f" (checked first: it lets the carers of {', '.join(linked)} be told again)"


def checked_first(waiting: list[str]) -> str:
    """The chronology says carers were told knowing an agency had not replied (the decision to
    inform now, or a notice sent under it)."""
    if not waiting:
        return ""
    return f" (checked first: the referral to {' and to '.join(waiting)} had no reply)"


def refuse_unchecked(waiting: list[str], otherwise: str) -> NoReturn:
    """Telling carers while an agency has not replied, unticked: refused on the tick box, with
    what else to do (`otherwise`: "choose another decision", "do not send the notice")."""
    raise Invalid(
        f"The referral to {' and to '.join(waiting)} has no reply yet: telling carers now could "
        "warn whoever harmed the child or get in the way of what the agency does. Ask them "
        f"first; then tick the box to say you have checked, or {otherwise}.",
        "checked",
    )


def decide_parent_contact(
    session: Session,
    actor: Actor,
    incident: Incident,
    decision: ParentContact,
    reason: str,
    review_on: date | None,
    *,
    now: datetime,
    today: date | None = None,
    seen: int | None = None,
    checked: bool | None = None,
    pupil_id: int | None = None,
) -> None:
    """Parents are told only when staff decide so; the decision, reason and who decided are kept.

    `pupil_id`: the one linked pupil whose carers it is for (Ben's "not now" while Amira's are
    told); None for every family on the record, a pupil linked later too.

    "Not now" holds carers back until someone reviews it, so it needs its review day (the
    queue lists it then); a review day is after `today` (the school's date; default: now's).
    `checked`: whether the person deciding ticked that telling carers now is safe, on a form
    that asks while an agency has not replied to a referral (`agencies_not_replied`); False
    refuses "inform now" then. None: no form asked (a script, the demo).
    """
    account = _worker(actor, incident)
    _refuse_if_changed(session, incident, "parent_contact", seen)
    why = _required(reason, "Reason")
    family = _family(incident, pupil_id)
    informing = decision == ParentContact.INFORM_NOW
    waiting = agencies_not_replied(incident) if informing else []
    if waiting and checked is False:
        refuse_unchecked(waiting, "choose another decision")
    linked = told_by_every_family(session, incident) if informing and family is None else []
    if linked and checked is False:
        whom = (
            "each pupil linked to this record"
            if len(linked) == len(incident.pupils)
            else "more than one family"
        )
        raise Invalid(
            f"\u201cInform parents/carers now\u201d for every family lets the carers of {whom} "
            f"be told again ({', '.join(linked)}), not only one family. Tick the box to say you "
            "have checked that each of these families may be told now, or make the decision "
            "for one family's carers only.",
            "checked",
        )
    if decision == ParentContact.NOT_NOW and review_on is None:
        raise Invalid(
            'Choose the day to review "not now": carers are held back until then.', "review_on"
        )
    if review_on is not None and review_on <= (today or now.date()):
        raise Invalid("The review day must be after today.", "review_on")
    if review_on is not None and review_on > (today or now.date()) + timedelta(days=366):
        raise Invalid("The review day must be within a year.", "review_on")
    session.add(
        ParentContactDecision(
            incident_id=incident.id,
            decision=decision,
            reason=why,
            decided_by_id=account.id,
            decided_at=now,
            review_on=review_on,
            pupil_id=family.id if family else None,
        )
    )
    whose = f" for {family.full_name}'s carers" if family else ""
    _entry(
        session,
        incident,
        account,
        "parent_contact",
        f"Parent contact{whose}: {PARENT_CONTACT_LABELS[decision]}"
        f"{f', review on {review_on:%d %b %Y}' if review_on else ''}"
        f"{checked_first(waiting) if checked else ''}"
        f"{_all_families(linked) if checked and linked else ''}",
        why,
        now=now,
    )
    summary = decision.value + (f" for pupil #{family.id}" if family else "")
    record(session, actor, "incident.parent_contact_decided", incident, summary)


def _family(incident: Incident, pupil_id: int | None) -> Pupil | None:
    """The linked pupil a decision is for (None: every family on the record)."""
    if pupil_id is None:
        return None
    link = next((link for link in incident.pupils if link.pupil_id == pupil_id), None)
    if link is None:
        raise Invalid("Choose whose carers this decision is for, from the list.", "whose")
    return link.pupil


def parent_contact(
    session: Session, incident: Incident, pupil_id: int | None = None
) -> ParentContactDecision | None:
    """The decision in force for a pupil's carers (policy.decision_in_force); with no pupil,
    the latest made for every family on the record."""
    return policy.decision_in_force(session, incident.id, pupil_id)


@dataclass(frozen=True)
class FamilyContact:
    """The parent-contact decision in force for one linked pupil's carers (None: undecided)."""

    pupil: Pupil
    decision: ParentContactDecision | None
    role: PupilRole  # said beside each family: an alleged child's carers are not the harmed one's


def contact_by_family(session: Session, incident: Incident) -> list[FamilyContact]:
    """Each linked pupil's carers with the decision in force for them, in link order."""
    return [
        FamilyContact(link.pupil, parent_contact(session, incident, link.pupil_id), link.role)
        for link in incident.pupils
    ]


def families_differ(families: list[FamilyContact]) -> bool:
    """Whether the linked families are under different decisions (the page then names each)."""
    return len({f.decision.id if f.decision else None for f in families}) > 1


def carers_not_told(session: Session, incident: Incident) -> list[Pupil]:
    """The linked pupils under "inform now" (their family's decision in force) whose carers have
    had nothing from this record since that decision: no notice or message about it, or only
    one another incident about the child still holds back. Closing then asks how each was told,
    or why not, or a later reader would take "Inform parents/carers now" for "they were told".
    A family under "not now" or "do not contact" is not asked about."""
    untold = []
    for family in contact_by_family(session, incident):
        decision = family.decision
        if decision is None or decision.decision != ParentContact.INFORM_NOW:
            continue
        if family.pupil.id not in policy.carers_reached(session, incident.id, decision.decided_at):
            untold.append(family.pupil)
    return untold


@dataclass
class Settle:
    """How the person closing settles one action still open: done, or carried over and why."""

    done: bool
    reason: str | None = None


@dataclass(frozen=True)
class ReferralReply:
    """An agency's reply to a referral, as the team member recording it gives it."""

    replied_on: date
    outcome: str
    reference: str | None = None  # theirs, if it was not known when the referral was made


def close(
    session: Session,
    actor: Actor,
    incident: Incident,
    outcome: str,
    lessons: str,
    settle: dict[int, Settle] | None = None,
    keep_carers_held: bool | None = None,
    carers_reason: str | None = None,
    carers_told: str | None = None,
    *,
    now: datetime,
    seen: int | None = None,
) -> None:
    """Close with the outcome and lessons learnt (the policy's debrief); no action left open.
    `seen`: the last entry by a person that the closing page showed (None: not from a page);
    a close on a page drawn before a colleague's entry (an escalation, say) is refused.

    Under "inform now" with no notice sent from the record, the person closing says how carers
    were told, or why they were not (`carers_told`; carers_told_unrecorded).

    If the incident holds carers back (no decision yet, "not now" or "do not contact"), the
    person closing says whether they stay held back after closing (`keep_carers_held`), and why:
    closing must not by itself tell carers what was kept from them, nor keep it from them for
    ever, and a decision about telling carers is recorded with its reason.
    """
    account = _worker(actor, incident)
    _refuse_if_changed(session, incident, WHOLE_RECORD, seen)
    if incident.category is None or incident.risk is None:
        raise Invalid("Triage the incident (category and risk) before closing it.", "outcome")
    incident.outcome = _required(outcome, "Outcome")
    learnt = _required(lessons, "Lessons learnt")
    incident.lessons_learnt = _with_earlier_lessons(incident.lessons_learnt, learnt)
    for action in [a for a in incident.actions if a.is_open]:
        _settle(session, incident, account, action, (settle or {}).get(action.id), now=now)
    _carers_after_closing(session, incident, account, keep_carers_held, carers_reason, now=now)
    _carers_told_at_closing(session, incident, account, carers_told, now=now)
    incident.status = Status.CLOSED
    incident.closed_at = now
    _entry(
        session,
        incident,
        account,
        "closed",
        f"Closed. Outcome: {incident.outcome}",
        f"Lessons learnt: {learnt}",
        now=now,
    )
    record(session, actor, "incident.closed", incident)


def _with_earlier_lessons(earlier: str | None, learnt: str) -> str:
    """A record closed again keeps what was learnt the first time (governors review it), after
    it, unless the person closing wrote it again in their own text."""
    if not earlier or " ".join(earlier.split()) in " ".join(learnt.split()):
        return learnt
    return f"{earlier}\n\n{learnt}"


def _settle(
    session: Session,
    incident: Incident,
    account: Account,
    action: IncidentAction,
    how: Settle | None,
    *,
    now: datetime,
) -> None:
    """An open action is completed, or carried over with a reason, before the incident closes."""
    field = f"settle-{action.id}"
    if how is None:
        raise Invalid(
            f"“{action.description}” is still open: mark it done or carry it over "
            "with a reason before closing.",
            field,
        )
    if how.done:
        action.done_at = now
        _entry(session, incident, account, "action_done", f"Done: {action.description}", now=now)
        return
    reason = _clean(how.reason, MAX_TEXT, "Reason")
    if not reason:
        raise Invalid(f"Say why “{action.description}” is carried over.", field)
    action.carried_over_at, action.carry_reason = now, reason
    _entry(
        session,
        incident,
        account,
        "action_carried",
        f"Carried over at closing, still owned by {action.owner.display_name}: "
        f"{action.description}",
        reason,
        now=now,
    )


def _carers_after_closing(
    session: Session,
    incident: Incident,
    account: Account,
    keep: bool | None,
    reason: str | None,
    *,
    now: datetime,
) -> None:
    incident.carers_held_after_closing = False
    if not policy.holds_carers(session, incident):
        return
    if keep is None:
        raise Invalid(
            f"Carers are being told nothing new about {_held_names(session, incident)} because "
            "of this incident: choose whether that goes on after closing.",
            "carers",
        )
    why = _clean(reason, MAX_TEXT, "Reason")
    if not why:
        raise Invalid(
            "Say why carers stay held back after closing."
            if keep
            else "Say why carers may be told again from closing.",
            "carers",
        )
    if keep:
        text = "Carers stay held back after closing, until someone lets them be told again"
    else:
        text = "Carers may be told again from closing, including what was held back"
    text += _whose_carers_held(session, incident, freed=not keep)
    incident.carers_held_after_closing = keep
    _entry(session, incident, account, "carers_after_closing", text, why, now=now)


def _held_names(session: Session, incident: Incident) -> str:
    """The linked pupils whose carers this incident holds back, named (the closing form's)."""
    held = set(policy.held_pupils(session, incident))
    names = [link.pupil.full_name for link in incident.pupils if link.pupil_id in held]
    return ", ".join(names) or "the pupil"


def _whose_carers_held(session: Session, incident: Incident, *, freed: bool = False) -> str:
    """With several pupils on the record, which families the closing choice (or letting carers
    be told again) is for, and which it leaves as they are, each with the decision in force:
    "Carers stay held back" alone would read as Amira's carers too, told under "inform now".
    `freed`: the held families may be told again now, so their decision is said as the one
    that held them until now ("Ben's carers "Do not contact"" would read as still standing)."""
    families = contact_by_family(session, incident)
    if len(families) < 2:
        return ""
    held = set(policy.held_pupils(session, incident))
    named = kept_per_family([f for f in families if f.pupil.id in held], freed=freed)
    text = f": {named}"
    others = [f for f in families if f.pupil.id not in held]
    if others:
        text += f". Not held back by this record: {kept_per_family(others)}"
    return text


def _carers_told_at_closing(
    session: Session, incident: Incident, account: Account, told: str | None, *, now: datetime
) -> None:
    untold = carers_not_told(session, incident)
    if not untold:
        return
    how = _clean(told, MAX_TEXT, "How carers were told")
    names = [pupil.full_name for pupil in untold]
    whose = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    if not how:
        raise Invalid(
            "The decision in force is to inform parents/carers now, and nothing has reached "
            f"the carers of {whose} from this record: say how they were told, or why they "
            "have not been.",
            "carers_told",
        )
    text = f"Parents/carers of {whose} under “Inform now”, as recorded at closing"
    _entry(session, incident, account, "carers_told", text, how, now=now)


def release_carers(
    session: Session, actor: Actor, incident: Incident, reason: str, *, now: datetime
) -> None:
    """Let carers be told again about a closed incident's pupils, held back since it closed."""
    account = _worker(actor, incident, changing=False)
    if incident.status != Status.CLOSED or not incident.carers_held_after_closing:
        raise Invalid("Carers are not being held back after closing for this incident.")
    why = _required(reason, "Reason")
    text = f"Carers may be told again{_whose_carers_held(session, incident, freed=True)}"
    incident.carers_held_after_closing = False
    _entry(session, incident, account, "carers_released", text, why, now=now)
    record(session, actor, "incident.carers_released", incident)


def reopen(
    session: Session,
    actor: Actor,
    incident: Incident,
    reason: str,
    carers: ParentContact | None,
    review_on: date | None = None,
    *,
    now: datetime,
    today: date | None = None,
    checked: bool | None = None,
    pupil_id: int | None = None,
) -> None:
    """One of two changes a closed incident accepts (with `release_carers`); the reason goes in
    the chronology. Whoever reopens says what carers are told while it is open: a new decision
    (`carers`, with the same reason), or None to keep the one in force, which the chronology
    then names as kept, so nobody takes an old decision for one made on what is known now.

    `pupil_id`, as for `decide_parent_contact`: the one linked pupil whose carers the new
    decision is for; the other families keep theirs (named as kept), so telling Amira's family
    never lets Ben's carers be told too. None: every family on the record."""
    account = _worker(actor, incident, changing=False)
    if incident.status != Status.CLOSED:
        raise Invalid(
            f"{incident.reference} is already open: a colleague reopened it while you wrote "
            "(see the chronology). What you wrote is below: add it as a note, and make a new "
            "decision about carers if it needs one."
        )
    why = _required(reason, "Reason")
    if carers is None and pupil_id is not None:
        raise Invalid("Whose carers goes with a new decision.", "whose")
    family = _family(incident, pupil_id)
    incident.status = Status.OPEN
    incident.closed_at = None
    text = _reopened_text(session, incident, carers, family)
    _entry(session, incident, account, "reopened", text, why, now=now)
    if carers is not None:
        decide_parent_contact(
            session, actor, incident, carers, why, review_on, now=now, today=today,
            checked=checked, pupil_id=pupil_id,
        )  # fmt: skip
    elif review_on is not None:
        raise Invalid('A review day goes with a new "Not now" decision.', "review_on")
    carers_now = "kept" if carers is None else carers.value
    whose = f" for pupil #{family.id}" if family and carers else ""
    record(session, actor, "incident.reopened", incident, f"carers: {carers_now}{whose}")


def _reopened_text(
    session: Session, incident: Incident, carers: ParentContact | None, family: Pupil | None
) -> str:
    families = contact_by_family(session, incident)
    # A new decision for one family's carers: the others keep theirs, named.
    others = [f for f in families if family is not None and f.pupil.id != family.id]
    if others:
        return f"Reopened; parents and carers: kept {kept_per_family(others)}"
    if carers is not None:
        return "Reopened"
    if families_differ(families):
        return f"Reopened; parents and carers: kept {kept_per_family(families)}"
    kept = families[0].decision if families else parent_contact(session, incident)
    if kept is None:
        return "Reopened; parents and carers: still not decided"
    return f'Reopened; parents and carers: kept "{PARENT_CONTACT_LABELS[kept.decision]}"'


def kept_per_family(families: list[FamilyContact], *, freed: bool = False) -> str:
    """Each family's decision in force, named: "Amira Khan's carers "Inform now"; ...";
    `freed`: as the decision that held them until now (they may be told again)."""
    return "; ".join(_family_decision(f, freed) for f in families)


def _family_decision(family: FamilyContact, freed: bool) -> str:
    whose = f"{family.pupil.full_name}'s carers"
    if family.decision is None:
        return f"{whose}, held back until now" if freed else f"{whose} not decided"
    label = f'"{PARENT_CONTACT_LABELS[family.decision.decision]}"'
    return f"{whose}, held back until now under {label}" if freed else f"{whose} {label}"


# --- The pupil side -----------------------------------------------------------------------------


def _seen_not_told(pupil_id: int | BindParameter[int]) -> Select[Incident]:
    return (
        select(Incident)
        .join(IncidentPupil)
        .where(
            IncidentPupil.pupil_id == pupil_id,
            IncidentPupil.role == PupilRole.REPORTED_BY,
            Incident.source == Source.PUPIL,
            Incident.acknowledged_at.is_not(None),
            Incident.pupil_told_seen_at.is_(None),
        )
    )


def mark_seen_message_told(session: Session, pupil: Pupil, *, now: datetime) -> None:
    """The pupil has had the "an adult has seen your worry" message: stop showing it."""
    for incident in session.scalars(_seen_not_told(pupil.id)):
        incident.pupil_told_seen_at = now


# --- Learning follows the worry -----------------------------------------------------------------

# The lesson that fits each kind of worry, offered first on the incident page.
FOLLOW_UP_LESSON = {
    Category.CYBERBULLYING: "stop-block-tell",
    Category.INAPPROPRIATE_MATERIAL: "stop-and-finish",
    Category.CONTACT_FROM_STRANGER: "people-online",
    Category.IMAGES_OR_SECRETS: "pressure-secrets-pictures",
    Category.PHYSICAL_DANGER_ABUSE: "trusted-adults",
    Category.ANTISOCIAL_ILLEGAL: "kind-and-unkind",
    Category.SOCIAL_NETWORKING: "online-footprint",
    Category.OBSESSIVE_USE: "screen-time",
    Category.PHISHING_SCAMS: "emails-and-links",
    Category.COPYRIGHT: "whose-is-it",
    Category.WELLBEING: "feelings-online",
}


def add_follow_up_lesson(
    session: Session,
    actor: Actor,
    incident: Incident,
    pupil_id: int,
    lesson_id: str,
    lessons: Catalogue,
    reason: str,
    *,
    now: datetime,
) -> None:
    """Put a lesson on a linked pupil's map as their next target, and note it in the record
    with why: it changes what the pupil is taught next, an action like any other."""
    account = _worker(actor, incident)
    link = next((p for p in incident.pupils if p.pupil_id == pupil_id), None)
    if link is None:
        raise Invalid("Choose a pupil linked to this incident.", "pupil_id")
    if lesson_id not in lessons:
        raise Invalid("Choose one of the lessons.", "lesson_id")
    why = _required(reason, "Reason")
    maps.follow_up_worry(session, actor, link.pupil, lesson_id, lessons, now=now)
    title = lessons.get(lesson_id).title.text
    _entry(
        session,
        incident,
        account,
        "lesson",
        f"'{title}' put on {link.pupil.full_name}'s lesson map as the next lesson",
        why,
        now=now,
    )
    record(session, actor, "incident.lesson_added", incident, lesson_id)
