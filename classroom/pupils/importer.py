"""Import pupils and their carers from a school MIS export (CSV): all rows or none."""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.forms import deliverable_email
from classroom.accounts.models import Account, Role
from classroom.accounts.passwords import hash_password
from classroom.audit.services import record
from classroom.localtime import local_today
from classroom.principals import Actor
from classroom.pupils.models import ParentLink, Pupil, SchoolClass
from classroom.pupils.services import name_to_tell_apart, names_in_words, same_called

# MIS exports name columns differently; each of ours accepts the common spellings.
COLUMNS: dict[str, tuple[str, ...]] = {
    "upn": ("upn",),
    "first_name": ("legal forename", "forename", "first name", "preferred forename"),
    "last_name": ("legal surname", "surname", "last name"),
    "date_of_birth": ("dob", "date of birth"),
    "class_name": ("reg group", "registration group", "class", "form"),
}
# Read when the file has it: the name a pupil answers to ("Mo" for Mohammed). Not when it is the
# column the first name was read from (a file with no legal forename).
KNOWN_AS = ("preferred forename", "known as", "preferred name")
# How a missing column is named to the admin: as the page and the MIS spell it.
LABELS = {
    "upn": "UPN",
    "first_name": "Legal Forename",
    "last_name": "Legal Surname",
    "date_of_birth": "DOB",
    "class_name": "Reg Group",
}
MAX_CONTACTS = 4
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
MAX_ROWS = 2000
HELD = (
    "{name} was not connected to {pupil}: connecting a new carer to this pupil is paused by the "
    "safeguarding team just now. Speak to your Designated Safeguarding Lead; import the file "
    "again once they say it can be done."
)


def upn_is_valid(upn: str) -> bool:
    """DfE unique pupil number: a check letter then 12 digits (last may be a letter)."""
    if not re.fullmatch(r"[A-Z]\d{11}[0-9A-Z]", upn):
        return False
    values = [int(c) if c.isdigit() else UPN_LETTERS.index(c) for c in upn[1:12]]
    values.append(int(upn[12]) if upn[12].isdigit() else UPN_LETTERS.index(upn[12]))
    total = sum(v * w for v, w in zip(values, range(2, 14), strict=True))
    return UPN_LETTERS[total % 23] == upn[0]


@dataclass
class Contact:
    name: str
    email: str
    relationship: str


@dataclass
class Row:
    line: int
    upn: str
    first_name: str
    last_name: str
    date_of_birth: date
    class_name: str
    contacts: list[Contact]
    # The file's preferred forename when it is not the first name; None: the file says none.
    known_as: str | None = None
    has_known_as: bool = False  # the file has a preferred forename column at all


@dataclass
class ImportReport:
    errors: list[tuple[int, str]] = field(default_factory=list)
    pupils_created: int = 0
    pupils_updated: int = 0
    carers_created: int = 0
    links_created: int = 0
    changes: list[str] = field(default_factory=list)  # what each updated pupil had changed
    # Carers left unconnected because the safeguarding team holds carers back for the pupil.
    held: list[tuple[int, str]] = field(default_factory=list)
    # Pupils of one class whose tiles now show the same name: imported all the same, but staff
    # are told, naming each, so they can give one a known-as name.
    same_names: list[tuple[int, str]] = field(default_factory=list)
    same_name_ids: list[str] = field(default_factory=list)  # the same, for the audit log
    # Known-as names kept where the file's preferred forename column gives none (staff may
    # have set them): said, so an office that cleared one in the MIS knows it is still shown.
    kept_known_as: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_map(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    lowered = [h.strip().strip("\ufeff").lower() for h in headers]
    found: dict[str, int] = {}
    missing = []
    for key, names in COLUMNS.items():
        index = next((lowered.index(n) for n in names if n in lowered), None)
        if index is None:
            missing.append(f"'{LABELS[key]}'")
        else:
            found[key] = index
    known_as = next((lowered.index(n) for n in KNOWN_AS if n in lowered), None)
    if known_as is not None and known_as != found.get("first_name"):
        found["known_as"] = known_as
    for n in range(1, MAX_CONTACTS + 1):
        for part in ("name", "email", "relationship"):
            label = f"contact {n} {part}"
            if label in lowered:
                found[label] = lowered.index(label)
    return found, missing


def _parse_date(text: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=UTC).date()  # a date only
        except ValueError:
            continue
    return None


def _cell(values: list[str], found: dict[str, int], key: str) -> str:
    index = found.get(key)
    return values[index].strip() if index is not None and index < len(values) else ""


def _parse_row(
    line: int, values: list[str], found: dict[str, int], today: date
) -> tuple[Row | None, list[str]]:
    problems = []
    upn = _cell(values, found, "upn").upper()
    if not upn_is_valid(upn):
        problems.append(f"UPN '{upn[:20]}' is not a valid unique pupil number")
    first, last = _cell(values, found, "first_name"), _cell(values, found, "last_name")
    if not first or not last or len(first) > 80 or len(last) > 80:
        problems.append("forename and surname are needed (at most 80 characters each)")
    born = _parse_date(_cell(values, found, "date_of_birth"))
    if born is None or not 3 <= (today - born).days // 365 <= 25:
        problems.append("date of birth must be a real date (DD/MM/YYYY) for a pupil aged 3 to 25")
    class_name = _cell(values, found, "class_name")
    if not class_name:
        problems.append("class (Reg Group) is empty")
    contacts = _contacts(values, found, problems)
    known_as = _cell(values, found, "known_as")
    if len(known_as) > 80:
        problems.append("the preferred forename (known as) is at most 80 characters")
    if problems or born is None:
        return None, problems
    # Most MIS fill the preferred forename with the legal one: that is no other name.
    other = known_as if known_as and known_as.casefold() != first.casefold() else None
    return Row(line, upn, first, last, born, class_name, contacts, other, "known_as" in found), []


def _contacts(values: list[str], found: dict[str, int], problems: list[str]) -> list[Contact]:
    contacts = []
    for n in range(1, MAX_CONTACTS + 1):
        name = _cell(values, found, f"contact {n} name")
        typed = _cell(values, found, f"contact {n} email")
        relationship = _cell(values, found, f"contact {n} relationship") or "Parent"
        if not name and not typed:
            continue
        needed = f"contact {n} needs a name and a valid email address"
        if not name or not typed:
            problems.append(needed)
            continue
        try:
            # The one check every address passes: a domain in other alphabets is kept in IDNA
            # so the emails really go (lower case, as carers' accounts are matched); what no
            # email can reach is a problem on its row, saying why.
            email = deliverable_email(typed).lower()
        except ValueError as problem:
            problems.append(f"{needed}. '{typed[:80]}': {problem}")
            continue
        contacts.append(Contact(name[:120], email, relationship[:40]))
    return contacts


def parse(
    text: str, classes: dict[str, SchoolClass], today: date
) -> tuple[list[Row], ImportReport]:
    """Check every row; the report lists every problem with its line number."""
    report = ImportReport()
    # Lines may end in CR alone ("CSV (Macintosh)" from Excel): the csv module reads those as
    # a line break inside a field.
    # NUL is never part of a name (and PostgreSQL cannot store it): dropped, as from any form.
    text = text.replace("\x00", "").replace("\ufeff", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    read_to = [0]  # the last line of the last row read whole
    try:
        rows = _read_rows(_counted(reader, read_to), classes, today, report)
    except csv.Error:
        # A quote opened and never closed swallows the rest of the file into one field.
        report.errors.append(
            (read_to[0] + 1, "this line could not be read as CSV (a quote opened and not "
             "closed?); export the file again as CSV (UTF-8) or fix that line")
        )  # fmt: skip
        return [], report
    if not rows and not report.errors:
        report.errors.append((2, "the file has a header but no pupils"))
    return rows, report


def _delimiter(text: str) -> str:
    """Excel saves "CSV" with semicolons where the comma is the decimal mark (and some MIS
    export tab-separated text): the header line says which, as no column name holds one."""
    header = next((line for line in text.split("\n") if line.strip()), "")
    return max((",", ";", "\t"), key=header.count) if header else ","


def _counted(reader: Any, read_to: list[int]) -> Iterator[list[str]]:
    for values in reader:
        read_to[0] = reader.line_num
        yield values


def _read_rows(
    reader: Iterator[list[str]], classes: dict[str, SchoolClass], today: date, report: ImportReport
) -> list[Row]:
    headers = next(reader, None)
    if not headers:
        report.errors.append((1, "the file is empty"))
        return []
    found, missing = _header_map(headers)
    if missing:
        report.errors.append((1, "missing column(s): " + ", ".join(missing)))
        return []
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(rows) + len(report.errors) >= MAX_ROWS:
            report.errors.append((line, f"more than {MAX_ROWS} rows; split the file"))
            break
        row, problems = _parse_row(line, values, found, today)
        class_name = _cell(values, found, "class_name")
        named = classes.get(class_name.lower()) if class_name else None
        if class_name and named is None:
            problems.append(f"class '{class_name[:40]}' does not exist; create it first")
        elif named is not None and named.closed_on is not None:
            # Its pupils would be on no class list: reopening is a person's choice, not the file's.
            problems.append(f"class '{named.name}' is closed; reopen it on Classes first")
        if row is not None and row.upn in seen:
            problems.append(f"UPN {row.upn} is also on line {seen[row.upn]}")
        if problems:
            report.errors.extend((line, p) for p in problems)
        elif row is not None:
            seen[row.upn] = line
            rows.append(row)
    return rows


class CarerAddresses(Protocol):
    """Where a new carer's address goes (parents.delivery.ImportedAddresses): held until the
    carer confirms it, as one staff type is. Passed in, as pupils/ builds on no feature."""

    def waiting_for(self, address: str) -> Select[int]: ...

    def hold(
        self, session: Session, actor: Actor, carer: Account, address: str, *, now: datetime
    ) -> None: ...


def import_csv(
    session: Session,
    actor: Actor,
    school_id: int,
    text: str,
    *,
    now: datetime,
    zone: ZoneInfo,
    addresses: CarerAddresses,
) -> ImportReport:
    """Validate the whole file first; write nothing unless every row is right."""
    classes = {
        c.name.lower(): c
        for c in session.scalars(select(SchoolClass).where(SchoolClass.school_id == school_id))
    }
    rows, report = parse(text, classes, local_today(now, zone))
    _refuse_leavers(session, school_id, rows, report)
    if not report.ok:
        return report
    imported: dict[int, int] = {}  # pupil id: its line
    for row in rows:
        school_class = classes[row.class_name.lower()]
        pupil = _upsert_pupil(session, school_id, row, school_class, report, now=now)
        imported.setdefault(pupil.id, row.line)
        held = not policy.may_tell_carers(session, pupil.id)
        for contact in row.contacts:
            found = _Found(report, held, row.line, addresses)
            _link_carer(session, actor, school_id, pupil, contact, found, now=now)
    _note_same_names(session, imported, report)
    record(
        session,
        actor,
        "pupils.imported",
        summary=f"{report.pupils_created} new, {report.pupils_updated} updated, "
        f"{report.carers_created} carers, {report.links_created} links, "
        f"{len(report.held)} held back"
        + "".join(f"; {change}" for change in report.changes)
        + "".join(f"; {clash}" for clash in report.same_name_ids),
    )
    return report


def _note_same_names(session: Session, imported: dict[int, int], report: ImportReport) -> None:
    """Each class the file touched whose tiles now show one name for two pupils, one of them
    in the file: a line naming them all (by the first of them in the file)."""
    class_ids = select(Pupil.class_id).where(Pupil.id.in_(list(imported)))
    pupils = session.scalars(
        select(Pupil)
        .where(Pupil.class_id.in_(class_ids), Pupil.active.is_(True))
        .order_by(Pupil.class_id, Pupil.last_name, Pupil.first_name, Pupil.id)
    )
    for group in same_called(pupils):
        lines = [imported[p.id] for p in group if p.id in imported]
        if lines:
            report.same_names.append((min(lines), _same_name_line(session, group)))
            report.same_name_ids.append(
                "same name on tiles: pupils " + ", ".join(str(p.id) for p in group)
            )
    report.same_names.sort(key=lambda note: note[0])


def _same_name_line(session: Session, group: list[Pupil]) -> str:
    called, first = group[0].called, group[0]
    whom = names_in_words([p.full_name for p in group])
    both = "both" if len(group) == 2 else "all"
    such = name_to_tell_apart(session, first)
    return (
        f"{whom} in {first.school_class.name} are {both} called {called} on the class iPad: "
        f"the tiles and Read to me cannot tell them apart. Give one another known-as name on "
        f"their settings page{f', such as {such} for {first.full_name}' if such else ''}."
    )


def _refuse_leavers(
    session: Session, school_id: int, rows: list[Row], report: ImportReport
) -> None:
    """A pupil recorded as having left is brought back on their page, as the office decides,
    not by an export: updated here they would stay off their class and its iPad unsaid."""
    leavers = session.execute(
        select(Pupil.upn, Pupil.first_name, Pupil.last_name).where(
            Pupil.school_id == school_id,
            Pupil.active.is_(False),
            Pupil.upn.in_([row.upn for row in rows]),
        )
    )
    left = {upn: f"{first} {last}" for upn, first, last in leavers}
    report.errors.extend(
        (
            row.line,
            f"UPN {row.upn} is {left[row.upn]}, recorded as having left the school. If they "
            "are back, choose 'Back at the school' on their page, then import the file "
            "again; if not, take this line out of the file",
        )
        for row in rows
        if row.upn in left
    )
    report.errors.sort(key=lambda error: error[0])


def _upsert_pupil(
    session: Session,
    school_id: int,
    row: Row,
    school_class: SchoolClass,
    report: ImportReport,
    *,
    now: datetime,
) -> Pupil:
    pupil = session.scalar(select(Pupil).where(Pupil.school_id == school_id, Pupil.upn == row.upn))
    if pupil is None:
        pupil = Pupil(
            school_id=school_id,
            upn=row.upn,
            created_at=now,
            first_name=row.first_name,
            last_name=row.last_name,
            known_as=row.known_as,
            date_of_birth=row.date_of_birth,
            class_id=school_class.id,
        )
        session.add(pupil)
        report.pupils_created += 1
    else:
        changed = _changes(session, pupil, row, school_class)
        pupil.first_name, pupil.last_name = row.first_name, row.last_name
        pupil.date_of_birth, pupil.class_id = row.date_of_birth, school_class.id
        if row.known_as is not None:  # the file names one; else staff's (or none) stays
            pupil.known_as = row.known_as
        elif row.has_known_as and pupil.known_as:
            report.kept_known_as.append((row.line, _kept_known_as(pupil)))
        report.pupils_updated += 1
        if changed:  # the audit says what changed; the same file again changes nothing
            report.changes.append(f"pupil {pupil.id}: " + ", ".join(changed))
    session.flush()
    return pupil


def _kept_known_as(pupil: Pupil) -> str:
    return (
        f"{pupil.first_name} {pupil.last_name} is still known as {pupil.known_as} (the file "
        f"gives no other name). To stop it, clear Known as on {pupil.first_name}'s settings."
    )


def _changes(session: Session, pupil: Pupil, row: Row, school_class: SchoolClass) -> list[str]:
    """What the row changes of a pupil already here, in words for the audit log."""
    changed = []
    if (pupil.first_name, pupil.last_name) != (row.first_name, row.last_name):
        changed.append("name")
    if row.known_as is not None and pupil.known_as != row.known_as:
        changed.append("known as")
    if pupil.date_of_birth != row.date_of_birth:
        changed.append("date of birth")
    if pupil.class_id != school_class.id:
        before = session.get(SchoolClass, pupil.class_id)
        changed.append(f"class {before.name if before else '?'} to {school_class.name}")
    return changed


@dataclass
class _Found:
    """What linking one row's carers reports to, and needs besides the carer."""

    report: ImportReport
    held: bool  # a worry holds the pupil's carers back
    line: int
    addresses: CarerAddresses


def _link_carer(
    session: Session,
    actor: Actor,
    school_id: int,
    pupil: Pupil,
    contact: Contact,
    found: _Found,
    *,
    now: datetime,
) -> None:
    report, held, line = found.report, found.held, found.line
    # Only this school's carer accounts: linking another school's carer by email would show them
    # this school's pupil, and the report's counts would tell the importer the email is in use.
    carer = session.scalar(
        select(Account).where(
            Account.school_id == school_id,
            or_(
                # The carer may have typed their address with capitals when they joined; it
                # may still wait for them to confirm it.
                func.lower(Account.email) == contact.email,
                Account.id.in_(found.addresses.waiting_for(contact.email)),
            ),
            Account.role == Role.PARENT,
        )
        .order_by(Account.id)
        .limit(1)
    )
    linked = carer is not None and session.scalar(
        select(ParentLink.id).where(
            ParentLink.parent_id == carer.id,
            ParentLink.pupil_id == pupil.id,
            ParentLink.revoked_at.is_(None),
        )
    )
    if linked:
        return
    if held:
        # As for an invite code (parents/invites.py): while a worry holds carers back, nobody
        # new is connected to the child. The one connecting may be who the worry is about.
        report.held.append((line, HELD.format(name=contact.name, pupil=pupil.first_name)))
        return
    if carer is None:
        carer = Account(
            school_id=school_id,
            username=_free_username(session, contact.email),
            display_name=contact.name,
            email=None,  # held until the carer confirms it, below
            role=Role.PARENT,
            # No usable password: staff give the carer a one-time password or invite to connect.
            password_hash=hash_password(secrets.token_urlsafe(32)),
            password_changed_at=now,
            must_change_password=True,
            active=True,
            created_at=now,
        )
        session.add(carer)
        session.flush()
        report.carers_created += 1
        found.addresses.hold(session, actor, carer, contact.email, now=now)
    session.add(
        ParentLink(
            parent_id=carer.id,
            pupil_id=pupil.id,
            relationship_label=contact.relationship,
            created_at=now,
        )
    )
    report.links_created += 1


def _free_username(session: Session, email: str) -> str:
    """A new carer's username: the email's name with a random suffix.

    Always a random suffix, so the username chosen never tells the importer whether the plain
    name is taken (usernames are unique across every school on the server).
    """
    base = re.sub(r"[^a-z0-9._-]", "", email.split("@")[0].lower())[:50] or "carer"
    while True:
        name = f"{base}-{secrets.token_hex(3)}"
        if session.scalar(select(Account.id).where(Account.username == name)) is None:
            return name


def make_upn(digits: str) -> str:
    """A UPN with the right check letter for 12 characters of body (used for demo data)."""
    for letter in UPN_LETTERS:
        if upn_is_valid(letter + digits):
            return letter + digits
    raise ValueError(f"no check letter fits {digits!r}")
