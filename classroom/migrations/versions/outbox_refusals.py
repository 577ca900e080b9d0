"""outbox_messages.refusals: only the mail server's refusals count toward giving an email up

Revision ID: outbox_refusals
Revises: account_change_email
Create Date: 2026-12-04 21:40:00

`attempts` counts every try, those that never reached a mail server too, so an alert refused
once after a long outage was given up at once. Messages already waiting start with no refusals
counted: each gets its full number of tries from now on.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "outbox_refusals"
down_revision = "account_change_email"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refusals", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("refusals")
