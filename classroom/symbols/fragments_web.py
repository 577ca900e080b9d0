"""Parts of pupil screens rendered once per worker, keyed by everything they show.

A pupil screen is mostly symbol-supported words that are the same for every pupil with the same
override layers and symbol size: the pupil layout's chrome, the worry flow's choices, a lesson
tile. Rendering them word by word and picture by picture on every request was most of a pupil
page's time. `fragment` renders a macro once per (template, macro, its arguments, the layers,
the script root) and keeps the HTML per app.

The rule that keeps this safe: **a fragment macro may use only its arguments** and what is fixed
for the worker (URLs, static files, the symbol library). Whatever it shows must be an argument,
so it is part of the key; anything read from the request inside the macro (the signed-in
person, the session) would be shown to the next pupil. tests/test_fragments.py reads every
fragment template and fails on such a read. Values that belong to one request (a CSRF token,
the worry button's way back) are passed as `per_request`: rendered as a marker and filled in,
escaped, on every page.

A teacher's new symbol choice changes the layers, so it is a new key: the pupil sees it on the
next page, and the old entry is dropped when the store is next cleared.

Web glue, called by views and templates during a request: it reads the app and script root.
"""

from __future__ import annotations

import secrets
from collections.abc import Hashable, Mapping
from typing import Any, cast

from flask import Flask, current_app, get_template_attribute, request
from markupsafe import Markup, escape

from classroom.symbols.cache import layers_key
from classroom.symbols.symboliser import OverrideLayers

# Random per worker, so no text (a pupil's name, a staff member's symbol phrase) can forge one.
_MARKER = "\x00fragment-" + secrets.token_hex(8) + "-{}\x00"
STORE = "rendered_fragments"
# A bound, not a policy: a school's fragments (a home screen and a worry flow per pupil, a map
# row per pupil and lesson) come to a few megabytes; past this, everything is forgotten at once
# and rendered again as asked for. Per worker.
BUDGET_BYTES = 32 * 1024 * 1024  # counted as len() of the HTML: about its bytes


class Remembered(dict[Hashable, str]):
    """Rendered fragments by key, forgotten all at once when they outgrow their budget."""

    size = 0

    def keep(self, key: Hashable, html: str) -> None:
        if self.size + len(html) > BUDGET_BYTES:
            self.clear()
        self[key] = html
        self.size += len(html)

    def clear(self) -> None:
        super().clear()
        self.size = 0


def fragment(
    template: str,
    macro: str,
    *,
    layers: OverrideLayers | None = None,
    per_request: Mapping[str, str] | None = None,
    **arguments: Hashable,
) -> Markup:
    """`macro` of `template` called with `arguments` (and `layers`), rendered once per worker
    for those values, then filled in with this request's `per_request` values."""
    per_request = per_request or {}
    key = (
        template,
        macro,
        None if layers is None else layers_key(layers),
        tuple(sorted(arguments.items())),
        tuple(sorted(per_request)),
        request.script_root,  # every URL in a fragment starts with it
    )
    # The proxy unwrapped once, not looked up twice (it is typed as the app it stands for).
    app: Flask = cast(Any, current_app)._get_current_object()  # noqa: SLF001
    remembered: Remembered = app.extensions.setdefault(STORE, Remembered())
    html = None if app.debug else remembered.get(key)  # debug: edited files show at once
    if html is None:
        html = _render(template, macro, layers, per_request, arguments)
        remembered.keep(key, html)
    for name, value in per_request.items():
        html = html.replace(_MARKER.format(name), str(escape(value)))
    return Markup(html)  # noqa: S704 - rendered with autoescaping; the values above are escaped


def _render(
    template: str,
    macro: str,
    layers: OverrideLayers | None,
    per_request: Mapping[str, str],
    arguments: Mapping[str, Any],
) -> str:
    call = get_template_attribute(template, macro)
    # A marker is letters, digits and hyphens between NULs: nothing in it to escape.
    given: dict[str, Any] = {name: Markup(_MARKER.format(name)) for name in per_request}  # noqa: S704
    if layers is not None:
        given["layers"] = list(layers)
    html = str(call(**given, **arguments))
    missing = [name for name in per_request if _MARKER.format(name) not in html]
    if missing:  # a marker escaped or quoted on the way would leave the page without the value
        raise ValueError(f"fragment {template}:{macro} lost its {', '.join(missing)}")
    return html
