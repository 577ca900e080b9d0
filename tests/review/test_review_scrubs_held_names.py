"""The governors' lessons learnt name nobody the school's records name in words elsewhere: a
carer with no account (who gave photo consent, who an invite code is for), a reference an
agency later replaced, an email address, or a social worker or police officer written with
their title. Each record is made as staff make it, through the services, and each lesson is
read on the governor's page. Words that are names only when written as one stay words.
"""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.parents import invites
from classroom.parents import services as parents
from classroom.pupils.models import Pupil
from classroom.worries import services as worries
from classroom.worries.models import Agency, Category, Incident, Risk
from tests import corpora
from tests.app_settings import base_url, invite_settings, school_today, zone
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_pupil
from tests.statements import statements


@dataclass
class School:
    pupil: Pupil
    teacher: Account
    dsl: Account
    governor: Account


@pytest.fixture
def school(session: Session) -> School:
    oak = make_class(session, name="Oak")
    pupil = make_pupil(session, oak, first_name="Amira", last_name="Khan")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    dsl = make_account(session, Role.DSL)
    governor = make_account(session, Role.GOVERNOR)
    session.commit()
    return School(pupil, teacher, dsl, governor)


def _concern(session: Session, school: School) -> Incident:
    """A concern the teacher raises and the DSL triages."""
    data = worries.ConcernInput(school.pupil.id, "Upset after a call", "speech", None, None)
    concern = worries.raise_concern(
        session, school.teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
    )
    triage = worries.Triage(Category.WELLBEING, Risk.LOW, "Spoke to her", False, None)
    worries.triage(session, school.dsl, concern, triage, now=utcnow())
    return concern


def _close(session: Session, school: School, concern: Incident, lessons: str) -> None:
    worries.close(
        session, school.dsl, concern, "Resolved", lessons, keep_carers_held=False,
        carers_reason="Decided with the head", now=utcnow(),
    )  # fmt: skip
    session.commit()


def _consent(session: Session, school: School, given_by: str) -> None:
    parents.record_consent(
        session, school.teacher, school.pupil, parents.ConsentPurpose.WEBSITE, True, given_by,
        school_today(), now=utcnow(), today=school_today(),
    )  # fmt: skip


def _register(app: Flask, school: School) -> str:
    """The lessons-learnt register as the governor reads it, tags taken out."""
    response = client_for(app, school.governor).get("/safeguarding/review/")
    assert response.status_code == 200
    page = response.data.decode()
    register = page[page.index("<h2>Lessons learnt</h2>") :]
    return html.unescape(re.sub(r"<[^>]+>", " ", register))


def test_the_carer_who_gave_photo_consent_is_not_named(
    app: Flask, session: Session, school: School
) -> None:
    """A carer with no account is named only on the consent form's record: "Sara" in a lesson
    is the child's mother. Her relationship, and how she said so, stay words."""
    _consent(session, school, "Sara Nowak (mother), signed form")
    concern = _concern(session, school)
    _close(
        session, school, concern,
        "Sara rang twice; Mrs Nowak and the NOWAKS now know. Her mother signed the form.",
    )  # fmt: skip
    register = _register(app, school)
    assert "Sara" not in register
    assert "owak" not in register.lower()
    assert (
        "[name] rang twice; Mrs [name] and the [name] now know. Her mother signed the form."
        in register
    )


def test_the_carer_an_invite_code_is_for_is_not_named_and_the_word_stays(
    app: Flask, session: Session, school: School
) -> None:
    """An invite code for "Grandma Pat" never used: no account names her. "Pat" written as a
    name goes; "pat" the word, and "grandma", stay."""
    invites.issue_invite(
        session, school.teacher, school.pupil, "Grandma Pat", invite_settings(), now=utcnow()
    )
    concern = _concern(session, school)
    _close(session, school, concern, "Pat collects her now; staff pat her grandma's dog.")
    register = _register(app, school)
    assert "Pat " not in register
    assert "[name] collects her now; staff pat her grandma's dog." in register


def test_a_reference_the_agency_replaced_is_scrubbed_however_it_is_spaced(
    app: Flask, session: Session, school: School
) -> None:
    """The referral went with the front door's reference; the reply gave the case's own. The
    first is now only in the chronology, and both are typed with other spacing."""
    concern = _concern(session, school)
    referral = worries.add_referral(
        session, school.dsl, concern, Agency.CHILDRENS_SERVICES, "MASH-7731", "Disclosure",
        now=utcnow(), today=school_today(),
    )  # fmt: skip
    reply = worries.ReferralReply(school_today(), "Assessment", "CS/2026/0417")
    worries.record_referral_reply(session, school.dsl, referral, reply, now=utcnow(), zone=zone())
    _close(session, school, concern, "MASH 7731 was slow; cs 2026 0417 then came quickly.")
    register = _register(app, school)
    for leak in ("7731", "0417", "MASH", "CS 2026"):
        assert leak not in register, leak
    assert "[reference] was slow; [reference] then came quickly." in register


def test_titled_people_and_email_addresses_are_not_named(
    app: Flask, session: Session, school: School
) -> None:
    """The social worker and police officer the school holds no record of, by their title; an
    address that names its owner. "I" after a name, "IT" and "MS Teams" stay."""
    concern = _concern(session, school)
    _close(
        session, school, concern,
        "Ms Jane Hollins I think rang; PC Ward and DC J. Shaw came. "
        "Mail went to sara.nowak@example.org. IT checked it on MS Teams.",
    )  # fmt: skip
    register = _register(app, school)
    for leak in ("Hollins", "Jane", "Ward", "Shaw", "nowak", "example.org"):
        assert leak not in register, leak
    assert (
        "Ms [name] I think rang; PC [name] and DC [name] came. Mail went to [email]. "
        "IT checked it on MS Teams." in register
    )


def test_attack_strings_recorded_as_carers_neither_break_nor_pass_the_review(
    app: Flask, session: Session, school: School
) -> None:
    """Whatever was typed as who gave consent or who a code is for (free text) becomes a name to
    find, taken as text, never as a pattern: the page opens, and a lesson repeating one shows
    none of it."""
    typed = [line.strip() for line in corpora.lines("xss.txt") + corpora.lines("sqli.txt")]
    typed = [t for t in typed if t.replace("\x00", "").strip()]
    for text in typed:
        _consent(session, school, text[:120])
    for text in typed[:: len(typed) // 20]:
        invites.issue_invite(
            session, school.teacher, school.pupil, text[:40], invite_settings(), now=utcnow()
        )
    concern = _concern(session, school)
    _close(session, school, concern, "Consent from " + typed[0][:120] + "; then all was well.")
    response = client_for(app, school.governor).get("/safeguarding/review/")
    assert response.status_code == 200
    page = response.data.decode()
    register = page[page.index("<h2>Lessons learnt</h2>") :]
    assert "<script" not in register.lower()
    assert "Consent from [name]" in register
    assert "then all was well." in register


def test_the_carers_named_cost_the_page_one_read_however_many_there_are(
    app: Flask, session: Session, school: School
) -> None:
    """Ten more consents and invite codes add rows to one read, not reads to the page."""
    _consent(session, school, "Sara Nowak (mother)")
    concern = _concern(session, school)
    _close(session, school, concern, "Sara rang.")
    client = client_for(app, school.governor)
    with statements(app) as before:
        client.get("/safeguarding/review/")
    for n in range(10):
        _consent(session, school, f"Carer Number{n}")
        invites.issue_invite(
            session, school.teacher, school.pupil, f"Aunt Number{n}", invite_settings(),
            now=utcnow(),
        )  # fmt: skip
    session.commit()
    with statements(app) as after:
        client.get("/safeguarding/review/")
    assert len(after) == len(before)
    assert sum("photo_consents" in s for s in after) == 1


def test_the_carer_who_gave_photo_consent_is_not_named_by_her_initials(
    app: Flask, session: Session, school: School
) -> None:
    """Staff write a carer as they write colleagues and pupils, by initials: "SN" is Sara Nowak
    as surely as "AK" is the pupil. Everyday capitals ("IT", "PE") stay."""
    _consent(session, school, "Sara Nowak (mother), signed form")
    concern = _concern(session, school)
    _close(
        session, school, concern,
        "SN rang; S.N. came in and S. N. signed. AK and S Nowak met IT at PE.",
    )  # fmt: skip
    register = _register(app, school)
    for leak in ("SN", "S.N.", "S. N.", "Nowak", "AK"):
        assert leak not in register, leak
    assert (
        "[initials] rang; [initials] came in and [initials] signed. [initials] and [name] met "
        "IT at PE." in register
    )
