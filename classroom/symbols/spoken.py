"""Pupil text that is read aloud as one: a question and its choices, or a title and a message.

`speech.js` reads a container's `data-say` and lights up each `.sym-word` inside it whose
`data-offset` is where the spoken word starts. When several pieces of text share one "Read to
me" button, every word's offset must count from the start of the whole spoken text; this
module works those offsets out, so templates only render them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from classroom.symbols.cache import LayersKey, layers_key, symbolised
from classroom.symbols.symboliser import OverrideLayers, Token

# A piece that ends like a sentence is followed by a space; any other gets ". " so the voice
# pauses between choices ("Sad. Scared. Angry.") instead of running them together.
_SENTENCE_END = re.compile(r"[.?!:;]$")
_LEADING_MARKS = re.compile(r"^\S+")


@dataclass(frozen=True)
class Name:
    """A person's name: shown and read aloud as written, never given a symbol."""

    text: str


Segment = str | Name
PieceSource = Segment | Sequence[Segment]


@dataclass(frozen=True)
class Part:
    """One thing to render: a word (maybe with a symbol) or the text between words."""

    text: str
    offset: int  # where it starts in the spoken text, for highlighting
    symbol: str | None = None
    is_word: bool = False
    say: str = ""  # the word to say when it is tapped (without marks kept on its label)


@dataclass(frozen=True)
class Piece:
    """One text within the spoken whole, starting at `start`."""

    text: str
    start: int
    tokens: tuple[Token, ...]

    def parts(self) -> list[Part]:
        """Words and gaps as written: for word buttons, each of which says itself."""
        parts, offset = [], self.start
        for token in self.tokens:
            parts.append(Part(token.text, offset, token.symbol, token.is_word, token.text))
            offset += len(token.text)
        return parts

    def labels(self) -> list[Part]:
        """Words with the marks that follow them kept on their label ("telling."): for the
        words inside a button or card, whose accessible name must read as the plain text."""
        parts = self.parts()
        glued: list[Part] = []
        for i, part in enumerate(parts):
            if not part.is_word:
                marks = _leading_marks(parts, i)
                if part.text[len(marks) :]:
                    glued.append(Part(part.text[len(marks) :], part.offset + len(marks)))
                continue
            marks = _leading_marks(parts, i + 1)
            glued.append(Part(part.text + marks, part.offset, part.symbol, True, part.text))
        return glued


def _leading_marks(parts: list[Part], i: int) -> str:
    """The punctuation at the start of gap i, if part i is a gap that follows a word."""
    if i >= len(parts) or i == 0 or parts[i].is_word or not parts[i - 1].is_word:
        return ""
    found = _LEADING_MARKS.match(parts[i].text)
    return found.group(0) if found else ""


@dataclass(frozen=True)
class Spoken:
    """Every piece, and the whole text `speech.js` reads when "Read to me" is pressed."""

    text: str
    pieces: tuple[Piece, ...]

    def __getitem__(self, index: int) -> Piece:
        return self.pieces[index]

    def __len__(self) -> int:
        return len(self.pieces)


def spoken(sources: Sequence[PieceSource], layers: OverrideLayers = ()) -> Spoken:
    """Symbolise each piece with the pupil's override layers and join them for reading aloud."""
    pieces: list[Piece] = []
    text = ""
    key = layers_key(layers)  # once for every piece: a screen has a dozen or more
    for source in sources:
        if pieces:
            text += " " if _SENTENCE_END.search(pieces[-1].text) else ". "
        tokens = tuple(_tokens(source, key))
        piece_text = "".join(token.text for token in tokens)
        pieces.append(Piece(piece_text, len(text), tokens))
        text += piece_text
    return Spoken(text, tuple(pieces))


def name(text: str) -> Name:
    """Mark a person's name, for templates: `spoken([[name(adult), " will talk to you."]])`."""
    return Name(text)


def _tokens(source: PieceSource, key: LayersKey) -> list[Token]:
    segments: Sequence[Segment] = [source] if isinstance(source, str | Name) else source
    tokens: list[Token] = []
    for segment in segments:
        if isinstance(segment, Name):
            tokens.extend([Token(segment.text, None, True, "")] if segment.text else [])
        else:
            tokens.extend(symbolised(segment, key))
    return tokens
