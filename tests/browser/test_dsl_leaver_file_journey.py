"""The DSL's whole leaver's child-protection file journey, in the browser, as she would walk it.

A pupil linked to a worry leaves; the pupil is on "Child-protection files to send" and on the
queue's follow-ups; she makes the encrypted file, records it as sent and its receipt; a note
is added to the worry, and the pupil comes back on the list, the file page marking the record
as updated, until a new file is made and sent. The head works the queue but sends no file.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import select

from classroom.accounts.models import Account
from classroom.db import get_session, utcnow
from classroom.localtime import STYLES
from classroom.policy import visible_pupils
from classroom.pupils.models import Pupil
from classroom.web import school_today
from classroom.worries import services
from tests.app_settings import base_url
from tests.browser.conftest import LiveServer, assert_accessible, sign_in, sign_out

SHOTS = Path(os.environ.get("CLASSROOM_SHOTS", "/tmp/shots"))
LAPTOP = {"width": 1366, "height": 768}
IPAD_LANDSCAPE = {"width": 1024, "height": 768}
PHRASE = "otter lantern quarry ninety"
NEXT_SCHOOL = "Oak Hill School, Ms Okafor"


def _shoot(page: Page, name: str) -> None:
    """Screenshots at the staff laptop's and the iPad's size, to look at (not asserted)."""
    if not os.environ.get("CLASSROOM_SHOTS"):
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for size, label in ((LAPTOP, "1366"), (IPAD_LANDSCAPE, "1024")):
        page.set_viewport_size(size)
        page.screenshot(path=str(SHOTS / f"cp-{name}-{label}.png"), full_page=True)
    page.set_viewport_size(LAPTOP)


def _worry_about_a_pupil(server: LiveServer, nth: int = 0) -> tuple[int, int, str, date]:
    """A concern a teacher logged about a pupil (the `nth` from the last, so each test has its
    own pupil on the module's server): (incident, pupil, their name, today)."""
    with server.app.app_context():
        db = get_session()
        teacher = db.scalars(select(Account).where(Account.username == "teacher")).one()
        newest_first = visible_pupils(teacher).order_by(None).order_by(Pupil.id.desc())
        pupil = db.scalars(newest_first.offset(nth)).first()
        assert pupil is not None
        data = services.ConcernInput(
            pupil.id, "Said someone at home hurt her arm", "speech", None, None
        )
        incident = services.raise_concern(
            db, teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
        )
        db.commit()
        with server.app.test_request_context():
            return incident.id, pupil.id, pupil.full_name, school_today()


def _staff(new_ipad: Callable[[], BrowserContext], server: LiveServer, username: str) -> Page:
    page = new_ipad().new_page()
    page.set_viewport_size(LAPTOP)
    sign_in(page, server, username)
    return page


def _visit(page: Page, url: str, shot: str) -> None:
    page.goto(url)
    assert_accessible(page)
    _shoot(page, shot)


def _post(page: Page, button: Locator, status: int) -> None:
    """Press a form's button; the answer has `status` (a refusal is a 4xx, never a 500)."""
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        button.click()
    assert answer.value.status == status
    page.wait_for_load_state()


def _problem_said_at_the_top(page: Page, message: str) -> None:
    """A refused form is said where the page opens, focused (so a screen reader reads it), not
    only by its box far down the page."""
    alert = page.get_by_role("alert")
    expect(alert).to_be_focused()
    expect(alert).to_contain_text("There is a problem")
    expect(alert).to_contain_text(message)


def _nothing_chosen_for_her(page: Page) -> None:
    expect(page.locator("input[type=radio]:checked")).to_have_count(0)
    for box in page.locator("main input[type=date]").all():
        expect(box).to_have_value("")


def _follow_ups(page: Page) -> str:
    return " ".join(page.locator("#due-heading + *").inner_text().split())


def _row(page: Page, pupil_id: int) -> str:
    return " ".join(page.locator(f"#p{pupil_id}").inner_text().split())


def _make_file(page: Page, tmp_path: Path, twice: bool = False) -> None:
    page.get_by_label("Passphrase for the file").fill(PHRASE)
    page.get_by_label("Passphrase again").fill(PHRASE)
    button = page.get_by_role("button", name="Download the encrypted file")
    with page.expect_download() as download:
        button.dblclick() if twice else button.click()
    download.value.save_as(tmp_path / download.value.suggested_filename)
    page.reload()


def _record_sending(page: Page, on: date) -> None:
    sent = page.locator("form", has=page.get_by_role("heading", name="Record how it was sent"))
    sent.get_by_label("Date sent").fill(on.isoformat())
    sent.get_by_label("Receiving school and DSL").fill(NEXT_SCHOOL)
    sent.get_by_label("How it was sent").fill("Secure email to their DSL")
    _post(page, sent.get_by_role("button", name="Record sending"), 302)


def test_the_dsl_sends_a_leavers_file_and_then_what_is_new(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer, tmp_path: Path
) -> None:
    live_server.app.config["TRANSFER_SCRYPT_LOG2_N"] = 14  # a quick file; the format is the same
    incident_id, pupil_id, name, on = _worry_about_a_pupil(live_server)
    url, today = live_server.url, STYLES["date"].format(d=on)
    to_send, file_page = (
        f"{url}/safeguarding/cp-files/to-send",
        f"{url}/safeguarding/pupils/{pupil_id}/cp-file",
    )

    # The head records that the pupil has left: neither answer is chosen for her.
    head = _staff(new_ipad, live_server, "head")
    _visit(head, f"{url}/pupils/{pupil_id}/leaving", "01-leaving")
    _nothing_chosen_for_her(head)
    _post(head, head.get_by_role("button", name="Record this"), 400)
    head.get_by_label(f"Yes, {name.split()[0]} has left the school").check()
    _post(head, head.get_by_role("button", name="Record this"), 302)
    expect(head.get_by_role("main").get_by_role("status")).to_contain_text("has left the school")

    # The DSL's queue and list both say so, plainly.
    dsl = _staff(new_ipad, live_server, "dsl")
    _visit(dsl, f"{url}/safeguarding", "02-queue")
    assert f"Child-protection file to send: {name} left the school on {today}, today" in (
        _follow_ups(dsl)
    )
    _visit(dsl, to_send, "03-to-send")
    assert _row(dsl, pupil_id) == f"{name} {today} today 1 incident Not made yet"
    dsl.get_by_role("link", name=name).click()
    assert_accessible(dsl)
    _shoot(dsl, "04-file")

    # Keyboard: passphrase, again, then the button.
    dsl.get_by_label("Passphrase for the file").focus()
    for expected in ("Passphrase again", "Download the encrypted file"):
        dsl.keyboard.press("Tab")
        focused = dsl.evaluate(
            "() => (document.activeElement.labels?.[0] || document.activeElement).innerText"
        )
        assert focused.strip() == expected

    # Two different passphrases: told why, and nothing is made.
    dsl.get_by_label("Passphrase for the file").fill(PHRASE)
    dsl.get_by_label("Passphrase again").fill("otter lantern quarry nine")
    _post(dsl, dsl.get_by_role("button", name="Download the encrypted file"), 400)
    _problem_said_at_the_top(dsl, "The file was not made.")
    expect(dsl.locator("p.error", has_text="The two passphrases are not the same.")).to_be_visible()
    assert_accessible(dsl)
    _shoot(dsl, "05-file-mismatch")
    expect(dsl.get_by_text("No file has been sent yet.")).to_be_visible()

    _make_file(dsl, tmp_path)
    _nothing_chosen_for_her(dsl)
    assert_accessible(dsl)
    _shoot(dsl, "06-file-made")
    _visit(dsl, to_send, "07-to-send-made")
    assert _row(dsl, pupil_id).endswith(f"Made {today}; how it was sent is not recorded yet")

    # Sending, with the date left out: told which box, and what she typed is kept.
    dsl.goto(file_page)
    sent = dsl.locator("form", has=dsl.get_by_role("heading", name="Record how it was sent"))
    sent.get_by_label("Receiving school and DSL").fill(NEXT_SCHOOL)
    _post(dsl, sent.get_by_role("button", name="Record sending"), 400)
    _problem_said_at_the_top(dsl, "The sending was not recorded.")
    # Its link takes her to the box, far down the page.
    dsl.get_by_role("alert").get_by_role("link", name=re.compile("Give the date it was")).click()
    expect(sent.get_by_label("Date sent")).to_be_focused()
    expect(dsl.locator("p.error", has_text="Give the date it was sent.")).to_be_visible()
    expect(dsl.get_by_label("Receiving school and DSL")).to_have_value(NEXT_SCHOOL)
    assert_accessible(dsl)
    _shoot(dsl, "08-sent-empty-date")
    _record_sending(dsl, on)
    expect(dsl.get_by_text(f"Sent {today} to {NEXT_SCHOOL} – Secure email")).to_be_visible()
    _nothing_chosen_for_her(dsl)
    assert_accessible(dsl)
    _shoot(dsl, "09-sent")
    _visit(dsl, to_send, "10-to-send-sent")
    expect(dsl.get_by_text("No child-protection file is waiting to be sent.")).to_be_visible()
    expect(dsl.locator("#receipt-h + ul")).to_have_text(
        f"{name}: sent {today} to {NEXT_SCHOOL}. Record their confirmation when it comes."
    )
    dsl.goto(f"{url}/safeguarding")
    assert "Child-protection file to send" not in _follow_ups(dsl)

    # The receipt: empty, then given.
    dsl.get_by_role("link", name="Child-protection files to send").click()
    dsl.locator("#receipt-h + ul").get_by_role("link", name=name).click()
    receipt = dsl.locator("form", has=dsl.get_by_role("heading", name="Record their confirmation"))
    receipt.get_by_label("Name of who confirmed").fill("Ms Okafor")
    _post(dsl, receipt.get_by_role("button", name="Record receipt"), 400)
    _problem_said_at_the_top(dsl, "The receipt was not recorded.")
    expect(receipt.locator("p.error", has_text="Give the date.")).to_be_visible()
    expect(dsl.get_by_label("Name of who confirmed")).to_have_value("Ms Okafor")
    assert_accessible(dsl)
    _shoot(dsl, "11-receipt-empty")
    receipt = dsl.locator("form", has=dsl.get_by_role("heading", name="Record their confirmation"))
    receipt.get_by_label("Date they confirmed receipt").fill(on.isoformat())
    receipt.get_by_label("How they confirmed").fill("Email from their DSL")
    _post(dsl, receipt.get_by_role("button", name="Record receipt"), 302)
    expect(dsl.get_by_text(f"Receipt confirmed {today} by Ms Okafor")).to_be_visible()
    expect(dsl.get_by_text("Nothing is new or updated since it was made.")).to_be_visible()

    # A note on the worry brings the pupil back, saying what is new.
    dsl.goto(f"{url}/safeguarding/{incident_id}")
    dsl.get_by_label("Action taken or decision").fill("Mum phoned: they have moved house")
    _post(dsl, dsl.get_by_role("button", name="Add to chronology"), 302)
    news = f"New since the file was sent on {today}: updates to 1 concern already in the file"
    _visit(dsl, to_send, "12-to-send-news")
    assert _row(dsl, pupil_id) == f"{name} {today} today 1 incident {news} New file not made yet"
    _visit(dsl, f"{url}/safeguarding", "13-queue-news")
    assert f"{name} left the school on {today}, today; {news[0].lower()}{news[1:]}" in (
        _follow_ups(dsl)
    )
    _visit(dsl, file_page, "14-file-news")
    updated = f"Updated since the file was sent on {today}: 1 entry: a note"
    expect(dsl.get_by_role("listitem").filter(has_text=updated)).to_have_count(1)

    # The deputy sees what the DSL sees; the head works the queue but sends nothing.
    deputy = _staff(new_ipad, live_server, "deputy")
    _visit(deputy, to_send, "15-deputy-to-send")
    expect(deputy.locator(f"#p{pupil_id}").get_by_role("link", name=name)).to_be_visible()
    _visit(head, to_send, "16-head-to-send")
    expect(head.locator(f"#p{pupil_id}")).to_contain_text(news)
    expect(head.locator(f"#p{pupil_id}").get_by_role("link")).to_have_count(0)
    expect(head.get_by_text("The DSL or a deputy DSL sends the files.")).to_be_visible()
    expect(head.get_by_role("heading", name="Sent, waiting for the next school")).to_have_count(0)
    _visit(head, f"{url}/safeguarding", "17-head-queue")
    assert news[0].lower() + news[1:] in _follow_ups(head)
    assert head.goto(file_page).status in (403, 404)

    # A pressed-twice download makes one file; sending it clears every mark.
    dsl.goto(file_page)
    _make_file(dsl, tmp_path, twice=True)
    expect(dsl.get_by_role("heading", name="Made ")).to_have_count(2)
    _visit(dsl, to_send, "18-to-send-made-again")
    assert _row(dsl, pupil_id).endswith(f"Made {today}; how it was sent is not recorded yet")
    dsl.goto(file_page)
    _record_sending(dsl, on)
    expect(dsl.get_by_text(updated)).to_have_count(0)
    expect(dsl.get_by_text("Nothing is new or updated since it was made.")).to_be_visible()
    assert_accessible(dsl)
    _shoot(dsl, "19-file-sent-again")
    dsl.goto(to_send)
    expect(dsl.get_by_text("No child-protection file is waiting to be sent.")).to_be_visible()
    dsl.goto(f"{url}/safeguarding")
    assert "Child-protection file to send" not in _follow_ups(dsl)

    # Signed out, Back shows nothing of the pupil's file.
    dsl.goto(file_page)
    sign_out(dsl)
    dsl.go_back(wait_until="load")
    assert name not in dsl.content()
    assert NEXT_SCHOOL not in dsl.content()


RIGHT_SCHOOL = "Elm Park School, Mr Adeyemi"
WHY = "I typed the school she was first going to; it went to Elm Park's DSL"


def _display_name(server: LiveServer, username: str) -> str:
    with server.app.app_context():
        db = get_session()
        return db.scalars(select(Account).where(Account.username == username)).one().display_name


def _focused(page: Page) -> str:
    return " ".join(page.evaluate("() => document.activeElement.innerText").split())


def test_the_dsl_corrects_the_school_a_file_was_sent_to(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer, tmp_path: Path
) -> None:
    live_server.app.config["TRANSFER_SCRYPT_LOG2_N"] = 14  # a quick file; the format is the same
    _, pupil_id, _, on = _worry_about_a_pupil(live_server, nth=1)
    today = STYLES["date"].format(d=on)
    dsl = _staff(new_ipad, live_server, "dsl")
    dsl.goto(f"{live_server.url}/safeguarding/pupils/{pupil_id}/cp-file")
    _make_file(dsl, tmp_path)
    _record_sending(dsl, on)
    said = f"sent {today} to {NEXT_SCHOOL} \u2013 Secure email to their DSL"
    was = f"Sent {today} to {NEXT_SCHOOL} \u2013 Secure email to their DSL"
    expect(dsl.get_by_text(was)).to_be_visible()

    # Folded away; its opener, a full-size target, reached by Tab and opened by Space or Enter.
    fold = dsl.locator("details.correction")
    expect(fold).to_have_count(1)
    expect(fold).to_have_js_property("open", False)
    opener = fold.locator("summary")
    box = opener.bounding_box()
    assert box is not None
    assert box["height"] >= 24  # WCAG 2.2 target size (app.css gives it 44px)
    assert box["width"] >= 24
    # Its open/closed triangle shows, so it reads as something to open, not as one more heading
    # like "Record their confirmation of receipt" (a flex or block summary loses the triangle).
    assert opener.evaluate("s => getComputedStyle(s).display") == "list-item"
    dsl.get_by_role("button", name="Download the encrypted file").focus()
    dsl.keyboard.press("Tab")
    assert _focused(dsl) == "Correct this sending"
    dsl.keyboard.press("Space")
    expect(fold).to_have_js_property("open", True)
    dsl.keyboard.press("Space")
    expect(fold).to_have_js_property("open", False)
    dsl.keyboard.press("Enter")
    expect(fold).to_have_js_property("open", True)

    # Every box empty, nothing chosen for her: the record is shown as text above them.
    form = fold.locator("form")
    expect(form).to_contain_text(f"On record now: date {today}; to {NEXT_SCHOOL};")
    for typed in form.locator("input:not([type=hidden]), textarea").all():
        expect(typed).to_have_value("")
    expect(form.locator("select, input[type=radio], input[type=checkbox]")).to_have_count(0)
    _nothing_chosen_for_her(dsl)
    assert_accessible(dsl)
    _shoot(dsl, "correction-open")

    # No reason: told so on the reason's box, what she typed kept, the fold still open.
    form.get_by_label("Correct receiving school and DSL").fill(RIGHT_SCHOOL)
    _post(dsl, form.get_by_role("button", name="Save the correction"), 400)
    _problem_said_at_the_top(dsl, "Nothing was corrected.")
    expect(fold).to_have_js_property("open", True)
    reason = fold.get_by_label("Why it is being corrected")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(re.compile("Say why it is being corrected."))
    expect(fold.locator(".error")).to_have_text(["Say why it is being corrected."])
    expect(fold.get_by_label("Correct receiving school and DSL")).to_have_value(RIGHT_SCHOOL)
    expect(dsl.get_by_text(was)).to_be_visible()  # nothing changed
    assert_accessible(dsl)
    _shoot(dsl, "correction-no-reason")

    # Given the reason, the record says the right school, and what it said before, who, when, why.
    reason.fill(WHY)
    _post(dsl, fold.get_by_role("button", name="Save the correction"), 302)
    expect(dsl.get_by_text(f"Sent {today} to {RIGHT_SCHOOL} \u2013 Secure email")).to_be_visible()
    expect(dsl.locator("#since-sent")).to_contain_text(f"sent on {today} to {RIGHT_SCHOOL}.")
    line = dsl.get_by_role("list", name="Corrections to the sending").get_by_role("listitem")
    expect(line).to_have_text(
        re.compile(
            rf"^Corrected \w{{3}} {re.escape(today)}, \d\d:\d\d \w+ "
            rf"by {re.escape(_display_name(live_server, 'dsl'))}\. "
            rf"Before, it said: {re.escape(said)}\. Reason: {re.escape(WHY)}$"
        )
    )
    expect(fold).to_have_js_property("open", False)
    dsl.evaluate("() => { document.querySelector('details.correction').open = true; }")
    for typed in fold.locator("form input:not([type=hidden]), form textarea").all():
        expect(typed).to_have_value("")  # the next correction starts empty too
    dsl.evaluate("() => { document.querySelector('details.correction').open = false; }")
    assert_accessible(dsl)
    _shoot(dsl, "correction-made")
