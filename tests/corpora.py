"""The shared attack-string corpora (shared/corpora beside the project): found in one place.

Tests feed these strings and files to the app as users would type or upload them. Without them
those tests would pass on nothing (an empty parameter list is a silent skip), so a missing corpus
stops the run with a message saying where it was looked for.
"""

from __future__ import annotations

from pathlib import Path


def _find() -> Path:
    here = Path(__file__).resolve()
    for folder in here.parents:
        corpora = folder / "shared" / "corpora"
        if corpora.is_dir():
            return corpora
    raise RuntimeError(
        f"The attack corpora are missing: no shared/corpora folder above {here.parent}. "
        "The injection and upload tests need them; restore ../shared/corpora."
    )


CORPORA = _find()


def lines(name: str) -> list[str]:
    """The non-blank lines of a text corpus, e.g. "xss.txt"."""
    text = (CORPORA / name).read_text(encoding="utf-8", errors="replace")
    found = [line for line in text.splitlines() if line.strip()]
    if not found:
        raise RuntimeError(f"The corpus {CORPORA / name} is empty.")
    return found


def svgs() -> list[Path]:
    """Every attack SVG, in name order."""
    found = sorted((CORPORA / "svg").glob("*.svg"))
    if not found:
        raise RuntimeError(f"No attack SVGs in {CORPORA / 'svg'}.")
    return found
