"""A switch user part way through a sort screen whose iPad opens the screen again (Safari
reopening a tab it dropped from memory loads its address afresh) goes on at the next item, not
the first again: scanning starts on that item's groups, and choosing one places that item."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from classroom.lessons import content, kinds
from classroom.pupils.models import Scanning
from tests.browser.conftest import LiveServer
from tests.browser.ipad_helpers import class_ipad, set_scanning
from tests.browser.test_switch_journeys import RINGED, Switch, _ready, _sign_in_pupil

LESSON, TITLE, PATHWAY = "kind-and-unkind", "Kind and unkind", "semi_formal"  # Amira's


def _sort_step(server: LiveServer) -> content.SortStep:
    lessons: content.Catalogue = server.app.extensions["lessons"]
    step = lessons.get(LESSON).version(content.Pathway(PATHWAY)).steps[1]
    assert isinstance(step, content.SortStep)
    return step


def test_a_sort_screen_opened_again_goes_on_at_the_next_item_by_switch(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    set_scanning(live_server, "Amira", Scanning.STEP, 1500, auditory=True)
    page = class_ipad(new_ipad, live_server, "Oak sort reload iPad")
    switch = Switch(page, Scanning.STEP)
    switch.listen()
    _sign_in_pupil(page, live_server, "Amira")
    lesson = page.get_by_role("link", name=re.compile(f"{TITLE}$"))
    while not lesson.is_visible():
        page.get_by_role("link", name="More", exact=True).click()
    lesson.click()
    page.get_by_role("button", name="Start").click()
    page.locator(".step-nav .big-next").click()  # past the story, to the sort screen
    expect(page).to_have_url(re.compile("/steps/2$"))
    screen = page.url
    found = re.search(r"/attempts/(\d+)/", screen)
    assert found is not None
    step, attempt_id = _sort_step(live_server), int(found.group(1))

    def item_at(position: int) -> content.SortItem:
        _index, item = kinds.shown_item(step, position, attempt_id)
        assert item is not None
        return item

    shown = page.locator(".sort-item")
    answers = page.locator("form.answers")
    for position in (0, 1):  # two items placed by switch
        _ready(page)
        expect(shown).to_contain_text(item_at(position).text.text)
        group = step.groups[item_at(position).group].label.text
        switch.choose(answers.get_by_role("button", name=group, exact=True))
        expect(shown).to_contain_text(item_at(position + 1).text.text)

    page.goto(screen)  # the iPad opens the screen afresh
    expect(shown).to_contain_text(item_at(2).text.text)  # the third item, not the first
    _ready(page)
    # Scanning starts on the screen's content: the shown item's two groups.
    ringed = str(page.evaluate(RINGED))
    for label in (g.label.text for g in step.groups):
        assert label in ringed, ringed
    group = step.groups[item_at(2).group].label.text
    switch.choose(answers.get_by_role("button", name=group, exact=True))
    expect(shown).to_contain_text(item_at(3).text.text)  # the third placed; the fourth comes
    expect(page.locator(".pupil-message.gentle")).to_have_count(0)  # no "Let's look again"
