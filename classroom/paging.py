"""Lists shown a page at a time: staff lists that grow with the school's history, newest first,
and a pupil's lists a screen at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int = 1
    older: bool = False  # whether there is a page of older items after this one


def page_of(session: Session, query: Select[Any], page: int, size: int) -> Page[Any]:
    """Page `page` of `query`'s rows (`size` of them), and whether there is an older page. One
    row more than a page is read to know that, instead of counting them all."""
    found = list(session.scalars(query.limit(size + 1).offset((page - 1) * size)))
    return Page(found[:size], page, len(found) > size)


class ScreenPages(NamedTuple):
    """A pupil's list shown a screen at a time (home's lessons, Our rules; static/js/
    pupil-pages.js turns its pages in place): `first` items on the first page, `later` on each
    page after, `total` in all. `page` (from 1) is the one the server shows, the others' items
    hidden, and Back and More are links to the pages either side: the first paint is the final
    layout, and a pupil with no script still reaches every item."""

    first: int
    later: int
    total: int
    page: int

    @classmethod
    def asked(cls, sizes: tuple[int, int], total: int, raw: str) -> ScreenPages:
        """The page `raw` (the address's ?page=) asks for; one that is not a page (0, -1, abc,
        999) is the nearest page there is, never an error."""
        whole = cls(sizes[0], sizes[1], total, 1)
        if not (raw.isascii() and raw.isdigit()):
            return whole
        # More digits than any page has (int() refuses thousands) ask for the last page too.
        number = int(raw) if len(raw) <= 9 else whole.last
        return whole._replace(page=max(1, min(number, whole.last)))

    @property
    def last(self) -> int:
        return 1 if self.total <= self.first else 2 + (self.total - self.first - 1) // self.later

    @property
    def start(self) -> int:
        """The index of the page's first item."""
        return 0 if self.page == 1 else self.first + (self.page - 2) * self.later

    @property
    def end(self) -> int:
        """The index after the page's last item."""
        return self.first if self.page == 1 else self.start + self.later
