"""A whole lesson at each level (pre-formal, semi-formal, formal) on a class iPad, as the pupil
does it, with high contrast and reduced motion on: home, the lesson's screens, Well done, home
again. Half way, just after answering a screen, the pupil presses Report a worry, then Not now
(or sends the worry and presses Back): they come back to the same screen with their answer kept
(its feedback and Next), never the question again, nor a loud sound they had stopped. Then the
next pupil on the same iPad presses Back from home and never sees the first pupil's screens.
Every screen fits (nothing to scroll, nothing covered, targets of 64 px), every word is heard,
and axe is clean."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

from classroom.lessons import content
from classroom.pupils.models import Scanning
from tests.browser.conftest import LiveServer, assert_accessible, tap_to_next_screen
from tests.browser.ipad_helpers import (
    FAST_SCAN,
    class_ipad,
    enrolled_ipad_at,
    set_pupil,
    set_scanning,
    silent_wav,
)
from tests.browser.test_pupil_layout import HEAR, MEASURE
from tests.browser.test_switch_journeys import Switch, _ready, _sign_in_pupil

SHOTS = Path("/tmp/lesson-levels-walk")  # noqa: S108 - the walk's screenshots, to look at


def _tap(page: Page, target: Locator) -> None:
    tap_to_next_screen(page, target)


def _fits(page: Page, shot: str) -> None:
    """Nothing to scroll or covered, every target 64 px, every word heard, axe clean."""
    page.wait_for_load_state("load")
    assert page.evaluate("() => document.scrollingElement.scrollHeight <= window.innerHeight + 1")
    assert page.evaluate(MEASURE) == [], page.url
    assert page.evaluate(HEAR) == [], page.url
    assert_accessible(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"))


def _version(server: LiveServer, lesson_id: str, pathway: str) -> content.Version:
    lessons: content.Catalogue = server.app.extensions["lessons"]
    return lessons.get(lesson_id).version(content.Pathway(pathway))


def _answer(page: Page, step: content.Step) -> None:
    """The pupil answers the screen (rightly, where there is a right answer)."""
    answers = page.locator("form.answers")
    if isinstance(step, content.ChooseStep):
        right = next(o for o in step.options if o.correct)
        _tap(page, answers.get_by_role("button", name=right.text.text, exact=True))
    elif isinstance(step, content.YesNoStep):
        _tap(page, answers.get_by_role("button", name="Yes" if step.answer else "No", exact=True))
    elif isinstance(step, content.SortStep):
        for _ in step.items:
            words = " ".join((page.locator(".sort-item").text_content() or "").split())
            item = next(i for i in step.items if i.text.text in words)
            group = step.groups[item.group].label.text
            _tap(page, answers.get_by_role("button", name=group, exact=True))
    elif isinstance(step, content.WhoCanITellStep):
        _tap(page, answers.get_by_role("button").first)
    elif isinstance(step, content.UntilIActStep):
        expect(page.locator("body[data-played]")).to_have_count(1)  # the sound plays ...
        _tap(page, page.locator(".until-act button[name=answer]"))  # ... until they act
    elif isinstance(step, content.CauseEffectStep):
        page.get_by_role("button", name="Tap!").tap()
        expect(page.locator("body[data-taps='1']")).to_have_count(1)


def _answered(page: Page, step: content.Step) -> None:
    """The screen as the pupil left it: answered, with Next, and nothing to answer again."""
    expect(page.locator(".step-nav .big-next")).to_be_visible()
    expect(page.locator("form.answers button[name=answer]:visible")).to_have_count(0)
    if isinstance(step, content.UntilIActStep):
        expect(page.locator("[data-until-sound]")).to_have_count(0)  # stopped stays stopped
        assert page.evaluate("document.body.getAttribute('data-played')") is None
    elif not isinstance(step, content.StoryStep):
        expect(page.locator(".pupil-message.feedback")).to_be_visible()


def _worry_and_back(page: Page, send: bool, shot: str) -> None:
    here = page.url
    _tap(page, page.get_by_role("link", name="Report a worry", exact=True))
    _fits(page, f"{shot}-worry")
    if send:
        page.get_by_role("button", name="I feel sad or worried").tap()
        page.get_by_role("button", name="Send").tap()
        expect(page.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
        _fits(page, f"{shot}-thanks")
        _tap(page, page.get_by_role("link", name="Back", exact=True))
    else:
        _tap(page, page.get_by_role("link", name="Not now"))
    assert page.url == here


WALKS = [
    # (way up, pupil, lesson, title, level, the screen they report a worry from, send it?)
    ("landscape", "Ben", "stop-and-finish", "Stop and finish", "pre_formal", 2, False),
    ("portrait", "Amira", "feelings-online", "Feelings online", "semi_formal", 2, True),
    ("landscape", "Chloe", "trusted-adults", "Tell a trusted adult", "formal", 2, False),
]


@pytest.mark.parametrize(("way_up", "pupil", "lesson_id", "title", "level", "at", "send"), WALKS)
def test_a_whole_lesson_at_each_level_with_a_worry_half_way(
    browser: Browser,
    live_server: LiveServer,
    way_up: str,
    pupil: str,
    lesson_id: str,
    title: str,
    level: str,
    at: int,
    send: bool,
) -> None:
    set_pupil(live_server, pupil, high_contrast=True, reduced_motion=True)
    version = _version(live_server, lesson_id, level)
    context, page = enrolled_ipad_at(browser, live_server, way_up, f"Levels {pupil} {way_up}")
    page.route("**/speech/clip", lambda route: route.fulfill(
        status=200, content_type="audio/wav", body=silent_wav(1)
    ))  # fmt: skip
    shot = f"{level}-{way_up}"
    _fits(page, f"{shot}-tiles")
    _tap(page, page.get_by_role("button", name=pupil, exact=True))
    expect(page.locator("body.high-contrast.reduced-motion")).to_have_count(1)
    _fits(page, f"{shot}-home")
    tile = page.get_by_role("link", name=re.compile(f"{title}$"))
    for _ in range(5):  # a screenful of lessons at a time, with a big More arrow
        if tile.is_visible():
            break
        _tap(page, page.get_by_role("link", name="More", exact=True))
    _tap(page, tile)
    _fits(page, f"{shot}-intro")
    _tap(page, page.get_by_role("button", name=re.compile("^(Start|Start again)$")).first)
    for number, step in enumerate(version.steps, 1):
        expect(page).to_have_url(re.compile(f"/steps/{number}$"))
        _fits(page, f"{shot}-step{number}")
        _answer(page, step)
        if number == at:
            _fits(page, f"{shot}-step{number}-answered")
            _worry_and_back(page, send, f"{shot}-step{number}")
            _answered(page, step)
            _fits(page, f"{shot}-step{number}-back")
        _tap(page, page.locator(".step-nav .big-next"))
    expect(page.get_by_role("heading", name=re.compile("Well done"))).to_be_visible()
    _fits(page, f"{shot}-done")

    # Home, Finished: the next pupil on the same iPad presses Back from their home.
    _tap(page, page.get_by_role("link", name=re.compile("My lessons|Home")).first)
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    page.wait_for_load_state("load")
    page.get_by_role("button", name="Finished").tap()
    _tap(page, page.get_by_role("button", name="Yes, I am finished"))
    next_pupil = "Finn" if pupil != "Finn" else "Ella"
    _tap(page, page.get_by_role("button", name=next_pupil, exact=True))
    expect(page.get_by_role("heading", name=f"Hello {next_pupil}")).to_be_visible()
    page.go_back()
    page.wait_for_load_state("load")
    expect(page.get_by_text(pupil, exact=True)).to_have_count(0)
    assert "/steps/" not in page.url
    assert "/worry" not in page.url
    context.close()


def test_a_prompt_is_still_there_after_a_worry(browser: Browser, live_server: LiveServer) -> None:
    """Amira taps a wrong card, gets "Let's look again. This one." with the right card shown,
    presses Report a worry, then Not now: the same prompt, the right card still shown. Her
    tap on it is right after a prompt: her answer's feedback and Next."""
    set_pupil(live_server, "Amira", high_contrast=True, reduced_motion=True)
    version = _version(live_server, "stop-block-tell", "semi_formal")
    number, step = next(
        (n, s)
        for n, s in enumerate(version.steps, 1)
        if isinstance(s, content.ChooseStep) and not all(o.correct for o in s.options)
    )
    right = next(o for o in step.options if o.correct).text.text
    wrong = next(o for o in step.options if not o.correct).text.text
    context, page = enrolled_ipad_at(browser, live_server, "landscape", "Prompt and worry")
    _tap(page, page.get_by_role("button", name="Amira", exact=True))
    expect(page.get_by_role("heading", name="Hello Amira")).to_be_visible()
    page.wait_for_load_state("load")
    page.goto(f"{live_server.url}/pupil/lessons/stop-block-tell")  # its tile on home
    _tap(page, page.get_by_role("button", name=re.compile("^(Start|Start again)$")).first)
    for _ in range(1, number):
        _answer(page, version.steps[_page_number(page) - 1])
        _tap(page, page.locator(".step-nav .big-next"))
    expect(page).to_have_url(re.compile(f"/steps/{number}$"))
    answers = page.locator("form.answers")
    _tap(page, answers.get_by_role("button", name=wrong, exact=True))
    hint = page.locator(".pupil-message.gentle")
    expect(hint).to_contain_text("Let's look again. This one.")
    expect(answers.locator(".choice-card.hint")).to_have_attribute("aria-label", right)

    _tap(page, page.get_by_role("link", name="Report a worry", exact=True))
    _tap(page, page.get_by_role("link", name="Not now"))
    expect(page).to_have_url(re.compile(f"/steps/{number}(\\?|$)"))  # the same screen
    expect(hint).to_contain_text("Let's look again. This one.")  # the prompt, as she left it
    expect(answers.locator(".choice-card.hint")).to_have_attribute("aria-label", right)
    _fits(page, "semi_formal-prompt-back")
    _tap(page, answers.get_by_role("button", name=right, exact=True))
    _answered(page, step)
    context.close()


def _page_number(page: Page) -> int:
    found = re.search(r"/steps/(\d+)", page.url)
    assert found is not None, page.url
    return int(found.group(1))


SWITCH_WALKS = [
    # (pupil, lesson, title, level, scanning: one switch (auto) or two (step))
    ("Ben", "stop-and-finish", "Stop and finish", "pre_formal", Scanning.AUTO),
    ("Amira", "feelings-online", "Feelings online", "semi_formal", Scanning.STEP),
    ("Finn", "feelings-online", "Feelings online", "formal", Scanning.AUTO),
]


@pytest.mark.parametrize(("pupil", "lesson_id", "title", "level", "mode"), SWITCH_WALKS)
def test_by_switch_a_worry_half_way_comes_back_to_the_answered_screen(
    new_ipad: Callable[[], BrowserContext],
    live_server: LiveServer,
    pupil: str,
    lesson_id: str,
    title: str,
    level: str,
    mode: Scanning,
) -> None:
    """By switch only: answer screen 2, Report a worry, Not now: back on screen 2 with the
    answer kept, scanning offers Next (not the question again), and the lesson goes on."""
    set_scanning(live_server, pupil, mode, FAST_SCAN if mode == Scanning.AUTO else 700, True)
    set_pupil(live_server, pupil, high_contrast=True, reduced_motion=True)
    version = _version(live_server, lesson_id, level)
    page = class_ipad(new_ipad, live_server, f"Levels switch {pupil}")
    switch = Switch(page, mode)
    switch.listen()
    _sign_in_pupil(page, live_server, pupil)
    tile = page.get_by_role("link", name=re.compile(f"{title}$"))
    for _ in range(5):
        if tile.is_visible():
            break
        switch.choose(page.get_by_role("link", name="More", exact=True))
    switch.choose(tile)
    _ready(page)
    start = page.get_by_role("button", name=re.compile("^(Start|Start again)$")).first
    switch.choose(start)
    expect(page).to_have_url(re.compile("/steps/1$"))
    for number, step in enumerate(version.steps[:2], 1):
        _ready(page)
        answer = None
        if isinstance(step, content.ChooseStep):
            right = next(o for o in step.options if o.correct)
            answer = page.locator("form.answers").get_by_role(
                "button", name=right.text.text, exact=True
            )
        elif isinstance(step, content.UntilIActStep):
            answer = page.locator(".until-act button[name=answer]")
        elif isinstance(step, content.WhoCanITellStep):
            answer = page.locator("form.answers button").first
        if answer is not None:
            # The answer is sent, then its screen drawn (static/js/player.js): wait for it.
            with page.expect_navigation():
                switch.choose(answer)
        _ready(page)
        if number == 2:
            here = page.url
            with page.expect_navigation():  # once the server answers (player.js)
                switch.choose(page.get_by_role("link", name="Report a worry", exact=True))
            _ready(page)
            switch.choose(page.get_by_role("link", name="Not now"))
            expect(page).to_have_url(here)
            _answered(page, step)
            _ready(page)
            ringed = page.evaluate(
                "() => Array.from(document.querySelectorAll('.scan-focus'), e => e.matches("
                "'button[name=answer]')).some(Boolean)"
            )
            assert not ringed  # the scan never offers the answered question's cards again
        with page.expect_navigation():  # Next goes once the server answers (player.js)
            switch.choose(page.locator(".step-nav .big-next"))
    expect(page).to_have_url(re.compile("/steps/3$"))


FOCUS_SHOWN = """() => {
  const el = document.activeElement, style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) ||
    style.boxShadow !== "none";
  return ring ? "" : (el.outerHTML || "").slice(0, 120);
}"""


def _key_to(page: Page, target: Locator, limit: int = 30) -> None:
    """Tab until the target has focus, every stop on the way showing where focus is; Enter."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS_SHOWN) == "", page.url
    else:
        raise AssertionError(f"Tab never reached {target}")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_by_keyboard_a_worry_half_way_comes_back_to_the_answered_screen(
    browser: Browser, live_server: LiveServer
) -> None:
    """Tab and Enter only (Chloe, formal, portrait): the answered screen is kept after Not now,
    focus is always shown, and the lesson goes on to Well done."""
    set_scanning(live_server, "Chloe", Scanning.OFF, 2000, False)
    set_pupil(live_server, "Chloe", high_contrast=True, reduced_motion=True)
    version = _version(live_server, "feelings-online", "formal")
    context, page = enrolled_ipad_at(browser, live_server, "portrait", "Levels keys Chloe")
    page.get_by_role("button", name="Chloe", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tile = page.get_by_role("link", name=re.compile("Feelings online$"))
    for _ in range(5):
        if tile.is_visible():
            break
        _key_to(page, page.get_by_role("link", name="More", exact=True))
    _key_to(page, tile)
    _key_to(page, page.get_by_role("button", name=re.compile("^(Start|Start again)$")).first)
    for number, step in enumerate(version.steps, 1):
        expect(page).to_have_url(re.compile(f"/steps/{number}$"))
        if isinstance(step, content.ChooseStep):
            right = next(o for o in step.options if o.correct)
            _key_to(page, page.locator("form.answers").get_by_role(
                "button", name=right.text.text, exact=True
            ))  # fmt: skip
        elif isinstance(step, content.YesNoStep):
            name = "Yes" if step.answer else "No"
            _key_to(page, page.locator("form.answers").get_by_role("button", name=name, exact=True))
        elif isinstance(step, content.WhoCanITellStep):
            _key_to(page, page.locator("form.answers button[name=answer]").first)
        if number == 2:
            here = page.url
            _key_to(page, page.get_by_role("link", name="Report a worry", exact=True))
            _key_to(page, page.get_by_role("link", name="Not now"))
            assert page.url == here
            _answered(page, step)
            _fits(page, "keys-formal-portrait-step2-back")
        _key_to(page, page.locator(".step-nav .big-next"))
    expect(page.get_by_role("heading", name=re.compile("Well done"))).to_be_visible()
    context.close()
