"""The app's select field writes its options as WTForms would, only faster: the same HTML byte
for byte, whatever is in a name (pupils' and staff names are typed by people, and the attack
corpus is what a hostile one would type)."""

from __future__ import annotations

from typing import Any

import pytest
import wtforms
from markupsafe import Markup
from wtforms import Form as PlainForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from classroom.forms import SelectField
from tests.corpora import lines

NAMES = lines("xss.txt")[:40] + ['Mr "Quote" & Sons', "O'Brien <b>", "Zoë Ñúñez"]


def _both(choices: Any, data: Any = None, **render: Any) -> tuple[str, str]:
    """The same field rendered by the app's select and by WTForms' own."""

    class Ours(PlainForm):  # type: ignore[misc]  # WTForms has no types
        field = SelectField("Who", choices=choices, validators=[InputRequired()])

    class Theirs(PlainForm):  # type: ignore[misc]
        field = wtforms.SelectField("Who", choices=choices, validators=[InputRequired()])

    ours, theirs = Ours(data={"field": data}), Theirs(data={"field": data})
    return str(ours.field(**render)), str(theirs.field(**render))


@pytest.mark.parametrize("selected", [None, "3"])
def test_options_are_written_as_wtforms_writes_them(selected: str | None) -> None:
    choices = {"": "Choose who…"} | {str(n): name for n, name in enumerate(NAMES)}
    ours, theirs = _both(choices, selected, **{"aria-describedby": "who-hint"})
    assert ours == theirs
    assert "<script" not in ours  # every name is escaped, as WTForms escapes it
    assert ours.count(" selected ") == (1 if selected else 0)


def test_odd_values_and_groups_are_written_as_wtforms_writes_them() -> None:
    markup_value = Markup('a"b')  # a value already marked safe still has its quote escaped
    for choices, data in [
        ([SelectChoice(True, "Yes"), SelectChoice(False, "No")], True),
        ([SelectChoice(markup_value, "Marked"), SelectChoice("<x>", "")], "<x>"),
        (
            [
                SelectChoice("1", "Ms <i>Lopez</i>", optgroup="Staff"),
                SelectChoice("2", "Mr Bell", optgroup="Team"),
            ],
            "2",
        ),
    ]:
        ours, theirs = _both(choices, data)
        assert ours == theirs, choices


def test_an_option_with_its_own_attributes_is_written_the_general_way() -> None:
    choices = [
        SelectChoice("1", "One", {"disabled": True}),
        SelectChoice("2", "Two", {"data-kind": "x"}),
    ]
    ours, theirs = _both(choices, "2")
    assert ours == theirs
    assert "disabled" in ours
