"""Each child's feed: learning moments, messages, incident notices, photo consent, settings.

Everything here is about one child and goes only to that child's own connected carers. Texts
staff write are checked for other pupils' names, and nothing about an incident reaches a
carer unless the parent-contact decision in force says "inform now".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from classroom import photos, policy
from classroom.accounts import email_change
from classroom.accounts import services as accounts
from classroom.accounts.models import Account, Role
from classroom.audit.services import record
from classroom.db import serialise
from classroom.errors import Forbidden, Invalid, checked_key
from classroom.export import check_passphrase, encrypted_csv, safe_cell
from classroom.localtime import local_time
from classroom.names import Finder, Names, fold, initials_of_accounts, of_adults, of_pupils
from classroom.outbox.models import OutboxMessage
from classroom.parents import delivery, queries, shared_photos
from classroom.parents.models import (
    CarerSettings,
    ConsentPurpose,
    EmailMode,
    FeedItem,
    FeedKind,
    FeedReceipt,
    PhotoConsent,
)
from classroom.principals import Actor
from classroom.pupils.models import ParentLink, Pupil
from classroom.symbols.models import TrustedPerson
from classroom.worries import chronology
from classroom.worries import services as worries
from classroom.worries.models import (
    Category,
    Incident,
    ParentContact,
    PupilRole,
)

MAX_MESSAGE = 2000
MAX_NOTE = 1000
REFERENCE = re.compile(r"\bW(\d{5,9})\b", re.IGNORECASE)


def _clean(text: str | None, limit: int, label: str, field: str, required: bool = True) -> str:
    cleaned = (text or "").replace("\x00", "").strip()
    if required and not cleaned:
        raise Invalid(f"{label} is needed.", field)
    if len(cleaned) > limit:
        raise Invalid(f"{label} is too long: at most {limit} characters.", field)
    return cleaned


# --- Depersonalised texts -------------------------------------------------------------------


def _other_pupils(session: Session, pupil: Pupil, incident: Incident | None) -> list[Pupil]:
    """Every other pupil: the school's, and anyone linked to the incident."""
    others = list(
        session.scalars(
            select(Pupil).where(Pupil.school_id == pupil.school_id, Pupil.id != pupil.id)
        )
    )
    if incident is not None:
        others += [link.pupil for link in incident.pupils if link.pupil_id != pupil.id]
    return others


def _families(session: Session, pupil: Pupil, others: list[Pupil]) -> tuple[Names, Names]:
    """The names of the other pupils' carers and trusted adults at home ("Uncle Desmond",
    "Mr Li", "JT" for Ms Jo Taylor); and those a text to this pupil's carers may name: their own
    child's carers and trusted adults (a sister's mum is her mum too) and the school's staff
    (carers are told who the class teacher is)."""
    ids = [other.id for other in others]
    their_carers = _carers(session, ParentLink.pupil_id.in_(ids))
    their_people = session.scalars(
        select(TrustedPerson.name).where(
            TrustedPerson.pupil_id.in_(ids),
            TrustedPerson.account_id.is_(None),  # a school adult is staff: named below
        )
    )
    own_carers = _carers(session, ParentLink.pupil_id == pupil.id)
    own_people = session.scalars(
        select(TrustedPerson.name).where(TrustedPerson.pupil_id == pupil.id)
    )
    staff = session.scalars(
        select(Account.display_name).where(
            Account.school_id == pupil.school_id, Account.role != Role.PARENT
        )
    )
    allowed = [*own_carers, *staff]
    return (
        of_adults([*their_carers, *their_people]) | initials_of_accounts(their_carers),
        of_adults([*allowed, *own_people]) | initials_of_accounts(allowed),
    )


def _carers(session: Session, linked: ColumnElement[bool]) -> list[str]:
    """Carers' names, revoked links too: a family that has left still names its child."""
    return list(
        session.scalars(
            select(Account.display_name).join(ParentLink, ParentLink.parent_id == Account.id)
            .where(linked)
        )
    )


def check_depersonalised(
    session: Session, pupil: Pupil, text: str, field: str, incident: Incident | None = None
) -> None:
    """Refuse a text for carers that names any other pupil or their family (the policy:
    depersonalise), found as the governors' review finds names (names.Finder): "Zoe" for Zoë,
    "Bens mum", "the Taylors", "Ami" for Amira, initials ("B.T."), "Uncle Desmond", "Mr Li"."""
    if not text:
        return
    folded, others = fold(_as_read(text)), _other_pupils(session, pupil, incident)
    own = of_pupils(pupil.name_pairs)
    pupils = of_pupils(pair for other in others for pair in other.name_pairs)
    found = Finder(pupils - own).search(folded)
    if found:
        raise Invalid(_PUPIL_NAMED[found[0]].format(found[1]), field)
    family, allowed = _families(session, pupil, others)
    # Adults' names as written: another child's carer is "Mr Green", and "green" is a word.
    found = Finder((family - own - allowed).as_written()).search(folded)
    if found:
        raise Invalid(_FAMILY_NAMED[found[0]].format(found[1]), field)


def _as_read(text: str) -> str:
    """The text as a carer reads it: without the invisible format characters (zero-width
    spaces and joiners, direction marks) that text pasted from elsewhere may carry, which
    would hide a name from the check ("Ch", a zero-width space, "loe") while the carer's
    screen shows "Chloe"."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


_PUPIL_NAMED = {
    "name": "\u201c{}\u201d is the name of another pupil. Texts to parents and carers must never "
    "name another pupil: please reword it.",
    "initials": "\u201c{}\u201d could be another pupil\u2019s initials. Texts to parents and "
    "carers must never point to another pupil: please reword it.",
}
_FAMILY_NAMED = {
    "name": "\u201c{}\u201d is the name of another pupil\u2019s carer or trusted adult. Texts "
    "to parents and carers must never point to another pupil: please reword it.",
    "initials": "\u201c{}\u201d could be the initials of another pupil\u2019s carer. Texts to "
    "parents and carers must never point to another pupil: please reword it.",
}


# --- Adding to a child's feed ---------------------------------------------------------------


def _sharer(session: Session, actor: Actor, pupil: Pupil) -> Account:
    account = policy.holder(actor, "share_with_carers")
    if account is None or not policy.can_share_with_carers(session, actor, pupil):
        raise Forbidden("may not write to this pupil's carers")
    return account


LEFT_SCHOOL = (
    "{name} has left the school, so nothing new can be sent to {name}'s carers through the app."
)
# Said to a carer: the school office, never a class or a member of staff, once the child has left.
CARER_LEFT_SCHOOL = (
    "{name} has left the school, so messages can no longer be sent to class staff here. "
    "Please contact the school office."
)


def _still_at_school(pupil: Pupil, message: str = LEFT_SCHOOL) -> None:
    """Refuse anything new for a child who has left (policy.in_touch_with_carers)."""
    if not policy.in_touch_with_carers(pupil):
        raise Invalid(message.format(name=pupil.first_name))


def left_school(pupil: Pupil) -> str:
    """Why staff can send nothing new to the carers of a child who has left the school."""
    return LEFT_SCHOOL.format(name=pupil.first_name)


def carer_left_school(pupil: Pupil) -> str:
    """What a carer is told when they try to write about a child who has left the school."""
    return CARER_LEFT_SCHOOL.format(name=pupil.first_name)


def made_with_key(session: Session, key: str | None) -> bool:
    """Whether a form with this key already made its item (this post is a repeat)."""
    return (
        bool(key)
        and session.scalar(select(FeedItem.id).where(FeedItem.key == checked_key(key or "")))
        is not None
    )


def _existing(session: Session, key: str | None, author: Account) -> FeedItem | None:
    """The item a repeated form already made (a double tap sends once)."""
    if not key:
        return None
    found = session.scalar(select(FeedItem).where(FeedItem.key == checked_key(key)))
    if found is not None and found.author_id != author.id:
        raise Invalid("This form was already used. Please reload the page and try again.")
    return found


def _add(
    session: Session,
    author: Account,
    pupil: Pupil,
    kind: FeedKind,
    key: str | None,
    emails: delivery.CarerEmails,
    now: datetime,
    **fields: object,
) -> FeedItem:
    from_carer = bool(fields.get("from_carer"))
    item = FeedItem(
        school_id=pupil.school_id,
        pupil_id=pupil.id,
        kind=kind,
        created_at=now,
        deliver_at=now if from_carer else emails.hours.next_open(now),
        author_id=author.id,
        key=key[:64] if key else None,
        **fields,
    )
    session.add(item)
    session.flush()
    delivery.notify(session, item, now=now, base_url=emails.base_url)
    return item


def share_learning_moment(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    objective_text: str,
    level_words: str,
    note: str | None,
    photo: bytes | None = None,
    key: str | None = None,
    *,
    photo_folder: Path | None = None,
    now: datetime,
    emails: delivery.CarerEmails,
    observation_id: int | None = None,
    alone: bool | None = None,
) -> FeedItem:
    """Share what a child learnt with their carers: objective, level in words, note, photo.

    `photo` is the uploaded file's bytes; it is re-encoded (metadata dropped) and kept, in
    `photo_folder`, only if the pupil's photo consent for the app is on record and in date.
    `alone`: whether the sharer ticked that no other pupil can be seen in the photo, on the
    share form that asks it; False refuses the photo (another child's image never goes to
    this child's carers, and that child's consent is not this one). None: no form asked.
    `observation_id`: the pupil's observation it is shared from, if any (assessment checks it
    is theirs), so that the feed says so if the school later withdraws or corrects it.
    """
    if photo and photo_folder is None:
        raise ValueError("a photo needs the folder it is kept in (photo_folder)")
    account = _sharer(session, actor, pupil)
    found = _existing(session, key, account)
    if found is not None:
        return found
    _still_at_school(pupil)
    objective = _clean(objective_text, 300, "What they were learning", "objective")
    level = _clean(level_words, 120, "How they did", "level")
    text = _clean(note, MAX_NOTE, "The note", "note", required=False)
    for field, value in (("objective", objective), ("level", level), ("note", text)):
        check_depersonalised(session, pupil, value, field)
    today = delivery.school_today(now, emails.hours.zone)
    photo_file = None
    if photo and photo_folder:
        photo_file = _photo(session, pupil, photo, today, photo_folder, alone)
    item = _add(
        session,
        account,
        pupil,
        FeedKind.LEARNING_MOMENT,
        key,
        emails,
        now,
        body=text,
        objective_text=objective,
        level_words=level,
        photo_file=photo_file,
        observation_id=observation_id,
    )
    # The audit says a photo went with it and that the sharer ticked it shows this pupil alone.
    alone_said = ", with a photo showing no other pupil (ticked)" if photo_file and alone else ""
    record(
        session, actor, "parents.learning_moment_shared", pupil, f"item #{item.id}{alone_said}"
    )
    return item


def _consent_lock(pupil: Pupil) -> str:
    """The name a photo shared and a consent recorded for this pupil take turns under
    (PostgreSQL): a photo never slips in beside a withdrawal that deletes the others."""
    return f"parents:photo-consent:{pupil.id}"


def _photo(
    session: Session, pupil: Pupil, data: bytes, today: date, folder: Path, alone: bool | None
) -> str:
    serialise(session, _consent_lock(pupil))
    if policy.photo_consent_in_force(session, pupil.id, ConsentPurpose.APP, today) is None:
        latest = queries.latest_consent(session, pupil.id, ConsentPurpose.APP)
        if latest is not None and not latest.given:
            raise Invalid(
                f"Photo consent for {pupil.first_name} was withdrawn by {latest.given_by}: "
                "share it without the photo.",
                "photo",
            )
        raise Invalid(
            f"There is no photo consent in date for {pupil.first_name}: share it without the "
            "photo, or record consent first.",
            "photo",
        )
    if alone is False:
        raise Invalid(
            f"Tick that no other pupil can be seen in the photo, or share it without the "
            f"photo: it goes only to {pupil.first_name}'s carers.",
            "alone",
        )
    return photos.store(data, folder)


def _decision_allows(session: Session, incident: Incident, pupil: Pupil) -> None:
    """A pupil's carers hear about an incident only while the decision in force for them (for
    every family on the record, or for theirs) is "inform now"."""
    if policy.may_send_notice(session, incident, pupil.id):
        return
    decision = worries.parent_contact(session, incident, pupil.id)
    if decision is not None and decision.decision == ParentContact.DO_NOT_CONTACT:
        raise Invalid(
            f"The decision in force for {incident.reference} about {pupil.full_name}'s carers "
            "is \u201cdo not contact parents/carers\u201d: nothing about it can be sent to them.",
            "incident_id",
        )
    raise Invalid(
        f"{pupil.full_name}'s parents and carers can be told about {incident.reference} only "
        "while the decision in force for them is \u201cinform parents/carers now\u201d. Record "
        "that decision first.",
        "incident_id",
    )


def _incident_for(
    session: Session, account: Account, pupil: Pupil, text: str, incident_id: int | None
) -> Incident | None:
    """The incident a message is about: chosen, or named by its reference in the text."""
    ids = {int(n) for n in REFERENCE.findall(text)} | ({incident_id} if incident_id else set())
    if not ids:
        return None
    if not policy.has_right(account, "send_parent_notices"):
        raise Invalid(
            "Only the safeguarding team can write to carers about a safeguarding record. "
            "Please take out the reference, or ask the safeguarding lead.",
            "body",
        )
    incident = session.get(Incident, ids.pop()) if len(ids) == 1 else None
    linked = incident is not None and any(p.pupil_id == pupil.id for p in incident.pupils)
    if incident is None or not linked or not policy.can_send_parent_notice(account, incident):
        raise Invalid("Write about one safeguarding record of this pupil at a time.", "incident_id")
    _decision_allows(session, incident, pupil)
    return incident


def _chronology(
    session: Session, incident: Incident, author: Account, text: str, now: datetime
) -> None:
    """What was shared with whom goes on the incident's chronology (statutory record)."""
    chronology.write_entry(session, incident.id, author.id, "parents", text, now)


def send_staff_message(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    body: str,
    to_carer_id: int | None = None,
    incident_id: int | None = None,
    key: str | None = None,
    *,
    now: datetime,
    emails: delivery.CarerEmails,
) -> FeedItem:
    """A message from school to every connected carer of the child, or to one of them."""
    account = _sharer(session, actor, pupil)
    found = _existing(session, key, account)
    if found is not None:
        return found
    _still_at_school(pupil)
    text = _clean(body, MAX_MESSAGE, "The message", "body")
    carers = delivery.connected_carers(session, pupil.id)
    if not carers or to_carer_id not in {None} | {c.id for c in carers}:
        raise Invalid(f"Choose one of {pupil.first_name}'s connected carers.", "to")
    incident = _incident_for(session, account, pupil, text, incident_id)
    check_depersonalised(session, pupil, text, "body", incident)
    item = _add(
        session,
        account,
        pupil,
        FeedKind.MESSAGE,
        key,
        emails,
        now,
        body=text,
        to_carer_id=to_carer_id,
        incident_id=incident.id if incident else None,
    )
    if incident is not None:
        _chronology(
            session, incident, account, f"Message to parents/carers in the app: {text}", now
        )
    record(session, actor, "parents.message_sent", pupil, f"item #{item.id}")
    return item


def send_carer_message(
    session: Session,
    carer: Account,
    pupil: Pupil,
    body: str,
    key: str | None = None,
    *,
    now: datetime,
    emails: delivery.CarerEmails,
) -> FeedItem:
    """A carer writes to their child's class staff (never to other carers)."""
    if not carer.is_parent or not policy.can_view_pupil(session, carer, pupil):
        raise Forbidden("not this carer's child")
    found = _existing(session, key, carer)
    if found is not None:
        return found
    _still_at_school(pupil, CARER_LEFT_SCHOOL)
    text = _clean(body, MAX_MESSAGE, "Your message", "body")
    item = _add(
        session, carer, pupil, FeedKind.MESSAGE, key, emails, now, body=text, from_carer=True
    )
    record(session, carer, "parents.carer_message_sent", pupil, f"item #{item.id}")
    return item


# --- Incident notices -----------------------------------------------------------------------

NOTICE_OPENING = (
    "We would like to let you know about an online-safety matter at school that involved {child}."
)
# No reassurance ("is safe", "dealt with"): the notice may go while the record is still open,
# and a sentence the DSL did not write must never tell carers something that may not be true.
NOTICE_CLOSING = (
    "Please phone the school office if you would like to talk about it, or if {child} says "
    "more about it at home."
)
# Only neutral, general sentences: the DSL adds anything else that is right to share.
NOTICE_MIDDLE = {
    Category.CYBERBULLYING: "It was about unkind messages online.",
    Category.PHISHING_SCAMS: "It was about a message or link that was not safe to open.",
    Category.OBSESSIVE_USE: "It was about time spent on devices.",
    Category.COPYRIGHT: "It was about using other people's pictures or music.",
    Category.WELLBEING: "{child} felt worried or sad about something online.",
    Category.SOCIAL_NETWORKING: "It was about using social media.",
}


# Said of the child whose carers are told: for a child alleged to have caused it, or one who
# saw it, "{child} felt worried or sad" would tell their carers something about their child
# that the record does not say. Their notice starts with the opening and closing only.
NOT_ABOUT_THEIR_FEELINGS = {PupilRole.ALLEGED, PupilRole.WITNESS}


def notice_template(incident: Incident, pupil: Pupil) -> str:
    """The depersonalised starting text the safeguarding team edits before approving."""
    role = next((link.role for link in incident.pupils if link.pupil_id == pupil.id), None)
    middle = NOTICE_MIDDLE.get(incident.category or Category.OTHER, "")
    if role in NOT_ABOUT_THEIR_FEELINGS and "{child}" in middle:
        middle = ""
    parts = [NOTICE_OPENING, middle, NOTICE_CLOSING]
    return " ".join(p for p in parts if p).format(child=pupil.first_name)


def send_incident_notice(
    session: Session,
    actor: Actor,
    incident: Incident,
    pupil: Pupil,
    text: str,
    key: str | None = None,
    *,
    now: datetime,
    emails: delivery.CarerEmails,
    checked: bool | None = None,
) -> FeedItem:
    """The team approves and sends a notice to one linked pupil's carers ("inform now" only).

    `checked`: whether the sender ticked that telling carers now is safe, on a form that asks
    while the police, children's services or CEOP have not replied to a referral
    (`worries.agencies_not_replied`), as the "inform now" decision asks; False refuses the
    notice then (a referral may have been made since the decision). None: no form asked.
    """
    account = policy.holder(actor, "send_parent_notices")
    if account is None or not policy.can_send_parent_notice(actor, incident):
        raise Forbidden("not on the safeguarding team")
    found = _existing(session, key, account)
    if found is not None:
        return found
    worries.refuse_if_closed(incident)
    if not any(link.pupil_id == pupil.id for link in incident.pupils):
        raise Invalid("Choose a pupil linked to this incident.", "pupil_id")
    _still_at_school(pupil)
    _decision_allows(session, incident, pupil)
    sent = notice_under_decision(session, incident, pupil)
    if sent is not None:  # one notice per decision per carer: a second "send" queues nothing
        return sent
    waiting = worries.agencies_not_replied(incident)
    if waiting and checked is False:
        worries.refuse_unchecked(waiting, "do not send the notice")
    body = _clean(text, MAX_MESSAGE, "The notice", "text")
    check_depersonalised(session, pupil, body, "text", incident)
    carers = delivery.connected_carers(session, pupil.id)
    if not carers:
        raise Invalid(f"No parent or carer of {pupil.first_name} uses the app yet.", "pupil_id")
    item = _add(
        session,
        account,
        pupil,
        FeedKind.NOTICE,
        key,
        emails,
        now,
        body=body,
        incident_id=incident.id,
    )
    names = ", ".join(c.display_name for c in carers)
    when = _when_delivered(session, item, emails.hours.zone)
    first = worries.checked_first(waiting) if checked else ""  # as the decision's entry says
    _chronology(session, incident, account, f"{when} to {names}{first}: {body}", now)
    record(session, actor, "incident.parent_notice_sent", incident, f"item #{item.id}")
    return item


def _when_delivered(session: Session, item: FeedItem, zone: ZoneInfo) -> str:
    """The chronology says "queued" while quiet hours hold a notice back, and "held back" while
    another incident about the child does; never "sent"."""
    holding = policy.holding_incidents(session, item.pupil_id, item.created_at)
    if holding:
        return (
            f"Notice #{item.id} approved and held back by {held_by(holding)} "
            "(carers are told nothing new until that allows it; no email)"
        )
    if item.deliver_at > item.created_at:
        return (
            f"Notice #{item.id} approved and queued until {local_time(item.deliver_at, zone=zone)} "
            "(quiet hours)"
        )
    return f"Notice #{item.id} approved and delivered in the app"


def note_delivered_notices(session: Session, *, now: datetime, zone: ZoneInfo) -> int:
    """The worker's round: a notice queued for quiet hours gets a "delivered" chronology entry.

    The chronology then says when carers could first see it, not only when it was approved.
    """
    serialise(session, "parents:notices-delivered")  # two workers never both write the entry
    queued = session.scalars(
        select(FeedItem).where(
            FeedItem.kind == FeedKind.NOTICE,
            FeedItem.incident_id.is_not(None),
            FeedItem.deliver_at > FeedItem.created_at,
            FeedItem.deliver_at <= now,
            FeedItem.deliver_at > now - timedelta(days=7),
            ~policy.carers_locked_out(FeedItem.pupil_id, FeedItem.created_at),
        )
    )
    noted = 0
    for item in queued:
        marker = f"Notice #{item.id} delivered"
        incident_id = item.incident_id
        if incident_id is not None and not chronology.has_entry(
            session, incident_id, "parents_delivered", marker
        ):
            text = f"{marker} in the app at {local_time(item.deliver_at, zone=zone)}"
            chronology.write_entry(session, incident_id, None, "parents_delivered", text, now)
            noted += 1
    return noted


def incident_notices(
    session: Session, incident: Incident, *, now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    """For the incident page: each linked pupil's notice under the decision in force, and
    where it is per carer (registered with worries.views.register_notices)."""
    sent = {
        link.pupil: notice_under_decision(session, incident, link.pupil) for link in incident.pupils
    }
    return {
        "notices": [(pupil, item) for pupil, item in sent.items() if item is not None],
        "deliveries": {
            pupil.id: notice_deliveries(session, item, now=now, zone=zone)
            for pupil, item in sent.items()
            if item
        },
    }


def notice_under_decision(session: Session, incident: Incident, pupil: Pupil) -> FeedItem | None:
    """The notice already sent to a pupil's carers under the parent-contact decision in force
    for them."""
    decision = worries.parent_contact(session, incident, pupil.id)
    if decision is None:
        return None
    return session.scalar(
        select(FeedItem)
        .where(
            FeedItem.kind == FeedKind.NOTICE,
            FeedItem.incident_id == incident.id,
            FeedItem.pupil_id == pupil.id,
            FeedItem.created_at >= decision.decided_at,
        )
        .order_by(FeedItem.id)
        .limit(1)
    )


@dataclass(frozen=True)
class NoticeDelivery:
    """Where one carer's copy of a notice is: queued for quiet hours, or delivered."""

    carer: str
    in_app: str
    email: str


def notice_deliveries(
    session: Session, item: FeedItem, *, now: datetime, zone: ZoneInfo
) -> list[NoticeDelivery]:
    """For the incident page: per carer, "queued until 13 Jan 08:00 GMT", "delivered", or held back
    by another incident about the child (and then no email went)."""
    holding = policy.holding_incidents(session, item.pupil_id, item.created_at)
    if holding:
        in_app = f"held back by {held_by(holding)}; shown once nothing holds carers back"
    elif item.deliver_at > now:
        in_app = f"queued until {local_time(item.deliver_at, 'short', zone=zone)}"
    else:
        in_app = f"delivered in the app {local_time(item.deliver_at, zone=zone)}"
    rows = []
    for carer in delivery.connected_carers(session, item.pupil_id):
        # Its own email, or the one for all that quiet hours held back (see delivery.notify).
        keys = [delivery.item_key(carer.id, item.id)]
        if item.deliver_at > item.created_at:
            keys.append(delivery.held_key(carer.id, item.deliver_at))
        message = session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key.in_(keys)).limit(1)
        )
        email = _email_state(message, zone, bool(holding), now)
        rows.append(NoticeDelivery(carer.display_name, in_app, email))
    return rows


def held_by(incident_ids: list[int]) -> str:
    """The incidents holding carers back, as the team knows them: "W00012 and W00015"."""
    refs = [f"W{i:05d}" for i in incident_ids]
    return " and ".join([", ".join(refs[:-1]), refs[-1]] if len(refs) > 1 else refs)


def _email_state(
    message: OutboxMessage | None, zone: ZoneInfo, held: bool, now: datetime
) -> str:
    if message is None:
        return "no email (held back)" if held else "no email (their settings)"
    if message.sent_at is not None:
        return f"email delivered {local_time(message.sent_at, zone=zone)}"
    if message.is_held:
        return "email held after a restore (see Email problems)"
    if message.left_unsent_at is not None:
        return "email not sent again after a restore: they had had it"
    if message.dead_at is not None:
        return "email failed (see Email problems)"
    # With the day: "queued until 08:00" read the same the next morning, and days later.
    when = local_time(message.next_attempt_at, "short", zone=zone)
    if message.next_attempt_at > now:
        return f"email queued until {when}"
    return f"email waiting to be sent (due {when})"


# --- Seeing the feed ------------------------------------------------------------------------


def mark_seen(session: Session, carer: Account, items: list[FeedItem], *, now: datetime) -> None:
    """Note when a carer first saw each item (staff see "seen"; carers never see staff's)."""
    ids = [i.id for i in items if i.author_id != carer.id]
    if not ids:
        return
    seen = set(
        session.scalars(
            select(FeedReceipt.item_id).where(
                FeedReceipt.carer_id == carer.id, FeedReceipt.item_id.in_(ids)
            )
        )
    )
    session.add_all(
        FeedReceipt(item_id=i, carer_id=carer.id, seen_at=now) for i in ids if i not in seen
    )


def update_settings(
    session: Session, carer: Account, email_mode: EmailMode, symbols: bool, *, now: datetime
) -> None:
    """A carer's choice of emails (each, daily digest or none) and symbols with school news.

    Emails each waiting for quiet hours to end go too, unless the carer still wants each: "no
    emails" means none from now, and the daily digest counts what they would have said."""
    prefs = session.get(CarerSettings, carer.id)
    if prefs is None:
        prefs = CarerSettings(account_id=carer.id)
        session.add(prefs)
    prefs.email_mode, prefs.symbols = email_mode, symbols
    if email_mode != EmailMode.EACH:
        delivery.cancel_item_emails(session, carer.id, now=now)
    record(session, carer, "parents.settings_changed", carer, f"emails: {email_mode.value}")


# --- A carer's email address ----------------------------------------------------------------


def change_email(
    session: Session,
    carer: Account,
    password: str,
    new_address: str | None,
    *,
    ip: str,
    now: datetime,
    emails: delivery.CarerEmails,
    sign_in: accounts.SignInSettings,
) -> str:
    """A carer gives a new address for school emails, corrects one waiting to be confirmed, or
    removes theirs (`new_address` empty): the one way, whether they joined with an address or not.

    Their password comes first, guessed under the sign-in limits (WrongPassword, Throttled):
    someone using a carer's unlocked phone must not send their safeguarding notices elsewhere.
    A new address is held and sent a link (delivery.hold_address): the policy checks a
    recipient before anything goes to it, so the address in use keeps getting school emails
    until the carer confirms, and is told at once that another was given. Removing takes effect
    at once, the old address told (email_change.set_address). Says what happened: "asked" or
    "sent" (a link went to the new address), "kept" (the address in use stays, the waiting one
    is dropped), "removed", "dropped" or "unchanged".
    """
    if not carer.is_parent or not carer.active:
        raise Forbidden("only a carer changes their own email address here")
    address = email_change.deliverable(new_address)
    email_change.check_password(
        session,
        carer,
        password,
        ip=ip,
        now=now,
        sign_in=sign_in,
        refused="carer.email_change_refused",
    )
    if address is not None and address != carer.email:
        return _hold_new_address(session, carer, address, emails, now=now)
    dropped = delivery.drop_held(session, carer, now=now)
    if address is None and carer.email is not None:
        return _remove_email(session, carer, emails, now=now)
    if dropped:
        return "kept" if address is not None else "dropped"
    return "unchanged"


def _hold_new_address(
    session: Session, carer: Account, address: str, emails: delivery.CarerEmails, *, now: datetime
) -> str:
    """Hold a new address and email it the link; tell the address in use, if any."""
    delivery.check_links_per_hour(session, carer, now=now)
    held = delivery.waiting_address(session, carer)
    said = f"corrected: {held}" if held else f"given: {carer.email or '-'}"
    delivery.hold_address(
        session, carer, address, secret_key=emails.secret_key, base_url=emails.base_url, now=now
    )
    record(session, carer, "carer.email_held", carer, f"{said} to {address}")
    if carer.email is None:
        return "sent"
    delivery.tell_change_asked(session, carer, emails, now=now)
    return "asked"


def _remove_email(
    session: Session, carer: Account, emails: delivery.CarerEmails, *, now: datetime
) -> str:
    """No address from now: emails still waiting go with it, and the old address is told."""
    return email_change.set_address(
        session,
        carer,
        carer,
        None,
        waiting=delivery.own_waiting(carer.id, now),
        tell=delivery.old_address_email(carer, emails),
        now=now,
        action="carer.email_changed",
    )


# --- Photo consent --------------------------------------------------------------------------


def _a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return date(day.year + 1, 3, 1)


def _consent(
    session: Session,
    account: Account,
    pupil: Pupil,
    purpose: ConsentPurpose,
    given: bool,
    who: str,
    given_on: date,
    now: datetime,
    photo_folder: Path | None,
) -> PhotoConsent:
    serialise(session, _consent_lock(pupil))
    row = PhotoConsent(
        pupil_id=pupil.id,
        purpose=purpose,
        given=given,
        given_by=who,
        given_on=given_on,
        expires_on=_a_year_after(given_on) if given else None,
        recorded_by_id=account.id,
        recorded_at=now,
    )
    session.add(row)
    action = "photo_consent.given" if given else "photo_consent.withdrawn"
    record(session, account, action, pupil, f"{purpose.value} by {who}")
    if purpose == ConsentPurpose.APP and not given:
        shared_photos.delete_all(session, account, pupil, now=now, folder=photo_folder)
    return row


def record_consent(
    session: Session,
    actor: Actor,
    pupil: Pupil,
    purpose: ConsentPurpose,
    given: bool,
    given_by: str,
    given_on: date,
    *,
    now: datetime,
    today: date,
    photo_folder: Path | None = None,
) -> PhotoConsent:
    """Staff record consent from the signed form, or its withdrawal; consent lasts a year.

    Withdrawing consent for the app deletes the photos shared under it (kept in `photo_folder`).
    """
    account = policy.holder(actor, "manage_carers")
    if account is None or not policy.can_manage_carers(session, actor, pupil):
        raise Forbidden("may not record consent for this pupil")
    who = _clean(given_by, 120, "Who gave it", "given_by")
    if given_on > today:
        raise Invalid("The date on the form cannot be in the future.", "given_on")
    if given and given_on <= today - timedelta(days=365):
        raise Invalid("Consent lasts a year, so that form has already run out.", "given_on")
    return _consent(session, account, pupil, purpose, given, who, given_on, now, photo_folder)


def carer_consent(
    session: Session,
    carer: Account,
    pupil: Pupil,
    purpose: ConsentPurpose,
    given: bool,
    *,
    now: datetime,
    today: date,
    photo_folder: Path | None = None,
) -> PhotoConsent:
    """A carer gives, renews or withdraws consent in the app; withdrawing consent for the app
    deletes the photos shared under it (kept in `photo_folder`) once this is committed.

    A withdrawal stands until whoever made it gives consent again: one carer cannot overturn
    another's "no" (or one the school recorded from a form). Only the school, having spoken
    with them both, records consent from a signed form then.
    """
    if not carer.is_parent or not policy.can_view_pupil(session, carer, pupil):
        raise Forbidden("not this carer's child")
    if given:
        withdrawal = queries.latest_consent(session, pupil.id, purpose)
        if withdrawal is not None and queries.withdrawn_by_another(withdrawal, carer.id):
            raise Invalid(queries.why_held(withdrawal, pupil), "given")
    who = f"{carer.display_name} (in the app)"[:120]
    return _consent(session, carer, pupil, purpose, given, who, today, now, photo_folder)


# --- The DSL's encrypted message log --------------------------------------------------------

HEADER = [
    "sent_utc",
    "shown_from_utc",
    "pupil",
    "class",
    "kind",
    "from",
    "to",
    "incident",
    "text",
    "seen_by",
]


def _log_rows(session: Session, school_id: int, zone: ZoneInfo) -> list[list[str]]:
    rows = [HEADER]
    query = (
        select(FeedItem)
        .where(FeedItem.school_id == school_id, FeedItem.kind != FeedKind.LEARNING_MOMENT)
        .order_by(FeedItem.id)
    )
    for item in session.scalars(query):
        to = (
            "class staff"
            if item.from_carer
            else (item.to_carer.display_name if item.to_carer else "all connected carers")
        )
        seen = "; ".join(
            f"{r.carer.display_name} {local_time(r.seen_at, 'iso', zone=zone)}"
            for r in item.receipts
        )
        values = (
            local_time(item.created_at, "iso", zone=zone),  # the school's clock, zone named
            local_time(item.deliver_at, "iso", zone=zone),
            item.pupil.full_name,
            item.pupil.school_class.name,
            item.kind.value,
            item.author.display_name,
            to,
            f"W{item.incident_id:05d}" if item.incident_id else "",
            item.body,
            seen,
        )
        rows.append([safe_cell(v) for v in values])
    return rows


def export_messages(
    session: Session, actor: Actor, passphrase: str, *, today: date, zone: ZoneInfo
) -> bytes:
    """Every message and notice with carers as CSV inside an AES-256 zip, for the DSL."""
    account = policy.holder(actor, "export_parent_messages")
    if account is None:
        raise Forbidden("may not export the message log")
    check_passphrase(passphrase)  # before reading a single message
    stamp = today.strftime("%Y%m%d")
    rows = _log_rows(session, account.school_id, zone)
    data = encrypted_csv(rows, f"parent-messages-{stamp}.csv", passphrase)
    record(session, actor, "parents.messages_exported", summary="AES-256 zip")
    return data
