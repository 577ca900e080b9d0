"""Line numbers of every key in a TOML file, so a lesson problem names the line to fix."""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import TypeAlias

# tomllib reports lines only for syntax errors, so a small scanner re-reads the (already
# valid) source and records the line where each key, table and array element starts.

Key: TypeAlias = tuple[str | int, ...]
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}\n#]")


@dataclass(frozen=True)
class At:
    """Where a value sits: its key path (for the line) and how to name it to a teacher."""

    path: Key
    where: str

    def child(self, key: str | int, where: str | None = None) -> At:
        """A value inside this one."""
        return At((*self.path, key), where or self.where)


class LineMap:
    """Line numbers of every key path in a TOML document, e.g. ('formal', 'steps', 2)."""

    def __init__(self, source: str) -> None:
        self._src = source
        self._pos = 0
        self._newlines = [i for i, ch in enumerate(source) if ch == "\n"]
        self._lines: dict[Key, int] = {}
        self._array_tables: dict[Key, int] = {}
        # Keep whatever was mapped if the scan trips; unmapped paths use their parent's line.
        with contextlib.suppress(IndexError, ValueError):
            self._document()

    def line(self, path: Key) -> int:
        """The line of `path`, or of its nearest mapped parent, or 1."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return 1

    def _here(self) -> int:
        return bisect_right(self._newlines, self._pos - 1) + 1

    def _mark(self, path: Key) -> None:
        self._lines.setdefault(path, self._here())

    def _document(self) -> None:
        table: Key = ()
        while self._skip(newlines=True) < len(self._src):
            if self._src.startswith("[[", self._pos):
                table = self._array_table_header()
            elif self._src[self._pos] == "[":
                table = self._table_header()
            else:
                self._key_value(table)

    def _array_table_header(self) -> Key:
        line = self._here()
        self._pos += 2
        *parents, last = self._key()
        array = (*self._resolve(parents), last)
        index = self._array_tables.get(array, 0)
        self._array_tables[array] = index + 1
        self._pos = self._src.index("]]", self._pos) + 2
        self._lines.setdefault(array, line)
        self._lines[(*array, index)] = line
        return (*array, index)

    def _table_header(self) -> Key:
        line = self._here()
        self._pos += 1
        table = self._resolve(self._key())
        self._pos = self._src.index("]", self._pos) + 1
        self._lines.setdefault(table, line)
        return table

    def _resolve(self, parts: list[str]) -> Key:
        # A name that is an array of tables means "its latest element", as in TOML itself.
        path: Key = ()
        for part in parts:
            path = (*path, part)
            if path in self._array_tables:
                path = (*path, self._array_tables[path] - 1)
        return path

    def _key_value(self, table: Key) -> None:
        path = (*table, *self._key())
        self._mark(path)
        self._skip()
        self._pos += 1  # the "="
        self._value(path)

    def _key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self._skip()
            quote = self._src[self._pos]
            if quote in "\"'":
                end = self._src.index(quote, self._pos + 1)
                parts.append(self._src[self._pos + 1 : end])
                self._pos = end + 1
            else:
                match = _BARE_KEY.match(self._src, self._pos)
                if match is None:
                    raise ValueError("not a key")
                parts.append(match.group())
                self._pos = match.end()
            self._skip()
            if self._src[self._pos] != ".":
                return parts
            self._pos += 1

    def _value(self, path: Key) -> None:
        self._skip()
        ch = self._src[self._pos]
        if ch == "[":
            self._array(path)
        elif ch == "{":
            self._inline_table(path)
        elif ch in "\"'":
            self._string()
        else:
            match = _SCALAR_END.search(self._src, self._pos)
            self._pos = match.start() if match else len(self._src)

    def _array(self, path: Key) -> None:
        self._pos += 1
        index = 0
        while self._skip(newlines=True) < len(self._src) and self._src[self._pos] != "]":
            self._mark((*path, index))
            self._value((*path, index))
            self._skip(newlines=True)
            if self._src[self._pos] == ",":
                self._pos += 1
                index += 1
        self._pos += 1

    def _inline_table(self, path: Key) -> None:
        self._pos += 1
        while self._skip(newlines=True) < len(self._src) and self._src[self._pos] != "}":
            if self._src[self._pos] == ",":
                self._pos += 1
                continue
            self._key_value(path)
        self._pos += 1

    def _string(self) -> None:
        quote = self._src[self._pos]
        delimiter = quote * 3 if self._src.startswith(quote * 3, self._pos) else quote
        self._pos += len(delimiter)
        while not self._src.startswith(delimiter, self._pos):
            # Only basic ("...") strings have escapes; literal ('...') strings do not.
            self._pos += 2 if quote == '"' and self._src[self._pos] == "\\" else 1
        self._pos += len(delimiter)
        while self._src.startswith(quote, self._pos):  # up to two quotes may close a """ string
            self._pos += 1

    def _skip(self, *, newlines: bool = False) -> int:
        """Move past spaces and comments (and newlines if asked); return the new position."""
        space = " \t\r\n" if newlines else " \t"
        while self._pos < len(self._src):
            ch = self._src[self._pos]
            if ch in space:
                self._pos += 1
            elif ch == "#":
                end = self._src.find("\n", self._pos)
                self._pos = len(self._src) if end < 0 else end
            else:
                break
        return self._pos


