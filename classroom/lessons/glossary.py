"""One phrase per key idea: lessons/glossary.toml, and the check every lesson text goes through.

Literal learners take "a trusted adult" and "a grown-up you trust" for two different people,
and "password" and "passcode" for two different things; idioms ("get over it") mean nothing
without a concrete picture. The glossary lists the phrase we always use and the variants we
never use; the lesson loader refuses a text with a variant or an idiom and names the phrase.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from classroom.config import ROOT

GLOSSARY_FILE = ROOT / "lessons" / "glossary.toml"


@dataclass(frozen=True)
class Term:
    """The phrase we always use for one idea, and the variants we never use."""

    use: str
    meaning: str
    instead_of: tuple[str, ...]


@dataclass(frozen=True)
class Glossary:
    """Every term and idiom, with one pattern per refused phrase."""

    terms: tuple[Term, ...]
    idioms: tuple[str, ...]

    def problems(self, text: str) -> list[str]:
        """Plain reasons this text breaks the glossary (empty when it keeps to it)."""
        found = []
        for term in self.terms:
            # One reason per term: "grown-up" and "grown up" are the same slip.
            variant = next((v for v in term.instead_of if _pattern(v).search(text)), None)
            if variant is not None:
                found.append(f"says '{variant}'; our lessons always say '{term.use}'")
        found.extend(
            f"uses '{idiom}', which has no concrete picture; say what you mean"
            for idiom in self.idioms
            if _pattern(idiom).search(text)
        )
        return found


class GlossaryError(Exception):
    """The glossary file itself is broken."""


@cache
def _pattern(phrase: str) -> re.Pattern[str]:
    # Whole words, any capitals, and a hyphen or space between words counts as the same.
    words = [re.escape(word) for word in re.split(r"[\s-]+", phrase.strip())]
    return re.compile(r"\b" + r"[\s-]+".join(words) + r"\b", re.IGNORECASE)


def load_glossary(path: Path = GLOSSARY_FILE) -> Glossary:
    """Read and check the glossary; GlossaryError names what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise GlossaryError(f"{path.name}: {error}") from None
    terms = tuple(_term(entry, path.name) for entry in data.get("term", []))
    idioms = tuple(_idiom(entry, path.name) for entry in data.get("idiom", []))
    uses = {term.use.lower() for term in terms}
    for term in terms:
        clash = [v for v in term.instead_of if v.lower() in uses]
        if clash:
            raise GlossaryError(f"{path.name}: '{clash[0]}' is both a phrase to use and not use")
    return Glossary(terms, idioms)


def _term(entry: object, name: str) -> Term:
    if not isinstance(entry, dict) or set(entry) != {"use", "meaning", "instead_of"}:
        raise GlossaryError(f"{name}: each [[term]] needs exactly use, meaning and instead_of")
    variants = entry["instead_of"]
    if not isinstance(variants, list) or not all(isinstance(v, str) and v for v in variants):
        raise GlossaryError(f"{name}: instead_of of '{entry['use']}' must be a list of phrases")
    return Term(str(entry["use"]), str(entry["meaning"]), tuple(variants))


def _idiom(entry: object, name: str) -> str:
    if not isinstance(entry, dict) or set(entry) != {"phrase"}:
        raise GlossaryError(f"{name}: each [[idiom]] needs exactly one phrase")
    return str(entry["phrase"])
