"""The family most carers' tests are about: see tests/parents_helpers.py."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.conftest import Clock
from tests.parents_helpers import Family, make_family


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    return make_family(session, clock)
