"""The anonymised incident log for senior leaders and governors: counts and trends, no names."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session

from classroom import names, policy
from classroom.accounts.models import Account
from classroom.export import check_passphrase, encrypted_csv, safe_cell
from classroom.localtime import local_time, local_today, to_local
from classroom.names import fold
from classroom.principals import Actor
from classroom.pupils.models import Pathway, Pupil, SchoolClass
from classroom.symbols.models import TrustedPerson
from classroom.worries.models import (
    CATEGORY_LABELS,
    PUPIL_ROLE_LABELS,
    Category,
    Incident,
    IncidentAction,
    IncidentEntry,
    Referral,
    Status,
)
from classroom.worries.transfer_models import CpTransfer, CpTransferCorrection, ReceivedFile

TERMS = (("autumn", 9, 12), ("spring", 1, 3), ("summer", 4, 8))


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    def contains(self, day: date) -> bool:
        """Whether a day (the school's local date, as terms are) falls in the period."""
        return self.start <= day <= self.end


def term_of(day: date) -> Period:
    """The school term a day falls in (autumn Sep-Dec, spring Jan-Mar, summer Apr-Aug)."""
    for name, first, last in TERMS:
        if first <= day.month <= last:
            end_day = date(day.year + (last == 12), 1 if last == 12 else last + 1, 1) - timedelta(
                days=1
            )
            return Period(f"{name.capitalize()} term {day.year}", date(day.year, first, 1), end_day)
    raise ValueError(day)  # unreachable: every month is in a term


def academic_year_of(day: date) -> Period:
    start_year = day.year if day.month >= 9 else day.year - 1
    return Period(
        f"{start_year}/{(start_year + 1) % 100:02d}",
        date(start_year, 9, 1),
        date(start_year + 1, 8, 31),
    )


def terms_of_year(year: Period) -> list[Period]:
    """The terms of the academic year named: 2026/27 is Autumn 2026, Spring and Summer 2027."""
    return [term_of(date(year.start.year, 9, 1))] + [
        term_of(date(year.start.year + 1, month, 1)) for month in (1, 4)
    ]


@dataclass
class Review:
    period: Period
    total: int = 0
    open_now: int = 0
    by_category: Counter[str] = field(default_factory=Counter)
    by_month: Counter[str] = field(default_factory=Counter)
    by_pathway: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    child_protection: int = 0
    hours_to_acknowledge: Median | None = None
    days_to_close: Median | None = None
    # Against the school's target for acknowledging a worry (the minutes after which the team
    # and the headteacher are alerted again): how many met it, and how many did not (late, or
    # still waiting past it). None when no target was given. Those still within it are in neither.
    ack_target_minutes: int | None = None
    acknowledged_in_time: int | None = None
    acknowledged_late: int | None = None
    overdue_actions: int = 0
    lessons: list[tuple[date, str, str]] = field(default_factory=list)
    # Pathways that 1 or 2 of the school's pupils are on: not counted in `by_pathway`.
    pathways_left_out: tuple[str, ...] = ()
    # On the page of the period holding today: incidents raised before it and still open, and
    # their open actions overdue (None on other pages). A case from last year that is still
    # open must not drop off the governors' page on 1 September.
    earlier_open: int | None = None
    earlier_overdue: int | None = None


class Median(NamedTuple):
    """A median time, over how many worries, and whether it may be longer still."""

    value: float
    over: int
    # Worries still waiting (not yet acknowledged, or open) count with their wait so far: if one
    # is at or below the middle, the true median is this or longer, never shorter.
    at_least: bool


def _median(done: list[float], waiting: list[float]) -> Median | None:
    """The median over worries done and those still waiting: leaving the waiting out would show
    governors a time that looks better the longer worries wait."""
    ranked = sorted([(v, False) for v in done] + [(w, True) for w in waiting])
    if not ranked:
        return None
    value = statistics.median(v for v, _waiting in ranked)
    at_least = any(still for _v, still in ranked[: len(ranked) // 2 + 1])
    return Median(round(value, 1), len(ranked), at_least)


def build(
    session: Session,
    school_id: int,
    period: Period,
    *,
    now: datetime,
    zone: ZoneInfo,
    carers: Iterable[str],
    reader: Account | None = None,
    ack_minutes: int | None = None,
) -> Review:
    """Counts, times and the lessons-learnt register for a period; nothing that names anyone."""
    return build_all(
        session,
        school_id,
        [period],
        now=now,
        zone=zone,
        carers=carers,
        reader=reader,
        ack_minutes=ack_minutes,
    )[0]


def build_all(
    session: Session,
    school_id: int,
    periods: list[Period],
    *,
    now: datetime,
    zone: ZoneInfo,
    carers: Iterable[str],
    reader: Account | None = None,
    ack_minutes: int | None = None,
) -> list[Review]:
    """`build` for several periods (a year and its terms) from one read of the incidents.
    `carers`: the school's carers as its records name them in words, who consented to photos
    or whom an invite code is for (parents keeps them; the review page is handed them): a
    carer with no account is named nowhere else, and "Sara rang" is her child.
    `reader`: who reads it; the lessons of a record closed to them (a worry about them,
    policy.is_subject_of) are not in their register: they would tell them what came of it.
    `ack_minutes`: the school's target for acknowledging a worry (WORRY_ACK_MINUTES), which
    each period's worries are counted against."""
    everything = list(session.scalars(select(Incident).where(Incident.school_id == school_id)))
    scrub = _scrubber(session, school_id, carers)
    few, left_out = _pathways_with_few_pupils(session, school_id)
    reviews = [
        _review(
            session,
            period,
            [i for i in everything if period.contains(to_local(i.created_at, zone).date())],
            scrub,
            now=now,
            zone=zone,
            reader=reader,
        )
        for period in periods
    ]
    if ack_minutes is not None:
        for review, period in zip(reviews, periods, strict=True):
            _against_target(review, everything, period, ack_minutes, now=now, zone=zone)
    today = local_today(now, zone)
    for review in reviews:
        for label in few:
            review.by_pathway.pop(label, None)
        review.pathways_left_out = left_out
        if review.period.contains(today):
            _carried_over(session, review, everything, today, zone)
    return reviews


def _against_target(
    review: Review,
    everything: list[Incident],
    period: Period,
    minutes: int,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> None:
    """Count the period's worries acknowledged within `minutes`, and those that were not (late,
    or not acknowledged yet and past it): a median alone does not tell a governor whether the
    school met its own target, nor how many waited longer."""
    target = timedelta(minutes=minutes)
    in_time = late = 0
    for incident in everything:
        if not period.contains(to_local(incident.created_at, zone).date()):
            continue
        waited = (incident.acknowledged_at or now) - incident.created_at
        if waited > target:
            late += 1
        elif incident.acknowledged_at is not None:
            in_time += 1
    review.ack_target_minutes = minutes
    review.acknowledged_in_time, review.acknowledged_late = in_time, late


def _carried_over(
    session: Session, review: Review, everything: list[Incident], today: date, zone: ZoneInfo
) -> None:
    """Count the incidents raised before the period and still open, and their overdue actions."""
    start = review.period.start
    earlier = [
        i.id
        for i in everything
        if i.status != Status.CLOSED and to_local(i.created_at, zone).date() < start
    ]
    review.earlier_open = len(earlier)
    review.earlier_overdue = _overdue(session, earlier, today)


FEWEST_ON_A_PATHWAY = 3


def _pathways_with_few_pupils(
    session: Session, school_id: int
) -> tuple[set[str], tuple[str, ...]]:
    """The pathways fewer than 3 of the school's pupils are on now, which the pathway chart
    leaves out: with one pupil on Formal, "Formal: 7" is that child's seven worries, however
    large the count. Returns all of them, and (for the page to say) those 1 or 2 are on; one
    nobody is on now counts only pupils who have left, who are as few."""
    on = Counter(
        session.scalars(
            select(Pupil.pathway).where(Pupil.school_id == school_id, Pupil.active.is_(True))
        )
    )
    few = [p for p in Pathway if on[p] < FEWEST_ON_A_PATHWAY]
    return {p.label for p in few}, tuple(p.label for p in few if on[p])


def _review(
    session: Session,
    period: Period,
    incidents: list[Incident],
    scrub: Callable[[str], str],
    *,
    now: datetime,
    zone: ZoneInfo,
    reader: Account | None,
) -> Review:
    review = Review(period, total=len(incidents))
    hours: tuple[list[float], list[float]] = ([], [])  # acknowledged; still waiting
    days: tuple[list[float], list[float]] = ([], [])  # closed; still open
    for incident in incidents:
        _tally(review, incident, scrub, zone, reader)
        acknowledged, closed = incident.acknowledged_at, incident.closed_at
        hours[acknowledged is None].append(_between(incident.created_at, acknowledged or now, 3600))
        days[closed is None].append(_between(incident.created_at, closed or now, 86400))
    review.hours_to_acknowledge, review.days_to_close = _median(*hours), _median(*days)
    # an action is due by the end of the school's day
    review.overdue_actions = _overdue(session, [i.id for i in incidents], local_today(now, zone))
    review.lessons.sort()
    return review


def _between(start: datetime, end: datetime, unit_seconds: int) -> float:
    return max(0.0, (end - start).total_seconds() / unit_seconds)


def _tally(
    review: Review,
    incident: Incident,
    scrub: Callable[[str], str],
    zone: ZoneInfo,
    reader: Account | None,
) -> None:
    review.by_category[_label(incident)] += 1
    review.by_month[to_local(incident.created_at, zone).strftime("%Y-%m")] += 1
    source = "Pupil's worry button" if incident.source == "pupil" else "Staff concern"
    review.by_source[source] += 1
    review.by_pathway.update(_pathways(incident))
    review.child_protection += incident.child_protection
    review.open_now += incident.status != Status.CLOSED
    # Not to the one it is about: anonymised or not, they would know it is theirs.
    closed = reader is not None and policy.is_subject_of(reader, incident)
    if incident.closed_at and incident.lessons_learnt and not closed:
        closed_on = to_local(incident.closed_at, zone).date()
        lesson = scrub(incident.lessons_learnt)
        if policy.subjects_of(incident):  # about a member of staff: their post names them too
            lesson = _POSTS.sub("[role]", lesson)
        review.lessons.append((closed_on, _label(incident), lesson))


# The posts a school has one or a few of, as staff write them: in the lessons of a worry about
# a member of staff, "the deputy DSL should not use her own phone" is who it was about. (In
# other lessons a post is who acts on them, "the DSL to brief staff", and stays.)
_POSTS = re.compile(
    r"(?<![A-Za-z])(?:"
    r"(?i:(?:deputy|assistant|acting|executive)[ \t-]+)?"
    r"(?i:head[ \t-]?teachers?|head[ \t]+of[ \t]+[A-Za-z]+|principals?|"
    r"d?dsls?|(?:designated[ \t]+)?safeguarding[ \t]+leads?|send?cos?|"
    r"(?:business|office|site|premises)[ \t]+managers?|caretakers?|bursars?|technicians?|"
    r"(?:class[ \t]+)?teachers?|teaching[ \t]+assistants?|senior[ \t]+leaders?|"
    r"minibus[ \t]+drivers?|nurses?|therapists?|(?:lunchtime|midday)[ \t]+supervisors?)"
    # "Music teacher", "PE teacher": the one who teaches it; not "All teachers"
    r"|(?!(?:All|The|Every|Each|Our|Any|Other|New|Both|Some|No)[ \t])[A-Z][A-Za-z]+[ \t]+"
    r"(?i:teachers?)"
    r"|Heads?|HLTAs?|TAs?|LSAs?|SLT|(?<=[Tt]he )head|(?i:(?:deputy|assistant)[ \t]+heads?)"
    r")(?![A-Za-z])"
)


NOT_TRIAGED = "Not triaged"


def triaged(incident: Incident) -> bool:
    """Whether the safeguarding team has triaged it: only triage sets `risk` (and it always
    sets the category with it), so a risk is the sign a person decided the category.

    `category` alone is not: a pupil's worry arrives with one the app guessed from the first
    picture tapped (worries.flow.SUGGESTED_CATEGORY), and a staff concern with the one its
    author chose ("Not sure" allowed). Both are guesses the team confirms or changes at triage;
    the queue marks both "(suggested)" until then, and so the review treats both the same.
    """
    return incident.risk is not None and incident.category is not None


def triaged_category(incident: Incident) -> Category | None:
    """The category the team decided, or None while it is still a guess."""
    return incident.category if triaged(incident) else None


def _label(incident: Incident) -> str:
    category = triaged_category(incident)
    return CATEGORY_LABELS[category] if category else NOT_TRIAGED


def _pathways(incident: Incident) -> list[str]:
    return sorted({link.pupil.pathway.label for link in incident.pupils})


def _overdue(session: Session, incident_ids: list[int], today: date) -> int:
    actions = session.scalars(
        select(IncidentAction).where(
            IncidentAction.incident_id.in_(incident_ids), IncidentAction.done_at.is_(None)
        )
    )
    return sum(1 for a in actions if a.due_on < today)


# Pupil identifiers and descriptions that name a child as surely as a name does.
_UPN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]\d{11}[A-Za-z0-9](?![A-Za-z0-9])")
# A month by its name or usual short form ("Sept", "Mar."), and no other word: "marked",
# "separate" or "decided" after a number are prose, not a date.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:r?uary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b(?!:\d)"  # not the hour of "May 10:30"
_YEAR = r"(?:19|20)\d{2}\b"
# A month name is a date only beside a day or a year: "staff may call", "we will march" and
# "in March" stay. In a small school a birth date, or a month and year, names the child.
_DATES = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b"
    # A day and month with no year, "on 3/12", "w/c 27/10": as telling as "3rd Dec", which goes.
    # Not "24/7", a fraction ("2/3 of staff") or "1/2 term".
    r"|(?P<day_month>(?<![\d/.])(?!24/7\b)(?:3[01]|[12]\d|0?[1-9])/(?:1[0-2]|0?[1-9])\b(?![/.]\d)"
    r"(?!\s*(?:of|term)\b))"
    rf"|\b{_DAY}\s+(?:of\s+)?{_MONTH}(?:\.?,?\s+{_YEAR})?"  # 14 March 2011, 14th of March
    rf"|\b{_MONTH}\.?\s+{_DAY}(?:,?\s+{_YEAR})?"  # March 14, 2011; Mar 14th
    rf"|\b{_MONTH}\.?,?\s+{_YEAR}"  # March 2011
    # A bare year ("in 2011") is prose; after "born" it is a year of birth.
    rf"|(?<=\bborn\s){_YEAR}|(?<=\bborn\sin\s){_YEAR}",
    re.IGNORECASE,
)
_NUMBER_WORDS = (
    "eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty"
    "|one|two|three|four|five|six|seven|eight|nine|ten"
)
_AGE = rf"(?:\d{{1,2}}|{_NUMBER_WORDS})"
_AGES = re.compile(
    rf"\b(?:aged?\s*{_AGE}|{_AGE}[\s-]*(?:years?|yrs?)[\s-]*olds?|\d{{1,2}}\s*y/?o)\b",
    re.IGNORECASE,
)
# "turned 15", "she is 15 now": the number goes and the words around it stay, so the sentence
# still reads. Not a count or a measure: "turn 90 degrees", "turned 3 times".
_AGE_AFTER_A_VERB = re.compile(
    rf"(?P<verb>\bturn(?:s|ed|ing)?\s+|\bis\s+now\s+"
    rf"|(?:\bis|\bwas|['\u2019]s)\s+(?={_AGE}\s+now\b)){_AGE}\b"
    r"(?!\s*(?:%|(?:per|degrees?|times?|minutes?|mins?|hours?|hrs?|seconds?|pages?)\b))",
    re.IGNORECASE,
)


# A day and month with no year reads as a score, and stays, only beside words that make it one:
# "scored 5/10" or "a score of 3/4" just before it, or "on the quiz", "in her spelling test"
# just after (and no "on", "from", "Friday"... just before: "on 5/10 in the test" is a day).
# Anything else goes ("got 5/10 off", "met 5/10 on the bus", "5/10 in the exam hall"): a date
# left in can name the incident, where a score taken out only loses detail.
_WEEKDAY = r"mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
_SCORE_BEFORE = re.compile(r"\bscor(?:e|es|ed|ing)(?:\s+of)?\s+$", re.IGNORECASE)
_DAY_BEFORE = re.compile(
    r"(?:\b(?:on|from|since|by|until|till|to|before|after|dated|the|w/?c"
    rf"|(?:{_WEEKDAY})(?:day|nesday|sday|urday)?)\.?|[-,])\s*$",
    re.IGNORECASE,
)
_SCORE_AFTER = re.compile(
    r"\s+(?:on|in)\s+(?:(?:the|a|an|his|her|their|this|that|each|every)\s+)?"
    r"(?:(?:maths?|spelling|reading|phonics|online|e-safety|safety|unit)\s+)?"
    r"(?:quiz|quizzes|tests?|assessments?|exams?|worksheets?|questions?)\b"
    r"(?!\s*(?:days?|halls?|rooms?|weeks?|dates?|papers?|times?|mornings?|afternoons?)\b)",
    re.IGNORECASE,
)


def _date_or_score(match: re.Match[str]) -> str:
    """A date goes; a day and month with no year stays only as a score (see above)."""
    if match.group("day_month") is not None:
        before, after = match.string[: match.start()][-40:], match.string[match.end() :]
        if _SCORE_BEFORE.search(before) or (
            _SCORE_AFTER.match(after) and not _DAY_BEFORE.search(before)
        ):
            return match.group(0)
    return "[date]"


def _dates_and_ages(text: str) -> str:
    text = _DATES.sub(_date_or_score, text)
    text = _AGES.sub("[age]", text)
    return _AGE_AFTER_A_VERB.sub(r"\g<verb>[age]", text)


def _scrubber(
    session: Session, school_id: int, carers: Iterable[str] = ()
) -> Callable[[str], str]:
    """Replace names, classes, UPNs, dates and ages in free text: governors never see who.
    `carers`: carers as the school's records name them in words (see `build_all`).

    Text and names are folded the same way first (Unicode normalisation, accents dropped), and a
    name is found as the carers' check finds it (names.Finder): with pet and short forms, glued
    to an initial ("ChloeW"), two-letter surnames ("Mr Li"), staff initials ("TB") and pupils'
    trusted adults ("Uncle Desmond").
    """
    # A pupil "known as" another name ("Mo" for Mohammed) is written of by it: that name goes
    # as a first name does (its short forms, and its initials with the surname).
    pupils = [
        (first, last)
        for legal, known_as, last in session.execute(
            select(Pupil.first_name, Pupil.known_as, Pupil.last_name).where(
                Pupil.school_id == school_id
            )
        )
        for first in (legal, *([known_as] if known_as else []))
    ]
    accounts = list(
        session.scalars(select(Account.display_name).where(Account.school_id == school_id))
    )
    trusted = session.scalars(
        select(TrustedPerson.name).where(TrustedPerson.school_id == school_id)
    )
    classes = session.scalars(select(SchoolClass.name).where(SchoolClass.school_id == school_id))
    finder = names.Finder(
        names.of_pupils(pupils)
        | names.of_adults([*accounts, *trusted])
        | names.initials_of_accounts(accounts)
        | names.of_words(classes)
        | _other_schools(session, school_id)
        | _with_initials(names.of_people_in_words(carers))
    )
    references = _references(session, school_id)

    def scrub(text: str) -> str:
        text = _EMAIL.sub("[email]", fold(text))  # first: its parts are names and numbers
        text = _phones(text)  # before references: its groups are short numbers
        text = references.sub("[reference]", text)  # before dates: "12/03/26" may be one
        text = finder.sub(_dates_and_ages(_UPN.sub("[UPN]", text)))
        text = _TITLED.sub(r"\g<title>[name]", text)
        return _INITIAL_AFTER_NAME.sub("[name]", _INITIAL_BEFORE_NAME.sub("[name]", text))

    return scrub


# The initial left after a name taken out: "Ruth E" read "[name] E", and in a small school a
# surname's initial points at one child or one colleague. A capital on its own, with or without
# its dot; not "I" ("told Ruth I would").
_INITIAL_AFTER_NAME = re.compile(r"\[name\][ \t]+[A-HJ-Z](?:\.|(?![A-Za-z'\u2019]))")
# And the initial before it: "A Khan" read "A [name]", the pupil's first name's initial.
_INITIAL_BEFORE_NAME = re.compile(r"(?<![A-Za-z'\u2019.])[A-HJ-Z]\.?[ \t]+\[name\]")


def _with_initials(people: names.Names) -> names.Names:
    """People named in words, and the initials of each one named in full: "SN" or "S.N." is
    "Sara Nowak", as "TB" is Mr Tom Bell and "AK" a pupil."""
    full = [n.split() for n in people.whole | people.proper if " " in n]
    return people | names.Names(initials=frozenset(names.initials_of(p[0], p[-1]) for p in full))


# An email address, the school's or anyone's: it names its owner.
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# A UK phone number however it is grouped: "07700 900 123", "0161-496-0000", "(020) 7946 0000",
# "+44 (0)7700 900123", "0161.496.0000". Each run of digit groups, from each of its groups, is a
# candidate; `_phone_length` takes it only when its groups add up to a phone number's digits, so
# dates ("05.12.2026": its first group is too short), times, decimals, years and counts stay, and
# "Year 10 07700 900 123" still loses the number.
# A space, a hyphen or a dash, or nothing ("(020)7946"); or a dot between two groups, not a
# full stop: "rang at 0930. 0161 496 0000" is a time and a number.
_GAP = r"(?:\.|[ \t]?[-\u2013]?[ \t]?)"
_PHONE = re.compile(
    rf"(?<![\w+(])(?P<intl>(?:\+|00)[ \t]?44{_GAP}(?:\(0\){_GAP})?)?"
    # At most 6 groups ("07700 90 01 23" has 4): each search reads a few groups, not a page.
    rf"(?P<number>\(?\d+\)?(?:{_GAP}\(?\d+\)?){{0,5}})"
)


def _phones(text: str) -> str:
    """`text` with each phone number read "[phone]"."""
    kept, start = [], 0
    while found := _PHONE.search(text, start):
        length = _phone_length(found)
        # Not a number from here: its first group stays, and the next group may start one.
        end = found.start() + length if length else found.start("number") + _first_group(found)
        kept.append(text[start : found.start()] + "[phone]" if length else text[start:end])
        start = end
    return "".join(kept) + text[start:]


def _first_group(found: re.Match[str]) -> int:
    group = re.search(r"\d+", found.group("number"))
    return group.end() if group else len(found.group("number"))


def _phone_length(found: re.Match[str]) -> int:
    """How much of `found` from its start is a whole number, or 0: 10 or 11 digits from its 0,
    or 9 or 10 after +44. Groups after them stay: "07700 900 123 3 times"."""
    intl, number = found.group("intl"), found.group("number")
    if not intl and not number.lstrip("(").startswith("0"):
        return 0
    groups = list(re.finditer(r"\d+", number))
    # An area code or a mobile's first group has 3 digits or more with its 0 ("020", "07700"):
    # "05 12 2026 10 pupils" is a date and a count.
    if len(groups[0].group(0)) < (2 if intl else 3):
        return 0
    wanted = (9, 10) if intl else (10, 11)
    digits, end = 0, 0
    for group in groups:
        digits += len(group.group(0))
        if digits > wanted[-1]:
            break
        if digits in wanted:
            end = group.end() + (number[group.end() : group.end() + 1] == ")")
    return found.start("number") - found.start() + end if end else 0


# Anyone written with a title, as records name people the school holds no record of: "Ms
# Hollins" (a social worker), "PC Ward", "DC J. Shaw". Last, so names found already stay
# "[name]"; the name starts with its capital, and a possessive's "'s" stays.
# Not "MS": "MS Teams" is where the bullying happened, and nobody's name.
_TITLES = "Mr|Mrs|Ms|Mx|Miss|Dr|MR|MRS|MISS|DR|PC|DC|DS|DI|DCI|Sgt|Cllr|Rev|Revd"
_JOINED = r"(?:['\u2019-][A-Z][A-Za-z]*)*"  # "O'Brien", "Smith-Jones"
_TITLED = re.compile(
    rf"(?<![A-Za-z])(?P<title>(?:{_TITLES})\.?\s+)(?:[A-Z]\.?\s*)?[A-Z][A-Za-z]*{_JOINED}"
    # and a second name, "Ms Jane Hollins"; not "I" or "IT" ("told Ms Hollins I would")
    rf"(?:\s+[A-Z][a-z][A-Za-z]*{_JOINED})?(?![A-Za-z])"
)


def _other_schools(session: Session, school_id: int) -> names.Names:
    """The schools a child-protection file went to or came from, and the people there who took
    it: with a leaver or two a year, "the file to Oakwood" is the child who moved there."""
    recorded = [
        text
        for row in session.execute(
            select(CpTransfer.sent_to, CpTransfer.received_by_name).where(
                CpTransfer.school_id == school_id
            )
        )
        for text in row
        if text
    ]
    recorded += session.scalars(
        select(ReceivedFile.from_school).where(ReceivedFile.school_id == school_id)
    )
    # A school or person recorded first and corrected later is no less a name in the minutes.
    recorded += session.scalars(
        select(CpTransferCorrection.old_who)
        .join(CpTransfer, CpTransferCorrection.transfer_id == CpTransfer.id)
        .where(CpTransfer.school_id == school_id)
    )
    return names.of_schools_and_people(recorded)


def _references(session: Session, school_id: int) -> re.Pattern[str]:
    """Incident references ("W00012"), the agencies' references the school recorded, and any
    long number (a case, crime or phone number): each is matched in the DSL's records, an
    agency's letter or the minutes, and so identifies the child as surely as a name."""
    current = (
        select(literal(True), Referral.reference)
        .join(Incident, Referral.incident_id == Incident.id)
        .where(Incident.school_id == school_id)
    )
    # A reference the agency replaced later is only in the chronology now: "(ref CS/12)".
    earlier = (
        select(literal(False), IncidentEntry.text)
        .join(Incident, IncidentEntry.incident_id == Incident.id)
        .where(Incident.school_id == school_id, IncidentEntry.kind.in_(_REFERRAL_ENTRIES))
    )
    refs = [
        text if is_reference else _reference_in(text)
        for is_reference, text in session.execute(union_all(current, earlier))
    ]
    # "n/a", "tbc" or "1" are no reference: only one with a digit and 4 characters or more.
    known = {fold(r.strip()) for r in refs if len(r.strip()) > 3 and re.search(r"\d", r)}
    alternatives = sorted(map(_loosely, known), key=len, reverse=True) + [r"W\d{5,}", r"\d{6,}"]
    return re.compile(r"(?<![A-Za-z0-9])(?i:" + "|".join(alternatives) + r")(?![A-Za-z0-9])")


_REFERRAL_ENTRIES = ("referral", "referral_reply", "referral_chased")
# How worries.services writes a referral's reference in its entries (`_agency_of`).
_REF_IN_ENTRY = re.compile(r"\(ref (.+)\)(?=$|, received |: no reply)")


def _reference_in(entry: str) -> str:
    found = _REF_IN_ENTRY.search(entry)
    return found.group(1) if found else ""


def _loosely(reference: str) -> str:
    """A reference however its parts are set apart: "CS-2026-0417" is also typed "CS 2026
    0417", "cs/2026/0417" or "CS20260417"."""
    parts = re.findall(r"[A-Za-z0-9]+", reference)
    return r"[\s./:#_-]*".join(map(re.escape, parts)) if parts else re.escape(reference)


# --- Encrypted export for the DSL -------------------------------------------------------------


def _entry_line(entry: IncidentEntry, zone: ZoneInfo) -> str:
    """One chronology entry as the record page shows it: when, what, who, and why."""
    who = f" ({entry.author.display_name})" if entry.author else ""
    why = f" (reason: {entry.reason})" if entry.reason else ""
    return f"{local_time(entry.at, 'iso', zone=zone)} {entry.kind}{who}: {entry.text}{why}"


def _rows(session: Session, actor: Actor, zone: ZoneInfo) -> list[list[str]]:
    header = [
        "reference",
        "received",
        "source",
        "status",
        "category",  # as triaged; empty until then
        "suggested_category",  # the app's or the raiser's guess, until triage replaces it
        "risk",
        "child_protection",
        "pupils",
        "summary",
        "pupil_words",
        "exact_words",
        "acknowledged",
        "closed",
        "outcome",
        "lessons_learnt",
        "chronology",
    ]
    rows = [header]
    # The records the exporter may open: never one that names them the subject of the worry.
    for i in session.scalars(policy.visible_incidents(actor).order_by(None).order_by(Incident.id)):
        pupils = "; ".join(
            f"{link.pupil.full_name} ({PUPIL_ROLE_LABELS[link.role]})" for link in i.pupils
        )
        chronology = " | ".join(_entry_line(e, zone) for e in i.entries)
        # A reopened record's last outcome is history (its chronology keeps it), not its outcome.
        closed = i.closed_at is not None
        rows.append(
            [
                safe_cell(v)
                for v in (
                    i.reference,
                    local_time(i.created_at, "iso", zone=zone),  # the school's clock, zone named
                    i.source,
                    i.status,
                    triaged_category(i),
                    None if triaged(i) else i.category,
                    i.risk,
                    "yes" if i.child_protection else "no",
                    pupils,
                    i.summary,
                    i.pupil_words,
                    i.exact_words,
                    local_time(i.acknowledged_at, "iso", zone=zone),
                    local_time(i.closed_at, "iso", zone=zone),
                    i.outcome if closed else None,
                    i.lessons_learnt if closed else None,
                    chronology,
                )
            ]
        )
    return rows


def encrypted_export(
    session: Session, actor: Actor, passphrase: str, *, now: datetime, zone: ZoneInfo
) -> bytes:
    """The incident log the actor may open, as CSV inside an AES-256 encrypted zip (7-Zip,
    WinZip open it)."""
    check_passphrase(passphrase)  # before reading a single record
    stamp = local_today(now, zone).strftime("%Y%m%d")
    rows = _rows(session, actor, zone)
    return encrypted_csv(rows, f"incident-log-{stamp}.csv", passphrase)
