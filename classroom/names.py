"""Finding people's names in free text however they were typed: with or without accents, as a
family ("the Frasers"), as a possessive without its apostrophe ("Amiras dad"), or as initials.

The governors' review scrubs names out of what it shows (review/services.py); texts to carers
are refused if they name another pupil (parents/services.py). Both must find the same names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# A name's plural or apostrophe-less possessive: "Frasers", "Joneses", "AMIRAS".
PLURAL = r"(?:e?s|E?S)?"

# Two capitals that are the school's everyday words, not a pupil's initials.
ABBREVIATIONS = frozenset(
    {"AI", "AM", "CP", "DT", "GP", "HT", "ID", "IT", "OK", "PC", "PE", "PM", "RE", "TA", "TV", "UK"}
)


def fold(text: str) -> str:
    """Compatibility-normalise and drop accents, so "Chloé" (either Unicode form) reads "Chloe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def initials(pairs: Iterable[tuple[str, str]]) -> re.Pattern[str] | None:
    """People's initials in capitals: "A.K.", "A. K.", and "AK" unless that is also a word
    the school uses ("TA", "PE"); whole, so "OAK" stays a word. `pairs`: (first, last) initial
    letters, folded and in capitals."""
    found = []
    for a, b in sorted({p for p in pairs if p[0].isalpha() and p[1].isalpha()}):
        found.append(rf"{a}\.\s?{b}\.?")
        if a + b not in ABBREVIATIONS:
            found.append(rf"{a}\s?{b}")
    if not found:
        return None
    return re.compile(r"(?<![A-Za-z.])(?:" + "|".join(found) + r")(?![A-Za-z])")


def initials_of(first: str, last: str) -> tuple[str, str]:
    return fold(first)[:1].upper(), fold(last)[:1].upper()
