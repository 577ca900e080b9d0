"""Symbol-supported text worked out and rendered once per worker, not on every request.

Lesson and screen text never changes between requests, and a pupil's override layers change
only when staff choose a symbol. So the tokens of a text are kept per (text, layers), and the
HTML of a sentence of word buttons per (tokens, size, ...): the layers' content is part of the
key, so a new symbol choice makes a new key and the old entry simply ages out. The request
layer (symbols/web.py) reads the override layers once per request and hands in the symbol
address each rendering uses.

Every store here lives in the worker's memory only (lru_cache, and the app's fragments in
fragments_web.py): none is written anywhere, so a restart after a change to the symboliser or
these renderings (marks kept on their words, for one) starts from nothing and shows the new
output. A cache that outlived the worker would need the symboliser's version in its key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup, escape

from classroom.symbols.symboliser import OverrideLayers, Token, marks_on_words, symbolise

if TYPE_CHECKING:  # spoken.py imports this module: the type only, to avoid a cycle
    from classroom.symbols.spoken import Piece

SIZES = ("medium", "large", "extra_large")
LABEL_SIZES = ("small", "button", "medium")
TAGS = ("p", "div", "span", "h1", "h2", "h3", "li", "legend")
PIXELS = {"small": 44, "button": 56, "medium": 64, "large": 96, "extra_large": 128}
LayersKey = tuple[tuple[tuple[str, str], ...], ...]
PartFields = tuple[str, int, str | None, bool, str]  # a spoken Part: text, offset, symbol, ...


def layers_key(layers: OverrideLayers) -> LayersKey:
    """The layers as a hashable value: equal choices give equal keys, whatever the objects."""
    if isinstance(layers, RememberedLayers):
        return layers.key()
    return _key_of(layers)


def _key_of(layers: OverrideLayers) -> LayersKey:
    return tuple(tuple(sorted(layer.items())) for layer in layers)


class RememberedLayers(Sequence[Mapping[str, str]]):
    """Layers that work out their key once: a pupil screen asks for it a dozen times or more
    (every spoken script, every chrome part, every cached fragment). The layers of one request
    never change, so neither does their key."""

    _key: LayersKey | None = None

    def key(self) -> LayersKey:
        if self._key is None:
            self._key = _key_of(self)
        return self._key


def cached_symbolise(text: str, overrides: OverrideLayers = (), **options: Any) -> list[Token]:
    """`symbolise` as shown, marks on their words, remembered per (text, layers) in this worker
    (a fresh list each call)."""
    if options:  # a vocabulary or function words given: no caching for the staff tools
        return marks_on_words(symbolise(text, overrides, **options))
    return list(shown(text, layers_key(overrides)))


@lru_cache(maxsize=8192)
def symbolised(text: str, key: LayersKey) -> tuple[Token, ...]:
    """`symbolise`: words and the text between them (spoken.py joins pieces of these)."""
    layers: Sequence[Mapping[str, str]] = [dict(layer) for layer in key]
    return tuple(symbolise(text, layers))


@lru_cache(maxsize=8192)
def shown(text: str, key: LayersKey) -> tuple[Token, ...]:
    """The tokens of a text as a pupil sees them: no mark stands alone between words."""
    return tuple(marks_on_words(symbolised(text, key)))


# --- Rendering ----------------------------------------------------------------------------------


def render_symbolised(
    tokens: Sequence[Token],
    size: str = "large",
    id: str | None = None,  # noqa: A002 - the HTML attribute's name, as the macro has it
    tag: str = "p",
    extra_class: str | None = None,
    *,
    image_base: str,
) -> Markup:
    """The HTML of templates/_macros/symbols.html `symbolised`, rendered once per worker.

    `image_base`: the symbol image address with CODE in place of the symbol's code.
    """
    size = size if size in SIZES else "large"
    tag = tag if tag in TAGS else "p"
    return _render_sentence(tuple(tokens), size, id, tag, extra_class, image_base)


def render_words(parts: Sequence[Any], size: str = "large", *, image_base: str) -> Markup:
    """The word buttons of a spoken piece (templates/_macros/symbols.html `words`), cached."""
    size = size if size in SIZES else "large"
    return _render_parts(_fields(parts), size, image_base)


def render_labels(
    piece: Piece,
    size: str = "small",
    skip: str | None = None,
    fallback: str | None = None,
    *,
    image_base: str,
) -> Markup:
    """The words inside a control (templates/_macros/symbols.html `labels`), rendered once per
    worker: the worry button, Finished and every tile carry the same labels on every page."""
    size = size if size in LABEL_SIZES else "small"
    return _render_labels(piece, size, skip, fallback, image_base)


@lru_cache(maxsize=8192)
def _render_sentence(
    tokens: tuple[Token, ...],
    size: str,
    id: str | None,  # noqa: A002
    tag: str,
    extra_class: str | None,
    image_base: str,
) -> Markup:
    tokens = tuple(marks_on_words(tokens))  # as shown, however the tokens were made
    classes = f"sym-text sym-size-{size}" + (f" {extra_class}" if extra_class else "")
    say = "".join(token.text for token in tokens)
    html = [f'<{tag} class="{escape(classes)}"']
    if id:
        html.append(f' id="{escape(id)}"')
    html.append(f' data-say="{escape(say)}">')
    pieces = []
    offset = 0
    for token in tokens:
        if token.is_word:  # shows its marks ("'Buy"), says the word ("Buy")
            pieces.append(_word(token.text, offset, token.symbol, token.word, size, image_base))
        else:
            pieces.append(_gap(token.text))
        offset += len(token.text)
    html.extend(_kept_together(pieces))
    html.append(f"</{tag}>")
    return Markup("".join(html))  # noqa: S704 - every piece of text above is escaped


@lru_cache(maxsize=8192)
def _render_parts(parts: tuple[PartFields, ...], size: str, image_base: str) -> Markup:
    pieces = [
        _word(text, offset, symbol, say, size, image_base) if is_word else _gap(text)
        for text, offset, symbol, is_word, say in _marks_on_parts(parts)
    ]
    return Markup("".join(_kept_together(pieces)))  # noqa: S704 - all text in it is escaped


@lru_cache(maxsize=8192)
def _render_labels(
    piece: Piece, size: str, skip: str | None, fallback: str | None, image_base: str
) -> Markup:
    parts = _marks_on_parts(_fields(piece.parts()))  # "telling." and "'Share": one label each
    pictured = any(symbol for _, _, symbol, _, _ in parts)
    pixels = PIXELS[size]
    html = [f'<span class="sym-chunks sym-size-{size}">']
    for n, (text, offset, symbol, is_word, _) in enumerate(parts):
        if not is_word:
            html.append(f'<span class="sym-gap">{escape(text)}</span>')
            continue
        # `fallback` pictures a control none of whose words has a symbol, on its first word.
        code = symbol or (fallback if not pictured and n == 0 else None)
        image = ""
        if code and code != skip:
            src = escape(image_base.replace("CODE", quote(code, safe="")))
            image = f'<img class="sym-img" src="{src}" alt="" width="{pixels}" height="{pixels}">'
        html.append(
            f'<span class="sym-word sym-chunk" data-offset="{offset}">{image}'
            f'<span class="sym-label">{escape(text)}</span></span>'
        )
    html.append("</span>")
    return Markup("".join(html))  # noqa: S704 - every piece of text above is escaped


def _fields(parts: Sequence[Any]) -> tuple[PartFields, ...]:
    return tuple((p.text, p.offset, p.symbol, p.is_word, p.say) for p in parts)


def _marks_on_parts(parts: Sequence[PartFields]) -> list[PartFields]:
    """A spoken piece's parts as shown, each mark on its word as `marks_on_words` puts it: the
    word shows "'Buy", starts (for highlighting) at its "'" and still says "Buy"."""
    tokens = marks_on_words(
        [Token(text, symbol, is_word, say) for text, _, symbol, is_word, say in parts]
    )
    shown: list[PartFields] = []
    offset = parts[0][1] if parts else 0
    for token in tokens:
        shown.append((token.text, offset, token.symbol, token.is_word, token.key))
        offset += len(token.text)
    return shown


def _word(
    text: str, offset: int, symbol: str | None, say: str, size: str, base: str
) -> tuple[bool, str, str]:
    return True, _button(text, offset, symbol, say, size, base), text


def _gap(text: str) -> tuple[bool, str, str]:
    return False, f'<span class="sym-gap">{escape(text)}</span>', text


def _kept_together(pieces: list[tuple[bool, str, str]]) -> list[str]:
    """The HTML of word buttons and gaps (is it a word, its HTML, its text), with punctuation
    that follows a word straight after it (the "?" of "talk to?") kept on the word's line: as a
    box of its own it could wrap alone onto the next line."""
    html: list[str] = []
    after_word = False
    for is_word, markup, text in pieces:
        if after_word and not is_word and text[:1].strip():
            html[-1] = f'<span class="sym-keep">{html[-1]}{markup}</span>'
        else:
            html.append(markup)
        after_word = is_word
    return html


def _button(text: str, offset: int, symbol: str | None, say: str, size: str, base: str) -> str:
    image = ""
    if symbol:
        src = escape(base.replace("CODE", quote(symbol, safe="")))
        pixels = PIXELS[size]
        image = f'<img class="sym-img" src="{src}" alt="" width="{pixels}" height="{pixels}">'
    return (
        f'<button type="button" class="sym-word" data-say="{escape(say)}" '
        f'data-offset="{offset}">{image}<span class="sym-label">{escape(text)}</span></button>'
    )
