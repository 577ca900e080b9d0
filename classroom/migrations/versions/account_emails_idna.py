"""email addresses kept before the check: a domain in other alphabets is stored in IDNA

Revision ID: account_emails_idna
Revises: outbox_unsubscribe_url
Create Date: 2026-12-04 18:00:00

Addresses are now stored as `accounts.forms.deliverable_email` makes them: a domain in other
alphabets (sara@exämple.co.uk) as its IDNA name (sara@xn--exmple-cua.co.uk), which every mail
server accepts, where the outbox's emails to the first form failed. Addresses stored before that
check are converted here in the same way. The two forms name the same mailbox: nothing is sent
anywhere else.

The columns that hold an address:

* `accounts.email` (carers and staff): converted where the domain is not ASCII and the address
  can be converted. Each change is written to the audit log (the account's own entries, as the
  system), with the address it had. An address that cannot be converted (a name before the @
  in other alphabets, a domain no email can reach) is left exactly as it is: the Email problems
  page lists the accounts whose address the check refuses, with the reason.
* `outbox_messages.to_address`, for emails not sent yet (waiting, failing or given up): the same
  conversion, so they go on their next try (or when sent again from Email problems). Sent ones
  are the record of what was sent where, and stay as they are.

Nothing else holds an address: invite codes, change requests and settings name accounts by id,
and the audit log's entries are an append-only record, never rewritten.

No unique constraint or index covers either column (two carers may share a family address), so
two accounts whose addresses become the same are both converted: leaving one unconverted would
only make its emails fail.

The check is copied below as it stood when this migration was written, so that what this
migration does never changes when the app's check does.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "account_emails_idna"
down_revision = "outbox_unsubscribe_url"
branch_labels = None
depends_on = None

ACCOUNTS = sa.table(
    "accounts",
    sa.column("id", sa.Integer),
    sa.column("school_id", sa.Integer),
    sa.column("email", sa.String),
)
OUTBOX = sa.table(
    "outbox_messages",
    sa.column("id", sa.Integer),
    sa.column("to_address", sa.String),
    sa.column("sent_at", sa.DateTime(timezone=True)),
)
AUDIT = sa.table(
    "audit_events",
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_kind", sa.String),
    sa.column("actor_id", sa.Integer),
    sa.column("actor_name", sa.String),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.Integer),
    sa.column("summary", sa.Text),
    sa.column("school_id", sa.Integer),
    sa.column("tier", sa.String),
)

# accounts.forms as of this revision: what may stand before the @, one part of a domain as sent,
# and the full stops IDNA accepts between the parts of a domain.
_LOCAL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_DOTS = re.compile("[.\u3002\uff0e\uff61]")


def upgrade() -> None:
    connection = op.get_bind()
    now = datetime.now(UTC)
    accounts = connection.execute(
        sa.select(ACCOUNTS.c.id, ACCOUNTS.c.school_id, ACCOUNTS.c.email)
        .where(ACCOUNTS.c.email.is_not(None))
        .order_by(ACCOUNTS.c.id)
    ).all()
    for account_id, school_id, address in accounts:
        converted = _converted(address)
        if converted is None:
            continue
        connection.execute(
            ACCOUNTS.update().where(ACCOUNTS.c.id == account_id).values(email=converted)
        )
        connection.execute(
            AUDIT.insert().values(
                at=now,
                actor_kind="system",
                actor_id=None,
                actor_name="system",
                action="account.email_converted",
                object_type="Account",
                object_id=account_id,
                summary=f"converted: {address} to {converted}",
                school_id=school_id,
                tier="account",
            )
        )
    waiting = connection.execute(
        sa.select(OUTBOX.c.id, OUTBOX.c.to_address).where(OUTBOX.c.sent_at.is_(None))
    ).all()
    for message_id, address in waiting:
        converted = _converted(address)
        if converted is not None:
            connection.execute(
                OUTBOX.update().where(OUTBOX.c.id == message_id).values(to_address=converted)
            )


def downgrade() -> None:
    """Nothing to undo. The IDNA form is the same address written so that every mail server
    accepts it: turning it back would only make its emails fail again, and the address each
    account had is kept in its audit entry (`account.email_converted`) should anyone need it."""


def _converted(address: str) -> str | None:
    """The address as the check would store it, when its domain is not ASCII and it can be
    converted; None to leave it as it is (nothing to convert, or no email can reach it)."""
    domain = address.strip().rpartition("@")[2]
    if domain.isascii():
        return None
    try:
        converted = _deliverable_email(address)
    except ValueError:
        return None  # left as stored: the Email problems page lists it with the reason
    return converted if converted != address else None


def _deliverable_email(text: str) -> str:
    """accounts.forms.deliverable_email as it stood at this revision (its messages left out)."""
    address = text.strip()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in address):
        raise ValueError("shape")
    if not local.isascii() or not _LOCAL.fullmatch(local):
        raise ValueError("name")
    ascii_domain = ".".join(_ascii_label(label) for label in _DOTS.split(domain))
    if ascii_domain.count(".") < 1 or len(ascii_domain) > 253:
        raise ValueError("domain")
    if len(local) > 64 or len(local) + 1 + len(ascii_domain) > 254:
        raise ValueError("too long")
    return f"{local}@{ascii_domain}"


def _ascii_label(label: str) -> str:
    if label.isascii():
        written = label
    else:
        try:
            written = label.encode("idna").decode("ascii")
            back = written.encode("ascii").decode("idna")
        except UnicodeError as error:
            raise ValueError("domain") from error
        # IDNA 2003 (Python's codec) rewrites letters IDNA 2008 keeps (faß.de to fass.de):
        # only case and full-width letters may change.
        if back != unicodedata.normalize("NFKC", label).lower():
            raise ValueError("read two ways")
    if not _LABEL.fullmatch(written):
        raise ValueError("domain")
    return written
