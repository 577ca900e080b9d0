"""Error pages on a class iPad are pupil pages: one sentence in pictures that can be heard, a
big Home, the worry button in its place and the right status code. Staff and carers keep the
staff error page; JSON requests keep their short JSON answer (issue 11, item 6)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, abort
from sqlalchemy.exc import OperationalError
from werkzeug.test import TestResponse

from classroom import policy
from classroom.accounts.models import Role
from classroom.db import get_session
from classroom.devices.web import cookie_name
from classroom.principals import PupilPrincipal
from tests.conftest import Clock, build_app, client_for, sign_in
from tests.factories import make_account
from tests.worry_helpers import School, make_school, pupil_on_ipad

SAY_WENT_WRONG = "Something went wrong."
SAY_WAIT = "Please wait, then try again."


@pytest.fixture
def app(tmp_path: Path, template_db: Path, clock: Clock) -> Iterator[Flask]:
    """The test app, with addresses that answer 410, 429, 500 and 503 as a proxy, a bug or a busy
    database would (nothing in the app answers those to a pupil on purpose)."""
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

    @policy.allow("public")
    def locked() -> str:
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    app.add_url_rule("/pupil/test-locked", "test_locked", locked)
    app.add_url_rule("/pupil/test-gone", "test_gone", gone)
    app.add_url_rule("/pupil/test-busy", "test_busy", busy)
    app.add_url_rule("/pupil/test-explode", "test_explode", explode)
    with app.app_context():
        yield app


@pytest.fixture
def school(app: Flask) -> School:  # noqa: ARG001 - inside the app's context
    return make_school(get_session())


# (method, path, status, sentence): every error a pupil can meet from a pupil page.
PUPIL_ERRORS = [
    ("GET", "/pupil/no-such-screen", 404, SAY_WENT_WRONG),
    ("GET", "/pupil/lessons/attempts/999999/steps/1", 404, SAY_WENT_WRONG),
    ("PUT", "/pupil/", 405, SAY_WENT_WRONG),
    ("GET", "/pupil/test-gone", 410, SAY_WENT_WRONG),
    ("GET", "/pupil/test-busy", 429, SAY_WAIT),
    ("GET", "/pupil/test-explode", 500, SAY_WENT_WRONG),
    ("GET", "/pupil/test-locked", 503, SAY_WAIT),  # a whole school sending at once
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
    assert 'class="worry-button" href="/pupil/worry?back=/pupil/"' in body  # Not now: home
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
    teacher = client_for(app, school.teacher)
    teacher.set_cookie(cookie_name(), school.token)  # the teacher signed in on a class iPad
    response = teacher.open(path, method=method)
    assert response.status_code == status
    body = response.data.decode()
    assert f"<h1>{title}</h1>" in body
    assert "pupil-error" not in body


@pytest.mark.usefixtures("school")
def test_a_browser_that_is_no_class_ipad_gets_the_staff_page(app: Flask) -> None:
    response = app.test_client().get("/no-such-page")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.data.decode()


@pytest.mark.usefixtures("school")
def test_a_parent_keeps_the_staff_error_page(app: Flask) -> None:
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


# --- GET on a pupil action address goes back to a screen, never to an error -------------------


def _pupil_post_routes(app: Flask) -> list[str]:
    """Every POST address a pupil or a class iPad may use (a button's or a script's), built
    with real values: read from the app, so a new pupil button is covered without a list."""
    pupil = PupilPrincipal(pupil=None, device=None, session_id=0)  # type: ignore[arg-type]
    addresses = []
    for rule in app.url_map.iter_rules():
        access = policy.route_rule(app.view_functions[rule.endpoint])
        methods = rule.methods or set()
        if "POST" not in methods or access is None:
            continue
        pupil_screen = rule.rule.startswith(("/pupil/", "/class-ipad/"))
        may_use = access in ("class_ipad", "class_ipad_any") or policy.route_allows(access, pupil)
        if may_use and (pupil_screen or "GET" not in methods):
            values = {"pupil_id": 1, "attempt_id": 1, "lesson_id": "feelings-online", "number": 1}
            _server, path = rule.build({a: values[a] for a in rule.arguments}) or ("", "")
            addresses.append(path)
    return sorted(addresses)


def test_the_walk_finds_every_pupil_button_address(app: Flask) -> None:
    found = _pupil_post_routes(app)
    for address in (
        "/class-ipad/pupils/1",  # a tile
        "/class-ipad/pupils/1/pictures",  # the picture password
        "/pupil/lessons/feelings-online/start",
        "/pupil/lessons/attempts/1/steps/1",  # an answer
        "/pupil/lessons/attempts/1/finish",
        "/pupil/worry",  # Send
        "/pupil/worry-seen",  # "An adult has seen your worry": OK
        "/pupil/finished",
        "/class-ipad/worries",  # the iPad sends a saved worry
        "/speech/clip",  # speech for Read to me
    ):
        assert address in found


def _screen(response: TestResponse) -> str:
    """Where a GET left the iPad: the page shown, or the screen it was sent to."""
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        return "this page"
    return response.location.removeprefix("http://localhost")


def test_get_on_every_pupil_action_address_goes_back_to_the_pupils_screen(
    app: Flask, school: School
) -> None:
    ipad = pupil_on_ipad(app, school)
    assert ipad.post("/pupil/lessons/feelings-online/start").status_code == 302  # attempt 1
    screens = {path: _screen(ipad.get(path)) for path in _pupil_post_routes(app)}
    # The screen each belongs to, where there is one; otherwise My lessons.
    assert screens.pop("/pupil/lessons/feelings-online/start") == "/pupil/lessons/feelings-online"
    assert screens.pop("/pupil/lessons/attempts/1/steps/1") == "this page"  # the step itself
    assert screens.pop("/pupil/worry") == "this page"  # the worry's first question
    assert set(screens.values()) == {"/pupil/"}
    # HEAD (a link preview) is a GET too.
    assert ipad.head("/pupil/worry-seen").location.endswith("/pupil/")


def test_get_on_every_pupil_action_address_between_pupils_goes_to_the_start_screen(
    app: Flask, school: School
) -> None:
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), school.token)
    screens = {path: _screen(ipad.get(path)) for path in _pupil_post_routes(app)}
    assert set(screens.values()) == {"/class-ipad"}, screens


@pytest.mark.parametrize("path", ["/pupil/worry-seen", "/class-ipad/worries", "/sign-out"])
def test_staff_and_strangers_still_get_405_on_a_button_address(
    app: Flask, school: School, path: str
) -> None:
    assert app.test_client().get(path).status_code == 405  # no class iPad, nobody signed in
    teacher = client_for(app, school.teacher)
    response = teacher.get(path)
    assert response.status_code == 405
    assert "<h1>That did not work</h1>" in response.data.decode()


def test_a_pupil_put_on_a_screen_is_still_the_pupil_405_page(app: Flask, school: School) -> None:
    response = pupil_on_ipad(app, school).open("/pupil/worry-seen", method="PUT")
    assert response.status_code == 405
    _assert_pupil_page(response.data.decode(), SAY_WENT_WRONG, "/pupil/")
