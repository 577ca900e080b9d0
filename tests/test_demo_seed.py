"""`flask demo seed`, as `make run` runs it every time: what a newcomer reads at start-up."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import demo
from classroom.accounts.models import Account
from classroom.db import utcnow
from classroom.outbox.services import enqueue_email
from tests import factories


def _accounts_part(output: str) -> str:
    """The lines before the password: where the demo accounts are listed."""
    return output.split("Their password:")[0]


def test_first_run_lists_every_demo_account_the_readme_names(
    runner: Any, session: Session
) -> None:
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    listed = _accounts_part(result.output)
    usernames = set(session.scalars(select(Account.username)))
    # deputy, senior and teacher2 can sign in too (deputy needs two-step sign-in): a newcomer
    # reading only the start-up lines must learn they exist, as the README says.
    for username in usernames:
        assert username in listed, username
    assert usernames == set(demo.USERNAMES) | set(demo.MORE_USERNAMES)


def test_second_run_says_how_to_get_a_new_password(runner: Any, app: Flask) -> None:
    """`make run` again: the random password was printed only the first time. Whoever lost it
    is told how to start again, and nothing is seeded twice."""
    first = runner.invoke(args=["demo", "seed"])
    assert "Their password:" in first.output
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code == 0, again.output
    assert "already exists" in again.output
    assert "Their password:" not in again.output
    assert "Lost the password" in again.output
    assert app.instance_path in again.output
    assert "BENTY-DEM23" in again.output


def test_a_real_school_is_not_called_the_demo(runner: Any, session: Session) -> None:
    """`flask demo seed` on a school's own database adds nothing, and gives none of the demo's
    advice (delete the instance folder, demo accounts and codes) about a real school."""
    factories.make_school(session, name="Oakfield Academy")
    session.commit()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "already has a school" in result.output
    assert "Demo school" not in result.output
    assert "instance" not in result.output
    assert "BENTY-DEM23" not in result.output
    assert "two-step" not in result.output


def test_the_worker_says_emails_wait_until_a_mail_server_is_set(
    runner: Any, session: Session
) -> None:
    """`make run` without CLASSROOM_SMTP_HOST: the README says emails wait, listed at Email
    problems; the worker beside the server must not print that they failed."""
    school = factories.make_school(session)
    enqueue_email(
        session, "k1", "a@example.org", "Hello", "Body", school_id=school.id, now=utcnow()
    )
    session.commit()
    result = runner.invoke(args=["worker", "run", "--once"])
    assert result.exit_code == 0, result.output
    assert "failed" not in result.output
    assert "emails waiting: 1" in result.output
    assert "CLASSROOM_SMTP_HOST" in result.output
