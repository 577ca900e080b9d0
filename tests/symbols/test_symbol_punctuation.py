"""Marks stay on their words: a pupil never sees a quote mark, bracket or "!" standing alone as a
"word" (the walk found "says ' Buy gems'." with the "'" a chunk of its own, and "'Share" on a
card heard as "share"). The word is still looked up, and said, without its marks."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask, render_template_string
from sqlalchemy.orm import Session

from classroom.symbols.cache import cached_symbolise
from classroom.symbols.spoken import name, spoken
from classroom.symbols.symboliser import marks_on_words, symbolise
from tests.worry_helpers import make_school, pupil_on_ipad

_LETTER = re.compile(r"[^\W_]")


def chunks(text: str) -> list[str]:
    """What the pupil sees as separate pieces: each word with its marks, and any text between
    words that is more than spaces."""
    return [t.text.strip() for t in marks_on_words(symbolise(text)) if t.text.strip()]


@pytest.mark.parametrize(
    ("text", "seen"),
    [
        ("The game says 'Buy gems'. What?", ["The", "game", "says", "'Buy", "gems'.", "What?"]),
        (
            "A post says 'Chocolate stops colds! Share now!' How?",
            ["A", "post", "says", "'Chocolate", "stops", "colds!", "Share", "now!'", "How?"],
        ),
        ("\u2018Share\u2019 it \u201cnow\u201d", ["\u2018Share\u2019", "it", "\u201cnow\u201d"]),
        ("Ask (or not) first:", ["Ask", "(or", "not)", "first:"]),
        ("Wait... no \u2014 stop, go", ["Wait...", "no \u2014", "stop,", "go"]),
        ("Well\u2026 ok", ["Well\u2026", "ok"]),
        ("(Stop!)", ["(Stop!)"]),
        ("don't, it's the pupil's", ["don't,", "it's", "the", "pupil's"]),
        ("It costs \u00a35 at 10pm.", ["It", "costs", "\u00a35", "at", "10pm."]),
        ("and/or", ["and/", "or"]),
    ],
)
def test_opening_marks_go_with_the_next_word_and_closing_ones_with_the_last(
    text: str, seen: list[str]
) -> None:
    assert chunks(text) == seen
    assert all(_LETTER.search(chunk) for chunk in chunks(text))  # no chunk is marks alone


def test_the_word_is_looked_up_and_said_without_its_marks() -> None:
    tokens = marks_on_words(symbolise("A post says 'Share now!'"))
    share = next(t for t in tokens if t.is_word and t.text == "'Share")
    bare = next(t for t in symbolise("Share") if t.is_word)
    assert (share.word, share.key, share.symbol) == ("Share", "share", bare.symbol)
    assert share.symbol is not None
    now = next(t for t in tokens if t.is_word and t.word == "now")
    assert now.text == "now!'"


def test_the_text_comes_back_whole_and_marking_twice_changes_nothing() -> None:
    text = " 'Hi', (she) said \u2014 \u201cgo!\u201d ...  "
    once = marks_on_words(symbolise(text))
    assert "".join(t.text for t in once) == text
    assert marks_on_words(once) == once


def test_marks_with_no_word_to_go_to_stay_between_words() -> None:
    """A piece that starts with ", " after a name (spoken.py joins them) keeps its comma for the
    name; a text of marks only is left as it is."""
    assert [t.text for t in marks_on_words(symbolise(", tap"))] == [", ", "tap"]
    assert [t.text for t in marks_on_words(symbolise("?!"))] == ["?!"]
    (piece,) = spoken([[name("Sam"), ", tap your pictures"]]).pieces
    assert [p.text for p in piece.parts()][:3] == ["Sam", ", ", "tap"]
    (joined,) = spoken([["It says (", " Sam", ") now"]]).pieces  # two gaps side by side
    shown = marks_on_words(joined.tokens)
    assert "".join(t.text for t in shown) == joined.text == "It says ( Sam) now"


def render(app: Flask, source: str, **context: object) -> str:
    with app.test_request_context():
        return render_template_string(
            '{% import "_macros/symbols.html" as sym %}' + source, **context
        )


def _labels(html: str) -> list[str]:
    return [unescape(s) for s in re.findall(r'class="sym-label">([^<]*)<', html)]


def _gaps(html: str) -> list[str]:
    return [unescape(s) for s in re.findall(r'class="sym-gap">([^<]*)<', html)]


def test_a_sentence_shows_the_mark_on_its_word_and_says_the_word(app: Flask) -> None:
    text = "The game says 'Buy gems'. What do you do?"
    html = render(app, "{{ sym.symbolised(symbolise(text), 'large', 'q') }}", text=text)
    assert _labels(html) == ["The", "game", "says", "'Buy", "gems'.", "What", "do", "you", "do?"]
    assert all(not gap.strip() for gap in _gaps(html))
    buy = re.search(
        r'data-say="([^"]*)" data-offset="(\d+)">(?:(?!</button>).)*"sym-label">&#39;Buy<', html
    )
    assert buy is not None
    assert buy.group(1) == "Buy"  # tapped, it says the word
    assert int(buy.group(2)) == text.index("'Buy")  # lit from its mark, before the word's sound
    assert 'data-say="The game says &#39;Buy gems&#39;. What do you do?"' in html


def test_spoken_words_and_labels_keep_marks_on_their_words(app: Flask) -> None:
    script = spoken(["Which is fake?", "It says 'Share now before it is deleted!'"])
    html = render(app, "{{ sym.words(p) }}|{{ sym.labels(p) }}", p=script[1])
    buttons, labels = html.split("|")
    for part in (buttons, labels):
        assert "'Share" in _labels(part)
        assert "deleted!'" in _labels(part)
        assert all(not gap.strip() for gap in _gaps(part))
    start = script[1].start + script[1].text.index("'Share")
    assert f'data-say="Share" data-offset="{start}"' in buttons
    assert [p.say for p in script[1].parts() if p.is_word][2] == "Share"


def test_the_template_symbolise_gives_the_shown_tokens(app: Flask) -> None:
    with app.test_request_context():
        tokens = cached_symbolise("says 'Buy")
    assert [t.text for t in tokens] == ["says", " ", "'Buy"]


def test_the_games_chat_spending_question_shows_no_mark_alone(app: Flask, session: Session) -> None:
    """The real screen the walk found: semi-formal step 2, "The game says 'Buy gems'."."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    started = ipad.post("/pupil/lessons/games-chat-spending/start")
    assert started.status_code == 302
    page = ipad.get(str(started.location).replace("/steps/1", "/steps/2"))
    assert page.status_code == 200
    html = page.data.decode()
    assert "Buy gems" in html.replace("&#39;", "'")
    labels = _labels(html)
    assert "'Buy" in labels
    assert "gems'." in labels
    assert [label for label in labels if label.strip() and not _LETTER.search(label)] == []
    assert [gap for gap in _gaps(html) if gap.strip()] == []


def test_an_answer_card_shows_the_quote_on_its_word(app: Flask) -> None:
    """is-it-true, formal step 3: "It says 'Share now before it is deleted!'" on a card."""
    words = "It says 'Share now before it is deleted!'"
    html = render(
        app,
        '{% from "lessons/_card.html" import card_words %}{{ card_words(w, symbolise(w)) }}',
        w=words,
    )
    labels = _labels(html)
    assert labels == ["It", "says", "'Share", "now", "before", "it", "is", "deleted!'"]
    assert [gap for gap in _gaps(html) if gap.strip()] == []
