"""A teacher on the class iPad shares a photo home: the form asks that no other pupil is in it.

The demo's Amira has photo consent for the app in date, so her share form offers a photo and,
beside it, a box to tick (unticked at first): a photo shared without it is refused, said beside
the box, and the page stays accessible.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from classroom.db import get_session
from classroom.pupils.models import Pupil
from tests.browser.conftest import LiveServer, assert_accessible, sign_in


def _photo(tmp_path: Path) -> str:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "teal").save(out, "JPEG")
    path = tmp_path / "IMG_2001.jpg"
    path.write_bytes(out.getvalue())
    return str(path)


def test_a_photo_goes_home_only_when_ticked_as_this_pupil_alone(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    with live_server.app.app_context():
        amira = get_session().scalar(select(Pupil.id).where(Pupil.first_name == "Amira"))
    sign_in(page, live_server, "teacher")
    page.goto(f"{live_server.url}/parents/pupils/{amira}/share")
    alone = page.get_by_label("Only Amira can be seen in this photo, no other pupil")
    expect(alone).not_to_be_checked()
    assert_accessible(page)
    objective = page.locator("#objective option", has_text="Kind and unkind:")
    page.get_by_label("What they were learning").select_option(objective.get_attribute("value"))
    page.get_by_label("How they did").select_option(label="Secure (independent)")
    page.get_by_label("A note for home (optional)").fill("Amira sorted every card.")
    page.get_by_label("Photo (optional)").set_input_files(_photo(tmp_path))
    page.get_by_role("button", name="Share with Amira's carers").click()
    expect(page.locator("#alone-error")).to_contain_text("Tick that no other pupil can be seen")
    assert_accessible(page)
    page.get_by_label("Photo (optional)").set_input_files(_photo(tmp_path))
    page.get_by_label("Only Amira can be seen in this photo, no other pupil").check()
    page.get_by_role("button", name="Share with Amira's carers").click()
    expect(page.get_by_text("Learning moment shared.")).to_be_visible()
