"""A carer's message that is refused: the problem is at the top of the page, read out, linked to
the box, and every word the carer wrote is still in the box."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.parents.models import FeedItem
from tests.conftest import client_for
from tests.parents_helpers import Family, moment


def _refused(app: Flask, session: Session, family: Family, body: str) -> str:
    """Send `body` from Amira's mum with a long feed above the box; the page that comes back."""
    for n in range(8):
        moment(session, family, note=f"Learning moment number {n}.")
    mum = client_for(app, family.carer)
    response = mum.post(
        f"/family/children/{family.child.id}/messages", data={"body": body, "key": "k-1"}
    )
    assert response.status_code == 400
    assert session.scalar(select(FeedItem).where(FeedItem.from_carer.is_(True))) is None
    return response.text


def _summary(page: str) -> str:
    found = re.search(r"<div [^>]*data-error-summary[^>]*>.*?</div>", page, re.S)
    assert found is not None, "no error summary"
    return found.group(0)


@pytest.mark.parametrize("body", ["", " \r\n "])
def test_a_refused_message_is_announced_at_the_top_and_linked_to_the_box(
    app: Flask, session: Session, family: Family, body: str
) -> None:
    page, problem = _refused(app, session, family, body), "Write your message."
    summary = _summary(page)
    assert 'role="alert"' in summary  # read out as soon as the page is shown
    assert f'<a href="#body">Your message: {problem}</a>' in summary
    main = page.index('<main id="main"')
    assert main < page.index(summary) < page.index("<h1>") < page.index('id="feed"')
    assert re.search(r"<title>Error: Amira's news", page)
    box = re.search(r"<textarea [^>]*>", page)
    assert box is not None
    assert 'id="body"' in box.group(0)
    assert 'aria-invalid="true"' in box.group(0)
    # Described by its limit (the character count's hint) and its error.
    assert 'aria-describedby="body-count-hint body-error"' in box.group(0)
    assert f'<p class="error" id="body-error">{problem}</p>' in page


def test_a_message_too_long_keeps_every_word_and_says_what_to_do(
    app: Flask, session: Session, family: Family
) -> None:
    body = "Dear Ms Lopez, " + "Amira loved the lesson and told us all about it. " * 45
    assert len(body) > 2000
    page = _refused(app, session, family, body)
    summary = _summary(page)
    assert f"Your message must be 2,000 characters or fewer - it has {len(body):,}." in summary
    assert "Shorten it, or send it as two messages." in summary
    box = re.search(r"<textarea [^>]*>\r?\n(.*?)</textarea>", page, re.S)
    assert box is not None
    assert box.group(1) == body  # every word is still there to shorten
