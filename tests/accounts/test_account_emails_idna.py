"""Migration account_emails_idna: addresses kept before every address was checked.

A domain in other alphabets becomes the IDNA form the check stores (the same mailbox, one every
mail server accepts), for carers and staff and for emails still waiting in the outbox; an address
no email can reach is left exactly as it was (the Email problems page lists it); two accounts
that end up with the same address are both converted, since nothing needs addresses unique. Runs
on the engine of the pass: SQLite, or PostgreSQL under scripts/postgres-test.sh.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import Engine

from classroom.accounts.forms import deliverable_email
from classroom.db import make_engine
from classroom.migrate import alembic_config, upgrade
from tests.databases import empty_database

BEFORE = "outbox_unsubscribe_url"
AT = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)

SCHOOLS = sa.table(
    "schools",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
ACCOUNTS = sa.table(
    "accounts",
    sa.column("id", sa.Integer),
    sa.column("school_id", sa.Integer),
    sa.column("username", sa.String),
    sa.column("display_name", sa.String),
    sa.column("email", sa.String),
    sa.column("role", sa.String),
    sa.column("password_hash", sa.String),
    sa.column("password_changed_at", sa.DateTime(timezone=True)),
    sa.column("must_change_password", sa.Boolean),
    sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
OUTBOX = sa.table(
    "outbox_messages",
    sa.column("id", sa.Integer),
    sa.column("dedupe_key", sa.String),
    sa.column("message_id", sa.String),
    sa.column("to_address", sa.String),
    sa.column("subject", sa.String),
    sa.column("body", sa.Text),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.column("attempts", sa.Integer),
    sa.column("sent_at", sa.DateTime(timezone=True)),
    sa.column("dead_at", sa.DateTime(timezone=True)),
    sa.column("school_id", sa.Integer),
)
AUDIT = sa.table(
    "audit_events",
    sa.column("actor_kind", sa.String),
    sa.column("actor_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer),
    sa.column("summary", sa.Text),
    sa.column("school_id", sa.Integer),
    sa.column("tier", sa.String),
)

RF = "\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444"  # a domain in Cyrillic

# Account id: (role, address kept before the check, address after the migration).
KEPT = {
    1: ("parent", "sara@ex\u00e4mple.co.uk", "sara@xn--exmple-cua.co.uk"),
    2: ("teacher", "Ms.Lopez@B\u00dcCHER\u3002de", "Ms.Lopez@xn--bcher-kva.de"),
    3: ("dsl", "bell@" + RF, "bell@xn--e1afmkfd.xn--p1ai"),  # in another school
    # No email can reach these: left exactly as they were.
    4: ("parent", "\u00f6mer@ex\u00e4mple.co.uk", "\u00f6mer@ex\u00e4mple.co.uk"),  # name
    5: ("parent", "ada@fa\u00df.de", "ada@fa\u00df.de"),  # read two ways (fass.de)
    6: ("parent", "jo@ex\u00e4mple..co.uk", "jo@ex\u00e4mple..co.uk"),  # an empty part
    7: ("parent", "\u00f6mer@example.com", "\u00f6mer@example.com"),  # an ASCII domain
    # The clash: Sara's address as the check stored it on an account made since.
    8: ("parent", "sara@xn--exmple-cua.co.uk", "sara@xn--exmple-cua.co.uk"),
    # Nothing to do.
    9: ("teacher", "tom@example.com", "tom@example.com"),
    10: ("parent", None, None),
}
CONVERTED = {1, 2, 3}


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A database at the revision before, holding the addresses in KEPT and a few emails."""
    url = empty_database(tmp_path)
    upgrade(url, BEFORE)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(SCHOOLS.insert().values(id=1, name="A school", created_at=AT))
        conn.execute(SCHOOLS.insert().values(id=2, name="Another school", created_at=AT))
        for account_id, (role, address, _after) in KEPT.items():
            conn.execute(
                ACCOUNTS.insert().values(
                    id=account_id,
                    school_id=2 if account_id == 3 else 1,
                    username=f"user{account_id}",
                    display_name=f"Person {account_id}",
                    email=address,
                    role=role,
                    password_hash="x",
                    password_changed_at=AT,
                    must_change_password=False,
                    active=True,
                    created_at=AT,
                )
            )
        for n, (address, sent) in enumerate(
            [
                ("sara@ex\u00e4mple.co.uk", None),  # waiting: converted, so it goes
                ("sara@ex\u00e4mple.co.uk", AT),  # sent: the record of where it went
                ("\u00f6mer@ex\u00e4mple.co.uk", None),  # no email reaches it: as it was
            ],
            start=1,
        ):
            conn.execute(
                OUTBOX.insert().values(
                    id=n,
                    dedupe_key=f"parents:1:item:{n}",
                    message_id=f"<{n}@school.example>",
                    to_address=address,
                    subject="Something new",
                    body="Sign in to see it.",
                    created_at=AT,
                    next_attempt_at=AT,
                    attempts=1,
                    sent_at=sent,
                    school_id=1,
                )
            )
    yield engine
    engine.dispose()


def _addresses(engine: Engine) -> dict[int, str | None]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(ACCOUNTS.c.id, ACCOUNTS.c.email)).all())


def _outbox(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(OUTBOX.c.id, OUTBOX.c.to_address)).all())


def _audit(engine: Engine) -> list[tuple[object, ...]]:
    query = sa.select(
        AUDIT.c.object_id,
        AUDIT.c.summary,
        AUDIT.c.school_id,
        AUDIT.c.tier,
        AUDIT.c.actor_kind,
        AUDIT.c.actor_id,
        AUDIT.c.object_type,
    ).where(AUDIT.c.action == "account.email_converted")
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query.order_by(AUDIT.c.object_id))]


def test_addresses_kept_before_the_check_are_converted_where_they_can_be(
    engine: Engine,
) -> None:
    upgrade(engine.url.render_as_string(hide_password=False))

    assert _addresses(engine) == {n: after for n, (_role, _before, after) in KEPT.items()}
    for n in CONVERTED:  # exactly what the app's check stores for the same typing
        assert _addresses(engine)[n] == deliverable_email(KEPT[n][1] or "")
    for n in (4, 5, 6, 7):  # each one the check refuses, so the Email problems page lists it
        with pytest.raises(ValueError, match="."):
            deliverable_email(KEPT[n][1] or "")
    # The clash: both of Sara's accounts now hold the one address, and nothing failed.
    assert _addresses(engine)[1] == _addresses(engine)[8]

    assert _outbox(engine) == {
        1: "sara@xn--exmple-cua.co.uk",
        2: "sara@ex\u00e4mple.co.uk",
        3: "\u00f6mer@ex\u00e4mple.co.uk",
    }

    # Each change is in the account's audit entries, with the address it had.
    assert _audit(engine) == [
        (n, f"converted: {KEPT[n][1]} to {KEPT[n][2]}", 2 if n == 3 else 1, "account")
        + ("system", None, "Account")
        for n in sorted(CONVERTED)
    ]


def test_the_downgrade_leaves_the_converted_addresses_and_upgrading_again_changes_nothing(
    engine: Engine,
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    upgrade(url)
    converted, entries = _addresses(engine), _audit(engine)
    command.downgrade(alembic_config(url), BEFORE)
    assert _addresses(engine) == converted  # the IDNA form is the same address: kept
    upgrade(url)
    assert _addresses(engine) == converted
    assert _audit(engine) == entries  # nothing more to convert, so nothing more written
