"""The pupil layout's shared parts (worry rail, Finished and its question, the head's links) are
rendered once per worker (classroom/ipad/chrome_web.py): each pupil still gets their own."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask, get_template_attribute
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.devices.web import cookie_name
from classroom.pupils.models import Pupil
from classroom.symbols.fragments_web import STORE
from classroom.symbols.services import override_layers
from tests.factories import make_class, make_device, make_pupil

CAT = "/symbols/1F431.svg"
FINISH = re.compile(r'<form method="post" action="/pupil/finished".*?</form>', re.S)
QUESTION = re.compile(r'<div class="finish-confirm".*?\n</div>', re.S)
META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
FORM_TOKEN = re.compile(
    r'id="finished-form"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)">'
)
WORRY = re.compile(r'<a class="worry-button" href="([^"]+)"')


def _ipad(app: Flask, session: Session, pupil: Pupil) -> FlaskClient:
    """The pupil's class iPad, signed in as the pupil."""
    ipad = app.test_client()
    _, token = make_device(session, pupil.school_class)
    session.commit()
    ipad.set_cookie(cookie_name(), token)
    assert ipad.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    return ipad


def _part(pattern: re.Pattern[str], page: str) -> str:
    found = pattern.search(page)
    assert found is not None, f"{pattern.pattern[:40]} not on the page"
    return found.group(0)


def _home(ipad: FlaskClient) -> str:
    response = ipad.get("/pupil/")
    assert response.status_code == 200
    return response.data.decode()


def test_two_pupils_with_different_settings_never_get_each_others_chrome(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    amira = make_pupil(session, oak, first_name="Amira", symbol_size="extra_large")
    ben = make_pupil(session, oak, first_name="Ben")
    login_as(Role.TEACHER, classes=[oak])
    chosen = client.post(
        "/symbols/choices",
        data={"phrase": "finished", "symbol": "1F431", "layer": f"pupil-{amira.id}"},
    )
    assert chosen.status_code == 302, chosen.data
    amiras, bens = _ipad(app, session, amira), _ipad(app, session, ben)

    for _ in range(2):  # the second round is served from the chrome cache
        amira_page, ben_page = _home(amiras), _home(bens)
        assert CAT in _part(FINISH, amira_page)  # her own picture for Finished
        assert CAT not in _part(FINISH, ben_page)
        assert "/symbols/1F3C1.svg" in _part(FINISH, ben_page)
        assert "sym-text sym-size-extra_large" in _part(QUESTION, amira_page)
        assert "sym-size-extra_large" not in _part(QUESTION, ben_page)
        assert "sym-text sym-size-large" in _part(QUESTION, ben_page)


def test_the_finished_form_carries_the_requests_own_csrf_token(
    app: Flask, session: Session
) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    oak = make_class(session)
    first, second = make_pupil(session, oak), make_pupil(session, oak)
    firsts, seconds = _ipad_with_csrf(app, session, first), _ipad_with_csrf(app, session, second)

    tokens = []
    for ipad in (firsts, seconds, firsts):
        page = _home(ipad)
        meta, form = META_TOKEN.search(page), FORM_TOKEN.search(page)
        assert meta is not None
        assert form is not None
        assert form.group(1) == meta.group(1)
        tokens.append(form.group(1))
    assert tokens[0] != tokens[1]  # the cached Finished form holds each iPad's own token

    finished = seconds.post("/pupil/finished", data={"csrf_token": tokens[1]})
    assert finished.status_code == 302
    assert finished.location.endswith("/class-ipad")
    assert firsts.get("/pupil/").status_code == 200  # the other pupil is still signed in


def _ipad_with_csrf(app: Flask, session: Session, pupil: Pupil) -> FlaskClient:
    """Sign in on a class iPad the way it does with CSRF on: the tile's token first."""
    ipad = app.test_client()
    _, token = make_device(session, pupil.school_class)
    session.commit()
    ipad.set_cookie(cookie_name(), token)
    start = ipad.get("/class-ipad").data.decode()
    found = META_TOKEN.search(start)
    assert found is not None
    signed = ipad.post(f"/class-ipad/pupils/{pupil.id}", data={"csrf_token": found.group(1)})
    assert signed.status_code == 302, signed.data
    return ipad


def test_a_symbol_choice_shows_in_the_chrome_on_the_next_page(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    amira = make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    amiras = _ipad(app, session, amira)
    assert CAT not in _part(QUESTION, _home(amiras))  # the question is now cached

    chosen = client.post(
        "/symbols/choices",
        data={"phrase": "yes", "symbol": "1F431", "layer": f"pupil-{amira.id}"},
    )

    assert chosen.status_code == 302, chosen.data
    question = _part(QUESTION, _home(amiras))
    assert CAT in question
    assert "/symbols/2705.svg" not in question  # Yes's fallback picture gave way to hers


def test_the_chrome_from_the_cache_is_the_chrome_rendered_fresh(
    app: Flask, session: Session
) -> None:
    oak = make_class(session)
    amira = make_pupil(session, oak, symbol_size="medium")
    amiras = _ipad(app, session, amira)
    _home(amiras)
    page = _home(amiras)  # every part from the cache now
    token = META_TOKEN.search(page)
    assert token is not None

    with app.test_request_context("/pupil/"):
        layers = override_layers(session, amira)
        worry_button = get_template_attribute("ipad/_chrome.html", "worry_button")
        finished = get_template_attribute("ipad/_chrome.html", "finished")
        fresh = [
            str(worry_button(layers, "/pupil/worry?back=/pupil/")),
            str(finished(layers, "medium", token.group(1))),
        ]
    assert fresh[0] in page
    assert fresh[1] in page
    app.extensions[STORE].clear()
    assert _home(amiras) == page


def test_the_worry_button_comes_back_to_the_screen_it_was_pressed_on(
    app: Flask, session: Session
) -> None:
    oak = make_class(session)
    amiras = _ipad(app, session, make_pupil(session, oak))
    _home(amiras)

    rules = amiras.get("/pupil/rules")
    home = _home(amiras)

    assert rules.status_code == 200
    assert WORRY.findall(rules.data.decode()) == ["/pupil/worry?back=/pupil/rules"]
    assert WORRY.findall(home) == ["/pupil/worry?back=/pupil/"]
