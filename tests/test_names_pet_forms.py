"""A pupil's pet form typed in lower case that is an everyday English word is that word.

For a pupil called Jo, "Ben showed real joy" must reach Ben's carers, and the governors read
"joy"; for Kit, "the class kitty" stays. The name itself, a pet form written as a name is
("Joy", "Kitty"), one that is no word ("benny", "annie") or is the usual doubled pet name
("tommy"), and a family or possessive ("the Frasers", "Amiras") are still found, by the review
and the carers' check alike (one `names.Finder`).
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from classroom.errors import Invalid
from classroom.names import Finder, of_pupils
from classroom.parents import services
from classroom.review.services import _scrubber
from tests.conftest import Clock
from tests.factories import make_pupil
from tests.parents_helpers import Family, make_family, moment

PUPILS = [
    ("Jo", "Reid"),
    ("Kit", "Okoro"),
    ("Eve", "Adeyemi"),
    ("Theo", "Nwosu"),
    ("Bo", "Quinn"),
    ("Ann", "Iqbal"),
    ("Tom", "Fraser"),
    ("Ben", "Taylor"),
    ("Amira", "Khan"),
]


@pytest.fixture(scope="module")
def finder() -> Finder:
    return Finder(of_pupils(PUPILS))


@pytest.mark.parametrize(
    "text",
    [
        "He showed real joy when he sorted the messages.",  # Jo
        "Money for the trip goes in the class kitty.",  # Kit
        "She said hello to every adult.",  # Eve
        "A boy in the video pointed to his body.",  # Bo
        "Loud sounds annoy him.",  # Ann
        "We tested the theory with the tablet.",  # Theo
        "Both kitties in the story were kind; joys and worries went on the chart.",
    ],
)
def test_a_lowercase_pet_form_that_is_an_english_word_is_a_word(finder: Finder, text: str) -> None:
    assert finder.search(text) is None
    assert finder.sub(text) == text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("jo sorted it", "jo"),  # the name itself, in any case, two letters too
        ("JO sorted it", "JO"),
        ("kit sorted it", "kit"),
        ("Joy sorted it", "Joy"),  # a pet form written as a name is
        ("JOY sorted it", "JOY"),
        ("Kitty sorted it", "Kitty"),
        ("Benny sorted it", "Benny"),
        ("benny sorted it", "benny"),  # no English word
        ("annie sorted it", "annie"),  # known only as the name "Annie"
        ("tommy sorted it", "tommy"),  # the usual pet name of Tom ("a tommy" is rare)
        ("the tommies sorted it", "tommies"),
        ("the Frasers sorted it", "Frasers"),  # a family, a possessive: unchanged
        ("amiras mum sorted it", "amiras"),
        ("Amiras mum sorted it", "Amiras"),
    ],
)
def test_the_name_and_its_other_forms_are_still_found(
    finder: Finder, text: str, found: str
) -> None:
    assert finder.search(text) == ("name", found)
    assert finder.sub(text) == text.replace(found, "[name]")


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    """Ben's and Amira's school, with a pupil called Jo and one called Kit in another class."""
    family = make_family(session, clock)
    make_pupil(session, family.willow, first_name="Jo", last_name="Reid")
    make_pupil(session, family.willow, first_name="Kit", last_name="Okoro")
    session.commit()
    return family


def test_a_learning_update_with_joy_reaches_carers_and_joy_as_a_name_is_refused(
    session: Session, family: Family
) -> None:
    """The teacher's note to Ben's carers is sent as written; the governors read it with
    only Ben's name blanked.
    Written with its capital, "Joy" reads as a name (a pet form of Jo's), so staff are told
    which word to change, as for any other pupil's name."""
    note = "Ben showed real joy when the class kitty paid for the trip."
    moment(session, family, note, pupil=family.other)
    scrub = _scrubber(session, family.other.school_id)
    assert scrub(note) == "[name] showed real joy when the class kitty paid for the trip."
    with pytest.raises(Invalid, match="\u201cJoy\u201d is the name of another pupil"):
        services.check_depersonalised(session, family.other, "Joy sat with Ben.", "note")
    assert scrub("Joy sat with Ben.") == "[name] sat with [name]."
