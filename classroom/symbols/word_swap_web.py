"""Tap a word in a staff preview of a pupil screen to swap its picture there and then.

A staff preview (a lesson screen as a pupil sees it) calls the `symbolise` template global
without layers; for staff that now means the layer they would change: the one named by
`?symbols=` (school, a class or a pupil they may change), else the first they may change. So
after a swap the preview shows the new picture. `symbols/_word_swap.html` lists the screen's
words as links to the chooser (which works without JavaScript); static/js/word-swap.js opens
the same chooser in a dialog when a word is tapped.

Request layer by nature (issue 17): it reads the request's `?symbols=` argument and address and
memoises the chosen layer for the request, so it is a `*_web` module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import g, has_request_context, request, url_for

from classroom.accounts.models import Account
from classroom.symbols.cache import cached_symbolise
from classroom.symbols.forms import LAYER_KEY
from classroom.symbols.symboliser import OverrideLayers, Token
from classroom.symbols.views import (
    MAX_WORD_LINKS,
    Target,
    _editable_targets,
    _layers_of,
)
from classroom.web import current_actor

LAYER_ARG = "symbols"  # the query argument naming the layer a staff preview shows
SAVED_ARG = "swapped"  # the phrase just given a picture, said beside its link (and focused)
SAVED_ANCHOR = "swapped"  # that note's id


@dataclass(frozen=True)
class SwapWord:
    """One word of a preview screen: its word-list key, how it is written, its chooser link."""

    key: str
    forms: str  # the ways it is written on the screen, lower case, "|" between them
    href: str


@dataclass(frozen=True)
class Swap:
    """What the word-swap panel of one preview needs."""

    target: Target
    words: list[SwapWord]
    saved: str  # the word just given a picture here, if any (SAVED_ARG)
    # The picture it has now (None: no picture), shown in the note: the screen the change
    # shows on is above the word list, out of sight when the page comes back at the note.
    saved_symbol: str | None = None


def preview_symbolise(
    text: str, overrides: OverrideLayers | None = None, **options: Any
) -> list[Token]:
    """The `symbolise` template global: pupil pages pass their layers; a staff preview passes
    none and is shown with the layer a swap on it would change."""
    if overrides is None:
        target = preview_target()
        overrides = _layers_of(target) if target is not None else ()
    return cached_symbolise(text, overrides, **options)


def preview_target() -> Target | None:
    """The layer this member of staff's previews show and change (None for everyone else)."""
    if "word_swap_target" not in g:
        g.word_swap_target = _find_target()
    found: Target | None = g.word_swap_target
    return found


def _find_target() -> Target | None:
    if not has_request_context() or not isinstance(current_actor(), Account):
        return None
    targets = _editable_targets()  # per policy: only layers this person may change
    wanted = request.args.get(LAYER_ARG, "")
    chosen = [t for t in targets if t.key == wanted] if LAYER_KEY.fullmatch(wanted) else []
    return next(iter(chosen or targets), None)


def word_swap(texts: Iterable[Any]) -> Swap | None:
    """The words of a preview screen's texts (strings or lesson Text), each with a link to the
    chooser that comes back here; None when this person may change no pictures."""
    target = preview_target()
    if target is None:
        return None
    forms: dict[str, set[str]] = {}
    for text in texts:
        for token in preview_symbolise(getattr(text, "text", text)):
            if token.is_word and token.key:
                # As written and as shown with its marks ("gems'."), which word-swap.js
                # matches a tapped label against.
                forms.setdefault(token.key, set()).update({token.word.lower(), token.text.lower()})
    back = with_layer(request.full_path.rstrip("?"), target.key)
    words = [
        SwapWord(
            key,
            "|".join(sorted(written)),
            url_for("symbols.chooser", phrase=key, layer=target.key, next=back),
        )
        for key, written in list(forms.items())[:MAX_WORD_LINKS]
    ]
    saved = request.args.get(SAVED_ARG, "")
    return Swap(target, words, saved, _picture_of(saved) if saved else None)


def _picture_of(phrase: str) -> str | None:
    """The picture `phrase` has on the layer the preview shows (None: none)."""
    words = [token for token in preview_symbolise(phrase) if token.is_word]
    return words[0].symbol if len(words) == 1 else None


def with_layer(path: str, key: str) -> str:
    """`path` showing the layer `key` (its `symbols=` argument set, others kept but the note
    of an earlier swap)."""
    parts = urlsplit(without_saved(path))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != LAYER_ARG]
    return urlunsplit(("", "", parts.path, urlencode([*query, (LAYER_ARG, key)]), ""))


def without_saved(path: str) -> str:
    """`path` without the note of a swap made earlier (SAVED_ARG), to come back to again."""
    parts = urlsplit(path)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != SAVED_ARG]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


def saved_at(back: str, key: str, phrase: str) -> str:
    """Where a choice made from a staff preview or the text page goes back to: that page, at
    the word just changed, whose note says so and takes the focus (#swapped), so the next word
    is the next Tab. Both show the layer changed: a preview by `with_layer`, the text page by
    its own `layer=` (school, a class or a pupil), so the new picture is the one on the page."""
    text_page = urlsplit(back).path == url_for("symbols.text_tool")
    parts = urlsplit(without_saved(back if text_page else with_layer(back, key)))
    query = parse_qsl(parts.query, keep_blank_values=True)
    if text_page:
        query = [(k, v) for k, v in query if k != "layer"] + [("layer", key)]
    query.append((SAVED_ARG, phrase))
    return urlunsplit(("", "", parts.path, urlencode(query), SAVED_ANCHOR))
