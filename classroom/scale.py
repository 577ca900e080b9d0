"""The school's one assessment scale (PRODUCT.md section 3): staff's wording, and carers' own.

Staff record against it and carers read it in learning moments, so it sits below both features.
Staff read the scale's terms (they map onto B Squared, EfL and MAPP); carers read what the level
means in plain words, on their pages and in their emails only.
"""

from __future__ import annotations

from enum import IntEnum


class Level(IntEnum):
    """The school's one scale, mapping onto B Squared, EfL and MAPP."""

    NOT_YET = 0
    EMERGING = 1
    DEVELOPING = 2
    SECURE = 3
    GENERALISED = 4

    @property
    def words(self) -> str:
        return LEVEL_WORDS[self]


LEVEL_WORDS = {
    Level.NOT_YET: "Not yet",
    Level.EMERGING: "Emerging (full support)",
    Level.DEVELOPING: "Developing (prompted or modelled)",
    Level.SECURE: "Secure (independent)",
    Level.GENERALISED: "Generalised (other person, place or device)",
}

# What each level means, as carers read it: no assessment terms ("Developing", "prompted").
CARER_WORDS = {
    Level.NOT_YET: "Not yet",
    Level.EMERGING: "Does it with an adult helping all the way",
    Level.DEVELOPING: "Does it with a reminder or after seeing an adult do it",
    Level.SECURE: "Does it on their own",
    Level.GENERALISED: "Does it on their own, also with other people, places or devices",
}

# A learning moment keeps the level in staff's words, as it was shared (FeedItem.level_words).
_BY_STAFF_WORDS = {words: level for level, words in LEVEL_WORDS.items()}


def for_carers(staff_words: str) -> str:
    """A level as stored in staff's words, in carers' words; other text as it is."""
    level = _BY_STAFF_WORDS.get(staff_words)
    return staff_words if level is None else CARER_WORDS[level]
