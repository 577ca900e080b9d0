"""The school's rules: read them, replace them (headteacher only), seed the demo's."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid, within
from classroom.lessons.authoring import TYPED_PICTURE_WHY, auto_symbol, typed_pictures
from classroom.principals import Actor
from classroom.rules.models import SchoolRule
from classroom.symbols.library import svg_path

MAX_RULES = 10
MAX_WORDS = 12  # every rule is read aloud and shown with symbols, so it stays short
MAX_LENGTH = 120  # a rule's words: its box's limit too (rules/edit.html)
MAX_SYMBOL = 80  # a chosen picture's code
DEFAULT_SYMBOL = "2705"
STALE = (
    "Someone else saved the rules after you opened this page, so yours were not saved. "
    "The rules saved now are listed below; your changes are still in the boxes. "
    "Save again to replace the saved rules with yours."
)

# Written for pupils who mostly cannot read: short, literal, and saying what to do.
DEMO_RULES: tuple[tuple[str, str | None], ...] = (
    ("I ask a trusted adult before I go online.", "1F9D1-200D-1F3EB"),
    ("I keep my name, address and passwords private.", "1F512"),
    ("I am kind to people online.", "1F60A"),
    ("If something worries me, I stop and tell a trusted adult.", "1F6D1"),
    ("I ask before I take or share a photo.", "1F4F7"),
    ("I only talk online to people I know in real life.", "1F46A"),
    ("I take breaks from the screen.", "23F8"),
)

# As the lesson editor says it, with the rules' own way to choose a picture: the Picture box.
TYPED_PICTURE = (
    "Rule {number}: take out {found}. " + TYPED_PICTURE_WHY + " To choose the rule's "
    "picture, type its symbol code in the Picture box."
)


def _listed(pictures: list[str]) -> str:
    return " and ".join(f"\u201c{picture}\u201d" for picture in pictures)


class Stale(Exception):  # noqa: N818 - reads as "except Stale"
    """The rules were saved by someone else after this editor was opened."""

    message = STALE


@dataclass(frozen=True)
class ShownRule:
    """A rule as it is shown: its words and the picture beside them."""

    text: str
    symbol: str
    chosen: bool  # a symbol the headteacher picked, rather than one from the words


def rules(session: Session, school_id: int) -> list[SchoolRule]:
    query = select(SchoolRule).where(SchoolRule.school_id == school_id)
    return list(session.scalars(query.order_by(SchoolRule.position)))


def shown(session: Session, school_id: int) -> list[ShownRule]:
    """The rules with their pictures: the chosen one, or the first key word's."""
    return [
        ShownRule(r.text, r.symbol or auto_symbol(r.text, DEFAULT_SYMBOL), bool(r.symbol))
        for r in rules(session, school_id)
    ]


def stamp(session: Session, school_id: int) -> str:
    """The rules as they stand, in a few letters: the editor sends back the one it was opened
    at, so a save over someone else's newer rules is noticed, not made silently."""
    words = [(r.text, r.symbol or "") for r in rules(session, school_id)]
    return hashlib.sha256(json.dumps(words).encode()).hexdigest()[:32]


def _checked(entries: Sequence[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """Blank lines dropped; each rule short, each chosen symbol a picture we have."""
    kept: list[tuple[str, str | None]] = []
    for number, (raw, raw_symbol) in enumerate(entries, 1):
        within(raw, MAX_LENGTH, f"Rule {number}", f"rule-{number}")
        within(raw_symbol, MAX_SYMBOL, f"Rule {number}'s picture", f"symbol-{number}")
        text, symbol = " ".join(raw.split()), raw_symbol.strip()
        if not text:
            if symbol:
                raise Invalid(
                    f"Rule {number} has a symbol but no words: write its words, or tick "
                    "\"Remove this rule when I save\" to remove it.",
                    f"rule-{number}",
                )
            continue
        pictures = typed_pictures(text)
        if pictures:
            raise Invalid(
                TYPED_PICTURE.format(number=number, found=_listed(pictures)), f"rule-{number}"
            )
        if len(text.split()) > MAX_WORDS:
            raise Invalid(
                f"Rule {number} is too long: use {MAX_WORDS} words or fewer.", f"rule-{number}"
            )
        if symbol and svg_path(symbol) is None:
            raise Invalid(f"Rule {number}: there is no symbol {symbol!r}.", f"symbol-{number}")
        kept.append((text, symbol or None))
    if not kept or len(kept) > MAX_RULES:
        raise Invalid(f"Write between 1 and {MAX_RULES} rules.", "rule-1")
    return kept


def replace(
    session: Session,
    actor: Actor,
    entries: Sequence[tuple[str, str]],
    *,
    now: datetime,
    seen: str | None = None,
) -> None:
    """Set the school's rules, in order (headteacher only). `seen`, the stamp of the rules the
    editor was opened at: if they have been saved differently since, nothing is saved (Stale)."""
    if not isinstance(actor, Account) or not policy.can_edit_school_rules(actor, actor.school_id):
        raise Forbidden("only the headteacher writes the school's rules")
    kept = _checked(entries)
    if seen is not None and seen != stamp(session, actor.school_id):
        raise Stale(STALE)
    session.execute(delete(SchoolRule).where(SchoolRule.school_id == actor.school_id))
    _add(session, actor.school_id, kept, actor.id, now=now)
    record(session, actor, "school_rules.updated", None, f"{len(kept)} rules")


def _add(
    session: Session,
    school_id: int,
    kept: Sequence[tuple[str, str | None]],
    by: int | None,
    *,
    now: datetime,
) -> None:
    session.add_all(
        SchoolRule(
            school_id=school_id,
            position=n,
            text=text,
            symbol=symbol,
            updated_by_id=by,
            updated_at=now,
        )
        for n, (text, symbol) in enumerate(kept)
    )
    session.flush()


def seed_demo(session: Session, school_id: int, *, now: datetime) -> None:
    """The demo school's rules, if it has none yet."""
    if not rules(session, school_id):
        _add(session, school_id, DEMO_RULES, None, now=now)
