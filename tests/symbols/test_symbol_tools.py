"""The staff symbol tools: the text tool, the chooser, who may change what, and pupil screens."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.accounts.passwords import hash_password
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.devices.web import cookie_name
from classroom.pupils.models import Pupil, Scanning, SchoolClass
from classroom.symbols import services
from classroom.symbols.models import SymbolOverride
from tests import corpora, factories
from tests.symbol_helpers import picture_folder

Login = Callable[..., Account]


@pytest.fixture
def oak(session: Session) -> SchoolClass:
    return factories.make_class(session, name="Oak")


@pytest.fixture
def willow(session: Session) -> SchoolClass:
    return factories.make_class(session, name="Willow")


@pytest.fixture
def amira(session: Session, oak: SchoolClass) -> Pupil:
    return factories.make_pupil(session, oak, first_name="Amira")


def _rows(session: Session) -> list[SymbolOverride]:
    return list(session.scalars(select(SymbolOverride).order_by(SymbolOverride.id)))


def _choose(client: FlaskClient, phrase: str, symbol: str, layer: str) -> tuple[int, str]:
    response = client.post(
        "/symbols/choices", data={"phrase": phrase, "symbol": symbol, "layer": layer}
    )
    return response.status_code, response.data.decode()


# --- The text tool --------------------------------------------------------------------------


def test_text_tool_shows_each_word_with_its_symbol_to_hear_and_print(
    client: FlaskClient, login_as: Login, oak: SchoolClass
) -> None:
    login_as(Role.TEACHER, classes=[oak])
    page = client.get("/symbols/text", query_string={"text": "Tell a trusted adult."})
    html = page.data.decode()
    assert page.status_code == 200
    assert 'src="/symbols/trusted-adult.svg"' in html
    assert 'data-say="Tell a trusted adult."' in html
    assert 'data-read-to-me="symbol-output-text"' in html
    assert "data-print" in html
    assert "/symbols/choose?phrase=trusted+adult" in html


def test_text_tool_shows_a_class_choice_only_for_that_class(
    client: FlaskClient, login_as: Login, session: Session, oak: SchoolClass
) -> None:
    teacher = login_as(Role.TEACHER, classes=[oak])
    services.set_override(
        session,
        teacher,
        "adult",
        "1F984",
        school_class=oak,
        picture_folder=picture_folder(),
        now=utcnow(),
    )
    query = {"text": "an adult", "layer": f"class-{oak.id}"}
    assert "/symbols/1F984.svg" in client.get("/symbols/text", query_string=query).data.decode()
    query["layer"] = "school"
    assert "/symbols/1F984.svg" not in client.get("/symbols/text", query_string=query).data.decode()


def test_text_tool_prints_a_strip_with_one_pupils_own_pictures(
    client: FlaskClient, login_as: Login, session: Session, amira: Pupil, willow: SchoolClass
) -> None:
    # A strip printed for Amira shows the picture she knows, not the class's; the text page
    # lists her among the layers (audited as a pupil list), never another class's pupil.
    teacher = login_as(Role.TEACHER, classes=[amira.school_class])
    ben = factories.make_pupil(session, willow, first_name="Ben")
    services.set_override(
        session, teacher, "adult", "1F984", pupil=amira, picture_folder=picture_folder(),
        now=utcnow(),
    )
    page = client.get("/symbols/text").data.decode()
    assert f'value="pupil-{amira.id}"' in page
    assert f'value="pupil-{ben.id}"' not in page
    query = {"text": "an adult", "layer": f"pupil-{amira.id}"}
    shown = client.get("/symbols/text", query_string=query).data.decode()
    assert "/symbols/1F984.svg" in shown
    assert f"The pictures chosen for {amira.full_name}." in shown
    query["layer"] = f"class-{amira.school_class.id}"
    assert "/symbols/1F984.svg" not in client.get("/symbols/text", query_string=query).data.decode()
    query["layer"] = f"pupil-{ben.id}"
    assert client.get("/symbols/text", query_string=query).status_code == 400
    summaries = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "pupils.list_viewed")
    ).all()
    assert any("symbols text tool" in (summary or "") for summary in summaries)


def test_a_word_changed_from_the_text_page_is_changed_for_the_pupil_shown(
    client: FlaskClient, login_as: Login, session: Session, amira: Pupil
) -> None:
    # The chooser opens on the pictures the text page shows (Amira's), and coming back the
    # page shows her new picture with a note naming whom it was for.
    login_as(Role.TEACHER, classes=[amira.school_class])
    layer = f"pupil-{amira.id}"
    page = client.get("/symbols/text", query_string={"text": "a cat", "layer": layer})
    link = _href_containing(page.data.decode(), "phrase=cat")
    assert f"layer={layer}" in link
    chooser = client.get(link).data.decode()
    assert f'<option selected value="{layer}"' in chooser
    back = _input_value(chooser, "next")
    saved = client.post(
        "/symbols/choices",
        data={"phrase": "cat", "symbol": "1F984", "layer": layer, "next": back},
    )
    assert saved.status_code == 302
    again = client.get(saved.location).data.decode()
    assert f"Saved: the picture for &ldquo;cat&rdquo; for {amira.full_name}." in again
    assert "/symbols/1F984.svg" in again
    (row,) = _rows(session)
    assert row.pupil_id == amira.id


def _href_containing(html: str, part: str) -> str:
    links = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html) if part in h]
    assert links, f"no link with {part}"
    return links[0]


def _input_value(html: str, name: str) -> str:
    pattern = rf'name="{name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="{name}"'
    found = re.search(pattern, html)
    assert found, f"no input {name}"
    return (found.group(1) or found.group(2)).replace("&amp;", "&")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"text": "x" * 1001}, "Text must be 1,000 characters or fewer - it has 1,001"),
        ({"text": "cat", "size": "huge"}, "Not a valid choice"),
        ({"text": "cat", "layout": "poster"}, "Not a valid choice"),
        ({"text": "cat", "layer": "class-999"}, "Not a valid choice"),
    ],
)
def test_text_tool_refuses_bad_input_with_a_message(
    client: FlaskClient, login_as: Login, query: dict[str, str], message: str
) -> None:
    login_as(Role.TEACHER)
    response = client.get("/symbols/text", query_string=query)
    assert response.status_code == 400
    assert message in response.data.decode()


class _Output(HTMLParser):
    """The tags and text inside the tool's output element (id="symbol-output-text")."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.text: list[str] = []
        self.say = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0 and ("id", "symbol-output-text") in attrs:
            self.say = dict(attrs).get("data-say") or ""
            self.depth = 1
            return
        if self.depth:
            self.tags.add(tag)
            self.attributes.update(name for name, _ in attrs)
            self.depth += tag != "img"  # the only void element the output holds

    def handle_endtag(self, tag: str) -> None:  # noqa: ARG002 - HTMLParser's signature
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.text.append(data)


def _batches(lines: list[str], limit: int = 1000) -> Iterator[str]:
    batch: list[str] = []
    for line in lines:
        if batch and len("\n".join([*batch, line])) > limit:
            yield "\n".join(batch)
            batch = []
        batch.append(line)
    if batch:
        yield "\n".join(batch)


def test_xss_corpus_typed_into_the_tool_comes_back_as_text(
    client: FlaskClient, login_as: Login
) -> None:
    login_as(Role.TEACHER)
    lines = corpora.lines("xss.txt")
    assert len(lines) > 600
    for text in _batches(lines):
        response = client.get("/symbols/text", query_string={"text": text})
        assert response.status_code == 200
        output = _Output()
        output.feed(response.data.decode())
        assert "".join(output.text) == text
        assert output.say == text
        assert output.tags <= {"button", "img", "span"}
        allowed = {"type", "class", "data-say", "data-offset", "src", "alt", "width", "height"}
        assert output.attributes <= allowed


# --- The chooser ----------------------------------------------------------------------------


def test_chooser_offers_the_word_lists_pictures_and_a_search(
    client: FlaskClient, login_as: Login, oak: SchoolClass
) -> None:
    login_as(Role.TEACHER, classes=[oak])
    query = {"phrase": "worried", "layer": f"class-{oak.id}"}
    html = client.get("/symbols/choose", query_string=query).data.decode()
    for code in ("1F61F", "1F625", "worry"):
        assert f'value="{code}"' in html
    assert 'value="hidden"' in html
    query["search"] = "happy"
    html = client.get("/symbols/choose", query_string=query).data.decode()
    assert 'value="1F600"' in html


def test_teacher_sets_a_class_symbol_and_it_is_audited(
    client: FlaskClient, login_as: Login, session: Session, oak: SchoolClass
) -> None:
    login_as(Role.TEACHER, classes=[oak])
    data = {"phrase": "Worried", "symbol": "1F622", "layer": f"class-{oak.id}"}
    response = client.post("/symbols/choices", data=data)
    assert response.status_code == 302
    assert "saved=1" in response.location
    (row,) = _rows(session)
    assert (row.class_id, row.pupil_id, row.phrase) == (oak.id, None, "worried")
    assert row.symbol == "1F622"
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "symbols.override_set" in actions
    page = client.get(response.location).data.decode()
    assert "Saved." in page
    assert "/symbols/1F622.svg" in page


def test_teacher_cannot_set_a_school_wide_symbol(
    client: FlaskClient, login_as: Login, session: Session, oak: SchoolClass
) -> None:
    login_as(Role.TEACHER, classes=[oak])
    assert _choose(client, "sad", "1F622", "school")[0] == 403
    assert client.get("/symbols/choose", query_string={"layer": "school"}).status_code == 400
    assert _rows(session) == []


def test_teacher_cannot_set_a_symbol_for_another_classs_pupil(
    client: FlaskClient, login_as: Login, session: Session, oak: SchoolClass, willow: SchoolClass
) -> None:
    elsewhere = factories.make_pupil(session, willow)
    login_as(Role.TEACHER, classes=[oak])
    assert _choose(client, "sad", "1F622", f"pupil-{elsewhere.id}")[0] == 404
    assert _choose(client, "sad", "1F622", f"class-{willow.id}")[0] == 404
    assert _rows(session) == []


def test_headteacher_sets_a_school_wide_symbol(
    client: FlaskClient, login_as: Login, session: Session
) -> None:
    login_as(Role.HEADTEACHER)
    assert _choose(client, "sad", "1F622", "school")[0] == 302
    (row,) = _rows(session)
    assert (row.class_id, row.pupil_id, row.symbol) == (None, None, "1F622")


def test_a_word_can_be_hidden_then_cleared(
    client: FlaskClient, login_as: Login, session: Session, amira: Pupil
) -> None:
    login_as(Role.TEACHER, classes=[amira.school_class])
    layer = f"pupil-{amira.id}"
    assert _choose(client, "cat", "hidden", layer)[0] == 302
    (row,) = _rows(session)
    assert (row.pupil_id, row.symbol) == (amira.id, None)
    page = client.get("/symbols/choose", query_string={"layer": layer}).data.decode()
    assert "No picture" in page
    cleared = client.post("/symbols/choices/clear", data={"phrase": "cat", "layer": layer})
    assert cleared.status_code == 302
    assert "cleared=1" in cleared.location
    assert _rows(session) == []
    again = client.post("/symbols/choices/clear", data={"phrase": "cat", "layer": layer})
    assert "unchanged=1" in again.location
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "symbols.override_cleared" in actions
    assert "symbols.pupil_choices_viewed" in actions


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phrase": "cat", "symbol": "NOPE", "layer": "school"}, "Choose one of the symbols"),
        ({"phrase": "cat", "layer": "school"}, "Choose one of the symbols"),
        ({"phrase": "a b c d e f", "symbol": "1F431", "layer": "school"}, "at most 5 words"),
        ({"phrase": "", "symbol": "1F431", "layer": "school"}, "Type the word or phrase"),
        ({"phrase": "cat", "symbol": "1F431", "layer": "bogus"}, "Choose who the symbol is for."),
    ],
)
def test_bad_choices_get_a_clear_message(
    client: FlaskClient, login_as: Login, session: Session, data: dict[str, str], message: str
) -> None:
    login_as(Role.HEADTEACHER)
    response = client.post("/symbols/choices", data=data)
    assert response.status_code == 400
    assert message in response.data.decode()
    assert _rows(session) == []


def test_who_may_open_the_tools(client: FlaskClient, login_as: Login) -> None:
    login_as(Role.GOVERNOR)
    assert client.get("/symbols/choose").status_code == 403
    assert client.get("/symbols/text").status_code == 200  # any staff may make a symbol strip
    assert b'href="/symbols/text"' not in client.get("/pupils/").data  # the nav link: chooser


def test_a_teacher_without_a_class_is_told_why_there_is_nothing_to_choose(
    client: FlaskClient, login_as: Login
) -> None:
    login_as(Role.TEACHER)
    page = client.get("/symbols/choose")
    assert page.status_code == 200
    assert "You cannot choose symbols for any class or pupil yet." in page.data.decode()
    assert b'href="/symbols/text"' in client.get("/pupils/").data


# --- What pupils see --------------------------------------------------------------------------


def _pupil_on_ipad(app: Flask, session: Session, pupil: Pupil) -> FlaskClient:
    _device, token = factories.make_device(session, pupil.school_class)
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    assert ipad.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    return ipad


def test_a_pupils_symbol_shows_on_that_pupils_pages_only(
    app: Flask, client: FlaskClient, login_as: Login, session: Session, amira: Pupil
) -> None:
    classmate = factories.make_pupil(session, amira.school_class)
    login_as(Role.TEACHER, classes=[amira.school_class])
    assert _choose(client, "happened", "1F4A5", f"pupil-{amira.id}")[0] == 302
    assert _choose(client, "finished", "1F3C6", f"pupil-{amira.id}")[0] == 302
    mine = _pupil_on_ipad(app, session, amira).get("/pupil/worry").data.decode()
    assert "/symbols/1F4A5.svg" in mine  # "What happened?"
    assert "/symbols/1F3C6.svg" in mine  # the Finished button, on every pupil screen
    theirs = _pupil_on_ipad(app, session, classmate).get("/pupil/worry").data.decode()
    assert "/symbols/1F4A5.svg" not in theirs
    assert "/symbols/1F3C6.svg" not in theirs


def test_pupil_screens_symbolise_their_words_and_can_be_read_aloud(
    app: Flask, session: Session, amira: Pupil
) -> None:
    ipad = _pupil_on_ipad(app, session, amira)
    flow = ipad.get("/pupil/worry").data.decode()
    assert 'aria-label="Report a worry"' in flow
    assert 'data-read-to-me="say-what"' in flow
    assert 'data-say="What happened? Someone was unkind. I saw something upsetting.' in flow
    assert "/symbols/1F494.svg" in flow  # "unkind", on its choice card
    assert "<button" not in flow.split('class="choice-card"', 1)[1].split("</label>", 1)[0]
    thanks = ipad.get("/pupil/worry/thanks").data.decode()
    assert 'aria-label="Thank you for telling."' in thanks
    assert 'data-say="Thank you for telling. A trusted adult will talk to you."' in thanks


def test_the_start_screen_uses_the_class_choices(
    app: Flask, login_as: Login, client: FlaskClient, session: Session, amira: Pupil
) -> None:
    login_as(Role.TEACHER, classes=[amira.school_class])
    assert _choose(client, "who", "1F984", f"class-{amira.school_class.id}")[0] == 302
    _device, token = factories.make_device(session, amira.school_class)
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    start = ipad.get("/class-ipad").data.decode()
    assert 'aria-label="Who are you?"' in start
    assert "/symbols/1F984.svg" in start
    assert 'data-read-to-me="say-start"' in start


def test_tool_pages_have_no_inline_script_or_style(
    client: FlaskClient, login_as: Login, amira: Pupil
) -> None:
    login_as(Role.HEADTEACHER)
    for path in (
        "/symbols/text?text=Stop%2C+block+and+tell",
        f"/symbols/choose?phrase=sad&layer=pupil-{amira.id}",
    ):
        html = client.get(path).data.decode()
        for forbidden in ("<script>", " style=", "onclick"):
            assert forbidden not in html, path


def test_a_switch_user_can_scan_their_picture_password_before_signing_in(
    app: Flask, session: Session, amira: Pupil
) -> None:
    amira.scanning, amira.scan_interval_ms = Scanning.AUTO, 3000
    amira.picture_password_hash, amira.picture_password_length = hash_password("1F431,1F436"), 2
    _device, token = factories.make_device(session, amira.school_class)
    session.commit()
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    start = ipad.get("/class-ipad").data.decode()
    assert "data-scanning" not in start  # nobody is known yet: ordinary keys and touch
    tapped = ipad.post(f"/class-ipad/pupils/{amira.id}")  # her tile
    page = ipad.get(tapped.location).data.decode()
    assert 'data-scanning="auto" data-scan-interval="3000"' in page
    assert 'aria-label="Amira, tap your pictures"' in page
