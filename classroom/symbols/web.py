"""The symbols' request layer: what a page reads once per request and hands the symbol services.

A pupil's override layers are read once per request however many texts a page symbolises, and
the symbol image address is worked out once per request (one url_for, not one per word). The
per-worker caches themselves (symbols/cache.py) take both as arguments. The folders of the
instance the symbol services store files in are read here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import current_app, g, url_for
from markupsafe import Markup
from sqlalchemy.orm import Session

from classroom.pupils.models import Pupil
from classroom.symbols import cache, people, pictures, recordings, services
from classroom.symbols.symboliser import Token

if TYPE_CHECKING:  # spoken.py imports the cache: the type only
    from classroom.symbols.spoken import Piece


def picture_folder() -> Path:
    """Where this app keeps the school's own pictures (symbols/pictures.py)."""
    return pictures.folder(current_app.instance_path)


def people_folder() -> Path:
    """Where this app keeps trusted adults' and staff photos (symbols/people.py)."""
    return people.photo_dir(current_app.instance_path)


def recording_folder() -> Path:
    """Where this app keeps staff voice recordings (symbols/recordings.py)."""
    return recordings.folder(current_app.instance_path)


def override_layers(session: Session, pupil: Pupil) -> list[dict[str, str]]:
    """The pupil's override layers (services.override_layers), read once per request."""
    found: dict[int, list[dict[str, str]]] = g.setdefault("override_layers", {})
    if pupil.id not in found:
        found[pupil.id] = services.override_layers(session, pupil)
    return found[pupil.id]


def image_base() -> str:
    """The symbol URL with a stand-in code, swapped per word: one url_for per request, not one
    per word."""
    if "symbol_image_base" not in g:
        g.symbol_image_base = url_for("symbols.image", code="CODE")
    base: str = g.symbol_image_base
    return base


# The template globals (classroom/templating.py): the cached renderings, at this request's address.


def render_symbolised(
    tokens: Sequence[Token],
    size: str = "large",
    id: str | None = None,  # noqa: A002 - the HTML attribute's name, as the macro has it
    tag: str = "p",
    extra_class: str | None = None,
) -> Markup:
    return cache.render_symbolised(tokens, size, id, tag, extra_class, image_base=image_base())


def render_words(parts: Sequence[Any], size: str = "large") -> Markup:
    return cache.render_words(parts, size, image_base=image_base())


def render_labels(
    piece: Piece, size: str = "small", skip: str | None = None, fallback: str | None = None
) -> Markup:
    return cache.render_labels(piece, size, skip, fallback, image_base=image_base())
