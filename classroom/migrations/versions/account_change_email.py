"""account_change_requests.new_email: an admin's change to a team member's email address

Revision ID: account_change_email
Revises: account_emails_idna
Create Date: 2026-12-05 10:00:00

An admin may now change a member of staff's email address. For the safeguarding team (whose
alerts go to it) the change waits for the headteacher's or another team member's approval, as a
role change or password reset does: the request keeps the new address (kind "email"; none
removes it) until then. The kind column is a plain string, so the new kind needs no change here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "account_change_email"
down_revision = "account_emails_idna"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("account_change_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("new_email", sa.String(length=254), nullable=True))


def downgrade() -> None:
    # An older app cannot read the kind, and would take a waiting one for a password reset:
    # email changes go (the audit log keeps each one asked for, approved or declined).
    op.execute("DELETE FROM account_change_requests WHERE kind = 'email'")
    with op.batch_alter_table("account_change_requests", schema=None) as batch_op:
        batch_op.drop_column("new_email")
