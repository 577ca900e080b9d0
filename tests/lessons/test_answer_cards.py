"""Answer cards are symbol-supported word by word (issue 11 item 3): under the card's one big
picture, each key word of its words carries its own small picture, from the same symboliser and
override layers as the question, so a pupil who cannot read sees one picture per word."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.lessons import content
from classroom.lessons.content import ChooseStep
from classroom.symbols import services as symbol_services
from classroom.symbols.symboliser import symbolise
from classroom.symbols.vocabulary import load_vocabulary
from tests.conftest import sign_in
from tests.symbol_helpers import picture_folder
from tests.worry_helpers import make_school, pupil_on_ipad

LESSON = "stop-block-tell"


@dataclass
class Card:
    """What one rendered answer card shows: its name, big picture and words with pictures."""

    name: str
    picture: str = ""
    words: list[tuple[str, str | None]] = field(default_factory=list)  # (word, picture or None)
    buttons_inside: int = 0


MARKS = ",.?!:;'\u2018\u2019\u201c\u201d()"  # kept on a word's label ("'Buy")


class _Cards(HTMLParser):
    """The answer cards of a page, and the pictures of the question's words (#step-text)."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[Card] = []
        self.question: dict[str, str] = {}  # word (lower case) -> picture
        self._in_card = 0  # element depth inside the card being read
        self._in_question = 0
        self._chunk_picture: str | None = None
        self._in_label = False
        self._word_picture: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if self._in_card:
            self._card_tag(tag, a, classes)
        elif self._in_question:
            self._question_tag(tag, a, classes)
        elif tag == "button" and "choice-card" in classes:
            self.cards.append(Card(a.get("aria-label", "")))
            self._in_card = 1
        elif a.get("id") == "step-text":
            self._in_question = 1

    def _card_tag(self, tag: str, a: dict[str, str], classes: list[str]) -> None:
        if tag == "img" and "card-picture" in classes:
            self.cards[-1].picture = a["src"]
        elif tag == "img":
            self._chunk_picture = a["src"]
        elif tag == "button":
            self.cards[-1].buttons_inside += 1
        self._in_label = "sym-label" in classes
        if tag not in ("img",):
            self._in_card += 1

    def _question_tag(self, tag: str, a: dict[str, str], classes: list[str]) -> None:
        if tag == "img":
            self._word_picture = a["src"]
        self._in_label = "sym-label" in classes
        if tag != "img":
            self._in_question += 1

    def handle_endtag(self, tag: str) -> None:  # noqa: ARG002 - HTMLParser's signature
        self._in_label = False
        if self._in_card:
            self._in_card -= 1
        elif self._in_question:
            self._in_question -= 1

    def handle_data(self, data: str) -> None:
        if not self._in_label:
            return
        if self._in_card:
            self.cards[-1].words.append((data, self._chunk_picture))
            self._chunk_picture = None
        elif self._in_question:
            if self._word_picture:
                self.question[data.lower().strip(MARKS)] = self._word_picture  # "tell?"
            self._word_picture = None


def _cards_on(page: str) -> _Cards:
    found = _Cards()
    found.feed(page)
    return found


def _choose_step(app: Flask) -> tuple[int, ChooseStep]:
    """The first semi-formal choose step of the lesson whose cards have a function word."""
    version = app.extensions["lessons"].get(LESSON).version(content.Pathway("semi_formal"))
    function_words = load_vocabulary().function_words
    for number, step in enumerate(version.steps, 1):
        if isinstance(step, ChooseStep) and any(
            word.lower() in function_words
            for option in step.options
            for word in option.text.text.replace(",", " ").split()
        ):
            return number, step
    raise AssertionError("the lesson has no choose step with a function word on a card")


def _start_at(ipad: FlaskClient, number: int) -> tuple[str, str]:
    """Start the lesson and open step `number`: its address and its page."""
    started = ipad.post(f"/pupil/lessons/{LESSON}/start")
    assert started.status_code == 302
    url = str(started.location).replace("/steps/1", f"/steps/{number}")
    response = ipad.get(url)
    assert response.status_code == 200
    return url, response.data.decode()


def _step_page(ipad: FlaskClient, number: int) -> str:
    return _start_at(ipad, number)[1]


def _image(app: Flask, code: str) -> str:
    with app.test_request_context():
        return str(app.url_for("symbols.image", code=code))


def test_each_key_word_on_a_card_has_its_picture_and_function_words_have_none(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    number, step = _choose_step(app)
    cards = _cards_on(_step_page(pupil_on_ipad(app, school), number)).cards
    assert sorted(c.name for c in cards) == sorted(o.text.text for o in step.options)
    for card in cards:
        option = next(o for o in step.options if o.text.text == card.name)
        # The card keeps its one big picture: the meaning of the whole answer.
        assert card.picture == _image(app, option.symbol)
        expected = [
            (t.text, _image(app, t.symbol) if t.symbol and t.symbol != option.symbol else None)
            for t in symbolise(card.name)
            if t.is_word
        ]
        # A mark after a word stays on its label: "Yes," then "tell".
        assert [(w.rstrip(",.?!"), p) for w, p in card.words] == expected
        assert "".join(w for w, _ in card.words).replace(" ", "") == card.name.replace(" ", "")
        # Not a picture-less card: the key words show pictures, the function words none.
        assert any(picture for _, picture in card.words)
        assert card.buttons_inside == 0  # the words are not buttons: one target per card
    function_words = load_vocabulary().function_words
    on_cards = [(w, p) for card in cards for w, p in card.words]
    assert any(w.lower() in function_words for w, _ in on_cards)
    assert all(p is None for w, p in on_cards if w.lower() in function_words)


def test_the_question_and_its_card_show_the_pupils_own_picture_for_a_shared_word(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    number, step = _choose_step(app)
    question = {t.text.lower() for t in symbolise(step.text.text) if t.is_word and t.symbol}
    shared = sorted(
        t.text.lower()
        for o in step.options
        for t in symbolise(o.text.text)
        if t.is_word and t.symbol and t.text.lower() in question
    )
    assert shared, "the step's question and cards share no pictured word"
    word = shared[0]
    # Staff choose another picture for this word for this pupil: both places follow it.
    symbol_services.set_override(
        session,
        school.teacher,
        word,
        "1F4AC",
        pupil=school.pupil,
        picture_folder=picture_folder(),
        now=utcnow(),
    )
    session.commit()
    page = _cards_on(_step_page(pupil_on_ipad(app, school), number))
    assert page.question[word] == _image(app, "1F4AC")
    on_cards = [p for card in page.cards for w, p in card.words if w.lower().strip(",.") == word]
    assert on_cards
    assert on_cards == [_image(app, "1F4AC")] * len(on_cards)


def test_the_staff_preview_shows_the_same_word_pictures_on_its_cards(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    school = make_school(session)
    number, step = _choose_step(app)
    assert sign_in(client, school.teacher.username).status_code == 302
    response = client.get(f"/authoring/preview/{LESSON}/semi_formal/{number}")
    assert response.status_code == 200
    cards = _cards_on(response.data.decode()).cards
    assert sorted(c.name for c in cards) == sorted(o.text.text for o in step.options)
    for card in cards:
        option = next(o for o in step.options if o.text.text == card.name)
        assert [(w.rstrip(",.?!"), p) for w, p in card.words] == [
            (t.text, _image(app, t.symbol) if t.symbol and t.symbol != option.symbol else None)
            for t in symbolise(card.name)
            if t.is_word
        ]


def _words_with_pictures(page: str, element_id: str) -> list[str]:
    """The words of one symbolised line that carry a picture (word buttons with an img)."""
    start = page.index(f'id="{element_id}"')
    line = page[start : page.index("</p>", start)]
    return re.findall(r'<img class="sym-img"[^>]*><span class="sym-label">([^<]+)</span>', line)


def test_the_hint_a_problem_the_feedback_and_next_are_symbol_supported(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    number, step = _choose_step(app)
    ipad = pupil_on_ipad(app, school)
    url, _ = _start_at(ipad, number)
    wrong = next(i for i, o in enumerate(step.options, 1) if not o.correct)
    hint = ipad.post(url, data={"answer": f"o{wrong}", "tries": "1", "key": "a"}).data.decode()
    assert "look" in _words_with_pictures(hint, "hint-text")
    odd = ipad.post(url, data={"answer": "o99", "tries": "1", "key": "b"})
    assert odd.status_code == 400
    assert _words_with_pictures(odd.data.decode(), "problem-text")
    right = next(i for i, o in enumerate(step.options, 1) if o.correct)
    done = ipad.post(url, data={"answer": f"o{right}", "tries": "2", "key": "c"}).data.decode()
    assert _words_with_pictures(done, "feedback-text")
    # Next and My lessons say their words with pictures too, not a lone arrow and plain text.
    nav = done[done.index('class="step-nav"') :]
    assert re.search(r'big-next"[^>]*><span class="sym-chunks[^>]*>.*?<img class="sym-img"', nav)
    assert re.search(r'home-link"[^>]*><span class="sym-chunks[^>]*>.*?<img class="sym-img"', nav)
