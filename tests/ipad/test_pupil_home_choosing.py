"""Staff choose how many lessons a pupil's home shows and how a tap on an answer card works;
pupil home and the class start screen can be read aloud, word by word, in screen order."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.devices.web import cookie_name
from classroom.ipad import views
from classroom.lessons import maps
from classroom.pupils.models import CardChoosing, Pathway, Pupil
from tests.factories import make_class, make_device, make_pupil
from tests.lesson_helpers import all_lessons

SETTINGS = {
    "pathway": "semi_formal",
    "tile_symbol": "1F98A",
    "symbol_size": "large",
    "speech_rate": "150",
    "scanning": "off",
    "scan_interval_ms": "1500",
}
TILE = re.compile(r'<a class="tile lesson-tile[^"]*" href="/pupil/lessons/([^"/]+)')


def _home(app: Flask, session: Session, pupil: Pupil) -> str:
    """The pupil's home, as their class iPad shows it after they tap their tile."""
    ipad = app.test_client()
    _, token = make_device(session, pupil.school_class)
    session.commit()
    ipad.set_cookie(cookie_name(), token)
    assert ipad.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    return ipad.get("/pupil/").data.decode()


def _say(page: str, target: str) -> str:
    found = re.search(rf'id="{target}" data-say="([^"]*)"', page)
    assert found is not None, f"no Read to me text for {target}"
    return found.group(1)


def _parts(page: str) -> list[str]:
    """What each lesson on home says after "My lessons" while it is on screen, in order."""
    return re.findall(r'<li[^>]* data-say-with="say-home" data-say="([^"]*)"', page)


def test_teacher_chooses_lessons_on_home_and_hear_then_choose_and_it_is_audited(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    form = client.get(f"/pupils/{pupil.id}/settings").data.decode()
    assert "Lessons on the pupil&#39;s home screen" in form
    assert "Hear then choose (first tap speaks, second tap chooses)" in form
    response = client.post(
        f"/pupils/{pupil.id}/settings",
        data={**SETTINGS, "lessons_on_home": "2", "card_choosing": "hear_first"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert pupil.home_lessons == 2
    assert pupil.card_choosing is CardChoosing.HEAR_FIRST
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "pupil.settings_changed")
    ).one()
    assert event.object_id == pupil.id
    assert "card_choosing" in event.summary
    assert "home_lessons" in event.summary
    detail = client.get(f"/pupils/{pupil.id}").data.decode()
    assert "Hear then choose" in detail
    client.post(f"/pupils/{pupil.id}/settings", data={**SETTINGS, "lessons_on_home": "all"})
    session.expire_all()
    assert pupil.home_lessons == 0  # all of them
    assert pupil.card_choosing is CardChoosing.HEAR_FIRST  # not on the form: kept


def test_lessons_on_home_or_card_choosing_out_of_the_list_get_a_clear_message(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    for bad, message in [
        ({"lessons_on_home": "40"}, "Lessons on home must be 1 to 6, all, or as the pathway"),
        ({"lessons_on_home": "0"}, "Choose how many lessons home shows from the list."),
        ({"lessons_on_home": "lots"}, "Choose how many lessons home shows from the list."),
        ({"card_choosing": "sideways"}, "Choose how a tap on an answer card works."),
    ]:
        response = client.post(f"/pupils/{pupil.id}/settings", data={**SETTINGS, **bad})
        assert response.status_code == 400, bad
        assert message in response.data.decode(), bad
    session.expire_all()
    assert pupil.home_lessons is None
    assert pupil.card_choosing is CardChoosing.STRAIGHT_AWAY
    assert (
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == "pupil.settings_changed")
        ).all()
        == []
    )


def test_home_shows_the_chosen_number_of_lessons_with_the_target_first_and_said_next(
    app: Flask, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Amira", home_lessons=2)
    teacher = login_as(Role.TEACHER, classes=[oak])
    lessons = all_lessons(session)
    planned = maps.pupil_map(session, pupil, lessons, today=utcnow().date())
    assert len(planned) > 4
    target = planned[-1].lesson
    maps.set_target(session, teacher, pupil, target.id, lessons, now=utcnow())
    session.commit()
    page = _home(app, session, pupil)
    assert TILE.findall(page) == [
        target.id,
        maps.next_first(session, pupil, lessons, today=utcnow().date())[1].lesson.id,
    ]
    next_item = page[page.index('<li class="next-item"') :].split("</li>", 1)[0]
    assert "next-label" in next_item  # "This one next" in words and pictures, over the tile
    assert f'href="/pupil/lessons/{target.id}"' in next_item
    # Read to me says the greeting and "My lessons", then each lesson on screen says itself
    # (data-say-with), the next one first, then the row under them with Our rules.
    assert _say(page, "say-home") == "Hello Amira. My lessons"
    assert _parts(page) == [
        f"This one next. {target.title.text}",
        maps.next_first(session, pupil, lessons, today=utcnow().date())[1].lesson.title.text,
    ]
    assert 'id="home-nav" data-say-with="say-home"' in page
    assert 'data-read-to-me="say-home"' in page


def test_home_follows_the_pathway_when_staff_have_not_chosen(app: Flask, session: Session) -> None:
    oak = make_class(session)
    pre_formal = make_pupil(session, oak, pathway=Pathway.PRE_FORMAL)
    formal = make_pupil(session, oak, pathway=Pathway.FORMAL)
    session.commit()
    assert len(TILE.findall(_home(app, session, pre_formal))) == 1
    assert "lesson-tiles just-one" in _home(app, session, pre_formal)
    everything = len(maps.pupil_map(session, formal, all_lessons(session), today=utcnow().date()))
    assert len(TILE.findall(_home(app, session, formal))) == everything


def test_an_adult_has_seen_your_worry_is_said_in_order_with_its_ok(
    app: Flask, session: Session, monkeypatch: Any
) -> None:
    news = views.worry_services.WorryNews(seen_due=True, coming=None)
    monkeypatch.setattr(views.worry_services, "worry_news", lambda _db, _pupil: news)
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Ben", pathway=Pathway.PRE_FORMAL)
    session.commit()
    page = _home(app, session, pupil)
    assert _say(page, "say-home") == "Hello Ben. An adult has seen your worry. OK. My lessons"
    assert _parts(page)[0].startswith("This one next. ")


def test_start_screen_reads_the_question_then_every_name_in_tile_order(
    app: Flask, session: Session
) -> None:
    oak = make_class(session)
    for first_name in ("Zara", "Amira", "Ben"):
        make_pupil(session, oak, first_name=first_name)
    _, token = make_device(session, oak)
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    page = ipad.get("/class-ipad").data.decode()
    assert _say(page, "say-start") == "Who are you? Amira. Ben. Zara"
    assert 'data-read-to-me="say-start"' in page


def test_every_lesson_tile_on_home_has_a_speaker_that_says_it_without_opening_it(
    app: Flask, session: Session
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak, pathway=Pathway.FORMAL)
    session.commit()
    page = _home(app, session, pupil)
    tiles = page[page.index('class="tiles lesson-tiles') :].split("</ul>", 1)[0].split("<li")[1:]
    assert len(tiles) == len(TILE.findall(page)) > 1
    for i, tile in enumerate(tiles):
        hear = re.search(r'data-hear="([^"]*)"', tile)
        speak = re.search(r'class="card-speaker"[^>]*data-speak="([^"]*)"', tile)
        assert hear is not None
        assert speak is not None, f"tile {i} has no speaker"
        assert speak.group(1) == hear.group(1)
        assert speak.group(1).startswith("This one next. ") == (i == 0)
