"""A pupil who has left the school keeps their own symbol choices as they were, as their
settings are: staff read them, and a change is refused (409, saying why) until they are back."""

from __future__ import annotations

import io

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.symbols.models import SymbolOverride
from tests.conftest import client_for
from tests.worries.cp_file_helpers import leaves, words
from tests.worry_helpers import make_school

LEFT = (
    "Amira has left the school, so Amira's symbol choices cannot be changed. If Amira comes "
    "back, record that Amira is back at the school and they can be changed again."
)


def _choices(session: Session, pupil_id: int) -> dict[str, str | None]:
    session.expire_all()
    rows = session.scalars(select(SymbolOverride).where(SymbolOverride.pupil_id == pupil_id))
    return {row.phrase: row.symbol for row in rows}


def test_a_leavers_symbol_choices_are_read_only_and_a_change_is_refused_until_they_are_back(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher, layer = client_for(app, school.teacher), f"pupil-{school.pupil.id}"
    chosen = {"phrase": "cat", "symbol": "1F622", "layer": layer}
    assert teacher.post("/symbols/choices", data=chosen).status_code == 302
    leaves(app, school.head, school.pupil)

    page = teacher.get(f"/symbols/choose?layer={layer}&phrase=cat")
    assert page.status_code == 200
    assert LEFT in words(page.text)
    assert "cat" in words(page.text)  # the choice, shown as it is
    for control in ("/symbols/choices", "/symbols/choices/clear", "/symbols/pictures"):
        assert f'action="{control}"' not in page.text  # no edit controls
    picture = {"phrase": "dog", "layer": layer, "picture": (io.BytesIO(b"x"), "dog.png")}
    for path, data in (
        ("/symbols/choices", {"phrase": "dog", "symbol": "1F622", "layer": layer}),
        ("/symbols/choices", {"phrase": "cat", "symbol": "hidden", "layer": layer}),
        ("/symbols/choices/clear", {"phrase": "cat", "layer": layer}),
        ("/symbols/pictures", picture),
    ):
        refused = teacher.post(path, data=data)
        assert refused.status_code == 409, path
        assert f"Nothing was changed. {LEFT}" in words(refused.text)
    assert _choices(session, school.pupil.id) == {"cat": "1F622"}

    leaves(app, school.head, school.pupil, "back")
    assert LEFT not in words(teacher.get(f"/symbols/choose?layer={layer}&phrase=cat").text)
    cleared = teacher.post("/symbols/choices/clear", data={"phrase": "cat", "layer": layer})
    assert cleared.status_code == 302
    assert _choices(session, school.pupil.id) == {}
