"""One place per step kind: every kind is registered once, and nothing else branches on kinds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from classroom import ROOT
from classroom.lessons import authoring, kinds
from classroom.lessons.content import StepKind, load_lessons
from classroom.lessons.kinds import KINDS, SwitchUse

TEMPLATES = ROOT / "templates"
# The code and pages that show, judge or edit steps of any kind; none may test which kind.
KIND_FREE = [
    ROOT / "classroom/lessons/player.py",
    ROOT / "classroom/lessons/views.py",
    ROOT / "classroom/lessons/authoring.py",
    ROOT / "classroom/lessons/authoring_views.py",
    ROOT / "classroom/lessons/content/reader.py",
    ROOT / "classroom/lessons/arrangement.py",
    TEMPLATES / "lessons/step.html",
    TEMPLATES / "authoring/preview.html",
    TEMPLATES / "authoring/edit.html",
]
STEP_TYPES = [unit.type.__name__ for unit in KINDS.values()]


def test_every_kind_is_one_registered_unit() -> None:
    assert set(KINDS) == set(StepKind)
    for kind, unit in KINDS.items():
        assert unit.kind is kind
        assert unit.type.kind is kind  # the data type says the same kind
        assert (TEMPLATES / unit.partial).is_file(), unit.partial
        assert callable(unit.judge)
        assert callable(unit.read)
        assert callable(unit.cards)
        assert isinstance(unit.switch, SwitchUse)
        # Every key the kind reads has a form field in the teachers' editor.
        assert unit.all_keys <= set(authoring.FIELDS), kind
        assert unit.label
        assert "_" not in unit.label


@pytest.mark.parametrize("path", KIND_FREE, ids=lambda p: p.name)
def test_pages_and_services_do_not_branch_on_the_kind(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"isinstance\([^)]*\b(" + "|".join(STEP_TYPES) + r")\b", source)
    assert not re.search(r"StepKind\.[A-Z_]+", source)
    for kind in StepKind:
        # A kind's key in quotes means code (or a template) choosing by kind.
        assert f"'{kind.value}'" not in source, (path.name, kind.value)
        assert f'"{kind.value}"' not in source, (path.name, kind.value)


def test_every_shipped_step_is_judged_through_its_kind() -> None:
    """Each kind's judge answers its own steps; a stranger's answer is refused, never crashes."""
    catalogue = load_lessons(kinds=KINDS)
    seen = set()
    for lesson in catalogue:
        for version in lesson.versions:
            for step in version.steps:
                seen.add(step.kind)
                unit = kinds.spec(step)
                for position in range(max(unit.items(step), 1)):
                    index, _item = kinds.shown_item(step, position, 3)
                    for card in unit.cards(step, 3, index):
                        outcome = kinds.judge(step, card.value, position, 3)
                        assert outcome.correct in (card.right, None)
    assert seen == set(StepKind)


def test_switch_use_fits_what_the_pupil_does() -> None:
    # A step with cards is scanned card by card; a step with nothing to answer skips to Next.
    for unit in KINDS.values():
        if unit.free_next and unit.switch is not SwitchUse.ONE_PRESS:
            assert unit.switch is SwitchUse.NEXT
        if unit.switch is SwitchUse.SCAN_CARDS:
            assert not unit.free_next
