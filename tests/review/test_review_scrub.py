"""Issue 14 item 15: the governors' review scrubs names however written, and identifiers."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy.orm import Session

from classroom.review.services import _scrubber
from tests.factories import make_class, make_pupil


def test_scrubbing_catches_accents_initials_upns_dates_and_class_ages(session: Session) -> None:
    oak = make_class(session, name="Oak")
    chloe = make_pupil(session, oak, first_name="Chloé", last_name="Wright")
    scrub = _scrubber(session, oak.school_id)
    decomposed = unicodedata.normalize("NFD", "Chloé")
    text = (
        f"Chloé and {decomposed} told us; ChloeW and Chloe_W in the chat; UPN {chloe.upn}; "
        "born 14/03/2011 or 14 March 2011; the Oak class girl aged 15 said so."
    )
    out = scrub(text)
    for leak in ("Chlo", chloe.upn, "2011", "Oak", "aged 15", "14/03"):
        assert leak not in out, out
    assert "told us" in out
    assert "said so" in out


def test_scrubbing_catches_pet_names_and_ages_in_words(session: Session) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Ben", last_name="Taylor")
    make_pupil(session, oak, first_name="Tom", last_name="Reed")
    scrub = _scrubber(session, oak.school_id)
    out = scrub("benny and Tommy, aged fourteen, and a twelve-year-old; the benefits were clear")
    for leak in ("benny", "Tommy", "fourteen", "twelve"):
        assert leak not in out, out
    assert "the benefits were clear" in out  # a word that only starts with a name stays


def test_scrubbing_catches_initials_and_a_first_name_cut_short(session: Session) -> None:
    """Found acting as a governor: "AK (A.K.) told her TA first; Ami was upset" came through."""
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Amira", last_name="Khan")
    make_pupil(session, oak, first_name="Theodore", last_name="Adams")
    make_pupil(session, oak, first_name="William", last_name="Price")
    scrub = _scrubber(session, oak.school_id)
    out = scrub(
        "AK (A.K.) told her TA first; A. K. and Ami were upset, and Theo helped. Will said so. "
        "The class will talk about it; AKA the quiet room; TA support in PE."
    )
    for leak in (r"\bAK\b", r"A\.K\.", r"A\. K\.", r"\bAmi\b", r"\bTheo\b", r"\bWill\b"):
        assert re.search(leak, out) is None, out
    assert out.count("[initials]") == 3
    # Words that only look like a name cut short, or initials, stay: governors read the rest.
    for kept in ("told her TA first", "The class will talk", "TA support in PE", "AKA the"):
        assert kept in out, out


def test_scrubbing_catches_a_family_and_a_possessive_written_without_its_apostrophe(
    session: Session,
) -> None:
    """Lessons learnt are typed in a hurry: "the Frasers" and "Amiras dad" name a child as
    surely as "Amira Fraser" does."""
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Amira", last_name="Fraser")
    make_pupil(session, oak, first_name="Tom", last_name="Jones")
    scrub = _scrubber(session, oak.school_id)
    out = scrub(
        "Spoke to the Frasers and the JONESES; Amiras dad and Toms mum came in. "
        "The FRASERS agreed. Staff used the class chat rules."
    )
    for leak in ("Fraser", "FRASER", "JONES", "Amira", "Tom"):
        assert leak not in out, out
    assert "Staff used the class chat rules." in out
