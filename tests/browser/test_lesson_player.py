"""Pupils play lessons on a class iPad by touch and by switch; teachers see the responses."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Locator, Page, expect

from classroom.lessons import content
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, sign_out

MIN_TARGET = 64
Press = Callable[[Locator], None]


def _tap(target: Locator) -> None:
    target.tap()


def _switch(target: Locator) -> None:
    """A switch user: focus moves to the item, then Enter selects it."""
    target.focus()
    target.press("Enter")


def _big_targets(page: Page) -> None:
    sizes = page.eval_on_selector_all(
        "form.answers button, .step-nav a, .step-nav button, .pupil-bar button, a.worry-button",
        "els => els.map(e => [e.textContent.trim(), e.getBoundingClientRect().width,"
        " e.getBoundingClientRect().height])",
    )
    for label, width, height in sizes:
        assert min(width, height) >= MIN_TARGET, (label, width, height)


def _answer(page: Page, step: content.Step, press: Press) -> None:
    answers = page.locator("form.answers")
    if isinstance(step, content.ChooseStep):
        right = next(o for o in step.options if o.correct)
        press(answers.get_by_role("button", name=right.text.text, exact=True))
    elif isinstance(step, content.YesNoStep):
        press(answers.get_by_role("button", name="Yes" if step.answer else "No", exact=True))
    elif isinstance(step, content.SortStep):
        # Items come in this attempt's own order: sort whichever one is shown.
        left = list(step.items)
        while left:
            shown = page.locator(".sort-item")
            waiting = "|".join(re.escape(i.text.text) for i in left)
            expect(shown).to_contain_text(re.compile(waiting))
            words = " ".join((shown.text_content() or "").split())
            item = next(i for i in left if i.text.text in words)
            left.remove(item)
            press(
                answers.get_by_role("button", name=step.groups[item.group].label.text, exact=True)
            )
    elif isinstance(step, content.WhoCanITellStep):
        press(answers.get_by_role("button").first)
    elif isinstance(step, content.CauseEffectStep):
        press(page.get_by_role("button", name="Tap!"))
        expect(page.locator("body[data-taps='1']")).to_have_count(1)
    if not isinstance(step, (content.StoryStep, content.CauseEffectStep)):
        expect(page.locator(".pupil-message.feedback")).to_be_visible()


def play(page: Page, version: content.Version, press: Press) -> None:
    """Answer every step rightly, checking each screen as a pupil meets it."""
    for number, step in enumerate(version.steps, 1):
        expect(page).to_have_url(re.compile(f"/steps/{number}$"))
        assert_accessible(page)
        _big_targets(page)
        _answer(page, step, press)
        press(
            page.locator(".step-nav").get_by_role(
                "link" if number < len(version.steps) else "button", name="Next"
            )
        )
    expect(page.get_by_role("heading", name=re.compile("Well done"))).to_be_visible()
    assert_accessible(page)


def _lesson(live_server: LiveServer, lesson_id: str, pathway: str) -> content.Version:
    lessons: content.Catalogue = live_server.app.extensions["lessons"]
    return lessons.get(lesson_id).version(content.Pathway(pathway))


def _ipad(new_ipad: Callable[[], BrowserContext], live_server: LiveServer, name: str) -> Page:
    page = new_ipad().new_page()
    sign_in(page, live_server, "teacher")
    page.goto(live_server.url + "/class-ipads/")
    form = page.locator("form", has=page.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill(name)
    form.get_by_role("button", name="Make this a class iPad").click()
    sign_out(page)
    page.goto(live_server.url + "/class-ipad")
    return page


def _open(page: Page, pupil: str, title: str, press: Press) -> None:
    press(page.get_by_role("button", name=pupil, exact=True))
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    assert_accessible(page)
    lesson = page.get_by_role("link", name=title, exact=True)
    for _ in range(5):  # home shows a screenful of lessons at a time, with a big More arrow
        if lesson.count():
            break
        press(page.get_by_role("link", name="More", exact=True))
    press(lesson)
    start = page.get_by_role("button", name="Start")
    expect(start).to_be_visible()
    assert_accessible(page)
    press(start)


def _finish(page: Page, press: Press) -> None:
    press(page.get_by_role("link", name="My lessons"))
    press(page.get_by_role("button", name="Finished"))
    press(page.get_by_role("button", name="Yes, I am finished"))
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()


def test_every_step_type_by_touch(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = _ipad(new_ipad, live_server, "Oak player touch")
    _open(page, "Amira", "Feelings online", _tap)  # story, choose, sort, choose, yes/no
    play(page, _lesson(live_server, "feelings-online", "semi_formal"), _tap)
    _finish(page, _tap)
    _open(page, "Chloe", "Tell a trusted adult", _tap)  # sort, choose, who can I tell
    play(page, _lesson(live_server, "trusted-adults", "formal"), _tap)
    _finish(page, _tap)
    _open(page, "Ben", "Feelings online", _tap)  # cause and effect
    play(page, _lesson(live_server, "feelings-online", "pre_formal"), _tap)


def test_every_step_type_by_switch_and_the_teacher_sees_the_answers(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = _ipad(new_ipad, live_server, "Oak player switch")
    _open(page, "Finn", "Feelings online", _switch)  # story, choose, yes/no, who can I tell
    play(page, _lesson(live_server, "feelings-online", "formal"), _switch)
    _finish(page, _switch)
    _open(page, "Ella", "Feelings online", _switch)  # cause and effect, story
    play(page, _lesson(live_server, "feelings-online", "pre_formal"), _switch)
    _finish(page, _switch)
    _open(page, "Amira", "Kind and unkind", _switch)  # sort
    play(page, _lesson(live_server, "kind-and-unkind", "semi_formal"), _switch)

    teacher = new_ipad().new_page()
    sign_in(teacher, live_server, "teacher")
    teacher.get_by_role("link", name="Finn Walsh").click()
    teacher.get_by_role("link", name="Lessons and progress").click()
    row = teacher.locator("tr", has_text="Feelings online")
    expect(row).to_contain_text("1 of 1 tries finished")
    expect(row).to_contain_text("right first time")
    assert_accessible(teacher)
    row.get_by_role("link", name=re.compile("Answers")).click()
    expect(teacher.get_by_text("Right first time").first).to_be_visible()
    assert_accessible(teacher)
