"""Speech fixtures: the real espeak-ng synthesiser (one per process, as in production)."""

from __future__ import annotations

from pathlib import Path

import pytest

from classroom.speech.engine import Synthesiser
from classroom.speech.services import shared_synthesiser


@pytest.fixture(scope="session")
def synthesiser() -> Synthesiser:
    synthesiser = shared_synthesiser()
    assert synthesiser.available(), "espeak-ng is needed: apt-get install espeak-ng libespeak-ng1"
    return synthesiser


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "audio"
