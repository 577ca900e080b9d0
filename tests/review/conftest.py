"""Shared set-up for the review's tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from classroom.review.services import _scrubber
from tests.factories import make_class, make_pupil


@pytest.fixture
def scrub(session: Session) -> Callable[[str], str]:
    """The review's scrubber for a school with one pupil, Amira Khan, in Oak."""
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Amira", last_name="Khan")
    return _scrubber(session, oak.school_id)
