"""Governors' and leaders' anonymised review, and the DSL's AES-encrypted export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date

import pytest
import pyzipper
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.export import safe_cell
from classroom.review.services import term_of
from classroom.worries.models import Incident
from tests.conftest import client_for, sign_in
from tests.worry_helpers import School, make_school, pupil_on_ipad


def _closed_incident(app: Flask, client: FlaskClient, school: School, words: str) -> Incident:
    pupil_on_ipad(app, school).post(
        "/pupil/worry", data={"key": "review-1", "what": "unkind", "words": words}
    )
    incident = app.extensions["test_session"]().scalar(
        select(Incident).where(Incident.pupil_words == words)
    )
    sign_in(client, school.dsl.username)
    base = f"/safeguarding/{incident.id}"
    client.post(
        base + "/triage",
        data={
            "triage-category": "cyberbullying",
            "triage-risk": "low",
            "triage-child_protection": "no",
            "triage-rationale": "One message",
        },
    )
    client.post(
        base + "/close",
        data={
            "close-outcome": "Resolved with Amira and Ms Lopez",
            "close-lessons_learnt": "Amira Khan told Ms Lopez first; check the class chat weekly",
            "close-carers": "release",
            "close-carers-reason": "Nothing left to hold back",
        },
    )
    client.post("/sign-out")
    return incident


@pytest.fixture
def reviewed(app: Flask, client: FlaskClient, session: Session) -> School:
    app.extensions["test_session"] = lambda: session
    school = make_school(session)
    _closed_incident(app, client, school, '=HYPERLINK("http://evil") Kayla said it')
    return school


@pytest.mark.parametrize("role", [Role.GOVERNOR, Role.SENIOR_LEADER, Role.HEADTEACHER, Role.DSL])
@pytest.mark.usefixtures("reviewed")
def test_review_shows_trends_and_no_names(
    client: FlaskClient, login_as: Callable[..., Account], role: Role
) -> None:
    login_as(role)
    page = client.get("/safeguarding/review/").data.decode()
    assert "Worries and concerns</dt><dd>fewer than 3</dd>" in page
    # One incident: its category beside its lesson learnt would say which child it was.
    assert "Cyberbullying" not in page
    for name in ("Amira", "Khan", "Lopez", "Kayla", "HYPERLINK"):
        assert name not in page, name
    assert "[name] [name] told Ms [name] first; check the class chat weekly" in page
    assert client.get("/safeguarding/review/termly").status_code == 200


@pytest.mark.parametrize("role", [Role.TEACHER, Role.TEACHING_ASSISTANT, Role.ADMIN, Role.PARENT])
def test_review_is_for_leaders_and_governors_only(
    client: FlaskClient, login_as: Callable[..., Account], role: Role
) -> None:
    login_as(role)
    assert client.get("/safeguarding/review/").status_code == 403


def test_bad_term_is_a_400(client: FlaskClient, login_as: Callable[..., Account]) -> None:
    login_as(Role.GOVERNOR)
    assert client.get("/safeguarding/review/?term=not-a-date").status_code == 400


def test_terms() -> None:
    assert term_of(date(2026, 11, 28)).label == "Autumn term 2026"
    assert term_of(date(2027, 2, 1)).end == date(2027, 3, 31)
    assert term_of(date(2027, 6, 1)).start == date(2027, 4, 1)


def test_dsl_exports_an_aes_encrypted_log_that_cannot_run_formulas(
    reviewed: School, client: FlaskClient
) -> None:
    sign_in(client, reviewed.dsl.username)
    passphrase = "long enough passphrase"
    response = client.post(
        "/safeguarding/review/export", data={"passphrase": passphrase, "confirm": passphrase}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"
    archive = pyzipper.AESZipFile(io.BytesIO(response.data))
    name = archive.namelist()[0]
    with pytest.raises(RuntimeError):
        archive.read(name)  # no passphrase, no data
    archive.setpassword(passphrase.encode())
    rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert rows[0][0] == "reference"
    assert len(rows) == 2
    words = rows[1][rows[0].index("pupil_words")]
    assert words.startswith("'=HYPERLINK")
    # Each pupil with their role in words, as the record shows it (not a stored key).
    assert rows[1][rows[0].index("pupils")] == "Amira Khan (reported it)"


def test_export_needs_a_long_matching_passphrase(reviewed: School, client: FlaskClient) -> None:
    sign_in(client, reviewed.dsl.username)
    short = client.post(
        "/safeguarding/review/export", data={"passphrase": "short", "confirm": "short"}
    )
    assert short.status_code == 400
    assert b"at least 12 characters" in short.data
    mismatch = client.post(
        "/safeguarding/review/export", data={"passphrase": "a" * 14, "confirm": "b" * 14}
    )
    assert mismatch.status_code == 400
    assert b"do not match" in mismatch.data


@pytest.mark.usefixtures("reviewed")
def test_governor_cannot_export(client: FlaskClient, login_as: Callable[..., Account]) -> None:
    login_as(Role.GOVERNOR)
    response = client.post(
        "/safeguarding/review/export", data={"passphrase": "a" * 14, "confirm": "a" * 14}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+44", "'+44"), ("-2", "'-2"), ("@SUM", "'@SUM"), ("ok", "ok")],
)
def test_safe_cell(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


def _exported(app: Flask, who: Account) -> list[dict[str, str]]:
    passphrase = "long enough passphrase"
    response = client_for(app, who).post(
        "/safeguarding/review/export", data={"passphrase": passphrase, "confirm": passphrase}
    )
    assert response.status_code == 200
    archive = pyzipper.AESZipFile(io.BytesIO(response.data))
    archive.setpassword(passphrase.encode())
    text = archive.read(archive.namelist()[0]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_leaves_out_a_record_that_names_the_exporter_its_subject(
    app: Flask, session: Session
) -> None:
    """Amira chose Mr Bell, the DSL, and the deputy records that the worry is about him: the
    record is closed to him, so his download of the log must not carry it either."""
    school = make_school(session)
    pupil_on_ipad(app, school).post(
        "/pupil/worry", data={"key": "k1", "what": "unkind", "talk_to": str(school.dsl.id)}
    )
    incident = session.scalar(select(Incident))
    assert incident is not None
    assert [r["reference"] for r in _exported(app, school.dsl)] == [incident.reference]
    set_aside = {"chosen-why": "subject", "chosen-instead_id": str(school.head.id)}
    deputy = client_for(app, school.deputy)
    assert deputy.post(f"/safeguarding/{incident.id}/chosen-adult", data=set_aside).status_code
    assert _exported(app, school.dsl) == []
    assert [r["reference"] for r in _exported(app, school.deputy)] == [incident.reference]


def test_the_export_names_who_did_each_thing_and_a_reopened_record_has_no_outcome(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    app.extensions["test_session"] = lambda: session
    school = make_school(session)
    incident = _closed_incident(app, client, school, "Kayla said it")
    [closed] = _exported(app, school.dsl)
    assert closed["outcome"] == "Resolved with Amira and Ms Lopez"
    assert " acknowledged (Mr Bell): " in closed["chronology"]
    reopen = {"reopen-reason": "Her brother says it went on", "reopen-carers": "keep"}
    dsl = client_for(app, school.dsl)
    assert dsl.post(f"/safeguarding/{incident.id}/reopen", data=reopen).status_code == 302
    [reopened] = _exported(app, school.dsl)
    assert reopened["status"] == "open"
    assert reopened["closed"] == reopened["outcome"] == reopened["lessons_learnt"] == ""
    assert "Closed. Outcome: Resolved with Amira and Ms Lopez" in reopened["chronology"]
    assert "reopened (Mr Bell): " in reopened["chronology"]
