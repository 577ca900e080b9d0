"""Lists that grow with the school's history, shown a page at a time, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

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
