"""Two-step sign-in in tests: accounts enrolled with a known secret, and finishing the code step.

Production always asks the safeguarding team, head and admins for a code; tests enrol those
accounts as they are made and type the current code, just as a person would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyotp
from flask import current_app
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts import two_factor
from classroom.accounts.models import Account, TwoFactor
from classroom.db import get_session, utcnow

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CODE_PAGE = "/sign-in/code"


def enrol(session: Session, account: Account, secret: str = SECRET) -> None:
    """Give an account a confirmed authenticator app with this secret (sealed, as kept)."""
    sealed = two_factor.seal_secret(Path(current_app.instance_path), account.id, secret)
    now = utcnow()
    session.add(
        TwoFactor(account_id=account.id, sealed_secret=sealed, created_at=now, confirmed_at=now)
    )
    session.flush()


def enrol_required(session: Session) -> None:
    """Enrol every account whose role needs two-step sign-in (e.g. after demo.seed)."""
    enrolled = select(TwoFactor.account_id)
    for account in session.scalars(select(Account).where(Account.id.not_in(enrolled))):
        if two_factor.is_required(account):
            enrol(session, account)


def current_code(session: Session, username: str) -> str:
    """The code the account's app shows now; its last use is forgotten, so tests may sign the
    same account in twice within 30 seconds (production refuses a replayed code)."""
    row = session.scalar(
        select(TwoFactor)
        .join(Account, Account.id == TwoFactor.account_id)
        .where(Account.username == username.strip().lower())
    )
    assert row is not None, f"{username} has no authenticator app"
    row.last_step = None
    session.commit()
    return pyotp.TOTP(two_factor.open_secret(Path(current_app.instance_path), row)).at(utcnow())


def finish(client: FlaskClient, response: Any, username: str, **extra: str) -> Any:
    """If the password step led to the code step, type the current code."""
    if response.status_code != 302 or not response.location.endswith(CODE_PAGE):
        return response
    code = current_code(get_session(), username)
    return client.post(CODE_PAGE, data={"code": code, **extra})
