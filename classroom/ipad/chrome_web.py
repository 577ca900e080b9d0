"""The pupil layout's chrome (templates/pupil_base.html), rendered once per worker.

Every pupil screen carries the same head links, worry rail, Finished button and "are you
finished?" dialog: some fifty URL builds and a dozen macro calls that were about a fifth of a
pupil page's render time. Each part (a macro of templates/ipad/_chrome.html) is rendered once
per worker per what it shows (the pupil's override layers and symbol size; nothing else a pupil
chooses reaches it: contrast, motion and speech settings are on the body tag, drawn per request)
and kept per app. What belongs to one request, the CSRF token and the worry button's way back,
is rendered as a marker and filled in, escaped, on every page.

A teacher's new symbol choice changes the layers, so it is a new key: the pupil sees it on the
next page, and the old entry is dropped when the cache is next cleared.

Web glue, called by templates during a request: it reads the request's app and script root.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, get_template_attribute, request
from markupsafe import Markup, escape

from classroom.symbols.cache import layers_key
from classroom.symbols.symboliser import OverrideLayers

TEMPLATE = "ipad/_chrome.html"
# Random per worker, so no text (a pupil's name, a staff member's symbol phrase) can forge one.
_MARKER = "\x00chrome-" + secrets.token_hex(8) + "-{}\x00"
# A bound, not a policy: a school has a few hundred pupils; forgetting only costs a render.
PARTS_REMEMBERED = 2_000


def pupil_chrome(
    part: str,
    layers: OverrideLayers | None = None,
    size: str | None = None,
    **per_request: str,
) -> Markup:
    """A part of the pupil layout: rendered once per (part, layers, size), then filled in with
    this request's `per_request` values (each escaped, as Jinja would)."""
    key = (
        part,
        None if layers is None else layers_key(layers),
        size,
        tuple(sorted(per_request)),
        request.script_root,  # every URL in the chrome starts with it
    )
    remembered: dict[tuple[Any, ...], str] = current_app.extensions.setdefault("pupil_chrome", {})
    html = None if current_app.debug else remembered.get(key)  # debug: edited files show at once
    if html is None:
        html = _render(part, layers, size, per_request)
        if len(remembered) >= PARTS_REMEMBERED:
            remembered.clear()
        remembered[key] = html
    for name, value in per_request.items():
        html = html.replace(_MARKER.format(name), str(escape(value)))
    return Markup(html)  # noqa: S704 - rendered with autoescaping; the values above are escaped


def _render(
    part: str, layers: OverrideLayers | None, size: str | None, per_request: dict[str, str]
) -> str:
    macro = get_template_attribute(TEMPLATE, part)
    # A marker is letters, digits and hyphens between NULs: nothing in it to escape.
    arguments: dict[str, Any] = {name: Markup(_MARKER.format(name)) for name in per_request}  # noqa: S704
    if layers is not None:
        arguments["layers"] = list(layers)
    if size is not None:
        arguments["size"] = size
    html = str(macro(**arguments))
    missing = [name for name in per_request if _MARKER.format(name) not in html]
    if missing:  # a marker escaped or quoted on the way would leave the page without the value
        raise ValueError(f"chrome part {part!r} lost its {', '.join(missing)}")
    return html
