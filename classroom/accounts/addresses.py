"""Accounts whose stored email address no email from school can reach (the Email problems page).

Every address is stored as `forms.deliverable_email` makes it. One stored before that check
existed and which the check refuses (a name before the @ in other alphabets, a domain no email
can reach) was left as it was by the migration that converted the rest (account_emails_idna):
such an address is never changed behind anyone's back, it is listed for a person to change.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts import forms
from classroom.accounts.models import Account, Role

# Why, as the Email problems page says it to staff (the check's own words speak to whoever is
# typing the address, and say what to type instead).
REASONS = {
    forms.SHAPE: "It is not the shape of an email address.",
    forms.NOT_ASCII_NAME: "It has accents or other alphabets before the @, which emails from "
    "school cannot reach.",
    forms.BAD_DOMAIN: "The part after the @ is not a domain emails can be sent to.",
    forms.READ_TWO_WAYS: "Its domain has a letter or an invisible character that mail systems "
    "read in different ways, so emails could go to the wrong place.",
    forms.TOO_LONG: "It is too long to send emails to.",
}


class UnreachableAddress(NamedTuple):
    account_id: int
    display_name: str
    username: str
    role: Role
    address: str
    reason: str


def unreachable_addresses(session: Session, school_id: int) -> list[UnreachableAddress]:
    """The school's active accounts whose address the check refuses, by name, with the reason.

    Only active accounts: nothing is sent to a deactivated one. The check is Python's (IDNA), not
    SQL, so it reads each active account's address: the school's people, never its history.
    """
    rows = session.execute(
        select(Account.id, Account.display_name, Account.username, Account.role, Account.email)
        .where(
            Account.school_id == school_id,
            Account.active.is_(True),
            Account.email.is_not(None),
        )
        .order_by(Account.display_name, Account.id)
    )
    found = []
    for account_id, display_name, username, role, address in rows:
        if address is None or not address.strip():
            continue  # no address at all, as None: nothing is sent to it
        try:
            forms.deliverable_email(address)
        except ValueError as problem:
            reason = REASONS.get(str(problem), str(problem))
            found.append(
                UnreachableAddress(account_id, display_name, username, role, address, reason)
            )
    return found
