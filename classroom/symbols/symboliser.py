"""Turn text into symbol-supported tokens: a picture for each key word, text for the rest.

Pure Python and deterministic, so it can be unit-tested and used anywhere. Lookup order:
1. the longest phrase first ("trusted adult", "block and report"), up to the longest known;
2. the exact word ("scared" is its own entry; its lemma "scare" would be wrong);
3. the word's lemma via simplemma ("bullying", "bullied" -> "bully"), then simple suffixes;
4. otherwise text only. Function words ("a", "the", "to") get no symbol unless asked for.
At each step the staff override layers are consulted before the word list, and the most
specific layer (pupil, then class, then school) wins. "hidden" means "show no symbol".

`marks_on_words` gives the tokens as a pupil sees them (symbols/cache.py applies it to every
text rendered): a quote mark or a bracket never stands alone as a "word". An opening mark goes
with the word after it ("'Buy", "(or", "£5") and a closing one with the word before it
("gems'.", "now!'", "not)", "no —"). The word is looked up, and said, without them
(`Token.word`); `symbolise` itself keeps words and marks apart, for the checks and staff tools
that read words.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import simplemma

from classroom.symbols.vocabulary import Vocabulary, load_vocabulary, normalise

HIDDEN = "hidden"

# A word is letters or digits, with apostrophes inside ("don't", "Sam's"). Everything else
# (spaces, punctuation, emoji, HTML brackets) is kept as plain text between words.
_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
# What may sit between the words of a phrase: "stop, block, tell" and "cyber-bullying" match.
_PHRASE_GAP = re.compile(r"[\s,/\-\u2010\u2011\u2012\u2013\u2014]+")
# The marks at the end of a gap, right against the word after it (the "'" of " 'Buy").
_TOUCHING_NEXT = re.compile(r"\S+\Z")


@dataclass(frozen=True)
class Token:
    """A piece of the text: a word or phrase (maybe with a symbol), or the text between."""

    text: str
    symbol: str | None = None
    is_word: bool = False
    key: str = ""  # the normalised word or phrase that matched, for staff choosing a symbol
    before: str = ""  # marks at the start of `text` that open the word ("'" of "'Buy")
    after: str = ""  # marks (and the spaces between them) at its end that close it ("'.")

    @property
    def word(self) -> str:
        """The word or phrase as written, without the marks it carries: what is said."""
        return self.text[len(self.before) : len(self.text) - len(self.after)]


OverrideLayers = Sequence[Mapping[str, str]]


def symbolise(
    text: str,
    overrides: OverrideLayers = (),
    *,
    vocabulary: Vocabulary | None = None,
    function_words: bool = False,
) -> list[Token]:
    """Split text into tokens with symbols; joining every token's text gives the text back."""
    lookup = _Lookup(vocabulary or load_vocabulary(), overrides, function_words)
    pieces = _pieces(text)
    tokens: list[Token] = []
    i = 0
    while i < len(pieces):
        start, end, is_word = pieces[i]
        if not is_word:
            tokens.append(Token(text[start:end]))
            i += 1
            continue
        token, used = _phrase_at(text, pieces, i, lookup) or (_word(text[start:end], lookup), 1)
        tokens.append(token)
        i += 2 * used - 1  # a phrase also consumes the gaps between its words
    return tokens


def override_map(layers: OverrideLayers) -> dict[str, str]:
    """Merge layers, least specific first (school, class, pupil), so the most specific wins."""
    merged: dict[str, str] = {}
    for layer in layers:
        merged.update({normalise(phrase): symbol for phrase, symbol in layer.items()})
    merged.pop("", None)
    return merged


class _Lookup:
    def __init__(self, vocabulary: Vocabulary, layers: OverrideLayers, function_words: bool):
        self.vocabulary = vocabulary
        self.overrides = override_map(layers)
        self.function_words = frozenset() if function_words else vocabulary.function_words
        longest_override = max((len(p.split()) for p in self.overrides), default=1)
        self.max_words = max(vocabulary.max_words, longest_override)

    def find(self, key: str) -> tuple[bool, str | None]:
        """(found, symbol): overrides first, then the word list; "hidden" finds no symbol."""
        if key in self.overrides:
            symbol = self.overrides[key]
            return True, None if symbol == HIDDEN else symbol
        if key in self.function_words:
            return False, None
        entry = self.vocabulary.get(key)
        return (True, entry.symbol) if entry is not None else (False, None)


def _pieces(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, is_word) spans covering the whole text, words and gaps alternating."""
    pieces: list[tuple[int, int, bool]] = []
    position = 0
    for match in _WORD.finditer(text):
        if match.start() > position:
            pieces.append((position, match.start(), False))
        pieces.append((match.start(), match.end(), True))
        position = match.end()
    if position < len(text):
        pieces.append((position, len(text), False))
    return pieces


def marks_on_words(tokens: Sequence[Token]) -> list[Token]:
    """The tokens as a pupil sees them, each gap's marks moved onto a word: the marks right
    against the next word open it; the others close the word before (with the spaces among
    them). What is left between words is spaces, or marks with no word to go to (", " after a
    name, "..." alone). Joining the tokens' text still gives the text back; tokens already
    given their marks come back as they are."""
    result: list[Token] = []
    opening = ""  # marks the last gap gave to the word that comes next
    for n, token in enumerate(tokens):
        if token.is_word:
            result.append(replace(token, text=opening + token.text, before=opening + token.before))
            opening = ""
            continue
        word_before = bool(result) and result[-1].is_word
        word_next = n + 1 < len(tokens) and tokens[n + 1].is_word
        gap = token.text
        if word_next:
            touching = _TOUCHING_NEXT.search(gap)
            opening = touching.group(0) if touching else ""
            if opening == gap and word_before:  # no space at all ("and/or"): kept before
                opening = ""
            gap = gap[: len(gap) - len(opening)]
        if word_before:
            closing = gap.rstrip()
            gap = gap[len(closing) :]
            last = result[-1]
            result[-1] = replace(last, text=last.text + closing, after=last.after + closing)
        if gap:
            result.append(Token(gap))
    return result


def _phrase_at(
    text: str, pieces: list[tuple[int, int, bool]], i: int, lookup: _Lookup
) -> tuple[Token, int] | None:
    """The longest phrase starting at word piece i, and how many words it covers."""
    words = list(_following_words(text, pieces, i, lookup.max_words))
    for count in range(len(words), 1, -1):
        keys = words[:count]
        plural_last = " ".join([*keys[:-1], _lemma(keys[-1])])  # "trusted adults"
        for key in dict.fromkeys((" ".join(keys), plural_last)):
            found, symbol = lookup.find(key)
            if found:
                end = pieces[i + 2 * (count - 1)][1]
                return Token(text[pieces[i][0] : end], symbol, True, key), count
    return None


def _following_words(
    text: str, pieces: list[tuple[int, int, bool]], i: int, limit: int
) -> Iterator[str]:
    """Normalised words from piece i on, stopping at a gap a phrase cannot cross."""
    for n in range(limit):
        index = i + 2 * n
        if index >= len(pieces):
            return
        if n > 0:
            gap_start, gap_end, _ = pieces[index - 1]
            if not _PHRASE_GAP.fullmatch(text[gap_start:gap_end]):
                return
        start, end, _ = pieces[index]
        yield normalise(text[start:end])


def _word(word: str, lookup: _Lookup) -> Token:
    key = normalise(word)
    if key in lookup.function_words and key not in lookup.overrides:
        return Token(word, None, True, key)
    for candidate in _candidates(key):
        found, symbol = lookup.find(candidate)
        if found:
            return Token(word, symbol, True, candidate)
    return Token(word, None, True, key)


def _candidates(key: str) -> Iterator[str]:
    """The exact word first, then forms it may be an inflection of."""
    yield key
    if key.endswith("'s"):
        key = key[:-2]
        yield key
    lemma = _lemma(key)
    if lemma != key:
        yield lemma
    yield from _suffix_stems(key)


@lru_cache(maxsize=16384)
def _lemma(word: str) -> str:
    if not word.isalpha():
        return word
    return str(simplemma.lemmatize(word, lang="en")).casefold()


def _suffix_stems(word: str) -> Iterator[str]:
    """Plain English suffix rules, for the few words simplemma misses ("playing")."""
    for suffix in ("ing", "ed"):
        stem = word.removesuffix(suffix)
        if stem != word and len(stem) >= 2:
            yield stem
            yield stem + "e"
            if len(stem) > 2 and stem[-1] == stem[-2]:
                yield stem[:-1]  # "chatting" -> "chat"
    if word.endswith("s") and len(word) > 3:
        yield word[:-1]
