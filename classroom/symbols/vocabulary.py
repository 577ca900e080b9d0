"""The word list (symbols/vocabulary.toml): which symbol goes with which word or phrase.

This is the only code that reads the word list (STYLE.md, "Content as data"). It checks every
rule and returns frozen dataclasses; `flask symbols check` prints the same problems.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from classroom.config import ROOT
from classroom.symbols.library import CODE, own_symbol_files, svg_path, svg_problems

VOCABULARY_FILE = ROOT / "symbols" / "vocabulary.toml"
MAX_PHRASE_WORDS = 5
FUNCTION_WORDS_KEY = "function_words"
NEVER_SHARE_KEY = "never_share"
ENTRY_KEYS = {"symbol", "alternatives", "why"}

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})
# Hyphens and dashes separate words: "cyber-bullying" is looked up as "cyber bullying".
_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014]+")


def normalise(text: str) -> str:
    """The form words and phrases are stored and looked up in: lower case, single spaces."""
    return _SEPARATORS.sub(" ", text.translate(_APOSTROPHES).casefold()).strip()


@dataclass(frozen=True)
class Entry:
    """One word or phrase, its default symbol and the alternatives staff may pick."""

    phrase: str
    symbol: str
    alternatives: tuple[str, ...]
    topic: str
    why: str = ""  # the reason this picture was chosen, from the review

    @property
    def symbols(self) -> tuple[str, ...]:
        """The default symbol first, then the alternatives."""
        return (self.symbol, *self.alternatives)


@dataclass(frozen=True)
class Vocabulary:
    """Every entry by its normalised phrase, and the words that get no symbol by default."""

    entries: Mapping[str, Entry]
    function_words: frozenset[str]
    max_words: int
    never_share: tuple[frozenset[str], ...] = ()

    def get(self, phrase: str) -> Entry | None:
        """The entry for an already normalised word or phrase, if there is one."""
        return self.entries.get(phrase)

    def __len__(self) -> int:
        return len(self.entries)


class VocabularyError(Exception):
    """The word list has problems; the app refuses to symbolise with a broken list."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        count = len(problems)
        heading = f"{count} problem{'s' if count != 1 else ''} in the symbol word list:"
        super().__init__("\n".join([heading, *(f"  {p}" for p in problems)]))


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """Read and check the word list; raise VocabularyError listing every problem."""
    if path == VOCABULARY_FILE:
        return _default_vocabulary()
    return _load(path)


@cache
def _default_vocabulary() -> Vocabulary:
    return _load(VOCABULARY_FILE)


def _load(path: Path) -> Vocabulary:
    reader = _Reader(path, _symbol_exists)
    vocabulary = reader.read()
    if reader.problems or vocabulary is None:
        raise VocabularyError(reader.problems)
    return vocabulary


def check_vocabulary(path: Path = VOCABULARY_FILE) -> list[str]:
    """Every problem with the word list and our own SVG files (empty when all is well)."""
    reader = _Reader(path, _symbol_exists)
    reader.read()
    problems = list(reader.problems)
    for svg in own_symbol_files():
        problems += svg_problems(svg)
    return problems


def _symbol_exists(code: str) -> bool:
    return svg_path(code) is not None


class _Reader:
    """Collects every problem in one pass, so an editor can fix them all at once."""

    def __init__(self, path: Path, symbol_exists: Callable[[str], bool]) -> None:
        self.path = path
        self.name = path.name
        self.symbol_exists = symbol_exists
        self.problems: list[str] = []
        self.entries: dict[str, Entry] = {}
        self.written_as: dict[str, str] = {}

    def read(self) -> Vocabulary | None:
        data = self._parse()
        if data is None:
            return None
        function_words = self._function_words(data.pop(FUNCTION_WORDS_KEY, []))
        never_share = self._groups(data.pop(NEVER_SHARE_KEY, []))
        for topic, table in data.items():
            if not isinstance(table, dict):
                self.problems.append(f"{self.name}: {topic!r} must be a [table] of words")
                continue
            for key, value in table.items():
                self._entry(topic, key, value)
        longest = max((len(p.split()) for p in self.entries), default=1)
        self._check_never_share(never_share)
        entries = MappingProxyType(dict(self.entries))
        return Vocabulary(entries, function_words, longest, never_share)

    def _groups(self, groups: object) -> tuple[frozenset[str], ...]:
        if not isinstance(groups, list) or not all(
            isinstance(g, list) and all(isinstance(w, str) for w in g) for g in groups
        ):
            self.problems.append(f"{self.name}: {NEVER_SHARE_KEY} must be a list of lists of words")
            return ()
        return tuple(frozenset(normalise(w) for w in group) for group in groups)

    def _check_never_share(self, groups: tuple[frozenset[str], ...]) -> None:
        """Two words in one group with one picture would teach that they mean the same."""
        for group in groups:
            by_symbol: dict[str, list[str]] = {}
            for word in sorted(group):
                entry = self.entries.get(word)
                if entry is None:
                    self.problems.append(
                        f"{self.name}: {NEVER_SHARE_KEY} word {word!r} is not listed"
                    )
                    continue
                by_symbol.setdefault(entry.symbol, []).append(word)
            for symbol, words in sorted(by_symbol.items()):
                if len(words) > 1:
                    listed = ", ".join(repr(w) for w in words)
                    self.problems.append(
                        f"{self.name}: {listed} must never share a picture, but all have {symbol!r}"
                    )

    def _parse(self) -> dict[str, Any] | None:
        try:
            return tomllib.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.problems.append(f"{self.name}: file not found at {self.path}")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            self.problems.append(f"{self.name}: not valid TOML: {error}")
        return None

    def _function_words(self, words: object) -> frozenset[str]:
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            self.problems.append(f"{self.name}: {FUNCTION_WORDS_KEY} must be a list of words")
            return frozenset()
        normalised = [normalise(w) for w in words]
        for word in sorted({w for w in normalised if normalised.count(w) > 1}):
            self.problems.append(f"{self.name}: function word {word!r} is listed twice")
        return frozenset(normalised)

    def _entry(self, topic: str, key: str, value: object) -> None:
        where = f"{self.name} [{topic}] {key!r}"
        symbol, alternatives = self._symbols(where, value)
        why = value.get("why", "") if isinstance(value, dict) else ""
        phrase = normalise(key)
        if not self._phrase_ok(where, key, phrase) or symbol is None:
            return
        if phrase in self.entries:
            first = self.written_as[phrase]
            self.problems.append(f"{where}: duplicate of {first} (both mean {phrase!r})")
            return
        if not isinstance(why, str):
            self.problems.append(f"{where}: why must be text in quotes")
            why = ""
        self.entries[phrase] = Entry(phrase, symbol, alternatives, topic, why)
        self.written_as[phrase] = f"[{topic}] {key!r}"

    def _phrase_ok(self, where: str, key: str, phrase: str) -> bool:
        if not phrase:
            self.problems.append(f"{where}: the word is empty")
            return False
        if key != key.strip() or key != key.casefold() or "  " in key:
            self.problems.append(f"{where}: write it in lower case with single spaces")
            return False
        if len(phrase.split()) > MAX_PHRASE_WORDS:
            self.problems.append(f"{where}: phrases can be at most {MAX_PHRASE_WORDS} words")
            return False
        return True

    def _symbols(self, where: str, value: object) -> tuple[str | None, tuple[str, ...]]:
        if isinstance(value, str):
            return self._code(where, value), ()
        if not isinstance(value, dict) or set(value) - ENTRY_KEYS:
            self.problems.append(
                f'{where}: give a symbol code, or {{ symbol = "...", alternatives = [...], '
                'why = "..." }'
            )
            return None, ()
        alternatives = value.get("alternatives", [])
        if not isinstance(alternatives, list):
            self.problems.append(f"{where}: alternatives must be a list of symbol codes")
            alternatives = []
        symbol = self._code(where, value.get("symbol"))
        checked = tuple(c for c in (self._code(where, a) for a in alternatives) if c is not None)
        return symbol, checked

    def _code(self, where: str, code: object) -> str | None:
        if not isinstance(code, str) or not CODE.match(code):
            self.problems.append(
                f"{where}: {code!r} is not a symbol code (an OpenMoji code like 1F431, "
                "or the name of a file in symbols/svg/)"
            )
            return None
        if not self.symbol_exists(code):
            self.problems.append(
                f"{where}: no picture for {code!r} (looked for symbols/svg/{code}.svg "
                f"and OpenMoji {code}.svg)"
            )
            return None
        return code
