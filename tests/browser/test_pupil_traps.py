"""No pupil is ever trapped, lost or led on a pupil screen: a switch can always leave the worry
text box, visually hidden text is never a stop, "Are you finished?" keeps focus until it is
answered, and the worry flow starts each question on the question, not on an answer."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from sqlalchemy import select

from classroom.db import get_session
from classroom.lessons.content import Pathway, UntilIActStep
from classroom.lessons.models import StepResponse
from classroom.pupils.models import Scanning
from tests.browser.conftest import LiveServer
from tests.browser.ipad_helpers import enrol_class_ipad, latest_incident, set_scanning

FOCUSED_NAME = """() => {
  const el = document.activeElement;
  const name = el && (el.getAttribute("aria-label") || el.textContent);
  return (name || "").replace(/\\s+/g, " ").trim();
}"""
# Where keyboard focus is: its size on screen, and whether it is inside a given element.
FOCUS_BOX = """() => {
  const el = document.activeElement;
  const box = el.getBoundingClientRect();
  return { tag: el.tagName, text: (el.textContent || "").replace(/\\s+/g, " ").trim(),
           width: box.width, height: box.height,
           inDialog: Boolean(el.closest("#finish-confirm")),
           inTitle: Boolean(el.closest(".worry-title")) };
}"""
BOX = "#worry-words"
AUTO_INTERVAL = 1500  # as tests/browser/test_scanning_and_symbols.py: a test reacts within one


def _set_scanning(server: LiveServer, first_name: str, mode: Scanning, interval: int) -> None:
    set_scanning(server, first_name, mode, interval, auditory=False)


def _pupil_on_class_ipad(
    new_ipad: Callable[[], BrowserContext], server: LiveServer, ipad_name: str, pupil: str
) -> Page:
    page = new_ipad().new_page()
    enrol_class_ipad(page, server, ipad_name)
    page.get_by_role("button", name=pupil, exact=True).tap()
    expect(page.get_by_role("heading", name=f"Hello {pupil}")).to_be_visible()
    page.wait_for_load_state("load")  # the heading can show before the scripts have started
    return page


def _to_the_words_step(page: Page) -> None:
    """Report a worry, then Skip (an adult's tap) to "Do you want to say more?"."""
    page.get_by_role("link", name="Report a worry", exact=True).tap()
    expect(page.locator('[data-step="what"]')).to_be_visible()
    page.wait_for_load_state("load")
    for _ in range(4):
        page.get_by_role("button", name="Skip").tap()
    expect(page.locator('[data-step="words"]')).to_be_visible()


def _wait_for_focus(page: Page, selector: str) -> None:
    """Auto-scan: wait until the highlight reaches what `selector` matches (it moves by itself)."""
    try:
        page.wait_for_function(
            f"() => document.activeElement.matches({selector!r})",
            polling="raf",
            timeout=12 * AUTO_INTERVAL,
        )
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"the highlight never reached {selector}; it is on {page.evaluate(FOCUSED_NAME)!r}"
        ) from None


def _space_until(page: Page, name: str, limit: int = 30) -> None:
    for _ in range(limit):
        if page.evaluate(FOCUSED_NAME) == name:
            return
        page.keyboard.press("Space")
    raise AssertionError(f"scanning never reached {name!r}; on {page.evaluate(FOCUSED_NAME)!r}")


def _space_until_box(page: Page, limit: int = 30) -> None:
    for _ in range(limit):
        if page.evaluate(f"() => document.activeElement.matches({BOX!r})"):
            return
        page.keyboard.press("Space")
    raise AssertionError(f"scanning never reached the box; on {page.evaluate(FOCUSED_NAME)!r}")


def _send_by_step_scanning(page: Page) -> None:
    """Two switches: Space to the controls (Send first), Enter into them, Enter on Send."""
    _space_until(page, "Send")
    page.keyboard.press("Enter")
    expect(page.locator(".scan-focus")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you for telling.")).to_be_visible(timeout=20_000)


def test_two_switches_choose_the_text_box_and_leave_it_by_switch_alone(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Chloe", Scanning.STEP, 2000)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Trap step iPad", "Chloe")
    _to_the_words_step(ipad)
    box = ipad.locator(BOX)
    expect(box).to_be_focused()  # the content: the box alone
    ipad.keyboard.press("Enter")  # the box is chosen
    expect(box).to_be_focused()

    ipad.keyboard.press("Space")  # switch 1: nothing was typed, so this is the switch, not a space
    expect(box).not_to_be_focused()
    expect(box).to_have_value("")
    ipad.keyboard.press("Space")  # and Space goes on moving the highlight
    expect(box).to_have_value("")

    _space_until_box(ipad)  # round to the box again
    expect(box).to_be_focused()
    ipad.keyboard.press("Enter")
    ipad.keyboard.press("Enter")  # switch 2 in the box: out again, no new line typed
    expect(box).not_to_be_focused()
    expect(box).to_have_value("")

    _send_by_step_scanning(ipad)
    incident = latest_incident(live_server)
    assert incident is not None
    assert incident.pupil_words is None


def test_one_switch_auto_scanning_leaves_the_text_box_and_scans_on(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Finn", Scanning.AUTO, AUTO_INTERVAL)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Trap auto iPad", "Finn")
    _to_the_words_step(ipad)
    box = ipad.locator(BOX)
    _wait_for_focus(ipad, BOX)
    ipad.keyboard.press("Space")  # the one switch chooses the box: scanning waits for typing
    ipad.wait_for_timeout(2 * AUTO_INTERVAL)
    expect(box).to_be_focused()

    ipad.keyboard.press("Space")  # the same switch again: out of the box, nothing typed
    expect(box).not_to_be_focused()
    expect(box).to_have_value("")
    # Scanning carries on by itself (on past Send, round again), and the switch sends.
    _wait_for_focus(ipad, ".not-now")
    _wait_for_focus(ipad, "[data-send]")
    ipad.keyboard.press("Enter")  # the controls, Send first
    send = ipad.get_by_role("button", name="Send")
    expect(send).to_be_focused()
    expect(ipad.locator(".scan-focus")).to_have_count(1)
    ipad.keyboard.press("Enter")
    expect(ipad.get_by_role("heading", name="Thank you for telling.")).to_be_visible(timeout=20_000)
    expect(box).to_have_count(0)


def test_a_pupil_who_types_types_spaces_and_a_switch_still_gets_out(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Ella", Scanning.STEP, 2000)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Trap typing iPad", "Ella")
    _to_the_words_step(ipad)
    box = ipad.locator(BOX)
    expect(box).to_be_focused()
    ipad.keyboard.press("Enter")
    ipad.keyboard.type("They hit me")  # a real keyboard: spaces are typed
    ipad.keyboard.press("Enter")  # and so is a new line, after a letter
    ipad.keyboard.type("at break")
    expect(box).to_have_value("They hit me\nat break")
    expect(box).to_be_focused()
    # Handed back to a switch: a press types (it might be a typist's space), a second press in a
    # row, with nothing typed between, leaves the box.
    ipad.keyboard.press("Space")
    expect(box).to_be_focused()
    ipad.keyboard.press("Space")
    expect(box).not_to_be_focused()
    expect(box).to_have_value("They hit me\nat break ")
    _send_by_step_scanning(ipad)
    incident = latest_incident(live_server)
    assert incident is not None
    assert incident.pupil_words == "They hit me\nat break"


def test_visually_hidden_text_is_never_a_tab_stop(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Ben", Scanning.OFF, 2000)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Trap hidden iPad", "Ben")
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    expect(ipad.locator('[data-step="what"]')).to_be_visible()
    ipad.wait_for_load_state("load")
    ipad.locator("main").focus()  # Tab from the top of the screen's content
    stops = []
    for _ in range(30):
        ipad.keyboard.press("Tab")
        stops.append(ipad.evaluate(FOCUS_BOX))
        if stops[-1]["text"] == "Finished":
            break
    assert stops[-1]["text"] == "Finished", stops
    hidden = [s for s in stops if s["inTitle"] or s["width"] <= 1 or s["height"] <= 1]
    assert hidden == [], hidden
    expect(ipad.locator(".worry-title .sym-stop, .worry-title [tabindex='0']")).to_have_count(0)


def test_are_you_finished_keeps_focus_until_it_is_answered(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Ben", Scanning.OFF, 2000)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Trap dialog iPad", "Ben")
    home = ipad.url
    finished = ipad.get_by_role("button", name="Finished")
    dialog = ipad.get_by_role("dialog")
    main = ipad.locator("main")

    finished.focus()
    ipad.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    question = dialog.locator(".sym-text")
    expect(question).to_be_focused()  # not Yes: a second Enter must not sign Ben out
    ipad.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    assert ipad.url == home
    for key in ["Tab"] * 7 + ["Shift+Tab"] * 7:
        ipad.keyboard.press(key)
        where = ipad.evaluate(FOCUS_BOX)
        assert where["inDialog"], f"{key} left the question for {where}"
    assert main.evaluate("el => el.inert") is True  # the dimmed screen behind cannot be used

    ipad.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(finished).to_be_focused()
    assert main.evaluate("el => el.inert") is False

    ipad.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    no = ipad.get_by_role("button", name="No, not yet")
    ipad.keyboard.press("Shift+Tab")  # from the question back round to its last answer
    expect(no).to_be_focused()
    ipad.keyboard.press("Tab")  # round to the start of the question, not out to the tiles
    assert ipad.evaluate(FOCUS_BOX)["inDialog"]
    ipad.keyboard.press("Shift+Tab")
    expect(no).to_be_focused()
    ipad.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(finished).to_be_focused()
    assert ipad.url == home  # no lesson was opened behind the question


def test_each_worry_question_starts_on_the_question_not_an_answer(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Ben", Scanning.OFF, 2000)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Trap question iPad", "Ben")
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    ipad.wait_for_load_state("load")
    ringed = ipad.locator(".choice-card:focus, .choice-card:focus-visible")
    for step, answer in (("what", "Someone was unkind"), ("where", "In a game")):
        question = ipad.locator(f'[data-step="{step}"] legend')
        expect(question).to_be_focused()  # a screen reader hears the question first
        expect(ringed).to_have_count(0)  # and no answer looks chosen already
        ipad.get_by_role("button", name=answer, exact=True).tap()
    question = ipad.locator('[data-step="feeling"] legend')
    expect(question).to_be_focused()
    expect(ringed).to_have_count(0)
    # A keyboard user goes on from the question: its Read to me, then the first answer.
    ipad.keyboard.press("Tab")
    expect(ipad.locator('[data-step="feeling"] [data-read-to-me]')).to_be_focused()
    ipad.keyboard.press("Tab")
    expect(ipad.locator('[data-step="feeling"] .choice-card').first).to_be_focused()


def test_the_last_worry_question_starts_on_the_question_not_in_the_text_box(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """Focus in the box would bring up the iPad's keyboard over the screen, for a pupil who
    may not type at all: "Do you want to say more?" starts on its question like every other."""
    _set_scanning(live_server, "Ben", Scanning.OFF, 2000)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Trap last question iPad", "Ben")
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    ipad.wait_for_load_state("load")
    for step in ("what", "where", "feeling", "talk_to"):
        expect(ipad.locator(f'[data-step="{step}"] legend')).to_be_focused()
        ipad.locator(f'[data-step="{step}"] .choice-card').first.tap()
    question = ipad.locator('[data-step="words"] legend')
    box = ipad.locator(BOX)
    expect(question).to_be_focused()  # a screen reader hears "Do you want to say more?"
    expect(box).not_to_be_focused()  # and no keyboard comes up by itself
    assert ipad.evaluate("() => document.activeElement.matches('textarea, input')") is False
    # The pupil goes to the box only if they want to: on from the question (its Read to me,
    # then the box), or a tap on it; then they type.
    ipad.keyboard.press("Tab")
    expect(ipad.locator('[data-step="words"] [data-read-to-me]')).to_be_focused()
    ipad.keyboard.press("Tab")
    expect(box).to_be_focused()
    ipad.keyboard.type("I was sad")
    expect(box).to_have_value("I was sad")
    ipad.keyboard.press("Shift+Tab")
    box.tap()
    expect(box).to_be_focused()
    # Back and on again: the question again, not the box (nor the words kept in it).
    ipad.get_by_role("button", name="Back").tap()
    ipad.locator('[data-step="talk_to"] .choice-card').first.tap()
    expect(question).to_be_focused()
    expect(box).to_have_value("I was sad")


def test_switch_scanning_reaches_the_text_box_from_the_last_question_and_leaves_it(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """Two switches, answering every question (not skipping): on the last step the box is the
    screen's content, so the highlight is on it; chosen, it takes typing; a switch press with
    nothing typed leaves it, and scanning comes round to it again."""
    _set_scanning(live_server, "Amira", Scanning.STEP, 2000)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Trap scan words iPad", "Amira")
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    ipad.wait_for_load_state("load")
    for step in ("what", "where", "feeling", "talk_to"):
        expect(ipad.locator(f'[data-step="{step}"] .choice-card').first).to_be_focused()
        ipad.keyboard.press("Enter")  # into the answers
        ipad.keyboard.press("Enter")  # the first one
    box = ipad.locator(BOX)
    expect(ipad.locator('[data-step="words"]')).to_be_visible()
    expect(box).to_be_focused()  # the highlight: the screen's content, the box alone
    expect(box).to_have_class(re.compile(r"\bscan-focus\b"))
    ipad.keyboard.press("Enter")  # chosen
    ipad.keyboard.type("help")
    expect(box).to_have_value("help")
    ipad.keyboard.press("Space")  # after a letter: a typed space
    ipad.keyboard.press("Space")  # twice in a row: the switch, out of the box
    expect(box).not_to_be_focused()
    expect(box).to_have_value("help ")
    _space_until_box(ipad)  # and round to it again
    expect(box).to_be_focused()


def test_switch_scanning_still_starts_each_worry_question_on_its_answers(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    _set_scanning(live_server, "Amira", Scanning.STEP, 2000)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Trap scan-start iPad", "Amira")
    ipad.get_by_role("link", name="Report a worry", exact=True).tap()
    ipad.wait_for_load_state("load")
    first = ipad.locator('[data-step="what"] .choice-card').first
    expect(first).to_be_focused()
    expect(ipad.locator('[data-step="what"] .choice-card.scan-focus')).to_have_count(
        ipad.locator('[data-step="what"] .choice-card').count()
    )
    ipad.keyboard.press("Enter")  # into the answers
    ipad.keyboard.press("Enter")  # the first one
    expect(ipad.locator('[data-step="where"] .choice-card').first).to_be_focused()
    expect(ipad.locator('[data-step="where"] legend')).not_to_have_class("scan-focus")


def test_the_bars_finished_on_a_press_finished_step_stops_the_music_not_the_lesson(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    """"Music goes on and on. Press finished." shows two Finished buttons, the same word and
    picture: whichever the pupil presses, the music stops and it counts as theirs."""
    lessons = live_server.app.extensions["lessons"]
    steps = lessons.get("stop-and-finish").version(Pathway.PRE_FORMAL).steps
    number = next(
        n for n, step in enumerate(steps, 1)
        if isinstance(step, UntilIActStep) and step.action.value == "finish"
    )  # fmt: skip
    _set_scanning(live_server, "Ben", Scanning.OFF, 2000)
    ipad = _pupil_on_class_ipad(new_ipad, live_server, "Trap finish iPad", "Ben")
    ipad.goto(live_server.url + "/pupil/lessons/stop-and-finish")
    ipad.get_by_role("button", name="Start").tap()
    expect(ipad).to_have_url(re.compile(r"/steps/1$"))
    ipad.goto(re.sub(r"/steps/1$", f"/steps/{number}", ipad.url))
    ipad.wait_for_load_state("load")
    expect(ipad.get_by_role("button", name="Finished", exact=True)).to_have_count(2)
    expect(ipad.locator("[data-until-sound]")).to_have_count(1)

    ipad.locator("#finished-form").get_by_role("button", name="Finished").tap()
    expect(ipad.locator('[data-step-result="stopped"]')).to_be_visible()
    expect(ipad.get_by_role("dialog")).to_be_hidden()
    with live_server.app.app_context():
        answers = get_session().scalars(select(StepResponse.answer)).all()
    assert answers == ["finish"]

    # Now there is only the one Finished, and it asks first, as everywhere.
    expect(ipad.get_by_role("button", name="Finished", exact=True)).to_have_count(1)
    ipad.get_by_role("button", name="Finished", exact=True).tap()
    expect(ipad.get_by_role("dialog")).to_be_visible()
