"""The carers' check finds the names the governors' review scrubs (classroom/names.py).

A notice or message to one child's carers must never name another child or that child's family:
not their "Uncle Desmond" on the pupil's "my people" page, not their carer "Mr Li", not that
carer's initials. The class teacher, the school's staff and the child's own family stay nameable.
"""

from __future__ import annotations

import html

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.names import fold
from classroom.parents import services
from classroom.pupils.models import Pupil
from classroom.review.services import _scrubber
from classroom.symbols.models import Place, TrustedPerson
from classroom.worries.models import ParentContact
from tests.conftest import Clock, client_for
from tests.factories import link_parent, make_account
from tests.parents_helpers import Family, incident_about, make_family, send_notice


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    """Amira's family, and Ben's: his "Uncle Desmond" at home and his carer Mr Wei Li."""
    family = make_family(session, clock)
    _trusted_adult(session, family.other, "Uncle Desmond", family.teacher)
    _trusted_adult(session, family.child, "Nana Pat", family.teacher)
    link_parent(session, make_account(session, Role.PARENT, display_name="Mr Wei Li"), family.other)
    session.commit()
    return family


def _trusted_adult(session: Session, pupil: Pupil, name: str, added_by: Account) -> None:
    session.add(
        TrustedPerson(
            school_id=pupil.school_id,
            pupil_id=pupil.id,
            place=Place.HOME,
            name=name,
            added_by_id=added_by.id,
            added_at=utcnow(),
        )
    )


def _message(app: Flask, family: Family, body: str) -> tuple[int, str]:
    """The class teacher sends a message to Amira's carers from her page."""
    client = client_for(app, family.teacher)
    url = f"/parents/pupils/{family.child.id}/messages"
    response = client.post(url, data={"message-to": "", "message-body": body})
    return response.status_code, html.unescape(response.get_data(as_text=True))


def test_a_message_naming_another_pupils_uncle_is_refused(
    app: Flask, session: Session, family: Family
) -> None:
    """Ben's "Uncle Desmond" names Ben's family, and so Ben, to Amira's mum."""
    text = "Desmond had shared the photo with the class."
    status, page = _message(app, family, text)
    assert status == 400
    assert "\u201cDesmond\u201d is the name of another pupil\u2019s carer or trusted adult" in page
    assert text in page  # what the teacher typed is kept to reword
    incident = incident_about(session, family, ParentContact.INFORM_NOW, family.other)
    for typed in ("Uncle Desmond phoned.", "DESMONDS car", "Desmond's nephew"):
        with pytest.raises(Invalid, match="another pupil\u2019s carer or trusted adult"):
            send_notice(session, family.dsl, incident, family.child, typed)
    # The kin word on its own names nobody; Amira's own Nana Pat is her family.
    send_notice(session, family.dsl, incident, family.child, "Her uncle and Nana Pat can ring.")


def test_mr_li_as_another_pupils_carer_is_refused_and_it_stays_a_word(
    app: Flask, family: Family
) -> None:
    """A two-letter surname is found as a name is written ("Mr Li"), as are that carer's
    initials; "It", "in" and "IT" are words."""
    status, page = _message(app, family, "Mr Li was upset by the video.")
    assert status == 400
    assert "\u201cLi\u201d is the name of another pupil\u2019s carer or trusted adult" in page
    status, page = _message(app, family, "WL said the video upset them.")
    assert status == 400
    assert "\u201cWL\u201d could be the initials of another pupil\u2019s carer" in page
    status, _page = _message(app, family, "It went well in IT today. In the lift she was calm.")
    assert status == 302


def test_the_class_teacher_staff_and_her_own_family_can_be_named(
    session: Session, family: Family
) -> None:
    """Carers are told who teaches their child, even when another child's carer shares the
    teacher's surname; and a sister's mum is Amira's mum too."""
    make_account(session, Role.TEACHING_ASSISTANT, classes=[family.oak], display_name="Ms Mei Ng")
    link_parent(session, make_account(session, Role.PARENT, display_name="Mr Ng"), family.other)
    make_account(session, Role.DSL, display_name="Mr Tom Bell")
    session.commit()
    incident = incident_about(session, family, ParentContact.INFORM_NOW, family.other)
    send_notice(
        session, family.dsl, incident, family.child,
        "Ms Lopez, Ms Ng (MN) and TB will ring Mrs Sara Khan or Mr Omar Khan; SK knows.",
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "Uncle Desmond shared it.",
        "Mr Li phoned.",
        "JT phoned.",  # Ben's carer, Ms Jo Taylor
        "Bens mum phoned.",
        "Benny sent it.",
        "B.T. sent it.",
        "Zar was there.",  # Zara, Amira's sister, cut short: still another pupil
    ],
)
def test_what_the_review_scrubs_the_carers_check_refuses(
    session: Session, family: Family, text: str
) -> None:
    """One finder for both: a name the governors never see is one no other family is sent."""
    assert _scrubber(session, family.child.school_id)(text) != fold(text)
    with pytest.raises(Invalid, match="another pupil"):
        services.check_depersonalised(session, family.child, text, "text")


def test_another_pupils_carer_is_found_as_a_name_is_written_not_as_a_word(
    app: Flask, session: Session, family: Family
) -> None:
    """Ben's carer is Mrs Rose Green: "Mrs Green rang" points at Ben, while a teacher's "a
    green tree with a rose on it" is about painting, and must not be refused."""
    carer = make_account(session, Role.PARENT, display_name="Mrs Rose Green")
    link_parent(session, carer, family.other)
    session.commit()
    for text in ("Mrs Green rang about the video.", "The GREENS saw it too."):
        status, page = _message(app, family, text)
        assert status == 400, text
        assert "is the name of another pupil\u2019s carer or trusted adult" in page
    status, _page = _message(app, family, "Amira painted a green tree with a rose on it.")
    assert status == 302


def test_another_pupil_known_by_another_name_is_refused_by_it_and_her_own_is_not(
    app: Flask, session: Session, family: Family
) -> None:
    """Ben goes by "Benji" and Amira by "Mira": the class teacher's "Benji pushed Mira" names
    Ben to Amira's carers and is refused; "Mira painted" names their own child and goes."""
    family.other.known_as, family.child.known_as = "Benji", "Mira"
    session.commit()
    status, page = _message(app, family, "Benji pushed Mira at lunch")
    assert status == 400
    assert "another pupil" in page
    assert _message(app, family, "Mira painted a tree today")[0] == 302
