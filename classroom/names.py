"""Finding people's names in free text however they were typed: with or without accents, as a
family ("the Frasers"), as a possessive without its apostrophe ("Amiras dad"), or as initials.

The governors' review scrubs names out of what it shows (review/services.py); texts to carers
are refused if they name another pupil or that child's family (parents/services.py). Both must
find the same names, so both build their `Names` here and search with one `Finder`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import simplemma

# A name's plural or apostrophe-less possessive: "Frasers", "Joneses", "AMIRAS".
PLURAL = r"(?:e?s|E?S)?"

# Two capitals that are the school's everyday words, not a pupil's initials.
ABBREVIATIONS = frozenset(
    {"AI", "AM", "CP", "DT", "GP", "HT", "ID", "IT", "OK", "PC", "PE", "PM", "RE", "TA", "TV", "UK"}
)


def fold(text: str) -> str:
    """Compatibility-normalise and drop accents, so "Chloé" (either Unicode form) reads "Chloe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def initials(pairs: Iterable[tuple[str, str]]) -> re.Pattern[str] | None:
    """People's initials in capitals: "A.K.", "A. K.", and "AK" unless that is also a word
    the school uses ("TA", "PE"); whole, so "OAK" stays a word. `pairs`: (first, last) initial
    letters, folded and in capitals."""
    found = []
    for a, b in sorted({p for p in pairs if p[0].isalpha() and p[1].isalpha()}):
        found.append(rf"{a}\.\s?{b}\.?")
        if a + b not in ABBREVIATIONS:
            found.append(rf"{a}\s?{b}")
    if not found:
        return None
    return re.compile(r"(?<![A-Za-z.])(?:" + "|".join(found) + r")(?![A-Za-z])")


def initials_of(first: str, last: str) -> tuple[str, str]:
    return fold(first)[:1].upper(), fold(last)[:1].upper()


@dataclass(frozen=True)
class Names:
    """Names a text must not carry, in the forms they are found: `whole` in any case and with a
    family, possessive or pet form ("Amira", "the Frasers", "Desmond", "Benny"; but a pet form
    typed in lower case that is an English word is that word, see `Finder`); `capitalised`
    only as a name is written ("Ami" for Amira, "Mr Li"), so "it" and "In" stay words; and
    `initials`, (first, last) letters in capitals. Folded (see `fold`)."""

    whole: frozenset[str] = frozenset()
    capitalised: frozenset[str] = frozenset()
    initials: frozenset[tuple[str, str]] = frozenset()
    # Found only starting with a capital, in any case after it, with a family or possessive
    # form ("Green", "GREENS"): see `as_written`.
    proper: frozenset[str] = frozenset()

    def __or__(self, other: Names) -> Names:
        return Names(
            self.whole | other.whole,
            self.capitalised | other.capitalised,
            self.initials | other.initials,
            self.proper | other.proper,
        )

    def as_written(self) -> Names:
        """These names found only as a name is written, with its capital: an adult's name in a
        teacher's text to carers is "Mr Green" or "DESMOND", while "a green tree" and "pat the
        dog" are words (the review, which only blanks words out, finds them in any case)."""
        return Names(
            capitalised=self.capitalised, initials=self.initials, proper=self.whole | self.proper
        )

    def __sub__(self, allowed: Names) -> Names:
        """These names but for those `allowed`: "Li" is anyone's once it is the teacher's."""
        words = {w.lower() for w in allowed.whole}
        capitalised = words | {w.lower() for w in allowed.capitalised}
        words |= {w.lower() for w in allowed.proper}
        return Names(
            frozenset(w for w in self.whole if w.lower() not in words),
            frozenset(w for w in self.capitalised if w.lower() not in capitalised),
            self.initials - allowed.initials,
            frozenset(w for w in self.proper if w.lower() not in words),
        )


def of_pupils(pupils: Iterable[tuple[str, str]]) -> Names:
    """Pupils' (first, last) names: each part, the first cut short, and the initials."""
    whole, short, pairs = set(), set(), set()
    for first, last in pupils:
        whole.update({fold(first), fold(last)})
        short.update(short_forms(fold(first)))
        pairs.add(initials_of(first, last))
    return Names(frozenset(whole), frozenset(short), frozenset(pairs))


def of_adults(full_names: Iterable[str]) -> Names:
    """The parts of adults' names as typed (staff, carers, pupils' trusted adults - "my people":
    "Uncle Desmond" names the family, and so the child): those of 3 letters or more, found in
    any case; and two-letter ones ("Mr Li", "Ms Ng") found only with their capital as a name is
    written, so that "IT", "it" and "In" stay words. Kin words are not names: "uncle" stays."""
    parts = {p for text in full_names for p in re.split(r"[\s()]+", text) if p.lower() not in _KIN}
    two_letter = {
        fold(p)
        for p in parts
        if len(p) == 2 and p.isalpha() and p.istitle() and p.lower() not in _NOT_SURNAMES
    }
    return Names(frozenset(fold(p) for p in parts if len(p) > 2), frozenset(two_letter))


def initials_of_accounts(display_names: Iterable[str]) -> Names:
    """The initials of people with an account ("TB" for Mr Tom Bell): records often name staff
    so, and in a small staff the initials are the person. Titles, and words in brackets, are not
    names."""
    found = set()
    for display in display_names:
        parts = [p for p in re.sub(r"\(.*?\)", " ", display).split() if p.lower() not in TITLES]
        if len(parts) > 1:
            found.add(initials_of(parts[0], parts[-1]))
    return Names(initials=frozenset(found))


def of_words(words: Iterable[str]) -> Names:
    """Other names found whole, as a class's ("Oak class")."""
    return Names(whole=frozenset(fold(w) for w in words))


def short_forms(first: str) -> set[str]:
    """A first name cut short ("Ami" for Amira, "Will" for William), as written with a capital:
    three letters or more, and not a common word that starts sentences ("The" for Theodore).
    Where a pupil's name is one of those, a missed name is worse than a word read as [name]."""
    forms = {first[:n] for n in range(3, len(first))}
    return {f for f in forms if f.isalpha() and f.lower() not in _COMMON_WORDS}


class Finder:
    """Finds the names of `Names` in folded text; the review and the carers' check both use it,
    so what one finds the other does too. A name is found even when glued to an initial
    ("ChloeW") or joined by an underscore ("Chloe_W"). A pet form typed in lower case that is
    an English word is that word: "real joy" for Jo, "the class kitty" for Kit, "every" for
    Eve (see `_a_word`)."""

    def __init__(self, names: Names) -> None:
        whole = {n for n in names.whole if len(n) > 1 and n.lower() not in TITLES}
        self.whole: re.Pattern[str] | None = None
        if whole:
            # Case-insensitive name, but a following capital (an initial) still ends it.
            alternatives = "|".join(sorted(map(re.escape, whole), key=len, reverse=True))
            # A pet form made the usual way is the name too: "Benny", "Tommy", "Annie"; and so
            # are a family ("the Frasers") and a possessive without its apostrophe ("Amiras").
            self.whole = re.compile(
                r"(?<![A-Za-z])(?i:(?P<name>" + alternatives + r"))"
                + r"(?i:(?P<letter>[a-z])?(?P<pet>y|ie))?" + PLURAL + r"(?![a-z])"
            )  # fmt: skip
        self.capitalised = _whole_words(set(names.capitalised - names.whole))
        self.proper = _proper_names({n for n in names.proper - names.whole if len(n) > 1})
        self.initials = initials(names.initials)

    def search(self, text: str) -> tuple[str, str] | None:
        """The first of the names in `text`, ("name" or "initials", as typed), or None."""
        if self.whole:
            found = next((m for m in self.whole.finditer(text) if not _a_word(m)), None)
            if found:
                return "name", found.group(0)
        for kind, pattern in (
            ("name", self.capitalised),
            ("name", self.proper),
            ("initials", self.initials),
        ):
            found = pattern.search(text) if pattern else None
            if found:
                return kind, found.group(0)
        return None

    def sub(self, text: str) -> str:
        """`text` with each name read "[name]" and each set of initials "[initials]"."""
        text = self.whole.sub(_name_or_word, text) if self.whole else text
        text = self.capitalised.sub("[name]", text) if self.capitalised else text
        text = self.proper.sub("[name]", text) if self.proper else text
        return self.initials.sub("[initials]", text) if self.initials else text


def _name_or_word(found: re.Match[str]) -> str:
    return found.group(0) if _a_word(found) else "[name]"


def _a_word(found: re.Match[str]) -> bool:
    """Whether a match of `Finder.whole` is a pet form typed in lower case that is an English
    word ("joy" for Jo, "kitty" for Kit, "every" for Eve, "boy" for Bo), not the name. The name
    itself ("jo", "JO"), its family or possessive ("jos"), and a pet form written as a name is
    ("Joy", "KITTY") are always the name: staff reword, and the governors see "[name]"."""
    text = found.group(0)
    if found.group("pet") is None or not text.islower():
        return False
    name, letter = found.group("name"), found.group("letter")
    # The usual pet name doubles the name's last letter ("Tommy", "Jenny"), and English made
    # words of many ("a tommy", "a jenny"): in lower case that form is still the child, unless
    # the name is itself a word, whose doubled form is a word too ("kitty" for Kit, "penny").
    if letter == name[-1] and not _is_word(name):
        return False
    return _is_word(text)


@lru_cache(maxsize=4096)
def _is_word(word: str) -> bool:
    """An English word in simplemma's lemma data, in lower case: "joy", "kitty", "kitties". Not
    one it knows only as a name ("annie" is there as "Annie"), nor one it does not know
    ("benny"). The data loads once, at the first call (about a second)."""
    if not simplemma.is_known(word, lang="en"):
        return False
    return str(simplemma.lemmatize(word, lang="en")).islower()


def _proper_names(words: set[str]) -> re.Pattern[str] | None:
    """Names starting with their capital, in any case after it, with a family or possessive."""
    if not words:
        return None
    forms = sorted((re.escape(w[0].upper()) + "(?i:" + re.escape(w[1:]) + ")" for w in words),
                   key=len, reverse=True)  # fmt: skip
    return re.compile(r"(?<![A-Za-z])(?:" + "|".join(forms) + ")" + PLURAL + r"(?![a-z])")


def _whole_words(words: set[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
    return re.compile(r"(?<![A-Za-z])(?:" + alternatives + r")(?![A-Za-z])")


# Capitalised at the start of a sentence, these are words, not a pupil's name cut short.
_COMMON = (
    "all and any are art ask bad bed big but can car cat day did dog end far few fun get got "
    "had has her him his hot how its let man may met new nor not now odd off old one our out "
    "own put ran red sad saw say see set she sit son sun ten the too top two use was way "
    "who why win yes yet you able also back band best both call came care cars case chat "
    "come dark does done down each even ever face fine from gave give good have help here "
    "home hope into just keep kind know last left less like live long look made make many "
    "mark mind more most much must name near next nice only open over part play read real "
    "rest room safe said same shop show side sign some soon star stop such sure take talk "
    "tell than that them then they this time told took tree true very wait walk want well "
    "went were what when with word work year your"
)
_COMMON_WORDS = frozenset(_COMMON.split())

# Words in a display name that are not the person's name ("Mrs Shah", "Parent (Amira)").
TITLES = frozenset(
    {"mr", "mrs", "ms", "miss", "dr", "the", "and", "technician", "parent", "teacher"}
)
# How pupils name their trusted adults at home ("Uncle Desmond", "Nana Pat"): the name goes,
# the word stays, so "her uncle" still reads.
_KIN_WORDS = (
    "my mum mummy mom dad daddy nan nana nanny gran granny grandma grandad grandpa grandmother "
    "grandfather uncle aunt auntie aunty brother sister cousin stepmum stepdad foster carer "
    "neighbour"
)
_KIN = frozenset(_KIN_WORDS.split())
# Two-letter words that start a sentence ("In the chat", "It is", "Mr"): never a surname.
_TWO_LETTER_WORDS = "mr ms dr an as at be by do go he if in is it me my no of on or so to up us we"
_NOT_SURNAMES = frozenset(_TWO_LETTER_WORDS.split())


# Words of a school's or a role's name that name nobody: "Oakwood Academy" is found by "Oakwood".
_NOT_A_NAME_WORDS = (
    "school schools academy college primary secondary high special infant infants junior "
    "juniors community catholic church england of the and ce rc st saint trust federation free "
    "upper lower middle centre center unit pru provision dsl deputy designated safeguarding lead "
    "head headteacher teacher senco office by for at to via"
)
_NOT_A_NAME = frozenset(_NOT_A_NAME_WORDS.split())


def of_schools_and_people(recorded: Iterable[str]) -> Names:
    """Other schools and the people there, as staff typed them ("Oakwood Academy, Mrs Jane
    Patel (DSL)"): each part is found without its school and role words ("Oakwood", "Jane
    Patel"), and so is each word of it. A word that is an English word too ("Green Lane",
    "Dev") is found only as a name is written, with its capital: "a green lane" stays, as a
    missed name is worse than a word read as [name]."""
    found = Names()
    for part in _parts(recorded):
        found |= _names_in(part)
    return found


def _parts(recorded: Iterable[str]) -> list[str]:
    """Each text cut at its punctuation: "Sara Khan (mother), signed form" is three parts."""
    return [p for text in recorded for p in re.split(r"[,;:/()\[\]|&+]+", fold(text))]


# Words in a record of who someone is to a child, or of how they said so, that name nobody:
# "Sara Khan (mother), signed form", "Foster carer", "Older sister", "Parent/carer by email".
_NOT_A_PERSON_WORDS = (
    "mother father mam mammy mama papa ma pa parent parents carers guardian guardians "
    "grandparent grandparents grandmum grandma grandpa stepmother stepfather stepparent step "
    "half older younger elder big little birth adoptive legal kinship special family friend "
    "relative partner husband wife boyfriend girlfriend godmother godfather godparent "
    "childminder social worker key son daughter other main "
    "signed form email emailed letter phone phoned call called text texted verbal verbally "
    "in person paper online app consent gave given withdrawn withdrew on with meeting"
)
_NOT_A_PERSON = frozenset(_NOT_A_PERSON_WORDS.split()) | _KIN


def of_people_in_words(recorded: Iterable[str]) -> Names:
    """People a record names in words about a child's family, as staff or carers typed them:
    who gave photo consent ("Sara Khan (mother), signed form") or who an invite code is for
    ("Grandma Pat"). Carers without an account are named nowhere else. Relationship words and
    how it was said ("mother", "signed form") are not names, nor is an English word typed in
    lower case; a name that is also a word ("Pat") is found only as a name is written."""
    found = Names()
    for part in _parts(recorded):
        found |= _names_in(" ".join(w for w in part.split() if not _describes(w)))
    return found


def _describes(word: str) -> bool:
    """Whether a word of a record of a person says who they are to the child, or how."""
    bare = re.sub(r"['\u2019]s$", "", word).strip(".").lower()
    return bare in _NOT_A_PERSON or bare in TITLES or (word.islower() and _is_word(word))


def _names_in(part: str) -> Names:
    """The names in one part of a school's or a person's name as recorded (see above)."""
    words = [re.sub(r"['\u2019]s$", "", w) for w in part.split()]
    kept = [w for w in words if w.lower().strip(".") not in _NOT_A_NAME | TITLES]
    plain = {w for w in kept if w.isalpha() and _is_word(w.lower())}
    whole = {w for w in kept if w not in plain and len(w) > 2}
    if len(kept) > 1:
        (whole if whole else plain).add(" ".join(kept))
    # Two letters only as a name is written ("Ms Li"), as for the school's own staff.
    capitalised = {w for w in kept if len(w) == 2 and w.isalpha() and w.istitle()}
    return Names(
        whole=frozenset(whole), capitalised=frozenset(capitalised), proper=frozenset(plain)
    )
