"""The governors' log: an initial left beside a name taken out still points at someone.

Found walking the review as a governor after the DSL closed a worry with the lessons learnt
"Ruth E to train staff; Amira K was upset": the log read "[name] E to train staff; [name] K
was upset". In a school of a dozen pupils and a handful of staff, a surname's initial beside
the category is enough to tell who.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from classroom.accounts.models import Role, School
from classroom.review.services import _scrubber
from tests.factories import make_account, make_class, make_pupil


def _scrub(session: Session) -> Callable[[str], str]:
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Amira", last_name="Khan")
    school = session.get(School, oak.school_id)
    make_account(session, Role.DEPUTY_DSL, school=school, display_name="Ms Ruth Evans")
    return _scrubber(session, oak.school_id)


def test_an_initial_after_a_name_goes_with_it(session: Session) -> None:
    scrub = _scrub(session)
    cases = {
        "Ruth E to train staff": "[name] to train staff",
        "Ruth E. agreed": "[name] agreed",
        "Amira K was upset": "[name] was upset",
        "A Khan was upset": "[name] was upset",  # and the initial before it
        "R. Evans and A. Khan met": "[name] and [name] met",
        "Told R Evans K": "Told [name]",
    }
    for text, read in cases.items():
        assert scrub(text) == read, text


def test_words_beside_a_name_that_are_not_initials_stay(session: Session) -> None:
    scrub = _scrub(session)
    assert scrub("We told Ruth I would ring back") == "We told [name] I would ring back"
    assert scrub("Ruth's plan; Amira, A and B") == "[name]'s plan; [name], A and B"
    assert scrub("PE Evans") == "PE [name]"
    assert scrub("Ms Evans agreed") == "Ms [name] agreed"
    assert scrub("Thanks to Ruth\nA new filter is on") == "Thanks to [name]\nA new filter is on"
    assert scrub("I Evans") == "I [name]"  # never "I"
    assert scrub("PE. Evans") == "PE. [name]"  # a capital within a word is no initial
