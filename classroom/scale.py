"""The school's one assessment scale (PRODUCT.md section 3), in the one wording everybody reads.

Staff record against it and carers read it in learning moments, so it sits below both features.
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
