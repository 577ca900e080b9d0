"""Symbol pictures over HTTP, and the macro that renders symbol-supported text."""

from __future__ import annotations

import re

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from classroom.symbols.symboliser import symbolise

MACRO = '{% import "_macros/symbols.html" as sym %}'


def render(app: Flask, source: str, **context: object) -> str:
    with app.test_request_context():
        return render_template_string(MACRO + source, **context)


def test_our_own_and_openmoji_pictures_are_served(client: FlaskClient) -> None:
    for code in ("trusted-adult", "1F431", "1F9D1-200D-1F3EB"):
        with client.get(f"/symbols/{code}.svg") as response:
            assert response.status_code == 200
            assert response.mimetype == "image/svg+xml"
            assert b"viewBox" in response.data


@pytest.mark.parametrize("code", ["1FFFF", "..%2Fvocabulary", "Trusted-Adult", "a" * 60])
def test_unknown_or_crafted_codes_are_not_found(client: FlaskClient, code: str) -> None:
    with client.get(f"/symbols/{code}.svg") as response:
        assert response.status_code == 404


def test_each_word_is_a_button_named_by_its_visible_word(app: Flask) -> None:
    html = render(app, "{{ sym.symbolised(symbolise('Tell a trusted adult.'), 'large', 'say-1') }}")
    buttons = re.findall(r"<button[^>]*>.*?</button>", html, re.S)
    assert len(buttons) == 3  # "Tell", "a", "trusted adult"
    trusted = buttons[2]
    assert 'type="button"' in trusted
    assert 'class="sym-word"' in trusted
    assert 'data-say="trusted adult"' in trusted
    assert 'data-offset="7"' in trusted
    assert 'src="/symbols/trusted-adult.svg"' in trusted
    assert 'alt=""' in trusted
    assert '<span class="sym-label">trusted adult.</span>' in trusted  # its mark on it
    assert "<img" not in buttons[1]  # "a" is a function word: a button, but no picture
    assert 'id="say-1"' in html
    assert 'data-say="Tell a trusted adult."' in html
    assert "sym-size-large" in html


def test_all_text_is_escaped(app: Flask) -> None:
    text = '<img src=x onerror="alert(1)"> Stop & tell "now" \'ok\''
    html = render(app, "{{ sym.symbolised(symbolise(text)) }}", text=text)
    assert "<img src=x" not in html
    assert 'onerror="' not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "&amp;" in html
    assert 'data-say="&#34;now&#34;"' not in html  # quotes are outside the word
    assert 'data-say="now"' in html


def test_sizes_follow_the_pupil_setting_and_unknown_values_fall_back(app: Flask) -> None:
    tokens = symbolise("cat")
    for size, pixels in (("medium", 64), ("large", 96), ("extra_large", 128)):
        html = render(app, "{{ sym.symbolised(tokens, size) }}", tokens=tokens, size=size)
        assert f"sym-size-{size}" in html
        assert f'width="{pixels}"' in html
    html = render(
        app, '{{ sym.symbolised(tokens, "huge\\" onclick=\\"x", tag="script") }}', tokens=tokens
    )
    assert "sym-size-large" in html
    assert html.startswith("<p ")
    assert "onclick" not in html


def test_read_to_me_and_the_staff_warning(app: Flask) -> None:
    html = render(app, "{{ sym.read_to_me('say-1') }}{{ sym.speech_warning(True) }}")
    assert 'data-read-to-me="say-1"' in html
    assert 'aria-controls="say-1"' in html
    assert '<span class="sym-label">Read to me</span>' in html
    assert "data-staff-warning hidden" in html
    shown = render(app, "{{ sym.speech_warning(False) }}")
    assert "data-staff-warning hidden" not in shown
    assert "data-staff-warning" in shown


def test_no_inline_script_or_style_in_the_markup(app: Flask) -> None:
    html = render(
        app, "{{ sym.symbolised(symbolise('Stop, block, tell!')) }}{{ sym.read_to_me('x') }}"
    )
    assert "<script" not in html
    assert "style=" not in html
    assert re.search(r"\son[a-z]+=", html) is None
