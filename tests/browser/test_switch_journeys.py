"""A switch user alone on a class iPad: a whole lesson and a whole worry report by one switch
(auto scanning) and by two switches (step scanning), with every item spoken as it is reached.

The "pupil" here only does what a switch user can: press Space or Enter, guided by the ring and
by what is spoken. Presses (step) and highlight moves (auto) are counted, and "Report a worry"
must be reachable within 5 of them from any screen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, Request, expect
from sqlalchemy import select

from classroom.db import get_session
from classroom.lessons import content
from classroom.pupils.models import Scanning
from classroom.worries.models import Incident
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.ipad_helpers import class_ipad, set_scanning

WORRY_LIMIT = 5
RINGED = """() => Array.from(document.querySelectorAll(".scan-focus"))
  .map(el => el.textContent.replace(/\\s+/g, " ").trim()).join(" | ")"""
# Counts every cue scan.js sounds (one per highlight the pupil hears), and the cues that came
# while the last item's words were still being said with no switch pressed (auto-scan moving on
# before the pupil could hear: there should be none).
COUNT_CUES = """
window.__cues = 0;
window.__early = 0;
let lastKey = 0;
document.addEventListener("keydown", () => { lastKey = Date.now(); }, true);
document.addEventListener("classroom:scan-cue", () => {
  window.__cues += 1;
  const speech = window.classroomSpeech;
  if (speech && speech.busy() && Date.now() - lastKey > 1000) { window.__early += 1; }
});
// With no network speech.js says words with the device's own voice (no clip is asked for once
// one request has found no server): what it gives that voice is heard too.
window.__said = [];
if (window.speechSynthesis) {
  const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = utterance => {
    window.__said.push(utterance.text);
    speak(utterance);
  };
}
"""
RING_STATE = """el => [el.classList.contains("scan-focus"),
  document.querySelectorAll(".scan-focus").length]"""
NAME = """el => (el.getAttribute("aria-label") || el.getAttribute("data-hear")
  || el.getAttribute("data-say") || el.textContent || "").replace(/\\s+/g, " ").trim()"""


@dataclass
class Switch:
    """One pupil's switch (or pair of switches) and what they have heard."""

    page: Page
    mode: Scanning
    heard: list[str] = field(default_factory=list)
    presses: int = 0
    reached: list[int] = field(default_factory=list)  # steps to Report a worry, per screen

    def listen(self) -> None:
        self.page.add_init_script(COUNT_CUES)
        self.page.on("request", self._heard)

    def _heard(self, request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/speech/clip"):
            self.heard.append(json.loads(request.post_data or "{}").get("text", ""))

    def cues(self) -> int:
        return int(self.page.evaluate("window.__cues || 0"))

    def press(self, key: str) -> None:
        self.presses += 1
        self.page.keyboard.press(key)

    def wait_to_hear(self, target: Locator) -> str:
        """The pupil cannot read: they act only once the item's name has been said."""
        name = str(target.evaluate(NAME))
        for _ in range(200):
            if name in self.heard or name in self.page.evaluate("window.__said || []"):
                return name
            self.page.wait_for_timeout(50)
        raise AssertionError(f"{name!r} was never spoken; heard {self.heard[-6:]}")

    def choose(self, target: Locator) -> int:
        """Scan to the target and select it; returns the steps it took (presses or moves)."""
        steps = self.reach(target)
        self.press("Enter")
        return steps + 1

    def reach(self, target: Locator, limit: int = 40) -> int:
        """Scan until the target alone is ringed and has been said; the steps that took."""
        expect(target).to_be_visible()
        start_presses, start_cues = self.presses, self.cues()
        for _ in range(limit):
            ringed, count = self._ring(target)
            if ringed and count == 1:
                self.wait_to_hear(target)
                assert self.page.evaluate("window.__early") == 0, "moved on mid-word"
                return self._steps(start_presses, start_cues)
            if ringed:
                self.press("Enter")  # its group is ringed: go inside the group
            elif self.mode == Scanning.STEP:
                self.press("Space")
        raise AssertionError(f"scanning never reached {target}")

    def _ring(self, target: Locator) -> tuple[bool, int]:
        if self.mode == Scanning.AUTO:  # wait for the highlight to come round by itself
            target.evaluate(
                """el => new Promise(done => {
                  const check = () => el.classList.contains("scan-focus") ? done() :
                    requestAnimationFrame(check);
                  check(); })"""
            )
        ringed, count = target.evaluate(RING_STATE)
        return bool(ringed), int(count)

    def _steps(self, start_presses: int, start_cues: int) -> int:
        if self.mode == Scanning.STEP:
            return self.presses - start_presses
        # Auto: each highlight move the pupil waited through, plus any press on the way.
        return self.cues() - start_cues + (self.presses - start_presses)


def _set_scanning(server: LiveServer, first_name: str, mode: Scanning, interval: int) -> None:
    set_scanning(server, first_name, mode, interval, auditory=mode != Scanning.OFF)


def _sign_in_pupil(page: Page, server: LiveServer, pupil: str) -> None:
    page.goto(server.url + "/class-ipad")
    page.get_by_role("button", name=pupil, exact=True).focus()  # no pupil yet: scanning is off
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    page.wait_for_load_state("load")


def _ready(page: Page) -> None:
    """scan.js has started on this screen: something wears the ring."""
    expect(page.locator(".scan-focus").first).to_be_visible()


def _worry_within_reach(switch: Switch) -> None:
    """From the screen the pupil has just reached, Report a worry (or, inside the worry flow,
    its place: "Not now") is highlighted and said within 4 steps, so selected within 5."""
    page = switch.page
    _ready(page)
    slot = page.locator(".worry-rail a:visible").first
    steps = switch.reach(slot) + 1  # and the press that selects it
    assert steps <= WORRY_LIMIT, f"{steps} steps to {slot.inner_text()!r} on {page.url}"
    switch.reached.append(steps)


def _lesson(server: LiveServer, lesson_id: str, pathway: str) -> content.Version:
    lessons: content.Catalogue = server.app.extensions["lessons"]
    return lessons.get(lesson_id).version(content.Pathway(pathway))


def _answers(page: Page, step: content.Step) -> list[Locator]:
    """The cards to choose on this step, in order."""
    answers = page.locator("form.answers")
    if isinstance(step, content.ChooseStep):
        right = next(o for o in step.options if o.correct)
        return [answers.get_by_role("button", name=right.text.text, exact=True)]
    if isinstance(step, content.YesNoStep):
        return [answers.get_by_role("button", name="Yes" if step.answer else "No", exact=True)]
    if isinstance(step, content.WhoCanITellStep):
        return [answers.get_by_role("button").first]
    return []


def _sort(switch: Switch, step: content.SortStep) -> None:
    left = list(step.items)
    while left:
        shown = switch.page.locator(".sort-item")
        expect(shown).to_contain_text(re.compile("|".join(re.escape(i.text.text) for i in left)))
        words = " ".join((shown.text_content() or "").split())
        item = next(i for i in left if i.text.text in words)
        left.remove(item)
        label = step.groups[item.group].label.text
        answers = switch.page.locator("form.answers")
        switch.choose(answers.get_by_role("button", name=label, exact=True))
        _ready(switch.page)


def _play_lesson(switch: Switch, version: content.Version, title: str) -> None:
    """Every screen of the lesson by switch; Report a worry checked on each (step scanning) or
    on the intro, a question, a feedback screen and the end (auto scanning, which is slower)."""
    page = switch.page
    every = switch.mode == Scanning.STEP
    lesson = page.get_by_role("link", name=re.compile(f"{re.escape(title)}$"))
    while not lesson.is_visible():  # home shows a screenful of lessons, with a big More arrow
        switch.choose(page.get_by_role("link", name="More", exact=True))
    switch.choose(lesson)
    _worry_within_reach(switch)  # the lesson intro
    switch.choose(page.get_by_role("button", name="Start"))
    for number, step in enumerate(version.steps, 1):
        expect(page).to_have_url(re.compile(f"/steps/{number}$"))
        if every or number == 2:
            _worry_within_reach(switch)  # the question
        if isinstance(step, content.SortStep):
            _sort(switch, step)
        for card in _answers(page, step):
            switch.choose(card)
        _ready(page)
        if every or number == 2:
            _worry_within_reach(switch)  # its feedback
        switch.choose(page.locator(".step-nav .big-next"))
    expect(page.get_by_role("heading", name=re.compile("Well done"))).to_be_visible()
    _worry_within_reach(switch)


def _report_worry(switch: Switch) -> None:
    page = switch.page
    switch.choose(page.locator(".worry-rail a:visible").first)
    expect(page.get_by_role("heading", name="Report a worry")).to_be_visible()
    _worry_within_reach(switch)  # in the worry flow: its own way out is as near
    for answer in ("I saw something upsetting", "In a game", "Sad"):
        switch.choose(page.get_by_role("button", name=answer, exact=True))
        _worry_within_reach(switch)  # each question of the worry flow
    switch.choose(page.locator('[data-step="talk_to"] button.choice-card').first)
    switch.choose(page.get_by_role("button", name="Send"))
    # Sealed on the iPad, sent, then the thank-you page: slow on a busy test machine.
    thanks = page.get_by_role("heading", name="Thank you for telling.")
    expect(thanks).to_be_visible(timeout=20_000)
    assert_accessible(page)
    _worry_within_reach(switch)  # the thank-you screen


def _latest_incident(server: LiveServer) -> Incident | None:
    with server.app.app_context():
        return get_session().scalars(select(Incident).order_by(Incident.id.desc())).first()


def _journey(
    new_ipad: Callable[[], BrowserContext],
    server: LiveServer,
    pupil: str,
    pathway: str,
    mode: Scanning,
) -> Switch:
    _set_scanning(server, pupil, mode, 700)
    page = class_ipad(new_ipad, server, f"Oak {mode.value} switch iPad")
    switch = Switch(page, mode)
    switch.listen()
    _sign_in_pupil(page, server, pupil)
    _worry_within_reach(switch)  # from home
    _play_lesson(switch, _lesson(server, "feelings-online", pathway), "Feelings online")
    switch.choose(page.get_by_role("link", name="My lessons"))
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    _ready(page)
    _report_worry(switch)
    incident = _latest_incident(server)
    assert incident is not None
    assert (incident.what, incident.where) == ("upsetting", "game")
    return switch


def test_one_switch_auto_scanning_with_speech_does_a_lesson_and_reports_a_worry(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    switch = _journey(new_ipad, live_server, "Finn", "formal", Scanning.AUTO)
    # A group is said as a whole ("Choices"); then each item in it by name.
    assert "Choices" in switch.heard
    assert "Report a worry" in switch.heard
    assert "Someone was unkind" in switch.heard  # heard and passed over: not chosen


def test_two_switch_step_scanning_with_speech_does_a_lesson_and_reports_a_worry(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    switch = _journey(new_ipad, live_server, "Amira", "semi_formal", Scanning.STEP)
    assert "Report a worry" in switch.heard
    assert switch.presses < 120, f"{switch.presses} presses for a lesson and a worry"


def test_scan_order_is_content_then_next_then_worry_and_finished_last(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Chloe", Scanning.STEP, 2000)
    page = class_ipad(new_ipad, live_server, "Oak scan-order iPad")
    switch = Switch(page, Scanning.STEP)
    switch.listen()
    _sign_in_pupil(page, live_server, "Chloe")
    _ready(page)
    order = []
    for _ in range(4):  # one Space per group, round the whole screen
        order.append(page.evaluate(RINGED))
        switch.press("Space")
    assert "Feelings online" in order[0]  # the lessons first
    assert "Our rules" in order[1]
    assert order[2:] == ["Report a worry", "Finished"]
    assert_accessible(page)

    finished = page.get_by_role("button", name="Finished")
    switch.choose(finished)
    yes = page.get_by_role("button", name="Yes, I am finished")
    expect(page.get_by_role("dialog")).to_be_visible()  # a screen of its own, item by item
    expect(yes).not_to_be_focused()  # it starts on the question: a second press never signs out
    switch.choose(page.get_by_role("button", name="No, not yet"))
    expect(page.get_by_role("dialog")).to_be_hidden()
    switch.choose(finished)
    switch.choose(yes)
    expect(page.get_by_role("heading", name="Who are you?")).to_be_visible()


@pytest.mark.parametrize("path", ["/pupil/lessons/feelings-online", "/pupil/rules"])
def test_report_a_worry_is_the_third_stop_on_a_screen_with_nothing_to_choose(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer, path: str
) -> None:
    """A lesson's start and Our rules have no cards: the highlight reached Report a worry in
    two stops there, so the learnt "Space, Space, Enter" chose Finished."""
    _set_scanning(live_server, "Amira", Scanning.STEP, 2000)
    page = class_ipad(new_ipad, live_server, "Oak third-stop iPad")
    switch = Switch(page, Scanning.STEP)
    _sign_in_pupil(page, live_server, "Amira")
    page.goto(live_server.url + path)
    _ready(page)
    order = []
    for _ in range(4):
        order.append(page.evaluate(RINGED))
        switch.press("Space")
    assert order[2:] == ["Report a worry", "Finished"], order
    assert "Report a worry" not in order[0] + order[1]
    page.goto(live_server.url + path)  # Space, Space, Enter from the start of the screen
    _ready(page)
    for key in ("Space", "Space", "Enter"):
        switch.press(key)
    expect(page.get_by_role("heading", name="Report a worry")).to_be_visible()


def test_space_follows_a_link_as_enter_does_with_scanning_off(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Chloe", Scanning.OFF, 1500)
    page = class_ipad(new_ipad, live_server, "Oak space-link iPad")
    _sign_in_pupil(page, live_server, "Chloe")
    page.locator(".worry-rail a:visible").first.focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="Report a worry")).to_be_visible()


def test_keyboard_users_meet_one_tab_stop_per_card_and_per_sentence(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Chloe", Scanning.OFF, 1500)
    page = class_ipad(new_ipad, live_server, "Oak keyboard iPad")
    switch = Switch(page, Scanning.OFF)
    switch.listen()
    _sign_in_pupil(page, live_server, "Chloe")
    lesson = page.get_by_role("link", name=re.compile("Kind and unkind$"))
    while not lesson.is_visible():
        page.get_by_role("link", name="More", exact=True).click()
    lesson.click()
    page.get_by_role("button", name="Start").click()
    page.locator(".step-nav .big-next").click()  # past the story, to the first question
    expect(page).to_have_url(re.compile("/steps/2$"))
    step = _lesson(live_server, "kind-and-unkind", "formal").steps[1]
    cards = page.locator("form.answers button.choice-card")
    expect(cards.first).to_be_visible()

    stops = []
    for _ in range(30):
        page.keyboard.press("Tab")
        stops.append(
            page.evaluate(
                """() => { const el = document.activeElement;
                  return [el.className, (el.textContent || "").replace(/\\s+/g, " ").trim()]; }"""
            )
        )
        if "finished" in stops[-1][0]:
            break
    classes = [c for c, _ in stops]
    assert not any("sym-word" in c for c in classes), stops  # no word is a Tab stop
    for text in cards.all_inner_texts():
        said = " ".join(text.split())
        assert [t for c, t in stops if "choice-card" in c].count(said) == 1, (said, stops)
    sentences = [t for c, t in stops if "sym-stop" in c]
    assert sentences.count(" ".join(step.text.text.split())) == 1, stops
    assert_accessible(page)

    sentence = page.locator("#step-text")
    sentence.focus()
    page.keyboard.press("Enter")  # the sentence says itself
    switch.wait_to_hear(sentence)
    word = sentence.locator(".sym-word").first
    word.tap()  # each word still says itself to a touch
    switch.wait_to_hear(word)


def test_a_switch_user_with_no_wifi_tells_a_worry_by_i_have_a_worry(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """Report a worry with no Wi-Fi opens "No internet" over the screen: the switch scans it
    alone (nothing behind it), "I have a worry" keeps the worry, and Back returns."""
    _set_scanning(live_server, "Chloe", Scanning.STEP, 2000)
    page = class_ipad(new_ipad, live_server, "Oak switch no Wi-Fi")
    switch = Switch(page, Scanning.STEP)
    switch.listen()
    _sign_in_pupil(page, live_server, "Chloe")
    _ready(page)
    page.context.set_offline(True)
    for key in ("Space", "Space", "Enter"):  # the learnt way to Report a worry
        switch.press(key)
    panel = page.get_by_role("dialog", name="No internet.")
    expect(panel).to_be_visible()
    _ready(page)
    assert page.evaluate(
        """() => [...document.querySelectorAll(".scan-focus")]
                 .every(el => el.closest("#worry-offline"))"""
    ), "the ring left the panel"
    switch.choose(panel.get_by_role("button", name="I have a worry"))
    expect(panel.get_by_role("heading", name="Thank you for telling.")).to_be_visible()
    back = panel.get_by_role("button", name="Back")
    for _ in range(10):  # its words, Read to me, then Back (its clip was said before: cached)
        if back.evaluate(RING_STATE) == [True, 1]:
            break
        switch.press("Space")
    switch.press("Enter")
    expect(panel).to_be_hidden()
    expect(page.get_by_role("heading", name="Hello Chloe")).to_be_visible()
    page.context.set_offline(False)
