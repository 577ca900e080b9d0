"""The contact sheet as one pupil sees it: their own pictures over their class's and the school's.

A teacher making Amira's communication book, or the picture strip on her desk, prints the sheet
for Amira: her own photo for "toilet" must be on it, not the class's picture. Only staff who see
Amira may print it; reading her choices is audited, and a pupil who has left is not offered.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.symbols import pictures
from tests import factories
from tests.symbol_helpers import picture_folder
from tests.symbols.test_school_pictures import png_with_metadata
from tests.symbols.test_sheet_uses_school_choices import _choose, _picture_of


def _audited(session: Session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_pupils_sheet_shows_their_own_photo_over_the_class_and_school_choices(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak = factories.make_class(session, name="Oak")
    amira = factories.make_pupil(session, oak, first_name="Amira", last_name="Khan")
    head = factories.make_account(session, Role.HEADTEACHER)
    _choose(session, head, "toilet", "1F6BB")
    _choose(session, head, "toilet", "1F6BE", school_class=oak)
    _choose(session, head, "help", "270B", school_class=oak)
    _choose(session, head, "stop", "1F6D1")
    own = pictures.upload_for_word(
        session, head, "toilet", png_with_metadata((200, 200)), pupil=amira,
        target=picture_folder(), now=utcnow(),
    )  # fmt: skip
    session.commit()
    assert own.symbol is not None
    teacher = login_as(Role.TEACHER, classes=[oak])
    page = client.get(f"/symbols/sheet?layer=pupil-{amira.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert _picture_of(text, "toilet") == own.symbol  # her own photo wins
    assert _picture_of(text, "help") == "270B"  # her class's, where she has none
    assert _picture_of(text, "stop") == "1F6D1"  # the school's, where neither chose one
    assert "Pictures as Amira Khan sees them" in text
    assert "Amira Khan's pictures (with class Oak's and the" in text
    assert f'<option value="pupil-{amira.id}" selected>Amira Khan</option>' in text
    image = client.get(f"/symbols/{own.symbol}.svg")  # the printed photo loads for her teacher
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    read = _audited(session, "symbols.pupil_choices_viewed")
    assert [(e.actor_id, e.object_id) for e in read] == [(teacher.id, amira.id)]
    lesson = client.get(f"/symbols/sheet?layer=pupil-{amira.id}&lesson=trusted-adults")
    assert lesson.status_code == 200
    assert "Pictures as Amira Khan sees them" in lesson.get_data(as_text=True)


def test_the_menu_offers_only_the_pupils_they_see_by_class_and_no_leavers(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak, ash = factories.make_class(session, name="Oak"), factories.make_class(session, name="Ash")
    amira = factories.make_pupil(session, oak, first_name="Amira", last_name="Khan")
    left = factories.make_pupil(session, oak, first_name="Leo", last_name="Left")
    left.active, left.left_on = False, date(2026, 12, 3)
    other = factories.make_pupil(session, ash, first_name="Bea", last_name="Other")
    session.commit()
    login_as(Role.TEACHER, classes=[oak])
    text = client.get("/symbols/sheet").get_data(as_text=True)
    assert '<option value="school" selected>' in text  # the current view, as before
    assert '<optgroup label="Pupils in class Oak">' in text
    assert f'<option value="pupil-{amira.id}">Amira Khan</option>' in text
    assert f"pupil-{left.id}" not in text  # a leaver: not offered
    assert "Leo Left" not in text
    assert f"pupil-{other.id}" not in text  # not their class
    assert "Bea Other" not in text
    listed = _audited(session, "pupils.list_viewed")  # the menu names pupils: audited
    assert [e.summary for e in listed] == ["1 pupils, the contact sheet"]
    assert client.get(f"/symbols/sheet?layer=pupil-{left.id}").status_code == 404


def test_another_class_pupils_sheet_is_404_and_audited_as_refused(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak, ash = factories.make_class(session, name="Oak"), factories.make_class(session, name="Ash")
    other = factories.make_pupil(session, ash, first_name="Bea", last_name="Other")
    session.commit()
    teacher = login_as(Role.TEACHER, classes=[oak])
    assert client.get(f"/symbols/sheet?layer=pupil-{other.id}").status_code == 404
    refused = _audited(session, "staff.access_refused")
    assert [(e.actor_id, e.summary) for e in refused] == [(teacher.id, "GET /symbols/sheet")]
    assert _audited(session, "symbols.pupil_choices_viewed") == []


def test_flagging_a_picture_on_a_pupils_sheet_goes_back_to_that_sheet(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    oak = factories.make_class(session, name="Oak")
    amira = factories.make_pupil(session, oak, first_name="Amira", last_name="Khan")
    session.commit()
    login_as(Role.TEACHER, classes=[oak])
    flagged = client.post(
        "/symbols/flags",
        data={"phrase": "toilet", "symbol": "1F6BD", "layer": f"pupil-{amira.id}"},
    )
    assert flagged.status_code == 302
    assert flagged.location.endswith(f"layer=pupil-{amira.id}&flagged=1")
    back = client.get(flagged.location).get_data(as_text=True)
    assert "Pictures as Amira Khan sees them" in back
    assert "Flagged. Thank you" in back
