"""The DSL attaches a screenshot and marks a body map on an iPad; a teacher is refused."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, expect

from classroom import create_app, demo
from classroom.db import get_session, utcnow
from classroom.localtime import STYLES, local_today
from classroom.migrate import upgrade
from tests.app_settings import DAY_ENDED, invite_settings, zone
from tests.browser.conftest import DEMO_PASSWORD, LiveServer, assert_accessible, sign_in
from tests.browser.ipad_helpers import logged_concern


def _incident(server: LiveServer) -> int:
    return logged_concern(server, "Showed me unkind messages on a phone", "bad words phone")


def _screenshot() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (390, 844), "#e8f0ff").save(out, "PNG")
    return out.getvalue()


def test_an_attachment_round_trips_and_is_refused_to_a_teacher(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer, tmp_path: Path
) -> None:
    incident_id = _incident(live_server)
    dsl = new_ipad().new_page()
    sign_in(dsl, live_server, "dsl")
    dsl.goto(f"{live_server.url}/safeguarding/{incident_id}")
    dsl.get_by_role("link", name="Files and body map").click()
    expect(dsl.get_by_role("heading", name="Attached files")).to_be_visible()
    assert_accessible(dsl)
    dsl.get_by_label("File (a screenshot").set_input_files(
        {"name": "messages.png", "mimeType": "image/png", "buffer": _screenshot()}
    )
    dsl.get_by_label("What it is and where it came from").fill("Screenshot from the pupil's phone")
    dsl.get_by_role("button", name="Attach file").click()
    expect(dsl.get_by_role("main").get_by_role("status")).to_contain_text("The file was attached")
    row = dsl.locator("#files tbody tr", has_text="messages.png")
    expect(row).to_contain_text("Screenshot from the pupil's phone")
    assert_accessible(dsl)
    with dsl.expect_download() as download:
        row.get_by_role("link", name="Download").click()
    saved = tmp_path / "copy.png"
    download.value.save_as(saved)
    with Image.open(saved) as image:
        assert image.size == (390, 844)
    link = row.get_by_role("link", name="Download").get_attribute("href")

    teacher = new_ipad().new_page()
    sign_in(teacher, live_server, "teacher")
    refused = teacher.goto(f"{live_server.url}/safeguarding/{incident_id}/evidence")
    assert refused is not None
    assert refused.status == 403
    file_refused = teacher.request.get(f"{live_server.url}{link}")
    assert file_refused.status == 403
    assert b"IHDR" not in file_refused.body()


def test_a_body_map_mark_placed_by_touch_shows_on_the_incident(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    incident_id = _incident(live_server)
    dsl = new_ipad().new_page()
    sign_in(dsl, live_server, "dsl")
    dsl.goto(f"{live_server.url}/safeguarding/{incident_id}/evidence")
    front = dsl.locator("svg.body-map-input[data-side=front]")
    box = front.bounding_box()
    assert box is not None
    front.tap(position={"x": box["width"] * 0.74, "y": box["height"] * 0.31})
    expect(dsl.locator("#mark-placed")).to_contain_text("Front: left upper arm")
    expect(dsl.get_by_label("Where the mark is")).to_have_value("front:left_upper_arm")
    dsl.get_by_label("Kind of mark").select_option("bruise")
    dsl.get_by_label("Size").fill("3 cm by 2 cm")
    dsl.get_by_label("Note (colour").fill("Yellow-green, oval")
    dsl.get_by_role("button", name="Add mark").click()
    listed = dsl.locator(".mark-list")
    expect(listed).to_contain_text("Bruise, 3 cm by 2 cm – Front: left upper arm")
    assert_accessible(dsl)

    dsl.goto(f"{live_server.url}/safeguarding/{incident_id}")
    marks = dsl.locator("#evidence svg[data-side=front] g.mark circle")
    expect(marks).to_have_count(1)
    cx = float(marks.get_attribute("cx") or 0)
    cy = float(marks.get_attribute("cy") or 0)
    assert abs(cx - 148) < 3  # 0.74 of 200 units: where the finger went
    assert abs(cy - 124) < 5  # 0.31 of 400 units
    expect(dsl.locator("#evidence")).to_contain_text("1 mark on the body map")
    assert_accessible(dsl)


def test_a_mark_chosen_from_the_list_by_keyboard_alone(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    incident_id = _incident(live_server)
    dsl = new_ipad().new_page()
    sign_in(dsl, live_server, "dsl")
    dsl.goto(f"{live_server.url}/safeguarding/{incident_id}/evidence")
    dsl.get_by_label("Where the mark is").focus()
    dsl.get_by_label("Where the mark is").select_option("back:right_hand")
    dsl.get_by_label("Kind of mark").select_option("cut")
    dsl.get_by_label("Size").fill("1 cm")
    dsl.get_by_label("Size").press("Enter")
    expect(dsl.locator(".mark-list")).to_contain_text("Cut or graze, 1 cm – Back: right hand")
    expect(dsl.locator("svg[data-side=back] g.mark")).to_have_count(1)


@pytest.fixture(scope="module")
def next_school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A second instance (another school's server): its own database and instance folder."""
    instance = tmp_path_factory.mktemp("next-school")
    url = f"sqlite:///{instance / 'classroom.sqlite3'}"
    upgrade(url)
    app = create_app(
        {
            "ENV": "testing",
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": url,
            "SECRET_KEY": "browser-test-secret-key-next-school-0123456789",
            "ARGON2_MEMORY_KIB": 8192,
            "SCHOOL_DAY_END": DAY_ENDED,
            "TRANSFER_SCRYPT_LOG2_N": 14,
        }
    )
    with app.app_context():
        demo.seed(
            get_session(),
            DEMO_PASSWORD,
            now=utcnow(),
            instance=Path(app.instance_path),
            secret_key=invite_settings().secret_key,
        )
        get_session().commit()
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


def test_a_cp_file_exported_here_imports_on_a_second_instance_and_verifies(
    new_ipad: Callable[[], BrowserContext],
    live_server: LiveServer,
    next_school: LiveServer,
    tmp_path: Path,
) -> None:
    live_server.app.config["TRANSFER_SCRYPT_LOG2_N"] = 14
    incident_id = _incident(live_server)
    dsl = new_ipad().new_page()
    sign_in(dsl, live_server, "dsl")
    dsl.goto(f"{live_server.url}/safeguarding/{incident_id}")
    pupil_link = dsl.locator("#evidence").get_by_role("link").nth(1)
    pupil_name = pupil_link.inner_text()
    pupil_link.click()
    expect(dsl.get_by_role("heading", name=f"Child-protection file: {pupil_name}")).to_be_visible()
    assert_accessible(dsl)
    dsl.get_by_label("Passphrase for the file").fill("otter lantern quarry ninety")
    dsl.get_by_label("Passphrase again").fill("otter lantern quarry ninety")
    with dsl.expect_download() as download:
        dsl.get_by_role("button", name="Download the encrypted file").click()
    package = tmp_path / download.value.suggested_filename
    download.value.save_as(package)
    assert package.suffix == ".cpfile"
    dsl.reload()
    sent = dsl.locator("form", has=dsl.get_by_role("heading", name="Record how it was sent"))
    with live_server.app.app_context():
        today = local_today(utcnow(), zone())  # the school's day: not before the file was made
    sent.get_by_label("Date sent").fill(f"{today:%Y-%m-%d}")
    sent.get_by_label("Receiving school and DSL").fill("Next school, Ms Okafor")
    sent.get_by_label("How it was sent").fill("By hand, encrypted USB stick")
    sent.get_by_role("button", name="Record sending").click()
    on = STYLES["date"].format(d=today)
    expect(dsl.get_by_text(f"Sent {on} to Next school, Ms Okafor")).to_be_visible()
    assert_accessible(dsl)

    there = new_ipad().new_page()
    sign_in(there, next_school, "dsl")
    there.goto(f"{next_school.url}/safeguarding/cp-files/import")
    assert_accessible(there)
    there.get_by_label("Child-protection file").set_input_files(str(package))
    there.get_by_label("Passphrase").fill("the wrong passphrase here")
    option = there.locator("#pupil_id option", has_text=pupil_name).get_attribute("value")
    there.get_by_label("Pupil it belongs to").select_option(option)
    there.get_by_role("button", name="Check and import").click()
    expect(there.get_by_role("alert")).to_contain_text("The passphrase is wrong")
    there.get_by_label("Child-protection file").set_input_files(str(package))
    there.get_by_label("Passphrase").fill("otter lantern quarry ninety")
    there.get_by_role("button", name="Check and import").click()
    expect(there.get_by_role("main").get_by_role("status")).to_contain_text("checked and imported")
    expect(there.get_by_text("Showed me unkind messages on a phone").first).to_be_visible()
    expect(there.get_by_text("Read-only")).to_be_visible()
    assert_accessible(there)


def test_a_file_over_the_limit_is_stopped_before_it_is_sent(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    incident_id = _incident(live_server)
    dsl = new_ipad().new_page()
    sign_in(dsl, live_server, "dsl")
    live_server.app.config["EVIDENCE_MAX_BYTES"] = 100 * 1024  # a small limit, a quick test
    try:
        dsl.goto(f"{live_server.url}/safeguarding/{incident_id}/evidence")
    finally:
        live_server.app.config["EVIDENCE_MAX_BYTES"] = 10 * 1024 * 1024
    big = b"%PDF-" + b"0" * (100 * 1024 + 1)
    dsl.get_by_label("File (a screenshot").set_input_files(
        {"name": "huge.pdf", "mimeType": "application/pdf", "buffer": big}
    )
    dsl.get_by_label("What it is and where it came from").fill("Letter from the police")
    dsl.get_by_role("button", name="Attach file").click()
    expect(dsl.get_by_role("alert")).to_have_text(
        "That file is too big: attach files of at most 100 KB."
    )
    expect(dsl.locator("#files tbody")).to_contain_text("No files attached.")
