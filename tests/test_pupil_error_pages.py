"""Error pages on a class iPad are pupil pages: one sentence in pictures that can be heard, a
big Home, the worry button in its place and the right status code. Staff and carers keep the
staff error page; JSON requests keep their short JSON answer (issue 11, item 6)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from classroom import policy
from classroom.accounts.models import Role
from classroom.db import get_session
from classroom.devices.services import cookie_name
from tests.conftest import Clock, build_app, sign_in
from tests.factories import make_account
from tests.worry_helpers import School, make_school, pupil_on_ipad

SAY_WENT_WRONG = "Something went wrong."
SAY_WAIT = "Please wait, then try again."


@pytest.fixture
def app(tmp_path: Path, template_db: Path, clock: Clock) -> Iterator[Flask]:
    """The test app, with pupil addresses that answer 410, 429 and 500 as a proxy or a bug
    would (nothing in the app answers those to a pupil on purpose)."""
    app = build_app(tmp_path, template_db, clock)
    app.config["WTF_CSRF_ENABLED"] = False
    app.config["PROPAGATE_EXCEPTIONS"] = False  # show the 500 page, as in production

    @policy.allow("public")
    def gone() -> str:
        abort(410)

    @policy.allow("public")
    def busy() -> str:
        abort(429)

    @policy.allow("public")
    def explode() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/pupil/test-gone", "test_gone", gone)
    app.add_url_rule("/pupil/test-busy", "test_busy", busy)
    app.add_url_rule("/pupil/test-explode", "test_explode", explode)
    with app.app_context():
        yield app


@pytest.fixture
def school(app: Flask) -> School:
    return make_school(get_session())


# (method, path, status, sentence): every error a pupil can meet from a pupil page.
PUPIL_ERRORS = [
    ("GET", "/pupil/no-such-screen", 404, SAY_WENT_WRONG),
    ("GET", "/pupil/lessons/attempts/999999/steps/1", 404, SAY_WENT_WRONG),
    ("PUT", "/pupil/", 405, SAY_WENT_WRONG),
    ("GET", "/pupil/test-gone", 410, SAY_WENT_WRONG),
    ("GET", "/pupil/test-busy", 429, SAY_WAIT),
    ("GET", "/pupil/test-explode", 500, SAY_WENT_WRONG),
]


def _assert_pupil_page(body: str, sentence: str, home: str) -> None:
    # One sentence, every word a picture with a word under it, and Read to me for it.
    assert f'data-say="{sentence}"' in body.replace("&#39;", "'")
    assert 'data-read-to-me="say-error"' in body
    assert body.count('class="sym-word') >= len(sentence.split())
    assert f'class="pupil-button big-next pupil-error-home" href="{home}"' in body
    assert ">Home</span>" in body
    # What the pupil sees is the sentence, Read to me and Home: no numbers, no technical words.
    main = body.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    seen = re.sub(r"\s+([.,!?])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", main).split()))
    assert seen == f"{sentence} Read to me Home"
    # Strict CSP holds: no inline script, style or handler on the page.
    assert "<script>" not in body
    assert "style=" not in body
    assert " onclick" not in body


@pytest.mark.parametrize(("method", "path", "status", "sentence"), PUPIL_ERRORS)
def test_a_signed_in_pupil_gets_a_pupil_page_with_home_and_the_worry_button(
    app: Flask, school: School, method: str, path: str, status: int, sentence: str
) -> None:
    ipad = pupil_on_ipad(app, school)
    response = ipad.open(path, method=method)
    assert response.status_code == status
    body = response.data.decode()
    _assert_pupil_page(body, sentence, "/pupil/")
    assert 'class="worry-button" href="/pupil/worry"' in body
    assert "Amira" in body  # the pupil's own bar, as on every pupil screen
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(
    ("method", "path", "status", "sentence"), PUPIL_ERRORS[:1] + PUPIL_ERRORS[3:]
)
def test_a_class_ipad_between_pupils_gets_a_pupil_page_home_to_the_start_screen(
    app: Flask, school: School, method: str, path: str, status: int, sentence: str
) -> None:
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    response = ipad.open(path, method=method)
    assert response.status_code == status
    body = response.data.decode()
    _assert_pupil_page(body, sentence, "/class-ipad")
    assert "worry-button" not in body  # nobody is signed in to report as


def test_a_stale_form_with_no_recovery_is_a_pupil_page_not_expired_text(
    app: Flask, school: School
) -> None:
    ipad = pupil_on_ipad(app, school)
    app.config["WTF_CSRF_ENABLED"] = True
    response = ipad.post("/pupil/worry-seen", data={"csrf_token": "stale"})
    assert response.status_code == 400
    body = response.data.decode()
    _assert_pupil_page(body, SAY_WENT_WRONG, "/pupil/")
    assert "expired" not in body


def _staff(app: Flask, school: School) -> FlaskClient:
    client = app.test_client()
    assert sign_in(client, school.teacher.username).status_code == 302
    return client


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [
        ("GET", "/pupil/no-such-screen", 404, "Page not found"),
        ("GET", "/pupils/999999/lessons", 404, "Page not found"),
        ("GET", "/sign-out", 405, "That did not work"),
        ("GET", "/pupil/test-gone", 410, "Something went wrong"),
        ("GET", "/pupil/test-busy", 429, "Please wait"),
        ("GET", "/pupil/test-explode", 500, "Something went wrong"),
    ],
)
def test_staff_keep_the_staff_error_page_even_with_the_class_ipad_cookie(
    app: Flask, school: School, method: str, path: str, status: int, title: str
) -> None:
    teacher = _staff(app, school)
    teacher.set_cookie(cookie_name(), school.token)  # the teacher signed in on a class iPad
    response = teacher.open(path, method=method)
    assert response.status_code == status
    body = response.data.decode()
    assert f"<h1>{title}</h1>" in body
    assert "pupil-error" not in body


def test_a_browser_that_is_no_class_ipad_gets_the_staff_page(app: Flask, school: School) -> None:
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.data.decode()


def test_a_parent_keeps_the_staff_error_page(app: Flask, school: School) -> None:
    carer = make_account(get_session(), Role.PARENT)
    get_session().commit()
    client = app.test_client()
    assert sign_in(client, carer.username).status_code == 302
    response = client.get("/pupil/no-such-screen")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.data.decode()


def test_json_requests_from_a_pupil_keep_the_short_json_answer(app: Flask, school: School) -> None:
    ipad = pupil_on_ipad(app, school)
    response = ipad.get("/pupil/no-such-screen", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "Page not found"}
