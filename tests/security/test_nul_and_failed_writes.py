"""Text with a NUL character, and a write that fails part-way: a clear answer, never a bare 500.

Found by fuzzing on PostgreSQL: a NUL in an observation note, a class iPad's or class's name or
a new account's name failed the whole row there (SQLite keeps it), with a bare Werkzeug 500, and
the note was lost. That 500 also came without the app's headers: the error page read the
signed-in person through a session the failed write had left unusable.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.assessment.models import Observation
from classroom.db import get_session
from classroom.devices.models import DeviceEnrolment
from tests.conftest import client_for
from tests.factories import make_account
from tests.worry_helpers import make_school


def test_text_with_a_nul_is_kept_without_it(app: Flask, session: Session) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    noted = teacher.post(
        f"/assessment/pupils/{school.pupil.id}/observations",
        data={"objective_id": "stop-block-tell.sf", "level": "2", "context": "lesson",
              "note": "Pointed to the worried\x00 symbol"},
    )  # fmt: skip
    assert noted.status_code == 302
    named = teacher.post(
        "/class-ipads/links", data={"class_id": str(school.oak.id), "name": "Oak\x00 iPad"}
    )
    assert named.status_code == 201  # the link to print
    session.expire_all()
    note = session.scalar(select(Observation.note))
    assert note == "Pointed to the worried symbol"
    names = session.scalars(select(DeviceEnrolment.device_name)).all()
    assert "Oak iPad" in names
    assert not any("\x00" in name for name in names)


def test_a_note_the_text_box_accepted_is_not_refused_for_its_line_breaks(
    app: Flask, session: Session
) -> None:
    """The box's maxlength (2,000) counts a line break as one character; the browser sends two.
    Twenty lines that fit the box are kept, with their line breaks as the box showed them."""
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    note = "\r\n".join(["x" * 80] * 20) + "\r\n" + "y" * 380  # 2,000 in the box, 2,020 sent
    noted = teacher.post(
        f"/assessment/pupils/{school.pupil.id}/observations",
        data={"objective_id": "stop-block-tell.sf", "level": "2", "context": "lesson",
              "note": note},
    )  # fmt: skip
    assert noted.status_code == 302
    kept = session.scalar(select(Observation.note))
    assert kept == note.replace("\r\n", "\n")
    assert len(kept) == 2000


def test_a_write_that_fails_gives_the_schools_error_page_with_its_headers(
    app: Flask, session: Session
) -> None:
    """A second account with a taken username fails at the flush, as any failed write does."""

    @policy.allow("staff")
    def clash() -> str:
        db = get_session()
        taken = db.scalars(select(Account.username)).first()
        db.add(Account(username=taken, display_name="Twin", role=Role.TEACHER, school_id=1,
                       password_hash="x"))  # fmt: skip
        db.flush()
        return "never"

    app.add_url_rule("/test-clash", "test_clash", clash)
    teacher = make_account(session, Role.TEACHER)
    session.commit()
    response = client_for(app, teacher).get("/test-clash")
    assert response.status_code == 500
    assert "Something went wrong" in response.text  # the school's page, not Werkzeug's
    assert "Content-Security-Policy" in response.headers
    assert response.headers["Cache-Control"] == "no-store"
