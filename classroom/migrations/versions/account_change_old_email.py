"""account_change_requests.old_email: an email change is made only from the address it was asked
from

Revision ID: account_change_old_email
Revises: outbox_refusals
Create Date: 2026-12-06 10:00:00

An admin's waiting change to a safeguarding-team member's email address overwrote an address the
member had since chosen themselves. The request now keeps the address it was asked from, and is
made void, not made, if the account no longer has it when someone approves it. Email changes
already waiting are taken as asked from the address the account has now: the best this upgrade
can know. The status column is a plain string, so the new status ("void") needs no change here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "account_change_old_email"
down_revision = "outbox_refusals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account_change_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("old_email", sa.String(length=254), nullable=True))
    op.execute(
        "UPDATE account_change_requests SET old_email = (SELECT accounts.email FROM accounts"
        " WHERE accounts.id = account_change_requests.account_id)"
        " WHERE kind = 'email' AND status = 'pending'"
    )


def downgrade() -> None:
    # An older app cannot read the status "void": such a request was never made, as a declined
    # one (the audit log keeps why).
    op.execute("UPDATE account_change_requests SET status = 'declined' WHERE status = 'void'")
    with op.batch_alter_table("account_change_requests", schema=None) as batch_op:
        batch_op.drop_column("old_email")
