"""The school Wi-Fi drops in the middle of a lesson on a class iPad (issue: a pupil who cannot
read was left on the browser's own error page, words only, with no way back).

A tap that leaves a lesson screen with no network now shows, in place of the screen, "No
internet. Ask an adult." in symbols with Read to me, Report a worry and Finished where they
always are; the tap is kept and made when the network is back, so the answer is recorded once,
against the step it was given on. Two fast taps while the first is on its way are one answer.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select

from classroom.db import get_session
from classroom.lessons import content
from classroom.lessons.models import StepResponse
from classroom.worries.models import Incident
from tests.browser.conftest import tap_to_next_screen
from tests.browser.ipad_helpers import enrolled_ipad_at, screen_fits
from tests.live import LiveServer

LESSON, TITLE, PUPIL, PATHWAY = "feelings-online", "Feelings online", "Chloe", "formal"


def _cards(server: LiveServer) -> tuple[str, str]:
    """Screen 2's right card and a wrong one."""
    lessons: content.Catalogue = server.app.extensions["lessons"]
    step = lessons.get(LESSON).version(content.Pathway(PATHWAY)).steps[1]
    assert isinstance(step, content.ChooseStep)
    right = next(o.text.text for o in step.options if o.correct)
    wrong = next(o.text.text for o in step.options if not o.correct)
    return right, wrong


def _answers(server: LiveServer, attempt_id: int) -> list[tuple[str, str | None, bool | None]]:
    with server.app.app_context():
        rows = get_session().scalars(
            select(StepResponse).where(StepResponse.attempt_id == attempt_id)
        )
        return [(r.step_id, r.answer, r.correct) for r in rows]


def _value(page: Page, words: str) -> str:
    """The value a card sends: looked up once, kept for after the screen has gone."""
    if words not in _VALUES:
        card = page.locator("form.answers").get_by_role("button", name=words, exact=True)
        _VALUES[words] = card.get_attribute("value") or ""
    return _VALUES[words]


_VALUES: dict[str, str] = {}


def _to_screen_two(page: Page, server: LiveServer) -> int:
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name=PUPIL, exact=True).tap()
    expect(page.get_by_role("heading", name=f"Hello {PUPIL}")).to_be_visible()
    tile = page.get_by_role("link", name=re.compile(f"{TITLE}$"))
    for _ in range(5):  # home shows a screenful of lessons at a time
        if tile.is_visible():
            break
        page.get_by_role("link", name="More", exact=True).tap()  # turns in place: no new page
    tap_to_next_screen(page, tile)
    start = page.get_by_role("button", name="Start again")
    tap_to_next_screen(page, start if start.count() else page.get_by_role("button", name="Start"))
    tap_to_next_screen(page, page.get_by_role("link", name="Next"))  # screen 1: a story
    expect(page).to_have_url(re.compile("/steps/2$"))
    page.wait_for_load_state("load")
    found = re.search(r"/attempts/(\d+)/", page.url)
    assert found is not None
    return int(found.group(1))


def _says_no_internet(page: Page) -> None:
    """The pupil's way to understand: symbols, speech, and the worry button still there."""
    assert not page.url.startswith("chrome-error")
    note = page.locator("#lesson-offline")
    expect(note).to_be_visible()
    expect(note).to_contain_text("No internet.")
    expect(note).to_contain_text("Ask an adult.")
    expect(note.get_by_role("button", name="Read to me")).to_be_visible()
    expect(page.locator("section.step")).to_be_hidden()  # nothing else to tap twice
    expect(page.get_by_role("link", name="Report a worry")).to_be_visible()
    expect(page.get_by_role("button", name="Finished")).to_be_visible()
    screen_fits(page)
    assert page.evaluate(
        """() => [...document.querySelectorAll("#lesson-offline img")]
                 .every(img => img.complete && img.naturalWidth > 0)"""
    ), "a picture of 'No internet' is missing with no network"


@pytest.mark.parametrize("way_up", ["landscape", "portrait"])
def test_an_answer_tapped_offline_is_kept_and_sent_once_when_the_wifi_returns(
    browser: Browser, live_server: LiveServer, way_up: str
) -> None:
    context, page = enrolled_ipad_at(browser, live_server, way_up, f"Oak Wi-Fi iPad {way_up}")
    attempt = _to_screen_two(page, live_server)
    right, wrong = _cards(live_server)
    _value(page, wrong), _value(page, right)
    context.set_offline(True)
    page.locator("form.answers").get_by_role("button", name=wrong, exact=True).tap()
    _says_no_internet(page)
    assert _answers(live_server, attempt) == []
    context.set_offline(False)  # the Wi-Fi is back: the kept tap goes, once
    expect(page.locator("section.step")).to_be_visible()
    expect(page.get_by_text("look again", exact=False)).to_be_visible()  # the gentle prompt
    step_two = _answers(live_server, attempt)
    assert [(a, c) for _, a, c in step_two] == [(_value(page, wrong), False)]  # once, as tapped

    # Next with no network: the same, and it goes on when the network is back.
    page.locator("form.answers").get_by_role("button", name=right, exact=True).tap()
    expect(page.get_by_role("link", name="Next")).to_be_visible()
    context.set_offline(True)
    page.get_by_role("link", name="Next").tap()
    _says_no_internet(page)
    context.set_offline(False)
    expect(page).to_have_url(re.compile("/steps/3$"))
    answers = _answers(live_server, attempt)
    assert [(a, c) for _, a, c in answers] == [
        (_value(page, wrong), False),
        (_value(page, right), True),
    ]
    assert {s for s, _, _ in answers} == {step_two[0][0]}  # both against screen 2
    context.close()


def test_report_a_worry_offline_keeps_the_answer_and_opens_the_worry_when_back(
    browser: Browser, live_server: LiveServer
) -> None:
    context, page = enrolled_ipad_at(browser, live_server, "portrait", "Oak worry iPad")
    attempt = _to_screen_two(page, live_server)
    right, _ = _cards(live_server)
    _value(page, right)
    context.set_offline(True)
    page.locator("form.answers").get_by_role("button", name=right, exact=True).tap()
    _says_no_internet(page)
    page.get_by_role("link", name="Report a worry").tap()
    assert not page.url.startswith("chrome-error")
    context.set_offline(False)
    expect(page).to_have_url(re.compile("/pupil/worry"))
    answers = _answers(live_server, attempt)
    assert [(a, c) for _, a, c in answers] == [(_value(page, right), True)]  # sent, once
    context.close()


def test_report_a_worry_with_no_wifi_mid_lesson_offers_i_have_a_worry(
    browser: Browser, live_server: LiveServer
) -> None:
    """Mid-lesson with no tap waiting, Report a worry with no Wi-Fi offers what every other
    pupil screen does: "I have a worry", kept on the iPad and sent when the Wi-Fi is back."""
    context, page = enrolled_ipad_at(browser, live_server, "landscape", "Oak lesson worry")
    _to_screen_two(page, live_server)
    with live_server.app.app_context():
        before = get_session().scalar(select(func.count()).select_from(Incident))
    context.set_offline(True)
    page.get_by_role("link", name="Report a worry", exact=True).tap()
    panel = page.get_by_role("dialog", name="No internet.")
    expect(panel).to_be_visible()
    expect(page.locator("#lesson-offline")).to_be_hidden()
    panel.get_by_role("button", name="I have a worry").tap()
    expect(panel.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
    context.set_offline(False)
    page.wait_for_timeout(500)
    with live_server.app.app_context():
        session = get_session()
        for _ in range(50):  # the outbox sends when the network is back
            session.expire_all()
            if session.scalar(select(func.count()).select_from(Incident)) == (before or 0) + 1:
                break
            page.wait_for_timeout(200)
        assert session.scalar(select(func.count()).select_from(Incident)) == (before or 0) + 1
        latest = session.scalars(select(Incident).order_by(Incident.id.desc())).first()
        assert latest is not None
        assert [link.pupil.first_name for link in latest.pupils] == [PUPIL]
    context.close()
