"""A teacher writing a lesson sees its symbols as her pupils will: each quote mark, bracket and
full stop on its word ("'Buy", "gems'."), never a mark standing alone between the pictures."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from classroom.accounts.models import Account, Role
from tests.authoring_helpers import lesson_form

TEXT = "The game says \u2018Buy gems\u2019. Don't (ever) pay \u201cnow\u201d!"
SHOWN = [
    *("The", "game", "says", "\u2018Buy", "gems\u2019."),
    *("Don't", "(ever)", "pay", "\u201cnow\u201d!"),
]


def _preview(fragment: str) -> tuple[list[str], list[str]]:
    """The words shown under the box, and what stands between them."""
    labels = re.findall(r'<span class="sym-label">([^<]*)</span>', fragment)
    gaps = re.findall(r'<span class="sym-gap">([^<]*)</span>', fragment)
    return [html.unescape(w) for w in labels], [html.unescape(g) for g in gaps]


@pytest.mark.usefixtures("app", "session")
def test_the_live_preview_keeps_each_mark_on_its_word(
    login_as: Callable[..., Account], client: FlaskClient
) -> None:
    login_as(Role.TEACHER)
    response = client.get("/authoring/symbols", query_string={"text": TEXT})
    assert response.status_code == 200
    words, gaps = _preview(response.data.decode())
    assert words == SHOWN
    assert all(not gap.strip() for gap in gaps), gaps  # only spaces between the pictures
    assert "".join(words) == TEXT.replace(" ", "")  # nothing of what she wrote is lost


@pytest.mark.usefixtures("app", "session")
def test_the_preview_button_keeps_each_mark_on_its_word(
    login_as: Callable[..., Account], client: FlaskClient
) -> None:
    """Without JavaScript the Preview symbols button shows the same as the live preview."""
    login_as(Role.TEACHER)
    page = client.post("/authoring/new", data=lesson_form(action="preview", **{"pf-1-text": TEXT}))
    assert page.status_code == 200
    box = page.data.decode().split('id="f-pf-1-text-preview"')[1].split("</div>")[0]
    words, gaps = _preview(box)
    assert words == SHOWN
    assert all(not gap.strip() for gap in gaps), gaps


@pytest.mark.usefixtures("app", "session")
def test_no_strand_ticked_is_said_in_the_editors_words(
    login_as: Callable[..., Account], client: FlaskClient
) -> None:
    """Saving with no strand ticked (or Back after saving, then Save on the empty form) names
    the tick boxes, not the lesson file's list in square brackets."""
    login_as(Role.TEACHER)
    response = client.post("/authoring/new", data=lesson_form(strands=[]))
    page = html.unescape(response.data.decode())
    assert response.status_code == 400
    assert "Tick at least one UKCIS strand" in page
    assert "square brackets" not in page
    assert "self_image_identity," not in page
