"""Pupil sign-in on class iPads, picture passwords and pupil settings."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts import services as accounts
from classroom.accounts.models import Account, UserSession
from classroom.accounts.passwords import hash_password, verify_password
from classroom.audit.services import record
from classroom.db import plain_rows
from classroom.errors import Forbidden, Invalid
from classroom.outbox.services import enqueue_email
from classroom.principals import Actor
from classroom.pupils.models import (
    CardChoosing,
    ClassStaff,
    Pathway,
    Pupil,
    Scanning,
    SchoolClass,
    SymbolSize,
)

if TYPE_CHECKING:
    from classroom.devices.models import Device  # devices sit above pupils: a class owns iPads

# The pictures a picture password is made from (OpenMoji codes) and the word each one says.
PICTURES: dict[str, str] = {
    "1F431": "cat",
    "1F436": "dog",
    "2B50": "star",
    "1F34E": "apple",
    "1F697": "car",
    "26BD": "ball",
    "2600": "sun",
    "1F41F": "fish",
    "1F33B": "flower",
}

# Symbols a pupil (or staff) can choose as the pupil's sign-in tile when there is no photo.
TILE_SYMBOLS: dict[str, str] = {
    "1F981": "lion",
    "1F98A": "fox",
    "1F42F": "tiger",
    "1F438": "frog",
    "1F427": "penguin",
    "1F984": "unicorn",
    "1F680": "rocket",
    "1F30A": "wave",
    "1F3B8": "guitar",
    "1F6B2": "bike",
    "1F99C": "parrot",
    "1F422": "turtle",
    "1F41D": "bee",
    "26BD": "football",
    "1F333": "tree",
    "2B50": "star",
}

AFTER_HOURS_MINUTES = 60


class PupilLine(NamedTuple):
    """What staff home shows of a pupil: read as plain columns, not as a pupil row with all
    its settings (loading those rows was a fifth of the page)."""

    id: int
    class_id: int
    first_name: str
    last_name: str
    pathway: Pathway
    has_picture_password: bool
    active: bool  # off: the pupil has left the school (listed apart on staff home)
    left_on: date | None  # the day they left, said beside their name there
    date_of_birth: date  # said beside the name where two in a class share it
    known_as: str | None  # the name on their tile, when not the first name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def called(self) -> str:
        """The name on their tile and in Read to me (Pupil.called)."""
        return self.known_as or self.first_name


@dataclass(frozen=True)
class ClassCard:
    """One class on staff home: its staff's names, the pupils the person may see (those at
    the school, and apart those who have left), and whether they may edit its lesson map."""

    id: int
    name: str
    staff: list[str]
    pupils: list[PupilLine]
    map_editable: bool
    left: list[PupilLine]
    closed_on: date | None = None  # a closed class: its pupils have all left (listed apart)

    @property
    def same_called(self) -> list[list[PupilLine]]:
        """Pupils of the class whose tiles show the same name (two "Sam"s), to tell staff."""
        return same_called(self.pupils)

    def tell_apart(self, line: PupilLine) -> str:
        """A tile name for `line` that no other tile of the class shows ("" if none is free)."""
        taken = [other.called for other in self.pupils if other.id != line.id]
        return with_an_initial(line.called, line.last_name, taken)


class HomeStatements(NamedTuple):
    classes: Select[int, str]
    closed: Select[int, str, date]
    pupils: Select[*tuple[Any, ...]]  # a PupilLine's columns (more than SQLAlchemy types)
    staff: Select[int, str]
    editable: Select[int]


@lru_cache(maxsize=policy.SCOPES_REMEMBERED)
def _home_statements(
    classes: Select[SchoolClass],
    closed: Select[SchoolClass],
    pupils: Select[Pupil],
    settings: Select[SchoolClass],
) -> HomeStatements:
    """Staff home's statements from the person's scopes: policy keeps each scope, so these are
    built once per scope, and their SQL cache keys worked out once."""
    class_ids = classes.with_only_columns(SchoolClass.id).order_by(None)
    return HomeStatements(
        classes.with_only_columns(SchoolClass.id, SchoolClass.name),
        closed.with_only_columns(SchoolClass.id, SchoolClass.name, SchoolClass.closed_on),
        pupils.with_only_columns(
            Pupil.id, Pupil.class_id, Pupil.first_name, Pupil.last_name, Pupil.pathway,
            Pupil.picture_password_hash.is_not(None), Pupil.active, Pupil.left_on,
            Pupil.date_of_birth, Pupil.known_as,
        ),  # fmt: skip
        select(ClassStaff.class_id, Account.display_name)
        .join(Account, Account.id == ClassStaff.account_id)
        # A deactivated account stays on its classes for the record, but works there no more.
        .where(ClassStaff.class_id.in_(class_ids), Account.active.is_(True))
        .order_by(Account.display_name, Account.id),
        # can_edit_class_map is membership of this scope (tests/test_policy_agreement.py).
        settings.with_only_columns(SchoolClass.id).order_by(None),
    )


def staff_home(session: Session, actor: Actor) -> list[ClassCard]:
    """The classes and pupils this person may see, in five statements however many classes:
    the open classes, the closed ones, the pupils, the staff names, and the maps the person may
    edit."""
    home = _home_statements(
        policy.visible_classes(actor),
        policy.visible_closed_classes(actor),
        policy.visible_pupils(actor),
        policy.visible_settings_classes(actor),
    )
    pupils: dict[int, list[PupilLine]] = {}
    left: dict[int, list[PupilLine]] = {}
    for line in plain_rows(session, home.pupils):
        (pupils if line.active else left).setdefault(line.class_id, []).append(PupilLine(*line))
    staff: dict[int, list[str]] = {}
    for class_id, name in plain_rows(session, home.staff):
        staff.setdefault(class_id, []).append(name)
    editable = set(plain_rows(session, home.editable).scalars())
    cards = [
        ClassCard(c, name, staff.get(c, []), pupils.get(c, []), c in editable, left.get(c, []))
        for c, name in plain_rows(session, home.classes)
    ]
    # A closed class is only its leavers, listed after the open classes for their records.
    return cards + [
        ClassCard(c, name, [], [], False, left.get(c, []), closed_on)
        for c, name, closed_on in plain_rows(session, home.closed)
        if c in left
    ]


def pupil_session_expiry(now: datetime, settings: accounts.SignInSettings) -> datetime:
    """Pupil sessions end at the end of the school day (or an hour after an after-hours start)."""
    zone = settings.zone
    local = now.astimezone(zone)
    day_end = datetime.combine(local.date(), settings.school_day_end, tzinfo=zone)
    if local < day_end:
        return day_end
    return now + timedelta(minutes=AFTER_HOURS_MINUTES)


def sign_in_pupil(
    session: Session,
    pupil: Pupil,
    device: Device,
    ip: str,
    *,
    now: datetime,
    settings: accounts.SignInSettings,
) -> accounts.NewSession:
    """Start a pupil session on a class iPad (the caller has checked any picture password)."""
    if not policy.can_pupil_sign_in_on(pupil, device.class_id):
        raise Forbidden("pupil is not in this iPad's class")
    expires_at = pupil_session_expiry(now, settings)
    new = accounts.start_session(
        session, expires_at, ip, pupil_id=pupil.id, device_id=device.id, now=now
    )
    record(session, pupil, "pupil.signed_in", pupil, f"on {device.name}")
    return new


@dataclass
class PictureAttempt:
    """Where a pupil is in entering their picture password."""

    chosen: list[str]
    complete: bool


def picture_step(pupil: Pupil, chosen_so_far: str, pick: str) -> PictureAttempt:
    """Add one tapped picture; the attempt is complete when it is as long as the password."""
    chosen = [c for c in chosen_so_far.split(",") if c in PICTURES][:4]
    if pick not in PICTURES:
        raise Invalid("Choose one of the pictures.")
    chosen.append(pick)
    return PictureAttempt(chosen, len(chosen) >= pupil.picture_password_length)


def check_picture_password(
    session: Session,
    pupil: Pupil,
    device: Device,
    chosen: list[str],
    *,
    now: datetime,
    settings: accounts.SignInSettings,
) -> bool:
    """Verify a full picture sequence; failures are throttled per pupil and per iPad."""
    key = f"pupil:{pupil.id}"
    accounts.check_throttle(
        session,
        "picture",
        key,
        f"device:{device.id}",
        settings.picture_max_failures,
        now=now,
        settings=settings,
    )
    ok = pupil.picture_password_hash is not None and verify_password(
        pupil.picture_password_hash, ",".join(chosen)
    )
    accounts.note_attempt(session, "picture", key, f"device:{device.id}", ok, now=now)
    if not ok:
        record(session, None, "pupil.picture_password_failed", pupil, f"on {device.name}")
    return ok


def set_picture_password(session: Session, actor: Actor, pupil: Pupil, pictures: list[str]) -> None:
    """Turn on (2-4 pictures) or off (empty list) a pupil's picture password."""
    _require_edit(session, actor, pupil)
    if not pictures:
        pupil.picture_password_hash = None
        pupil.picture_password_length = 0
        record(session, actor, "pupil.picture_password_removed", pupil)
        return
    if not 2 <= len(pictures) <= 4 or any(p not in PICTURES for p in pictures):
        raise Invalid("A picture password is 2, 3 or 4 of the pictures shown.", "pictures")
    pupil.picture_password_hash = hash_password(",".join(pictures))
    pupil.picture_password_length = len(pictures)
    record(session, actor, "pupil.picture_password_set", pupil)


def finish(session: Session, session_row_id: int, *, now: datetime) -> None:
    """The pupil pressed Finished: end the session so the next pupil starts clean."""
    row = session.get(UserSession, session_row_id)
    if row is not None:
        accounts.end_session(row, "finished", now=now)


@dataclass
class PupilSettings:
    pathway: Pathway
    tile_symbol: str
    symbol_size: SymbolSize
    speech_rate: int
    auto_read: bool
    high_contrast: bool
    reduced_motion: bool
    scanning: Scanning
    scan_interval_ms: int
    voice: str | None = None  # None: keep the pupil's voice
    auditory_scanning: bool = False
    card_choosing: CardChoosing = CardChoosing.STRAIGHT_AWAY
    home_lessons: int | None = None  # None: as the pathway suggests; 0: all
    known_as: str | None = None  # the name the pupil answers to; None: their first name


# Lessons on home when staff have not chosen (None: all). Pre-formal pupils see just the
# target lesson, as one big tile: a screen of seventeen means nothing to them.
HOME_LESSONS_BY_PATHWAY: dict[Pathway, int | None] = {
    Pathway.PRE_FORMAL: 1,
    Pathway.SEMI_FORMAL: 3,
    Pathway.FORMAL: None,
}
HOME_LESSONS_MOST = 6  # staff may choose 1 to this many, or all


def lessons_on_home(pupil: Pupil) -> int | None:
    """How many lessons the pupil's home shows (None: all of them)."""
    if pupil.home_lessons is None:
        return HOME_LESSONS_BY_PATHWAY[pupil.pathway]
    return pupil.home_lessons or None


def update_settings(
    session: Session, actor: Actor, pupil: Pupil, new: PupilSettings, voices: Collection[str]
) -> None:
    """Change what the pupil's pages do; each changed field is named in the audit log.

    `voices` are the ones this server can speak (a voice already set may stay).
    """
    _require_edit(session, actor, pupil)
    if new.tile_symbol not in TILE_SYMBOLS:
        raise Invalid("Choose one of the tile symbols shown.", "tile_symbol")
    if not 80 <= new.speech_rate <= 260:
        raise Invalid("Speech rate must be between 80 and 260 words a minute.", "speech_rate")
    if not 500 <= new.scan_interval_ms <= 10000:
        raise Invalid("Scan speed must be between 0.5 and 10 seconds.", "scan_interval_ms")
    if new.home_lessons is not None and not 0 <= new.home_lessons <= HOME_LESSONS_MOST:
        raise Invalid(
            f"Lessons on home must be 1 to {HOME_LESSONS_MOST}, all, or as the pathway suggests.",
            "lessons_on_home",
        )
    new.known_as = _known_as(new.known_as, pupil.first_name)
    if new.known_as != pupil.known_as:
        _refuse_a_name_taken(session, pupil, new.known_as or pupil.first_name)
    if new.voice is None:
        new.voice = pupil.voice
    elif new.voice != pupil.voice and new.voice not in voices:
        raise Invalid("Choose one of the voices shown.", "voice")
    changed = [name for name, value in vars(new).items() if getattr(pupil, name) != value]
    for name in changed:
        setattr(pupil, name, getattr(new, name))
    if changed:
        record(session, actor, "pupil.settings_changed", pupil, ", ".join(changed))


def _known_as(typed: str | None, first_name: str) -> str | None:
    """The known-as name as kept: None when empty or the first name itself."""
    name = " ".join((typed or "").split())
    if len(name) > KNOWN_AS_MOST:
        raise Invalid(f"Known as must be {KNOWN_AS_MOST} characters or fewer.", "known_as")
    return name if name and name.casefold() != first_name.casefold() else None


KNOWN_AS_MOST = 80  # pupils.known_as


class _Called(Protocol):
    @property
    def called(self) -> str: ...


CalledT = TypeVar("CalledT", bound=_Called)


def name_key(called: str) -> str:
    """A tile name as the class sees and hears it: "Mo" and "mo " are the same name."""
    return " ".join(called.split()).casefold()


def same_called(pupils: Iterable[CalledT]) -> list[list[CalledT]]:
    """The groups of two or more pupils whose tiles show the same name, in the order given."""
    groups: dict[str, list[CalledT]] = {}
    for pupil in pupils:
        groups.setdefault(name_key(pupil.called), []).append(pupil)
    return [group for group in groups.values() if len(group) > 1]


def also_called(session: Session, pupil: Pupil, called: str | None = None) -> list[Pupil]:
    """The class's other pupils at the school whose tiles show `called` (the pupil's own name
    when not given): the tiles and Read to me would not tell them apart."""
    key = name_key(called if called is not None else pupil.called)
    return [other for other in _classmates(session, pupil) if name_key(other.called) == key]


def _classmates(session: Session, pupil: Pupil) -> list[Pupil]:
    """The class's other pupils still at the school: theirs are the other tiles of its iPads."""
    return list(
        session.scalars(
            select(Pupil)
            .where(Pupil.class_id == pupil.class_id, Pupil.active.is_(True), Pupil.id != pupil.id)
            .order_by(Pupil.last_name, Pupil.first_name, Pupil.id)
        )
    )


def with_an_initial(called: str, last_name: str, taken: Iterable[str] = ()) -> str:
    """A tile name that tells `called` apart by the surname ("Mo A" for Mohammed Ali, known as
    Mo), never `called` itself nor a name in `taken` (the class's other tiles): when `called`
    already ends in an initial ("Mo A" and another "Mo A"), more of the surname ("Mo Al"), not
    "Mo A A". "" when the surname gives none (a one-letter surname already there)."""
    words, surname = called.split(), " ".join(last_name.split())
    had = 0  # how much of the surname `called` ends in already ("Mo A": 1, "Mo Ali": 3)
    if len(words) > 1 and surname.casefold().startswith(words[-1].casefold()):
        had, words = len(words[-1]), words[:-1]
    elif len(words) > 1 and len(words[-1]) == 1:
        words = words[:-1]  # another initial ("Mo J" for Mohammed Ali): replaced, not added to
    unwanted = {name_key(called), *(name_key(name) for name in taken)}
    # More of the surname than `called` has first (what it has did not tell them apart), then
    # less of it: "Mo A" for a second "Mo Ali".
    for size in [*range(had + 1, len(surname) + 1), *range(1, had)]:
        part = surname[:size].rstrip(" -'")
        candidate = " ".join([*words, part[:1].upper() + part[1:]])
        if part and name_key(candidate) not in unwanted:
            return candidate
    return ""


def names_in_words(names: Sequence[str]) -> str:
    """Names joined as they are said: "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def name_to_tell_apart(session: Session, pupil: Pupil) -> str:
    """A tile name for `pupil` that no other tile of their class shows ("" if none is free):
    what staff are told to set where two tiles show one name."""
    taken = [other.called for other in _classmates(session, pupil)]
    return with_an_initial(pupil.called, pupil.last_name, taken)


def _refuse_a_name_taken(session: Session, pupil: Pupil, called: str) -> None:
    """A known-as name another pupil of the class is already called is refused, naming them: two
    tiles saying "Mo" (and Read to me saying "Mo, Mo") leave a pupil unable to find their own.
    The name it suggests is one no other tile of the class shows, and not the one typed."""
    classmates = _classmates(session, pupil)
    others = [other for other in classmates if name_key(other.called) == name_key(called)]
    if not others:
        return
    whom = names_in_words([other.full_name for other in others])
    called = others[0].called  # as their tile shows it ("Mo", when "mo" was typed)
    raise Invalid(
        f"{whom} in {pupil.school_class.name} {'is' if len(others) == 1 else 'are'} already "
        f"called {called} on the class iPad, so the tiles and Read to me could not tell them "
        f"apart. {_how_to_tell_apart(called, pupil, [other.called for other in classmates])}",
        "known_as",
    )


def _how_to_tell_apart(called: str, pupil: Pupil, taken: list[str]) -> str:
    """What to type instead of `called`: a name no other tile in `taken` shows."""
    suggested = with_an_initial(called, pupil.last_name, taken)
    if not suggested:
        return f"Choose a name no other pupil in {pupil.school_class.name} is called."
    if len(suggested.split()[-1]) == 1:
        return f"Add an initial, such as {suggested}."
    return f"Add more of the surname, such as {suggested}."


def record_leaving(
    session: Session, actor: Actor, pupil: Pupil, *, today: date, now: datetime, base_url: str
) -> None:
    """Record that a pupil has left the school (`Pupil.active` off) on `today`.

    Their tile leaves the class iPads and any session of theirs ends; nothing new passes
    between school and their carers (`policy.in_touch_with_carers`). Nothing is deleted: the
    school's records, safeguarding ones included, stay as its retention rules say. The DSL and
    deputies are emailed about every leaver, record or not, so that neither the email nor this
    page tells whoever records it which pupils have a safeguarding file.
    """
    _mark_left(session, actor, pupil, today)
    _tell_the_dsl(session, [pupil], now=now, base_url=base_url)


def _mark_left(session: Session, actor: Actor, pupil: Pupil, left_on: date) -> None:
    _require_leaving_right(session, actor, pupil)
    if not pupil.active:
        raise Invalid(f"{pupil.full_name} is already recorded as having left the school.")
    pupil.active, pupil.left_on = False, left_on
    session.flush()
    record(session, actor, "pupil.left_school", pupil)


def record_leavers(
    session: Session,
    actor: Actor,
    pupils: list[Pupil],
    *,
    left_on: date,
    today: date,
    now: datetime,
    base_url: str,
) -> None:
    """Record that several pupils left the school on `left_on` (the end of the school year's
    leavers, in one go), each as `record_leaving` does: all of them or, if one cannot be
    recorded, none (the caller's one commit). The DSL and deputies get one email for them all,
    not one each: eight identical emails at the end of July would bury the one that matters."""
    check_leavers(pupils, left_on=left_on, today=today)
    for pupil in pupils:
        _mark_left(session, actor, pupil, left_on)
    _tell_the_dsl(session, pupils, now=now, base_url=base_url)


def check_leavers(pupils: Collection[Pupil], *, left_on: date, today: date) -> None:
    """Why these pupils cannot be recorded as leaving on `left_on`, if they cannot (asked
    before the page that names them asks to confirm, and again when it is confirmed)."""
    if not pupils:
        raise Invalid("Choose the pupils who are leaving.", "pupils")
    if left_on > today:
        raise Invalid(
            "The day they left cannot be after today. Record leavers on the day they leave, "
            "or after it.",
            "left_on",
        )
    # A year typed wrong (2025 for 2026) would date every one of them a year early.
    if left_on < today - timedelta(days=365):
        raise Invalid(
            f"The day they left is more than a year ago ({left_on:%d/%m/%Y}). Check the year.",
            "left_on",
        )
    back = [p for p in pupils if p.back_on is not None and left_on < p.back_on]
    if back:
        names = ", ".join(f"{p.full_name} ({p.back_on:%d/%m/%Y})" for p in back)
        raise Invalid(
            f"The day they left is before the day these pupils were recorded back at the "
            f"school: {names}. Check the date.",
            "left_on",
        )


# No name and no detail: it says a pupil left and where to look. The list it points to shows
# the team which leavers have a child-protection file still to send.
LEAVER_EMAIL = (
    "{who} been recorded as having left the school. The designated safeguarding lead is "
    "told of every pupil who leaves.\n\n"
    "If {they} a safeguarding record, {their} child-protection file must go to {their} next "
    "school's DSL within five school days. Please sign in to see the files to send: "
    "{base_url}/safeguarding/cp-files/to-send\n"
)


def _tell_the_dsl(
    session: Session, pupils: list[Pupil], *, now: datetime, base_url: str
) -> None:
    """Email the DSL and deputies (via the outbox) that a pupil, or several recorded together,
    have left: one email, naming nobody."""
    first, n = pupils[0], len(pupils)
    if n == 1:
        subject = "A pupil has left the school"
        body = LEAVER_EMAIL.format(
            who="A pupil has", they="they have", their="their", base_url=base_url
        )
    else:
        subject = f"{n} pupils have left the school"
        body = LEAVER_EMAIL.format(
            who=f"{n} pupils have", they="any of them has", their="their", base_url=base_url
        )
    # One key per leaving (the first pupil's, and how many), so it is written once.
    key = f"pupil-left:{first.id}:{first.left_on}" + (f":{n}" if n > 1 else "")
    for account in session.scalars(policy.safeguarding_team(first.school_id, "alerted")):
        if account.email:
            enqueue_email(
                session,
                f"{key}:{account.id}",
                account.email,
                subject,
                body,
                school_id=first.school_id,
                base_url=base_url,
                now=now,
            )


def record_return(session: Session, actor: Actor, pupil: Pupil, *, today: date) -> None:
    """Undo a recorded leaving: the pupil is at the school again (`Pupil.active` on)."""
    _require_leaving_right(session, actor, pupil)
    if pupil.active:
        raise Invalid(f"{pupil.full_name} is already recorded as at the school.")
    if pupil.school_class.closed_on is not None:  # back on no class list, and no class iPad
        raise Invalid(
            f"{pupil.full_name}'s class, {pupil.school_class.name}, is closed. Reopen it on "
            f"Classes first; an MIS import can then move {pupil.first_name} to another class.",
            "answer",
        )
    pupil.active, pupil.left_on, pupil.back_on = True, None, today
    session.flush()
    record(session, actor, "pupil.back_at_school", pupil)


def may_record_leaving(session: Session, actor: Actor, pupil: Pupil) -> bool:
    """Leaving and returning are recorded by those who manage the school's classes."""
    return policy.has_right(actor, "manage_classes") and policy.can_view_pupil(
        session, actor, pupil
    )


def _require_leaving_right(session: Session, actor: Actor, pupil: Pupil) -> None:
    if not may_record_leaving(session, actor, pupil):
        raise Forbidden("not allowed to record a pupil leaving or returning")


def _require_edit(session: Session, actor: Actor, pupil: Pupil) -> None:
    if not policy.can_edit_pupil_settings(session, actor, pupil):
        raise Forbidden("not allowed to change this pupil")
    require_at_school(pupil)


# A leaver's settings stay as they were (they are the record of how the pupil learnt, and come
# back with them), so nobody changes them by a slip on an old page.
# The same holds for what else is theirs alone: their lesson map and their symbol choices.
LEFT_SETTINGS = (
    "{name} has left the school, so {name}'s {what} cannot be changed. If {name} comes back, "
    "record that {name} is back at the school and {they} can be changed again."
)


def require_at_school(pupil: Pupil, what: str = "settings", they: str = "they") -> None:
    """Refuse a change to the settings (or `what` else is theirs) of a pupil who has left."""
    if not pupil.active:
        raise Invalid(left_settings(pupil, what, they))


def left_settings(pupil: Pupil, what: str = "settings", they: str = "they") -> str:
    """Why a leaver's settings (or `what` else is theirs) are read-only, in a sentence staff
    read on the page."""
    return LEFT_SETTINGS.format(name=pupil.first_name, what=what, they=they)
