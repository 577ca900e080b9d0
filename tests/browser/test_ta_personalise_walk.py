"""A teaching assistant on the class iPad (1024x768), by keyboard: adds Amira's gran with a
photo only once she ticks that Gran agreed; swaps a symbol for Amira alone and undoes it.
Axe clean, staff targets at least 24px."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from classroom.db import get_session
from classroom.pupils.models import Pupil
from tests.browser.conftest import LiveServer, assert_accessible, sign_in

LANDSCAPE = {"width": 1024, "height": 768}


def _amira(server: LiveServer) -> int:
    with server.app.app_context():
        found = get_session().scalar(select(Pupil.id).where(Pupil.first_name == "Amira"))
    assert found is not None
    return found


def _ta(new_ipad: Callable[[], BrowserContext], server: LiveServer) -> Page:
    page = new_ipad().new_page()
    page.set_viewport_size(LANDSCAPE)
    sign_in(page, server, "ta")
    return page


def test_a_photo_of_gran_is_added_only_with_her_agreement(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer, tmp_path: Path
) -> None:
    photo = tmp_path / "gran.jpg"
    from PIL import Image  # noqa: PLC0415 - only this walk makes a photo

    Image.new("RGB", (200, 200), "teal").save(photo, "JPEG")
    page = _ta(new_ipad, live_server)
    page.goto(f"{live_server.url}/symbols/people/{_amira(live_server)}")
    home = page.locator("form", has=page.get_by_role("button", name="Add adult at home"))
    home.get_by_label("Name Amira uses").fill("Gran")
    home.get_by_label("Photo (optional, JPEG or PNG)").set_input_files(photo)
    agreed = home.get_by_label("With a photo: the adult agreed to Amira seeing it")
    expect(agreed).not_to_be_checked()
    box = agreed.bounding_box()
    assert box is not None
    assert min(box["width"], box["height"]) >= 24
    # The photo box too is a whole target for her finger, not a 21px line.
    for file_box in page.locator('input[type="file"]').all():
        found = file_box.bounding_box()
        assert found is not None
        assert found["height"] >= 44
    page.get_by_role("button", name="Add adult at home").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Tick the box to say the adult agreed").first).to_be_visible()
    expect(page.get_by_role("button", name="Remove Gran")).to_have_count(0)
    assert_accessible(page)
    # The name comes back as she typed it; the photo is chosen again, and the box ticked.
    expect(home.get_by_label("Name Amira uses")).to_have_value("Gran")
    home.get_by_label("Photo (optional, JPEG or PNG)").set_input_files(photo)
    agreed.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Add adult at home").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Added. Amira sees them on their next screen.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove Gran")).to_be_visible()
    assert_accessible(page)
    # Undo: Gran and her photo go.
    page.get_by_role("button", name="Remove Gran").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Removed, with their photo.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove Gran")).to_have_count(0)


def test_a_symbol_for_amira_alone_is_chosen_and_undone_by_keyboard(
    new_ipad: Callable[[], BrowserContext], live_server: LiveServer
) -> None:
    page = _ta(new_ipad, live_server)
    layer = f"pupil-{_amira(live_server)}"
    page.goto(f"{live_server.url}/symbols/choose?phrase=drink&layer={layer}")
    assert_accessible(page)
    expect(page.locator("#choice-layer")).to_have_value(layer)
    page.locator("#option-hidden").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Use this picture").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Saved.")).to_be_visible()
    made = page.locator("section", has=page.get_by_role("heading", name="Choices made for Amira"))
    expect(made.get_by_role("cell", name="drink", exact=True)).to_be_visible()
    assert_accessible(page)
    made.get_by_role("button", name="Clear").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Cleared. The word list's symbol is back.")).to_be_visible()
    expect(made.get_by_role("cell", name="drink", exact=True)).to_have_count(0)
