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

The fragment store (symbols/fragments_web.py) does the work; this names the parts.
"""

from __future__ import annotations

from markupsafe import Markup

from classroom.symbols.fragments_web import fragment
from classroom.symbols.symboliser import OverrideLayers

TEMPLATE = "ipad/_chrome.html"


def pupil_chrome(
    part: str,
    layers: OverrideLayers | None = None,
    size: str | None = None,
    **per_request: str,
) -> Markup:
    """A part of the pupil layout: rendered once per (part, layers, size), then filled in with
    this request's `per_request` values (each escaped, as Jinja would)."""
    if size is None:
        return fragment(TEMPLATE, part, layers=layers, per_request=per_request)
    return fragment(TEMPLATE, part, layers=layers, per_request=per_request, size=size)
