"""Email problems lists the accounts whose stored address no email can reach: kept before every
address was checked, which the check refuses, so the migration that converted the rest
(account_emails_idna, tests/accounts/test_account_emails_idna.py) left them as they were."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts import addresses
from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from tests.conftest import client_for
from tests.factories import make_account, make_school

NAME = "\u00f6mer@ex\u00e4mple.co.uk"  # accents before the @
TWO_WAYS = "ada@fa\u00df.de"  # IDNA 2003 reads it as fass.de, someone else's domain


def _section(page: str) -> str:
    """The page's list of addresses emails cannot reach, from its heading to its end."""
    found = re.search(r'<h2 id="unreachable-h">.*?</main>', page, re.S)
    assert found is not None, "no list of addresses emails cannot reach"
    return found.group(0)


def _rows(section: str) -> dict[str, str]:
    """Each row of the list by the account's name (with or without its link)."""
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", section, re.S)
    return {re.sub(r"<[^>]+>", "", row).split("(")[0].strip(): row for row in rows}


def _accounts(session: Session) -> dict[str, Account]:
    made = {
        "Mr Omer Aydin": make_account(session, Role.PARENT, email=NAME),
        "Ms Ada Lopez": make_account(session, Role.TEACHER, email=TWO_WAYS),
        # Not listed: an address emails reach, none at all, an account that gets no emails,
        # and another school's.
        "Mrs Sara Khan": make_account(session, Role.PARENT, email="sara@xn--exmple-cua.co.uk"),
        "Mr No Email": make_account(session, Role.PARENT, email=None),
        "Mr Gone": make_account(session, Role.PARENT, email=NAME, active=False),
    }
    elsewhere = make_school(session, name="Another school")
    make_account(session, Role.PARENT, school=elsewhere, email=NAME, display_name="Mr Far")
    for name, account in made.items():
        account.display_name = name
    session.commit()
    return made


def test_admins_see_each_unreachable_address_with_why_and_a_link_to_the_account(
    app: Flask, session: Session
) -> None:
    accounts = _accounts(session)
    admin = make_account(session, Role.ADMIN)
    session.commit()
    office = client_for(app, admin)
    response = office.get("/admin/mail")
    assert response.status_code == 200
    rows = _rows(_section(response.text))
    assert set(rows) == {"Mr Omer Aydin", "Ms Ada Lopez"}
    # People's addresses were shown: who looked is on record.
    seen = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "mail_problems.viewed")
    ).all()
    assert [(e.actor_id, e.summary) for e in seen] == [(admin.id, "unreachable=2")]

    omer, ada = rows["Mr Omer Aydin"], rows["Ms Ada Lopez"]
    assert NAME in omer
    assert "accents or other alphabets before the @" in omer
    assert "By the carer, in the family area: Settings" in omer
    assert TWO_WAYS in ada
    assert "read in different ways" in ada
    # A member of staff changes theirs, or an admin does on their account page.
    assert "By them, in their own account settings: <em>Your email address</em>" in ada
    assert f'<a href="/admin/accounts/{accounts["Ms Ada Lopez"].id}#email-h">' in ada
    for name, row in rows.items():
        account = accounts[name]
        link = f'<a href="/admin/accounts/{account.id}">{name}</a>'
        assert link in row
        assert office.get(f"/admin/accounts/{account.id}").status_code == 200


def test_the_safeguarding_team_see_the_list_without_the_admin_account_pages(
    app: Flask, session: Session
) -> None:
    _accounts(session)
    dsl = make_account(session, Role.DSL)
    session.commit()
    page = client_for(app, dsl).get("/admin/mail").text
    rows = _rows(_section(page))
    assert set(rows) == {"Mr Omer Aydin", "Ms Ada Lopez"}
    assert "/admin/accounts/" not in _section(page)  # a page they cannot open is not offered


def test_a_school_whose_addresses_all_work_is_told_so(app: Flask, session: Session) -> None:
    make_account(session, Role.PARENT, email="sara@xn--exmple-cua.co.uk")
    admin = make_account(session, Role.ADMIN)
    session.commit()
    section = _section(client_for(app, admin).get("/admin/mail").text)
    assert "Every account's address is one emails can reach." in section
    assert "<table" not in section


def test_the_list_says_why_in_staff_words_for_every_refusal(session: Session) -> None:
    """Each of the check's refusals has its reason for staff (not the words for the typist)."""
    kept = {
        "no at sign": "sara.example.com",
        "spaces": "sara khan@example.com",
        "name": NAME,
        "domain": "jo@ex\u00e4mple..co.uk",
        "two ways": TWO_WAYS,
        "too long": "a" * 65 + "@example.com",
    }
    school = make_school(session)
    for name, address in kept.items():
        make_account(session, Role.PARENT, school=school, email=address, display_name=name)
    session.commit()
    found = {a.display_name: a for a in addresses.unreachable_addresses(session, school.id)}
    assert set(found) == set(kept)
    assert {name: a.address for name, a in found.items()} == kept
    assert all(a.reason in addresses.REASONS.values() for a in found.values())
    assert found["too long"].reason == "It is too long to send emails to."
    assert found["domain"].reason.startswith("The part after the @ is not a domain")
