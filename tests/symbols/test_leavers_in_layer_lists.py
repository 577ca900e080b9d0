"""Lists of whose symbols to change offer the pupils at the school; a pupil who has left is never
offered as one of them. The chooser's "For" list still reaches a leaver (to read their choices),
after everyone else, under "Left the school" and saying when: a teacher looking for Amira at the
school does not pick the Amira who left."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.pupils.models import Pupil
from tests import factories

PREVIEW = "/authoring/preview/kind-and-unkind/semi_formal/1"


def _select(page: str, select_id: str) -> str:
    found = re.search(rf'<select[^>]* id="{select_id}"[^>]*>(.*?)</select>', page, re.DOTALL)
    assert found, f"no list {select_id!r}"
    return found.group(1)


def _options(select: str) -> list[tuple[str, str]]:
    """Each option's value and the words a person reads for it."""
    found = re.findall(r'<option [^>]*value="([^"]*)"[^>]*>(.*?)</option>', select, re.DOTALL)
    return [(value, html.unescape(" ".join(words.split()))) for value, words in found]


@pytest.fixture
def two_amiras(session: Session, login_as: Callable[..., Account]) -> tuple[Pupil, Pupil]:
    """Amira Begum at the school, and Amira Khan of the same class, who left on 3 Dec 2026."""
    oak = factories.make_class(session, name="Oak")
    staying = factories.make_pupil(session, oak, first_name="Amira", last_name="Begum")
    left = factories.make_pupil(session, oak, first_name="Amira", last_name="Khan")
    left.active, left.left_on = False, date(2026, 12, 3)
    login_as(Role.TEACHER, classes=[oak])
    return staying, left


def test_the_chooser_lists_a_leaver_last_under_left_the_school_saying_when(
    client: FlaskClient, two_amiras: tuple[Pupil, Pupil]
) -> None:
    staying, left = two_amiras
    layers = _select(client.get("/symbols/choose").data.decode(), "layer")
    at_school, _, leavers = layers.partition('<optgroup label="Left the school">')
    assert (f"pupil-{staying.id}", "Amira Begum (Oak)") in _options(at_school)
    assert f"pupil-{left.id}" not in at_school
    assert _options(leavers) == [(f"pupil-{left.id}", "Amira Khan (Oak, left 3 Dec 2026)")]

    # Still reachable, to read Amira Khan's choices: chosen, it stays the one shown as chosen.
    page = client.get(f"/symbols/choose?layer=pupil-{left.id}&phrase=cat")
    assert page.status_code == 200
    chosen = _select(page.data.decode(), "layer")
    assert f'selected value="pupil-{left.id}"' in chosen


@pytest.mark.parametrize(
    ("page", "select_id"),
    [
        ("/symbols/choose?phrase=cat&layer={layer}", "choice-layer"),
        ("/symbols/voice", "voice-layer"),
    ],
    ids=["use it for", "record your voice"],
)
def test_lists_of_layers_to_change_offer_only_pupils_at_the_school(
    client: FlaskClient, two_amiras: tuple[Pupil, Pupil], page: str, select_id: str
) -> None:
    staying, left = two_amiras
    shown = client.get(page.format(layer=f"pupil-{staying.id}")).data.decode()
    values = [value for value, _ in _options(_select(shown, select_id))]
    assert f"pupil-{staying.id}" in values
    assert f"pupil-{left.id}" not in values


def test_a_preview_never_shows_or_swaps_on_a_leavers_layer(
    client: FlaskClient, two_amiras: tuple[Pupil, Pupil]
) -> None:
    staying, left = two_amiras
    page = client.get(PREVIEW, query_string={"symbols": f"pupil-{left.id}"}).data.decode()
    assert f"pupil-{left.id}" not in page  # the first layer they may change instead
    assert "layer=class-" in page
    page = client.get(PREVIEW, query_string={"symbols": f"pupil-{staying.id}"}).data.decode()
    assert f"layer=pupil-{staying.id}" in page
