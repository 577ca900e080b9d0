"""Contact sheets for staff review (word + picture), and "flag this picture" for the admin.

A speech-and-language therapist reviews pictures by looking at them side by side with their
words; a flag records what looked wrong, for the admin's list, without changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account
from classroom.audit.services import record
from classroom.errors import Forbidden, Invalid, within
from classroom.principals import Actor
from classroom.symbols import pictures
from classroom.symbols.library import svg_path
from classroom.symbols.models import SymbolFlag
from classroom.symbols.symboliser import HIDDEN, OverrideLayers, override_map, symbolise
from classroom.symbols.vocabulary import Vocabulary, load_vocabulary, normalise

MAX_NOTE = 300  # the flag's note box's limit too (symbols/sheet.html)
ADDED_TOPIC = "words_staff_added"  # words with a chosen picture that the word list lacks


@dataclass(frozen=True)
class SheetRow:
    """One word or phrase, its picture (None: shown with no picture) and why it was chosen."""

    phrase: str
    symbol: str | None
    why: str = ""


def vocabulary_sheet(
    layers: OverrideLayers = (), vocabulary: Vocabulary | None = None
) -> dict[str, list[SheetRow]]:
    """Every word-list entry by topic, in word order, with the picture these override layers
    (services.override_layers and kin: the school's, a class's) give it, as pupils see it;
    then the words staff gave a picture that the word list does not have."""
    words = vocabulary or load_vocabulary()
    chosen = override_map(layers)  # the symboliser's rule: the most specific layer wins
    topics: dict[str, list[SheetRow]] = {}
    for entry in sorted(words.entries.values(), key=lambda e: e.phrase):
        symbol = chosen.get(entry.phrase, entry.symbol)
        why = entry.why if symbol == entry.symbol else ""
        row = SheetRow(entry.phrase, None if symbol == HIDDEN else symbol, why)
        topics.setdefault(entry.topic, []).append(row)
    added = [
        SheetRow(phrase, symbol)
        for phrase, symbol in sorted(chosen.items())
        if words.get(phrase) is None and symbol != HIDDEN
    ]
    if added:
        topics[ADDED_TOPIC] = added
    return dict(sorted(topics.items()))


def text_sheet(
    texts: list[str], layers: OverrideLayers = (), vocabulary: Vocabulary | None = None
) -> list[SheetRow]:
    """Each distinct pictured word in these texts (a lesson's), with its picture on these
    override layers, in order."""
    words = vocabulary or load_vocabulary()
    rows: dict[tuple[str, str], SheetRow] = {}
    for text in texts:
        for token in symbolise(text, layers, vocabulary=words):
            if token.is_word and token.symbol:
                entry = words.get(token.key)
                why = entry.why if entry is not None and entry.symbol == token.symbol else ""
                rows.setdefault((token.key, token.symbol), SheetRow(token.key, token.symbol, why))
    return list(rows.values())


def flag_picture(
    session: Session, actor: Actor, phrase: str, symbol: str, note: str = "", *, now: datetime
) -> SymbolFlag:
    """Record "this picture is wrong for this word" for the admin's list; audited."""
    if not isinstance(actor, Account) or not actor.is_staff:
        raise Forbidden("only staff can flag pictures")
    key = normalise(phrase)[:80]
    shown = svg_path(symbol) is not None or (
        pictures.is_picture_code(symbol) and pictures.account_may_see(session, actor, symbol)
    )  # a school's own picture, as the sheet shows it to this person
    if not key or not shown:
        raise Invalid("Flag one of the pictures shown.", "symbol")
    note = " ".join(within(note, MAX_NOTE, "What is wrong", "note").split())
    flag = SymbolFlag(
        school_id=actor.school_id, phrase=key, symbol=symbol, note=note,
        flagged_by_id=actor.id, flagged_at=now,
    )  # fmt: skip
    session.add(flag)
    session.flush()
    record(session, actor, "symbols.picture_flagged", flag, f"{key!r} -> {symbol}: {note}")
    return flag


def open_flags(session: Session, actor: Actor) -> list[SymbolFlag]:
    """The school's flags not yet dealt with, oldest first (the admin's list)."""
    if not policy.can_review_symbol_flags(actor) or not isinstance(actor, Account):
        raise Forbidden("only admins see flagged pictures")
    query = (
        select(SymbolFlag)
        .where(SymbolFlag.school_id == actor.school_id, SymbolFlag.resolved_at.is_(None))
        .order_by(SymbolFlag.flagged_at, SymbolFlag.id)
    )
    return list(session.scalars(query))


def resolve_flag(session: Session, actor: Actor, flag: SymbolFlag, *, now: datetime) -> None:
    """Mark a flag dealt with (the picture changed, or kept on purpose); audited."""
    if not policy.can_review_symbol_flags(actor) or not isinstance(actor, Account):
        raise Forbidden("only admins deal with flagged pictures")
    if flag.school_id != actor.school_id:
        raise Forbidden("not this school's flag")
    flag.resolved_at, flag.resolved_by_id = now, actor.id
    session.flush()
    record(session, actor, "symbols.flag_resolved", flag, f"{flag.phrase!r} -> {flag.symbol}")
